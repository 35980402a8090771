//! A daemon with a real source: the in-process emulator as source `prod` holding an `orders`
//! table, the archive store `local`; and waits for runs through the API.

use std::path::Path;
use std::time::Duration;

use serde_json::Value as Json;
use tablevault::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use tablevault::tablestore::client::RowExistence;
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};

use crate::helpers::{config_text, spawn_app_from, TestApp, ADMIN_TOKEN};
use crate::support::poll::poll_until;

pub const ORDERS_ROWS: i64 = 30;
/// Safety net for a run to end; a test that reaches it has failed.
const RUN_LIMIT: Duration = Duration::from_secs(60);
/// Safety net for continuous capture to turn a stream on or store a write.
const CAPTURE_LIMIT: Duration = Duration::from_secs(30);

pub struct Rig {
    pub app: TestApp,
    pub _emulator: EmulatorHandle,
}

pub async fn rig() -> Rig {
    rig_with(EmulatorConfig::default(), |_| String::new()).await
}

/// [`rig`] over an emulator configured as given (e.g. a short stream hour), with more config
/// (e.g. a second store) written by `extra` for the app's directory.
pub async fn rig_with(emulator: EmulatorConfig, extra: impl FnOnce(&Path) -> String) -> Rig {
    let emulator = Emulator::start(emulator).await.expect("emulator");
    let e = emulator.config();
    let source = format!(
        "[sources.prod]\nendpoint = \"{}\"\ninstance = \"{}\"\naccess_key_id = \"{}\"\n\
         access_key_secret = \"{}\"\n",
        emulator.endpoint(),
        e.instance,
        e.access_key_id,
        e.access_key_secret
    );
    let app = spawn_app_from(|dir| config_text(dir, &format!("{source}\n{}", extra(dir)))).await;
    let client = app.state.tablestore_client("prod").expect("source");
    let table = TableDescription::new("orders", vec![PkSchema::new("id", PkType::Integer)]);
    client.create_table(&table).await.expect("table");
    for i in 0..ORDERS_ROWS {
        let row = Row::new(
            PrimaryKey::new([("id", PkValue::Integer(i))]),
            vec![Cell::put("note", Value::String(format!("order {i}")))],
        );
        client
            .put_row("orders", &row, RowExistence::Ignore)
            .await
            .expect("row");
    }
    Rig {
        app,
        _emulator: emulator,
    }
}

impl Rig {
    pub async fn post(&self, path: &str, body: &Json) -> reqwest::Response {
        self.app
            .post_json(path, Some(ADMIN_TOKEN), &body.to_string())
            .await
    }

    pub async fn get_json(&self, path: &str) -> Json {
        let response = self.app.get(path, Some(ADMIN_TOKEN)).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("JSON body")
    }

    /// Creates a schedule (paused, so only run-now fires it) and returns its JSON.
    pub async fn schedule(&self, name: &str) -> Json {
        let body = serde_json::json!({
            "name": name, "cron": "0 3 * * *", "timezone": "Europe/Berlin",
            "source": "prod", "store": "local", "tables": ["orders"], "paused": true,
        });
        let response = self.post("/api/v1/schedules", &body).await;
        assert_eq!(response.status(), 201);
        response.json().await.expect("schedule JSON")
    }

