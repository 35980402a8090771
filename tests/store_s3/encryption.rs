//! Client-side encryption in the `s3` store: the fidelity corpus round trips sealed, no column
//! name or cell value is in any stored byte, a flipped byte anywhere is refused by verify and
//! restore, a store without the key lists the backup and names the key it needs, and a rotated
//! store still reads backups sealed with the old key.

use std::path::PathBuf;
use std::sync::Arc;

use tablevault::emulator::EmulatorConfig;
use tablevault::engine::run_backup;
use tablevault::store::encryption::MasterKey;
use tablevault::store::s3::S3Store;
use tablevault::store::{BackupStore, StoreError};
use tablevault::tablestore::client::Client;

use crate::support::emulator::start_emulator;
use crate::support::engine::*;
use crate::support::s3_server::{S3Server, BUCKET};
use crate::support::sealed::{
    assert_no_plaintext, assert_round_trip, key_file, restore, secrets, verify,
};

fn sealed_store(server: &S3Server, key: Option<&PathBuf>, old: &[PathBuf]) -> Arc<S3Store> {
    let mut config = server.store_config("sealed/");
    config.encryption_key_file = key.cloned();
    config.decryption_key_files = old.to_vec();
    Arc::new(S3Store::new(&config).expect("store"))
}

async fn backup_everything(
    client: &Client,
    emulator: &tablevault::emulator::EmulatorHandle,
    store: Arc<S3Store>,
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
    let server = S3Server::start();
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_everything(&client).await;
    let keys = tempfile::tempdir().unwrap();
    let (key_path, key) = key_file(&keys, "k1");
    let store = sealed_store(&server, Some(&key_path), &[]);
    let id = backup_everything(&client, &emulator, store.clone()).await;

    let source = assert_round_trip(store.as_ref(), &client, &id).await;

    let secrets = secrets(&source);
    assert!(
        secrets.len() > 100,
        "the corpus has names and values to look for"
    );
    let files = server.stored_files();
    let objects: Vec<&String> = files.iter().filter(|f| f.starts_with(BUCKET)).collect();
    assert!(objects.len() >= 4, "{objects:?}");
    for object in objects {
        let bytes = std::fs::read(server.storage().join(object)).unwrap();
        assert_no_plaintext(object, &bytes, &secrets);
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&key.to_file_text().lines().nth(1).unwrap().to_owned()),
            "the key itself"
        );
    }
    let manifest = std::fs::read_to_string(
        server
            .storage()
            .join(BUCKET)
            .join(format!("sealed/{id}/manifest.json")),
    )
    .unwrap();
    assert!(
        manifest.contains(key.id()),
        "the manifest names the key id: {manifest}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_byte_anywhere_is_caught_by_verify_and_refused_by_restore() {
    let server = S3Server::start();
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_everything(&client).await;
    let keys = tempfile::tempdir().unwrap();
    let (key_path, _) = key_file(&keys, "k1");
    let store = sealed_store(&server, Some(&key_path), &[]);
    let id = backup_everything(&client, &emulator, store.clone()).await;
    assert_eq!(verify(store.as_ref(), &id).await, Ok(true));

    let backup_dir = server.storage().join(BUCKET).join(format!("sealed/{id}"));
    let files: Vec<String> = server
        .stored_files()
        .into_iter()
        .filter(|f| f.starts_with(&format!("{BUCKET}/sealed/{id}/")))
        .collect();
    assert!(files.iter().any(|f| f.ends_with("key.json")), "{files:?}");
    let mut attempt = 0;
    for file in &files {
        let path = server.storage().join(file);
        let original = std::fs::read(&path).unwrap();
        // The first and last bytes, and a few in between.
        let len = original.len();
        for at in [0, len / 3, len / 2, 2 * len / 3, len - 1] {
            let mut flipped = original.clone();
            flipped[at] ^= 0x04;
            std::fs::write(&path, &flipped).unwrap();
            let verified = verify(store.as_ref(), &id).await;
            assert_ne!(verified, Ok(true), "{file} byte {at}: verify passed");
            attempt += 1;
            let target = format!("flip_{attempt}");
            let restored = restore(store.as_ref(), &client, &id, &target).await;
            assert!(restored.is_err(), "{file} byte {at}: restore went through");
        }
        std::fs::write(&path, &original).unwrap();
    }
    assert!(backup_dir.is_dir());
    assert_eq!(verify(store.as_ref(), &id).await, Ok(true), "intact again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_key_listing_works_and_reading_names_the_key_and_rotation_keeps_old_backups() {
    let server = S3Server::start();
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_everything(&client).await;
    let keys = tempfile::tempdir().unwrap();
    let (old_path, old) = key_file(&keys, "old");
    let (new_path, new) = key_file(&keys, "new");
    let first = backup_everything(
        &client,
        &emulator,
        sealed_store(&server, Some(&old_path), &[]),
    )
    .await;

    let keyless = sealed_store(&server, None, &[]);
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
    assert!(restore(keyless.as_ref(), &client, &first, "nokey")
        .await
        .unwrap_err()
        .contains(old.id()));

    // Rotated: new backups use the new key, the old one stays readable.
    let rotated = sealed_store(&server, Some(&new_path), std::slice::from_ref(&old_path));
    let second = backup_everything(&client, &emulator, rotated.clone()).await;
    assert_eq!(verify(rotated.as_ref(), &first).await, Ok(true));
    assert_eq!(verify(rotated.as_ref(), &second).await, Ok(true));
    let manifest = std::fs::read_to_string(
        server
            .storage()
            .join(BUCKET)
            .join(format!("sealed/{second}/manifest.json")),
    )
    .unwrap();
    assert!(
        manifest.contains(new.id()) && !manifest.contains(old.id()),
        "{manifest}"
    );
    // Only the new key: the old backup names the old key.
    let new_only = sealed_store(&server, Some(&new_path), &[]);
    let error = new_only.open(&first).await.err().unwrap().to_string();
    assert!(error.contains(old.id()), "{error}");
    assert_eq!(verify(new_only.as_ref(), &second).await, Ok(true));
}

#[tokio::test]
async fn keygen_writes_an_owner_only_key_file_and_never_overwrites_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("offsite.key");
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_tablevault"))
            .args(["keygen", "--out"])
            .arg(&path)
            .output()
            .expect("runs")
    };
    let first = run();
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let key = MasterKey::load(&path).expect("a key file");
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains(key.id()), "{stdout}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let second = run();
    assert_eq!(second.status.code(), Some(2), "{second:?}");
    assert_eq!(
        MasterKey::load(&path).unwrap().id(),
        key.id(),
        "the first key is kept"
    );
}
