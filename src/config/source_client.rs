//! A configured source as Tablestore client settings.

use secrecy::{ExposeSecret, SecretString};

use super::SourceConfig;
use crate::tablestore::client::ClientConfig;

impl SourceConfig {
    /// Client settings for this source: its endpoint, instance and credentials, with the
    /// client's default timeouts and retry policy. [`super::Config::validate`] has checked that
    /// the credentials are present; missing ones become empty strings the client refuses.
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
        config.sts_token = self
            .sts_token
            .as_ref()
            .map(|t| SecretString::from(t.expose_secret().to_string()));
        config
    }
}

impl From<&SourceConfig> for ClientConfig {
    fn from(source: &SourceConfig) -> Self {
        source.client_config()
    }
}
