//! One protobuf `StreamRecord` → [`StreamRecord`], with the Java SDK's rules
//! (`ResponseFactory.createGetStreamRecordResponse`, `PlainBufferConversion.toRecordColumn`):
//! the payload is exactly one checksummed row with sequence info; a PUT_ROW cell is a value
//! with a version; an UPDATE_ROW cell is such a put, a delete of one version (op 03, version,
//! no value) or a delete of all versions (op 01, nothing else); a DELETE_ROW carries no cells.
//! Anything else, an increment (op 04) included, is refused: a backup must never guess.

use super::model::{RecordAction, StreamRecord};
use crate::tablestore::plainbuffer::{decode_stream_record, DecodeError};
use crate::tablestore::proto;
use crate::tablestore::row::{Cell, CellOp};

/// Why a stream record was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RecordError {
    #[error("unknown action type {0}")]
    UnknownAction(i32),
    #[error(transparent)]
    PlainBuffer(#[from] DecodeError),
    #[error("column '{column}' is not allowed in a {action:?} record (value, op or version)")]
    BadCell {
        column: String,
        action: RecordAction,
    },
}

/// A refused record and its index in the page.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("stream record {index}: {error}")]
pub struct PageError {
    pub index: usize,
    #[source]
    pub error: RecordError,
}

fn cell_allowed(action: RecordAction, cell: &Cell) -> bool {
    let put = cell.op.is_none() && cell.value.is_some() && cell.timestamp.is_some_and(|t| t >= 0);
    match action {
        RecordAction::Put => put,
        RecordAction::Update => {
            put || match cell.op {
                Some(CellOp::DeleteOneVersion) => {
                    cell.value.is_none() && cell.timestamp.is_some_and(|t| t >= 0)
                }
                Some(CellOp::DeleteAllVersions) => cell.value.is_none() && cell.timestamp.is_none(),
                _ => false,
            }
        }
        RecordAction::Delete => false,
    }
}

/// Decodes and checks one record.
pub fn decode_record(
    record: &proto::get_stream_record_response::StreamRecord,
) -> Result<StreamRecord, RecordError> {
    let action = match proto::ActionType::try_from(record.action_type) {
        Ok(proto::ActionType::PutRow) => RecordAction::Put,
        Ok(proto::ActionType::UpdateRow) => RecordAction::Update,
        Ok(proto::ActionType::DeleteRow) => RecordAction::Delete,
        Err(_) => return Err(RecordError::UnknownAction(record.action_type)),
    };
    let (mut row, sequence) = decode_stream_record(&record.record)?;
    if let Some(cell) = row.cells.iter().find(|c| !cell_allowed(action, c)) {
        return Err(RecordError::BadCell {
            column: cell.name.clone(),
            action,
        });
    }
    // The action decides; the marker (sent or not on DELETE_ROW) carries nothing more.
    row.delete_marker = false;
    Ok(StreamRecord {
        action,
        row,
        sequence,
    })
}
