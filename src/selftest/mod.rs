//! `tablevault selftest`: proves a backup and a restore exact on the user's own instance.
//!
//! The real service behaves in ways no emulator fully models (new tables that refuse writes
//! for a while, throttling, limits), and we cannot reach it ourselves; our users can. The
//! self-test creates scratch tables named `tablevault_selftest_<random>_…`, writes the
//! [`corpus`] and a secondary and a search index where the instance allows them, backs it up
//! with the real engine, restores it under new names, reads everything back and compares
//! exactly, indexes too ([`compare`]), deletes what it created (unless
//! kept), and reports each step's time and rate, every difference, and what the instance
//! answered ([`tally`], [`report`]).
//!
//! # Layout
//! - `corpus`: the tables and rows written (also the engine's restore fixture).
//! - `steps`: each step against the instance; `compare`: the exact comparison.
//! - `tally`: counting the instance's answers through the client observer.
//! - `report`: what the run found, as text or JSON.

pub mod compare;
pub mod corpus;
mod indexes;
pub mod report;
mod steps;
pub mod tally;
pub mod typed;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

pub use report::{SelftestReport, StepReport, StepStatus};

use crate::config::EngineConfig;
use crate::store::{BackupStore, SourceInfo};
use crate::tablestore::client::Client;
use corpus::corpus;
use steps::StepResult;
use tally::Tally;

/// How long a new table may refuse writes before the self-test gives up on it.
pub const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(300);

/// One self-test run: the instance, where the backup goes, and the engine settings.
pub struct Selftest {
    pub client: Client,
    /// Recorded in the backup's manifest.
    pub source: SourceInfo,
    pub store: Arc<dyn BackupStore>,
    /// How the report names the store.
    pub store_label: String,
    pub engine: EngineConfig,
    /// Leave the tables and the backup in place.
    pub keep: bool,
    pub ready_timeout: Duration,
    /// Cancelling (Ctrl-C) stops the step in progress; what was created is still deleted.
    pub cancel: CancellationToken,
}

/// The table-name prefix of one run: `tablevault_selftest_` and 8 random hex digits.
pub fn new_prefix() -> String {
    format!("tablevault_selftest_{:08x}", rand::random::<u32>())
}

/// Runs every step (stopping the data steps at the first failure, always cleaning up) and
/// reports. The run passed when [`SelftestReport::passed`].
pub async fn run_selftest(mut test: Selftest, prefix: String) -> SelftestReport {
    let tally = Tally::default();
    test.client = test.client.clone().with_observer(tally.observer());
    let tables = corpus(&prefix, chrono::Utc::now().timestamp_millis());
    let renames: BTreeMap<String, String> = tables
        .iter()
        .map(|t| {
            let name = t.description.name.clone();
            (name.clone(), format!("{name}_restored"))
        })
        .collect();
    let mut report = SelftestReport {
        prefix: prefix.clone(),
        source_tables: renames.keys().cloned().collect(),
        restored_tables: renames.values().cloned().collect(),
        store: test.store_label.clone(),
        kept: test.keep,
        ..SelftestReport::default()
    };
    let mut runner = Steps {
        tally: &tally,
        report: &mut report,
    };
    let data_steps = async {
        let waits = runner
            .run("create", |_| 0, steps::create_tables(&test, &tables))
            .await?;
        runner.report.not_ready = waits;
        runner
            .run("write", |n| *n, steps::write_corpus(&test.client, &tables))
            .await?;
        // Before the backup, so it carries them; a refusal (skipped) does not stop the run.
        let mut created = Vec::new();
        let indexes = indexes::create_indexes(&test.client, &tables, &mut created);
        let _ = runner.run("indexes", |_| 0, indexes).await;
        runner.report.indexes = created;
        let (backup_id, _) = runner
            .run(
                "backup",
                |(_, rows)| *rows,
                steps::backup(&test, test.store.clone(), &tables),
            )
            .await?;
        runner.report.backup_id = Some(backup_id.clone());
        let restore = steps::restore(&test, test.store.as_ref(), &backup_id, renames.clone());
        runner.run("restore", |n| *n, restore).await?;
        let (_, listed, count) = runner
            .run(
                "compare",
                |(rows, _, _)| *rows,
                steps::compare(&test.client, &tables, &renames),
            )
            .await?;
        (runner.report.differences, runner.report.difference_count) = (listed, count);
        Some(())
    };
    let interrupted = tokio::select! {
        _ = data_steps => false,
        _ = test.cancel.cancelled() => true,
    };
    if interrupted {
        runner.report.steps.push(StepReport::interrupted());
    }
    if !test.keep {
        let created: Vec<String> = renames
            .iter()
            .flat_map(|(s, t)| [s.clone(), t.clone()])
            .collect();
        let backup_id = runner.report.backup_id.clone();
        let clean_up = steps::clean_up(
            &test.client,
            &created,
            test.store.as_ref(),
            backup_id.as_deref(),
        );
        let _ = runner.run("cleanup", |_| 0, clean_up).await;
    }
    runner.report.answers = tally.snapshot();
    report
}

/// Runs steps and records each one's time, rows, status and the instance's answers.
struct Steps<'a> {
    tally: &'a Tally,
    report: &'a mut SelftestReport,
}

impl Steps<'_> {
    /// Runs one step; `None` when it did not succeed (failed or skipped).
    async fn run<T>(
        &mut self,
        name: &'static str,
        rows_of: impl FnOnce(&T) -> u64,
        work: impl Future<Output = StepResult<T>>,
    ) -> Option<T> {
        tracing::info!(target: "tablevault::cli", "selftest: {name}");
        let before = self.tally.snapshot();
        let started = Instant::now();
        let result = work.await;
        let seconds = started.elapsed().as_secs_f64();
        let rows = result.as_ref().map(rows_of).unwrap_or(0);
        let (status, value) = match result {
            Ok(value) => (StepStatus::Ok, Some(value)),
            Err(status) => (status, None),
        };
        self.report.steps.push(StepReport {
            name,
            status,
            seconds,
            rows,
            rows_per_second: if seconds > 0.0 {
                rows as f64 / seconds
            } else {
                0.0
            },
            answers: self.tally.snapshot().since(&before),
        });
        value
    }
}
