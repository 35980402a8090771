//! What the benches share: the emulator as a child process (so the bench process's memory is
//! TableVault's alone), and this process's resident memory from /proc.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use tablevault::tablestore::client::ClientConfig;

/// `tablevault emulator` on a free port; the child and a client config for it.
pub fn start_emulator_child() -> (Child, ClientConfig) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tablevault"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--instance", "bench"])
        .args([
            "--access-key-id",
            "bench-ak",
            "--access-key-secret",
            "bench-sk",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start `tablevault emulator`");
    let stdout = child.stdout.take().expect("child stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("emulator prints its address");
    let endpoint = line
        .trim()
        .rsplit(' ')
        .next()
        .expect("address on the line")
        .to_string();
    let config = ClientConfig::new(endpoint, "bench", "bench-ak", "bench-sk");
    (child, config)
}

/// A `/proc/self/status` figure in MiB (`VmRSS` now, `VmHWM` the peak).
pub fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Starts a new peak-RSS measurement (Linux: writing 5 to clear_refs resets VmHWM).
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}
