//! Captured changes in MongoDB, next to the backups' databases of the same store:
//!
//! ```text
//! database   <prefix>__changes        (backup databases are <prefix>_<backup id>)
//! collection <capture id>.<table>     one document per change record
//!   { _id: { shard, epoch, ts, row },  the record's shard + sequence: upserts are idempotent
//!     step, i,                         capture order: the step that stored it, its index
//!     at_us,                           commit time (µs), for pruning and point-in-time reads
//!     record }                         the captured record as JSON (exact, like a segment)
//!   index { step: 1, i: 1 }            ordered reads
//! collection checkpoints              one document per table: { _id: "<capture id>.<table>",
//!                                      step, checkpoint (JSON), captured_until_us }
//! ```
//!
//! A step's records are upserted first, its checkpoint (with the step number) last. Reads
//! return only records of committed steps, and a step starts by removing what an earlier,
//! uncommitted attempt of the same step number left: after a crash between records and
//! checkpoint, capture re-reads from the old checkpoint and stores those records once.
//! The record stays JSON text so a change reads back byte-for-byte what was captured (NaN
//! doubles, unsigned sequence fields), exactly as in an archive segment.

use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use bson::{doc, Bson, Document};
use futures::TryStreamExt;
use mongodb::{Collection, Database, IndexModel};

use super::{ChangeStore, ChangeStoreError};
use crate::capture::checkpoint::Checkpoint;
use crate::capture::segment::ChangeSegment;
use crate::capture::CapturedRecord;
use crate::store::mongo::{naming, MongoStore};

/// `<prefix>` + this names the database of captured changes. Backup ids never start with
/// `_`, so it never reads as a backup's database (and it carries no staging marker).
pub const CHANGES_DATABASE_SUFFIX: &str = "__changes";
const CHECKPOINTS: &str = "checkpoints";
/// Upserts per `update` command: well under MongoDB's 16 MiB message for records of a few KiB.
const UPSERT_BATCH: usize = 500;
const MAX_DATABASE_NAME_BYTES: usize = 63;

pub struct MongoChangeStore {
    store: MongoStore,
    database: Database,
    /// `<capture id>.<table>`: the records' collection and the checkpoint's `_id`.
    collection: String,
    indexed: AtomicBool,
}

fn stepped(step: i64) -> Bson {
    Bson::Int64(step)
}

impl MongoChangeStore {
    pub fn new(
        store: &MongoStore,
        capture_id: &str,
        table: &str,
    ) -> Result<Self, ChangeStoreError> {
        naming::validate_table(table)?;
        let bad_id = capture_id.is_empty() || capture_id.contains(['$', '.', '\0']);
        let database = format!("{}{CHANGES_DATABASE_SUFFIX}", store.prefix());
        if bad_id || database.len() > MAX_DATABASE_NAME_BYTES {
            return Err(ChangeStoreError::InvalidName(format!(
                "capture id '{capture_id}' or database '{database}'"
            )));
        }
        Ok(MongoChangeStore {
            database: store.durable_database(&database),
            store: store.clone(),
            collection: format!("{capture_id}.{table}"),
            indexed: AtomicBool::new(false),
        })
    }

    pub fn database_name(&self) -> &str {
        self.database.name()
    }

    pub fn collection_name(&self) -> &str {
        &self.collection
    }

    fn records_collection(&self) -> Collection<Document> {
        self.database.collection(&self.collection)
    }

    fn error(&self, what: &str, e: mongodb::error::Error) -> ChangeStoreError {
        self.store
            .driver_error(format!("{what} of {}", self.collection), e)
            .into()
    }

    fn corrupt(&self, detail: impl Into<String>) -> ChangeStoreError {
        ChangeStoreError::CorruptRecord {
            collection: self.collection.clone(),
            detail: detail.into(),
        }
    }

