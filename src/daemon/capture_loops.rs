//! Continuous capture loops (issue 12): one [`TableCapture`] per table of every continuous,
//! unpaused schedule, storing its changes next to the schedule's base backups: change
//! segments under `<archive root>/.changes/<schedule id>/<table>/` in an archive store,
//! change records in `<prefix>__changes` in a MongoDB store (`capture::store`).
//!
//! The daemon owns them: a reconcile loop reads the schedules every few seconds, starts a loop
//! for each table newly wanted and stops the ones no longer wanted (schedule deleted, paused,
//! switched to "full", source/store/tables changed). Every loop stops on the daemon's one
//! shutdown token. A failed loop is logged and restarted from its stored checkpoint after a
//! pause, so a source that is down only delays capture.
//!
//! A gap (changes lost: records expired behind a stopped daemon, the stream disabled) is
//! recorded by the capture step itself, which continues from a fresh position; the loop then
//! says so loudly (error log, `tablevault_capture_gaps_total`) and makes sure a new base
//! backup of the schedule completes ([`GapBase`]), also after a restart.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::api::AppState;
use crate::capture::store::change_storage_refusal;
use crate::capture::{
    open_change_store, CaptureError, CaptureSettings, ChangeStore, TableCapture, TableCaptureStatus,
};
use crate::catalog::{PageRequest, Schedule, ScheduleMode, MAX_PAGE_SIZE};
use crate::telemetry::events::{CaptureFailed, CaptureGapRecorded, CaptureStepped};

use super::gap_base::{self, GapBase};

/// How often the schedules are re-read (a changed schedule takes effect within this).
const RECONCILE_INTERVAL: Duration = Duration::from_secs(2);
/// Pause before a failed capture loop is started again.
const RESTART_PAUSE: Duration = Duration::from_secs(5);

/// One table's capture as a schedule asks for it; any change means a new loop.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Wanted {
    schedule_id: String,
    /// The metrics label.
    schedule_name: String,
    source: String,
    /// The store's name; its config is read when the loop starts.
    store: String,
    table: String,
}

