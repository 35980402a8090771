//! The Python baselines: small scripts with the official Tablestore SDK that a user would write
//! instead of TableVault (`benches/baseline/*.py`). Each reports its own wall time, CPU time
//! and peak RSS, measured inside the script around the copy itself; the servers' CPU is
//! measured around the whole script, as for every other phase.

use std::process::Command;

use tablevault::tablestore::client::ClientConfig;

use super::measure::{Cost, Phase};

/// Runs `script` with the emulator's endpoint, credentials and `table`, then `extra`
/// arguments; `None` (with the reason printed) when Python or its packages are missing.
pub fn run(
    script: &str,
    config: &ClientConfig,
    secret: &str,
    table: &str,
    extra: &str,
    rows: u64,
) -> Option<Cost> {
    let python = std::env::var("TABLEVAULT_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python").into());
    let path = format!("{}/benches/baseline/{script}", env!("CARGO_MANIFEST_DIR"));
    let servers = Phase::start();
    let output = Command::new(&python)
        .arg(&path)
        .arg(&config.endpoint)
        .args([
            &config.access_key_id,
            secret,
            &config.instance,
            table,
            extra,
        ])
        .output();
    match output {
        Ok(o) if o.status.success() => {
            let report: serde_json::Value =
                serde_json::from_slice(&o.stdout).expect("baseline prints JSON");
            assert_eq!(
                report["rows"].as_u64(),
                Some(rows),
                "{script} copied every row"
            );
            let number = |field: &str| report[field].as_f64().unwrap_or(f64::NAN);
            Some(Cost {
                seconds: number("seconds"),
                cpu_seconds: number("cpu_seconds"),
                peak_rss_mib: number("peak_rss_mib"),
                others: servers.end().others,
            })
        }
        Ok(o) => {
            let stderr = String::from_utf8_lossy(&o.stderr);
            println!("{script} failed: {}", stderr.lines().last().unwrap_or(""));
            None
        }
        Err(e) => {
            println!("{script} skipped ({python}: {e})");
            None
        }
    }
}
