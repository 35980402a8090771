//! What each phase of the benchmark costs this process: wall time, CPU time (user + system,
//! all threads) and peak RSS, printed as one line with rows/s and CPU seconds per million rows.
//!
//! CPU comes from `/proc/self/stat` (clock ticks of 10 ms): on a machine shared with other
//! builds, CPU time is what this process spent, where wall time also counts waiting for a core.
//! Peak RSS is VmHWM, reset at the start of each phase through `/proc/self/clear_refs`.
//!
//! The servers (the emulator, the MongoDB servers) are child processes on the same two cores:
//! what they spend in a phase is CPU the bench's process could not have, so each phase also
//! gives the CPU of every [`watch`]ed process, on a second line.

use std::sync::Mutex;
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

/// The processes whose CPU each phase reports besides its own: a name and a pid.
static WATCHED: Mutex<Vec<(&'static str, u32)>> = Mutex::new(Vec::new());

/// Reports the CPU `pid` spends in every phase from now on, as `name`.
pub fn watch(name: &'static str, pid: u32) {
    WATCHED.lock().expect("watch list").push((name, pid));
}

/// Stops reporting `pid` (it is about to exit).
pub fn unwatch(pid: u32) {
    WATCHED
        .lock()
        .expect("watch list")
        .retain(|(_, p)| *p != pid);
}

/// The CPU seconds of every watched process so far.
fn watched_cpu() -> Vec<(&'static str, u32, f64)> {
    let watched = WATCHED.lock().expect("watch list");
    watched
        .iter()
        .map(|(name, pid)| (*name, *pid, crate::support::cpu_seconds(&pid.to_string())))
        .collect()
}

/// One phase's cost.
pub struct Cost {
    pub seconds: f64,
    pub cpu_seconds: f64,
    pub peak_rss_mib: f64,
    /// CPU seconds each watched process spent in the phase, by name.
    pub others: Vec<(&'static str, f64)>,
}

impl Cost {
    /// The CPU seconds watched process `name` spent in the phase, if it was watched throughout.
    pub fn other(&self, name: &str) -> Option<f64> {
        self.others
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
    }

    /// Two stretches of one phase measured apart: times add up, the peak is the higher one.
    pub fn plus(&self, other: &Cost) -> Cost {
        let mut others = self.others.clone();
        for (name, seconds) in &other.others {
            match others.iter_mut().find(|(n, _)| n == name) {
                Some((_, sum)) => *sum += seconds,
                None => others.push((name, *seconds)),
            }
        }
        Cost {
            seconds: self.seconds + other.seconds,
            cpu_seconds: self.cpu_seconds + other.cpu_seconds,
            peak_rss_mib: self.peak_rss_mib.max(other.peak_rss_mib),
            others,
        }
    }
}

/// A phase being measured; [`Phase::end`] gives its cost.
pub struct Phase {
    started: Instant,
    cpu_at_start: f64,
    others_at_start: Vec<(&'static str, u32, f64)>,
}

impl Phase {
    pub fn start() -> Phase {
        reset_peak_rss();
        Phase {
            started: Instant::now(),
            cpu_at_start: cpu_seconds(),
            others_at_start: watched_cpu(),
        }
    }

    pub fn end(self) -> Cost {
        let now = watched_cpu();
        // Only the processes watched for the whole phase: one started or stopped during it
        // would report part of it.
        let others = self
            .others_at_start
            .iter()
            .filter_map(|(name, pid, before)| {
                let (_, _, after) = now.iter().find(|(_, p, _)| p == pid)?;
                Some((*name, after - before))
            })
            .collect();
        Cost {
            seconds: self.started.elapsed().as_secs_f64(),
            cpu_seconds: cpu_seconds() - self.cpu_at_start,
            peak_rss_mib: peak_rss_mib(),
            others,
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
    if !cost.others.is_empty() {
        let others: Vec<String> = cost
            .others
            .iter()
            .map(|(name, seconds)| {
                format!("{name} {seconds:.2} s = {:.2} s/M rows", seconds / millions)
            })
            .collect();
        println!("{:<34} servers' CPU: {}", "", others.join(", "));
    }
}
