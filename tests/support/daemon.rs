//! A real `tablevault serve` process on port 0 with its own temporary state, its logs in a
//! file (so a chatty daemon never blocks on a full pipe), and the address it printed.

use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::time::Duration;

use super::config::TestConfig;
use super::poll::block_until;
use super::serve::{read_address, send_signal, serve_command};

pub const ADMIN_TOKEN: &str = "admin-token-for-deploy-tests-5e1";
/// Safety net for anything a test waits on; a test that reaches it has failed.
pub const LIMIT: Duration = Duration::from_secs(60);

/// The config every test daemon starts from; `extra` is appended.
pub fn config_text(dir: &Path, grace_seconds: u64, extra: &str) -> String {
    TestConfig::new(dir, ADMIN_TOKEN)
        .grace_seconds(grace_seconds)
        .text(extra)
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

    /// POSTs `body` to `path` as the admin and returns the id of the run it accepted.
    pub async fn start_run(
        &self,
        api: &reqwest::Client,
        path: &str,
        body: &serde_json::Value,
    ) -> String {
        let accepted: serde_json::Value = api
            .post(self.url(path))
            .bearer_auth(ADMIN_TOKEN)
            .json(body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let run_id = accepted["run_id"].as_str();
        run_id
            .unwrap_or_else(|| panic!("no run: {accepted}\n{}", self.logs()))
            .to_string()
    }

    pub fn logs(&self) -> String {
        read_log(&self.log)
    }

    pub fn signal(&self, name: &str) {
        send_signal(&self.child, name);
    }

    /// Waits (at most [`LIMIT`]) until the logs contain `text`.
    pub fn wait_for_log(&mut self, text: &str) {
        let log = &self.log;
        let child = &mut self.child;
        block_until(&format!("{text:?} in the logs"), LIMIT, || {
            let logs = read_log(log);
            if logs.contains(text) {
                return Ok(());
            }
            if let Some(status) = child.try_wait().expect("try_wait") {
                panic!("exited ({status}) before logging {text:?}:\n{logs}");
            }
            Err(logs)
        });
    }

    /// Waits (at most [`LIMIT`]) for the process to exit.
    pub fn wait(&mut self) -> ExitStatus {
        let mut exited = None;
        let log = &self.log;
        let child = &mut self.child;
        block_until("the daemon exits", LIMIT, || {
            exited = child.try_wait().expect("try_wait");
            exited.map(|_| ()).ok_or_else(|| read_log(log))
        });
        exited.expect("exited")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Everything the daemon logged so far (nothing before the file exists).
fn read_log(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}
