//! Backup stores: where backups live. One trait, three implementations: the local `archive`
//! directory (embedded default), `mongodb` (one database per backup) and `s3` (the archive
//! format in an S3-compatible bucket).
//!
//! A backup is written *staged*: invisible to [`BackupStore::list`] and [`BackupStore::open`]
//! until [`StagedBackup::publish`] writes its manifest. A failed or cancelled backup is aborted,
//! which removes its partial data; leftovers of a crashed process are found by
//! [`BackupStore::staged`] and either resumed ([`BackupStore::resume`]) or removed
//! ([`BackupStore::delete`]).
//!
//! Rows of one table arrive split in key ranges (from ComputeSplitPointsBySize). Ranges are
//! written in parallel; the batches of one range arrive in key order. After each batch the store
//! records the range's checkpoint (the last key durably written) together with an opaque `state`
//! string from the engine (the range's running checksum and a "range done" flag), so an
//! interrupted backup resumes each range after its checkpoint instead of starting over, and still
//! knows the checksum of the rows written before the interruption. The engine's plan (tables and
//! their split ranges) is saved with [`StagedBackup::save_plan`] so a resumed backup scans exactly
//! the same ranges.

pub mod archive;
pub mod checksum;
pub mod encoded_rows;
pub mod encryption;
pub mod error;
pub mod manifest;
pub mod mongo;
mod open;
pub mod s3;
pub(crate) mod staged_ranges;

use std::sync::Arc;

use async_trait::async_trait;
use futures::stream::BoxStream;

pub use archive::{ArchiveStore, ArchiveStoreConfig};
pub use checksum::TableChecksum;
pub use encoded_rows::EncodedRows;
pub use error::StoreError;
pub use manifest::{Manifest, SourceInfo, TableManifest, FORMAT_VERSION};
pub use open::open;

use crate::tablestore::{PrimaryKey, Row};

/// A stream of row batches read back from a backup.
pub type RowBatches = BoxStream<'static, Result<Vec<Row>, StoreError>>;

#[async_trait]
pub trait BackupStore: Send + Sync + 'static {
    /// `archive`, `mongodb` or `s3`: for logs, metrics labels and the catalog.
    fn kind(&self) -> &'static str;

    /// Cheap reachability check (readiness probes, start-up).
    async fn healthcheck(&self) -> Result<(), StoreError>;

    /// Starts a new staged backup. Fails with [`StoreError::AlreadyExists`] if the id is taken.
    async fn create(&self, backup_id: &str) -> Result<Arc<dyn StagedBackup>, StoreError>;

    /// Reopens a staged (unpublished) backup to continue writing after its checkpoints.
    async fn resume(&self, backup_id: &str) -> Result<Arc<dyn StagedBackup>, StoreError>;

    /// Ids of staged backups that were never published nor aborted (a crashed process).
    async fn staged(&self) -> Result<Vec<String>, StoreError>;

    /// Manifests of every published backup, oldest first.
    async fn list(&self) -> Result<Vec<Manifest>, StoreError>;

    /// Opens a published backup for reading. [`StoreError::NotFound`] if there is none.
    async fn open(&self, backup_id: &str) -> Result<Arc<dyn BackupReader>, StoreError>;

    /// Deletes a backup, published or staged. Deleting a missing backup is
    /// [`StoreError::NotFound`].
    async fn delete(&self, backup_id: &str) -> Result<(), StoreError>;
}

/// Where a range of a staged backup stands: the last key durably written and the engine's state
/// stored atomically with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeCheckpoint {
    pub last_key: PrimaryKey,
    pub state: String,
}

#[async_trait]
pub trait StagedBackup: Send + Sync {
    fn backup_id(&self) -> &str;

    /// Durably writes one batch of `table`'s split range `range` (0-based) and moves that range's
    /// checkpoint to the batch's last key, storing `state` atomically with it: after a crash the
    /// checkpoint and its state describe the same rows. Batches of one range come in key order.
    /// Writing the same batch twice (a retry after an error) must not duplicate rows. An empty
    /// batch writes nothing and leaves the checkpoint as it is.
    ///
    /// Encodes the rows and calls [`Self::write_encoded_rows`], the one write every store
    /// implements.
    async fn write_rows(
        &self,
        table: &str,
        range: u32,
        rows: &[Row],
        state: &str,
    ) -> Result<(), StoreError> {
        self.write_encoded_rows(table, range, &EncodedRows::new(rows), state)
            .await
    }

    /// [`Self::write_rows`] for a batch whose canonical encodings the caller already made (the
    /// engine does, for its checksum). A store that keeps PlainBuffer (archive, s3) writes
    /// those bytes instead of encoding the rows a second time; the others read `batch.rows()`.
    async fn write_encoded_rows(
        &self,
        table: &str,
        range: u32,
        batch: &EncodedRows<'_>,
        state: &str,
    ) -> Result<(), StoreError>;

    /// The last key durably written for this range and the state stored with it, if any.
    async fn checkpoint(
        &self,
        table: &str,
        range: u32,
    ) -> Result<Option<RangeCheckpoint>, StoreError>;

    /// Durably stores the engine's plan (an opaque document), replacing any previous one.
    async fn save_plan(&self, plan: &str) -> Result<(), StoreError>;

    /// The plan saved by [`Self::save_plan`], if any.
    async fn load_plan(&self) -> Result<Option<String>, StoreError>;

    /// Makes the backup visible: writes the manifest last. After this the backup is restorable.
    async fn publish(&self, manifest: &Manifest) -> Result<(), StoreError>;

    /// Throws the staged data away.
    async fn abort(&self) -> Result<(), StoreError>;
}

#[async_trait]
pub trait BackupReader: Send + Sync {
    fn manifest(&self) -> &Manifest;

    /// Every row of `table` in batches (any order). [`StoreError::NotFound`] for a table the
    /// backup does not hold. Corrupted data is an error, never a silently wrong row.
    async fn read_table(&self, table: &str) -> Result<RowBatches, StoreError>;
}
