//! `[server]`: the daemon's HTTP listener and request limits.

use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;

use crate::tablestore::client::duration_text;

/// Loopback by default: exposing the API is a decision the operator makes explicitly.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// `IP:port` to listen on; port 0 picks a free port.
    #[serde(deserialize_with = "deserialize_listen")]
    pub listen: SocketAddr,
    /// Longest time one request may take (`"30s"`, `"2m"` or seconds); longer ones get a 503
    /// problem with code `timeout`.
    #[serde(with = "duration_text")]
    pub request_timeout: Duration,
    /// Largest accepted request body; larger ones get a 413 problem.
    pub body_limit_bytes: usize,
    /// On SIGTERM / Ctrl-C: the budget of the whole stop. Requests and runs in flight finish
    /// within it, side by side; runs still going near its end are cancelled and recorded
    /// before it ends. A service manager's stop timeout can be this + a few seconds.
    pub shutdown_grace_seconds: u64,
    /// How long `/readyz` waits for each component (database, each store) before calling it
    /// down.
    #[serde(with = "duration_text")]
    pub readiness_timeout: Duration,
    /// `GET /metrics` is open by default (Prometheus scrapers rarely carry tokens); `true`
    /// requires a token of either role.
    pub metrics_require_auth: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: DEFAULT_LISTEN.parse().expect("a valid default address"),
            request_timeout: Duration::from_secs(30),
            body_limit_bytes: 1024 * 1024,
            shutdown_grace_seconds: 30,
            readiness_timeout: Duration::from_secs(5),
            metrics_require_auth: false,
        }
    }
}

impl ServerConfig {
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_seconds)
    }

    pub(super) fn validate(&self, problems: &mut Vec<String>) {
        if self.request_timeout.is_zero() || self.request_timeout > Duration::from_secs(3600) {
            problems.push("server.request_timeout: must be between 1ms and 1h".to_string());
        }
        if !(1024..=1024 * 1024 * 1024).contains(&self.body_limit_bytes) {
            problems.push("server.body_limit_bytes: must be between 1024 and 1073741824".into());
        }
        if self.readiness_timeout.is_zero() || self.readiness_timeout > Duration::from_secs(60) {
            problems.push("server.readiness_timeout: must be between 1ms and 60s".to_string());
        }
        if self.shutdown_grace_seconds > 3600 {
            problems.push("server.shutdown_grace_seconds: at most 3600".to_string());
        }
    }
}

/// Parses a listen address, saying what to write instead when it is not `IP:port` (also the
/// parser of `serve --listen`). A host name is refused rather than resolved: `localhost` may
/// resolve to `::1` only, or to an address other than the one the operator meant.
pub fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    let example = "127.0.0.1:8080 for this machine only, 0.0.0.0:8080 for every interface";
    match text.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => Err(format!(
            "{text:?}: {host:?} is not an IP address; host names are not resolved, use an IP \
             ({example})"
        )),
        _ => Err(format!(
            "{text:?} is not an IP address and port ({example})"
        )),
    }
}

fn deserialize_listen<'de, D: serde::Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    let text = String::deserialize(d)?;
    parse_listen(&text).map_err(serde::de::Error::custom)
}

/// `[database]`: the daemon's SQLite state.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// The SQLite file; its directory is created if missing.
    pub path: std::path::PathBuf,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            path: std::path::PathBuf::from(super::DEFAULT_DATA_DIR).join("tablevault.db"),
        }
    }
}

impl DatabaseConfig {
    pub(super) fn validate(&self, problems: &mut Vec<String>) {
        if self.path.as_os_str().is_empty() {
            problems.push("database.path: must not be empty".to_string());
        }
    }
}
