//! Routes an authenticated request body to the operation its action names.

use prost::Message;

use crate::tablestore::codes;

use super::batch;
use super::error::ServiceError;
use super::faults::RowFault;
use super::range::{self, PageLimits};
use super::row_ops;
use super::server::Shared;
use super::split;
use super::stream;
use super::table_ops;
use super::tables::lock;

/// The actions the emulator serves.
pub const ACTIONS: [&str; 16] = [
    "ListTable",
    "CreateTable",
    "DescribeTable",
    "UpdateTable",
    "DeleteTable",
    "GetRow",
    "PutRow",
    "UpdateRow",
    "DeleteRow",
    "GetRange",
    "BatchWriteRow",
    "ComputeSplitPointsBySize",
    "ListStream",
    "DescribeStream",
    "GetShardIterator",
    "GetStreamRecord",
];

fn decode<M: Message + Default>(action: &str, body: &[u8]) -> Result<M, ServiceError> {
    M::decode(body).map_err(|e| ServiceError::bad_protobuf(action, e))
}

/// Serves one request and returns the encoded protobuf response.
pub fn dispatch(shared: &Shared, action: &str, body: &[u8]) -> Result<Vec<u8>, ServiceError> {
    let store = &shared.store;
    let config = &shared.config;
    let response = match action {
        "ListTable" => table_ops::list_table(store).encode_to_vec(),
        "CreateTable" => table_ops::create_table(store, decode(action, body)?)?.encode_to_vec(),
        "DescribeTable" => table_ops::describe_table(store, decode(action, body)?)?.encode_to_vec(),
        "UpdateTable" => table_ops::update_table(store, decode(action, body)?)?.encode_to_vec(),
        "DeleteTable" => table_ops::delete_table(store, decode(action, body)?)?.encode_to_vec(),
        "GetRow" => row_ops::get_row(store, decode(action, body)?)?.encode_to_vec(),
        "PutRow" => row_ops::put_row(store, decode(action, body)?)?.encode_to_vec(),
        "UpdateRow" => row_ops::update_row(store, decode(action, body)?)?.encode_to_vec(),
        "DeleteRow" => row_ops::delete_row(store, decode(action, body)?)?.encode_to_vec(),
        "GetRange" => {
            let limits = PageLimits {
                rows: config.page_row_limit.max(1),
                bytes: config.page_byte_limit.max(1),
            };
            range::get_range(store, decode(action, body)?, limits)?.encode_to_vec()
        }
        "BatchWriteRow" => {
            let mut row_fault = || {
                let fault = lock(&shared.faults).row_fault();
                if matches!(fault, Some(RowFault::Fail(_))) {
                    lock(&shared.stats).failed_batch_rows += 1;
                }
                fault
            };
            batch::batch_write_row(store, decode(action, body)?, &mut row_fault)?.encode_to_vec()
        }
        "ComputeSplitPointsBySize" => split::compute_split_points_by_size(
            store,
            decode(action, body)?,
            config.split_unit_bytes,
        )?
        .encode_to_vec(),
        "ListStream" => stream::list_stream(store, decode(action, body)?).encode_to_vec(),
        "DescribeStream" => stream::describe_stream(store, decode(action, body)?)?.encode_to_vec(),
        "GetShardIterator" => {
            stream::get_shard_iterator(store, decode(action, body)?)?.encode_to_vec()
        }
        "GetStreamRecord" => {
            stream::get_stream_record(store, decode(action, body)?)?.encode_to_vec()
        }
        _ => {
            return Err(ServiceError::new(
                codes::UNSUPPORT_OPERATION,
                format!("Unsupported operation: '{action}'."),
            ))
        }
    };
    Ok(response)
}
