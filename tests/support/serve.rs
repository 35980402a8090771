//! The real `tablevault serve` binary as a child process: the one way tests/api, tests/deploy
//! and tests/demo start it (`support::serve`). Each suite keeps
//! its own wrapper for what only it needs (log files, the demo's printed block, signals).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Variables of the test's own environment that would change what the daemon does: logging,
/// tokens, config and listen overrides, systemd's notify and watchdog sockets.
const NOT_INHERITED: [&str; 9] = [
    "RUST_LOG",
    "TABLEVAULT_LOG",
    "TABLEVAULT_AUTH_ADMIN_TOKEN",
    "TABLEVAULT_AUTH_READ_TOKEN",
    "TABLEVAULT_CONFIG",
    "TABLEVAULT_LISTEN",
    "NOTIFY_SOCKET",
    "WATCHDOG_USEC",
    "WATCHDOG_PID",
];

/// `tablevault serve ARGS` in `dir`, stdout piped (its first line is the address), with
/// only `env` added to the test's environment minus [`NOT_INHERITED`]. Stderr is the
/// caller's choice.
pub fn serve_command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tablevault"));
    command
        .arg("serve")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped());
    for key in NOT_INHERITED {
        command.env_remove(key);
    }
    command.envs(env.iter().copied());
    command
}

/// The `http://ADDR` from the first stdout line, `tablevault listening on http://ADDR`.
/// `context` says what else to show when the line is not that (e.g. the logs).
pub fn read_address(child: &mut Child, context: impl FnOnce() -> String) -> String {
    let stdout = child.stdout.as_mut().expect("stdout is piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first stdout line");
    parse_address(&line).unwrap_or_else(|| panic!("unexpected first line {line:?}; {}", context()))
}

/// The address of a `tablevault listening on http://ADDR` line.
pub fn parse_address(line: &str) -> Option<String> {
    line.trim()
        .strip_prefix("tablevault listening on ")
        .map(str::to_string)
}

/// Sends signal `name` (`TERM`, `HUP`, …) to the child.
pub fn send_signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{name} {}", child.id());
}
