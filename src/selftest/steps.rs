//! The self-test's steps against the instance: create the scratch tables and wait until they
//! take writes, write the corpus, back up, restore under new names, read both back and
//! compare, and delete what was created. Each returns the rows it handled, or why it failed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};

use super::compare::{description_differences, row_differences, MAX_LISTED_PER_TABLE};
use super::corpus::CorpusTable;
use super::indexes::{delete_search_indexes, index_differences};
use super::report::{NotReady, StepStatus};
use super::Selftest;
use crate::engine::{
    run_backup, run_restore, BackupIo, BackupJob, IfExists, RestoreJob, RestoreSettings,
    RunControls,
};
use crate::store::BackupStore;
use crate::tablestore::client::{
    Client, Direction, RangeRequest, RetryPolicy, RowExistence, TablestoreError,
};
use crate::tablestore::{codes, Row};

/// Rows written at once while writing the corpus.
const WRITE_CONCURRENCY: usize = 8;
/// Pause between write probes of a table that is not ready yet.
const PROBE_PAUSE: Duration = Duration::from_millis(500);
/// How often waiting for a table is logged.
const WAIT_LOG_EVERY: Duration = Duration::from_secs(10);

pub type StepResult<T> = Result<T, StepStatus>;

pub(super) fn failed(context: &str, error: impl std::fmt::Display) -> StepStatus {
    StepStatus::Failed {
        error: format!("{context}: {error}"),
    }
}

/// Creates each source table, then writes its first row until the instance accepts it (a
/// new table may refuse writes for a while), and says how long that took.
pub async fn create_tables(test: &Selftest, tables: &[CorpusTable]) -> StepResult<Vec<NotReady>> {
    let mut waits = Vec::new();
    for table in tables {
        let name = &table.description.name;
        test.client
            .create_table(&table.description)
            .await
            .map_err(|e| failed(&format!("creating table {name}"), e))?;
        let created = Instant::now();
        let refused_writes = match table.rows.first() {
            Some(row) => wait_until_writable(test, name, row).await?,
            None => 0,
        };
        waits.push(NotReady {
            table: name.clone(),
            seconds: created.elapsed().as_secs_f64(),
            refused_writes,
        });
    }
    Ok(waits)
}

/// Writes `row` once per probe until it is accepted; the refusals of a table not yet
/// usable are waited out up to `ready_timeout`, any other error fails the step.
async fn wait_until_writable(test: &Selftest, table: &str, row: &Row) -> StepResult<u64> {
    let probe = test.client.clone().with_retry_policy(RetryPolicy::never());
    let started = Instant::now();
    let mut last_log = started;
    let mut refused = 0;
    loop {
        match probe.put_row(table, row, RowExistence::Ignore).await {
            Ok(()) => return Ok(refused),
            Err(e) if not_ready_yet(&e) && started.elapsed() < test.ready_timeout => {
                refused += 1;
                if last_log.elapsed() >= WAIT_LOG_EVERY {
                    last_log = Instant::now();
                    tracing::info!(
                        target: "tablevault::cli",
                        "selftest: table {table} does not take writes yet ({:.0}s, {e})",
                        started.elapsed().as_secs_f64()
                    );
                }
                tokio::time::sleep(PROBE_PAUSE).await;
            }
            Err(e) => return Err(failed(&format!("first write to new table {table}"), e)),
        }
    }
}

/// What a table answers while it is being set up, or the instance while it is busy.
fn not_ready_yet(error: &TablestoreError) -> bool {
    matches!(
        error.code(),
        Some(codes::TABLE_NOT_READY | codes::PARTITION_UNAVAILABLE | codes::OBJECT_NOT_EXIST)
    ) || error.is_retryable(true)
}

/// Writes every corpus row (PutRow, retried by the client); returns the rows written.
pub async fn write_corpus(client: &Client, tables: &[CorpusTable]) -> StepResult<u64> {
    let writes = tables.iter().flat_map(|t| {
        t.rows
            .iter()
            .map(move |row| (t.description.name.as_str(), row))
    });
    futures::stream::iter(writes)
        .map(|(table, row)| async move {
            client
                .put_row(table, row, RowExistence::Ignore)
                .await
                .map_err(|e| failed(&format!("writing a row of {table}"), e))
        })
        .buffer_unordered(WRITE_CONCURRENCY)
        .try_fold(0u64, |n, ()| async move { Ok(n + 1) })
        .await
}

