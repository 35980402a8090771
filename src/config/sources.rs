//! `[sources.NAME]`: a Tablestore instance.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// `https://<instance>.<region>.ots.aliyuncs.com` (or `http://` for the emulator).
    pub endpoint: String,
    pub instance: String,
    /// May come from `TABLEVAULT_SOURCE_<NAME>_ACCESS_KEY_ID` instead.
    #[serde(default)]
    pub access_key_id: Option<String>,
    /// May come from `TABLEVAULT_SOURCE_<NAME>_ACCESS_KEY_SECRET` instead.
    #[serde(default)]
    pub access_key_secret: Option<SecretString>,
    /// STS security token, when the key pair is temporary.
    #[serde(default)]
    pub sts_token: Option<SecretString>,
}

impl SourceConfig {
    pub(super) fn validate(&self, name: &str, problems: &mut Vec<String>) {
        let at = format!("sources.{name}");
        if !(self.endpoint.starts_with("http://") || self.endpoint.starts_with("https://")) {
            problems.push(format!(
                "{at}.endpoint: {:?} must start with http:// or https://",
                self.endpoint
            ));
        }
        if self.instance.trim().is_empty() {
            problems.push(format!("{at}.instance: must not be empty"));
        }
        if self.access_key_id.as_deref().is_none_or(str::is_empty) {
            problems.push(format!(
                "{at}.access_key_id: missing (set it or {})",
                super::env::source_var(name, "ACCESS_KEY_ID")
            ));
        }
        if self
            .access_key_secret
            .as_ref()
            .is_none_or(|s| s.expose_secret().is_empty())
        {
            problems.push(format!(
                "{at}.access_key_secret: missing (set it or {})",
                super::env::source_var(name, "ACCESS_KEY_SECRET")
            ));
        }
    }
}
