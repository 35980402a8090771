//! What deploy/docker/Dockerfile relies on: `serve` takes its config file and listen address
//! from `TABLEVAULT_CONFIG` and `TABLEVAULT_LISTEN` (the image's ENV), so the image needs no
//! arguments beyond `serve`, and a mounted config file replaces the default one.

use crate::support::daemon::{config_text, Daemon};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_image_environment_names_the_config_file_and_the_listen_address() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("mounted.toml");
    // The file says port 0 on loopback; the environment's address wins, as --listen would.
    std::fs::write(&config, config_text(dir.path(), 5, "")).unwrap();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let listen = format!("127.0.0.1:{port}");
    let mut daemon = Daemon::start_with(
        dir.path(),
        &[],
        &[
            ("TABLEVAULT_CONFIG", config.to_str().unwrap()),
            ("TABLEVAULT_LISTEN", &listen),
        ],
    );
    assert_eq!(daemon.address, format!("http://{listen}"));
    // The state is where the mounted file says, not the embedded default ./data.
    assert!(dir.path().join("state/tablevault.db").is_file());
    assert!(!dir.path().join("data").exists());
    let status = reqwest::get(daemon.url("/readyz")).await.unwrap().status();
    assert_eq!(status, 200);
    daemon.signal("TERM");
    assert_eq!(daemon.wait().code(), Some(0), "{}", daemon.logs());
}
