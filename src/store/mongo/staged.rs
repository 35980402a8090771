//! A backup being written: rows go to one collection per table, checkpoints and finally the
//! manifest to the metadata collection.

use std::{future::IntoFuture, sync::Arc};

use async_trait::async_trait;
use bson::{doc, Bson, Document, RawDocumentBuf};
use futures::{future, stream, StreamExt, TryStreamExt};
use mongodb::{options::ReplaceOptions, Database};
use tracing::debug;

use super::insert::{self, InsertFailure};
use super::{connection::Connection, mapping, metadata, naming, raw_document};
use crate::store::{EncodedRows, Manifest, RangeCheckpoint, StagedBackup, StoreError};
use crate::tablestore::Row;

/// Replaces in flight at once when a retried batch meets rows that are already stored.
const REPLACE_CONCURRENCY: usize = 16;

/// Rows encoded and inserted together at most. A batch is written a group at a time, so its
/// BSON is never all in memory at once: the memory a writer holds beside its rows stays that of
/// one group (about 0.5 MB of ~500-byte documents) however large `engine.batch_rows` is.
const ROWS_PER_INSERT: usize = 1000;

pub struct MongoStagedBackup {
    conn: Arc<Connection>,
    backup_id: String,
    database: Database,
}

impl MongoStagedBackup {
    pub fn new(conn: Arc<Connection>, backup_id: String, database: Database) -> Self {
        MongoStagedBackup {
            conn,
            backup_id,
            database,
        }
    }

    /// Encodes `rows` and inserts them (see [`Self::insert_or_replace`]).
    async fn insert_group(&self, table: &str, range: u32, rows: &[Row]) -> Result<(), StoreError> {
        let documents = rows
            .iter()
            .map(|row| raw_document::row_to_raw_document(row, range))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.unstorable(table, e.to_string()))?;
        self.insert_or_replace(table, documents).await
    }

    /// Inserts the documents; those already present (a retried batch, or a range resumed after
    /// a crash between the write and its checkpoint) are replaced instead, so a retry never
    /// duplicates a row and the newest read of a row wins.
    async fn insert_or_replace(
        &self,
        table: &str,
        documents: Vec<RawDocumentBuf>,
    ) -> Result<(), StoreError> {
        let collection = self.database.collection::<RawDocumentBuf>(table);
        let context = || format!("writing rows of {table} to backup {}", self.backup_id);
        let existing = match insert::insert_documents(&self.database, table, &documents).await {
            Ok(duplicates) if duplicates.is_empty() => return Ok(()),
            Ok(duplicates) => duplicates,
            Err(InsertFailure::Driver(e)) => return Err(self.conn.error(context(), e)),
            Err(InsertFailure::Refused(message)) => {
                return Err(StoreError::Mongo {
                    context: context(),
                    message,
                })
            }
        };
        debug!(
            backup_id = %self.backup_id,
            table,
            rows = existing.len(),
            "Rows already present; replacing them."
        );
        // One replace per present row, a few at a time: rare (retries only), so simplicity
        // beats a single bulk command that would need size-splitting.
        let replaces: Vec<_> = existing
            .iter()
            .filter_map(|&i| documents.get(i))
            .map(|document| {
                let id = document
                    .get(mapping::ID)
                    .ok()
                    .flatten()
                    .and_then(|id| Bson::try_from(id.to_raw_bson()).ok())
                    .unwrap_or(Bson::Null);
                collection
                    .replace_one(doc! { mapping::ID: id }, document)
                    .with_options(ReplaceOptions::builder().upsert(true).build())
                    .into_future()
            })
            .collect();
        stream::iter(replaces)
            .buffer_unordered(REPLACE_CONCURRENCY)
            .try_for_each(|_| future::ready(Ok(())))
            .await
            .map_err(|e| self.conn.error(context(), e))
    }

    /// A last guard before the backup becomes visible: each collection holds exactly the
    /// number of rows the manifest promises (no duplicates, nothing missing).
    async fn verify_row_counts(&self, manifest: &Manifest) -> Result<(), StoreError> {
        for table in &manifest.tables {
            let name = &table.description.name;
            naming::validate_table(name)?;
            let stored = self
                .database
                .collection::<Document>(name)
                .count_documents(doc! {})
                .await
                .map_err(|e| self.conn.error(format!("counting rows of {name}"), e))?;
            if stored != table.rows {
                return Err(StoreError::Corrupt {
                    backup: self.backup_id.clone(),
                    detail: format!(
                        "table {name} holds {stored} rows but the manifest says {}",
                        table.rows
                    ),
                });
            }
        }
        Ok(())
    }

    fn unstorable(&self, table: &str, detail: String) -> StoreError {
        StoreError::Mongo {
            context: format!("row of {table} in backup {}", self.backup_id),
            message: detail,
        }
    }
}

#[async_trait]
impl StagedBackup for MongoStagedBackup {
    fn backup_id(&self) -> &str {
        &self.backup_id
    }

    /// The rows' PlainBuffer encodings are not used: MongoDB stores documents.
    async fn write_encoded_rows(
        &self,
        table: &str,
        range: u32,
        batch: &EncodedRows<'_>,
        state: &str,
    ) -> Result<(), StoreError> {
        let rows = batch.rows();
        naming::validate_table(table)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        for group in rows.chunks(ROWS_PER_INSERT) {
            self.insert_group(table, range, group).await?;
        }
        // Only after the rows are durable: a checkpoint must never point past unwritten rows.
        // Key and engine state share one document, so they are replaced together; rows past
        // the checkpoint (a crash before it) are re-read on resume and replaced, not added.
        let checkpoint = RangeCheckpoint {
            last_key: last.primary_key.clone(),
            state: state.to_owned(),
        };
        metadata::save_checkpoint(&self.conn, &self.database, table, range, &checkpoint).await
    }

    async fn checkpoint(
        &self,
        table: &str,
        range: u32,
    ) -> Result<Option<RangeCheckpoint>, StoreError> {
        naming::validate_table(table)?;
        metadata::load_checkpoint(&self.conn, &self.database, &self.backup_id, table, range).await
    }

    async fn save_plan(&self, plan: &str) -> Result<(), StoreError> {
        metadata::save_plan(&self.conn, &self.database, &self.backup_id, plan).await
    }

    async fn load_plan(&self) -> Result<Option<String>, StoreError> {
        metadata::load_plan(&self.conn, &self.database, &self.backup_id).await
    }

    async fn publish(&self, manifest: &Manifest) -> Result<(), StoreError> {
        if manifest.backup_id != self.backup_id {
            return Err(StoreError::Corrupt {
                backup: self.backup_id.clone(),
                detail: format!("manifest is for backup {}", manifest.backup_id),
            });
        }
        self.verify_row_counts(manifest).await?;
        metadata::publish(&self.conn, &self.database, manifest).await
    }

    async fn abort(&self) -> Result<(), StoreError> {
        self.database.drop().await.map_err(|e| {
            self.conn
                .error(format!("aborting backup {}", self.backup_id), e)
        })
    }
}
