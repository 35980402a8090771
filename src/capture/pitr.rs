//! Planning a point-in-time restore (issue 12): which base backup and which captured changes
//! give a schedule's tables as they were at an instant T — or why none can.
//!
//! - The base is the newest completed backup of the schedule that *finished* at or before T.
//!   Not "started": a scan reads each row once, somewhere between the base's start and end, so
//!   a base's rows may already hold changes made after an instant inside its scan, and a replay
//!   cannot take a change back out. After its end every change is in the stream and replays.
//! - The changes are every stored record of the base's chain up to T (commit time ≤ T, µs).
//!   A chain is the records between two gaps; the base's chain is the one after the newest gap
//!   that ended before the base started (the base started after capture's fresh position).
//! - Refused, naming the reason: T after what every table is captured until, T before the
//!   oldest base's end, or a recorded gap between the base's start and T (the changes the
//!   replay needs are missing).

use chrono::{DateTime, Utc};

use std::sync::Arc;

use super::gap::{rfc3339, CaptureGap};
use super::store::{ChangeStore, ChangeStoreError};
use super::CapturedRecord;

/// A completed base backup of the schedule.
#[derive(Debug, Clone)]
pub struct BaseBackup {
    pub id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
}

/// What a point-in-time restore reads.
#[derive(Debug, Clone)]
pub struct PitrPlan {
    pub base: BaseBackup,
    /// Replay records committed at or before this instant (µs).
    pub until_us: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum PitrError {
    /// The instant cannot be restored; the message names the window or the gap.
    #[error("{0}")]
    NotRestorable(String),
    #[error(transparent)]
    Changes(#[from] ChangeStoreError),
}

fn refused(message: String) -> PitrError {
    PitrError::NotRestorable(message)
}

/// The base and the replay bound for `at`, given the schedule's completed bases and the
/// change store of each table to restore.
pub async fn plan(
    bases: &[BaseBackup],
    tables: &[(String, Arc<dyn ChangeStore>)],
    at: DateTime<Utc>,
) -> Result<PitrPlan, PitrError> {
    let at_us = at.timestamp_micros();
    let mut captured_until_us = i64::MAX;
    let mut gaps: Vec<(&str, CaptureGap)> = Vec::new();
    for (table, store) in tables {
        let checkpoint = store.latest_checkpoint().await?;
        let until = store.captured_until_us().await?;
        let Some(until) = until else {
            return Err(refused(format!(
                "nothing is restorable yet: capture of table '{table}' has not reached its stream's tip"
            )));
        };
        captured_until_us = captured_until_us.min(until);
        for gap in checkpoint.into_iter().flat_map(|c| c.gaps) {
            gaps.push((table.as_str(), gap));
        }
    }
    let Some(oldest) = bases.iter().map(|b| b.finished_at).min() else {
        return Err(refused(
            "nothing is restorable yet: the schedule has no completed base backup".into(),
        ));
    };
    let window = format!(
        "the restorable window is from {} to {}",
        oldest.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        rfc3339(captured_until_us)
    );
    let at_text = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    if at_us > captured_until_us {
        return Err(refused(format!(
            "point_in_time {at_text} is after the restorable window: {window} (changes are captured up to its end)"
        )));
    }
    let base = bases
        .iter()
        .filter(|b| b.finished_at <= at)
        .max_by_key(|b| b.finished_at)
        .ok_or_else(|| {
            refused(format!(
                "point_in_time {at_text} is before the restorable window: {window} (the end of the oldest base backup)"
            ))
        })?;
    let base_started_us = base.started_at.timestamp_micros();
    if let Some((table, gap)) = gaps
        .iter()
        .find(|(_, gap)| gap.crosses(base_started_us, at_us))
    {
        let again = bases
            .iter()
            .filter(|b| b.started_at.timestamp_micros() >= gap.until_us)
            .map(|b| b.finished_at)
            .min()
            .map(|t| {
                format!(
                    "; restorable again from {}",
                    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
                )
            })
            .unwrap_or_else(|| "; restorable again once a base backup after it completes".into());
        return Err(refused(format!(
            "point_in_time {at_text} is in a capture gap of table '{table}': changes {} were lost{again}",
            gap.describe()
        )));
    }
    Ok(PitrPlan {
        base: base.clone(),
        until_us: at_us,
    })
}

/// The records a replay from a base that started at `base_started_us` up to `until_us`
/// needs: every stored record of the base's chain (the records stored after the newest gap
/// that ended before the base started) committed at or before `until_us`, in stored order.
pub async fn chain_records(
    store: &dyn ChangeStore,
    base_started_us: i64,
    until_us: i64,
) -> Result<Vec<CapturedRecord>, ChangeStoreError> {
    let chain = store
        .latest_checkpoint()
        .await?
        .map(|c| {
            c.gaps
                .iter()
                .filter(|g| g.until_us <= base_started_us)
                .count()
        })
        .unwrap_or(0);
    store.chain_records_until(chain, until_us).await
}
