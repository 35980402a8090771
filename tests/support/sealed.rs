//! Encrypted stores (tests/store_archive and tests/store_s3): key files, what must never be
//! stored in plaintext, and verify/restore results as plain values to compare.

use std::path::PathBuf;

use tablevault::engine::{run_restore, run_verify, IfExists, RestoreJob, RunControls, VerifyJob};
use tablevault::store::encryption::MasterKey;
use tablevault::store::BackupStore;
use tablevault::tablestore::client::Client;
use tablevault::tablestore::{PkValue, Row, Value};

/// A new key file `name` in `dir`, and its key.
pub fn key_file(dir: &tempfile::TempDir, name: &str) -> (PathBuf, MasterKey) {
    let path = dir.path().join(name);
    let key = MasterKey::generate();
    key.write_new(&path).unwrap();
    (path, key)
}

/// Every column name and every string or binary value of at least 4 bytes in `rows`.
pub fn secrets(rows: &[Row]) -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    for row in rows {
        for column in row.primary_key.columns() {
            found.push(column.name.as_bytes().to_vec());
            match &column.value {
                PkValue::String(s) => found.push(s.as_bytes().to_vec()),
                PkValue::Binary(b) => found.push(b.clone()),
                _ => {}
            }
        }
        for cell in &row.cells {
            found.push(cell.name.as_bytes().to_vec());
            match &cell.value {
                Some(Value::String(s)) => found.push(s.as_bytes().to_vec()),
                Some(Value::Binary(b)) => found.push(b.clone()),
                _ => {}
            }
        }
    }
    found.retain(|s| s.len() >= 4);
    found.sort();
    found.dedup();
    found
}

/// Panics naming the first of `secrets` found in `bytes` (the stored file `what`).
pub fn assert_no_plaintext(what: &str, bytes: &[u8], secrets: &[Vec<u8>]) {
    for secret in secrets {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_slice()),
            "{what} holds {:?} in plaintext",
            String::from_utf8_lossy(secret)
        );
    }
}

/// Verify's verdict, or its error's text.
pub async fn verify(store: &dyn BackupStore, id: &str) -> Result<bool, String> {
    let reader = store.open(id).await.map_err(|e| e.to_string())?;
    let job = VerifyJob {
        reader,
        source: None,
        tables: vec![],
    };
    match run_verify(job, &RunControls::default()).await {
        Ok(report) => Ok(report.ok),
        Err(e) => Err(e.to_string()),
    }
}

/// Restores table `everything` of backup `id` as `target`, or the error's text.
pub async fn restore(
    store: &dyn BackupStore,
    client: &Client,
    id: &str,
    target: &str,
) -> Result<(), String> {
    let reader = store.open(id).await.map_err(|e| e.to_string())?;
    let job = RestoreJob {
        reader,
        client: client.clone(),
        tables: vec![],
        renames: [("everything".to_owned(), target.to_owned())].into(),
        if_exists: IfExists::Fail,
        dry_run: false,
        settings: Default::default(),
    };
    run_restore(job, &RunControls::default())
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Backup `id` of the corpus table `everything` reads back as the source, verifies, and
/// restores into `everything_back` equal to the source; returns the source rows.
pub async fn assert_round_trip(store: &dyn BackupStore, client: &Client, id: &str) -> Vec<Row> {
    use super::engine::{assert_same_rows, read_backup, scan_source};
    let source = scan_source(client, "everything", true).await;
    assert_same_rows(
        &read_backup(store, id, "everything").await,
        &source,
        "everything",
    );
    assert_eq!(verify(store, id).await, Ok(true));
    restore(store, client, id, "everything_back")
        .await
        .expect("restore");
    assert_same_rows(
        &scan_source(client, "everything_back", true).await,
        &source,
        "restored",
    );
    source
}
