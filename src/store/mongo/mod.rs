//! `mongodb` backup store: one database per backup, one collection per table, the staging
//! marker, checkpoints and manifest in a metadata collection. See docs/mongodb-mapping.md.

mod config;
mod connection;
pub mod insert;
pub mod mapping;
mod metadata;
pub mod naming;
pub mod raw_document;
mod reader;
mod staged;

use std::sync::Arc;

use async_trait::async_trait;
use bson::doc;
use tracing::info;

pub use config::{MongoStoreConfig, MongoUri};
pub use reader::{MongoBackupReader, READ_BATCH_ROWS};
pub use staged::MongoStagedBackup;

use self::{connection::Connection, metadata::BackupState};
use super::{BackupReader, BackupStore, Manifest, StagedBackup, StoreError, FORMAT_VERSION};

/// How long a health check waits for a `ping` after an authentication failure before
/// reporting that failure again (see [`MongoStore::healthcheck`]).
const AUTH_RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// A MongoDB deployment holding backups under one database prefix.
#[derive(Clone)]
pub struct MongoStore {
    conn: Arc<Connection>,
}

impl MongoStore {
    /// Validates the config and builds the driver client. Connects lazily: an unreachable
    /// server shows up in [`BackupStore::healthcheck`] or the first operation.
    pub async fn connect(config: &MongoStoreConfig) -> Result<Self, StoreError> {
        naming::validate_prefix(&config.database_prefix)?;
        let uri = config.uri()?;
        let conn = Connection::open(uri, config.database_prefix.clone()).await?;
        info!(uri = %uri.redacted(), prefix = %config.database_prefix, "MongoDB store configured.");
        Ok(MongoStore {
            conn: Arc::new(conn),
        })
    }

    /// The driver client, for tools and tests that inspect the stored documents directly.
    pub fn client(&self) -> &mongodb::Client {
        self.conn.client()
    }

    /// The database prefix every database of this store starts with.
    pub fn prefix(&self) -> &str {
        &self.conn.prefix
    }

    /// A database of this deployment with the durable write concern backups use (journaled
    /// majority); continuous capture keeps its change records in one (`capture::store`).
    pub fn durable_database(&self, name: &str) -> mongodb::Database {
        self.conn.database(name)
    }

    /// A driver error of `context` as a [`StoreError`] (unreachable, refused credentials, or
    /// other), with the password scrubbed.
    pub fn driver_error(
        &self,
        context: impl Into<String>,
        error: mongodb::error::Error,
    ) -> StoreError {
        self.conn.error(context, error)
    }

    /// The database that holds (or would hold) backup `backup_id`.
    pub fn database_name(&self, backup_id: &str) -> Result<String, StoreError> {
        naming::database_name(&self.conn.prefix, backup_id)
    }

    async fn state(&self, backup_id: &str) -> Result<(mongodb::Database, BackupState), StoreError> {
        let database = self.conn.database(&self.database_name(backup_id)?);
        let state = metadata::state(&self.conn, &database, backup_id).await?;
        Ok((database, state))
    }

