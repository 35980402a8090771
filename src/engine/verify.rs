//! Verify: recompute every table's counts and checksum from the stored data and compare with
//! the manifest; optionally also from the live source table (every version, as a backup reads
//! it). A flipped byte, a missing row or a missing cell changes the checksum, so it shows up as
//! a problem naming the table and what differs.

use std::sync::Arc;

use futures::StreamExt;
use serde::Serialize;

use super::measure::{measure_stored, measure_stream};
use super::{EngineError, RunControls, TableMeasure};
use crate::store::{BackupReader, TableManifest};
use crate::tablestore::client::{Client, Direction, RangeRequest};

pub struct VerifyJob {
    pub reader: Arc<dyn BackupReader>,
    /// Also compare with the live tables of this instance.
    pub source: Option<Client>,
    /// Tables to verify; empty means all.
    pub tables: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifyReport {
    pub backup_id: String,
    /// True when no table has a problem.
    pub ok: bool,
    pub tables: Vec<TableVerifyReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableVerifyReport {
    pub table: String,
    pub ok: bool,
    pub manifest: Counts,
    /// What the stored data holds; `None` when it could not be read.
    pub stored: Option<Counts>,
    /// What the live source table holds, when compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Counts>,
    /// One line per difference, e.g. `stored rows: manifest 10, found 9`.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub rows: u64,
    pub cells: u64,
    pub bytes: u64,
    pub checksum: String,
}

impl From<&TableMeasure> for Counts {
    fn from(m: &TableMeasure) -> Self {
        Counts {
            rows: m.checksum.rows,
            cells: m.checksum.cells,
            bytes: m.checksum.bytes,
            checksum: m.checksum.digest(),
        }
    }
}

impl VerifyReport {
    /// One line per problem, `table: problem`.
    pub fn problems(&self) -> Vec<String> {
        self.tables
            .iter()
            .flat_map(|t| {
                t.problems
                    .iter()
                    .map(move |p| format!("table {}: {p}", t.table))
            })
            .collect()
    }
}

pub async fn run_verify(job: VerifyJob, ctx: &RunControls) -> Result<VerifyReport, EngineError> {
    let manifest = job.reader.manifest().clone();
    let tables: Vec<&TableManifest> = if job.tables.is_empty() {
        manifest.tables.iter().collect()
    } else {
        job.tables
            .iter()
            .map(|name| {
                manifest.table(name).ok_or_else(|| {
                    EngineError::Refused(format!(
                        "table {name} is not in backup {}",
                        manifest.backup_id
                    ))
                })
            })
            .collect::<Result<_, _>>()?
    };
    ctx.progress.set_tables_total(tables.len() as u64);
    let mut reports = Vec::new();
    for table in tables {
        let report = verify_table(&job, table, manifest.all_versions, ctx).await?;
        if !report.ok {
            tracing::warn!(table = %report.table, problems = ?report.problems, "Verification found problems.");
        }
        ctx.progress.table_done();
        reports.push(report);
    }
    Ok(VerifyReport {
        backup_id: manifest.backup_id.clone(),
        ok: reports.iter().all(|t| t.ok),
        tables: reports,
    })
}

async fn verify_table(
    job: &VerifyJob,
    table: &TableManifest,
    all_versions: bool,
    ctx: &RunControls,
) -> Result<TableVerifyReport, EngineError> {
    let name = &table.description.name;
    let mut problems = Vec::new();
    let stored = match measure_stored(job.reader.as_ref(), name, ctx).await {
        Ok(measure) => {
            let c = &measure.checksum;
            ctx.progress.add_rows(c.rows, c.cells, c.bytes);
            problems.extend(
                measure
                    .differences(table)
                    .into_iter()
                    .map(|d| format!("stored {d}")),
            );
            Some(Counts::from(&measure))
        }
        Err(EngineError::Cancelled) => return Err(EngineError::Cancelled),
        Err(e) => {
            problems.push(format!("stored data cannot be read: {e}"));
            None
        }
    };
    let mut source = None;
    if let Some(client) = &job.source {
        match measure_live(client, table, all_versions, ctx).await {
            Ok(measure) => {
                problems.extend(
                    measure
                        .differences(table)
                        .into_iter()
                        .map(|d| format!("source {d}")),
                );
                source = Some(Counts::from(&measure));
            }
            Err(EngineError::Tablestore { source: e, .. }) if e.is_not_found() => {
                problems.push("source table does not exist".to_string());
            }
            Err(e) => return Err(e),
        }
    }
    Ok(TableVerifyReport {
        table: name.clone(),
        ok: problems.is_empty(),
        manifest: Counts {
            rows: table.rows,
            cells: table.cells,
            bytes: table.bytes,
            checksum: table.checksum.clone(),
        },
        stored,
        source,
        problems,
    })
}

async fn measure_live(
    client: &Client,
    table: &TableManifest,
    all_versions: bool,
    ctx: &RunControls,
) -> Result<TableMeasure, EngineError> {
    let name = table.description.name.clone();
    let pk: Vec<&str> = table.description.pk_names().collect();
    let mut request = RangeRequest::whole_table(&name, pk, Direction::Forward);
    if !all_versions {
        request.max_versions = Some(1);
    }
    let pages = client.scan(request).map(move |page| {
        page.map_err(|source| EngineError::Tablestore {
            context: format!("scanning source table {name}"),
            source,
        })
    });
    measure_stream(pages, ctx).await
}
