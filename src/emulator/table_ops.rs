//! ListTable, CreateTable, DescribeTable, UpdateTable, DeleteTable.

use std::collections::HashSet;

use crate::tablestore::encryption::TableEncryption;
use crate::tablestore::partitions::split_points_of;
use crate::tablestore::proto;
use crate::tablestore::row::PkValue;
use crate::tablestore::table::{PkType, TableDescription, TableOptions};

use super::error::ServiceError;
use super::limits::{
    check_column_name, check_table_name, MAX_DEFINED_COLUMNS, MAX_PK_COLUMNS, MIN_TIME_TO_LIVE,
};
use super::tables::{lock, write, Table, Tables};

/// Stream retention the service uses when a stream is enabled without one (hours).
const DEFAULT_STREAM_HOURS: i32 = 24;

pub fn list_table(store: &Tables) -> proto::ListTableResponse {
    super::index_ops::list_table(store, store.index_behaviour)
}

fn pk_type_name(t: i32) -> String {
    match t {
        5 => "BOOLEAN".into(),
        other => format!("type {other}"),
    }
}

fn check_schema(meta: &proto::TableMeta) -> Result<(), ServiceError> {
    check_table_name(&meta.table_name)?;
    let n = meta.primary_key.len();
    if !(1..=MAX_PK_COLUMNS).contains(&n) {
        return Err(ServiceError::invalid(format!(
            "The number of primary key columns must be in range: [1, {MAX_PK_COLUMNS}]. Input: {n}."
        )));
    }
    let mut names = HashSet::new();
    for (i, column) in meta.primary_key.iter().enumerate() {
        check_column_name(&column.name)?;
        if !names.insert(column.name.as_str()) {
            return Err(ServiceError::invalid(format!(
                "Duplicated primary key name: '{}'.",
                column.name
            )));
        }
        // PK_BOOLEAN (5) is in the vendored protocol, but CreateTable refuses it as a key type
        // (see `pk_type_name`), like an unknown number.
        let pk_type = match proto::PrimaryKeyType::try_from(column.r#type) {
            Ok(proto::PrimaryKeyType::PkBoolean) | Err(_) => {
                return Err(ServiceError::invalid(format!(
                    "{} is an invalid type for the primary key.",
                    pk_type_name(column.r#type)
                )));
            }
            Ok(pk_type) => pk_type,
        };
        if column.option == Some(proto::PrimaryKeyOption::AutoIncrement as i32) {
            if i == 0 {
                return Err(ServiceError::invalid(
                    "The partition key can not be an auto-increment column.",
                ));
            }
            if pk_type != proto::PrimaryKeyType::Integer {
                return Err(ServiceError::invalid(format!(
                    "The auto-increment primary key column '{}' must be INTEGER.",
                    column.name
                )));
            }
        }
    }
    if meta.defined_column.len() > MAX_DEFINED_COLUMNS {
        return Err(ServiceError::invalid(format!(
            "The number of defined columns exceeds the limit: {MAX_DEFINED_COLUMNS}."
        )));
    }
    for column in &meta.defined_column {
        check_column_name(&column.name)?;
        if !names.insert(column.name.as_str()) {
            return Err(ServiceError::invalid(format!(
                "Duplicated column name: '{}'.",
                column.name
            )));
        }
        if proto::DefinedColumnType::try_from(column.r#type).is_err() {
            return Err(ServiceError::invalid(format!(
                "Invalid type {} of defined column '{}'.",
                column.r#type, column.name
            )));
        }
    }
    Ok(())
}

fn check_options(options: &TableOptions) -> Result<(), ServiceError> {
    if options.max_versions < 1 {
        return Err(ServiceError::invalid(
            "The max_versions must be greater than 0.",
        ));
    }
    if options.time_to_live != -1 && options.time_to_live < MIN_TIME_TO_LIVE {
        return Err(ServiceError::invalid(format!(
            "The time_to_live must be -1 (forever) or at least {MIN_TIME_TO_LIVE} seconds."
        )));
    }
    if options.max_time_deviation < 1 {
        return Err(ServiceError::invalid(
            "The deviation_cell_version_in_sec must be greater than 0.",
        ));
    }
    Ok(())
}

fn check_throughput(throughput: &proto::ReservedThroughput) -> Result<(), ServiceError> {
    let cu = &throughput.capacity_unit;
    if cu.read.unwrap_or(0) < 0 || cu.write.unwrap_or(0) < 0 {
        return Err(ServiceError::invalid(
            "The reserved capacity units must not be negative.",
        ));
    }
    Ok(())
}

pub(super) fn check_indexes(desc: &TableDescription) -> Result<(), ServiceError> {
    let columns: HashSet<&str> = desc
        .pk_names()
        .chain(desc.defined_columns.iter().map(|c| c.name.as_str()))
        .collect();
    for index in &desc.indexes {
        check_table_name(&index.name)?;
        if index.primary_key.is_empty() {
            return Err(ServiceError::invalid(format!(
                "The index '{}' has no primary key.",
                index.name
            )));
        }
        if let Some(missing) = index
            .primary_key
            .iter()
            .chain(&index.defined_columns)
            .find(|c| !columns.contains(c.as_str()))
        {
            return Err(ServiceError::invalid(format!(
                "The column '{missing}' of index '{}' is neither a primary key nor a defined column.",
                index.name
            )));
        }
    }
    Ok(())
}

fn stream_hours(spec: &proto::StreamSpecification) -> Option<i32> {
    spec.enable_stream
        .then(|| spec.expiration_time.unwrap_or(DEFAULT_STREAM_HOURS))
}

pub fn create_table(
    store: &Tables,
    req: proto::CreateTableRequest,
) -> Result<proto::CreateTableResponse, ServiceError> {
    check_schema(&req.table_meta)?;
    check_throughput(&req.reserved_throughput)?;
    if !req.partitions.is_empty() && !store.rules.accept_partitions {
        return Err(ServiceError::invalid(
            "Specifying partitions is not supported on this instance.",
        ));
    }
    let split_points = initial_split_points(&req)?;
    store
        .table_ops
        .admit(&req.table_meta.table_name, store.rules.table_op_interval)?;
    let desc = TableDescription::from_proto(
        &req.table_meta,
        req.table_options.as_ref(),
        Some(&req.reserved_throughput.capacity_unit),
        &req.index_metas,
        req.stream_spec.as_ref().and_then(stream_hours),
    )
    .map(|desc| TableDescription {
        encryption: TableEncryption::from_spec(req.sse_spec.as_ref()),
        split_points,
        ..desc
    })
    .map_err(ServiceError::invalid)?;
    check_options(&desc.options)?;
    check_indexes(&desc)?;
    super::index_ops::check_create_table(store, store.index_behaviour, &desc)?;
    store.create(desc)?;
    Ok(proto::CreateTableResponse {})
}

/// The split points of CreateTable's `partitions` (checked like the SDKs check them), kept in
/// the description so ComputeSplitPointsBySize splits there too, as a pre-split table does.
fn initial_split_points(req: &proto::CreateTableRequest) -> Result<Vec<PkValue>, ServiceError> {
    let Some(partition_key) = req.table_meta.primary_key.first() else {
        return Ok(Vec::new());
    };
    if req.partitions.is_empty() {
        return Ok(Vec::new());
    }
    let pk_type = PkType::try_from(partition_key.r#type).map_err(ServiceError::invalid)?;
    split_points_of(&req.partitions, pk_type)
        .map_err(|e| ServiceError::invalid(format!("Invalid partitions: {e}.")))
}

fn throughput_details(table: &Table, desc: &TableDescription) -> proto::ReservedThroughputDetails {
    proto::ReservedThroughputDetails {
        capacity_unit: proto::CapacityUnit {
            read: Some(desc.reserved_read),
            write: Some(desc.reserved_write),
        },
        last_increase_time: table.created_at_secs,
        last_decrease_time: None,
    }
}

fn stream_details(table: &Table) -> proto::StreamDetails {
    match lock(&table.stream).as_ref() {
        Some(log) => proto::StreamDetails {
            enable_stream: true,
            stream_id: Some(log.stream_id.clone()),
            expiration_time: Some(log.expiration_hours),
            last_enable_time: Some(log.enabled_at_us),
        },
        None => proto::StreamDetails {
            enable_stream: false,
            stream_id: None,
            expiration_time: None,
            last_enable_time: None,
        },
    }
}

pub fn describe_table(
    store: &Tables,
    req: proto::DescribeTableRequest,
) -> Result<proto::DescribeTableResponse, ServiceError> {
    check_table_name(&req.table_name)?;
    let table = store.table(&req.table_name)?;
    let desc = table.description();
    Ok(proto::DescribeTableResponse {
        table_meta: desc.to_proto_meta(),
        reserved_throughput_details: throughput_details(&table, &desc),
        table_options: desc.to_proto_options(),
        table_status: Some(proto::TableStatus::Active as i32),
        stream_details: Some(stream_details(&table)),
        shard_splits: Vec::new(),
        // Only for an encrypted table: what the emulator answered before, for every SDK.
        sse_details: desc.encryption.as_ref().map(TableEncryption::to_details),
        index_metas: desc.to_proto_indexes(),
    })
}

pub fn update_table(
    store: &Tables,
    req: proto::UpdateTableRequest,
) -> Result<proto::UpdateTableResponse, ServiceError> {
    check_table_name(&req.table_name)?;
    let table = store.table(&req.table_name)?;
    store
        .table_ops
        .admit(&req.table_name, store.rules.table_op_interval)?;
    if req.reserved_throughput.is_none() && req.table_options.is_none() && req.stream_spec.is_none()
    {
        return Err(ServiceError::invalid(
            "Neither reserved_throughput, table_options nor stream_spec is specified in UpdateTable.",
        ));
    }
    let desc = {
        let mut desc = write(&table.description);
        let mut updated = desc.clone();
        if let Some(throughput) = &req.reserved_throughput {
            check_throughput(throughput)?;
            let cu = &throughput.capacity_unit;
            updated.reserved_read = cu.read.unwrap_or(updated.reserved_read);
            updated.reserved_write = cu.write.unwrap_or(updated.reserved_write);
        }
        if let Some(options) = &req.table_options {
            let o = &mut updated.options;
            o.time_to_live = options.time_to_live.unwrap_or(o.time_to_live);
            o.max_versions = options.max_versions.unwrap_or(o.max_versions);
            o.max_time_deviation = options
                .deviation_cell_version_in_sec
                .unwrap_or(o.max_time_deviation);
            o.allow_update = options.allow_update.or(o.allow_update);
            if options
                .update_full_row
                .is_some_and(|u| Some(u) != o.update_full_row)
            {
                return Err(ServiceError::invalid(
                    "The update_full_row can not be modified.",
                ));
            }
            check_options(o)?;
            if !updated.indexes.is_empty() {
                super::index_ops::check_indexed_options(o)?;
            }
        }
        if let Some(spec) = &req.stream_spec {
            let hours = stream_hours(spec);
            super::stream::set_stream(store, &table, &req.table_name, hours);
            updated.stream_expiration_hours = hours;
        }
        *desc = updated.clone();
        updated
    };
    Ok(proto::UpdateTableResponse {
        reserved_throughput_details: throughput_details(&table, &desc),
        table_options: desc.to_proto_options(),
        stream_details: Some(stream_details(&table)),
    })
}

pub fn delete_table(
    store: &Tables,
    req: proto::DeleteTableRequest,
) -> Result<proto::DeleteTableResponse, ServiceError> {
    check_table_name(&req.table_name)?;
    super::search_index_ops::check_no_search_index(store, &req.table_name)?;
    store
        .table_ops
        .admit(&req.table_name, store.rules.table_op_interval)?;
    store.delete(&req.table_name)?;
    Ok(proto::DeleteTableResponse {})
}
