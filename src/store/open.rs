//! The store factory: a configured store, opened behind the [`BackupStore`] trait.

use std::sync::Arc;

use super::mongo::MongoStore;
use super::s3::S3Store;
use super::{ArchiveStore, BackupStore, StoreError};
use crate::config::StoreConfig;

/// Opens the store `config` describes. An archive directory is created if missing; a MongoDB
/// or S3 store connects lazily (an unreachable server shows up on first use).
pub async fn open(config: &StoreConfig) -> Result<Arc<dyn BackupStore>, StoreError> {
    match config {
        StoreConfig::Archive(settings) => {
            let store = ArchiveStore::open(settings.clone()).await?;
            Ok(Arc::new(store))
        }
        StoreConfig::Mongodb(settings) => {
            let store = MongoStore::connect(settings).await?;
            Ok(Arc::new(store))
        }
        StoreConfig::S3(settings) => Ok(Arc::new(S3Store::new(settings)?)),
    }
}
