//! `tablevault serve --demo` for the page to show: its emulator, its schedule and its first
//! backup, on port 0 in a temporary directory.

use std::path::Path;
use std::process::Child;

use serde_json::Value;

use crate::support::poll::poll_until;
use crate::support::serve::{read_address, serve_command};

pub const ADMIN_TOKEN: &str = "page-admin-token-0123456789abcdef";
pub const READ_TOKEN: &str = "page-read-token-0123456789abcdefg";

pub struct Demo {
    child: Child,
    pub address: String,
    pub api: reqwest::Client,
    /// The admin token, when the demo was started with tokens.
    token: Option<&'static str>,
}

impl Demo {
    /// The demo with auth off (no token configured, loopback only).
    pub fn open(dir: &Path) -> Demo {
        Demo::start(dir, &[], None)
    }

    /// The demo with an admin and a read token.
    pub fn with_tokens(dir: &Path) -> Demo {
        let env = [
            ("TABLEVAULT_AUTH_ADMIN_TOKEN", ADMIN_TOKEN),
            ("TABLEVAULT_AUTH_READ_TOKEN", READ_TOKEN),
        ];
        Demo::start(dir, &env, Some(ADMIN_TOKEN))
    }

    fn start(dir: &Path, env: &[(&str, &str)], token: Option<&'static str>) -> Demo {
        let log = dir.join("serve.log");
        let mut child = serve_command(dir, &["--demo", "--listen", "127.0.0.1:0"], env)
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("tablevault starts");
        let address = read_address(&mut child, || {
            std::fs::read_to_string(&log).unwrap_or_default()
        });
        Demo {
            child,
            address,
            api: reqwest::Client::new(),
            token,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Value {
        let mut request = self.api.get(self.url(path));
        if let Some(token) = self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.expect("JSON")
    }

    /// The ids of the completed backups, newest first.
    pub async fn completed_backups(&self) -> Vec<String> {
        let page = self.get("/api/v1/backups?status=completed").await;
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|b| b["id"].as_str().expect("id").to_string())
            .collect()
    }

    /// Waits for the backup the demo starts with.
    pub async fn first_backup(&self) -> String {
        poll_until(
            "the demo's first backup",
            crate::browser::PAGE_LIMIT,
            || async {
                let ids = self.completed_backups().await;
                ids.first()
                    .cloned()
                    .ok_or_else(|| "no completed backup".to_string())
            },
        )
        .await
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
