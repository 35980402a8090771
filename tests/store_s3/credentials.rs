//! A refused access key is a clear, permanent error: the store says which bucket refused and
//! which keys to check, the engine does not retry it, and the CLI exits 3.

use tablevault::store::s3::S3Store;
use tablevault::store::{BackupStore, StoreError};

use crate::support::s3_server::{S3Server, ACCESS_KEY, BUCKET};

#[tokio::test]
async fn a_wrong_secret_is_access_denied_and_not_retried() {
    let server = S3Server::start();
    let mut config = server.store_config("");
    config.secret_access_key = Some("not-the-secret".to_owned().into());
    let store = S3Store::new(&config).unwrap();

    let error = store.healthcheck().await.unwrap_err();
    assert!(
        matches!(error, StoreError::AccessDenied { .. }),
        "{error:?}"
    );
    assert!(!error.is_transient());
    let text = error.to_string();
    assert!(
        text.contains("secret_access_key") && text.contains(BUCKET),
        "{text}"
    );
    assert!(
        !text.contains("not-the-secret"),
        "the secret is never shown: {text}"
    );
    assert!(matches!(
        store.list().await,
        Err(StoreError::AccessDenied { .. })
    ));
}

#[tokio::test]
async fn the_cli_exits_3_when_the_store_refuses_the_access_key() {
    let server = S3Server::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tablevault.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[stores.offsite]
kind = "s3"
bucket = "{BUCKET}"
endpoint = "{}"
region = "us-east-1"
access_key_id = "{ACCESS_KEY}"
path_style = true
request_timeout_seconds = 2
"#,
            server.endpoint()
        ),
    )
    .unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_tablevault"))
        .args(["backups", "--config"])
        .arg(&config)
        .args(["--store", "offsite"])
        .env("TABLEVAULT_STORE_OFFSITE_SECRET_ACCESS_KEY", "wrong-secret")
        .output()
        .await
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("access denied") && stderr.contains("offsite"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong-secret"), "{stderr}");

    // The right secret from the environment: listed (empty), exit 0.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_tablevault"))
        .args(["backups", "--config"])
        .arg(&config)
        .args(["--store", "offsite"])
        .env(
            "TABLEVAULT_STORE_OFFSITE_SECRET_ACCESS_KEY",
            crate::support::s3_server::SECRET_KEY,
        )
        .output()
        .await
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
