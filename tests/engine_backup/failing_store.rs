//! A real archive store with injected failures: from the Nth write to one range on, a number
//! of consecutive write attempts fail, as a full disk or a lost MongoDB primary would.
//! Everything else goes to the archive.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use tablevault::store::{
    ArchiveStore, BackupReader, BackupStore, EncodedRows, Manifest, RangeCheckpoint, StagedBackup,
    StoreError,
};

pub struct FailingStore {
    pub inner: Arc<ArchiveStore>,
    pub table: &'static str,
    pub range: u32,
    /// 1-based: the first write attempt to that range that fails.
    pub batch: u32,
    /// How many attempts in a row fail from there on (the engine retries transient errors).
    pub failures: u32,
    /// The error each failed attempt returns.
    pub error: fn() -> StoreError,
    /// Write attempts made to that range so far (shared with the staged backup).
    pub attempts: Arc<AtomicU32>,
}

impl FailingStore {
    /// Fails the `batch`th write to `table` range `range` once, as unreachable.
    pub fn once(inner: Arc<ArchiveStore>, table: &'static str, range: u32, batch: u32) -> Self {
        FailingStore {
            inner,
            table,
            range,
            batch,
            failures: 1,
            error: || StoreError::Unreachable("injected write failure".into()),
            attempts: Arc::default(),
        }
    }
}

struct FailingStaged {
    inner: Arc<dyn StagedBackup>,
    table: &'static str,
    range: u32,
    failing: std::ops::Range<u32>,
    error: fn() -> StoreError,
    attempts: Arc<AtomicU32>,
}

#[async_trait]
impl BackupStore for FailingStore {
    fn kind(&self) -> &'static str {
        "failing-archive"
    }
    async fn healthcheck(&self) -> Result<(), StoreError> {
        self.inner.healthcheck().await
    }
    async fn create(&self, backup_id: &str) -> Result<Arc<dyn StagedBackup>, StoreError> {
        Ok(Arc::new(FailingStaged {
            inner: self.inner.create(backup_id).await?,
            table: self.table,
            range: self.range,
            failing: self.batch..self.batch + self.failures,
            error: self.error,
            attempts: self.attempts.clone(),
        }))
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

#[async_trait]
impl StagedBackup for FailingStaged {
    fn backup_id(&self) -> &str {
        self.inner.backup_id()
    }
    async fn write_encoded_rows(
        &self,
        table: &str,
        range: u32,
        batch: &EncodedRows<'_>,
        state: &str,
    ) -> Result<(), StoreError> {
        if table == self.table
            && range == self.range
            && self
                .failing
                .contains(&(self.attempts.fetch_add(1, Ordering::SeqCst) + 1))
        {
            return Err((self.error)());
        }
        self.inner
            .write_encoded_rows(table, range, batch, state)
            .await
    }
    async fn checkpoint(
        &self,
        table: &str,
        range: u32,
    ) -> Result<Option<RangeCheckpoint>, StoreError> {
        self.inner.checkpoint(table, range).await
    }
    async fn save_plan(&self, plan: &str) -> Result<(), StoreError> {
        self.inner.save_plan(plan).await
    }
    async fn load_plan(&self) -> Result<Option<String>, StoreError> {
        self.inner.load_plan().await
    }
    async fn publish(&self, manifest: &Manifest) -> Result<(), StoreError> {
        self.inner.publish(manifest).await
    }
    async fn abort(&self) -> Result<(), StoreError> {
        self.inner.abort().await
    }
}
