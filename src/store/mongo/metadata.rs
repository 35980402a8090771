//! The metadata collection of a backup database: staging marker, checkpoints, manifest.
//!
//! - `{_id: "staging", prefix, backup_id, created_at}`: written first by `create`; it claims the
//!   id (a second `create` hits the duplicate `_id`) and marks the database as ours.
//! - `{_id: {table, range}, kind: "checkpoint", key: [{n, v}], state, updated_at}`: one per split
//!   range, replaced after every durably written batch; `state` is the engine's range state.
//! - `{_id: "plan", plan, updated_at}`: the engine's plan (tables and split ranges).
//! - `{_id: "manifest", published_at, manifest: {...}}`: written last by `publish`; its presence
//!   is what makes a backup visible.

use bson::{doc, Bson, DateTime, Document};
use mongodb::{options::ReplaceOptions, Collection, Database};

use super::{connection::Connection, mapping, naming::METADATA_COLLECTION};
use crate::store::{Manifest, RangeCheckpoint, StoreError};

const STAGING_ID: &str = "staging";
const MANIFEST_ID: &str = "manifest";
const PLAN_ID: &str = "plan";
const CHECKPOINT_KIND: &str = "checkpoint";

/// What the metadata collection says about a database.
#[derive(Debug, Default)]
pub struct BackupState {
    /// The database was created by this store (prefix and id match the staging marker).
    pub ours: bool,
    pub manifest: Option<Manifest>,
}

pub fn collection(database: &Database) -> Collection<Document> {
    database.collection(METADATA_COLLECTION)
}

/// Writes the staging marker; [`StoreError::AlreadyExists`] if the database already has one,
/// or already holds anything at all (a database of the same name that is not ours).
pub async fn claim(conn: &Connection, database: &Database, id: &str) -> Result<(), StoreError> {
    let existing = database
        .list_collection_names()
        .await
        .map_err(|e| conn.error(format!("creating backup {id}"), e))?;
    if !existing.is_empty() {
        return Err(StoreError::AlreadyExists(id.to_owned()));
    }
    let marker = doc! {
        "_id": STAGING_ID,
        "prefix": &conn.prefix,
        "backup_id": id,
        "created_at": DateTime::now(),
        "tablevault_version": env!("CARGO_PKG_VERSION"),
    };
    match collection(database).insert_one(marker).await {
        Ok(_) => Ok(()),
        Err(e) if is_duplicate_key(&e) => Err(StoreError::AlreadyExists(id.to_owned())),
        Err(e) => Err(conn.error(format!("creating backup {id}"), e)),
    }
}

/// Reads the staging marker and the manifest of backup `id`.
pub async fn state(
    conn: &Connection,
    database: &Database,
    id: &str,
) -> Result<BackupState, StoreError> {
    let context = || format!("reading the metadata of backup {id}");
    let meta = collection(database);
    let marker = meta
        .find_one(doc! { "_id": STAGING_ID })
        .await
        .map_err(|e| conn.error(context(), e))?;
    let ours = marker.is_some_and(|m| {
        m.get_str("prefix") == Ok(conn.prefix.as_str()) && m.get_str("backup_id") == Ok(id)
    });
    if !ours {
        return Ok(BackupState::default());
    }
    let manifest = meta
        .find_one(doc! { "_id": MANIFEST_ID })
        .await
        .map_err(|e| conn.error(context(), e))?
        .map(|d| decode_manifest(id, &d))
        .transpose()?;
    Ok(BackupState { ours, manifest })
}

/// Records that `range` of `table` is durably written up to and including the checkpoint's key.
pub async fn save_checkpoint(
    conn: &Connection,
    database: &Database,
    table: &str,
    range: u32,
    checkpoint: &RangeCheckpoint,
) -> Result<(), StoreError> {
    let key = mapping::key_to_bson(&checkpoint.last_key).map_err(|e| StoreError::Mongo {
        context: format!("checkpoint of {table} range {range}"),
        message: e.to_string(),
    })?;
    let id = checkpoint_id(table, range);
    let record = doc! {
        "_id": id.clone(),
        "kind": CHECKPOINT_KIND,
        "key": key,
        "state": &checkpoint.state,
        "updated_at": DateTime::now(),
    };
    collection(database)
        .replace_one(doc! { "_id": id }, record)
        .with_options(ReplaceOptions::builder().upsert(true).build())
        .await
        .map_err(|e| conn.error(format!("saving the checkpoint of {table} range {range}"), e))?;
    Ok(())
}

