//! The real `tablevault serve` binary: start-up without a config file, SIGTERM with a request
//! in flight, and no secret in any answer or log line.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::helpers::{
    closed_port, config_text, ACCESS_KEY_SECRET, ADMIN_TOKEN, MONGO_PASSWORD, READ_TOKEN,
};
use crate::support::poll::eventually;
use crate::support::serve::{read_address, send_signal, serve_command};

/// A running `tablevault serve`, the address it printed, and its log as read so far.
struct Daemon {
    child: Child,
    address: String,
    logged: Arc<Mutex<String>>,
    log_reader: JoinHandle<()>,
}

impl Daemon {
    fn start(args: &[&str], dir: &std::path::Path, env: &[(&str, &str)]) -> Daemon {
        let mut child = serve_command(dir, args, env)
            .stderr(Stdio::piped())
            .spawn()
            .expect("tablevault starts");
        let logged = Arc::new(Mutex::new(String::new()));
        let stderr = BufReader::new(child.stderr.take().expect("stderr piped"));
        let sink = logged.clone();
        let log_reader = std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let mut logged = sink.lock().unwrap();
                logged.push_str(&line);
                logged.push('\n');
            }
        });
        let address = read_address(&mut child, || logged.lock().unwrap().clone());
        Daemon {
            child,
            address,
            logged,
            log_reader,
        }
    }

    /// How often `text` appears in what the daemon has logged so far.
    fn times_logged(&self, text: &str) -> usize {
        self.logged.lock().unwrap().matches(text).count()
    }

    /// Waits until `text` has been logged more than `times` times.
    async fn logged_more(&self, text: &str, times: usize) {
        eventually(
            &format!("{text:?} logged"),
            Duration::from_secs(20),
            || async { (self.times_logged(text) > times).then_some(()) },
        )
        .await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    fn terminate(&self) {
        send_signal(&self.child, "TERM");
    }

    /// Waits for the exit (at most 20 s) and returns the code and everything logged.
    async fn wait(mut self) -> (Option<i32>, String) {
        let waited = tokio::task::spawn_blocking(move || {
            let status = self.child.wait().expect("wait");
            let mut output = String::new();
            let _ = self
                .child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut output);
            self.log_reader.join().expect("log reader");
            output.push_str(&self.logged.lock().unwrap());
            (status.code(), output)
        });
        tokio::time::timeout(Duration::from_secs(20), waited)
            .await
            .expect("exits within 20 s after SIGTERM")
            .expect("join")
    }
}

#[tokio::test]
async fn without_a_config_file_it_uses_the_embedded_defaults_and_env_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(
        &["--listen", "127.0.0.1:0"],
        dir.path(),
        &[("TABLEVAULT_AUTH_ADMIN_TOKEN", ADMIN_TOKEN)],
    );
    let api = reqwest::Client::new();

    let stores = api
        .get(daemon.url("/api/v1/stores"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(stores.status(), 200);
    let stores: serde_json::Value = stores.json().await.unwrap();
    assert_eq!(
        stores,
        serde_json::json!({ "items": [{ "name": "local", "kind": "archive" }] })
    );
    assert!(dir.path().join("data/tablevault.db").is_file());
    assert!(dir.path().join("data/archive").is_dir());

    daemon.terminate();
    let (code, logs) = daemon.wait().await;
    assert_eq!(code, Some(0), "{logs}");
    assert!(logs.contains("Stopped."), "{logs}");
}

#[tokio::test]
async fn a_second_serve_on_the_same_database_exits_1_naming_the_first_ones_pid() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tablevault.toml");
    std::fs::write(&config, config_text(dir.path(), "")).unwrap();
    let config = config.to_str().unwrap();
    let daemon = Daemon::start(&["--config", config], dir.path(), &[]);

    let second = serve_command(dir.path(), &["--config", config], &[])
        .output()
        .expect("tablevault runs");

    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&second.stderr);
    let lock = dir.path().join("state/tablevault.db.lock");
    assert!(
        stderr.contains(&format!("(pid {})", daemon.child.id())),
        "{stderr}"
    );
    assert!(stderr.contains(&lock.display().to_string()), "{stderr}");
    assert!(second.stdout.is_empty(), "it never listened");
    daemon.terminate();
    let (code, logs) = daemon.wait().await;
    assert_eq!(code, Some(0), "{logs}");
}

