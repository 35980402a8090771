//! The max time deviation a restore needs, found while the rows are written instead of by a
//! reading pass before: before a batch goes to the writers, its farthest cell timestamp is
//! compared with what the target allows now, and when it is too far the target's deviation is
//! raised first (under a lock, so concurrent batches raise it once). The restore sets the
//! raised deviation back afterwards, as for one planned up front ([`super::target::settle`]).

use chrono::Utc;
use tokio::sync::Mutex;

use super::report::DeviationChange;
use super::target::{raised_deviation, set_options_during, Target};
use crate::engine::EngineError;
use crate::tablestore::client::Client;
use crate::tablestore::Row;

pub struct DeviationGuard<'a> {
    client: &'a Client,
    target: &'a Target,
    /// The change made so far; `None` while the target's own deviation suffices.
    change: Mutex<Option<DeviationChange>>,
}

impl<'a> DeviationGuard<'a> {
    /// Starts from the change planned at inspection (a target whose deviation is below the
    /// safety margin is raised before any row is read).
    pub fn new(client: &'a Client, target: &'a Target) -> Self {
        DeviationGuard {
            client,
            target,
            change: Mutex::new(target.deviation),
        }
    }

    /// Makes sure the target accepts every cell timestamp of `rows`, raising its deviation
    /// when they are too far from now.
    pub async fn admit(&self, rows: &[Row]) -> Result<(), EngineError> {
        let distance = farthest_distance_secs(rows, Utc::now().timestamp_millis());
        let mut change = self.change.lock().await;
        let saved = self.target.options_after.max_time_deviation;
        let current = change.map_or(saved, |d| d.during_restore);
        if let Some(during_restore) = raised_deviation(distance, current) {
            let raised = DeviationChange {
                saved,
                during_restore,
            };
            let target = Target {
                deviation: Some(raised),
                ..self.target.clone()
            };
            set_options_during(self.client, &target).await?;
            tracing::info!(table = %target.name, deviation = during_restore, "Raised the max time deviation for old cell timestamps.");
            *change = Some(raised);
        }
        Ok(())
    }

    /// The target as it stands now: with the deviation raised so far, to report and set back.
    pub async fn target(&self) -> Target {
        Target {
            deviation: *self.change.lock().await,
            ..self.target.clone()
        }
    }
}

/// The largest distance (seconds, rounded up) between a cell timestamp of `rows` and `now_ms`.
fn farthest_distance_secs(rows: &[Row], now_ms: i64) -> i64 {
    let ms = rows
        .iter()
        .flat_map(|row| row.cells.iter().filter_map(|c| c.timestamp))
        .map(|ts| (now_ms - ts).saturating_abs())
        .max()
        .unwrap_or(0);
    ms.saturating_add(999) / 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::{Cell, PkValue, PrimaryKey, Value};

    #[test]
    fn the_farthest_timestamp_either_side_of_now_counts() {
        let row = Row::new(
            PrimaryKey::new([("id", PkValue::Integer(1))]),
            vec![
                Cell::put_at("a", Value::Integer(1), 5_000),
                Cell::put_at("a", Value::Integer(2), 1_000),
                Cell::put("b", Value::Integer(3)),
            ],
        );
        assert_eq!(
            farthest_distance_secs(std::slice::from_ref(&row), 10_500),
            10
        );
        assert_eq!(farthest_distance_secs(std::slice::from_ref(&row), 0), 5);
        assert_eq!(farthest_distance_secs(&[], 123), 0);
    }
}
