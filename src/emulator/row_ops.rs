//! GetRow, PutRow, UpdateRow and DeleteRow.

use crate::tablestore::plainbuffer;
use crate::tablestore::proto;

use super::error::ServiceError;
use super::keys::SortKey;
use super::limits::{check_primary_key, check_table_name, KeyUse};
use super::read::{ReadQuery, Visibility};
use super::tables::{now_ms, read, Tables};
use super::write::{self, WriteKind, WriteOp};

/// Consumed capacity: the emulator does not meter, so it reports one unit per row touched.
pub fn consumed(read_units: i32, write_units: i32) -> proto::ConsumedCapacity {
    proto::ConsumedCapacity {
        capacity_unit: proto::CapacityUnit {
            read: Some(read_units),
            write: Some(write_units),
        },
    }
}

pub fn get_row(
    store: &Tables,
    req: proto::GetRowRequest,
) -> Result<proto::GetRowResponse, ServiceError> {
    check_table_name(&req.table_name)?;
    let table = store.table(&req.table_name)?;
    let query = ReadQuery::new(
        &req.columns_to_get,
        req.time_range.as_ref(),
        req.max_versions,
        req.start_column.as_deref(),
        req.end_column.as_deref(),
        req.filter.as_deref(),
    )?;
    let pk = plainbuffer::decode_row(&req.primary_key)
        .map_err(|e| ServiceError::bad_plainbuffer("primary_key", e))?
        .primary_key;
    let desc = table.description();
    check_primary_key(&desc.primary_key, &pk, KeyUse::Exact)?;
    let key = SortKey::from_primary_key(&pk)
        .ok_or_else(|| ServiceError::invalid("Invalid primary key."))?;
    let visibility = Visibility::new(
        desc.options.time_to_live,
        desc.options.max_versions,
        now_ms(),
    );
    let found = read(&table.rows)
        .get(&key)
        .and_then(|stored| query.project(&key, &stored.unpack(), &desc.primary_key, visibility));
    let row = found
        .map(|(row, _)| plainbuffer::encode_row(&row))
        .unwrap_or_default();
    Ok(proto::GetRowResponse {
        consumed: consumed(1, 0),
        row,
        next_token: None,
    })
}

pub fn put_row(
    store: &Tables,
    req: proto::PutRowRequest,
) -> Result<proto::PutRowResponse, ServiceError> {
    let row = write_row(
        store,
        WriteKind::Put,
        &req.table_name,
        &req.row,
        req.condition,
        req.return_content,
    )?;
    Ok(proto::PutRowResponse {
        consumed: consumed(0, 1),
        row,
    })
}

pub fn update_row(
    store: &Tables,
    req: proto::UpdateRowRequest,
) -> Result<proto::UpdateRowResponse, ServiceError> {
    let row = write_row(
        store,
        WriteKind::Update,
        &req.table_name,
        &req.row_change,
        req.condition,
        req.return_content,
    )?;
    Ok(proto::UpdateRowResponse {
        consumed: consumed(0, 1),
        row,
    })
}

pub fn delete_row(
    store: &Tables,
    req: proto::DeleteRowRequest,
) -> Result<proto::DeleteRowResponse, ServiceError> {
    let row = write_row(
        store,
        WriteKind::Delete,
        &req.table_name,
        &req.primary_key,
        req.condition,
        req.return_content,
    )?;
    Ok(proto::DeleteRowResponse {
        consumed: consumed(0, 1),
        row,
    })
}

/// PutRow, UpdateRow and DeleteRow: one write through [`write::apply`]; the row the request
/// asked back (`return_content`), if any.
fn write_row(
    store: &Tables,
    kind: WriteKind,
    table_name: &str,
    row: &[u8],
    condition: proto::Condition,
    return_content: Option<proto::ReturnContent>,
) -> Result<Option<Vec<u8>>, ServiceError> {
    check_table_name(table_name)?;
    let table = store.table(table_name)?;
    let op = WriteOp::decode(kind, row, condition, return_content)?;
    let desc = table.description();
    write::apply(&table, &desc, op, now_ms())
}
