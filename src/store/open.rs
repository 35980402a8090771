//! The store factory: a configured store, opened behind the [`BackupStore`] trait.

use std::sync::Arc;

use super::{ArchiveStore, ArchiveStoreConfig, BackupStore, StoreError};
use crate::config::StoreConfig;

/// Opens the store `config` describes. An archive directory is created if missing.
pub async fn open(config: &StoreConfig) -> Result<Arc<dyn BackupStore>, StoreError> {
    match config {
        StoreConfig::Archive(settings) => {
            let store = ArchiveStore::open(ArchiveStoreConfig::from(settings)).await?;
            Ok(Arc::new(store))
        }
        // The MongoDB store is not merged yet; this arm becomes `MongoStore::connect`.
        StoreConfig::Mongodb(_) => Err(StoreError::Unreachable(
            "MongoDB stores are not available in this build".to_string(),
        )),
    }
}
