//! The block `serve --demo` prints after its `listening` line: what is running and the
//! commands to try, each a complete copy-paste line against the real API paths.

use std::fmt::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use super::settings::DemoAuth;
use super::{sample, schedule};

/// What the guide describes.
pub struct Guide {
    /// Where the daemon listens (an unspecified IP is shown as loopback).
    pub addr: SocketAddr,
    pub schedule_id: String,
    pub auth: DemoAuth,
    /// The `local` store's directory, when it is an archive.
    pub archive: Option<PathBuf>,
    pub emulator_endpoint: String,
    pub emulator_instance: String,
    pub access_key_id: String,
    pub access_key_secret: String,
}

/// The restore target: a new table next to the sample one.
pub const RESTORED_TABLE: &str = "orders_restored";

impl Guide {
    fn base_url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{addr}")
    }

    /// `curl -s` with the auth header when tokens are configured.
    fn curl(&self) -> &'static str {
        match self.auth {
            DemoAuth::Token { .. } => {
                r#"curl -s -H "Authorization: Bearer $TABLEVAULT_AUTH_ADMIN_TOKEN""#
            }
            DemoAuth::Open { .. } => "curl -s",
        }
    }

    fn auth_line(&self) -> &'static str {
        match self.auth {
            DemoAuth::Open {
                disabled_by_demo: true,
            } => "API auth is off: no token is configured and the daemon listens on loopback only.",
            DemoAuth::Open {
                disabled_by_demo: false,
            } => "API auth is off ([auth] disabled = true).",
            DemoAuth::Token {
                admin_token_in_env: true,
            } => "API auth is on: the commands use $TABLEVAULT_AUTH_ADMIN_TOKEN.",
            DemoAuth::Token {
                admin_token_in_env: false,
            } => {
                "API auth is on: export TABLEVAULT_AUTH_ADMIN_TOKEN=<an admin token of the \
                 config> before running the commands."
            }
        }
    }

    /// The whole block, ending with a newline.
    pub fn render(&self) -> String {
        let base = self.base_url();
        let curl = self.curl();
        let id = &self.schedule_id;
        let json = "-H 'Content-Type: application/json'";
        let store = match &self.archive {
            Some(path) => format!("({}), ", path.display()),
            None => String::new(),
        };
        let restore = format!(
            r#"{{"schedule_id":"{id}","tables":["{table}"],"rename":{{"{table}":"{RESTORED_TABLE}"}},"if_exists":"overwrite""#,
            table = sample::TABLE
        );
        let mut out = String::new();
        let mut line = |text: String| {
            let _ = writeln!(out, "{text}");
        };
        line(String::new());
        line(format!(
            "TableVault demo: a built-in Tablestore emulator holds table {} ({} rows: every cell",
            sample::TABLE,
            sample::ROWS
        ));
        line(format!(
            "type, int64 extremes, binary, up to {} versions per cell with old timestamps).",
            sample::MAX_VERSIONS
        ));
        line(format!(
            "Schedule {} ({id}) backs it up every minute into store local",
            schedule::NAME
        ));
        line(format!(
            "{store}keeping the last {}; the first backup is running now.",
            schedule::KEEP_LAST
        ));
        line(self.auth_line().to_string());
        line(String::new());
        line("Try:".into());
        line("  # the backups, newest first".into());
        line(format!("  {curl} {base}/api/v1/backups"));
        line("  # the runs: backups, restores, verifications".into());
        line(format!("  {curl} {base}/api/v1/runs"));
        line("  # back up now".into());
        line(format!("  {curl} -X POST {base}/api/v1/schedules/{id}/run"));
        line(format!(
            "  # restore the newest backup into a new table {RESTORED_TABLE}: a dry run, then (when \
             it is done) for real"
        ));
        line(format!(
            r#"  {curl} -X POST {base}/api/v1/restores {json} -d '{restore},"dry_run":true}}'"#
        ));
        line(format!(
            r#"  {curl} -X POST {base}/api/v1/restores {json} -d '{restore}}}'"#
        ));
        line("  # verify the newest backup, also against the live table".into());
        line(format!(
            r#"  BACKUP_ID=$({curl} '{base}/api/v1/backups?status=completed&page_size=1' | grep -o '"id":"[^"]*"' | head -n 1 | cut -d '"' -f 4)"#
        ));
        line(format!(
            r#"  {curl} -X POST {base}/api/v1/backups/$BACKUP_ID/verify {json} -d '{{"compare_with_source":true}}'"#
        ));
        line("  # metrics (Prometheus)".into());
        line(format!(
            r#"  {curl} {base}/metrics | grep 'schedule="{}"'"#,
            schedule::NAME
        ));
        line(String::new());
        line("Tablestore emulator for the SDKs (in memory, seeded again at every start):".into());
        line(format!(
            "  endpoint {}  instance {}  access key id {}  secret {}",
            self.emulator_endpoint,
            self.emulator_instance,
            self.access_key_id,
            self.access_key_secret
        ));
        out
    }
}
