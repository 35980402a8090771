//! A running emulator, a temporary archive store, backups written directly through the store
//! API (so the data can hold what a live table could not, like month-old timestamps), and
//! helpers to read a restored table back.

use std::collections::BTreeMap;
use std::sync::Arc;

use tablevault::config::EngineConfig;
use tablevault::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use tablevault::engine::{
    run_restore, EngineError, IfExists, RestoreJob, RestoreReport, RestoreSettings, RunControls,
};
use tablevault::store::{ArchiveStore, ArchiveStoreConfig, BackupStore, Manifest};
use tablevault::tablestore::client::Client;
use tablevault::tablestore::{Row, TableDescription};
use tempfile::TempDir;

use crate::support::backup::publish_backup;
use crate::support::emulator::{normalized, production_client, read_table};

pub use tablevault::selftest::corpus::DAY_MS;

pub struct Fixture {
    pub emulator: EmulatorHandle,
    pub client: Client,
    pub store: Arc<dyn BackupStore>,
    dir: TempDir,
}

impl Fixture {
    pub async fn start() -> Fixture {
        Self::start_with(EmulatorConfig::default()).await
    }

    pub async fn start_with(config: EmulatorConfig) -> Fixture {
        let emulator = Emulator::start(config).await.expect("emulator");
        let client = production_client(&emulator);
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ArchiveStore::open(ArchiveStoreConfig::new(dir.path().join("archive")))
            .await
            .expect("archive store");
        Fixture {
            emulator,
            client,
            store: Arc::new(store),
            dir,
        }
    }

    /// Where the archive store keeps its backups (to damage one on purpose).
    pub fn archive_root(&self) -> std::path::PathBuf {
        self.dir.path().join("archive")
    }

    /// Publishes backup `id` holding `tables` (description, rows in key order).
    pub async fn backup(&self, id: &str, tables: &[(TableDescription, Vec<Row>)]) -> Manifest {
        publish_backup(self.store.as_ref(), id, self.emulator.endpoint(), tables).await
    }

    pub fn job(&self, renames: &[(&str, &str)], if_exists: IfExists) -> RestoreJobSpec {
        RestoreJobSpec {
            tables: Vec::new(),
            renames: renames
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            if_exists,
            dry_run: false,
            settings: RestoreSettings::default(),
        }
    }

    pub async fn restore(
        &self,
        id: &str,
        spec: RestoreJobSpec,
    ) -> Result<RestoreReport, EngineError> {
        self.restore_with(id, spec, &RunControls::new(EngineConfig::default()))
            .await
    }

    pub async fn restore_with(
        &self,
        id: &str,
        spec: RestoreJobSpec,
        ctx: &RunControls,
    ) -> Result<RestoreReport, EngineError> {
        let reader = self.store.open(id).await.expect("open backup");
        let job = RestoreJob {
            reader,
            client: self.client.clone(),
            tables: spec.tables,
            renames: spec.renames,
            if_exists: spec.if_exists,
            dry_run: spec.dry_run,
            settings: spec.settings,
        };
        run_restore(job, ctx).await
    }

    /// Every row of `table`, every version, cells in a canonical order.
    pub async fn read_table(&self, table: &str) -> Vec<Row> {
        read_table(&self.client, table).await
    }
}

pub struct RestoreJobSpec {
    pub tables: Vec<String>,
    pub renames: BTreeMap<String, String>,
    pub if_exists: IfExists,
    pub dry_run: bool,
    pub settings: RestoreSettings,
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

// The typed table is also the self-test's corpus table; one home for both.
pub use tablevault::selftest::typed::{typed_key, typed_row, typed_table};

pub fn typed_rows(n: i64, age_ms: i64) -> Vec<Row> {
    normalized((0..n).map(|i| typed_row(i, age_ms)).collect())
}
