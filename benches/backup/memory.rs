//! Memory over time and issue 15's memory target.
//!
//! - `BENCH_RSS_EVERY=SECONDS` starts a sampler thread that prints this process's VmRSS to
//!   stderr every SECONDS, tagged with the running phase, to see *what* grows, not just the
//!   peak.
//! - [`Peaks`] keeps each backup phase's peak RSS per table size; with several sizes in one run
//!   (`BENCH_ROWS=1000000,10000000`) it prints whether the peaks of all sizes stay within 10%
//!   of each other and under 128 MiB: the target lives here, never in a test.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Issue 15: peak RSS of a backup under this, whatever the table size, with default settings.
const MAX_PEAK_MIB: f64 = 128.0;
/// Issue 15: "within 10% from 1M to 10M rows": the highest peak of the sizes measured at
/// most this much above the lowest, whichever size either belongs to.
const MAX_SPREAD: f64 = 1.10;

static PHASE: Mutex<String> = Mutex::new(String::new());

/// Names the phase the sampler's lines are tagged with.
pub fn set_phase(label: &str) {
    *PHASE.lock().unwrap_or_else(|p| p.into_inner()) = label.to_owned();
}

/// Starts the sampler if `BENCH_RSS_EVERY` asks for it.
pub fn start_sampler() {
    let Some(every) = std::env::var("BENCH_RSS_EVERY")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
    else {
        return;
    };
    let started = Instant::now();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs_f64(every));
        let phase = PHASE.lock().unwrap_or_else(|p| p.into_inner()).clone();
        eprintln!(
            "rss {:7.1} s  {:7.1} MiB  {phase}",
            started.elapsed().as_secs_f64(),
            crate::support::status_mib("VmRSS"),
        );
    });
}

/// Peak RSS of each backup phase at each table size of the run.
#[derive(Default)]
pub struct Peaks {
    /// (phase, rows, peak RSS MiB), in the order measured.
    measured: Vec<(String, u64, f64)>,
}

impl Peaks {
    pub fn record(&mut self, phase: &str, rows: u64, peak_mib: f64) {
        self.measured.push((phase.to_owned(), rows, peak_mib));
    }

    /// Prints, per phase, the peak at each size, the largest-to-smallest ratio and the verdict.
    pub fn print_target(&self) {
        let mut phases: Vec<&str> = Vec::new();
        for (phase, _, _) in &self.measured {
            if !phases.contains(&phase.as_str()) {
                phases.push(phase);
            }
        }
        if phases.is_empty() {
            return;
        }
        println!(
            "memory target (issue 15): peak RSS < {MAX_PEAK_MIB:.0} MiB, \
             highest/lowest over the sizes ≤ {MAX_SPREAD:.2}"
        );
        for phase in phases {
            let mut sizes: Vec<(u64, f64)> = self
                .measured
                .iter()
                .filter(|(p, _, _)| p == phase)
                .map(|(_, rows, peak)| (*rows, *peak))
                .collect();
            sizes.sort_by_key(|(rows, _)| *rows);
            let figures: Vec<String> = sizes
                .iter()
                .map(|(rows, peak)| format!("{}: {peak:.1} MiB", count(*rows)))
                .collect();
            let highest = sizes.iter().map(|(_, p)| *p).fold(0.0, f64::max);
            let lowest = sizes.iter().map(|(_, p)| *p).fold(f64::INFINITY, f64::min);
            let under = highest < MAX_PEAK_MIB;
            let spread = match (sizes.first(), sizes.last()) {
                (Some((small, first)), Some((large, last))) if large > small => {
                    let ratio = highest / lowest;
                    let verdict = if ratio <= MAX_SPREAD { "met" } else { "MISSED" };
                    format!(
                        "; {}/{} ×{:.3}, highest/lowest ×{ratio:.3}: {verdict}",
                        count(*large),
                        count(*small),
                        last / first,
                    )
                }
                _ => "; one size only: flatness not measured".to_owned(),
            };
            println!(
                "  {phase:<18} {}; < {MAX_PEAK_MIB:.0} MiB: {}{spread}",
                figures.join(", "),
                if under { "met" } else { "MISSED" },
            );
        }
    }
}

/// 1000000 → "1M", 300000 → "300k".
fn count(rows: u64) -> String {
    if rows >= 1_000_000 && rows.is_multiple_of(100_000) {
        format!("{}M", rows as f64 / 1e6)
    } else if rows >= 1_000 && rows.is_multiple_of(1_000) {
        format!("{}k", rows / 1_000)
    } else {
        rows.to_string()
    }
}
