//! Indexes on restore: a table is created without its indexes, its rows go in, and only then
//! are its secondary indexes (CreateIndex with `include_base_data`, so the rows just written
//! are indexed) and its search indexes (CreateSearchIndex, with the saved schema) created.
//!
//! Why this order: the service refuses custom cell timestamps on a table that has a secondary
//! index, and a restore writes every cell with its original timestamp; some instances also
//! refuse CreateTable with an index (`OTSOperationForbidden`). A search index created after
//! the load indexes the data once instead of following every write.
//!
//! Index names share the instance's namespace with tables, and ListTable may list them: a
//! restore never writes into a name that is another table's index. A restore under a new
//! table name gives the secondary indexes new names too ([`index_name_for`]), since the
//! source table and its indexes may still exist; search index names are per table and stay.

use super::EngineError;
use crate::tablestore::client::Client;
use crate::tablestore::TableDescription;

/// Refuses target names that are index tables of the instance.
pub async fn refuse_index_targets(client: &Client, targets: &[&str]) -> Result<(), EngineError> {
    let listed = client
        .list_tables()
        .await
        .map_err(|e| EngineError::tablestore("listing the tables of the target instance", e))?;
    let indexes = client
        .index_table_names(&listed)
        .await
        .map_err(|e| EngineError::tablestore("describing the tables of the target instance", e))?;
    match targets.iter().find(|t| indexes.contains(**t)) {
        Some(target) => Err(EngineError::Refused(format!(
            "{target} is an index of another table; a restore cannot write into an index table"
        ))),
        None => Ok(()),
    }
}

/// Refuses an existing target table that has secondary indexes: the service refuses cells
/// with their original timestamps on such a table, so the restore would fail midway.
pub async fn refuse_indexed_target(client: &Client, target: &str) -> Result<(), EngineError> {
    let existing = client
        .describe_table(target)
        .await
        .map_err(|e| EngineError::tablestore(format!("describing target table {target}"), e))?;
    match existing.indexes.first() {
        Some(index) => Err(EngineError::Refused(format!(
            "target table {target} has the secondary index {}, and a table with an index refuses \
             the original cell timestamps; restore into a new table (its indexes are created \
             after the data) or drop the target's indexes first",
            index.name
        ))),
        None => Ok(()),
    }
}

/// The name of secondary index `index` of table `source` when restored into table `target`:
/// unchanged when the table keeps its name; else the source name prefix replaced by the
/// target name (`orders_by_date` of `orders` → `orders_copy_by_date`), or the target name
/// and `_` put in front (`by_date` → `orders_copy_by_date`).
pub fn index_name_for(source: &str, target: &str, index: &str) -> String {
    if source == target {
        return index.to_string();
    }
    match index.strip_prefix(source) {
        Some(rest) if !rest.is_empty() => format!("{target}{rest}"),
        _ => format!("{target}_{index}"),
    }
}

/// The secondary and search index names [`recreate`] creates on `target`.
pub fn planned(saved: &TableDescription, target: &str) -> (Vec<String>, Vec<String>) {
    let secondary = saved
        .indexes
        .iter()
        .map(|i| index_name_for(&saved.name, target, &i.name))
        .collect();
    let search = saved
        .search_indexes
        .iter()
        .map(|i| i.name.clone())
        .collect();
    (secondary, search)
}

/// Creates the saved secondary and search indexes on `target`, whose rows are loaded.
pub async fn recreate(
    client: &Client,
    saved: &TableDescription,
    target: &str,
) -> Result<(), EngineError> {
    for saved_index in &saved.indexes {
        let mut index = saved_index.clone();
        index.name = index_name_for(&saved.name, target, &saved_index.name);
        client
            .create_index(target, &index, true)
            .await
            .map_err(|e| {
                EngineError::tablestore(
                    format!("creating secondary index {} on table {target}", index.name),
                    e,
                )
            })?;
    }
    for index in &saved.search_indexes {
        client
            .create_search_index(target, index)
            .await
            .map_err(|e| {
                EngineError::tablestore(
                    format!("creating search index {} on table {target}", index.name),
                    e,
                )
            })?;
    }
    if !saved.indexes.is_empty() || !saved.search_indexes.is_empty() {
        tracing::info!(
            table = %target,
            secondary = saved.indexes.len(),
            search = saved.search_indexes.len(),
            "Created the indexes after the data."
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::index_name_for;

    #[test]
    fn renamed_tables_get_renamed_indexes() {
        assert_eq!(index_name_for("orders", "orders", "idx"), "idx");
        assert_eq!(
            index_name_for("orders", "orders_copy", "orders_by_date"),
            "orders_copy_by_date"
        );
        assert_eq!(index_name_for("orders", "copy", "by_date"), "copy_by_date");
        assert_eq!(index_name_for("orders", "copy", "orders"), "copy_orders");
    }
}
