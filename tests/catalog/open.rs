//! Opening: directories and file are created, pragmas hold, migrations are idempotent, and
//! unusable paths or newer databases fail clearly.

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use tablevault::catalog::{latest_version, Catalog, CatalogError, NewSchedule};

use crate::test_catalog::{open, open_at};

#[tokio::test]
async fn a_fresh_file_is_created_with_wal_and_the_full_schema() {
    let test = open().await;
    let path = test.dir.path().join("state/tablevault.db");
    assert!(
        path.is_file(),
        "database file created along with its directory"
    );
    assert_eq!(test.catalog.path(), path);

    // Inspect the file with an independent connection.
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        tables,
        [
            "_sqlx_migrations",
            "backup_tables",
            "backups",
            "idempotency_keys",
            "runs",
            "schedules"
        ]
    );
    let version: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(version, latest_version());
    conn.close().await.unwrap();
}

#[tokio::test]
async fn reopening_applies_nothing_twice_and_keeps_the_data() {
    let test = open().await;
    let created = test
        .catalog
        .create_schedule(NewSchedule::new("nightly", "0 2 * * *", "prod", "local"))
        .await
        .unwrap();
    test.catalog.close().await;

    for _ in 0..2 {
        let again = open_at(&test.dir, &test.clock).await;
        assert_eq!(again.get_schedule(&created.id).await.unwrap(), created);
        again.close().await;
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(test.dir.path().join("state/tablevault.db"))
        .connect()
        .await
        .unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(applied, tablevault::catalog::MIGRATOR.iter().count() as i64);
}

#[tokio::test]
async fn foreign_keys_are_enforced() {
    let test = open().await;
    let error = test
        .catalog
        .create_run(
            tablevault::catalog::NewRun::new(
                tablevault::catalog::RunKind::Backup,
                tablevault::catalog::RunTrigger::Schedule,
            )
            .schedule("sch_missing"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            CatalogError::NotFound {
                entity: "schedule",
                ..
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_path_under_a_regular_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    let error = Catalog::open(blocker.join("state/tablevault.db"))
        .await
        .unwrap_err();
    assert!(matches!(error, CatalogError::CreateDir { .. }), "{error:?}");
    assert!(error.to_string().contains("not-a-dir"), "{error}");
}

#[tokio::test]
async fn a_directory_in_place_of_the_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let error = Catalog::open(dir.path()).await.unwrap_err();
    assert!(matches!(error, CatalogError::Open { .. }), "{error:?}");
    assert!(
        error.to_string().contains("cannot open the state database"),
        "{error}"
    );
}

#[tokio::test]
async fn a_database_from_a_newer_build_is_refused() {
    let test = open().await;
    test.catalog.close().await;
    let path = test.dir.path().join("state/tablevault.db");
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let error = Catalog::open(&path).await.unwrap_err();
    match &error {
        CatalogError::TooNew {
            found, supported, ..
        } => {
            assert_eq!(*found, 9999);
            assert_eq!(*supported, latest_version());
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    assert!(
        error.to_string().contains("newer than this build"),
        "{error}"
    );
}
