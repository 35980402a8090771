//! Client-side encryption in the `archive` store, as in the `s3` store: the fidelity corpus
//! round trips sealed, no column name or cell value is in any byte under the store's root, a
//! flipped byte anywhere is refused by verify and restore, a store without the key lists the
//! backup and names the key it needs, a rotated store still reads old backups, and a staged
//! backup resumes sealed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tablevault::emulator::{EmulatorConfig, EmulatorHandle};
use tablevault::engine::run_backup;
use tablevault::store::{ArchiveStore, ArchiveStoreConfig, BackupStore, StoreError};
use tablevault::tablestore::client::Client;

use crate::helpers::row;
use crate::support::emulator::start_emulator;
use crate::support::engine::{client, context, engine_config, job, load_everything};
use crate::support::sealed::{
    assert_no_plaintext, assert_round_trip, files_under, key_file, restore, secrets, verify,
};

async fn sealed_store(root: &Path, key: Option<&PathBuf>, old: &[PathBuf]) -> Arc<ArchiveStore> {
    let mut config = ArchiveStoreConfig::new(root);
    config.encryption_key_file = key.cloned();
    config.decryption_key_files = old.to_vec();
    Arc::new(ArchiveStore::open(config).await.expect("store"))
}

async fn backup_everything(
    client: &Client,
    emulator: &EmulatorHandle,
    store: Arc<ArchiveStore>,
) -> String {
    let ctx = context(client, store);
    let job = job(emulator, &["everything"], engine_config());
    run_backup(job, &ctx)
        .await
        .expect("backup succeeds")
        .backup_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sealed_backup_round_trips_and_holds_no_plaintext() {
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_everything(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let (key_path, key) = key_file(&dir, "k1");
    let root = dir.path().join("archive");
    let store = sealed_store(&root, Some(&key_path), &[]).await;
    let id = backup_everything(&client, &emulator, store.clone()).await;

    let source = assert_round_trip(store.as_ref(), &client, &id).await;

    let secrets = secrets(&source);
    assert!(secrets.len() > 100, "the corpus has names and values");
    let files = files_under(&root);
    let names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    for expected in ["manifest.json", "key.json", "plan.json", ".tvseg"] {
        assert!(
            names.iter().any(|n| n.ends_with(expected)),
            "{expected} in {names:?}"
        );
    }
    let key_line = key.to_file_text().lines().nth(1).unwrap().to_owned();
    for (file, name) in files.iter().zip(&names) {
        let bytes = std::fs::read(file).unwrap();
        assert_no_plaintext(name, &bytes, &secrets);
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&key_line),
            "{name}: the key"
        );
    }
    let manifest = std::fs::read_to_string(root.join(&id).join("manifest.json")).unwrap();
    assert!(
        manifest.contains(key.id()),
        "the manifest names the key id: {manifest}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_byte_anywhere_is_caught_by_verify_and_refused_by_restore() {
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_everything(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let (key_path, _) = key_file(&dir, "k1");
    let root = dir.path().join("archive");
    let store = sealed_store(&root, Some(&key_path), &[]).await;
    let id = backup_everything(&client, &emulator, store.clone()).await;
    assert_eq!(verify(store.as_ref(), &id).await, Ok(true));

    let files = files_under(&root.join(&id));
    assert!(files.iter().any(|f| f.ends_with("key.json")), "{files:?}");
    let mut attempt = 0;
    for path in &files {
        let original = std::fs::read(path).unwrap();
        let len = original.len();
        for at in [0, len / 3, len / 2, 2 * len / 3, len - 1] {
            let mut flipped = original.clone();
            flipped[at] ^= 0x04;
            std::fs::write(path, &flipped).unwrap();
            let shown = path.display();
            let verified = verify(store.as_ref(), &id).await;
            assert_ne!(verified, Ok(true), "{shown} byte {at}: verify passed");
            attempt += 1;
            let restored = restore(store.as_ref(), &client, &id, &format!("flip_{attempt}")).await;
            assert!(restored.is_err(), "{shown} byte {at}: restore went through");
        }
        std::fs::write(path, &original).unwrap();
    }
    assert_eq!(verify(store.as_ref(), &id).await, Ok(true), "intact again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_key_listing_works_and_reading_names_the_key_and_rotation_keeps_old_backups() {
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_everything(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let (old_path, old) = key_file(&dir, "old");
    let (new_path, new) = key_file(&dir, "new");
    let root = dir.path().join("archive");
    let first = backup_everything(
        &client,
        &emulator,
        sealed_store(&root, Some(&old_path), &[]).await,
    )
    .await;

    let keyless = sealed_store(&root, None, &[]).await;
    let listed = keyless.list().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].backup_id, first);
    let error = keyless
        .open(&first)
        .await
        .err()
        .expect("no key, no reading");
    assert!(matches!(error, StoreError::KeyMissing { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "backup {first} is encrypted with key {}; set encryption_key_file",
            old.id()
        )
    );
    assert!(verify(keyless.as_ref(), &first)
        .await
        .unwrap_err()
        .contains(old.id()));
    assert!(restore(keyless.as_ref(), &client, &first, "nokey")
        .await
        .unwrap_err()
        .contains(old.id()));

    // Rotated: new backups use the new key, the old one stays readable.
    let rotated = sealed_store(&root, Some(&new_path), std::slice::from_ref(&old_path)).await;
    let second = backup_everything(&client, &emulator, rotated.clone()).await;
    assert_eq!(verify(rotated.as_ref(), &first).await, Ok(true));
    assert_eq!(verify(rotated.as_ref(), &second).await, Ok(true));
    let manifest = std::fs::read_to_string(root.join(&second).join("manifest.json")).unwrap();
    assert!(
        manifest.contains(new.id()) && !manifest.contains(old.id()),
        "{manifest}"
    );
    let new_only = sealed_store(&root, Some(&new_path), &[]).await;
    let error = new_only.open(&first).await.err().unwrap().to_string();
    assert!(error.contains(old.id()), "{error}");
    assert_eq!(verify(new_only.as_ref(), &second).await, Ok(true));
    assert_eq!(new_only.list().await.unwrap().len(), 2, "both listed");
}

#[tokio::test]
async fn a_sealed_staged_backup_resumes_from_its_checkpoints_only_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let (key_path, key) = key_file(&dir, "k1");
    let root = dir.path().join("archive");
    let store = sealed_store(&root, Some(&key_path), &[]).await;
    let staged = store.create("b1").await.unwrap();
    let rows: Vec<_> = (1..=20).map(|i| row(2, i)).collect();
    staged.write_rows("t", 0, &rows, "{\"s\":1}").await.unwrap();
    staged.save_plan("{\"plan\":true}").await.unwrap();
    drop(staged); // a crash

    let reopened = sealed_store(&root, Some(&key_path), &[]).await;
    let resumed = reopened.resume("b1").await.unwrap();
    let checkpoint = resumed
        .checkpoint("t", 0)
        .await
        .unwrap()
        .expect("a checkpoint");
    assert_eq!(checkpoint.last_key, rows[19].primary_key);
    assert_eq!(checkpoint.state, "{\"s\":1}");
    assert_eq!(
        resumed.load_plan().await.unwrap().as_deref(),
        Some("{\"plan\":true}")
    );
    let plan = std::fs::read(root.join(".staging/b1/plan.json")).unwrap();
    assert!(!String::from_utf8_lossy(&plan).contains("plan"), "sealed");

    let keyless = sealed_store(&root, None, &[]).await;
    let error = keyless.resume("b1").await.err().expect("no key, no resume");
    assert!(error.to_string().contains(key.id()), "{error}");
}
