//! The store factory: a configured store, opened behind the [`BackupStore`] trait.

use std::sync::Arc;

use super::mongo::{MongoStore, MongoStoreConfig};
use super::{ArchiveStore, ArchiveStoreConfig, BackupStore, StoreError};
use crate::config::StoreConfig;

/// Opens the store `config` describes. An archive directory is created if missing; a MongoDB
/// store connects lazily (an unreachable server shows up on first use).
pub async fn open(config: &StoreConfig) -> Result<Arc<dyn BackupStore>, StoreError> {
    match config {
        StoreConfig::Archive(settings) => {
            let store = ArchiveStore::open(ArchiveStoreConfig::from(settings)).await?;
            Ok(Arc::new(store))
        }
        StoreConfig::Mongodb(settings) => {
            let store = MongoStore::connect(&MongoStoreConfig::from_settings(settings)?).await?;
            Ok(Arc::new(store))
        }
    }
}
