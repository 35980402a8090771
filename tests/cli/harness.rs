//! Running the built binary against an in-process emulator and a temporary archive store.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use tablevault::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use tablevault::store::{ArchiveStore, ArchiveStoreConfig, BackupStore};
use tablevault::tablestore::client::{Client, RowExistence};
use tablevault::tablestore::{
    proto, Cell, ColumnType, DefinedColumn, IndexDefinition, PkSchema, PkType, PkValue, PrimaryKey,
    Row, SearchIndexDefinition, TableDescription, Value,
};
use tempfile::TempDir;

use crate::support::backup::publish_backup;
use crate::support::emulator::{normalized, production_client, read_table};

pub struct Env {
    pub emulator: EmulatorHandle,
    pub client: Client,
    pub dir: TempDir,
    pub config: PathBuf,
}

/// What one run of the binary printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The single stderr line of a failed run.
    pub fn error_line(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "expected one stderr line, got: {}",
            self.stderr
        );
        lines[0]
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

impl Env {
    pub async fn start() -> Env {
        Env::start_with(EmulatorConfig::default()).await
    }

    /// An environment whose emulator runs with `config` (its listen address and credentials
    /// must stay the defaults the config file names).
    pub async fn start_with(config: EmulatorConfig) -> Env {
        let emulator = Emulator::start(config).await.expect("emulator");
        let client = production_client(&emulator);
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("tablevault.toml");
        let env = Env {
            emulator,
            client,
            dir,
            config,
        };
        env.write_config("test-sk");
        env
    }

    pub fn archive_root(&self) -> PathBuf {
        self.dir.path().join("archive")
    }

    /// A config with source `test` (the emulator, signing with `secret`), a source `dead`
    /// pointing at a closed port, and the archive store `local`.
    pub fn write_config(&self, secret: &str) {
        let dead_port = closed_port();
        let text = format!(
            r#"
[sources.test]
endpoint = "{endpoint}"
instance = "emulator"
access_key_id = "test-ak"
access_key_secret = "{secret}"

[sources.dead]
endpoint = "http://127.0.0.1:{dead_port}"
instance = "emulator"
access_key_id = "test-ak"
access_key_secret = "test-sk"

[stores.local]
kind = "archive"
path = "{archive}"
"#,
            endpoint = self.emulator.endpoint(),
            archive = self.archive_root().display(),
        );
        std::fs::write(&self.config, text).expect("write config");
    }

    /// Runs `tablevault ARGS` (with `--config` added after the subcommand when `config`).
    pub async fn run(&self, args: &[&str]) -> Run {
        let mut full: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        full.insert(1, self.config.display().to_string());
        full.insert(1, "--config".into());
        run_binary(full).await
    }

    pub async fn store(&self) -> Arc<dyn BackupStore> {
        Arc::new(
            ArchiveStore::open(ArchiveStoreConfig::new(self.archive_root()))
                .await
                .expect("archive"),
        )
    }

    /// Creates `table` in the emulator and fills it with `rows`.
    pub async fn create_source_table(&self, table: &TableDescription, rows: &[Row]) {
        self.client.create_table(table).await.expect("create table");
        for row in rows {
            self.client
                .put_row(&table.name, row, RowExistence::Ignore)
                .await
                .expect("put row");
        }
    }

    /// Publishes backup `id` of `tables` straight through the store API.
    pub async fn write_backup(&self, id: &str, tables: &[(TableDescription, Vec<Row>)]) {
        let store = self.store().await;
        publish_backup(store.as_ref(), id, self.emulator.endpoint(), tables).await;
    }

    /// Every row of `table`, every version, cells in Tablestore's order.
    pub async fn read_table(&self, table: &str) -> Vec<Row> {
        read_table(&self.client, table).await
    }
}

pub async fn run_binary(args: Vec<String>) -> Run {
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_tablevault"))
            .args(&args)
            .env_remove("RUST_LOG")
            .output()
            .expect("run tablevault")
    })
    .await
    .expect("join");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A local port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Table `name`: (id INTEGER, name STRING) keys, 3 versions.
pub fn table(name: &str) -> TableDescription {
    let mut d = TableDescription::new(
        name,
        vec![
            PkSchema::new("id", PkType::Integer),
            PkSchema::new("name", PkType::String),
        ],
    );
    d.options.max_versions = 3;
    d
}

/// Rows with several types, two versions of `v`, and a PK-only row; timestamps within the
/// last hour.
pub fn rows(n: i64) -> Vec<Row> {
    let now = chrono::Utc::now().timestamp_millis();
    let rows = (0..n)
        .map(|i| {
            let key = PrimaryKey::new([
                ("id", PkValue::Integer(i)),
                ("name", PkValue::String(format!("n{i}"))),
            ]);
            if i == 0 {
                return Row::new(key, Vec::new());
            }
            let ts = now - 60_000 + i;
            Row::new(
                key,
                vec![
                    Cell::put_at("d", Value::Double(i as f64 / 3.0), ts),
                    Cell::put_at("s", Value::String(format!("row {i} ü")), ts),
                    Cell::put_at("v", Value::Integer(i), ts),
                    Cell::put_at("v", Value::Integer(-i), ts - 1000),
                    Cell::put_at("x", Value::Binary(vec![i as u8; 10]), ts),
                ],
            )
        })
        .collect();
    normalized(rows)
}

/// Flips one byte in the middle of every data file of `table` in backup `id`.
pub fn corrupt_table(root: &Path, id: &str, table: &str) -> usize {
    let mut flipped = 0;
    let mut stack = vec![root.join(id)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.components().any(|c| c.as_os_str() == table) {
                let mut bytes = std::fs::read(&path).expect("read");
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0x01;
                std::fs::write(&path, bytes).expect("write");
                flipped += 1;
            }
        }
    }
    flipped
}

/// A table with a secondary index and a search index, so backup and restore meet both.
pub async fn create_indexed_table(env: &Env, name: &str) {
    let mut description = TableDescription::new(name, vec![PkSchema::new("id", PkType::Integer)]);
    description.defined_columns = vec![DefinedColumn {
        name: "city".into(),
        column_type: ColumnType::String,
    }];
    let rows: Vec<Row> = (0..5)
        .map(|i| {
            let key = PrimaryKey::new([("id", PkValue::Integer(i))]);
            Row::new(key, vec![Cell::put("city", Value::String(format!("c{i}")))])
        })
        .collect();
    env.create_source_table(&description, &rows).await;
    let index = IndexDefinition {
        name: format!("{name}_by_city"),
        primary_key: vec!["city".into()],
        defined_columns: Vec::new(),
        sync: true,
        local: false,
    };
    env.client
        .create_index(name, &index, true)
        .await
        .expect("create index");
    let search = SearchIndexDefinition {
        name: "search".into(),
        schema: proto::IndexSchema {
            field_schemas: vec![proto::FieldSchema {
                field_name: Some("city".into()),
                field_type: Some(proto::FieldType::Keyword as i32),
                index: Some(true),
                ..Default::default()
            }],
            ..Default::default()
        },
        time_to_live: Some(-1),
    };
    env.client
        .create_search_index(name, &search)
        .await
        .expect("create search index");
}
