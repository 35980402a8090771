//! How `serve --demo` changes the daemon's configuration: state kept apart from real state,
//! the emulator added as source `demo`, and API auth that is open only where that is safe.

use std::path::{Path, PathBuf};

use super::source::DemoSource;
use super::DemoError;
use crate::config::{Config, StoreConfig, DEFAULT_STORE};
use crate::store::ArchiveStoreConfig;

/// The configured source the demo adds.
pub const SOURCE: &str = "demo";
/// Where demo state lives unless `--demo-dir` moves it.
pub const DEFAULT_DIR: &str = "./data/demo";

/// How clients authenticate to the demo daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoAuth {
    /// No token needed: auth was disabled in the config, or nothing was configured and the
    /// daemon listens on loopback only.
    Open { disabled_by_demo: bool },
    /// Tokens are configured. `admin_token_in_env` says whether the printed commands'
    /// `$TABLEVAULT_AUTH_ADMIN_TOKEN` is already set in the environment.
    Token { admin_token_in_env: bool },
}

/// Decides on auth before anything starts: a demo reachable from the network without a token
/// would let anyone restore into and delete from it, so that is refused.
pub fn decide_auth(config: &Config) -> Result<DemoAuth, DemoError> {
    if config.auth.disabled {
        return Ok(DemoAuth::Open {
            disabled_by_demo: false,
        });
    }
    if !config.auth.tokens.is_empty() {
        let admin_token_in_env = std::env::var_os("TABLEVAULT_AUTH_ADMIN_TOKEN").is_some();
        return Ok(DemoAuth::Token { admin_token_in_env });
    }
    let listen = config.server.listen;
    if !listen.ip().is_loopback() {
        return Err(DemoError::OpenNonLoopback(listen));
    }
    Ok(DemoAuth::Open {
        disabled_by_demo: true,
    })
}

/// Applies the demo to `config`: with `state_dir` (no config file given) the database and the
/// `local` archive store move under it; the emulator becomes source `demo`; auth follows
/// `auth`. The caller has checked that no source is called `demo` yet.
pub fn apply(config: &mut Config, source: &DemoSource, state_dir: Option<&Path>, auth: DemoAuth) {
    if let Some(dir) = state_dir {
        config.database.path = dir.join("tablevault.db");
        config.stores.insert(
            DEFAULT_STORE.to_string(),
            StoreConfig::Archive(ArchiveStoreConfig::new(dir.join("archive"))),
        );
    }
    config
        .sources
        .insert(SOURCE.to_string(), source.source_config());
    if let DemoAuth::Open {
        disabled_by_demo: true,
    } = auth
    {
        config.auth.disabled = true;
    }
}

/// Where the `local` store keeps backups, if it is an archive (for the printed summary).
pub fn archive_path(config: &Config) -> Option<PathBuf> {
    match config.stores.get(DEFAULT_STORE) {
        Some(StoreConfig::Archive(settings)) => Some(settings.path.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Role, TokenConfig};

    fn with_listen(listen: &str) -> Config {
        let mut config = Config::embedded_defaults();
        config.server.listen = listen.parse().unwrap();
        config
    }

    #[test]
    fn no_token_is_open_on_loopback_only() {
        assert_eq!(
            decide_auth(&with_listen("127.0.0.1:0")).unwrap(),
            DemoAuth::Open {
                disabled_by_demo: true
            }
        );
        assert!(decide_auth(&with_listen("[::1]:8080")).is_ok());
        let refused = decide_auth(&with_listen("0.0.0.0:8080")).unwrap_err();
        assert!(matches!(refused, DemoError::OpenNonLoopback(_)));
        assert!(refused.to_string().contains("TABLEVAULT_AUTH_ADMIN_TOKEN"));
    }

    #[test]
    fn configured_tokens_or_an_explicit_disable_are_kept() {
        let mut config = with_listen("0.0.0.0:8080");
        config.auth.tokens.push(TokenConfig {
            token: "0123456789abcdef0123".to_string().into(),
            role: Role::Admin,
            name: None,
        });
        assert!(matches!(
            decide_auth(&config).unwrap(),
            DemoAuth::Token { .. }
        ));
        let mut config = with_listen("0.0.0.0:8080");
        config.auth.disabled = true;
        assert_eq!(
            decide_auth(&config).unwrap(),
            DemoAuth::Open {
                disabled_by_demo: false
            }
        );
    }
}
