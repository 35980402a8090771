//! The self-test's index step: a secondary and a search index created on the corpus table
//! made for them before the backup, compared on the restored copy, and the search indexes
//! deleted before their table (the service refuses DeleteTable while one exists).

use super::corpus::{CorpusTable, INDEXED_COLUMN, INDEXED_SUFFIX};
use super::report::StepStatus;
use super::steps::{describe, failed, StepResult};
use crate::tablestore::client::{Client, TablestoreError};
use crate::tablestore::{codes, proto, IndexDefinition, SearchIndexDefinition};

/// Creates a secondary index and a search index on the corpus table made for them, before
/// the backup, so the backup carries them, the restore recreates them and [`compare`] checks
/// them. Adds what was created to `created` (`secondary <name>`, `search <name>`). An
/// instance that refuses an index kind (`OTSOperationForbidden`, `OTSUnsupportOperation`, or
/// no permission) makes the step "skipped: <why>"; what it allowed is still created.
pub async fn create_indexes(
    client: &Client,
    tables: &[CorpusTable],
    created: &mut Vec<String>,
) -> StepResult<()> {
    let Some(table) = tables.iter().find(|t| t.suffix == INDEXED_SUFFIX) else {
        return Err(StepStatus::Skipped {
            why: "the corpus has no table to index".into(),
        });
    };
    let name = &table.description.name;
    let secondary = IndexDefinition {
        name: format!("{name}_by_{INDEXED_COLUMN}"),
        primary_key: vec![INDEXED_COLUMN.into()],
        defined_columns: Vec::new(),
        sync: true,
        local: false,
    };
    let search = SearchIndexDefinition {
        name: "selftest_search".into(),
        schema: proto::IndexSchema {
            field_schemas: vec![proto::FieldSchema {
                field_name: Some(INDEXED_COLUMN.into()),
                field_type: Some(proto::FieldType::Keyword as i32),
                index: Some(true),
                ..Default::default()
            }],
            ..Default::default()
        },
        time_to_live: Some(-1),
    };
    let mut refused = Vec::new();
    let secondary_result = client.create_index(name, &secondary, true).await;
    let search_result = client.create_search_index(name, &search).await;
    for (kind, index, result) in [
        ("secondary", &secondary.name, secondary_result),
        ("search", &search.name, search_result),
    ] {
        match result {
            Ok(()) => created.push(format!("{kind} {index}")),
            Err(e) if refused_by_instance(&e) => {
                refused.push(format!("the instance refused {kind} index {index}: {e}"))
            }
            Err(e) => {
                return Err(failed(
                    &format!("creating {kind} index {index} on {name}"),
                    e,
                ))
            }
        }
    }
    match refused.is_empty() {
        true => Ok(()),
        false => Err(StepStatus::Skipped {
            why: refused.join("; "),
        }),
    }
}

/// An instance that does not allow an index (edition, region, or the user's permissions).
fn refused_by_instance(error: &TablestoreError) -> bool {
    matches!(
        error.code(),
        Some(codes::OPERATION_FORBIDDEN | codes::UNSUPPORT_OPERATION | codes::NO_PERMISSION)
    )
}

/// Differences between the indexes of a source table and of its restored copy: secondary
/// indexes (named after their table, so compared by the name after it) and search indexes.
pub(super) async fn index_differences(
    client: &Client,
    source: &str,
    target: &str,
) -> StepResult<Vec<String>> {
    let secondary = |description: &crate::tablestore::TableDescription| {
        let table = &description.name;
        let mut indexes: Vec<_> = description
            .indexes
            .iter()
            .map(|i| {
                let suffix = i.name.strip_prefix(table.as_str()).unwrap_or(&i.name);
                IndexDefinition {
                    name: suffix.to_string(),
                    ..i.clone()
                }
            })
            .collect();
        indexes.sort_by(|a, b| a.name.cmp(&b.name));
        indexes
    };
    let expected = secondary(&describe(client, source).await?);
    let found = secondary(&describe(client, target).await?);
    let mut lines = Vec::new();
    if expected != found {
        lines.push(format!(
            "{target} secondary indexes: expected {expected:?}, found {found:?}"
        ));
    }
    let search = |table: &str| {
        let table = table.to_string();
        async move {
            let mut indexes = client
                .search_indexes(&table)
                .await
                .map_err(|e| failed(&format!("reading the search indexes of {table}"), e))?;
            indexes.sort_by(|a, b| a.name.cmp(&b.name));
            Ok::<_, StepStatus>(indexes)
        }
    };
    let (expected, found) = (search(source).await?, search(target).await?);
    if expected != found {
        lines.push(format!(
            "{target} search indexes: expected {expected:?}, found {found:?}"
        ));
    }
    Ok(lines)
}

pub(super) async fn delete_search_indexes(client: &Client, table: &str) -> Result<(), String> {
    let names = match client.list_search_indexes(table).await {
        Ok(names) => names,
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(format!("listing the search indexes of {table}: {e}")),
    };
    for index in names {
        match client.delete_search_index(table, &index).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(format!("deleting search index {index} of {table}: {e}")),
        }
    }
    Ok(())
}
