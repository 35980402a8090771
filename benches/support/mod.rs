//! What the benches share: the emulator as a child process (so the bench process's memory and
//! CPU figures are the engine's alone), the CPU time a process has used, and this process's
//! resident memory, and the benches' allocator (the daemon's unless `BENCH_ALLOCATOR` says
//! otherwise, see `allocator`).

pub mod allocator;
#[allow(dead_code)] // the capture and point-in-time benches load their own tables
pub mod table;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The emulator as a child process and a client of it: the child, its endpoint, the client.
#[allow(dead_code)] // the backup bench makes its own client config (its Python baselines need it)
pub fn emulator_and_client() -> (Child, String, tablevault::tablestore::client::Client) {
    use tablevault::tablestore::client::{Client, ClientConfig};
    let (child, endpoint) = start_emulator_child();
    let config = ClientConfig::new(&endpoint, "bench", "bench-ak", "bench-sk");
    let client = Client::new(&config).expect("client");
    (child, endpoint, client)
}

/// Starts `tablevault emulator` on a free port; returns the child and its endpoint.
pub fn start_emulator_child() -> (Child, String) {
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
    (child, endpoint)
}

/// User + system CPU seconds used so far by process `pid` ("self" for this one), from
/// `/proc/PID/stat` (fields 14 and 15, in clock ticks of 1/100 s on Linux); NaN elsewhere.
#[allow(dead_code)] // not every bench measures CPU
pub fn cpu_seconds(pid: &str) -> f64 {
    const TICKS_PER_SECOND: f64 = 100.0;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name (field 2) may hold spaces; the fields after its ')' are plain.
    let Some((_, after_name)) = stat.rsplit_once(')') else {
        return f64::NAN;
    };
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    // after_name starts at field 3 (state): utime is field 14 → index 11, stime index 12.
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / TICKS_PER_SECOND,
        _ => f64::NAN,
    }
}

/// A `/proc/self/status` figure in MiB (`VmRSS` now, `VmHWM` the peak); NaN elsewhere.
#[allow(dead_code)] // not every bench measures memory
pub fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Starts a new peak-RSS measurement (Linux: writing 5 to clear_refs resets VmHWM).
#[allow(dead_code)] // not every bench measures memory
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Backs `tables` up from `client` into a new archive store in `dir` with the default engine
/// settings (the base a restore bench reads); returns the store and the backup's manifest.
#[allow(dead_code)] // not every bench restores
pub async fn archive_backup(
    client: &tablevault::tablestore::client::Client,
    dir: &std::path::Path,
    tables: Vec<String>,
) -> (
    std::sync::Arc<dyn tablevault::store::BackupStore>,
    tablevault::store::Manifest,
) {
    use tablevault::engine::{run_backup, BackupIo, BackupJob};
    use tablevault::store::{ArchiveStore, ArchiveStoreConfig, BackupStore, SourceInfo};
    let store: std::sync::Arc<dyn BackupStore> = std::sync::Arc::new(
        ArchiveStore::open(ArchiveStoreConfig::new(dir.to_path_buf()))
            .await
            .expect("archive"),
    );
    let source = SourceInfo {
        name: "bench".into(),
        endpoint: client.endpoint().to_string(),
        instance: "bench".into(),
    };
    let job = BackupJob::new(source, tables, Default::default());
    let outcome = run_backup(job, &BackupIo::new(client.clone(), store.clone()))
        .await
        .expect("backup");
    (store, outcome.manifest)
}
