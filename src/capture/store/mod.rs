//! Where captured changes are kept: the [`ChangeStore`] seam and its two homes, chosen from
//! the kind of the schedule's store (its base backups' store), so changes live next to the
//! bases they extend.
//!
//! - `archive`: change segments under `<archive root>/.changes/<capture id>/<table>/`,
//!   sealed (`sealed`) when the archive store encrypts its backups.
//! - `mongo`: a collection of change records per table in the `<prefix>__changes` database
//!   (docs/mongodb-mapping.md, "Captured changes").
//!
//! Every implementation keeps one promise: records and the checkpoint after them are
//! committed together as far as a crash can tell, so capture resumes exactly after the last
//! committed record (nothing lost, nothing twice) and [`ChangeStore::records`] never returns
//! a record the stored checkpoint does not vouch for.

mod archive;
mod mongo;
mod sealed;

use std::sync::Arc;

use async_trait::async_trait;

use super::checkpoint::Checkpoint;
use super::segment::{ChangeSegment, ChangeSegmentError};
use super::CapturedRecord;
use crate::config::StoreConfig;
use crate::store::encryption::EncryptionError;
use crate::store::StoreError;

pub use archive::{ArchiveChangeStore, CHANGES_DIR};
pub use mongo::{MongoChangeStore, CHANGES_DATABASE_SUFFIX};
pub use sealed::SEALED_MAGIC;

#[derive(Debug, thiserror::Error)]
pub enum ChangeStoreError {
    #[error(transparent)]
    Segment(#[from] ChangeSegmentError),
    #[error(transparent)]
    Mongo(#[from] StoreError),
    #[error("corrupt change record in {collection}: {detail}")]
    CorruptRecord { collection: String, detail: String },
    #[error("invalid change store name: {0}")]
    InvalidName(String),
    #[error("continuous capture cannot store changes in store '{store}': it is a {kind} store (archive and mongodb stores hold changes)")]
    Unsupported { store: String, kind: &'static str },
    #[error("{0}")]
    Refused(String),
    #[error("the encryption keys of store '{store}': {source}")]
    Keys {
        store: String,
        #[source]
        source: EncryptionError,
    },
    #[error("change store task failed: {0}")]
    Join(String),
}

/// The captured changes of one table of one capture (a continuous schedule).
#[async_trait]
pub trait ChangeStore: Send + Sync {
    /// The checkpoint committed with the newest records: where capture continues.
    async fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, ChangeStoreError>;

    /// Commits the segment's records, then its checkpoint. A crash midway leaves the previous
    /// checkpoint in force and no record it does not vouch for visible.
    async fn append(&self, segment: ChangeSegment) -> Result<(), ChangeStoreError>;

    /// Every committed record in capture order (per shard in log order, parents before
    /// children): the order replay needs.
    async fn records(&self) -> Result<Vec<CapturedRecord>, ChangeStoreError>;

    /// The committed records of chain `chain` (the records stored while the checkpoint knew
    /// exactly `chain` gaps: the changes between the `chain`-th gap and the next), in capture
    /// order. A point-in-time restore replays the chain its base backup started in.
    async fn chain_records(&self, chain: usize) -> Result<Vec<CapturedRecord>, ChangeStoreError>;

    /// The records of chain `chain` committed at or before `until_us`, in capture order: what
    /// a restore to that instant replays. Stores override it to leave the later records
    /// unread, so a restore's memory grows with the changes it replays only.
    async fn chain_records_until(
        &self,
        chain: usize,
        until_us: i64,
    ) -> Result<Vec<CapturedRecord>, ChangeStoreError> {
        let mut records = self.chain_records(chain).await?;
        records.retain(|r| r.record.sequence.timestamp_us <= until_us);
        Ok(records)
    }

    /// Records that every change committed before `until_us` is stored: an idle step stores
    /// no records, but moves what a restore may reach.
    async fn mark_captured_until(&self, until_us: i64) -> Result<(), ChangeStoreError>;

    /// Every change committed before this instant (µs) is stored: the newer of the
    /// checkpoint's `captured_until_us` and the idle mark.
    async fn captured_until_us(&self) -> Result<Option<i64>, ChangeStoreError>;

    /// Removes records committed before `before_us` that no kept base backup can replay
    /// (retention, see `runs::change_pruning`). The checkpoint is always kept. Returns how
    /// many records were removed.
    async fn prune_before(&self, before_us: i64) -> Result<u64, ChangeStoreError>;
}

/// Why continuous capture cannot keep changes in store `name`, if it cannot: only archive and
/// mongodb stores hold changes (an archive store that encrypts its backups seals its change
/// segments with the same keys). The API, `config check` and the daemon's capture loops all
/// ask here.
pub fn change_storage_refusal(name: &str, config: &StoreConfig) -> Option<String> {
    match config {
        StoreConfig::Archive(_) | StoreConfig::Mongodb(_) => None,
        other => Some(format!(
            "continuous mode needs an archive or mongodb store: store '{name}' is a {} store",
            other.kind()
        )),
    }
}

/// The change store of `table` for `capture_id` (the schedule id) in the store configured as
/// `store_name`. MongoDB connects lazily: an unreachable server shows in the first operation.
/// An archive store's key files are read here: its segments are sealed with its keys.
pub async fn open_change_store(
    store_name: &str,
    config: &StoreConfig,
    capture_id: &str,
    table: &str,
) -> Result<Arc<dyn ChangeStore>, ChangeStoreError> {
    if let Some(reason) = change_storage_refusal(store_name, config) {
        return Err(ChangeStoreError::Refused(reason));
    }
    match config {
        StoreConfig::Archive(archive) => {
            let keys = archive.keyring().map_err(|source| ChangeStoreError::Keys {
                store: store_name.to_string(),
                source,
            })?;
            Ok(Arc::new(
                ArchiveChangeStore::new(&archive.path, capture_id, table)
                    .map_err(ChangeStoreError::InvalidName)?
                    .with_keys(keys),
            ))
        }
        StoreConfig::Mongodb(mongo) => {
            let store = crate::store::mongo::MongoStore::connect(mongo).await?;
            Ok(Arc::new(MongoChangeStore::new(&store, capture_id, table)?))
        }
        other => Err(ChangeStoreError::Unsupported {
            store: store_name.to_string(),
            kind: other.kind(),
        }),
    }
}
