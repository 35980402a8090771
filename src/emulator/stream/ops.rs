//! ListStream, DescribeStream, GetShardIterator and GetStreamRecord.
//!
//! Stream ids are `<table>_<enable time µs>`, shard ids `<stream id>-<n>`, iterators
//! `<shard id>@<offset>`: opaque to clients, but they let the emulator find the table of any
//! id without a second index. A stream id of an earlier enabling (the stream was disabled or
//! re-enabled since) is unknown, as on the service: its data can no longer be read.

use std::sync::Arc;

use crate::tablestore::codes;
use crate::tablestore::proto;

use super::super::error::ServiceError;
use super::super::tables::{lock, Table, Tables};
use super::log::{ReadError, StreamLog};
use super::now_us;

/// Records per GetStreamRecord when the request sets no limit, and at most.
pub const DEFAULT_RECORD_LIMIT: usize = 100;
pub const MAX_RECORD_LIMIT: usize = 1000;
/// Shards per DescribeStream page when the request sets no limit.
pub const DEFAULT_SHARD_LIMIT: usize = 100;

const TRIMMED_MESSAGE: &str = "Requested stream data is already trimmed or does not exist.";

fn stream_not_exist(stream_id: &str) -> ServiceError {
    ServiceError::new(
        codes::OBJECT_NOT_EXIST,
        format!("Requested stream does not exist: '{stream_id}'."),
    )
}

fn trimmed() -> ServiceError {
    ServiceError::new(codes::TRIMMED_DATA_ACCESS, TRIMMED_MESSAGE)
}

/// The table a stream id names, if that stream is still the table's current one.
fn stream_table(store: &Tables, stream_id: &str) -> Result<Arc<Table>, ServiceError> {
    let table_name = stream_id
        .rsplit_once('_')
        .map(|(name, _)| name)
        .ok_or_else(|| stream_not_exist(stream_id))?;
    let table = store
        .table(table_name)
        .map_err(|_| stream_not_exist(stream_id))?;
    let current = lock(&table.stream)
        .as_ref()
        .is_some_and(|s| s.stream_id == stream_id);
    if !current {
        return Err(stream_not_exist(stream_id));
    }
    Ok(table)
}

fn with_stream<T>(
    table: &Table,
    stream_id: &str,
    f: impl FnOnce(&mut StreamLog) -> Result<T, ServiceError>,
) -> Result<T, ServiceError> {
    let mut stream = lock(&table.stream);
    match stream.as_mut() {
        Some(log) if log.stream_id == stream_id => f(log),
        _ => Err(stream_not_exist(stream_id)),
    }
}

pub fn list_stream(store: &Tables, req: proto::ListStreamRequest) -> proto::ListStreamResponse {
    let names = match req.table_name {
        Some(name) => vec![name],
        None => store.names(),
    };
    let streams = names
        .iter()
        .filter_map(|name| store.table(name).ok())
        .filter_map(|table| {
            let stream = lock(&table.stream);
            let log = stream.as_ref()?;
            Some(proto::Stream {
                stream_id: log.stream_id.clone(),
                table_name: table.description().name,
                creation_time: log.enabled_at_us,
            })
        })
        .collect();
    proto::ListStreamResponse { streams }
}

pub fn describe_stream(
    store: &Tables,
    req: proto::DescribeStreamRequest,
) -> Result<proto::DescribeStreamResponse, ServiceError> {
    let limit = match req.shard_limit {
        None => DEFAULT_SHARD_LIMIT,
        Some(n) if n > 0 => n as usize,
        Some(n) => {
            return Err(ServiceError::invalid(format!(
                "The shard_limit must be greater than 0. Input: {n}."
            )))
        }
    };
    let table = stream_table(store, &req.stream_id)?;
    let table_name = table.description().name;
    with_stream(&table, &req.stream_id, |log| {
        log.trim(now_us());
        let start = match &req.inclusive_start_shard_id {
            None => 0,
            Some(id) => log
                .shards()
                .iter()
                .position(|s| &s.id == id)
                .ok_or_else(|| ServiceError::invalid(format!("Unknown shard id: '{id}'.")))?,
        };
        let listed = &log.shards()[start..];
        let shards = listed
            .iter()
            .take(limit)
            .map(|s| proto::StreamShard {
                shard_id: s.id.clone(),
                parent_id: s.parent_id.clone(),
                parent_sibling_id: s.parent_sibling_id.clone(),
            })
            .collect();
        Ok(proto::DescribeStreamResponse {
            stream_id: log.stream_id.clone(),
            expiration_time: log.expiration_hours,
            table_name,
            creation_time: log.enabled_at_us,
            stream_status: proto::StreamStatus::StreamActive as i32,
            shards,
            next_shard_id: listed.get(limit).map(|s| s.id.clone()),
        })
    })
}

fn iterator(shard_id: &str, offset: u64) -> String {
    format!("{shard_id}@{offset}")
}

/// `(stream id, shard id, offset)` of an iterator this emulator handed out.
fn parse_iterator(text: &str) -> Option<(&str, &str, u64)> {
    let (shard_id, offset) = text.rsplit_once('@')?;
    let (stream_id, _) = shard_id.rsplit_once('-')?;
    Some((stream_id, shard_id, offset.parse().ok()?))
}

pub fn get_shard_iterator(
    store: &Tables,
    req: proto::GetShardIteratorRequest,
) -> Result<proto::GetShardIteratorResponse, ServiceError> {
    let table = stream_table(store, &req.stream_id)?;
    with_stream(&table, &req.stream_id, |log| {
        log.trim(now_us());
        let shard = log.shard(&req.shard_id).ok_or_else(trimmed)?;
        Ok(proto::GetShardIteratorResponse {
            shard_iterator: iterator(&shard.id, shard.first_offset()),
        })
    })
}

pub fn get_stream_record(
    store: &Tables,
    req: proto::GetStreamRecordRequest,
) -> Result<proto::GetStreamRecordResponse, ServiceError> {
    let limit = match req.limit {
        None => DEFAULT_RECORD_LIMIT,
        Some(n) if n > 0 => (n as usize).min(MAX_RECORD_LIMIT),
        Some(n) => {
            return Err(ServiceError::invalid(format!(
                "The limit must be greater than 0. Input: {n}."
            )))
        }
    };
    let (stream_id, shard_id, offset) = parse_iterator(&req.shard_iterator).ok_or_else(|| {
        ServiceError::invalid(format!("Invalid shard iterator: '{}'.", req.shard_iterator))
    })?;
    // A stream that was disabled or re-enabled since the iterator was made: its data is gone.
    let table = stream_table(store, stream_id).map_err(|_| trimmed())?;
    with_stream(&table, stream_id, |log| {
        let page = log
            .read(shard_id, offset, limit, now_us())
            .map_err(|e| match e {
                ReadError::Trimmed => trimmed(),
                ReadError::BeyondEnd => ServiceError::invalid(format!(
                    "Invalid shard iterator: '{}'.",
                    req.shard_iterator
                )),
            })?;
        tracing::trace!(
            shard_id,
            offset,
            records = page.records.len(),
            more = page.more,
            "GetStreamRecord"
        );
        Ok(proto::GetStreamRecordResponse {
            stream_records: page
                .records
                .into_iter()
                .map(|r| proto::get_stream_record_response::StreamRecord {
                    action_type: r.action as i32,
                    record: r.payload,
                })
                .collect(),
            next_shard_iterator: page.next_offset.map(|o| iterator(shard_id, o)),
        })
    })
}
