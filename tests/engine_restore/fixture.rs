//! A running emulator, a temporary archive store, backups written directly through the store
//! API (so the data can hold what a live table could not, like month-old timestamps), and
//! helpers to read a restored table back.

use std::collections::BTreeMap;
use std::sync::Arc;

use tablevault::config::EngineConfig;
use tablevault::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use tablevault::engine::{
    run_restore, EngineError, IfExists, RestoreJob, RestoreReport, RestoreSettings, RunContext,
};
use tablevault::store::{ArchiveStore, ArchiveStoreConfig, BackupStore, Manifest};
use tablevault::tablestore::client::Client;
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};
use tempfile::TempDir;

use crate::support::backup::publish_backup;
use crate::support::emulator::{normalized, production_client, read_table};

pub const DAY_MS: i64 = 86_400_000;

pub struct Fixture {
    pub emulator: EmulatorHandle,
    pub client: Client,
    pub store: Arc<dyn BackupStore>,
    _dir: TempDir,
}

impl Fixture {
    pub async fn start() -> Fixture {
        Self::start_with(EmulatorConfig::default()).await
    }

    pub async fn start_with(config: EmulatorConfig) -> Fixture {
        let emulator = Emulator::start(config).await.expect("emulator");
        let client = production_client(&emulator);
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ArchiveStore::open(ArchiveStoreConfig {
            path: dir.path().join("archive"),
        })
        .await
        .expect("archive store");
        Fixture {
            emulator,
            client,
            store: Arc::new(store),
            _dir: dir,
        }
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
        self.restore_with(id, spec, &RunContext::new(EngineConfig::default()))
            .await
    }

    pub async fn restore_with(
        &self,
        id: &str,
        spec: RestoreJobSpec,
        ctx: &RunContext,
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

/// A table keyed by (string, integer, binary) keeping 5 versions, default deviation (1 day).
pub fn typed_table(name: &str) -> TableDescription {
    let mut d = TableDescription::new(
        name,
        vec![
            PkSchema::new("region", PkType::String),
            PkSchema::new("id", PkType::Integer),
            PkSchema::new("tag", PkType::Binary),
        ],
    );
    d.options.max_versions = 5;
    d
}

pub fn typed_key(i: i64) -> PrimaryKey {
    PrimaryKey::new([
        ("region", PkValue::String(format!("r-{:03}", i / 10))),
        ("id", PkValue::Integer(i - 50)),
        ("tag", PkValue::Binary(vec![i as u8, 0, 255])),
    ])
}

/// Row `i` of a typed table: every fourth row is PK-only; the others carry every value type
/// with edge values and a column with three versions, the oldest `age_ms` before now.
pub fn typed_row(i: i64, age_ms: i64) -> Row {
    if i % 4 == 0 {
        return Row::new(typed_key(i), Vec::new());
    }
    let ts = now_ms() - age_ms + i;
    let doubles = [
        -0.0,
        f64::NAN,
        f64::from_bits(0x7ff4_dead_beef_cafe),
        1e-310,
        f64::MAX,
    ];
    let mut cells = vec![
        Cell::put_at("b", Value::Boolean(i % 2 == 0), ts),
        Cell::put_at(
            "bin",
            Value::Binary([0, 1, 2, 255].repeat((i % 3) as usize)),
            ts,
        ),
        Cell::put_at("d", Value::Double(doubles[(i % 5) as usize]), ts),
        Cell::put_at(
            "i",
            Value::Integer([i64::MIN, i64::MAX, 0, -1][(i % 4) as usize]),
            ts,
        ),
        Cell::put_at(
            "s",
            Value::String(["", "plain", "ключ 😀 \u{0}"][(i % 3) as usize].into()),
            ts,
        ),
    ];
    for v in 0..3 {
        cells.push(Cell::put_at("v", Value::Integer(v), ts - v * DAY_MS / 2));
    }
    Row::new(typed_key(i), cells)
}

pub fn typed_rows(n: i64, age_ms: i64) -> Vec<Row> {
    normalized((0..n).map(|i| typed_row(i, age_ms)).collect())
}
