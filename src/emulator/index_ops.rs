//! Secondary indexes: CreateIndex, DropIndex, and the rules the service enforces on a table
//! that has indexes (documentation "Global secondary index" / "Secondary index limits"):
//! - the table keeps one version (`max_versions` = 1);
//! - a table with a TTL must refuse updates (`allow_update` = false) to carry an index;
//! - cells with a custom timestamp are refused while the table has an index
//!   ([`IndexBehaviour::refuse_custom_timestamps`]), which is why a restore loads the data
//!   first and creates the indexes afterwards (`include_base_data`).
//!
//! Index names share the instance's namespace with tables: a table or index name is taken
//! once. [`IndexBehaviour::list_index_tables`] makes ListTable list index names too, and
//! [`IndexBehaviour::forbid_index_in_create_table`] answers `OTSOperationForbidden` to a
//! CreateTable that carries indexes, as instances without the feature do (Node SDK issue #26).
//! The emulator keeps no index rows: the index is metadata only.

use serde::{Deserialize, Serialize};

use crate::tablestore::proto;
use crate::tablestore::row::Cell;
use crate::tablestore::table::{IndexDefinition, TableDescription, TableOptions};

use super::error::ServiceError;
use super::limits::check_table_name;
use super::tables::{write, Tables};

/// The service's code for an operation the instance does not allow.
pub const OPERATION_FORBIDDEN: &str = "OTSOperationForbidden";

/// Switches for the service's secondary-index behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndexBehaviour {
    /// ListTable lists index names next to table names (they share the namespace).
    pub list_index_tables: bool,
    /// Writes with a custom cell timestamp are refused on a table that has an index.
    pub refuse_custom_timestamps: bool,
    /// CreateTable with `index_metas` answers OTSOperationForbidden (feature not enabled).
    pub forbid_index_in_create_table: bool,
}

impl Default for IndexBehaviour {
    fn default() -> Self {
        IndexBehaviour {
            list_index_tables: true,
            refuse_custom_timestamps: true,
            forbid_index_in_create_table: false,
        }
    }
}

/// The rules a table's options must meet to carry an index.
pub fn check_indexed_options(options: &TableOptions) -> Result<(), ServiceError> {
    if options.max_versions != 1 {
        return Err(ServiceError::invalid(format!(
            "A table with an index must keep one version; max_versions is {}.",
            options.max_versions
        )));
    }
    if options.time_to_live != -1 && options.allow_update != Some(false) {
        return Err(ServiceError::invalid(
            "A table with a time_to_live and an index must set allow_update to false.",
        ));
    }
    Ok(())
}

/// CreateTable's part: the feature switch, the option rules, and names not yet taken.
pub fn check_create_table(
    store: &Tables,
    behaviour: IndexBehaviour,
    desc: &TableDescription,
) -> Result<(), ServiceError> {
    if index_owner(store, &desc.name).is_some() {
        return Err(ServiceError::table_already_exist());
    }
    if desc.indexes.is_empty() {
        return Ok(());
    }
    if behaviour.forbid_index_in_create_table {
        return Err(ServiceError::new(
            OPERATION_FORBIDDEN,
            "Global index is not enabled for this instance.",
        ));
    }
    check_indexed_options(&desc.options)?;
    for index in &desc.indexes {
        if name_taken(store, &index.name) {
            return Err(ServiceError::new(
                crate::tablestore::codes::OBJECT_ALREADY_EXIST,
                format!("The index '{}' already exists.", index.name),
            ));
        }
    }
    Ok(())
}

/// Refuses custom timestamps on an indexed table (when switched on).
pub fn check_write_timestamps(
    behaviour: IndexBehaviour,
    desc: &TableDescription,
    cells: &[Cell],
) -> Result<(), ServiceError> {
    if !behaviour.refuse_custom_timestamps || desc.indexes.is_empty() {
        return Ok(());
    }
    match cells
        .iter()
        .find(|c| c.op.is_none() && c.timestamp.is_some())
    {
        Some(cell) => Err(ServiceError::invalid(format!(
            "The table '{}' has an index: column '{}' must not carry a custom timestamp.",
            desc.name, cell.name
        ))),
        None => Ok(()),
    }
}

/// The table that owns the index `name`, if any.
pub fn index_owner(store: &Tables, name: &str) -> Option<String> {
    store.names().into_iter().find(|table| {
        store
            .table(table)
            .is_ok_and(|t| t.description().indexes.iter().any(|i| i.name == name))
    })
}

fn name_taken(store: &Tables, name: &str) -> bool {
    store.table(name).is_ok() || index_owner(store, name).is_some()
}

/// ListTable: table names, plus index names when the switch says so, sorted.
pub fn list_table(store: &Tables, behaviour: IndexBehaviour) -> proto::ListTableResponse {
    let mut names = store.names();
    if behaviour.list_index_tables {
        for table in store.names() {
            if let Ok(t) = store.table(&table) {
                names.extend(t.description().indexes.into_iter().map(|i| i.name));
            }
        }
        names.sort();
    }
    proto::ListTableResponse { table_names: names }
}

pub fn create_index(
    store: &Tables,
    req: proto::CreateIndexRequest,
) -> Result<proto::CreateIndexResponse, ServiceError> {
    check_table_name(&req.main_table_name)?;
    check_table_name(&req.index_meta.name)?;
    let table = store.table(&req.main_table_name)?;
    if name_taken(store, &req.index_meta.name) {
        return Err(ServiceError::new(
            crate::tablestore::codes::OBJECT_ALREADY_EXIST,
            format!("The index '{}' already exists.", req.index_meta.name),
        ));
    }
    let mut desc = write(&table.description);
    check_indexed_options(&desc.options)?;
    let mut updated = desc.clone();
    updated
        .indexes
        .push(IndexDefinition::from_proto(&req.index_meta));
    super::table_ops::check_indexes(&updated)?;
    *desc = updated;
    Ok(proto::CreateIndexResponse {})
}