    /// Creates a continuous schedule `name` of `orders`, waits for its capture to turn the
    /// stream on, writes row `id = 1000`, and waits until the metrics count it captured.
    /// Returns the schedule's JSON.
    pub async fn continuous_schedule_with_a_captured_write(&self, name: &str) -> Json {
        let body = serde_json::json!({"name": name, "cron": "0 3 * * *", "source": "prod",
                                      "store": "local", "tables": ["orders"], "mode": "continuous"});
        let response = self.post("/api/v1/schedules", &body).await;
        assert_eq!(response.status(), 201);
        let schedule: Json = response.json().await.expect("schedule JSON");
        let client = self.app.state.tablestore_client("prod").expect("source");
        poll_until("the stream to be on", CAPTURE_LIMIT, || {
            let client = client.clone();
            async move {
                let details = client
                    .stream_details("orders")
                    .await
                    .map_err(|e| e.to_string())?;
                details
                    .enabled
                    .then_some(())
                    .ok_or_else(|| "stream off".to_string())
            }
        })
        .await;
        let row = Row::new(
            PrimaryKey::new([("id", PkValue::Integer(1000))]),
            vec![Cell::put("note", Value::String("captured".into()))],
        );
        client
            .put_row("orders", &row, RowExistence::Ignore)
            .await
            .expect("row");
        let series =
            format!("tablevault_capture_records_total{{schedule=\"{name}\",table=\"orders\"}}");
        poll_until("the write to be captured", CAPTURE_LIMIT, || async {
            let metrics = self.app.metrics_text().await;
            let captured = metrics
                .lines()
                .find_map(|line| line.strip_prefix(series.as_str()))
                .and_then(|value| value.trim().parse::<f64>().ok())
                .unwrap_or(0.0);
            (captured >= 1.0)
                .then_some(())
                .ok_or_else(|| format!("{series} = {captured}"))
        })
        .await;
        schedule
    }

    /// An ad-hoc backup of `orders` that completed; its id.
    pub async fn completed_backup(&self) -> String {
        let body = serde_json::json!({"source": "prod", "store": "local", "tables": ["orders"]});
        let run = self
            .finished_run(&self.start_run("/api/v1/backups", &body).await)
            .await;
        assert_eq!(run["status"], "succeeded", "{run}");
        run["backup_id"].as_str().expect("backup id").to_string()
    }

    /// A paused hourly schedule `name` of a table that is deleted from the source once the
    /// schedule exists (creating a schedule checks its tables), so its runs fail.
    pub async fn schedule_of_a_vanished_table(&self, name: &str) -> Json {
        let client = self.app.state.tablestore_client("prod").expect("source");
        let table = TableDescription::new("vanished", vec![PkSchema::new("id", PkType::Integer)]);
        client.create_table(&table).await.expect("table");
        let body = serde_json::json!({
            "name": name, "cron": "0 * * * *", "source": "prod", "store": "local",
            "tables": ["vanished"], "paused": true,
        });
        let response = self.post("/api/v1/schedules", &body).await;
        assert_eq!(response.status(), 201);
        let schedule = response.json().await.expect("schedule JSON");
        client
            .delete_table("vanished")
            .await
            .expect("table deleted");
        schedule
    }

    /// `POST path` expecting `202 {run_id}`; returns the run id.
    pub async fn start_run(&self, path: &str, body: &Json) -> String {
        let response = self.post(path, body).await;
        assert_eq!(response.status(), 202, "POST {path}");
        let location = response.headers()["location"]
            .to_str()
            .expect("ascii")
            .to_string();
        let accepted: Json = response.json().await.expect("JSON");
        let run_id = accepted["run_id"].as_str().expect("run_id").to_string();
        assert_eq!(location, format!("/api/v1/runs/{run_id}"));
        run_id
    }

    /// Polls the run until it names its backup (a backup run creates it once started).
    pub async fn backup_of(&self, run_id: &str) -> String {
        let what = format!("run {run_id} names its backup");
        poll_until(&what, RUN_LIMIT, || async {
            let run = self.get_json(&format!("/api/v1/runs/{run_id}")).await;
            match run["backup_id"].as_str() {
                Some(id) => Ok(id.to_string()),
                None => Err(run.to_string()),
            }
        })
        .await
    }

    /// Polls the run until it has a final status, and returns it.
    pub async fn finished_run(&self, run_id: &str) -> Json {
        let what = format!("run {run_id} ends");
        poll_until(&what, RUN_LIMIT, || async {
            let run = self.get_json(&format!("/api/v1/runs/{run_id}")).await;
            match run["status"].as_str() {
                Some("queued" | "running") => Err(run.to_string()),
                _ => Ok(run),
            }
        })
        .await
    }
}
