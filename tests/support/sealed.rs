//! Encrypted stores (tests/store_archive and tests/store_s3): key files, what must never be
//! stored in plaintext, and verify/restore results as plain values to compare.

use std::path::{Path, PathBuf};

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

/// Every file under `dir`, at any depth, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
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

/// What anyone can read from `bytes` without a key: the bytes, and every zstd frame in them
/// decompressed. Stores compress before they seal, so a search of the raw bytes alone would
/// miss a plaintext that is merely compressed.
pub fn readable_without_key(bytes: &[u8]) -> Vec<Vec<u8>> {
    const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];
    let mut views = vec![bytes.to_vec()];
    for at in 0..bytes.len().saturating_sub(3) {
        if bytes[at..at + 4] == ZSTD_MAGIC {
            let mut out = Vec::new();
            if let Ok(decoder) = zstd::stream::read::Decoder::new(&bytes[at..]) {
                // A damaged frame still yields what decoded before the damage.
                let _ = std::io::Read::read_to_end(&mut decoder.single_frame(), &mut out);
            }
            views.push(out);
        }
    }
    views
}

/// Whether `secret` is readable from `bytes` without a key (raw or decompressed).
pub fn holds_plaintext(bytes: &[u8], secret: &[u8]) -> bool {
    readable_without_key(bytes)
        .iter()
        .any(|view| view.windows(secret.len()).any(|w| w == secret))
}

/// Panics naming the first of `secrets` readable from `bytes` without a key (the stored file
/// `what`), raw or decompressed.
pub fn assert_no_plaintext(what: &str, bytes: &[u8], secrets: &[Vec<u8>]) {
    for secret in secrets {
        assert!(
            !holds_plaintext(bytes, secret),
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
