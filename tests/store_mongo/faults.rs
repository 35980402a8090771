//! The server dying mid-backup, and authentication.

use std::time::Duration;

use bson::doc;
use tablevault::store::{BackupStore, StoreError};
use tokio::sync::mpsc;

use crate::fixtures::{by_key, int_rows, int_table, manifest, publish_and_read_t, store, store_at};
use crate::support::mongo_server::MongoServer;

const BATCH: i64 = 500;
const BATCHES: i64 = 40;
/// Guards against a hang only; failures are expected within the URI's 2 s selection timeout.
const HANG_GUARD: Duration = Duration::from_secs(60);

#[tokio::test]
async fn backup_survives_the_server_being_killed_mid_write() {
    let mut server = MongoServer::start();
    let store = store(&server).await;
    let staged = store.create("crash").await.unwrap();

    // A writer streams batches of range 0; the server is killed once a few are durable, while
    // the writer is in the middle of the next ones.
    let (done_tx, mut done_rx) = mpsc::unbounded_channel();
    let writer = {
        let staged = staged.clone();
        tokio::spawn(async move {
            for b in 0..BATCHES {
                staged
                    .write_rows("t", 0, &int_rows(b * BATCH..(b + 1) * BATCH), "")
                    .await?;
                let _ = done_tx.send(b);
            }
            Ok::<_, StoreError>(())
        })
    };
    while done_rx.recv().await.expect("writer reports progress") < 3 {}
    server.kill();
    let outcome = tokio::time::timeout(HANG_GUARD, writer)
        .await
        .expect("write_rows fails instead of hanging")
        .expect("writer task");
    match outcome {
        Err(StoreError::Unreachable(message)) | Err(StoreError::Mongo { message, .. }) => {
            assert!(!message.is_empty());
        }
        other => panic!("expected a connection error, got {other:?}"),
    }

    server.restart();
    let store = store_at(&server.uri(), "tvtest").await;
    assert_eq!(store.staged().await.unwrap(), ["crash"]);
    let staged = store.resume("crash").await.unwrap();
    let next = match staged.checkpoint("t", 0).await.unwrap().map(|c| c.last_key) {
        Some(key) => match key.columns()[0].value {
            tablevault::tablestore::PkValue::Integer(last) => last + 1,
            ref other => panic!("checkpoint key {other:?}"),
        },
        None => 0,
    };
    assert!(
        next >= 4 * BATCH,
        "checkpoint lost durable batches: resumes at {next}"
    );
    assert_eq!(next % BATCH, 0, "checkpoints sit on batch boundaries");
    for start in (next..BATCHES * BATCH).step_by(BATCH as usize) {
        staged
            .write_rows("t", 0, &int_rows(start..start + BATCH), "")
            .await
            .unwrap();
    }
    let total = (BATCHES * BATCH) as u64;
    let read = publish_and_read_t(&store, staged.as_ref(), "crash", total).await;
    assert_eq!(read.len() as u64, total);
    assert_eq!(read, by_key(&int_rows(0..BATCHES * BATCH)));
}

/// A server restarted with `--auth` after creating the user `backup` (password
/// `correct-horse-9`, role root in `admin`).
async fn server_with_user() -> MongoServer {
    let mut server = MongoServer::start();
    let admin = mongodb::Client::with_uri_str(server.uri()).await.unwrap();
    admin
        .database("admin")
        .run_command(doc! {
            "createUser": "backup",
            "pwd": "correct-horse-9",
            "roles": [{ "role": "root", "db": "admin" }],
        })
        .await
        .expect("user created");
    drop(admin);
    server.restart_with(&["--auth"]);
    server
}

#[tokio::test]
async fn authenticated_uri_with_auth_source() {
    let server = server_with_user().await;

    let uri = server.uri_with_user("backup", "correct-horse-9", "admin");
    let store = store_at(&uri, "tvtest").await;
    store.healthcheck().await.unwrap();
    let staged = store.create("auth").await.unwrap();
    staged
        .write_rows("t", 0, &int_rows(0..10), "")
        .await
        .unwrap();
    staged
        .publish(&manifest("auth", 0, &[(int_table("t"), 10)]))
        .await
        .unwrap();
    assert_eq!(store.list().await.unwrap().len(), 1);

    let anonymous = store_at(&server.uri(), "tvtest").await;
    assert!(
        anonymous.list().await.is_err(),
        "--auth server served an anonymous client"
    );

    let wrong = server.uri_with_user("backup", "Wr0ngPassw0rd", "admin");
    let failing = store_at(&wrong, "tvtest").await;
    let error = failing
        .healthcheck()
        .await
        .expect_err("wrong password is refused");
    let shown = format!("{error} / {error:?}");
    assert!(!shown.contains("Wr0ngPassw0rd"), "password leaked: {shown}");
    assert!(
        shown.to_lowercase().contains("authentication"),
        "unclear error: {shown}"
    );
    let created = failing
        .create("nope")
        .await
        .map(|_| ())
        .expect_err("no write without auth");
    assert!(!format!("{created:?}").contains("Wr0ngPassw0rd"));
}

/// A wrong password: every health check says "authentication failed" within a readiness
/// probe's 5 s, not only the first (after a failure the driver waits for its next 10 s
/// heartbeat before trying again, so the daemon's readiness used to report "no answer within
/// 5000ms"), and the error is not one the engine retries.
#[tokio::test]
async fn a_wrong_password_is_reported_as_such_by_every_health_check() {
    let server = server_with_user().await;
    // MongoDB's default timeouts, as in a user's configuration.
    let uri = format!(
        "mongodb://backup:Wr0ngPassw0rd@127.0.0.1:{}/?authSource=admin",
        server.port()
    );
    let store = store_at(&uri, "tvtest").await;

    for check in 1..=3 {
        let checked = tokio::time::timeout(Duration::from_secs(5), store.healthcheck())
            .await
            .unwrap_or_else(|_| panic!("check {check}: no answer within 5 s"));
        let error = checked.expect_err("wrong password is refused");
        let shown = error.to_string();
        assert!(shown.contains("authentication failed"), "{shown}");
        assert!(!shown.contains("Wr0ngPassw0rd"), "password leaked: {shown}");
        assert!(!error.is_transient(), "{error:?}");
    }
}
