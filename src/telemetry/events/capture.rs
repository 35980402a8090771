//! Continuous capture (issue 12): a step stored changes, or a table's capture failed.

use crate::capture::CaptureGap;
use crate::telemetry::metrics::Metrics;

/// A capture step finished: `records` stored for `table`; the schedule is captured up to
/// `captured_until_us` (its slowest table), `lag_seconds` behind now.
#[derive(Debug, Clone)]
pub struct CaptureStepped<'a> {
    pub schedule: &'a str,
    pub table: &'a str,
    pub records: usize,
    pub lag_seconds: Option<f64>,
}

impl CaptureStepped<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let (schedule, table) = (self.schedule, self.table);
        if self.records > 0 {
            tracing::debug!(schedule, table, records = self.records, "Captured changes.");
        }
        metrics
            .capture_records
            .with_label_values(&[schedule, table])
            .inc_by(self.records as u64);
        metrics.capture_up.with_label_values(&[schedule]).set(1);
        // The gap counter exists from the first step, so an alert sees it go from 0 to 1.
        metrics
            .capture_gaps
            .with_label_values(&[schedule])
            .inc_by(0);
        if let Some(lag) = self.lag_seconds {
            metrics.capture_lag.with_label_values(&[schedule]).set(lag);
        }
    }
}

/// A table's capture failed; `gap` when changes were lost (a new base backup is needed).
#[derive(Debug, Clone)]
pub struct CaptureFailed<'a> {
    pub schedule: &'a str,
    pub table: &'a str,
    pub error: &'a str,
    pub gap: bool,
}

impl CaptureFailed<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let (schedule, table, error) = (self.schedule, self.table, self.error);
        if self.gap {
            tracing::error!(schedule, table, error, "CAPTURE GAP: changes were lost to continuous capture; restores cannot cross this point until a new base backup.");
        } else {
            tracing::error!(
                schedule,
                table,
                error,
                "Continuous capture failed; restarting from the stored checkpoint."
            );
        }
        metrics.capture_up.with_label_values(&[schedule]).set(0);
    }
}

/// A table's capture lost changes and continues from a fresh position; a new base backup of
/// the schedule is on its way. Restores to an instant in the gap are refused.
#[derive(Debug, Clone)]
pub struct CaptureGapRecorded<'a> {
    pub schedule: &'a str,
    pub table: &'a str,
    pub gap: &'a CaptureGap,
}

impl CaptureGapRecorded<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let (schedule, table) = (self.schedule, self.table);
        tracing::error!(
            schedule,
            table,
            gap = %self.gap.describe(),
            "CAPTURE GAP: changes were lost to continuous capture. Capture continues from a fresh position and a new base backup is being taken; no restore can reach an instant in the gap."
        );
        metrics.capture_gaps.with_label_values(&[schedule]).inc();
    }
}
