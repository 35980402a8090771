//! `[stores.NAME]` of kind `mongodb`: the section as the file spells it is the store's own
//! config, so the daemon and [`super::MongoStore::connect`] read one type and adding a key is one
//! edit here. The uri may be absent from the file (it can come from the environment), which
//! `config/` reports together with the variable that would set it.

use std::{fmt, ops::Range};

use serde::Deserialize;

use crate::store::StoreError;

/// Where the MongoDB store writes its backups.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MongoStoreConfig {
    /// A standard MongoDB connection string. Authentication (`user:password@`, `authSource`),
    /// replica sets (`replicaSet`, several hosts, `mongodb+srv://`) and TLS (`tls=true`,
    /// `tlsCAFile`, ...) are all configured here and passed to the driver unchanged. May come
    /// from `TABLEVAULT_STORE_<NAME>_URI` instead.
    #[serde(default)]
    pub uri: Option<MongoUri>,
    /// Each backup is the database `<database_prefix>_<backup id>`.
    #[serde(default = "default_prefix")]
    pub database_prefix: String,
}

fn default_prefix() -> String {
    "tablevault".to_string()
}

impl MongoStoreConfig {
    /// A config for the deployment at `uri`.
    pub fn new(uri: impl Into<MongoUri>, database_prefix: impl Into<String>) -> Self {
        MongoStoreConfig {
            uri: Some(uri.into()),
            database_prefix: database_prefix.into(),
        }
    }

    /// The connection string; an error if neither the file nor the environment gave one.
    pub fn uri(&self) -> Result<&MongoUri, StoreError> {
        self.uri.as_ref().ok_or_else(|| StoreError::Mongo {
            context: "store configuration".to_owned(),
            message: "uri is missing".to_owned(),
        })
    }

    /// Adds to `problems` what is wrong with this section (`at` is `stores.NAME`) without a
    /// network. A missing uri is left to the caller, which knows where else it may come from.
    pub fn validate(&self, at: &str, problems: &mut Vec<String>) {
        if let Some(uri) = &self.uri {
            let uri = uri.expose();
            if !(uri.starts_with("mongodb://") || uri.starts_with("mongodb+srv://")) {
                problems.push(format!(
                    "{at}.uri: must start with mongodb:// or mongodb+srv://"
                ));
            }
        }
        // Stricter than what MongoDB accepts, so backup database names stay short and portable.
        let prefix = &self.database_prefix;
        let valid_prefix = !prefix.is_empty()
            && prefix.len() <= 20
            && prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid_prefix {
            problems.push(format!(
                "{at}.database_prefix: {prefix:?} must be 1–20 characters of A-Z a-z 0-9 _ -"
            ));
        }
    }
}

/// A connection string that may hold a password: `Debug` redacts it so configs can be logged.
#[derive(Clone, PartialEq, Eq, Deserialize)]
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
    fn a_section_without_uri_or_prefix_takes_the_defaults() {
        let config: MongoStoreConfig = toml::from_str("").unwrap();
        assert!(config.uri().is_err());
        assert_eq!(config.database_prefix, "tablevault");
        let config: MongoStoreConfig = toml::from_str("uri = \"mongodb://u:pw@h/\"").unwrap();
        assert_eq!(config.uri().unwrap().expose(), "mongodb://u:pw@h/");
    }

    #[test]
    fn validation_names_the_key_and_never_the_uri() {
        let config = MongoStoreConfig::new("http://u:hunter2@h/", "bad prefix");
        let mut problems = Vec::new();
        config.validate("stores.m", &mut problems);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("stores.m.uri: must start with mongodb://"));
        assert!(problems[1].starts_with("stores.m.database_prefix: \"bad prefix\""));
        assert!(!problems.concat().contains("hunter2"), "{problems:?}");
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
