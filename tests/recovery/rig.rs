//! A real daemon over an in-process Tablestore emulator (source `prod`, table `orders`) and
//! the archive store `local`, with state in a temporary directory that outlives restarts.

use std::path::Path;

use tablevault::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use tablevault::runs::crash_point::CRASH_AT_VAR;
use tablevault::store::{ArchiveStore, ArchiveStoreConfig, BackupStore};
use tablevault::tablestore::client::{chunk_writes, Client, RowWrite};
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};
use tempfile::TempDir;

use crate::support::daemon::{config_text, Daemon};
use crate::support::emulator::production_client;

pub const ORDERS_ROWS: i64 = 200;
const GRACE_SECONDS: u64 = 5;

pub struct Rig {
    pub dir: TempDir,
    pub emulator: EmulatorHandle,
    config: String,
}

impl Rig {
    /// The emulator loaded with `orders`, and a config naming it; `extra` is appended (more
    /// stores, `[engine]` settings).
    pub async fn new(emulator: EmulatorConfig, extra: &str) -> Rig {
        let emulator = Emulator::start(emulator).await.expect("emulator");
        load_orders(&production_client(&emulator)).await;
        let e = emulator.config();
        let dir = tempfile::tempdir().expect("temp dir");
        let source = format!(
            "[sources.prod]\nendpoint = \"{}\"\ninstance = \"{}\"\naccess_key_id = \"{}\"\n\
             access_key_secret = \"{}\"\n{extra}",
            emulator.endpoint(),
            e.instance,
            e.access_key_id,
            e.access_key_secret,
        );
        let config = config_text(dir.path(), GRACE_SECONDS, &source);
        Rig {
            dir,
            emulator,
            config,
        }
    }

    /// Starts the daemon; with `crash_at`, it aborts at that crash point.
    pub fn start(&self, crash_at: Option<&str>) -> Daemon {
        let env: Vec<(&str, &str)> = crash_at.map(|p| (CRASH_AT_VAR, p)).into_iter().collect();
        Daemon::start(self.dir.path(), &self.config, &env)
    }

    /// The archive store the daemon writes, opened by the test to check its contents.
    pub async fn archive(&self) -> ArchiveStore {
        ArchiveStore::open(ArchiveStoreConfig::new(self.dir.path().join("archive")))
            .await
            .expect("archive opens")
    }

    /// Ids of the backups published in the archive, sorted.
    pub async fn published(&self) -> Vec<String> {
        let mut ids: Vec<String> = (self.archive().await.list().await.expect("listed"))
            .into_iter()
            .map(|m| m.backup_id)
            .collect();
        ids.sort();
        ids
    }
}

/// Waits for a daemon that hit its crash point to die, and checks that is why it died.
pub fn wait_for_crash(mut daemon: Daemon, point: &str) {
    let status = daemon.wait();
    let logs = daemon.logs();
    assert!(!status.success(), "exited normally: {logs}");
    assert!(
        logs.contains(&format!("{CRASH_AT_VAR}={point}: aborting")),
        "did not stop at {point}: {logs}"
    );
}

async fn load_orders(client: &Client) {
    let table = TableDescription::new("orders", vec![PkSchema::new("id", PkType::Integer)]);
    client.create_table(&table).await.expect("table");
    let writes: Vec<RowWrite> = (0..ORDERS_ROWS)
        .map(|i| {
            let key = PrimaryKey::new([("id", PkValue::Integer(i))]);
            let cells = vec![Cell::put("note", Value::String(format!("order {i}")))];
            RowWrite::put("orders", Row::new(key, cells))
        })
        .collect();
    for batch in chunk_writes(writes).expect("writes fit") {
        let results = client.batch_write(&batch).await.expect("batch write");
        assert!(results.iter().all(Result::is_ok), "every row written");
    }
}

/// The state database of a daemon that is not running, for checks between two lives.
pub async fn catalog(dir: &Path) -> tablevault::catalog::Catalog {
    tablevault::catalog::Catalog::open(dir.join("state/tablevault.db"))
        .await
        .expect("catalog")
}
