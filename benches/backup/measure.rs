//! What each phase of the benchmark costs this process: wall time, CPU time (user + system,
//! all threads) and peak RSS, printed as one line with rows/s and CPU seconds per million rows.
//!
//! CPU comes from `/proc/self/stat` (clock ticks of 10 ms): on a machine shared with other
//! builds, CPU time is what this process spent, where wall time also counts waiting for a core.
//! Peak RSS is VmHWM, reset at the start of each phase through `/proc/self/clear_refs`.

use std::time::Instant;

pub use crate::support::reset_peak_rss;

/// Peak resident set size of this process, in MiB (VmHWM).
pub fn peak_rss_mib() -> f64 {
    crate::support::status_mib("VmHWM")
}

/// User + system CPU seconds this process has used so far.
pub fn cpu_seconds() -> f64 {
    crate::support::cpu_seconds("self")
}

/// One phase's cost.
pub struct Cost {
    pub seconds: f64,
    pub cpu_seconds: f64,
    pub peak_rss_mib: f64,
}

impl Cost {
    /// Two stretches of one phase measured apart: times add up, the peak is the higher one.
    pub fn plus(&self, other: &Cost) -> Cost {
        Cost {
            seconds: self.seconds + other.seconds,
            cpu_seconds: self.cpu_seconds + other.cpu_seconds,
            peak_rss_mib: self.peak_rss_mib.max(other.peak_rss_mib),
        }
    }
}

/// A phase being measured; [`Phase::end`] gives its cost.
pub struct Phase {
    started: Instant,
    cpu_at_start: f64,
}

impl Phase {
    pub fn start() -> Phase {
        reset_peak_rss();
        Phase {
            started: Instant::now(),
            cpu_at_start: cpu_seconds(),
        }
    }

    pub fn end(self) -> Cost {
        Cost {
            seconds: self.started.elapsed().as_secs_f64(),
            cpu_seconds: cpu_seconds() - self.cpu_at_start,
            peak_rss_mib: peak_rss_mib(),
        }
    }
}

/// Prints one result line: `label`, rows/s, CPU seconds per million rows, peak RSS.
pub fn report(label: &str, rows: u64, cost: &Cost) {
    let millions = rows as f64 / 1e6;
    println!(
        "{label:<34} {:8.2} s {:>9.0} rows/s  CPU {:7.2} s = {:6.2} CPU s/M rows  peak RSS {:7.1} MiB",
        cost.seconds,
        rows as f64 / cost.seconds,
        cost.cpu_seconds,
        cost.cpu_seconds / millions,
        cost.peak_rss_mib,
    );
}
