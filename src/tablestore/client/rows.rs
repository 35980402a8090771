//! Single-row operations: GetRow, PutRow, UpdateRow, DeleteRow.

use super::error::{Result, TablestoreError};
use super::read_options::ReadOptions;
use super::Client;
use crate::tablestore::plainbuffer::{self, DecodeError};
use crate::tablestore::proto;
use crate::tablestore::row::{CellOp, PkValue, PrimaryKey, Row};

/// The row-existence condition of a write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum RowExistence {
    /// Write whether or not the row exists.
    #[default]
    Ignore,
    ExpectExist,
    ExpectNotExist,
}

impl RowExistence {
    pub(crate) fn to_proto(self) -> proto::Condition {
        let expectation = match self {
            RowExistence::Ignore => proto::RowExistenceExpectation::Ignore,
            RowExistence::ExpectExist => proto::RowExistenceExpectation::ExpectExist,
            RowExistence::ExpectNotExist => proto::RowExistenceExpectation::ExpectNotExist,
        };
        proto::Condition {
            row_existence: expectation as i32,
            column_condition: None,
        }
    }
}

/// Whether writing `row` twice leaves the same result as writing it once: no condition that
/// the first write changes, no server-assigned key, no increment, and (for updates, which
/// add versions instead of replacing the row) no value without an explicit timestamp.
pub(crate) fn write_is_idempotent(row: &Row, condition: RowExistence, replaces_row: bool) -> bool {
    condition == RowExistence::Ignore
        && (replaces_row
            || row
                .cells
                .iter()
                .all(|c| c.value.is_none() || c.timestamp.is_some()))
        && !row
            .primary_key
            .columns()
            .iter()
            .any(|c| c.value == PkValue::AutoIncrement)
        && !row.cells.iter().any(|c| c.op == Some(CellOp::Increment))
}

pub(crate) fn key_row(primary_key: &PrimaryKey) -> Row {
    Row::new(primary_key.clone(), Vec::new())
}

pub(crate) fn invalid_rows(action: &'static str, error: DecodeError) -> TablestoreError {
    TablestoreError::InvalidResponse {
        action,
        reason: format!("undecodable PlainBuffer: {error}"),
        request_id: None,
    }
}

impl Client {
    /// The row with this key, or `None` when it does not exist. A row wider than one response
    /// is fetched piece by piece (`next_token`) and returned whole.
    pub async fn get_row(
        &self,
        table: &str,
        primary_key: &PrimaryKey,
        options: &ReadOptions,
    ) -> Result<Option<Row>> {
        let mut request = proto::GetRowRequest {
            table_name: table.to_string(),
            primary_key: plainbuffer::encode_row(&key_row(primary_key)),
            columns_to_get: options.columns_to_get.clone(),
            time_range: options.time_range.map(|t| t.to_proto()),
            max_versions: options.max_versions,
            ..Default::default()
        };
        let mut found: Option<Row> = None;
        loop {
            let response: proto::GetRowResponse = self.call("GetRow", &request, true).await?;
            if !response.row.is_empty() {
                let piece = plainbuffer::decode_row(&response.row)
                    .map_err(|e| invalid_rows("GetRow", e))?;
                match &mut found {
                    Some(row) => row.cells.extend(piece.cells),
                    None => found = Some(piece),
                }
            }
            match response.next_token {
                Some(token) if !token.is_empty() => request.token = Some(token),
                _ => return Ok(found),
            }
        }
    }

    /// Writes the whole row (replacing any existing one).
    pub async fn put_row(&self, table: &str, row: &Row, condition: RowExistence) -> Result<()> {
        let request = proto::PutRowRequest {
            table_name: table.to_string(),
            row: plainbuffer::encode_row(row),
            condition: condition.to_proto(),
            return_content: None,
            transaction_id: None,
        };
        let idempotent = write_is_idempotent(row, condition, true);
        let _: proto::PutRowResponse = self.call("PutRow", &request, idempotent).await?;
        Ok(())
    }

    /// Applies the row's cells as updates: values put, ops delete versions or increment.
    pub async fn update_row(&self, table: &str, row: &Row, condition: RowExistence) -> Result<()> {
        let request = proto::UpdateRowRequest {
            table_name: table.to_string(),
            row_change: plainbuffer::encode_row(row),
            condition: condition.to_proto(),
            return_content: None,
            transaction_id: None,
        };
        let idempotent = write_is_idempotent(row, condition, false);
        let _: proto::UpdateRowResponse = self.call("UpdateRow", &request, idempotent).await?;
        Ok(())
    }

    pub async fn delete_row(
        &self,
        table: &str,
        primary_key: &PrimaryKey,
        condition: RowExistence,
    ) -> Result<()> {
        let row = Row {
            delete_marker: true,
            ..key_row(primary_key)
        };
        let request = proto::DeleteRowRequest {
            table_name: table.to_string(),
            primary_key: plainbuffer::encode_row(&row),
            condition: condition.to_proto(),
            return_content: None,
            transaction_id: None,
        };
        let idempotent = write_is_idempotent(&row, condition, true);
        let _: proto::DeleteRowResponse = self.call("DeleteRow", &request, idempotent).await?;
        Ok(())
    }
}
