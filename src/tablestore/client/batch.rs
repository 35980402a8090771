//! BatchWriteRow: up to 200 row writes in one request, with per-row results. Rows that fail
//! with a retryable code are sent again, alone, until they succeed or the budget is spent.

use std::collections::HashMap;

use prost::Message;

use super::backoff::RetryBudget;
use super::chunk::validate_batch;
use super::error::{Result, TablestoreError};
use super::rows::{key_row, write_is_idempotent, RowExistence};
use super::Client;
use crate::tablestore::row::{PrimaryKey, Row};
use crate::tablestore::{codes, plainbuffer, proto};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteKind {
    Put,
    Update,
    Delete,
}

/// One row operation of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowWrite {
    pub table: String,
    pub kind: WriteKind,
    /// The row to put, the updates to apply, or (for a delete) just the key.
    pub row: Row,
    pub condition: RowExistence,
    /// The caller knows a repeated write is harmless even though `condition` makes it look
    /// otherwise ([`RowWrite::resend_safe`]).
    pub resend_safe: bool,
}

/// Why one row of a batch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct RowError {
    pub code: String,
    pub message: String,
}

/// The outcome of one row of a batch.
pub type RowResult = std::result::Result<(), RowError>;

impl RowWrite {
    /// Puts the whole row without a condition: the write a restore sends.
    pub fn put(table: impl Into<String>, row: Row) -> Self {
        RowWrite {
            table: table.into(),
            kind: WriteKind::Put,
            row,
            condition: RowExistence::Ignore,
            resend_safe: false,
        }
    }

    pub fn update(table: impl Into<String>, row: Row) -> Self {
        RowWrite {
            kind: WriteKind::Update,
            ..RowWrite::put(table, row)
        }
    }

    pub fn delete(table: impl Into<String>, primary_key: PrimaryKey) -> Self {
        RowWrite {
            kind: WriteKind::Delete,
            ..RowWrite::put(table, key_row(&primary_key))
        }
    }

    pub fn with_condition(self, condition: RowExistence) -> Self {
        RowWrite { condition, ..self }
    }

    /// The PlainBuffer `row_change` of this write.
    pub(crate) fn encoded_row(&self) -> Vec<u8> {
        match self.kind {
            WriteKind::Put | WriteKind::Update => plainbuffer::encode_row(&self.row),
            WriteKind::Delete => plainbuffer::encode_row(&Row {
                delete_marker: true,
                ..key_row(&self.row.primary_key)
            }),
        }
    }

    /// Declares that sending this write twice is harmless for the caller, so it may be resent
    /// after a timeout or server error. A restore under `if_exists = skip` puts rows with
    /// `ExpectNotExist` and the content of the backup: if the first attempt landed, the resend
    /// is refused with `OTSConditionCheckFail`, which skip treats as "the target had it" —
    /// the row holds the same content either way. Server-assigned keys and increments stay
    /// unsafe: their second application differs from the first.
    pub fn resend_safe(self) -> Self {
        RowWrite {
            resend_safe: true,
            ..self
        }
    }

    fn is_idempotent(&self) -> bool {
        let replaces_row = self.kind != WriteKind::Update;
        let condition = if self.resend_safe {
            RowExistence::Ignore
        } else {
            self.condition
        };
        write_is_idempotent(&self.row, condition, replaces_row)
    }

    fn to_proto(&self) -> proto::RowInBatchWriteRowRequest {
        let kind = match self.kind {
            WriteKind::Put => proto::OperationType::Put,
            WriteKind::Update => proto::OperationType::Update,
            WriteKind::Delete => proto::OperationType::Delete,
        };
        proto::RowInBatchWriteRowRequest {
            r#type: kind as i32,
            row_change: self.encoded_row(),
            condition: self.condition.to_proto(),
            return_content: None,
        }
    }
}

/// The request for the rows at `pending`, grouped by table in first-seen order, and for each
/// table the indices of its rows in request order (to map the response back).
fn build_request(
    encoded: &[(String, proto::RowInBatchWriteRowRequest)],
    pending: &[usize],
) -> (proto::BatchWriteRowRequest, Vec<Vec<usize>>) {
    let mut tables: Vec<proto::TableInBatchWriteRowRequest> = Vec::new();
    let mut indices: Vec<Vec<usize>> = Vec::new();
    let mut slot: HashMap<&str, usize> = HashMap::new();
    for &i in pending {
        let (table, row) = &encoded[i];
        let s = *slot.entry(table.as_str()).or_insert_with(|| {
            tables.push(proto::TableInBatchWriteRowRequest {
                table_name: table.clone(),
                rows: Vec::new(),
            });
            indices.push(Vec::new());
            tables.len() - 1
        });
        tables[s].rows.push(row.clone());
        indices[s].push(i);
    }
    let request = proto::BatchWriteRowRequest {
        tables,
        transaction_id: None,
    };
    (request, indices)
}

