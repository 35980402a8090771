//! After a capture gap the schedule needs a new base backup that started after the gap's end:
//! only such a base and the changes after it can restore an instant past the gap. The capture
//! loop owns one [`GapBase`] per table; it submits the base through the scheduler's run-now
//! path (a real run, visible in the run history) and keeps at it until one completes —
//! a submission skipped because another backup of the schedule is running, a base that fails,
//! or a daemon restarted in between all lead to another attempt.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::api::AppState;
use crate::catalog::{BackupFilter, BackupStatus, PageRequest, RunStatus};

/// Pause between attempts (a check is two catalog reads).
const ATTEMPT_PAUSE: Duration = Duration::from_secs(2);

/// A base backup wanted for the schedule, started after `after`.
#[derive(Debug)]
pub struct GapBase {
    after: DateTime<Utc>,
    run_id: Option<String>,
    last_attempt: Option<Instant>,
}

impl GapBase {
    pub fn after_us(after_us: i64) -> Self {
        GapBase {
            after: DateTime::<Utc>::from_timestamp_micros(after_us).unwrap_or_else(Utc::now),
            run_id: None,
            last_attempt: None,
        }
    }

    /// One attempt (at most every [`ATTEMPT_PAUSE`]): `true` once a completed backup of the
    /// schedule started after the gap exists.
    pub async fn settle(&mut self, state: &AppState, schedule_id: &str, schedule: &str) -> bool {
        if self
            .last_attempt
            .is_some_and(|at| at.elapsed() < ATTEMPT_PAUSE)
        {
            return false;
        }
        self.last_attempt = Some(Instant::now());
        match self.step(state, schedule_id, schedule).await {
            Ok(done) => done,
            Err(e) => {
                tracing::warn!(schedule, error = %e, "Could not start the base backup a capture gap needs; retrying.");
                false
            }
        }
    }

    async fn step(
        &mut self,
        state: &AppState,
        schedule_id: &str,
        schedule: &str,
    ) -> Result<bool, String> {
        if completed_base_after(state, schedule_id, self.after).await? {
            if let Some(run_id) = &self.run_id {
                tracing::info!(
                    schedule,
                    run_id,
                    "The base backup after the capture gap completed."
                );
            }
            return Ok(true);
        }
        if let Some(run_id) = &self.run_id {
            let run = state
                .catalog
                .get_run(run_id)
                .await
                .map_err(|e| e.to_string())?;
            if !run.status.is_finished() {
                return Ok(false);
            }
        }
        let run = state
            .scheduler
            .run_now(schedule_id)
            .await
            .map_err(|e| e.to_string())?;
        if run.status == RunStatus::Skipped {
            tracing::warn!(schedule, reason = ?run.skip_reason, "The base backup after a capture gap was skipped; retrying.");
            self.run_id = None;
        } else {
            tracing::warn!(schedule, run_id = %run.id, "Started a new base backup after a capture gap.");
            self.run_id = Some(run.id);
        }
        Ok(false)
    }
}

/// Whether the newest gap of a table still waits for its base (after a restart).
pub async fn needed_after(state: &AppState, schedule_id: &str, gap_until_us: i64) -> bool {
    let after = DateTime::<Utc>::from_timestamp_micros(gap_until_us).unwrap_or_else(Utc::now);
    !matches!(
        completed_base_after(state, schedule_id, after).await,
        Ok(true)
    )
}

async fn completed_base_after(
    state: &AppState,
    schedule_id: &str,
    after: DateTime<Utc>,
) -> Result<bool, String> {
    let filter = BackupFilter {
        schedule_id: Some(schedule_id.to_string()),
        statuses: vec![BackupStatus::Completed],
        started_after: Some(after),
        ..BackupFilter::default()
    };
    let page = state
        .catalog
        .list_backups(&filter, &PageRequest::first(1))
        .await
        .map_err(|e| e.to_string())?;
    Ok(!page.items.is_empty())
}
