//! BatchWriteRow: request-level limits (rows, bytes, duplicates) fail the whole request; every
//! row is then applied on its own and reports `is_ok` with its error, as the service does.

use std::collections::HashSet;

use crate::tablestore::proto::{self, OperationType};

use super::error::ServiceError;
use super::faults::RowFault;
use super::keys::SortKey;
use super::limits::{check_table_name, MAX_BATCH_BYTES, MAX_BATCH_ROWS};
use super::row_ops::consumed;
use super::tables::{now_ms, read, Tables};
use super::write::{self, WriteKind, WriteOp};

fn kind_of(op_type: i32) -> Result<WriteKind, ServiceError> {
    match OperationType::try_from(op_type) {
        Ok(OperationType::Put) => Ok(WriteKind::Put),
        Ok(OperationType::Update) => Ok(WriteKind::Update),
        Ok(OperationType::Delete) => Ok(WriteKind::Delete),
        Err(_) => Err(ServiceError::invalid(format!(
            "Invalid operation type: {op_type}."
        ))),
    }
}

/// Checks the request-wide limits and decodes every row.
fn decode(req: proto::BatchWriteRowRequest) -> Result<Vec<(String, Vec<WriteOp>)>, ServiceError> {
    if req.tables.is_empty() {
        return Err(ServiceError::invalid(
            "No row is specified in BatchWriteRow.",
        ));
    }
    let total_rows: usize = req.tables.iter().map(|t| t.rows.len()).sum();
    if total_rows > MAX_BATCH_ROWS {
        return Err(ServiceError::invalid(format!(
            "Rows count exceeds the upper limit: {MAX_BATCH_ROWS}. Input: {total_rows}."
        )));
    }
    let total_bytes: usize = req
        .tables
        .iter()
        .flat_map(|t| &t.rows)
        .map(|r| r.row_change.len())
        .sum();
    if total_bytes > MAX_BATCH_BYTES {
        return Err(ServiceError::invalid(format!(
            "The total data size of BatchWriteRow exceeds the limit: {MAX_BATCH_BYTES} bytes. Input: {total_bytes}."
        )));
    }
    let mut table_names = HashSet::new();
    let mut decoded = Vec::with_capacity(req.tables.len());
    for table in req.tables {
        check_table_name(&table.table_name)?;
        if !table_names.insert(table.table_name.clone()) {
            return Err(ServiceError::invalid(format!(
                "Duplicated table name: '{}'.",
                table.table_name
            )));
        }
        if table.rows.is_empty() {
            return Err(ServiceError::invalid(format!(
                "No operation is specified for table: '{}'.",
                table.table_name
            )));
        }
        let mut keys: HashSet<SortKey> = HashSet::new();
        let mut ops = Vec::with_capacity(table.rows.len());
        for row in table.rows {
            let op = WriteOp::decode(
                kind_of(row.r#type)?,
                &row.row_change,
                row.condition,
                row.return_content,
            )?;
            // Rows with an auto-increment placeholder get distinct keys, so they never collide.
            if let Some(key) = op.sort_key() {
                if !keys.insert(key) {
                    return Err(ServiceError::invalid(format!(
                        "Duplicated primary key in one BatchWriteRow for table '{}'.",
                        table.table_name
                    )));
                }
            }
            ops.push(op);
        }
        decoded.push((table.table_name, ops));
    }
    Ok(decoded)
}

fn row_result(result: Result<Option<Vec<u8>>, ServiceError>) -> proto::RowInBatchWriteRowResponse {
    match result {
        Ok(row) => proto::RowInBatchWriteRowResponse {
            is_ok: true,
            error: None,
            consumed: Some(consumed(0, 1)),
            row,
        },
        Err(e) => proto::RowInBatchWriteRowResponse {
            is_ok: false,
            error: Some(proto::Error {
                code: e.code,
                message: Some(e.message),
            }),
            consumed: None,
            row: None,
        },
    }
}

/// Applies a batch. `row_fault` is asked once per row: a failed row reports its error, a lost
/// row reports success; neither is applied (fault injection).
pub fn batch_write_row(
    store: &Tables,
    req: proto::BatchWriteRowRequest,
    row_fault: &mut dyn FnMut(bool) -> Option<RowFault>,
) -> Result<proto::BatchWriteRowResponse, ServiceError> {
    let decoded = decode(req)?;
    let now = now_ms();
    let tables = decoded
        .into_iter()
        .map(|(table_name, ops)| {
            let table = store.table(&table_name);
            let rows = match table {
                Err(e) => ops.iter().map(|_| row_result(Err(e.clone()))).collect(),
                Ok(table) => {
                    let desc = read(&table.description).clone();
                    ops.into_iter()
                        .map(|op| match row_fault(op.kind != WriteKind::Delete) {
                            Some(RowFault::Fail(fault)) => row_result(Err(fault)),
                            Some(RowFault::Lose) => row_result(Ok(None)),
                            None => row_result(write::apply(&table, &desc, op, now)),
                        })
                        .collect()
                }
            };
            proto::TableInBatchWriteRowResponse { table_name, rows }
        })
        .collect();
    Ok(proto::BatchWriteRowResponse { tables })
}
