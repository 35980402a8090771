//! Reading a published backup back: a cursor per table, decoded batch by batch.

use std::sync::Arc;

use async_trait::async_trait;
use bson::{doc, Document};
use futures::{StreamExt, TryStreamExt};
use mongodb::Database;

use super::{connection::Connection, mapping, naming};
use crate::store::{BackupReader, Manifest, RowBatches, StoreError};
use crate::tablestore::Row;

/// Rows per batch handed to the engine, and documents per cursor round trip: memory stays flat
/// whatever the table size.
pub const READ_BATCH_ROWS: usize = 1000;

pub struct MongoBackupReader {
    conn: Arc<Connection>,
    manifest: Manifest,
    database: Database,
}

impl MongoBackupReader {
    pub fn new(conn: Arc<Connection>, manifest: Manifest, database: Database) -> Self {
        MongoBackupReader {
            conn,
            manifest,
            database,
        }
    }
}

#[async_trait]
impl BackupReader for MongoBackupReader {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    async fn read_table(&self, table: &str) -> Result<RowBatches, StoreError> {
        let backup = self.manifest.backup_id.clone();
        if self.manifest.table(table).is_none() {
            return Err(StoreError::TableNotFound {
                backup,
                table: table.to_owned(),
            });
        }
        naming::validate_table(table)?;
        // A table without rows has no collection; the cursor is then simply empty.
        let cursor = self
            .database
            .collection::<Document>(table)
            .find(doc! {})
            .batch_size(READ_BATCH_ROWS as u32)
            .await
            .map_err(|e| {
                self.conn
                    .error(format!("reading {table} from backup {backup}"), e)
            })?;
        let conn = Arc::clone(&self.conn);
        let table = table.to_owned();
        let batches = cursor
            .map_err(move |e| conn.error(format!("reading {table} from backup"), e))
            .chunks(READ_BATCH_ROWS)
            .map(move |chunk| decode_batch(&backup, chunk));
        Ok(batches.boxed())
    }
}

fn decode_batch(
    backup: &str,
    documents: Vec<Result<Document, StoreError>>,
) -> Result<Vec<Row>, StoreError> {
    documents
        .into_iter()
        .map(|document| {
            let document = document?;
            mapping::document_to_row(&document).map_err(|e| StoreError::Corrupt {
                backup: backup.to_owned(),
                detail: format!("document {:?}: {e}", document.get(mapping::ID)),
            })
        })
        .collect()
}
