//! Applying one row write (put, update, delete) to a table: validation, auto-increment keys,
//! the row-existence condition, server timestamps, and what `return_content` asks back.
//! PutRow/UpdateRow/DeleteRow and every row of BatchWriteRow go through [`apply`].

use crate::tablestore::codes;
use crate::tablestore::plainbuffer;
use crate::tablestore::proto::{self, ActionType, ReturnType, RowExistenceExpectation};
use crate::tablestore::row::{Cell, CellOp, PkValue, Row, Value};
use crate::tablestore::table::TableDescription;

use super::error::ServiceError;
use super::keys::SortKey;
use super::limits::{check_cells, check_primary_key, KeyUse};
use super::packed_row::PackedRow;
use super::read::Visibility;
use super::stream;
use super::table_rules::{check_ready, check_ttl_window};
use super::tables::{write, StoredRow, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Put,
    Update,
    Delete,
}

/// One decoded write request (or one row of a batch).
#[derive(Debug, Clone)]
pub struct WriteOp {
    pub kind: WriteKind,
    pub row: Row,
    pub condition: proto::Condition,
    pub return_content: Option<proto::ReturnContent>,
}

impl WriteOp {
    /// Decodes the PlainBuffer row of a write request.
    pub fn decode(
        kind: WriteKind,
        bytes: &[u8],
        condition: proto::Condition,
        return_content: Option<proto::ReturnContent>,
    ) -> Result<Self, ServiceError> {
        let row =
            plainbuffer::decode_row(bytes).map_err(|e| ServiceError::bad_plainbuffer("row", e))?;
        Ok(WriteOp {
            kind,
            row,
            condition,
            return_content,
        })
    }

    /// The row's key in storage order, when it is known before the write (no auto-increment).
    pub fn sort_key(&self) -> Option<SortKey> {
        SortKey::from_primary_key(&self.row.primary_key)
    }
}

fn expectation(condition: &proto::Condition) -> Result<RowExistenceExpectation, ServiceError> {
    if condition
        .column_condition
        .as_ref()
        .is_some_and(|c| !c.is_empty())
    {
        return Err(ServiceError::invalid(
            "Column conditions (filters) are not supported by the TableVault emulator.",
        ));
    }
    RowExistenceExpectation::try_from(condition.row_existence).map_err(|_| {
        ServiceError::invalid(format!(
            "Invalid row existence expectation: {}.",
            condition.row_existence
        ))
    })
}

/// Checks everything that does not depend on stored data.
fn validate(op: &WriteOp, desc: &TableDescription, now_ms: i64) -> Result<(), ServiceError> {
    let usage = if op.kind == WriteKind::Put {
        KeyUse::Put
    } else {
        KeyUse::Exact
    };
    check_primary_key(&desc.primary_key, &op.row.primary_key, usage)?;
    check_cells(
        &op.row.cells,
        &desc.primary_key,
        desc.options.max_time_deviation,
        now_ms,
    )?;
    match op.kind {
        WriteKind::Put => {
            if op
                .row
                .cells
                .iter()
                .any(|c| c.op.is_some() || c.value.is_none())
            {
                return Err(ServiceError::invalid(
                    "PutRow cells must carry values, not update operations.",
                ));
            }
        }
        WriteKind::Update => {
            if op.row.cells.is_empty() {
                return Err(ServiceError::invalid("Attribute column is missing."));
            }
            for cell in &op.row.cells {
                match (cell.op, &cell.value, cell.timestamp) {
                    (None, Some(_), _) | (Some(CellOp::DeleteAllVersions), _, _) => {}
                    (Some(CellOp::DeleteOneVersion), _, Some(_)) => {}
                    (Some(CellOp::Increment), Some(Value::Integer(_)), None) => {}
                    _ => {
                        return Err(ServiceError::invalid(format!(
                            "Invalid update of column '{}': a put needs a value, a version delete a timestamp, an increment an integer and no timestamp.",
                            cell.name
                        )))
                    }
                }
            }
        }
        WriteKind::Delete => {
            if !op.row.cells.is_empty() {
                return Err(ServiceError::invalid(
                    "DeleteRow must not carry attribute columns.",
                ));
            }
        }
    }
    Ok(())
}

