//! `[sources.NAME]`: a Tablestore instance as the config file names it, and the one place it
//! becomes a [`ClientConfig`].
//!
//! Why two types rather than one: the section's credentials are optional (an environment
//! variable may fill them after the file is parsed, and `config check` reports every missing
//! one with that variable's name), while a client needs them present; the client also has
//! timeouts and a retry policy the file does not expose. The section type lives here, next to
//! what it builds, so a key added to it and its use by the client are one edit in one folder;
//! `config/` only composes it into the file and applies the environment.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::ClientConfig;

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
    /// Client settings for this source: its endpoint, instance and credentials, with the
    /// client's default timeouts and retry policy. Missing credentials (which config
    /// validation reports first) become empty strings [`ClientConfig::validate`] refuses.
    pub fn client_config(&self) -> ClientConfig {
        let secret = self
            .access_key_secret
            .as_ref()
            .map_or_else(String::new, |s| s.expose_secret().to_string());
        let mut config = ClientConfig::new(
            self.endpoint.clone(),
            self.instance.clone(),
            self.access_key_id.clone().unwrap_or_default(),
            secret,
        );
        config.sts_token = self.sts_token.clone();
        config
    }

    /// Adds to `problems` what is wrong with the endpoint and instance (`at` is
    /// `sources.NAME`). Missing credentials are left to the caller, which knows where else
    /// they may come from.
    pub fn validate(&self, at: &str, problems: &mut Vec<String>) {
        if !(self.endpoint.starts_with("http://") || self.endpoint.starts_with("https://")) {
            problems.push(format!(
                "{at}.endpoint: {:?} must start with http:// or https://",
                self.endpoint
            ));
        }
        if self.instance.trim().is_empty() {
            problems.push(format!("{at}.instance: must not be empty"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_becomes_a_client_config_with_default_tuning() {
        let source: SourceConfig = toml::from_str(
            "endpoint = \"https://x.ots.aliyuncs.com\"\ninstance = \"x\"\n\
             access_key_id = \"ak\"\naccess_key_secret = \"very-secret\"\nsts_token = \"t\"\n",
        )
        .unwrap();
        let client = source.client_config();
        assert!(client.validate().is_ok());
        assert_eq!(client.endpoint, "https://x.ots.aliyuncs.com");
        assert_eq!(client.access_key_id, "ak");
        assert_eq!(client.access_key_secret.expose_secret(), "very-secret");
        assert_eq!(
            client.sts_token.as_ref().map(|t| t.expose_secret()),
            Some("t")
        );
        let defaults = ClientConfig::new("http://h", "i", "a", "s");
        assert_eq!(client.request_timeout, defaults.request_timeout);
        assert_eq!(client.retry, defaults.retry);
    }

    #[test]
    fn missing_credentials_build_a_client_config_the_client_refuses() {
        let source: SourceConfig =
            toml::from_str("endpoint = \"http://h\"\ninstance = \"i\"\n").unwrap();
        let mut problems = Vec::new();
        source.validate("sources.s", &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(source.client_config().validate().is_err());
    }

    #[test]
    fn client_tuning_is_not_a_key_of_the_section() {
        let result = toml::from_str::<SourceConfig>(
            "endpoint = \"http://h\"\ninstance = \"i\"\nrequest_timeout = \"10s\"\n",
        );
        assert!(result.is_err());
    }
}
