//! The config text every test daemon starts from, in one place: the in-process apps of the API
//! tests and the `tablevault serve` processes of the deploy tests differ only in what the
//! builder's setters say (body limit, a read token, the admin token's name, the grace period).

use std::fmt::Write;
use std::path::Path;

/// A `tablevault.toml` for tests: the server on port 0, the state and an archive store
/// `local` under `dir`, one admin token; [`TestConfig::text`] writes it.
pub struct TestConfig<'a> {
    dir: &'a Path,
    admin_token: &'a str,
    admin_name: Option<&'a str>,
    read_token: Option<&'a str>,
    body_limit_bytes: Option<u64>,
    grace_seconds: u64,
}

impl<'a> TestConfig<'a> {
    pub fn new(dir: &'a Path, admin_token: &'a str) -> Self {
        TestConfig {
            dir,
            admin_token,
            admin_name: None,
            read_token: None,
            body_limit_bytes: None,
            grace_seconds: 5,
        }
    }

    pub fn admin_name(mut self, name: &'a str) -> Self {
        self.admin_name = Some(name);
        self
    }

    pub fn read_token(mut self, token: &'a str) -> Self {
        self.read_token = Some(token);
        self
    }

    pub fn body_limit_bytes(mut self, bytes: u64) -> Self {
        self.body_limit_bytes = Some(bytes);
        self
    }

    pub fn grace_seconds(mut self, seconds: u64) -> Self {
        self.grace_seconds = seconds;
        self
    }

    /// The file's text, with `extra` appended (more sources, stores, sections).
    pub fn text(&self, extra: &str) -> String {
        let dir = self.dir.display();
        let mut text = String::from("\n[server]\nlisten = \"127.0.0.1:0\"\n");
        if let Some(bytes) = self.body_limit_bytes {
            writeln!(text, "body_limit_bytes = {bytes}").unwrap();
        }
        writeln!(
            text,
            "readiness_timeout = \"1s\"\nshutdown_grace_seconds = {}\n",
            self.grace_seconds
        )
        .unwrap();
        writeln!(text, "[database]\npath = \"{dir}/state/tablevault.db\"\n").unwrap();
        writeln!(
            text,
            "[stores.local]\nkind = \"archive\"\npath = \"{dir}/archive\"\n"
        )
        .unwrap();
        text.push_str("[[auth.tokens]]\n");
        if let Some(name) = self.admin_name {
            writeln!(text, "name = \"{name}\"").unwrap();
        }
        writeln!(text, "role = \"admin\"\ntoken = \"{}\"", self.admin_token).unwrap();
        if let Some(token) = self.read_token {
            writeln!(
                text,
                "\n[[auth.tokens]]\nrole = \"read\"\ntoken = \"{token}\""
            )
            .unwrap();
        }
        writeln!(text, "{extra}").unwrap();
        text
    }
}
