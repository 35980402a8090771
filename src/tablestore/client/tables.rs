//! Table operations: list, describe, create, update, delete.

use super::error::{Result, TablestoreError};
use super::Client;
use crate::tablestore::encryption::TableEncryption;
use crate::tablestore::partitions::partition_ranges;
use crate::tablestore::proto;
use crate::tablestore::table::{TableDescription, TableOptions};

/// What UpdateTable changes; `None` fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableUpdate {
    pub options: Option<TableOptions>,
    /// Reserved read and write capacity units.
    pub reserved: Option<(i32, i32)>,
    pub stream: Option<StreamChange>,
}

/// Turning the table's stream on (with a retention) or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamChange {
    Enable { expiration_hours: i32 },
    Disable,
}

impl StreamChange {
    fn to_proto(self) -> proto::StreamSpecification {
        match self {
            StreamChange::Enable { expiration_hours } => proto::StreamSpecification {
                enable_stream: true,
                expiration_time: Some(expiration_hours),
            },
            StreamChange::Disable => proto::StreamSpecification {
                enable_stream: false,
                expiration_time: None,
            },
        }
    }
}

impl Client {
    pub async fn list_tables(&self) -> Result<Vec<String>> {
        let response: proto::ListTableResponse = self
            .call("ListTable", &proto::ListTableRequest {}, true)
            .await?;
        Ok(response.table_names)
    }

    pub async fn describe_table(&self, table: &str) -> Result<TableDescription> {
        let request = proto::DescribeTableRequest {
            table_name: table.to_string(),
        };
        let response: proto::DescribeTableResponse =
            self.call("DescribeTable", &request, true).await?;
        let stream_hours = response
            .stream_details
            .as_ref()
            .filter(|s| s.enable_stream)
            .and_then(|s| s.expiration_time);
        TableDescription::from_proto(
            &response.table_meta,
            Some(&response.table_options),
            Some(&response.reserved_throughput_details.capacity_unit),
            &response.index_metas,
            stream_hours,
        )
        .map(|table| TableDescription {
            encryption: TableEncryption::from_details(response.sse_details.as_ref()),
            ..table
        })
        .map_err(|reason| TablestoreError::InvalidResponse {
            action: "DescribeTable",
            reason,
            request_id: None,
        })
    }

    /// Whether the table exists (DescribeTable succeeds rather than `OTSObjectNotExist`).
    pub async fn table_exists(&self, table: &str) -> Result<bool> {
        match self.describe_table(table).await {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Creates a table as described, with a stream when `stream_expiration_hours` is set and
    /// initial partitions when `split_points` are.
    pub async fn create_table(&self, table: &TableDescription) -> Result<()> {
        let request = proto::CreateTableRequest {
            table_meta: table.to_proto_meta(),
            reserved_throughput: proto::ReservedThroughput {
                capacity_unit: proto::CapacityUnit {
                    read: Some(table.reserved_read),
                    write: Some(table.reserved_write),
                },
            },
            table_options: Some(table.to_proto_options()),
            partitions: partition_ranges(&table.split_points),
            stream_spec: table
                .stream_expiration_hours
                .map(|expiration_hours| StreamChange::Enable { expiration_hours }.to_proto()),
            sse_spec: table.encryption.as_ref().map(TableEncryption::to_spec),
            index_metas: table.to_proto_indexes(),
        };
        let _: proto::CreateTableResponse = self.call("CreateTable", &request, false).await?;
        Ok(())
    }

    pub async fn update_table(&self, table: &str, update: &TableUpdate) -> Result<()> {
        let request = proto::UpdateTableRequest {
            table_name: table.to_string(),
            reserved_throughput: update
                .reserved
                .map(|(read, write)| proto::ReservedThroughput {
                    capacity_unit: proto::CapacityUnit {
                        read: Some(read),
                        write: Some(write),
                    },
                }),
            table_options: update.options.map(|o| proto::TableOptions {
                time_to_live: Some(o.time_to_live),
                max_versions: Some(o.max_versions),
                deviation_cell_version_in_sec: Some(o.max_time_deviation),
                allow_update: o.allow_update,
                // Set at creation only: the service refuses a change.
                update_full_row: None,
            }),
            stream_spec: update.stream.map(StreamChange::to_proto),
        };
        let _: proto::UpdateTableResponse = self.call("UpdateTable", &request, false).await?;
        Ok(())
    }

    pub async fn delete_table(&self, table: &str) -> Result<()> {
        let request = proto::DeleteTableRequest {
            table_name: table.to_string(),
        };
        let _: proto::DeleteTableResponse = self.call("DeleteTable", &request, false).await?;
        Ok(())
    }
}
