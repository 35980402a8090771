//! Search indexes (多元索引): CreateSearchIndex, DescribeSearchIndex, ListSearchIndex,
//! DeleteSearchIndex. The emulator keeps each index's definition exactly as it was sent (the
//! whole `IndexSchema` and the TTL), so DescribeSearchIndex gives a client back what it
//! created; it indexes no rows, and `Search` answers that querying is not emulated.

use std::collections::BTreeMap;

use crate::tablestore::codes;
use crate::tablestore::proto;

use super::error::ServiceError;
use super::limits::check_table_name;
use super::tables::{lock, now_ms, Tables};

/// One search index of a table, as created.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSearchIndex {
    pub schema: proto::IndexSchema,
    pub time_to_live: Option<i32>,
    /// Microseconds since the epoch, as the service reports `create_time`.
    pub created_at_us: i64,
}

/// A table's search indexes by name.
pub type SearchIndexes = BTreeMap<String, StoredSearchIndex>;

fn required<'a>(value: &'a Option<String>, what: &str) -> Result<&'a str, ServiceError> {
    match value.as_deref() {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ServiceError::invalid(format!("The {what} is missing."))),
    }
}

fn index_not_exist(index: &str) -> ServiceError {
    ServiceError::new(
        codes::OBJECT_NOT_EXIST,
        format!("The search index '{index}' does not exist."),
    )
}

/// Every field has a name and a known type; nested fields have sub-fields, others none;
/// names are unique per level.
fn check_fields(fields: &[proto::FieldSchema], path: &str) -> Result<(), ServiceError> {
    let mut seen = std::collections::HashSet::new();
    for field in fields {
        let name = field.field_name.as_deref().unwrap_or_default();
        if name.is_empty() {
            return Err(ServiceError::invalid(format!(
                "A field of the search index{path} has no name."
            )));
        }
        if !seen.insert(name) {
            return Err(ServiceError::invalid(format!(
                "Duplicated field '{name}' in the search index{path}."
            )));
        }
        let field_type = field
            .field_type
            .and_then(|t| proto::FieldType::try_from(t).ok())
            .ok_or_else(|| {
                ServiceError::invalid(format!("The field '{name}' has no valid field_type."))
            })?;
        let nested = field_type == proto::FieldType::Nested;
        if nested == field.field_schemas.is_empty() {
            return Err(ServiceError::invalid(format!(
                "The field '{name}': only a NESTED field has sub-fields, and it needs them."
            )));
        }
        if field.analyzer.is_some() && field_type != proto::FieldType::Text {
            return Err(ServiceError::invalid(format!(
                "The field '{name}': only a TEXT field takes an analyzer."
            )));
        }
        check_fields(&field.field_schemas, &format!(" (in '{name}')"))?;
    }
    Ok(())
}

pub fn create_search_index(
    store: &Tables,
    req: proto::CreateSearchIndexRequest,
) -> Result<proto::CreateSearchIndexResponse, ServiceError> {
    check_table_name(&req.table_name)?;
    check_table_name(&req.index_name)?;
    let table = store.table(&req.table_name)?;
    let schema = req
        .schema
        .ok_or_else(|| ServiceError::invalid("The search index schema is missing."))?;
    if schema.field_schemas.is_empty() {
        return Err(ServiceError::invalid(
            "The search index schema has no field.",
        ));
    }
    check_fields(&schema.field_schemas, "")?;
    let mut indexes = lock(&table.search_indexes);
    if indexes.contains_key(&req.index_name) {
        return Err(ServiceError::new(
            codes::OBJECT_ALREADY_EXIST,
            format!("The search index '{}' already exists.", req.index_name),
        ));
    }
    indexes.insert(
        req.index_name,
        StoredSearchIndex {
            schema,
            time_to_live: req.time_to_live,
            created_at_us: now_ms() * 1000,
        },
    );
    Ok(proto::CreateSearchIndexResponse {})
}

pub fn describe_search_index(
    store: &Tables,
    req: proto::DescribeSearchIndexRequest,
) -> Result<proto::DescribeSearchIndexResponse, ServiceError> {
    let table_name = required(&req.table_name, "table name")?;
    let index_name = required(&req.index_name, "index name")?;
    let table = store.table(table_name)?;
    let indexes = lock(&table.search_indexes);
    let index = indexes
        .get(index_name)
        .ok_or_else(|| index_not_exist(index_name))?;
    Ok(proto::DescribeSearchIndexResponse {
        schema: Some(index.schema.clone()),
        // Nothing to catch up on: the emulator's index is always in the incremental phase.
        sync_stat: req
            .include_sync_stat
            .unwrap_or(false)
            .then(|| proto::SyncStat {
                sync_phase: Some(proto::SyncPhase::Incr as i32),
                current_sync_timestamp: Some(now_ms() * 1_000_000),
            }),
        create_time: Some(index.created_at_us),
        time_to_live: Some(index.time_to_live.unwrap_or(-1)),
    })
}

/// The indexes of one table, or of every table when none is named.
pub fn list_search_index(
    store: &Tables,
    req: proto::ListSearchIndexRequest,
) -> Result<proto::ListSearchIndexResponse, ServiceError> {
    let tables = match req.table_name.as_deref() {
        Some(name) if !name.is_empty() => {
            store.table(name)?;
            vec![name.to_string()]
        }
        _ => store.names(),
    };
    let mut indices = Vec::new();
    for name in tables {
        let Ok(table) = store.table(&name) else {
            continue; // deleted meanwhile
        };
        for index in lock(&table.search_indexes).keys() {
            indices.push(proto::IndexInfo {
                table_name: Some(name.clone()),
                index_name: Some(index.clone()),
            });
        }
    }
    Ok(proto::ListSearchIndexResponse { indices })
}

