//! GetRange: a page of rows between two keys, in either direction, capped at
//! min(limit, page row limit) rows and the page byte limit, with `next_start_primary_key`
//! pointing at the first row not returned.
//!
//! The scan is a `BTreeMap` range query, so a page costs O(log n + page) whatever its offset.

use std::ops::Bound;

use crate::tablestore::plainbuffer;
use crate::tablestore::proto::{self, Direction};
use crate::tablestore::row::Row;

use super::error::ServiceError;
use super::keys::SortKey;
use super::limits::{check_primary_key, check_table_name, KeyUse};
use super::read::{ReadQuery, Visibility};
use super::row_ops::consumed;
use super::tables::{now_ms, read, Tables};

/// The caps on one GetRange page.
#[derive(Debug, Clone, Copy)]
pub struct PageLimits {
    pub rows: usize,
    pub bytes: usize,
}

fn decode_bound(
    bytes: &[u8],
    field: &str,
) -> Result<crate::tablestore::row::PrimaryKey, ServiceError> {
    plainbuffer::decode_row(bytes)
        .map(|row| row.primary_key)
        .map_err(|e| ServiceError::bad_plainbuffer(field, e))
}

/// A page with no rows whose next start key is the request's own start: the service ends a
/// page early this way (scan budget spent before the first row), and clients must simply
/// ask again. Answered without looking at the table, as an injected fault.
pub fn empty_page(body: &[u8]) -> Result<Vec<u8>, ServiceError> {
    use prost::Message;
    let req = proto::GetRangeRequest::decode(body)
        .map_err(|e| ServiceError::invalid(format!("Invalid GetRangeRequest: {e}.")))?;
    let start = decode_bound(
        &req.inclusive_start_primary_key,
        "inclusive_start_primary_key",
    )?;
    let response = proto::GetRangeResponse {
        consumed: consumed(1, 0),
        rows: Vec::new(),
        next_start_primary_key: Some(plainbuffer::encode_row(&Row::new(start, Vec::new()))),
        next_token: None,
    };
    Ok(response.encode_to_vec())
}

pub fn get_range(
    store: &Tables,
    req: proto::GetRangeRequest,
    limits: PageLimits,
) -> Result<proto::GetRangeResponse, ServiceError> {
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
    let direction = Direction::try_from(req.direction)
        .map_err(|_| ServiceError::invalid(format!("Invalid direction: {}.", req.direction)))?;
    let limit = match req.limit {
        Some(l) if l <= 0 => {
            return Err(ServiceError::invalid("The limit must be greater than 0."))
        }
        Some(l) => l as usize,
        None => usize::MAX,
    };
    let desc = table.description();
    let start_pk = decode_bound(
        &req.inclusive_start_primary_key,
        "inclusive_start_primary_key",
    )?;
    let end_pk = decode_bound(&req.exclusive_end_primary_key, "exclusive_end_primary_key")?;
    check_primary_key(&desc.primary_key, &start_pk, KeyUse::RangeBound)?;
    check_primary_key(&desc.primary_key, &end_pk, KeyUse::RangeBound)?;
    let bound = |pk| {
        SortKey::from_primary_key(pk).ok_or_else(|| ServiceError::invalid("Invalid range bound."))
    };
    let (start, end) = (bound(&start_pk)?, bound(&end_pk)?);
    match direction {
        Direction::Forward if start >= end => {
            return Err(ServiceError::invalid(
                "Begin key must less than end key in FORWARD",
            ))
        }
        Direction::Backward if start <= end => {
            return Err(ServiceError::invalid(
                "Begin key must more than end key in BACKWARD",
            ))
        }
        _ => {}
    }

    let row_cap = limit.min(limits.rows).max(1);
    let visibility = Visibility::new(
        desc.options.time_to_live,
        desc.options.max_versions,
        now_ms(),
    );
    let rows = read(&table.rows);
    let scan: Box<dyn Iterator<Item = _>> = match direction {
        Direction::Forward => {
            Box::new(rows.range((Bound::Included(&start), Bound::Excluded(&end))))
        }
        Direction::Backward => Box::new(
            rows.range((Bound::Excluded(&end), Bound::Included(&start)))
                .rev(),
        ),
    };
    let mut page: Vec<Row> = Vec::new();
    let mut page_bytes = 0usize;
    let mut next_start: Option<&SortKey> = None;
    for (key, stored) in scan {
        if page.len() >= row_cap {
            next_start = Some(key);
            break;
        }
        let stored = stored.unpack();
        let Some((row, size)) = query.project(key, &stored, &desc.primary_key, visibility) else {
            continue;
        };
        if !page.is_empty() && page_bytes + size > limits.bytes {
            next_start = Some(key);
            break;
        }
        page_bytes += size;
        page.push(row);
    }
    let next_start_primary_key = next_start.map(|k| {
        plainbuffer::encode_row(&Row::new(k.to_primary_key(&desc.primary_key), Vec::new()))
    });
    drop(rows);

    let read_units = i32::try_from(page_bytes.div_ceil(4096).max(1)).unwrap_or(i32::MAX);
    Ok(proto::GetRangeResponse {
        consumed: consumed(read_units, 0),
        rows: plainbuffer::encode_rows(&page),
        next_start_primary_key,
        next_token: None,
    })
}
