//! `Type=notify`: the daemon reports to a real `NOTIFY_SOCKET` (a unix datagram socket bound
//! here, as systemd binds its own) and keeps running on SIGHUP (which reloads the file's
//! schedules).

use std::os::unix::net::UnixDatagram;
use std::path::Path;

use crate::support::daemon::{config_text, Daemon, LIMIT};

/// The socket systemd would pass in `NOTIFY_SOCKET`.
struct NotifySocket {
    socket: UnixDatagram,
}

impl NotifySocket {
    fn bind(path: &Path) -> NotifySocket {
        let socket = UnixDatagram::bind(path).expect("notify socket bound");
        socket.set_read_timeout(Some(LIMIT)).expect("read timeout");
        NotifySocket { socket }
    }

    /// Every datagram up to and including the first that has the line `line`.
    fn until(&self, line: &str) -> Vec<String> {
        let mut seen = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let len = match self.socket.recv(&mut buffer) {
                Ok(len) => len,
                Err(e) => panic!("no {line:?} ({e}); received {seen:?}"),
            };
            let message = String::from_utf8_lossy(&buffer[..len]).into_owned();
            let done = message.lines().any(|l| l == line);
            seen.push(message);
            if done {
                return seen;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_once_warmed_up_and_stopping_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = NotifySocket::bind(&socket_path);
    let mut daemon = Daemon::start(
        dir.path(),
        &config_text(dir.path(), 5, ""),
        &[("NOTIFY_SOCKET", socket_path.to_str().unwrap())],
    );

    let start_up = socket.until("READY=1");
    assert!(
        start_up[0].starts_with("STATUS=Starting"),
        "the first notification is a status: {start_up:?}"
    );
    let ready = start_up.last().unwrap();
    assert!(
        ready.contains(&format!("STATUS=Serving on {}.", daemon.address)),
        "{ready}"
    );
    // READY=1 comes after the warm-up: catalog migrated, scheduler started.
    let logs = daemon.logs();
    assert!(logs.contains("Scheduler started."), "{logs}");
    assert!(dir.path().join("state/tablevault.db").is_file());
    let api = reqwest::Client::new();
    for probe in ["/healthz", "/readyz"] {
        let status = api.get(daemon.url(probe)).send().await.unwrap().status();
        assert_eq!(status, 200, "{probe} once READY=1 was sent");
    }

    daemon.signal("TERM");
    let stop = socket.until("STOPPING=1");
    assert!(
        stop.last()
            .unwrap()
            .contains("STATUS=Stopping: letting requests and runs finish (at most 5 s)."),
        "{stop:?}"
    );
    let status = daemon.wait();
    assert_eq!(status.code(), Some(0), "{}", daemon.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchdog_pings_when_the_service_manager_asks_for_them() {
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = NotifySocket::bind(&socket_path);
    let mut daemon = Daemon::start(
        dir.path(),
        &config_text(dir.path(), 5, ""),
        &[
            ("NOTIFY_SOCKET", socket_path.to_str().unwrap()),
            ("WATCHDOG_USEC", "200000"),
        ],
    );
    socket.until("READY=1");
    // Two pings: the loop keeps pinging, it did not just send one at start.
    socket.until("WATCHDOG=1");
    socket.until("WATCHDOG=1");
    assert!(
        daemon.logs().contains("watchdog enabled"),
        "{}",
        daemon.logs()
    );
    daemon.signal("TERM");
    assert_eq!(daemon.wait().code(), Some(0), "{}", daemon.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_file_and_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let mut daemon = Daemon::start(dir.path(), &config_text(dir.path(), 5, ""), &[]);
    daemon.signal("HUP");
    daemon.wait_for_log("Reloaded the schedules from the config file (SIGHUP).");
    let api = reqwest::Client::new();
    let status = api
        .get(daemon.url("/healthz"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200, "still serving after SIGHUP");
    daemon.signal("TERM");
    assert_eq!(daemon.wait().code(), Some(0), "{}", daemon.logs());
    assert!(daemon.logs().contains("Stopped."), "{}", daemon.logs());
}