/// Backs the source tables up; returns the backup id and the rows stored.
pub async fn backup(
    test: &Selftest,
    store: Arc<dyn BackupStore>,
    tables: &[CorpusTable],
) -> StepResult<(String, u64)> {
    let names = tables.iter().map(|t| t.description.name.clone()).collect();
    let job = BackupJob::new(test.source.clone(), names, test.engine.clone());
    let ctx = BackupIo::new(test.client.clone(), store);
    let outcome = run_backup(job, &ctx)
        .await
        .map_err(|e| failed("backup", e))?;
    Ok((outcome.backup_id, outcome.manifest.total_rows()))
}

/// Restores the backup with every table renamed (`renames`: source → target); returns the
/// rows written.
pub async fn restore(
    test: &Selftest,
    store: &dyn BackupStore,
    backup_id: &str,
    renames: BTreeMap<String, String>,
) -> StepResult<u64> {
    let reader = store
        .open(backup_id)
        .await
        .map_err(|e| failed(&format!("opening backup {backup_id}"), e))?;
    let job = RestoreJob {
        reader,
        client: test.client.clone(),
        tables: Vec::new(),
        renames,
        if_exists: IfExists::Fail,
        dry_run: false,
        settings: RestoreSettings::default(),
    };
    let report = run_restore(job, &RunControls::new(test.engine.clone()))
        .await
        .map_err(|e| failed("restore", e))?;
    Ok(report.total_rows())
}

/// Reads the source and the restored tables back and compares both with the corpus, and the
/// restored descriptions with the source's. Returns the rows read and the differences (at
/// most [`MAX_LISTED_PER_TABLE`] listed per table) with their exact count.
pub async fn compare(
    client: &Client,
    tables: &[CorpusTable],
    renames: &BTreeMap<String, String>,
) -> StepResult<(u64, Vec<String>, u64)> {
    let mut rows_read = 0;
    let mut listed = Vec::new();
    let mut count = 0;
    for table in tables {
        let source = &table.description.name;
        let target = &renames[source];
        let mut found = Vec::new();
        for name in [source, target] {
            let rows = read_table(client, name).await?;
            rows_read += rows.len() as u64;
            found.push(row_differences(name, &table.rows, &rows));
        }
        let source_description = describe(client, source).await?;
        let target_description = describe(client, target).await?;
        found.push(description_differences(
            &source_description,
            &target_description,
        ));
        found.push(index_differences(client, source, target).await?);
        for lines in found {
            count += lines.len() as u64;
            listed.extend(lines.into_iter().take(MAX_LISTED_PER_TABLE));
        }
    }
    Ok((rows_read, listed, count))
}

pub(super) async fn describe(
    client: &Client,
    table: &str,
) -> StepResult<crate::tablestore::TableDescription> {
    client
        .describe_table(table)
        .await
        .map_err(|e| failed(&format!("describing {table}"), e))
}

/// Every row of `table`, every version, cells in Tablestore's order.
async fn read_table(client: &Client, table: &str) -> StepResult<Vec<Row>> {
    let description = describe(client, table).await?;
    let pk: Vec<&str> = description.pk_names().collect();
    let request = RangeRequest::whole_table(table, pk, Direction::Forward);
    let pages: Vec<Vec<Row>> = client
        .scan(request)
        .try_collect()
        .await
        .map_err(|e| failed(&format!("reading {table}"), e))?;
    Ok(super::corpus::normalized(
        pages.into_iter().flatten().collect(),
    ))
}

/// Deletes the tables (a table that is already gone is fine) and the backup.
pub async fn clean_up(
    client: &Client,
    tables: &[String],
    store: &dyn BackupStore,
    backup_id: Option<&str>,
) -> StepResult<()> {
    let mut problems = Vec::new();
    for table in tables {
        // The service refuses DeleteTable while the table has a search index; secondary
        // indexes go with their table.
        if let Err(problem) = delete_search_indexes(client, table).await {
            problems.push(problem);
        }
        match client.delete_table(table).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => problems.push(format!("deleting table {table}: {e}")),
        }
    }
    if let Some(id) = backup_id {
        if let Err(e) = store.delete(id).await {
            problems.push(format!("deleting backup {id}: {e}"));
        }
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(StepStatus::Failed {
            error: problems.join("; "),
        }),
    }
}
