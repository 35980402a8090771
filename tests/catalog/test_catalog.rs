//! A catalog in a fresh temporary directory with a clock the test moves, and manifests.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use tablevault::catalog::Catalog;
use tablevault::store::{Manifest, SourceInfo, TableManifest, FORMAT_VERSION};
use tablevault::tablestore::{PkSchema, PkType, TableDescription};
use tempfile::TempDir;

/// A test catalog; keeps its directory alive.
pub struct TestCatalog {
    pub catalog: Catalog,
    pub clock: TestClock,
    pub dir: TempDir,
}

/// A clock that only moves when told to.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        TestClock(Arc::new(Mutex::new(start)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().expect("clock lock") += by;
    }
}

pub fn t0() -> DateTime<Utc> {
    "2024-05-01T12:00:00Z".parse().expect("valid time")
}

/// Opens a catalog at `<tmp>/state/tablevault.db` (the parent does not exist yet).
pub async fn open() -> TestCatalog {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = TestClock::new(t0());
    let catalog = open_at(&dir, &clock).await;
    TestCatalog {
        catalog,
        clock,
        dir,
    }
}

pub async fn open_at(dir: &TempDir, clock: &TestClock) -> Catalog {
    let path = dir.path().join("state").join("tablevault.db");
    let clock = clock.clone();
    Catalog::open(&path)
        .await
        .expect("catalog opens")
        .with_clock(move || clock.now())
}

/// A published backup's manifest with one table per `(name, rows)`.
pub fn manifest(
    id: &str,
    source: &str,
    finished_at: DateTime<Utc>,
    tables: &[(&str, u64)],
) -> Manifest {
    Manifest {
        format_version: FORMAT_VERSION,
        tablevault_version: "test".into(),
        backup_id: id.into(),
        source: SourceInfo {
            name: source.into(),
            endpoint: "http://127.0.0.1:1".into(),
            instance: "test".into(),
        },
        started_at: finished_at - Duration::minutes(5),
        finished_at,
        all_versions: false,
        tables: tables
            .iter()
            .map(|(name, rows)| TableManifest {
                description: TableDescription::new(
                    *name,
                    vec![PkSchema::new("id", PkType::Integer)],
                ),
                rows: *rows,
                cells: rows * 2,
                bytes: rows * 100,
                checksum: format!("crc:{name}:{rows}"),
            })
            .collect(),
    }
}
