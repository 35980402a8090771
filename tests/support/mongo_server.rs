//! A real MongoDB-compatible server (SecantusDB's `secantusd-rs`) for tests, in its own process.
//!
//! One server per test keeps tests isolated; start-up takes under a second. The binary comes
//! from `TABLEVAULT_SECANTUSD`, then `PATH`, then `~/.cargo/bin`. If it is missing the test
//! fails with install instructions: a skipped store test would look like a passing one.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        mpsc::{self, Receiver},
        Arc, Mutex,
    },
    thread,
    time::Duration,
};

use super::server_process::{find_binary, watch};

const BINARY: &str = "secantusd-rs";
const INSTALL_HINT: &str = "install it with `cargo install secantus-mdb --version \
    0.5.3-beta.196 --locked --ignore-rust-version` (see mongodb-test-server.md) or point \
    TABLEVAULT_SECANTUSD at it";
const START_TIMEOUT: Duration = Duration::from_secs(30);

pub struct MongoServer {
    binary: PathBuf,
    storage: tempfile::TempDir,
    child: Option<Child>,
    port: u16,
    /// The server's recent output, shown when start-up fails.
    output: Arc<Mutex<Vec<String>>>,
}

impl MongoServer {
    /// Starts a server on a fresh storage directory and a port chosen by the OS.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts a server with extra flags (e.g. `--auth`).
    pub fn start_with(extra: &[&str]) -> Self {
        let mut server = MongoServer {
            binary: find_binary("TABLEVAULT_SECANTUSD", BINARY, INSTALL_HINT),
            storage: tempfile::tempdir().expect("temporary storage directory"),
            child: None,
            port: 0,
            output: Arc::default(),
        };
        server.spawn(0, extra).unwrap_or_else(|e| panic!("{e}"));
        server
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A URI with short timeouts, so a dead server makes operations fail within seconds
    /// instead of the driver's default 30 s.
    pub fn uri(&self) -> String {
        format!(
            "mongodb://127.0.0.1:{}/?directConnection=true&serverSelectionTimeoutMS=2000\
             &connectTimeoutMS=2000",
            self.port
        )
    }

    /// Like [`Self::uri`] with credentials.
    pub fn uri_with_user(&self, user: &str, password: &str, auth_source: &str) -> String {
        self.uri()
            .replacen("mongodb://", &format!("mongodb://{user}:{password}@"), 1)
            + &format!("&authSource={auth_source}")
    }

    /// SIGKILL: no shutdown, no flush; what a crash or an OOM kill looks like.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same storage path and, if it is free, the same port.
    pub fn restart(&mut self) {
        self.restart_with(&[]);
    }

    pub fn restart_with(&mut self, extra: &[&str]) {
        self.kill();
        let port = self.port;
        // The old process's socket can hold the port for a moment after a kill -9.
        let mut attempts = 0;
        while let Err(e) = self.spawn(port, extra) {
            attempts += 1;
            assert!(attempts < 20, "{e}");
            thread::sleep(Duration::from_millis(250));
        }
    }

    fn spawn(&mut self, port: u16, extra: &[&str]) -> Result<(), String> {
        let storage = self
            .storage
            .path()
            .to_str()
            .expect("UTF-8 temp path")
            .to_owned();
        let port_arg = port.to_string();
        let mut args = vec![
            "--host",
            "127.0.0.1",
            "--port",
            &port_arg,
            "--storage-path",
            &storage,
            "--cache-size",
            "256M",
            "--log-file-max",
            "8MB",
            "--log-level",
            "WARNING",
            // Without it SecantusDB acknowledges `j: true` writes before they are on disk, so a
            // kill -9 loses acknowledged writes, which real MongoDB never does.
            "--sync-on-commit",
        ];
        args.extend_from_slice(extra);
        let mut child = Command::new(&self.binary)
            .args(&args)
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
            listening_port,
        );
        watch(
            child.stderr.take(),
            ports,
            Arc::clone(&self.output),
            listening_port,
        );
        self.port = wait_for_port(&ready, &mut child, &self.output)?;
        assert!(
            port == 0 || self.port == port,
            "server moved from port {port} to {}",
            self.port
        );
        self.child = Some(child);
        Ok(())
    }
}

impl Drop for MongoServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn listening_port(line: &str) -> Option<u16> {
    let rest = &line[line.find("listening on ")? + "listening on ".len()..];
    let address = rest.split_whitespace().next()?;
    address.rsplit(':').next()?.parse().ok()
}

/// The port once the server listens; an error with its output if it exits or stays silent.
fn wait_for_port(
    ready: &Receiver<u16>,
    child: &mut Child,
    output: &Mutex<Vec<String>>,
) -> Result<u16, String> {
    ready.recv_timeout(START_TIMEOUT).map_err(|_| {
        let _ = child.kill();
        let status = child.wait().ok();
        let log = output.lock().map(|l| l.join("\n")).unwrap_or_default();
        format!("MongoDB test server did not start (exit {status:?}); output:\n{log}")
    })
}
