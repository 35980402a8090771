//! A real `tablevault serve` process on port 0 with its own temporary state, its logs in a
//! file (so a chatty daemon never blocks on a full pipe), and the address it printed.

use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

use super::serve::{read_address, send_signal, serve_command};

pub const ADMIN_TOKEN: &str = "admin-token-for-deploy-tests-5e1";
/// Safety net for anything a test waits on; a test that reaches it has failed.
pub const LIMIT: Duration = Duration::from_secs(60);

/// The config every test daemon starts from; `extra` is appended.
pub fn config_text(dir: &Path, grace_seconds: u64, extra: &str) -> String {
    format!(
        r#"
[server]
listen = "127.0.0.1:0"
readiness_timeout = "1s"
shutdown_grace_seconds = {grace_seconds}

[database]
path = "{dir}/state/tablevault.db"

[stores.local]
kind = "archive"
path = "{dir}/archive"

[[auth.tokens]]
role = "admin"
token = "{ADMIN_TOKEN}"
{extra}
"#,
        dir = dir.display()
    )
}

pub struct Daemon {
    child: Child,
    pub address: String,
    pub log: PathBuf,
}

impl Daemon {
    /// Starts `tablevault serve --config <dir>/tablevault.toml` with `config` as that file and
    /// `env` added to a cleaned environment; returns once it printed its address.
    pub fn start(dir: &Path, config: &str, env: &[(&str, &str)]) -> Daemon {
        let config_path = dir.join("tablevault.toml");
        std::fs::write(&config_path, config).expect("config written");
        let config_arg = config_path.to_str().expect("UTF-8 path");
        Daemon::start_with(dir, &["--config", config_arg], env)
    }

    /// Starts `tablevault serve <args>` in `dir` with `env` added to a cleaned environment.
    pub fn start_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Daemon {
        let log = dir.join("serve.log");
        let mut child = serve_command(dir, args, env)
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("tablevault starts");
        let address = read_address(&mut child, || {
            format!(
                "logs:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        });
        Daemon {
            child,
            address,
            log,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn signal(&self, name: &str) {
        send_signal(&self.child, name);
    }

    /// Waits (at most [`LIMIT`]) until the logs contain `text`.
    pub fn wait_for_log(&mut self, text: &str) {
        let start = Instant::now();
        while !self.logs().contains(text) {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                panic!(
                    "exited ({status}) before logging {text:?}:\n{}",
                    self.logs()
                );
            }
            assert!(
                start.elapsed() < LIMIT,
                "no {text:?} in the logs:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits (at most [`LIMIT`]) for the process to exit.
    pub fn wait(&mut self) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                start.elapsed() < LIMIT,
                "still running; logs:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
