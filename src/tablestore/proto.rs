//! Protobuf messages of the Tablestore API (proto2, package `com.aliyun.tablestore.protocol`),
//! generated at build time by `build.rs` (`protox` + `prost-build`, no `protoc`) from the
//! official Python SDK's `.proto` files vendored in `proto/tablestore/` (origin, checksums and
//! license in its README). Row data travels inside `bytes` fields as PlainBuffer (see
//! [`super::plainbuffer`]); see `docs/tablestore-protocol.md`.
//!
//! Some messages come from `proto/tablevault/table_store_additions.proto` instead: the same
//! messages with a field the Python SDK's protocol lacks (`DescribeTableResponse.table_status`,
//! which the Node SDK requires; `ComputeSplitPointsBySizeRequest.split_point_limit` from the
//! Java SDK; `TableOptions.update_full_row` from the Java and Go SDKs, with the table messages
//! that carry it). They are exported under the upstream names, so callers see one protocol.

// Generated code is not ours to lint, and the upstream messages the additions replace are
// never used (`dead_code`).
#[allow(dead_code, clippy::all, clippy::pedantic, rustdoc::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/protocol.rs"));
}

pub use generated::com::aliyun::tablestore::protocol::*;
pub use generated::tablevault::protocol::{
    ComputeSplitPointsBySizeRequest, CreateTableRequest, DescribeTableResponse, TableOptions,
    TableStatus, UpdateTableRequest, UpdateTableResponse,
};

#[cfg(test)]
mod tests;
