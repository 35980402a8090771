//! `tablevault health`, the container HEALTHCHECK, against a real daemon.

use std::process::{Command, Output};

use crate::support::daemon::{config_text, Daemon};

fn health(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tablevault"))
        .arg("health")
        .args(args)
        .env_remove("TABLEVAULT_HEALTH_URL")
        .envs(env.iter().copied())
        .output()
        .expect("tablevault health runs")
}

fn text(output: &Output) -> String {
    format!(
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[test]
fn a_healthy_daemon_exits_0_for_healthz_and_readyz() {
    let dir = tempfile::tempdir().unwrap();
    let mut daemon = Daemon::start(dir.path(), &config_text(dir.path(), 5, ""), &[]);

    let live = health(&["--url", &daemon.address], &[]);
    assert_eq!(live.status.code(), Some(0), "{}", text(&live));
    let stdout = String::from_utf8_lossy(&live.stdout);
    assert!(stdout.contains("/healthz: 200 OK"), "{stdout}");

    // The URL may come from the environment (an image whose daemon listens elsewhere).
    let ready = health(
        &["--ready"],
        &[("TABLEVAULT_HEALTH_URL", &format!("{}/", daemon.address))],
    );
    assert_eq!(ready.status.code(), Some(0), "{}", text(&ready));
    assert!(String::from_utf8_lossy(&ready.stdout).contains("/readyz: 200 OK"));

    daemon.signal("TERM");
    assert_eq!(daemon.wait().code(), Some(0));
}

#[test]
fn a_daemon_with_a_store_down_is_alive_but_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    let extra = format!(
        "[stores.mongo]\nkind = \"mongodb\"\nuri = \"mongodb://127.0.0.1:{}/?directConnection=true&serverSelectionTimeoutMS=1000\"\n",
        closed_port()
    );
    let mut daemon = Daemon::start(dir.path(), &config_text(dir.path(), 5, &extra), &[]);

    let live = health(&["--url", &daemon.address], &[]);
    assert_eq!(live.status.code(), Some(0), "{}", text(&live));
    let ready = health(&["--url", &daemon.address, "--ready"], &[]);
    assert_eq!(ready.status.code(), Some(1), "{}", text(&ready));
    let stderr = String::from_utf8_lossy(&ready.stderr);
    assert!(
        stderr.starts_with("error: GET ") && stderr.contains("503 Service Unavailable"),
        "{stderr}"
    );
    assert!(stderr.contains("not_ready"), "the body is quoted: {stderr}");

    daemon.signal("TERM");
    assert_eq!(daemon.wait().code(), Some(0));
}

#[test]
fn no_daemon_exits_1_with_one_error_line() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let output = health(&["--url", &url, "--timeout", "2"], &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: GET {url}/healthz: ")),
        "{stderr}"
    );
}