    /// The committed step number and checkpoint, if any step was committed.
    async fn committed(&self) -> Result<Option<(i64, Checkpoint)>, ChangeStoreError> {
        let found = self
            .database
            .collection::<Document>(CHECKPOINTS)
            .find_one(doc! { "_id": &self.collection })
            .await
            .map_err(|e| self.error("reading the checkpoint", e))?;
        let Some(found) = found else { return Ok(None) };
        let step = found
            .get_i64("step")
            .map_err(|e| self.corrupt(format!("checkpoint step: {e}")))?;
        let text = found
            .get_str("checkpoint")
            .map_err(|e| self.corrupt(format!("checkpoint: {e}")))?;
        let checkpoint =
            serde_json::from_str(text).map_err(|e| self.corrupt(format!("checkpoint: {e}")))?;
        Ok(Some((step, checkpoint)))
    }

    async fn ensure_index(&self) -> Result<(), ChangeStoreError> {
        if self.indexed.load(Ordering::Relaxed) {
            return Ok(());
        }
        let index = IndexModel::builder()
            .keys(doc! { "step": 1, "i": 1 })
            .build();
        self.records_collection()
            .create_index(index)
            .await
            .map_err(|e| self.error("creating the ordered-read index", e))?;
        self.indexed.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Upserts `records` as step `step` (keyed by shard + sequence): the first half of an
    /// append, public so a test can stop between it and [`Self::commit`] as a crash would.
    pub async fn write_records(
        &self,
        step: i64,
        chain: usize,
        records: &[CapturedRecord],
    ) -> Result<(), ChangeStoreError> {
        self.ensure_index().await?;
        // What an uncommitted attempt of this step left is not vouched for: gone first.
        self.records_collection()
            .delete_many(doc! { "step": { "$gte": stepped(step) } })
            .await
            .map_err(|e| self.error("removing uncommitted records", e))?;
        for (batch_number, batch) in records.chunks(UPSERT_BATCH).enumerate() {
            let mut updates = Vec::with_capacity(batch.len());
            for (offset, captured) in batch.iter().enumerate() {
                let sequence = &captured.record.sequence;
                let id = doc! {
                    "shard": &captured.shard_id,
                    "epoch": i64::from(sequence.epoch),
                    "ts": sequence.timestamp_us,
                    "row": i64::from(sequence.row_index),
                };
                let json = serde_json::to_string(captured)
                    .map_err(|e| self.corrupt(format!("encoding a record: {e}")))?;
                let i = (batch_number * UPSERT_BATCH + offset) as i64;
                let document = doc! {
                    "_id": id.clone(),
                    "step": stepped(step),
                    "i": i,
                    "chain": chain as i64,
                    "at_us": sequence.timestamp_us,
                    "record": json,
                };
                updates.push(doc! { "q": { "_id": id }, "u": document, "upsert": true });
            }
            let reply = self
                .database
                .run_command(doc! {
                    "update": &self.collection,
                    "updates": updates,
                    "ordered": true,
                    "writeConcern": { "w": "majority", "j": true },
                })
                .await
                .map_err(|e| self.error("storing change records", e))?;
            for field in ["writeErrors", "writeConcernError"] {
                if let Some(problem) = reply.get(field) {
                    return Err(ChangeStoreError::Mongo(crate::store::StoreError::Mongo {
                        context: format!("storing change records of {}", self.collection),
                        message: problem.to_string(),
                    }));
                }
            }
        }
        Ok(())
    }

    /// Stores the checkpoint of step `step`: from now on its records are committed.
    pub async fn commit(&self, step: i64, checkpoint: &Checkpoint) -> Result<(), ChangeStoreError> {
        let json = serde_json::to_string(checkpoint)
            .map_err(|e| self.corrupt(format!("encoding the checkpoint: {e}")))?;
        let document = doc! {
            "_id": &self.collection,
            "step": stepped(step),
            "checkpoint": json,
            "captured_until_us": checkpoint.captured_until_us,
        };
        self.database
            .collection::<Document>(CHECKPOINTS)
            .replace_one(doc! { "_id": &self.collection }, document)
            .upsert(true)
            .await
            .map_err(|e| self.error("storing the checkpoint", e))?;
        Ok(())
    }

    /// The committed records matching `filter`, in capture order.
    async fn committed_records(
        &self,
        mut filter: Document,
    ) -> Result<Vec<CapturedRecord>, ChangeStoreError> {
        let Some((committed, _)) = self.committed().await? else {
            return Ok(Vec::new());
        };
        filter.insert("step", doc! { "$lte": stepped(committed) });
        let cursor = self
            .records_collection()
            .find(filter)
            .sort(doc! { "step": 1, "i": 1 })
            .await
            .map_err(|e| self.error("reading change records", e))?;
        let documents: Vec<Document> = cursor
            .try_collect()
            .await
            .map_err(|e| self.error("reading change records", e))?;
        documents
            .iter()
            .map(|document| {
                let text = document
                    .get_str("record")
                    .map_err(|e| self.corrupt(format!("record {:?}: {e}", document.get("_id"))))?;
                serde_json::from_str(text)
                    .map_err(|e| self.corrupt(format!("record {:?}: {e}", document.get("_id"))))
            })
            .collect()
    }

    /// The step number the next append gets.
    pub async fn next_step(&self) -> Result<i64, ChangeStoreError> {
        Ok(self.committed().await?.map_or(1, |(step, _)| step + 1))
    }
}

#[async_trait]
impl ChangeStore for MongoChangeStore {
    async fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, ChangeStoreError> {
        Ok(self.committed().await?.map(|(_, checkpoint)| checkpoint))
    }

