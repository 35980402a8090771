//! `spawn_app()`: the whole daemon (`Daemon::build` from a real TOML config) on port 0 with a
//! temporary directory for its SQLite state and its archive store; requests go over real
//! sockets with reqwest.

use std::path::Path;

use crate::support::config::TestConfig;
use tablevault::api::AppState;
use tablevault::config::Config;
use tablevault::daemon::Daemon;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const ADMIN_TOKEN: &str = "admin-token-for-tests-8f3a91";
pub const READ_TOKEN: &str = "read-token-for-tests-2c7d55";
/// A Tablestore AccessKey secret that must never be echoed anywhere.
pub const ACCESS_KEY_SECRET: &str = "ak-secret-do-not-leak-77a1";
/// A MongoDB password that must never be echoed anywhere.
pub const MONGO_PASSWORD: &str = "mongo-pw-do-not-leak-19c4";

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub api: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    /// Kept for the app's lifetime; shared by apps restarted on the same state.
    _temp: Option<TempDir>,
}

/// The config every test app starts from; `extra` is appended (more sources, stores, keys).
pub fn config_text(dir: &Path, extra: &str) -> String {
    TestConfig::new(dir, ADMIN_TOKEN)
        .admin_name("tests-admin")
        .read_token(READ_TOKEN)
        .body_limit_bytes(4096)
        .text(extra)
}

/// A config file's text, parsed and validated without the process environment.
pub fn parse_config(text: &str) -> Config {
    Config::parse_with_env(text, Path::new("test.toml"), |_| None).expect("valid test config")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with("").await
}

pub async fn spawn_app_with(extra: &str) -> TestApp {
    spawn_app_from(|dir| config_text(dir, extra)).await
}

/// An app whose config text `make` writes for a fresh temporary directory.
pub async fn spawn_app_from(make: impl FnOnce(&Path) -> String) -> TestApp {
    let temp = tempfile::tempdir().expect("temp dir");
    let config = parse_config(&make(temp.path()));
    let mut app = spawn_config(config).await;
    app._temp = Some(temp);
    app
}

/// Starts an app from `config`; the caller keeps the directories it names alive.
pub async fn spawn_config(config: Config) -> TestApp {
    let app = Daemon::build(config).await.expect("app builds");
    let address = format!("http://{}", app.addr());
    let state = app.state().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        app.run_until_stopped(async {
            let _ = stopped.await;
        })
        .await
        .expect("serves until stopped");
    });
    TestApp {
        address,
        state,
        api: reqwest::Client::new(),
        stop: Some(stop),
        server: Some(server),
        _temp: None,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = self.api.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent")
    }

    pub async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> reqwest::Response {
        let mut request = self
            .api
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent")
    }

    pub async fn metrics_text(&self) -> String {
        let response = self.get("/metrics", None).await;
        assert_eq!(response.status(), 200);
        response.text().await.expect("metrics body")
    }

    /// Stops serving and waits until the state database is closed.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task");
        }
    }
}

/// A local port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Asserts a problem+json answer with `status` and `code`, and returns the document.
pub async fn assert_problem(
    response: reqwest::Response,
    status: u16,
    code: &str,
) -> serde_json::Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("x-request-id on every answer")
        .to_string();
    let body: serde_json::Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(
        body["type"],
        format!("urn:tablevault:problem:{code}"),
        "{body}"
    );
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    assert_eq!(body["request_id"], request_id.as_str(), "{body}");
    body
}
