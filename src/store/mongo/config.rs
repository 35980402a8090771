//! Configuration of the `mongodb` backup store.

use std::{fmt, ops::Range};

use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::store::StoreError;

/// Where the MongoDB store writes its backups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MongoStoreConfig {
    /// A standard MongoDB connection string. Authentication (`user:password@`, `authSource`),
    /// replica sets (`replicaSet`, several hosts, `mongodb+srv://`) and TLS (`tls=true`,
    /// `tlsCAFile`, ...) are all configured here and passed to the driver unchanged.
    pub uri: MongoUri,
    /// Each backup is the database `<database_prefix>_<backup id>`.
    pub database_prefix: String,
}

impl MongoStoreConfig {
    /// The store config of a `[stores.NAME]` section of kind `mongodb`.
    pub fn from_settings(settings: &crate::config::MongoSettings) -> Result<Self, StoreError> {
        let uri = settings.uri.as_ref().ok_or_else(|| StoreError::Mongo {
            context: "store configuration".to_owned(),
            message: "uri is missing".to_owned(),
        })?;
        Ok(MongoStoreConfig {
            uri: MongoUri::new(uri.expose_secret()),
            database_prefix: settings.database_prefix.clone(),
        })
    }
}

/// A connection string that may hold a password: `Debug` redacts it so configs can be logged.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MongoUri(String);

impl MongoUri {
    pub fn new(uri: impl Into<String>) -> Self {
        MongoUri(uri.into())
    }

    /// The full URI, password included: only for handing to the driver.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URI with the password of its user info (if any) replaced by `***`.
    pub fn redacted(&self) -> String {
        let mut text = self.0.clone();
        if let Some(span) = self.password_span() {
            text.replace_range(span, "***");
        }
        text
    }

    /// The password as written in the URI (percent-encoded), if there is one.
    pub fn raw_password(&self) -> Option<&str> {
        self.password_span().map(|span| &self.0[span])
    }

    /// Byte range of the password in `scheme://user:password@hosts/...`. Hosts never contain
    /// `@`, so the user info ends at the last `@` before the path or options.
    fn password_span(&self) -> Option<Range<usize>> {
        let text = &self.0;
        let start = text.find("://")? + 3;
        let authority_end = text[start..]
            .find(['/', '?'])
            .map_or(text.len(), |i| start + i);
        let at = start + text[start..authority_end].rfind('@')?;
        let colon = start + text[start..at].find(':')?;
        Some(colon + 1..at).filter(|span| !span.is_empty())
    }
}

impl fmt::Debug for MongoUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MongoUri").field(&self.redacted()).finish()
    }
}

impl From<&str> for MongoUri {
    fn from(uri: &str) -> Self {
        MongoUri::new(uri)
    }
}

impl From<String> for MongoUri {
    fn from(uri: String) -> Self {
        MongoUri::new(uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_password() {
        let uri = MongoUri::new("mongodb://backup:s3cr%40t@db1:27017,db2/?authSource=admin");
        let shown = format!("{uri:?}");
        assert!(!shown.contains("s3cr"), "{shown}");
        assert!(shown.contains("mongodb://backup:***@db1:27017,db2/?authSource=admin"));
    }

    #[test]
    fn uris_without_password_are_unchanged() {
        for text in [
            "mongodb://127.0.0.1:1/?tls=true",
            "mongodb://x509user@h/?authMechanism=MONGODB-X509",
        ] {
            assert_eq!(MongoUri::new(text).redacted(), text);
        }
    }

    #[test]
    fn built_from_the_daemon_settings() {
        let settings: crate::config::MongoSettings =
            toml::from_str("uri = \"mongodb://u:pw@h/\"\ndatabase_prefix = \"tv\"").unwrap();
        let config = MongoStoreConfig::from_settings(&settings).unwrap();
        assert_eq!(config.uri.expose(), "mongodb://u:pw@h/");
        assert_eq!(config.database_prefix, "tv");
    }

    #[test]
    fn config_rejects_unknown_fields() {
        let ok: MongoStoreConfig =
            toml::from_str("uri = \"mongodb://h\"\ndatabase_prefix = \"tv\"").expect("valid");
        assert_eq!(ok.database_prefix, "tv");
        let bad = toml::from_str::<MongoStoreConfig>(
            "uri = \"mongodb://h\"\ndatabase_prefix = \"tv\"\ndatabase = \"x\"",
        );
        assert!(bad.is_err());
    }
}