    async fn append(&self, segment: ChangeSegment) -> Result<(), ChangeStoreError> {
        let step = self.next_step().await?;
        let chain = segment.checkpoint.gaps.len();
        self.write_records(step, chain, &segment.records).await?;
        self.commit(step, &segment.checkpoint).await
    }

    async fn records(&self) -> Result<Vec<CapturedRecord>, ChangeStoreError> {
        self.committed_records(doc! {}).await
    }

    async fn chain_records(&self, chain: usize) -> Result<Vec<CapturedRecord>, ChangeStoreError> {
        self.committed_records(doc! { "chain": chain as i64 }).await
    }

    async fn chain_records_until(
        &self,
        chain: usize,
        until_us: i64,
    ) -> Result<Vec<CapturedRecord>, ChangeStoreError> {
        self.committed_records(doc! { "chain": chain as i64, "at_us": { "$lte": until_us } })
            .await
    }

    async fn mark_captured_until(&self, until_us: i64) -> Result<(), ChangeStoreError> {
        // Only beside a committed checkpoint (no upsert): the mark vouches for nothing alone.
        self.database
            .collection::<Document>(CHECKPOINTS)
            .update_one(
                doc! { "_id": &self.collection },
                doc! { "$max": { "idle_until_us": until_us } },
            )
            .await
            .map_err(|e| self.error("storing the captured-until mark", e))?;
        Ok(())
    }

    async fn captured_until_us(&self) -> Result<Option<i64>, ChangeStoreError> {
        let found = self
            .database
            .collection::<Document>(CHECKPOINTS)
            .find_one(doc! { "_id": &self.collection })
            .await
            .map_err(|e| self.error("reading the checkpoint", e))?;
        let Some(found) = found else { return Ok(None) };
        let stepped = self
            .committed()
            .await?
            .and_then(|(_, checkpoint)| checkpoint.captured_until_us);
        let idle = found.get_i64("idle_until_us").ok();
        Ok(stepped.max(idle))
    }

    async fn prune_before(&self, before_us: i64) -> Result<u64, ChangeStoreError> {
        let deleted = self
            .records_collection()
            .delete_many(doc! { "at_us": { "$lt": before_us } })
            .await
            .map_err(|e| self.error("pruning change records", e))?;
        Ok(deleted.deleted_count)
    }
}
