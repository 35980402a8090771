//! `[stores.NAME]`: where backups go. Each kind's section is the store's own config type
//! (`store/<kind>/config.rs`); this file only tags them by `kind` and adds what concerns the
//! file as a whole: the default store and secrets that may come from the environment.
//!
//! A new kind is one variant here, one arm in [`StoreConfig::kind`] and
//! [`StoreConfig::validate`], one in `store::open`, and its env-overridable keys in `env.rs`.

use serde::Deserialize;

use crate::store::mongo::MongoStoreConfig;
use crate::store::s3::S3StoreConfig;
use crate::store::ArchiveStoreConfig;

/// The store that always exists unless the file redefines it.
pub const DEFAULT_STORE: &str = "local";

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum StoreConfig {
    /// A local directory (the embedded default).
    Archive(ArchiveStoreConfig),
    /// A MongoDB deployment: one database per backup.
    Mongodb(MongoStoreConfig),
    /// An S3-compatible bucket (OSS, S3, MinIO): the archive format under a prefix.
    S3(S3StoreConfig),
}

impl StoreConfig {
    pub fn kind(&self) -> &'static str {
        match self {
            StoreConfig::Archive(_) => "archive",
            StoreConfig::Mongodb(_) => "mongodb",
            StoreConfig::S3(_) => "s3",
        }
    }

    pub(super) fn validate(&self, name: &str, problems: &mut Vec<String>) {
        let at = format!("stores.{name}");
        match self {
            StoreConfig::Archive(archive) => archive.validate(&at, problems),
            StoreConfig::Mongodb(mongo) => {
                if mongo.uri.is_none() {
                    problems.push(format!(
                        "{at}.uri: missing (set it or {})",
                        super::env::store_var(name, "URI")
                    ));
                }
                mongo.validate(&at, problems);
            }
            StoreConfig::S3(s3) => {
                if s3.secret_access_key.is_none() {
                    problems.push(format!(
                        "{at}.secret_access_key: missing (set it or {})",
                        super::env::store_var(name, "SECRET_ACCESS_KEY")
                    ));
                }
                s3.validate(&at, problems);
            }
        }
    }
}
