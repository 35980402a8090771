//! Capture into an archive store that encrypts its backups (issues 12 and 13): change segments
//! are sealed with the store's keys, so no column name or cell value is in any byte under the
//! store's root; a flipped byte in a segment is refused on read naming the segment; after a key
//! rotation old segments still read and new ones use the new key; a reader without a segment's
//! key is told that key's id.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tablevault::capture::{
    ArchiveChangeStore, CaptureSettings, ChangeSegment, ChangeStore, TableCapture, SEALED_MAGIC,
};
use tablevault::emulator::EmulatorHandle;
use tablevault::store::encryption::Keyring;
use tablevault::store::ArchiveStoreConfig;
use tablevault::tablestore::client::RowExistence;
use tablevault::tablestore::{Cell, Row, Value};

use crate::support::emulator::{client, default_emulator};
use crate::support::sealed::{assert_no_plaintext, files_under, holds_plaintext, key_file};
use crate::{key, table};

const COLUMN: &str = "confidential_column";
const CANARY: &str = "sealed-canary-cell-value";

/// The keys an archive store at `root` configured with `key` (and `old` keys) would have.
fn keys(root: &Path, key: Option<&PathBuf>, old: &[PathBuf]) -> Keyring {
    let mut config = ArchiveStoreConfig::new(root);
    config.encryption_key_file = key.cloned();
    config.decryption_key_files = old.to_vec();
    config.keyring().expect("keys load")
}

fn changes(root: &Path, keys: Keyring) -> ArchiveChangeStore {
    ArchiveChangeStore::new(root, "sched-1", "t")
        .unwrap()
        .with_keys(keys)
}

/// Captures table `t` into `store` once (the stream on), writes keys `from..to` with the canary
/// column, and captures them; returns how many records the second step stored.
async fn capture_writes(
    emulator: &EmulatorHandle,
    store: &ArchiveChangeStore,
    from: i64,
    to: i64,
) -> usize {
    let client = client(emulator);
    let mut capture = TableCapture::new(
        client.clone(),
        "t",
        Arc::new(store.clone()),
        CaptureSettings::default(),
    );
    capture.run_once().await.unwrap();
    for k in from..to {
        let value = Value::String(format!("{CANARY}-{k}"));
        let row = Row::new(key(k), vec![Cell::put(COLUMN, value)]);
        client
            .put_row("t", &row, RowExistence::Ignore)
            .await
            .unwrap();
    }
    capture.run_once().await.unwrap().records_stored
}

fn segment_files(root: &Path) -> Vec<PathBuf> {
    let found: Vec<PathBuf> = files_under(root)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "tvchg"))
        .collect();
    assert!(!found.is_empty(), "no change segment under {root:?}");
    found
}

#[tokio::test]
async fn captured_changes_in_an_encrypting_archive_hold_no_plaintext_and_read_back() {
    let emulator = default_emulator().await;
    table(&client(&emulator), "t", None).await;
    let dir = tempfile::tempdir().unwrap();
    let (key_path, key) = key_file(&dir, "k1");
    let root = dir.path().join("archive");
    let store = changes(&root, keys(&root, Some(&key_path), &[]));
    assert_eq!(capture_writes(&emulator, &store, 0, 5).await, 5);

    let records = store.records().await.expect("sealed records read back");
    let values: Vec<_> = records
        .iter()
        .map(|r| r.record.row.cells[0].value.clone())
        .collect();
    let expected: Vec<_> = (0..5)
        .map(|k| Some(Value::String(format!("{CANARY}-{k}"))))
        .collect();
    assert_eq!(values, expected);

    let secrets = [COLUMN.as_bytes().to_vec(), CANARY.as_bytes().to_vec()];
    // The same segment stored plain does show the secrets: the search below can see them.
    let plain = ChangeSegment {
        records: records.clone(),
        checkpoint: store.latest_checkpoint().unwrap().expect("checkpoint"),
    }
    .to_bytes()
    .unwrap();
    for secret in &secrets {
        assert!(holds_plaintext(&plain, secret), "the control");
    }
    for file in files_under(&root) {
        let bytes = std::fs::read(&file).unwrap();
        assert_no_plaintext(&file.display().to_string(), &bytes, &secrets);
    }
    for file in segment_files(&root) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(bytes.starts_with(SEALED_MAGIC), "{file:?} is sealed");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains(key.id()), "{file:?} names its key id");
    }
}

#[tokio::test]
async fn a_flipped_byte_in_a_sealed_change_segment_is_refused_on_read() {
    let emulator = default_emulator().await;
    table(&client(&emulator), "t", None).await;
    let dir = tempfile::tempdir().unwrap();
    let (key_path, _) = key_file(&dir, "k1");
    let root = dir.path().join("archive");
    let store = changes(&root, keys(&root, Some(&key_path), &[]));
    assert_eq!(capture_writes(&emulator, &store, 0, 3).await, 3);
    let intact = store.records().await.expect("intact");

    for path in segment_files(&root) {
        let original = std::fs::read(&path).unwrap();
        let len = original.len();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for at in [0, 8, 14, len / 3, len / 2, len - 1] {
            let mut flipped = original.clone();
            flipped[at] ^= 0x04;
            std::fs::write(&path, &flipped).unwrap();
            let error = store
                .records()
                .await
                .expect_err(&format!("{name} byte {at}: read went through"))
                .to_string();
            assert!(
                error.starts_with("corrupt change segment") && error.contains(&name),
                "{name} byte {at}: {error}"
            );
        }
        std::fs::write(&path, &original).unwrap();
    }
    assert_eq!(store.records().await.expect("intact again"), intact);
}

#[tokio::test]
async fn after_rotation_old_segments_read_and_a_missing_key_is_named() {
    let emulator = default_emulator().await;
    table(&client(&emulator), "t", None).await;
    let dir = tempfile::tempdir().unwrap();
    let (old_path, old) = key_file(&dir, "old");
    let (new_path, new) = key_file(&dir, "new");
    let root = dir.path().join("archive");
    let before = changes(&root, keys(&root, Some(&old_path), &[]));
    assert_eq!(capture_writes(&emulator, &before, 0, 3).await, 3);
    let sealed_before = segment_files(&root);

    // Rotated: capture goes on from the checkpoint sealed with the old key.
    let rotated = changes(
        &root,
        keys(&root, Some(&new_path), std::slice::from_ref(&old_path)),
    );
    assert_eq!(capture_writes(&emulator, &rotated, 3, 5).await, 2);
    let keys_of: Vec<(bool, bool)> = segment_files(&root)
        .iter()
        .map(|f| {
            let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
            (text.contains(old.id()), text.contains(new.id()))
        })
        .collect();
    assert_eq!(keys_of.first(), Some(&(true, false)), "{keys_of:?}");
    assert_eq!(keys_of.last(), Some(&(false, true)), "{keys_of:?}");
    assert_eq!(rotated.records().await.expect("every record").len(), 5);

    for without_old in [
        changes(&root, keys(&root, Some(&new_path), &[])),
        changes(&root, Keyring::default()),
    ] {
        let error = without_old.records().await.unwrap_err().to_string();
        let first = sealed_before[0].file_name().unwrap().to_string_lossy();
        assert_eq!(
            error,
            format!(
                "change segment sched-1/t/{first} is encrypted with key {}; set \
                 encryption_key_file (or list that key under decryption_key_files)",
                old.id()
            )
        );
    }
}
