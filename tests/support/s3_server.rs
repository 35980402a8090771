//! A real S3-compatible server (the `s3s-fs` crate's server) for tests, in its own process,
//! keeping objects as files in a temporary directory so a restart keeps them.
//!
//! One server per test; it listens on a port chosen by the OS. The binary comes from
//! `TABLEVAULT_S3S_FS`, then `PATH`, then `~/.cargo/bin`; `scripts/test` installs it. If it is
//! missing the test fails with install instructions: a skipped store test would look like a
//! passing one.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{mpsc, Arc, Mutex},
    thread,
    time::Duration,
};

use super::server_process::{find_binary, watch};

use tablevault::store::s3::S3StoreConfig;

const BINARY: &str = "s3s-fs";
const INSTALL_HINT: &str = "install it with `cargo install s3s-fs --version 0.14.1 --features \
    binary --locked` (scripts/test does) or point TABLEVAULT_S3S_FS at it";
const START_TIMEOUT: Duration = Duration::from_secs(30);
pub const ACCESS_KEY: &str = "tvtest-access";
pub const SECRET_KEY: &str = "tvtest-secret-key";
pub const BUCKET: &str = "tablevault-test";

pub struct S3Server {
    binary: PathBuf,
    storage: tempfile::TempDir,
    child: Option<Child>,
    port: u16,
    output: Arc<Mutex<Vec<String>>>,
}

impl S3Server {
    /// Starts a server with one empty bucket, [`BUCKET`].
    pub fn start() -> Self {
        let storage = tempfile::tempdir().expect("temporary storage directory");
        std::fs::create_dir(storage.path().join(BUCKET)).expect("bucket directory");
        let mut server = S3Server {
            binary: find_binary("TABLEVAULT_S3S_FS", BINARY, INSTALL_HINT),
            storage,
            child: None,
            port: 0,
            output: Arc::default(),
        };
        server.spawn(0).unwrap_or_else(|e| panic!("{e}"));
        server
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A store config for the bucket under `prefix`, with short timeouts so a dead server
    /// fails requests within seconds.
    pub fn store_config(&self, prefix: &str) -> S3StoreConfig {
        let mut config = S3StoreConfig::new(BUCKET, Some(self.endpoint()));
        config.prefix = prefix.to_owned();
        config.path_style = true;
        config.access_key_id = Some(ACCESS_KEY.to_owned());
        config.secret_access_key = Some(SECRET_KEY.to_owned().into());
        config.request_timeout_seconds = 2;
        config.request_retries = 1;
        config
    }

    /// The directory holding the bucket's objects (one file per object) and the server's
    /// multipart upload state.
    pub fn storage(&self) -> &Path {
        self.storage.path()
    }

    /// Every file the server keeps, relative to its storage: objects, their metadata and
    /// unfinished multipart uploads.
    pub fn stored_files(&self) -> Vec<String> {
        let mut files = Vec::new();
        collect_files(self.storage.path(), self.storage.path(), &mut files);
        files.sort();
        files
    }

    /// SIGKILL: what a crash looks like.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same storage and port.
    pub fn restart(&mut self) {
        self.kill();
        let port = self.port;
        let mut attempts = 0;
        while let Err(e) = self.spawn(port) {
            attempts += 1;
            assert!(attempts < 20, "{e}");
            thread::sleep(Duration::from_millis(250));
        }
    }

    fn spawn(&mut self, port: u16) -> Result<(), String> {
        let mut child = Command::new(&self.binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(self.storage.path())
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run {}: {e}; {INSTALL_HINT}", self.binary.display())
            });
        let (ports, ready) = mpsc::channel();
        watch(
            child.stdout.take(),
            ports.clone(),
            Arc::clone(&self.output),
            running_port,
        );
        watch(
            child.stderr.take(),
            ports,
            Arc::clone(&self.output),
            running_port,
        );
        match ready.recv_timeout(START_TIMEOUT) {
            Ok(bound) => {
                assert!(
                    port == 0 || bound == port,
                    "server moved from {port} to {bound}"
                );
                self.port = bound;
                self.child = Some(child);
                Ok(())
            }
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().ok();
                let log = self.output.lock().map(|l| l.join("\n")).unwrap_or_default();
                Err(format!(
                    "S3 test server did not start (exit {status:?}); output:\n{log}"
                ))
            }
        }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read storage").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(root, &path, out);
        } else {
            out.push(path.strip_prefix(root).unwrap().display().to_string());
        }
    }
}

fn running_port(line: &str) -> Option<u16> {
    let marker = "server is running at http://";
    let rest = &line[line.find(marker)? + marker.len()..];
    let address = rest.split_whitespace().next()?;
    address.rsplit(':').next()?.parse().ok()
}
