//! The whole stop fits in one `server.shutdown_grace_seconds`: a request in flight and a
//! backup that both outlast the grace period are waited for at the same time, not one after
//! the other (the old behaviour took up to twice the grace, and a stuck run 30 s more).

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use tablevault::catalog::{Catalog, RunStatus};
use tablevault::emulator::{Emulator, EmulatorConfig, FaultConfig};

use crate::orders_source::orders_source;
use crate::support::daemon::{config_text, Daemon, ADMIN_TOKEN, LIMIT};
use crate::support::poll::poll_until;

const GRACE_SECONDS: u64 = 4;

/// Opens a request whose body never arrives: the handler waits for it for the whole request
/// timeout (30 s), so the request is in flight when the grace period ends. Returns once the
/// handler reads the body: the request expects `100 Continue`, which the server sends then.
async fn start_a_slow_upload(daemon: &Daemon) -> TcpStream {
    let addr = daemon.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /api/v1/backups HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).await.expect("head sent");
    let interim = tokio::time::timeout(LIMIT, read_head(&mut stream))
        .await
        .expect("the handler reads the body");
    assert!(
        interim.starts_with("HTTP/1.1 100 Continue"),
        "{interim}\n{}",
        daemon.logs()
    );
    stream
}

/// Reads one response head (up to its blank line).
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8];
        let read = stream.read(&mut byte).await.expect("read");
        assert_eq!(read, 1, "closed after {:?}", String::from_utf8_lossy(&head));
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_with_a_slow_request_and_a_slow_run_takes_one_grace_period() {
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator");
    let extra = orders_source(&emulator).await;
    // Every scan takes a minute: the backup is still scanning when the grace period ends.
    emulator.set_faults(FaultConfig {
        latency_ms: 60_000,
        actions: vec!["GetRange".into()],
        ..FaultConfig::default()
    });

    let dir = tempfile::tempdir().unwrap();
    let config = config_text(dir.path(), GRACE_SECONDS, &extra);
    let mut daemon = Daemon::start(dir.path(), &config, &[]);
    let api = reqwest::Client::new();

    let body = serde_json::json!({"source": "prod", "store": "local", "tables": ["orders"]});
    let run_id = daemon.start_run(&api, "/api/v1/backups", &body).await;
    wait_until_running(&api, &daemon, &run_id).await;
    let mut in_flight = start_a_slow_upload(&daemon).await;

    let signalled = Instant::now();
    daemon.signal("TERM");
    let status = tokio::task::spawn_blocking(move || {
        let status = daemon.wait();
        (status, daemon)
    });
    let (status, daemon) = status.await.expect("join");
    let took = signalled.elapsed();

    assert_eq!(status.code(), Some(0), "{}", daemon.logs());
    assert!(
        took < Duration::from_secs(2 * GRACE_SECONDS),
        "the stop took {took:?}, more than one grace period of {GRACE_SECONDS} s (+ margin):\n{}",
        daemon.logs()
    );
    let logs = daemon.logs();
    assert!(logs.contains("dropping requests still in flight"), "{logs}");
    let mut answer = Vec::new();
    let _ = in_flight.read_to_end(&mut answer).await;
    assert!(
        answer.is_empty(),
        "the slow request was dropped, not answered: {}",
        String::from_utf8_lossy(&answer)
    );
    // The run was cancelled and recorded within the budget, not abandoned to recovery.
    let catalog = Catalog::open(dir.path().join("state/tablevault.db"))
        .await
        .expect("catalog");
    let run = catalog.get_run(&run_id).await.expect("run");
    assert_eq!(run.status, RunStatus::Cancelled, "{logs}");
    catalog.close().await;
}

async fn wait_until_running(api: &reqwest::Client, daemon: &Daemon, run_id: &str) {
    poll_until("the run starts", LIMIT, || async {
        let run: serde_json::Value = api
            .get(daemon.url(&format!("/api/v1/runs/{run_id}")))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        match run["status"].as_str() {
            Some("running") => Ok(()),
            Some("queued") => Err(run.to_string()),
            _ => panic!("the run did not start: {run}\n{}", daemon.logs()),
        }
    })
    .await
}