pub async fn load_checkpoint(
    conn: &Connection,
    database: &Database,
    backup_id: &str,
    table: &str,
    range: u32,
) -> Result<Option<RangeCheckpoint>, StoreError> {
    let record = collection(database)
        .find_one(doc! { "_id": checkpoint_id(table, range) })
        .await
        .map_err(|e| {
            conn.error(
                format!("reading the checkpoint of {table} range {range}"),
                e,
            )
        })?;
    let Some(record) = record else {
        return Ok(None);
    };
    let key = record.get("key").unwrap_or(&Bson::Null);
    let last_key = mapping::key_from_bson(key).map_err(|e| StoreError::Corrupt {
        backup: backup_id.to_owned(),
        detail: format!("checkpoint of {table} range {range}: {e}"),
    })?;
    // Checkpoints written before states existed have none: an empty state.
    let state = record.get_str("state").unwrap_or_default().to_owned();
    Ok(Some(RangeCheckpoint { last_key, state }))
}

/// Stores the engine's plan, replacing an earlier one.
pub async fn save_plan(
    conn: &Connection,
    database: &Database,
    backup_id: &str,
    plan: &str,
) -> Result<(), StoreError> {
    let record = doc! { "_id": PLAN_ID, "plan": plan, "updated_at": DateTime::now() };
    collection(database)
        .replace_one(doc! { "_id": PLAN_ID }, record)
        .with_options(ReplaceOptions::builder().upsert(true).build())
        .await
        .map_err(|e| conn.error(format!("saving the plan of backup {backup_id}"), e))?;
    Ok(())
}

pub async fn load_plan(
    conn: &Connection,
    database: &Database,
    backup_id: &str,
) -> Result<Option<String>, StoreError> {
    let record = collection(database)
        .find_one(doc! { "_id": PLAN_ID })
        .await
        .map_err(|e| conn.error(format!("reading the plan of backup {backup_id}"), e))?;
    let Some(record) = record else {
        return Ok(None);
    };
    match record.get_str("plan") {
        Ok(plan) => Ok(Some(plan.to_owned())),
        Err(e) => Err(StoreError::Corrupt {
            backup: backup_id.to_owned(),
            detail: format!("plan record: {e}"),
        }),
    }
}

/// Writes (or rewrites, when publish is retried) the manifest, then drops the checkpoints and
/// the plan, which a published backup no longer needs.
pub async fn publish(
    conn: &Connection,
    database: &Database,
    manifest: &Manifest,
) -> Result<(), StoreError> {
    let context = || format!("publishing backup {}", manifest.backup_id);
    let encoded = bson::to_document(manifest).map_err(|e| StoreError::Mongo {
        context: context(),
        message: format!("encoding the manifest: {e}"),
    })?;
    let record = doc! {
        "_id": MANIFEST_ID,
        "published_at": DateTime::now(),
        "manifest": encoded,
    };
    let meta = collection(database);
    meta.replace_one(doc! { "_id": MANIFEST_ID }, record)
        .with_options(ReplaceOptions::builder().upsert(true).build())
        .await
        .map_err(|e| conn.error(context(), e))?;
    meta.delete_many(doc! { "$or": [{ "kind": CHECKPOINT_KIND }, { "_id": PLAN_ID }] })
        .await
        .map_err(|e| conn.error(context(), e))?;
    Ok(())
}

fn checkpoint_id(table: &str, range: u32) -> Document {
    doc! { "table": table, "range": i64::from(range) }
}

fn decode_manifest(id: &str, record: &Document) -> Result<Manifest, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        backup: id.to_owned(),
        detail,
    };
    let encoded = record
        .get_document("manifest")
        .map_err(|e| corrupt(format!("manifest record: {e}")))?;
    bson::from_document(encoded.clone()).map_err(|e| corrupt(format!("manifest: {e}")))
}

pub fn is_duplicate_key(error: &mongodb::error::Error) -> bool {
    use mongodb::error::{ErrorKind, WriteFailure};
    match &*error.kind {
        ErrorKind::Write(WriteFailure::WriteError(e)) => e.code == DUPLICATE_KEY,
        ErrorKind::Command(e) => e.code == DUPLICATE_KEY,
        _ => false,
    }
}

/// MongoDB's error code for a unique index violation.
pub const DUPLICATE_KEY: i32 = 11000;