/// The statement of the readiness probe's write (and of the state database's opening).
const PROBE_WRITE: &str = "PRAGMA user_version =";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_request_in_flight_finish_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    // /readyz against a MongoDB that never answers takes the whole readiness timeout (3 s).
    let extra = format!(
        "[stores.mongo]\nkind = \"mongodb\"\nuri = \"mongodb://127.0.0.1:{}/?directConnection=true\"\n",
        closed_port()
    );
    let text = config_text(dir.path(), &extra)
        .replace("readiness_timeout = \"1s\"", "readiness_timeout = \"3s\"");
    let config = dir.path().join("tablevault.toml");
    std::fs::write(&config, text).unwrap();
    // The state database's statements in the log show when `/readyz` has begun.
    let daemon = Daemon::start(
        &["--config", config.to_str().unwrap()],
        dir.path(),
        &[("TABLEVAULT_LOG", "info,sqlx::query=debug")],
    );
    let api = reqwest::Client::new();
    assert_eq!(
        api.get(daemon.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Only `/readyz` writes the state database after start-up (its probe that the database
    // keeps what it is told); once that write is logged, the request is in flight.
    daemon.logged_more("Listening.", 0).await;
    let writes_at_start = daemon.times_logged(PROBE_WRITE);
    let in_flight = tokio::spawn(api.get(daemon.url("/readyz")).send());
    daemon.logged_more(PROBE_WRITE, writes_at_start).await;
    daemon.terminate();

    let answer = in_flight
        .await
        .unwrap()
        .expect("the request in flight is answered");
    assert_eq!(answer.status(), 503);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["status"], "not_ready");
    let (code, logs) = daemon.wait().await;
    assert_eq!(code, Some(0), "{logs}");
    assert!(logs.contains("Shutting down"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_appears_in_any_answer_or_log_line() {
    let dir = tempfile::tempdir().unwrap();
    let extra = format!(
        r#"
[sources.prod]
endpoint = "http://127.0.0.1:{port}"
instance = "prod"
access_key_id = "LTAI-test-id"
access_key_secret = "{ACCESS_KEY_SECRET}"

[stores.mongo]
kind = "mongodb"
uri = "mongodb://backup:{MONGO_PASSWORD}@127.0.0.1:{port}/?directConnection=true&authSource=admin"

[logging]
format = "json"
level = "debug"
"#,
        port = closed_port()
    );
    let config = dir.path().join("tablevault.toml");
    std::fs::write(&config, config_text(dir.path(), &extra)).unwrap();
    let daemon = Daemon::start(&["--config", config.to_str().unwrap()], dir.path(), &[]);
    let api = reqwest::Client::new();

    let mut answers = String::new();
    let requests = [
        api.get(daemon.url("/healthz")),
        api.get(daemon.url("/readyz")),
        api.get(daemon.url("/metrics")),
        api.get(daemon.url("/api/v1/stores"))
            .bearer_auth(READ_TOKEN),
        api.get(daemon.url("/api/v1/stores"))
            .bearer_auth("wrong-token-0000000000"),
        api.get(daemon.url("/api/v1/stores")),
        api.post(daemon.url("/api/v1/stores/mongo/check"))
            .bearer_auth(ADMIN_TOKEN),
        api.post(daemon.url("/api/v1/stores/mongo/check"))
            .bearer_auth(READ_TOKEN),
        api.post(daemon.url("/api/v1/stores/local/check"))
            .bearer_auth(ADMIN_TOKEN)
            .header("content-type", "application/json")
            .body("{oops"),
        api.get(daemon.url("/api/v1/sources/prod"))
            .bearer_auth(ADMIN_TOKEN),
    ];
    for request in requests {
        let response = request.send().await.unwrap();
        answers.push_str(&format!("{:?}\n", response.headers()));
        answers.push_str(&response.text().await.unwrap());
        answers.push('\n');
    }
    daemon.terminate();
    let (code, logs) = daemon.wait().await;

    assert_eq!(code, Some(0), "{logs}");
    assert!(
        answers.contains("mongodb") && answers.contains("unauthorized"),
        "{answers}"
    );
    assert!(logs.contains("Store health check failed."), "{logs}");
    for line in logs.lines() {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "not a JSON log line: {line}"
        );
    }
    for secret in [ADMIN_TOKEN, READ_TOKEN, ACCESS_KEY_SECRET, MONGO_PASSWORD] {
        assert!(
            !answers.contains(secret),
            "{secret} in an answer:\n{answers}"
        );
        assert!(!logs.contains(secret), "{secret} in the logs:\n{logs}");
    }
}