/// Applies a write and returns the PlainBuffer row that `return_content` asks for, if any.
pub fn apply(
    table: &Table,
    desc: &TableDescription,
    mut op: WriteOp,
    now_ms: i64,
) -> Result<Option<Vec<u8>>, ServiceError> {
    check_ready(table.writable_at_ms, now_ms)?;
    if op.kind == WriteKind::Update && desc.options.allow_update == Some(false) {
        return Err(ServiceError::invalid(
            "UpdateRow is not allowed: the table option allow_update is false.",
        ));
    }
    validate(&op, desc, now_ms)?;
    super::index_ops::check_write_timestamps(table.index_behaviour, desc, &op.row.cells)?;
    if table.ttl_window {
        check_ttl_window(&op.row.cells, desc.options.time_to_live, now_ms)?;
    }
    let expect = expectation(&op.condition)?;
    let has_auto_increment = op
        .row
        .primary_key
        .columns()
        .iter()
        .any(|c| c.value == PkValue::AutoIncrement);
    if has_auto_increment {
        if expect != RowExistenceExpectation::Ignore {
            return Err(ServiceError::invalid(
                "The row existence expectation must be IGNORE when a primary key column is AUTO_INCREMENT.",
            ));
        }
        for column in &mut op.row.primary_key.0 {
            if column.value == PkValue::AutoIncrement {
                column.value = PkValue::Integer(table.next_auto_increment());
            }
        }
    }
    let key = op.sort_key().ok_or_else(|| {
        ServiceError::new(codes::INTERNAL_SERVER_ERROR, "Unresolved primary key.")
    })?;
    let visibility = Visibility::new(desc.options.time_to_live, desc.options.max_versions, now_ms);
    let max_versions = visibility.max_versions;

    let mut rows = write(&table.rows);
    let existing = rows
        .get(&key)
        .map(PackedRow::unpack)
        .filter(|r| r.is_visible(visibility.expired_before));
    let exists = existing.is_some();
    let condition_holds = match expect {
        RowExistenceExpectation::Ignore => true,
        RowExistenceExpectation::ExpectExist => exists,
        RowExistenceExpectation::ExpectNotExist => !exists,
    };
    if !condition_holds {
        return Err(ServiceError::condition_failed());
    }

    let mut modified: Option<StoredRow> = None;
    match op.kind {
        WriteKind::Put => {
            let mut row = StoredRow::default();
            for cell in &op.row.cells {
                if let Some(value) = &cell.value {
                    row.put(
                        &cell.name,
                        cell.timestamp.unwrap_or(now_ms),
                        value.clone(),
                        max_versions,
                    );
                }
            }
            rows.insert(key, PackedRow::pack(&row));
            modified = Some(row);
        }
        WriteKind::Update => {
            let mut row = existing.unwrap_or_default();
            for cell in &op.row.cells {
                apply_update_cell(&mut row, cell, now_ms, max_versions, visibility)?;
            }
            if exists || !row.columns.is_empty() {
                rows.insert(key, PackedRow::pack(&row));
                modified = Some(row);
            }
        }
        WriteKind::Delete => {
            rows.remove(&key);
        }
    }
    let (action, record) = stream_record(&op, modified.as_ref(), now_ms);
    stream::record_write(table, action, &record);
    drop(rows);
    Ok(returned_row(&op, modified.as_ref()))
}

fn apply_update_cell(
    row: &mut StoredRow,
    cell: &Cell,
    now_ms: i64,
    max_versions: usize,
    visibility: Visibility,
) -> Result<(), ServiceError> {
    match (cell.op, &cell.value) {
        (None, Some(value)) => row.put(
            &cell.name,
            cell.timestamp.unwrap_or(now_ms),
            value.clone(),
            max_versions,
        ),
        (Some(CellOp::DeleteAllVersions), _) => row.delete_column(&cell.name),
        (Some(CellOp::DeleteOneVersion), _) => {
            row.delete_version(&cell.name, cell.timestamp.unwrap_or_default())
        }
        (Some(CellOp::Increment), Some(Value::Integer(delta))) => {
            let current = row
                .column(&cell.name)
                .and_then(|c| c.versions.first())
                .filter(|v| v.timestamp >= visibility.expired_before);
            let base = match current.map(|v| &v.value) {
                None => 0,
                Some(Value::Integer(i)) => *i,
                Some(_) => {
                    return Err(ServiceError::invalid(format!(
                        "Column '{}' can not be incremented: its value is not an integer.",
                        cell.name
                    )))
                }
            };
            row.put(
                &cell.name,
                now_ms,
                Value::Integer(base.wrapping_add(*delta)),
                max_versions,
            );
        }
        _ => {}
    }
    Ok(())
}

/// The stream record of a committed write: the resolved key plus the cells as written, each
/// put with the version it was stored at (server-assigned when the request had none) and each
/// increment as a put of the value it produced; a delete is the key and the delete marker.
fn stream_record(op: &WriteOp, modified: Option<&StoredRow>, now_ms: i64) -> (ActionType, Row) {
    let action = match op.kind {
        WriteKind::Put => ActionType::PutRow,
        WriteKind::Update => ActionType::UpdateRow,
        WriteKind::Delete => ActionType::DeleteRow,
    };
    let cells = op
        .row
        .cells
        .iter()
        .filter_map(|cell| match (cell.op, &cell.value) {
            (None, Some(value)) => Some(Cell::put_at(
                cell.name.clone(),
                value.clone(),
                cell.timestamp.unwrap_or(now_ms),
            )),
            (Some(CellOp::Increment), _) => {
                let version = modified?
                    .column(&cell.name)?
                    .versions
                    .iter()
                    .find(|v| v.timestamp == now_ms)?;
                Some(Cell::put_at(
                    cell.name.clone(),
                    version.value.clone(),
                    now_ms,
                ))
            }
            (Some(CellOp::DeleteAllVersions), _) => Some(Cell::delete_all(cell.name.clone())),
            (Some(CellOp::DeleteOneVersion), _) => Some(Cell::delete_one(
                cell.name.clone(),
                cell.timestamp.unwrap_or_default(),
            )),
            (None, None) => None,
        })
        .collect();
    let mut row = Row::new(op.row.primary_key.clone(), cells);
    row.delete_marker = op.kind == WriteKind::Delete;
    (action, row)
}

/// RT_PK: the (possibly auto-incremented) key. RT_AFTER_MODIFY: the key plus the newest
/// version of each requested column after the write.
fn returned_row(op: &WriteOp, modified: Option<&StoredRow>) -> Option<Vec<u8>> {
    let content = op.return_content.as_ref()?;
    let kind = ReturnType::try_from(content.return_type.unwrap_or(0)).unwrap_or(ReturnType::RtNone);
    let cells = match kind {
        ReturnType::RtNone => return None,
        ReturnType::RtPk => Vec::new(),
        ReturnType::RtAfterModify => content
            .return_column_names
            .iter()
            .filter_map(|name| {
                let version = modified?.column(name)?.versions.first()?;
                Some(Cell::put_at(
                    name.clone(),
                    version.value.clone(),
                    version.timestamp,
                ))
            })
            .collect(),
    };
    Some(plainbuffer::encode_row(&Row::new(
        op.row.primary_key.clone(),
        cells,
    )))
}
