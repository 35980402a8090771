//! One daemon per state database: a second `Daemon::build` on the same file is refused with a
//! message naming the lock and its holder; once the first has stopped, a new one starts.

use tablevault::daemon::lock::InstanceLock;
use tablevault::daemon::{Daemon, DaemonError};

use crate::helpers::{config_text, parse_config, spawn_config};

#[tokio::test]
async fn a_second_daemon_on_the_same_database_is_refused_until_the_first_stops() {
    // Arrange: the first daemon, serving.
    let dir = tempfile::tempdir().unwrap();
    let config = parse_config(&config_text(dir.path(), ""));
    let database = config.database.path.clone();
    let first = spawn_config(config.clone()).await;
    assert_eq!(first.get("/healthz", None).await.status(), 200);

    // Act: a second daemon on the same database (another port).
    let second = Daemon::build(config.clone()).await;

    // Assert: refused, naming the database, the lock file and the holder.
    let error = match second {
        Ok(_) => panic!("a second daemon started on {}", database.display()),
        Err(error) => error,
    };
    assert!(matches!(error, DaemonError::Locked(_)), "{error:?}");
    let message = error.to_string();
    let lock = InstanceLock::path_for(&database);
    assert_eq!(lock, dir.path().join("state/tablevault.db.lock"));
    assert!(message.contains(&lock.display().to_string()), "{message}");
    assert!(
        message.contains(&database.display().to_string()),
        "{message}"
    );
    assert!(
        message.contains(&format!("(pid {})", std::process::id())),
        "{message}"
    );
    // The refused daemon left the first one alone.
    assert_eq!(first.get("/healthz", None).await.status(), 200);

    // Act: stop the first; start again on the same database.
    first.stop().await;
    let third = spawn_config(config).await;

    // Assert
    assert_eq!(third.get("/healthz", None).await.status(), 200);
    third.stop().await;
}

#[tokio::test]
async fn daemons_on_different_databases_run_side_by_side() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();

    let first = spawn_config(parse_config(&config_text(one.path(), ""))).await;
    let second = spawn_config(parse_config(&config_text(two.path(), ""))).await;

    assert_eq!(first.get("/healthz", None).await.status(), 200);
    assert_eq!(second.get("/healthz", None).await.status(), 200);
    first.stop().await;
    second.stop().await;
}