pub fn drop_index(
    store: &Tables,
    req: proto::DropIndexRequest,
) -> Result<proto::DropIndexResponse, ServiceError> {
    check_table_name(&req.main_table_name)?;
    let table = store.table(&req.main_table_name)?;
    let mut desc = write(&table.description);
    let before = desc.indexes.len();
    desc.indexes.retain(|i| i.name != req.index_name);
    if desc.indexes.len() == before {
        return Err(ServiceError::new(
            crate::tablestore::codes::OBJECT_NOT_EXIST,
            format!("The index '{}' does not exist.", req.index_name),
        ));
    }
    Ok(proto::DropIndexResponse {})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::codes;
    use crate::tablestore::table::{ColumnType, DefinedColumn, PkSchema, PkType};

    fn base(name: &str) -> TableDescription {
        let mut desc = TableDescription::new(name, vec![PkSchema::new("k", PkType::Integer)]);
        desc.defined_columns = vec![DefinedColumn {
            name: "c".into(),
            column_type: ColumnType::String,
        }];
        desc
    }

    fn index(name: &str) -> proto::IndexMeta {
        IndexDefinition {
            name: name.into(),
            primary_key: vec!["c".into()],
            defined_columns: Vec::new(),
            sync: true,
            local: false,
        }
        .to_proto()
    }

    fn create_index_on(store: &Tables, table: &str, name: &str) -> Result<(), ServiceError> {
        create_index(
            store,
            proto::CreateIndexRequest {
                main_table_name: table.into(),
                index_meta: index(name),
                include_base_data: Some(true),
            },
        )
        .map(|_| ())
    }

    #[test]
    fn indexed_tables_keep_one_version_and_ttl_needs_updates_refused() {
        let store = Tables::default();
        let mut versions = base("versions");
        versions.options.max_versions = 2;
        let mut ttl = base("ttl");
        ttl.options.time_to_live = 86_400;
        store.create(versions).unwrap();
        store.create(ttl.clone()).unwrap();
        let err = create_index_on(&store, "versions", "i1").unwrap_err();
        assert!(err.message.contains("max_versions"), "{err:?}");
        let err = create_index_on(&store, "ttl", "i1").unwrap_err();
        assert!(err.message.contains("allow_update"), "{err:?}");
        ttl.name = "ttl_ok".into();
        ttl.options.allow_update = Some(false);
        store.create(ttl).unwrap();
        create_index_on(&store, "ttl_ok", "i1").unwrap();
        assert_eq!(
            store.table("ttl_ok").unwrap().description().indexes.len(),
            1
        );
    }

    #[test]
    fn index_names_share_the_namespace_and_can_be_listed_and_dropped() {
        let store = Tables::default();
        store.create(base("t")).unwrap();
        create_index_on(&store, "t", "t_by_c").unwrap();
        assert_eq!(
            create_index_on(&store, "t", "t").unwrap_err().code,
            codes::OBJECT_ALREADY_EXIST
        );
        assert_eq!(
            check_create_table(&store, IndexBehaviour::default(), &base("t_by_c"))
                .unwrap_err()
                .code,
            codes::OBJECT_ALREADY_EXIST
        );
        let listed = list_table(&store, IndexBehaviour::default()).table_names;
        assert_eq!(listed, ["t", "t_by_c"]);
        let hidden = IndexBehaviour {
            list_index_tables: false,
            ..IndexBehaviour::default()
        };
        assert_eq!(list_table(&store, hidden).table_names, ["t"]);
        let drop = |name: &str| {
            drop_index(
                &store,
                proto::DropIndexRequest {
                    main_table_name: "t".into(),
                    index_name: name.into(),
                },
            )
        };
        drop("t_by_c").unwrap();
        assert_eq!(drop("t_by_c").unwrap_err().code, codes::OBJECT_NOT_EXIST);
    }

    #[test]
    fn create_table_with_an_index_can_be_forbidden() {
        let store = Tables::default();
        let mut desc = base("t");
        desc.indexes
            .push(IndexDefinition::from_proto(&index("t_i")));
        let forbidden = IndexBehaviour {
            forbid_index_in_create_table: true,
            ..IndexBehaviour::default()
        };
        let err = check_create_table(&store, forbidden, &desc).unwrap_err();
        assert_eq!(err.code, OPERATION_FORBIDDEN);
        check_create_table(&store, IndexBehaviour::default(), &desc).unwrap();
    }

    #[test]
    fn custom_timestamps_are_refused_only_on_indexed_tables() {
        let cell = |timestamp| Cell {
            name: "c".into(),
            value: Some(crate::tablestore::Value::String("v".into())),
            timestamp,
            op: None,
        };
        let mut desc = base("t");
        let on = IndexBehaviour::default();
        check_write_timestamps(on, &desc, &[cell(Some(1))]).unwrap();
        desc.indexes
            .push(IndexDefinition::from_proto(&index("t_i")));
        check_write_timestamps(on, &desc, &[cell(None)]).unwrap();
        assert!(check_write_timestamps(on, &desc, &[cell(Some(1))]).is_err());
        let off = IndexBehaviour {
            refuse_custom_timestamps: false,
            ..on
        };
        check_write_timestamps(off, &desc, &[cell(Some(1))]).unwrap();
    }
}