pub fn delete_search_index(
    store: &Tables,
    req: proto::DeleteSearchIndexRequest,
) -> Result<proto::DeleteSearchIndexResponse, ServiceError> {
    let table_name = required(&req.table_name, "table name")?;
    let index_name = required(&req.index_name, "index name")?;
    let table = store.table(table_name)?;
    lock(&table.search_indexes)
        .remove(index_name)
        .ok_or_else(|| index_not_exist(index_name))?;
    Ok(proto::DeleteSearchIndexResponse {})
}

/// DeleteTable's rule: "if a search index is created for a data table, you must delete the
/// search index before you delete the data table" (DeleteTable documentation of every SDK;
/// the error code is not documented). Secondary indexes go with the table.
pub fn check_no_search_index(store: &Tables, table: &str) -> Result<(), ServiceError> {
    let Ok(table_ref) = store.table(table) else {
        return Ok(()); // DeleteTable answers the missing table itself
    };
    let indexes = lock(&table_ref.search_indexes);
    match indexes.keys().next() {
        Some(index) => Err(ServiceError::invalid(format!(
            "The table '{table}' has the search index '{index}': delete its search indexes \
             before the table."
        ))),
        None => Ok(()),
    }
}

/// `Search`: querying a search index is out of the emulator's scope.
pub fn search_not_supported() -> ServiceError {
    ServiceError::new(
        codes::UNSUPPORT_OPERATION,
        "Search is not supported by the emulator: it stores search index definitions but \
         indexes no rows.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::table::{PkSchema, PkType, TableDescription};

    fn field(name: &str, field_type: proto::FieldType) -> proto::FieldSchema {
        proto::FieldSchema {
            field_name: Some(name.into()),
            field_type: Some(field_type as i32),
            ..Default::default()
        }
    }

    fn schema() -> proto::IndexSchema {
        let mut text = field("title", proto::FieldType::Text);
        text.analyzer = Some("split".into());
        text.analyzer_parameter = Some(vec![10, 1, 44]);
        let mut nested = field("tags", proto::FieldType::Nested);
        nested.field_schemas = vec![field("tag", proto::FieldType::Keyword)];
        proto::IndexSchema {
            field_schemas: vec![field("n", proto::FieldType::Long), text, nested],
            index_setting: Some(proto::IndexSetting {
                number_of_shards: Some(1),
                routing_fields: vec!["k".into()],
                routing_partition_size: None,
            }),
            index_sort: None,
        }
    }

    fn create(store: &Tables, index: &str, schema: proto::IndexSchema) -> Result<(), ServiceError> {
        create_search_index(
            store,
            proto::CreateSearchIndexRequest {
                table_name: "t".into(),
                index_name: index.into(),
                schema: Some(schema),
                time_to_live: Some(-1),
            },
        )
        .map(|_| ())
    }

    #[test]
    fn a_search_index_is_described_as_created_listed_and_deleted() {
        let store = Tables::default();
        store
            .create(TableDescription::new(
                "t",
                vec![PkSchema::new("k", PkType::String)],
            ))
            .unwrap();
        create(&store, "idx", schema()).unwrap();
        assert_eq!(
            create(&store, "idx", schema()).unwrap_err().code,
            codes::OBJECT_ALREADY_EXIST
        );
        let described = describe_search_index(
            &store,
            proto::DescribeSearchIndexRequest {
                table_name: Some("t".into()),
                index_name: Some("idx".into()),
                include_sync_stat: Some(true),
            },
        )
        .unwrap();
        assert_eq!(described.schema, Some(schema()));
        assert_eq!(described.time_to_live, Some(-1));
        assert!(described.sync_stat.is_some());
        let all = list_search_index(&store, proto::ListSearchIndexRequest { table_name: None });
        assert_eq!(all.unwrap().indices.len(), 1);
        let delete = || {
            delete_search_index(
                &store,
                proto::DeleteSearchIndexRequest {
                    table_name: Some("t".into()),
                    index_name: Some("idx".into()),
                },
            )
        };
        assert!(
            check_no_search_index(&store, "t").is_err(),
            "the table keeps its index"
        );
        delete().unwrap();
        assert_eq!(delete().unwrap_err().code, codes::OBJECT_NOT_EXIST);
        check_no_search_index(&store, "t").unwrap();
    }

    #[test]
    fn malformed_schemas_are_refused() {
        let store = Tables::default();
        store
            .create(TableDescription::new(
                "t",
                vec![PkSchema::new("k", PkType::String)],
            ))
            .unwrap();
        let mut bad = schema();
        bad.field_schemas[0].analyzer = Some("single_word".into());
        assert!(create(&store, "a", bad)
            .unwrap_err()
            .message
            .contains("analyzer"));
        let mut bad = schema();
        bad.field_schemas[2].field_schemas.clear();
        assert!(create(&store, "b", bad).is_err());
        let mut bad = schema();
        bad.field_schemas[1].field_name = Some("n".into());
        assert!(create(&store, "c", bad)
            .unwrap_err()
            .message
            .contains("Duplicated"));
        assert!(search_not_supported()
            .message
            .contains("not supported by the emulator"));
    }
}