fn row_error(error: Option<proto::Error>) -> RowError {
    let error = error.unwrap_or_else(|| proto::Error {
        code: codes::INTERNAL_SERVER_ERROR.to_string(),
        message: Some("row failed without an error".into()),
    });
    RowError {
        code: error.code,
        message: error.message.unwrap_or_default(),
    }
}

impl Client {
    /// Writes up to [`super::MAX_BATCH_ROWS`] rows ([`super::MAX_BATCH_BYTES`]) in one
    /// request and returns one result per write, in the order given.
    ///
    /// Rows failing with a retryable code are resent alone (with backoff, from the same
    /// budget as the whole request). Timeouts and server errors are retried only when every
    /// write is idempotent: unconditional puts and deletes, no increments, no auto-increment.
    /// `Err` means the first request failed as a whole; a later resend that fails as a whole
    /// leaves its rows failed with that error.
    pub async fn batch_write(&self, writes: &[RowWrite]) -> Result<Vec<RowResult>> {
        validate_batch(writes)?;
        let encoded: Vec<(String, proto::RowInBatchWriteRowRequest)> = writes
            .iter()
            .map(|w| (w.table.clone(), w.to_proto()))
            .collect();
        let idempotent = writes.iter().all(RowWrite::is_idempotent);
        let mut results: Vec<RowResult> = vec![Ok(()); writes.len()];
        let mut pending: Vec<usize> = (0..writes.len()).collect();
        let mut budget = RetryBudget::new(self.retry);
        let mut round = 0;
        while !pending.is_empty() {
            round += 1;
            let (request, indices) = build_request(&encoded, &pending);
            let response: proto::BatchWriteRowResponse = match self
                .call_within("BatchWriteRow", &request, idempotent, &mut budget)
                .await
            {
                Ok(response) => response,
                Err(error) if round == 1 => return Err(error),
                Err(error) => {
                    for &i in &pending {
                        results[i] = Err(RowError {
                            code: error.outcome_code().to_string(),
                            message: error.to_string(),
                        });
                    }
                    return Ok(results);
                }
            };
            check_shape(&request, &response)?;
            let mut retry = Vec::new();
            let mut throttled_code: Option<String> = None;
            for (table, rows) in indices.iter().zip(&response.tables) {
                for (&i, row) in table.iter().zip(&rows.rows) {
                    if row.is_ok {
                        results[i] = Ok(());
                        continue;
                    }
                    let error = row_error(row.error.clone());
                    if codes::is_throttling(&error.code) {
                        throttled_code.get_or_insert_with(|| error.code.clone());
                    }
                    let retryable =
                        codes::is_retryable(&error.code, &error.message, writes[i].is_idempotent());
                    if retryable {
                        retry.push(i);
                    }
                    results[i] = Err(error);
                }
            }
            // Once per round: the caller adapts to "this batch met throttling", not per row.
            if let Some(code) = throttled_code {
                self.heard_throttling(&code);
            }
            pending = retry;
            if pending.is_empty() {
                break;
            }
            let Some(delay) = budget.next_delay() else {
                tracing::warn!(
                    rows = pending.len(),
                    "Batch rows still failing; retry budget spent."
                );
                break;
            };
            tracing::info!(
                rows = pending.len(),
                round,
                delay_ms = delay.as_millis() as u64,
                "Resending the failed rows of a batch."
            );
            tokio::time::sleep(delay).await;
        }
        Ok(results)
    }
}

/// The response must answer every table and row of the request, in order.
fn check_shape(
    request: &proto::BatchWriteRowRequest,
    response: &proto::BatchWriteRowResponse,
) -> Result<()> {
    let same = request.tables.len() == response.tables.len()
        && request
            .tables
            .iter()
            .zip(&response.tables)
            .all(|(q, a)| q.table_name == a.table_name && q.rows.len() == a.rows.len());
    if same {
        Ok(())
    } else {
        Err(TablestoreError::InvalidResponse {
            action: "BatchWriteRow",
            reason: format!(
                "response does not match the request ({} tables, {} bytes sent)",
                request.tables.len(),
                request.encoded_len()
            ),
            request_id: None,
        })
    }
}
