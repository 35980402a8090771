//! Waiting for the service around table operations, for longer than one request's retries.
//!
//! - A created table answers DescribeTable at once but refuses writes (`OTSTableNotReady`,
//!   `OTSPartitionUnavailable`) while its partition loads, "about one minute" per the
//!   CreateTable docs. [`wait_until_writable`] probes with a write that cannot change anything
//!   (a BatchWriteRow deleting a key that cannot exist yet, expecting it to exist: a ready
//!   table answers `OTSConditionCheckFail`) for up to [`WRITABLE_WAIT`], showing the wait in
//!   the progress. BatchWriteRow, not DeleteRow, so the restore's RAM policy needs no new
//!   action.
//! - Table operations are rate-limited ("Too frequent table operations."), and a table just
//!   created may refuse UpdateTable for a while. [`patiently`] repeats a table operation on
//!   such refusals, with pauses of seconds, for up to [`TABLE_OP_WAIT`].

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::engine::{EngineError, RunControls};
use crate::tablestore::client::{Client, RowError, RowExistence, RowWrite, TablestoreError};
use crate::tablestore::{codes, PkType, PkValue, PrimaryKey, TableDescription};

/// How long a created table may take to accept writes before the restore gives up.
pub const WRITABLE_WAIT: Duration = Duration::from_secs(10 * 60);
/// How long a throttled or refused table operation is repeated.
pub const TABLE_OP_WAIT: Duration = Duration::from_secs(5 * 60);
/// The first pause between probes or repeats; it doubles up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(200);
const MAX_PAUSE: Duration = Duration::from_secs(10);

/// A key of `table`'s schema that a restore never writes before probing: probing happens on a
/// table this restore has just created, before any row went in.
fn probe_key(table: &TableDescription) -> PrimaryKey {
    PrimaryKey::new(table.primary_key.iter().map(|c| {
        let value = match c.pk_type {
            PkType::Integer => PkValue::Integer(0),
            PkType::String => PkValue::String("tablevault-probe".into()),
            PkType::Binary => PkValue::Binary(b"tablevault-probe".to_vec()),
        };
        (c.name.as_str(), value)
    }))
}

/// Why a probe did not show the table writable: the request failed, or its one row did.
enum Refusal {
    Request(TablestoreError),
    Row(RowError),
}

impl Refusal {
    /// Whether the service said the table (or its partition) is still loading, or would not
    /// take the request right now, so the same probe may succeed later.
    fn is_transient(&self) -> bool {
        match self {
            // The probe is idempotent (a conditional delete of a row that cannot exist), so
            // any refusal a repeat may clear counts as "not yet".
            Refusal::Request(e) => e.is_not_found() || e.is_retryable(true),
            Refusal::Row(e) => {
                e.code == codes::OBJECT_NOT_EXIST || codes::is_retryable(&e.code, &e.message, true)
            }
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Request(e) => write!(f, "{e}"),
            Refusal::Row(e) => write!(f, "{}: {}", e.code, e.message),
        }
    }
}

fn next_pause(pause: Duration) -> Duration {
    (pause * 2).min(MAX_PAUSE)
}

/// Waits until `table` (just created) accepts writes; returns how long that took.
pub async fn wait_until_writable(
    client: &Client,
    table: &TableDescription,
    ctx: &RunControls,
) -> Result<Duration, EngineError> {
    wait_until_writable_within(client, table, ctx, WRITABLE_WAIT).await
}

pub async fn wait_until_writable_within(
    client: &Client,
    table: &TableDescription,
    ctx: &RunControls,
    limit: Duration,
) -> Result<Duration, EngineError> {
    let name = &table.name;
    let key = probe_key(table);
    let started = Instant::now();
    let mut pause = FIRST_PAUSE;
    let probe = [RowWrite::delete(name.as_str(), key).with_condition(RowExistence::ExpectExist)];
    let result = loop {
        let answer = match client.batch_write(&probe).await {
            Ok(mut rows) => rows.pop().unwrap_or(Ok(())).map_err(Refusal::Row),
            Err(e) => Err(Refusal::Request(e)),
        };
        let refusal = match answer {
            // Cannot happen on a table we just created; either way the write path answered.
            Ok(()) => break Ok(started.elapsed()),
            Err(Refusal::Row(e)) if e.code == codes::CONDITION_CHECK_FAIL => {
                break Ok(started.elapsed())
            }
            Err(refusal) => refusal,
        };
        let waited = started.elapsed();
        if !refusal.is_transient() || waited >= limit {
            let context = format!(
                "waiting {} s for created table {name} to accept writes",
                waited.as_secs()
            );
            break Err(match refusal {
                Refusal::Request(e) => EngineError::tablestore(context, e),
                Refusal::Row(e) => EngineError::RowsFailed {
                    table: name.clone(),
                    failed: 1,
                    first_error: format!("{context}: {}: {}", e.code, e.message),
                },
            });
        }
        ctx.progress.set_waiting_for_table(waited);
        tracing::info!(table = %name, waited_s = waited.as_secs(), refusal = %refusal, "Created table does not accept writes yet; waiting.");
        tokio::time::sleep(pause).await;
        pause = next_pause(pause);
    };
    ctx.progress.set_waiting_for_table(Duration::ZERO);
    result
}

/// Runs a table operation, repeating it while the service throttles or refuses it for now.
pub async fn patiently<T, F, Fut>(what: &str, mut operation: F) -> Result<T, TablestoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, TablestoreError>>,
{
    patiently_within(what, TABLE_OP_WAIT, &mut operation).await
}

async fn patiently_within<T, F, Fut>(
    what: &str,
    limit: Duration,
    operation: &mut F,
) -> Result<T, TablestoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, TablestoreError>>,
{
    let started = Instant::now();
    let mut pause = FIRST_PAUSE;
    loop {
        match operation().await {
            Ok(value) => return Ok(value),
            // Not found is final here: a table operation names a table that must exist.
            Err(e) if e.is_retryable(false) && started.elapsed() < limit => {
                tracing::info!(what, code = e.outcome_code(), error = %e, waited_s = started.elapsed().as_secs(), "Table operation refused for now; repeating it.");
                tokio::time::sleep(pause).await;
                pause = next_pause(pause);
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::PkSchema;

    #[test]
    fn the_probe_key_fits_the_schema() {
        let table = TableDescription::new(
            "t",
            vec![
                PkSchema::new("a", PkType::String),
                PkSchema::new("b", PkType::Integer),
                PkSchema::new("c", PkType::Binary),
            ],
        );
        let key = probe_key(&table);
        let names: Vec<&str> = key.columns().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(key.columns()[1].value, PkValue::Integer(0));
    }

    #[test]
    fn pauses_double_up_to_the_cap() {
        assert_eq!(next_pause(FIRST_PAUSE), FIRST_PAUSE * 2);
        assert_eq!(next_pause(MAX_PAUSE), MAX_PAUSE);
    }
}