    /// Ids of backups under our prefix with their state, sorted by id.
    async fn all(&self) -> Result<Vec<(String, BackupState)>, StoreError> {
        let names = self
            .conn
            .client()
            .list_database_names()
            .await
            .map_err(|e| self.conn.error("listing databases", e))?;
        let mut found = Vec::new();
        for name in &names {
            let Some(id) = naming::backup_id_of(&self.conn.prefix, name) else {
                continue;
            };
            let (_, state) = self.state(id).await?;
            if state.ours {
                found.push((id.to_owned(), state));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }

    fn staged_handle(&self, backup_id: &str, database: mongodb::Database) -> Arc<dyn StagedBackup> {
        Arc::new(MongoStagedBackup::new(
            Arc::clone(&self.conn),
            backup_id.to_owned(),
            database,
        ))
    }
}

#[async_trait]
impl BackupStore for MongoStore {
    fn kind(&self) -> &'static str {
        "mongodb"
    }

    /// A `ping`. After an authentication failure the driver would make it wait for its next
    /// heartbeat (10 s, longer than a readiness probe's timeout) to fail the same way, so a
    /// ping that does not answer within [`AUTH_RECHECK`] reports that failure instead: the
    /// operator reads "authentication failed", not a timeout. A password fixed on the server
    /// is seen at the first ping that gets through.
    async fn healthcheck(&self) -> Result<(), StoreError> {
        let admin = self.conn.client().database("admin");
        let ping = admin.run_command(doc! { "ping": 1 });
        let pinged = match self.conn.auth_failure("pinging MongoDB") {
            None => ping.await,
            Some(failure) => match tokio::time::timeout(AUTH_RECHECK, ping).await {
                Ok(pinged) => pinged,
                Err(_) => return Err(failure),
            },
        };
        match pinged {
            Ok(_) => {
                self.conn.authenticated();
                Ok(())
            }
            Err(e) => Err(self.conn.error("pinging MongoDB", e)),
        }
    }

    async fn create(&self, backup_id: &str) -> Result<Arc<dyn StagedBackup>, StoreError> {
        let database = self.conn.database(&self.database_name(backup_id)?);
        metadata::claim(&self.conn, &database, backup_id).await?;
        info!(backup_id, database = %database.name(), "Staged backup created.");
        Ok(self.staged_handle(backup_id, database))
    }

    async fn resume(&self, backup_id: &str) -> Result<Arc<dyn StagedBackup>, StoreError> {
        let (database, state) = self.state(backup_id).await?;
        match state {
            BackupState { ours: false, .. } => Err(StoreError::NotFound(backup_id.to_owned())),
            BackupState {
                manifest: Some(_), ..
            } => Err(StoreError::AlreadyExists(backup_id.to_owned())),
            BackupState { .. } => Ok(self.staged_handle(backup_id, database)),
        }
    }

    async fn staged(&self) -> Result<Vec<String>, StoreError> {
        Ok(self
            .all()
            .await?
            .into_iter()
            .filter(|(_, state)| state.manifest.is_none())
            .map(|(id, _)| id)
            .collect())
    }

    async fn list(&self) -> Result<Vec<Manifest>, StoreError> {
        let mut manifests: Vec<Manifest> = self
            .all()
            .await?
            .into_iter()
            .filter_map(|(_, state)| state.manifest)
            .collect();
        manifests.sort_by(|a, b| (a.started_at, &a.backup_id).cmp(&(b.started_at, &b.backup_id)));
        Ok(manifests)
    }

    async fn open(&self, backup_id: &str) -> Result<Arc<dyn BackupReader>, StoreError> {
        let (database, state) = self.state(backup_id).await?;
        let Some(manifest) = state.manifest else {
            return Err(StoreError::NotFound(backup_id.to_owned()));
        };
        if manifest.format_version > FORMAT_VERSION || manifest.backup_id != backup_id {
            return Err(StoreError::Corrupt {
                backup: backup_id.to_owned(),
                detail: format!(
                    "manifest of backup {} in format {} (this build reads up to {FORMAT_VERSION})",
                    manifest.backup_id, manifest.format_version
                ),
            });
        }
        Ok(Arc::new(MongoBackupReader::new(
            Arc::clone(&self.conn),
            manifest,
            database,
        )))
    }

    async fn delete(&self, backup_id: &str) -> Result<(), StoreError> {
        let (database, state) = self.state(backup_id).await?;
        if !state.ours {
            return Err(StoreError::NotFound(backup_id.to_owned()));
        }
        database
            .drop()
            .await
            .map_err(|e| self.conn.error(format!("deleting backup {backup_id}"), e))?;
        info!(backup_id, "Backup deleted.");
        Ok(())
    }
}
