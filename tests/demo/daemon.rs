//! The real `tablevault serve --demo` binary in a temporary working directory: its address,
//! the block of commands it prints, and a way to stop it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::serve::{parse_address, send_signal, serve_command};

/// How long the daemon may take to print its whole block (it seeds 3000 rows first).
const STARTUP: Duration = Duration::from_secs(60);

pub struct Demo {
    child: Child,
    /// `http://IP:PORT` from the first line.
    pub address: String,
    /// Every line printed after the first, up to and including the emulator line.
    pub block: Vec<String>,
}

/// The emulator's endpoint and key pair, as printed for the SDKs.
#[derive(Debug, Clone)]
pub struct EmulatorInfo {
    pub endpoint: String,
    pub instance: String,
    pub access_key_id: String,
    pub access_key_secret: String,
}

/// `serve --demo` with `args`, in `dir`, with only `env` of the auth variables set.
pub fn command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let args: Vec<&str> = ["--demo"].iter().chain(args).copied().collect();
    serve_command(dir, &args, env)
}

impl Demo {
    /// Starts the demo on port 0 and reads its block. Logs go to `dir/serve.log` (a pipe
    /// nobody drains would eventually block the daemon).
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Demo {
        Self::start_with(dir, &[], env)
    }

    /// Like [`Demo::start`] with more `serve` arguments.
    pub fn start_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Demo {
        let log = std::fs::File::create(dir.join("serve.log")).expect("log file");
        let args: Vec<&str> = ["--listen", "127.0.0.1:0"]
            .iter()
            .chain(args)
            .copied()
            .collect();
        let mut child = command(dir, &args, env)
            .stderr(log)
            .spawn()
            .expect("tablevault starts");
        let stdout = child.stdout.take().expect("stdout");
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let next = || {
            received
                .recv_timeout(STARTUP)
                .unwrap_or_else(|_| panic!("no output within {STARTUP:?}; see {dir:?}/serve.log"))
        };
        let first = next();
        let address =
            parse_address(&first).unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        let mut block = Vec::new();
        loop {
            let line = next();
            let last = line.trim_start().starts_with("endpoint ");
            block.push(line);
            if last {
                break;
            }
        }
        Demo {
            child,
            address,
            block,
        }
    }

    /// The command lines of the block (`curl …` and `BACKUP_ID=$(…)`), after their comments.
    pub fn commands(&self) -> Vec<(String, String)> {
        let mut commands = Vec::new();
        let mut comment = String::new();
        for line in &self.block {
            let line = line.trim();
            if let Some(text) = line.strip_prefix("# ") {
                comment = text.to_string();
            } else if line.starts_with("curl ") || line.starts_with("BACKUP_ID=") {
                commands.push((comment.clone(), line.to_string()));
            }
        }
        commands
    }

    /// The one command under the comment that starts with `comment`, or the `nth` of several.
    pub fn command(&self, comment: &str, nth: usize) -> String {
        self.commands()
            .into_iter()
            .filter(|(c, _)| c.starts_with(comment))
            .nth(nth)
            .unwrap_or_else(|| panic!("no command #{nth} under {comment:?} in {:#?}", self.block))
            .1
    }

    pub fn emulator(&self) -> EmulatorInfo {
        let line = self.block.last().expect("block");
        let words: Vec<&str> = line.split_whitespace().collect();
        let after = |key: &str| -> String {
            let at = words
                .windows(key.split(' ').count())
                .position(|w| w.join(" ") == key)
                .unwrap_or_else(|| panic!("{key:?} missing in {line:?}"));
            words[at + key.split(' ').count()].to_string()
        };
        EmulatorInfo {
            endpoint: after("endpoint"),
            instance: after("instance"),
            access_key_id: after("access key id"),
            access_key_secret: after("secret"),
        }
    }

    pub fn terminate(&self) {
        send_signal(&self.child, "TERM");
    }

    /// Waits (at most 30 s) for the exit after [`Demo::terminate`] and returns the code.
    pub async fn wait(self) -> Option<i32> {
        let waited = tokio::task::spawn_blocking(move || {
            let mut demo = self;
            demo.child.wait().expect("wait")
        });
        tokio::time::timeout(Duration::from_secs(30), waited)
            .await
            .expect("exits within 30 s after SIGTERM")
            .expect("join")
            .code()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        // A failed assertion must not leave the daemon running.
        let _ = self.child.kill();
    }
}
