//! `[stores.NAME]`: where backups go.

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The store that always exists unless the file redefines it.
pub const DEFAULT_STORE: &str = "local";

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum StoreConfig {
    /// A local directory (the embedded default).
    Archive(ArchiveSettings),
    /// A MongoDB deployment: one database per backup.
    Mongodb(MongoSettings),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveSettings {
    pub path: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MongoSettings {
    /// A MongoDB connection string; may hold credentials, so it is kept secret. May come from
    /// `TABLEVAULT_STORE_<NAME>_URI` instead.
    #[serde(default)]
    pub uri: Option<SecretString>,
    /// Backup databases are named `<prefix>_<backup id>`.
    #[serde(default = "default_prefix")]
    pub database_prefix: String,
}

fn default_prefix() -> String {
    "tablevault".to_string()
}

impl StoreConfig {
    pub fn kind(&self) -> &'static str {
        match self {
            StoreConfig::Archive(_) => "archive",
            StoreConfig::Mongodb(_) => "mongodb",
        }
    }

    pub(super) fn validate(&self, name: &str, problems: &mut Vec<String>) {
        let at = format!("stores.{name}");
        match self {
            StoreConfig::Archive(a) => {
                if a.path.as_os_str().is_empty() {
                    problems.push(format!("{at}.path: must not be empty"));
                }
            }
            StoreConfig::Mongodb(m) => {
                match &m.uri {
                    None => problems.push(format!(
                        "{at}.uri: missing (set it or {})",
                        super::env::store_var(name, "URI")
                    )),
                    Some(uri) => {
                        let uri = uri.expose_secret();
                        if !(uri.starts_with("mongodb://") || uri.starts_with("mongodb+srv://")) {
                            problems.push(format!(
                                "{at}.uri: must start with mongodb:// or mongodb+srv://"
                            ));
                        }
                    }
                }
                let valid_prefix = !m.database_prefix.is_empty()
                    && m.database_prefix.len() <= 20
                    && m.database_prefix
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if !valid_prefix {
                    problems.push(format!(
                        "{at}.database_prefix: {:?} must be 1–20 characters of A-Z a-z 0-9 _ -",
                        m.database_prefix
                    ));
                }
            }
        }
    }
}
