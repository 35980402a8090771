//! `[sources.NAME]`: a Tablestore instance as the config file names it, and the one place it
//! becomes a [`ClientConfig`].
//!
//! Why two types rather than one: the section's credentials are optional (an environment
//! variable may fill them after the file is parsed, and `config check` reports every missing
//! one with that variable's name), while a client needs them present; the client also has
//! timeouts and a retry policy the file does not expose. The section type lives here, next to
//! what it builds, so a key added to it and its use by the client are one edit in one folder;
//! `config/` only composes it into the file and applies the environment.

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::credentials::{CredentialsSource, DEFAULT_ECS_METADATA_URL};
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
    /// Instead of the keys above: a JSON file (`AccessKeyId`, `AccessKeySecret`, optional
    /// `SecurityToken` and `Expiration`) re-read whenever it changes or nears expiry.
    #[serde(default)]
    pub credentials_file: Option<PathBuf>,
    /// Instead of the keys above: the ECS instance RAM role of this name (`""` = the role
    /// attached to the instance), from the metadata service, refreshed before it expires.
    #[serde(default)]
    pub ecs_ram_role: Option<String>,
    /// The metadata service for `ecs_ram_role` (default `http://100.100.100.200`).
    #[serde(default)]
    pub ecs_metadata_url: Option<String>,
    /// Only read the metadata service in its hardened mode (with a session token); fail
    /// instead of falling back to normal mode (the SDKs' `disableIMDSv1`).
    #[serde(default)]
    pub ecs_metadata_disable_imdsv1: bool,
    /// PEM bundle of extra CA certificates to trust (a corporate TLS-intercepting proxy).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Also trust the operating system's CA store (where such a proxy's CA is installed).
    #[serde(default)]
    pub use_system_ca_store: bool,
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
        config.credentials = self.credentials_source();
        config.ca_file = self.ca_file.clone();
        config.use_system_ca_store = self.use_system_ca_store;
        config
    }

    /// Where this source's credentials come from.
    pub fn credentials_source(&self) -> CredentialsSource {
        if let Some(path) = &self.credentials_file {
            CredentialsSource::File(path.clone())
        } else if let Some(role) = &self.ecs_ram_role {
            CredentialsSource::EcsRamRole {
                role: Some(role.trim().to_string()).filter(|r| !r.is_empty()),
                metadata_url: self
                    .ecs_metadata_url
                    .clone()
                    .unwrap_or_else(|| DEFAULT_ECS_METADATA_URL.to_string()),
                disable_imdsv1: self.ecs_metadata_disable_imdsv1,
            }
        } else {
            CredentialsSource::Static
        }
    }

    /// Whether credentials come from a file or the RAM role rather than keys in the config.
    pub fn uses_provider(&self) -> bool {
        self.credentials_file.is_some() || self.ecs_ram_role.is_some()
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
        let keys = self.access_key_id.is_some() || self.access_key_secret.is_some();
        let providers = [
            self.credentials_file.is_some(),
            self.ecs_ram_role.is_some(),
            keys,
        ];
        if providers.iter().filter(|p| **p).count() > 1 {
            problems.push(format!(
                "{at}: set only one of access_key_id/access_key_secret, credentials_file and \
                 ecs_ram_role"
            ));
        }
        if let Err((key, reason)) =
            super::trust::extra_roots(self.ca_file.as_deref(), self.use_system_ca_store)
        {
            problems.push(format!("{at}.{key}: {reason}"));
        }
        if self.ecs_metadata_url.is_some() && self.ecs_ram_role.is_none() {
            problems.push(format!(
                "{at}.ecs_metadata_url: only used with ecs_ram_role"
            ));
        }
        if self.ecs_metadata_disable_imdsv1 && self.ecs_ram_role.is_none() {
            problems.push(format!(
                "{at}.ecs_metadata_disable_imdsv1: only used with ecs_ram_role"
            ));
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
    fn a_credentials_file_or_ram_role_replaces_the_keys() {
        let source: SourceConfig = toml::from_str(
            "endpoint = \"http://h\"\ninstance = \"i\"\ncredentials_file = \"/run/ots.json\"\n",
        )
        .unwrap();
        assert!(source.uses_provider());
        let client = source.client_config();
        assert_eq!(
            client.credentials,
            CredentialsSource::File("/run/ots.json".into())
        );
        assert!(client.validate().is_ok(), "no keys needed");

        let source: SourceConfig = toml::from_str(
            "endpoint = \"http://h\"\ninstance = \"i\"\necs_ram_role = \"backup\"\n\
             ecs_metadata_disable_imdsv1 = true\n",
        )
        .unwrap();
        assert_eq!(
            source.credentials_source(),
            CredentialsSource::EcsRamRole {
                role: Some("backup".into()),
                metadata_url: DEFAULT_ECS_METADATA_URL.into(),
                disable_imdsv1: true,
            }
        );

        let both: SourceConfig = toml::from_str(
            "endpoint = \"http://h\"\ninstance = \"i\"\necs_ram_role = \"\"\naccess_key_id = \"a\"\n",
        )
        .unwrap();
        let mut problems = Vec::new();
        both.validate("sources.s", &mut problems);
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[test]
    fn client_tuning_is_not_a_key_of_the_section() {
        let result = toml::from_str::<SourceConfig>(
            "endpoint = \"http://h\"\ninstance = \"i\"\nrequest_timeout = \"10s\"\n",
        );
        assert!(result.is_err());
    }
}