/// Starts the reconcile loop; it and every capture loop stop on `shutdown`.
pub fn spawn(state: AppState, shutdown: CancellationToken) {
    tokio::spawn(async move {
        let mut running: HashMap<Wanted, CancellationToken> = HashMap::new();
        loop {
            match wanted(&state).await {
                Ok(wanted) => {
                    running.retain(|key, token| {
                        let keep = wanted.contains(key);
                        if !keep {
                            tracing::info!(schedule = %key.schedule_id, table = %key.table, "Stopping continuous capture.");
                            token.cancel();
                        }
                        keep
                    });
                    for key in wanted {
                        if !running.contains_key(&key) {
                            let token = shutdown.child_token();
                            running.insert(key.clone(), token.clone());
                            tokio::spawn(capture_loop(state.clone(), key, token));
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "Could not read the continuous schedules."),
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(RECONCILE_INTERVAL) => {}
            }
        }
    });
}

/// Every table capture the schedules ask for now.
async fn wanted(state: &AppState) -> Result<Vec<Wanted>, String> {
    let mut wanted = Vec::new();
    for schedule in all_schedules(state).await? {
        if schedule.mode != ScheduleMode::Continuous || schedule.paused {
            continue;
        }
        match state.config.store(&schedule.store) {
            // The API refuses these; a config change may still get here.
            Ok(store) => {
                if let Some(reason) = change_storage_refusal(&schedule.store, store) {
                    tracing::warn!(schedule = %schedule.name, %reason, "Not capturing.");
                    continue;
                }
            }
            Err(e) => {
                tracing::warn!(schedule = %schedule.name, error = %e, "Not capturing.");
                continue;
            }
        };
        for table in tables_of(state, &schedule).await? {
            wanted.push(Wanted {
                schedule_id: schedule.id.clone(),
                schedule_name: schedule.name.clone(),
                source: schedule.source.clone(),
                store: schedule.store.clone(),
                table,
            });
        }
    }
    Ok(wanted)
}

async fn all_schedules(state: &AppState) -> Result<Vec<Schedule>, String> {
    let mut all = Vec::new();
    let mut page = PageRequest::first(MAX_PAGE_SIZE);
    loop {
        let got = state
            .catalog
            .list_schedules(&page)
            .await
            .map_err(|e| e.to_string())?;
        all.extend(got.items);
        match got.next_page_token {
            Some(token) => page = PageRequest::next(MAX_PAGE_SIZE, token),
            None => return Ok(all),
        }
    }
}

/// The schedule's tables; every table of the source when it names none.
async fn tables_of(state: &AppState, schedule: &Schedule) -> Result<Vec<String>, String> {
    if !schedule.tables.is_empty() {
        return Ok(schedule.tables.clone());
    }
    let client = state
        .tablestore_client(&schedule.source)
        .map_err(|e| e.to_string())?;
    client
        .list_tables()
        .await
        .map_err(|e| format!("source '{}': {e}", schedule.source))
}

/// One table's capture until `stop` fires, restarted after a pause when it fails. Each step
/// is reported (status for the API, telemetry for the metrics).
async fn capture_loop(state: AppState, key: Wanted, stop: CancellationToken) {
    tracing::info!(schedule = %key.schedule_name, table = %key.table, "Starting continuous capture.");
    while !stop.is_cancelled() {
        if let Err(e) = capture_until_failure(&state, &key, &stop).await {
            let (error, gap) = match &e {
                Failure::Capture(CaptureError::Gap { .. }) => (e.to_string(), true),
                _ => (e.to_string(), false),
            };
            CaptureFailed {
                schedule: &key.schedule_name,
                table: &key.table,
                error: &error,
                gap,
            }
            .emit(&state.metrics);
            let mut status = state
                .captures
                .of(&key.schedule_id)
                .remove(&key.table)
                .unwrap_or_default();
            status.up = false;
            status.error = Some(error);
            state.captures.set(&key.schedule_id, &key.table, status);
        }
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tokio::time::sleep(RESTART_PAUSE) => {}
        }
    }
    // The loop owns its status: removed last, so no step finishing late can bring it back.
    state.captures.remove(&key.schedule_id, &key.table);
    tracing::info!(schedule = %key.schedule_name, table = %key.table, "Stopped continuous capture.");
}

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Capture(#[from] CaptureError),
}

/// Steps (as [`TableCapture::run`] does) until `stop` fires or a step fails.
async fn capture_until_failure(
    state: &AppState,
    key: &Wanted,
    stop: &CancellationToken,
) -> Result<(), Failure> {
    let client = state
        .tablestore_client(&key.source)
        .map_err(|e| Failure::Setup(e.to_string()))?;
    let config = state
        .config
        .store(&key.store)
        .map_err(|e| Failure::Setup(e.to_string()))?;
    let store = open_change_store(&key.store, config, &key.schedule_id, &key.table)
        .await
        .map_err(|e| Failure::Setup(e.to_string()))?;
    let settings = CaptureSettings::default();
    let idle_pause = settings.idle_pause;
    let mut base_wanted = base_still_wanted(state, key, &store).await;
    let mut capture = TableCapture::new(client, &key.table, store, settings);
    while !stop.is_cancelled() {
        let outcome = tokio::select! {
            _ = stop.cancelled() => break,
            outcome = capture.run_once() => outcome?,
        };
        if let Some(gap) = &outcome.gap {
            CaptureGapRecorded {
                schedule: &key.schedule_name,
                table: &key.table,
                gap,
            }
            .emit(&state.metrics);
            base_wanted = Some(GapBase::after_us(gap.until_us));
        }
        if let Some(base) = &mut base_wanted {
            if base
                .settle(state, &key.schedule_id, &key.schedule_name)
                .await
            {
                base_wanted = None;
            }
        }
        state.captures.set(
            &key.schedule_id,
            &key.table,
            TableCaptureStatus {
                up: true,
                captured_until_us: outcome.captured_until_us,
                error: None,
            },
        );
        let lag_seconds = state
            .captures
            .captured_until_us(&key.schedule_id)
            .map(|us| (Utc::now().timestamp_micros() - us).max(0) as f64 / 1e6);
        CaptureStepped {
            schedule: &key.schedule_name,
            table: &key.table,
            records: outcome.records_stored,
            lag_seconds,
        }
        .emit(&state.metrics);
        if outcome.records_stored == 0 {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep(idle_pause) => {}
            }
        }
    }
    Ok(())
}

/// The base a gap recorded before this loop started still needs (the daemon stopped between
/// recording the gap and the base completing).
async fn base_still_wanted(
    state: &AppState,
    key: &Wanted,
    store: &Arc<dyn ChangeStore>,
) -> Option<GapBase> {
    let stored = store.latest_checkpoint().await.ok()??;
    let gap = stored.gaps.last()?;
    gap_base::needed_after(state, &key.schedule_id, gap.until_us)
        .await
        .then(|| GapBase::after_us(gap.until_us))
}
