//! Client configuration: where the instance is, who we are, and how patient to be.
//!
//! Secrets are [`SecretString`]s: their `Debug` output is `[REDACTED]`, they are never
//! serialized, and the only way to read them is an explicit `expose_secret()` in the signer.

use std::time::Duration;

use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::credentials::CredentialsSource;
use super::duration_text;
use super::error::TablestoreError;

/// How to reach and authenticate to one Tablestore instance. Not read from a file: the
/// daemon builds it from the `[sources.NAME]` section ([`super::SourceConfig`]).
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `http://` or `https://` base URL, e.g. `https://myinst.cn-hangzhou.ots.aliyuncs.com`.
    pub endpoint: String,
    /// Instance name (sent as `x-ots-instancename`).
    pub instance: String,
    pub access_key_id: String,
    pub access_key_secret: SecretString,
    /// Security token when the AccessKey is temporary STS credentials.
    pub sts_token: Option<SecretString>,
    /// Where the credentials come from; the three fields above are used only when
    /// [`CredentialsSource::Static`].
    pub credentials: CredentialsSource,
    /// PEM file of extra CA certificates to trust besides the built-in roots (a corporate
    /// TLS-intercepting proxy).
    pub ca_file: Option<std::path::PathBuf>,
    /// Also trust the operating system's CA store (see `trust.rs`).
    pub use_system_ca_store: bool,
    /// Time allowed to open a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Time allowed for one HTTP attempt, from sending to the last response byte.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
}

/// Exponential backoff with full jitter, bounded by attempts and by total elapsed time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    /// No retry starts after this much time has passed since the first attempt.
    #[serde(with = "duration_text")]
    pub max_elapsed: Duration,
    /// The backoff ceiling before the first retry; it doubles with every retry.
    #[serde(with = "duration_text")]
    pub base_delay: Duration,
    /// The largest backoff ceiling.
    #[serde(with = "duration_text")]
    pub max_delay: Duration,
    /// Attempts in total, the first one included (1 = never retry).
    pub max_attempts: u32,
}

fn default_connect_timeout() -> Duration {
    Duration::from_secs(5)
}

fn default_request_timeout() -> Duration {
    Duration::from_secs(30)
}

impl Default for RetryPolicy {
    /// Generous enough to ride out throttling during a long backup, short enough that a dead
    /// service is reported within about a minute.
    fn default() -> Self {
        RetryPolicy {
            max_elapsed: Duration::from_secs(60),
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(5),
            max_attempts: 20,
        }
    }
}

impl RetryPolicy {
    /// A policy that sends every request once.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }
}

impl ClientConfig {
    /// A configuration with default timeouts and retry policy.
    pub fn new(
        endpoint: impl Into<String>,
        instance: impl Into<String>,
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<SecretString>,
    ) -> Self {
        ClientConfig {
            endpoint: endpoint.into(),
            instance: instance.into(),
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            sts_token: None,
            credentials: CredentialsSource::Static,
            ca_file: None,
            use_system_ca_store: false,
            connect_timeout: default_connect_timeout(),
            request_timeout: default_request_timeout(),
            retry: RetryPolicy::default(),
        }
    }

    /// Checks every field and returns the endpoint as a URL without a trailing slash.
    pub fn validate(&self) -> Result<Url, TablestoreError> {
        let invalid = |reason: String| Err(TablestoreError::Config(reason));
        let url = match Url::parse(self.endpoint.trim()) {
            Ok(url) => url,
            Err(e) => return invalid(format!("endpoint {:?} is not a URL: {e}", self.endpoint)),
        };
        if !matches!(url.scheme(), "http" | "https") {
            return invalid(format!(
                "endpoint {:?} must use http or https",
                self.endpoint
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return invalid(format!("endpoint {:?} has no host", self.endpoint));
        }
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return invalid(format!(
                "endpoint {:?} must not carry credentials, a query or a fragment",
                self.endpoint
            ));
        }
        if self.instance.trim().is_empty() {
            return invalid("instance name is empty".into());
        }
        match &self.credentials {
            CredentialsSource::Static => {
                if self.access_key_id.trim().is_empty() {
                    return invalid("access_key_id is empty".into());
                }
                if self.access_key_secret.expose_secret().is_empty() {
                    return invalid("access_key_secret is empty".into());
                }
            }
            CredentialsSource::File(path) => {
                if path.as_os_str().is_empty() {
                    return invalid("credentials_file is empty".into());
                }
            }
            CredentialsSource::EcsRamRole { metadata_url, .. } => {
                if !(metadata_url.starts_with("http://") || metadata_url.starts_with("https://")) {
                    return invalid(format!(
                        "ecs_metadata_url {metadata_url:?} must start with http:// or https://"
                    ));
                }
            }
        }
        if self.connect_timeout.is_zero() || self.request_timeout.is_zero() {
            return invalid("timeouts must be greater than zero".into());
        }
        let retry = &self.retry;
        if retry.max_attempts == 0 {
            return invalid("retry.max_attempts must be at least 1".into());
        }
        if retry.base_delay > retry.max_delay {
            return invalid("retry.base_delay must not exceed retry.max_delay".into());
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(endpoint: &str) -> ClientConfig {
        ClientConfig::new(endpoint, "inst", "ak", "sk")
    }

    #[test]
    fn accepts_http_and_https_endpoints() {
        assert!(config("http://127.0.0.1:8080").validate().is_ok());
        assert!(config("https://inst.cn-hangzhou.ots.aliyuncs.com/")
            .validate()
            .is_ok());
    }

    #[test]
    fn rejects_bad_endpoints_and_empty_fields() {
        for endpoint in [
            "ftp://host",
            "not a url",
            "http://u:p@host",
            "http://h/?q=1",
        ] {
            let err = config(endpoint).validate().unwrap_err();
            assert!(
                matches!(err, TablestoreError::Config(_)),
                "{endpoint}: {err}"
            );
        }
        let mut c = config("http://h");
        c.instance = " ".into();
        assert!(c.validate().is_err());
        let c = ClientConfig::new("http://h", "i", "ak", "");
        assert!(c.validate().is_err());
        let mut c = config("http://h");
        c.retry.max_attempts = 0;
        assert!(c.validate().is_err());
    }

    #[test]
    fn retry_policy_deserializes_with_defaults_and_human_durations() {
        let retry: RetryPolicy =
            toml::from_str("max_elapsed = \"2m\"\nbase_delay = \"10ms\"\n").unwrap();
        assert_eq!(retry.max_elapsed, Duration::from_secs(120));
        assert_eq!(retry.base_delay, Duration::from_millis(10));
        assert_eq!(retry.max_attempts, RetryPolicy::default().max_attempts);
        assert!(toml::from_str::<RetryPolicy>("region = \"x\"\n").is_err());
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let mut c = ClientConfig::new("http://h", "i", "ak", "s3cr3t-access-key");
        c.sts_token = Some(SecretString::from("sts-t0ken-value"));
        let text = format!("{c:?} {c:#?}");
        assert!(!text.contains("s3cr3t-access-key"), "{text}");
        assert!(!text.contains("sts-t0ken-value"), "{text}");
        assert!(text.contains("REDACTED"));
    }
}
