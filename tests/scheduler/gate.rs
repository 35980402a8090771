//! A store wrapper that holds `create` until the test opens the gate: a run that stays
//! "running" exactly as long as a test wants, with no sleeps. Everything else goes straight
//! to the real archive store.

use std::sync::Arc;

use async_trait::async_trait;
use tablevault::store::{BackupReader, BackupStore, Manifest, StagedBackup, StoreError};
use tokio::sync::watch;

/// Open or closed; clones share the state.
#[derive(Clone)]
pub struct Gate(pub Arc<watch::Sender<bool>>);

impl Gate {
    pub fn open(&self) {
        self.0.send_replace(true);
    }

    pub fn close(&self) {
        self.0.send_replace(false);
    }
}

pub struct GatedStore {
    pub inner: Arc<dyn BackupStore>,
    pub gate: Gate,
}

#[async_trait]
impl BackupStore for GatedStore {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
    async fn healthcheck(&self) -> Result<(), StoreError> {
        self.inner.healthcheck().await
    }
    async fn create(&self, backup_id: &str) -> Result<Arc<dyn StagedBackup>, StoreError> {
        let mut open = self.gate.0.subscribe();
        let _ = open.wait_for(|open| *open).await;
        self.inner.create(backup_id).await
    }
    async fn resume(&self, backup_id: &str) -> Result<Arc<dyn StagedBackup>, StoreError> {
        self.inner.resume(backup_id).await
    }
    async fn staged(&self) -> Result<Vec<String>, StoreError> {
        self.inner.staged().await
    }
    async fn list(&self) -> Result<Vec<Manifest>, StoreError> {
        self.inner.list().await
    }
    async fn open(&self, backup_id: &str) -> Result<Arc<dyn BackupReader>, StoreError> {
        self.inner.open(backup_id).await
    }
    async fn delete(&self, backup_id: &str) -> Result<(), StoreError> {
        self.inner.delete(backup_id).await
    }
}
