//! Which tables of a backup a restore writes, and under which names.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::EngineError;
use crate::store::{Manifest, TableManifest};

/// One table to restore: its manifest entry and the target name.
#[derive(Debug, Clone)]
pub struct Selected {
    pub table: TableManifest,
    pub target: String,
}

/// Resolves `tables` (empty = all) and `renames` (OLD → NEW) against the manifest.
pub fn select(
    manifest: &Manifest,
    tables: &[String],
    renames: &BTreeMap<String, String>,
) -> Result<Vec<Selected>, EngineError> {
    let held = || {
        let names: Vec<&str> = manifest
            .tables
            .iter()
            .map(|t| t.description.name.as_str())
            .collect();
        names.join(", ")
    };
    let missing = |name: &str| {
        EngineError::Refused(format!(
            "table {name} is not in backup {} (it holds: {})",
            manifest.backup_id,
            held()
        ))
    };
    let chosen: Vec<&TableManifest> = if tables.is_empty() {
        manifest.tables.iter().collect()
    } else {
        let mut seen = BTreeSet::new();
        let mut chosen = Vec::new();
        for name in tables {
            let table = manifest.table(name).ok_or_else(|| missing(name))?;
            if seen.insert(name.as_str()) {
                chosen.push(table);
            }
        }
        chosen
    };
    for old in renames.keys() {
        if manifest.table(old).is_none() {
            return Err(missing(old));
        }
        if !chosen.iter().any(|t| &t.description.name == old) {
            return Err(EngineError::Refused(format!(
                "--rename {old}=… names a table that is not being restored"
            )));
        }
    }
    let mut targets = BTreeSet::new();
    let mut selected = Vec::new();
    for table in chosen {
        let name = &table.description.name;
        let target = renames.get(name).unwrap_or(name).clone();
        if !targets.insert(target.clone()) {
            return Err(EngineError::Refused(format!(
                "two tables would be restored into table {target}"
            )));
        }
        selected.push(Selected {
            table: table.clone(),
            target,
        });
    }
    Ok(selected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SourceInfo, FORMAT_VERSION};
    use crate::tablestore::{PkSchema, PkType, TableDescription};

    fn manifest(names: &[&str]) -> Manifest {
        let now = chrono::Utc::now();
        Manifest {
            format_version: FORMAT_VERSION,
            tablevault_version: "test".into(),
            backup_id: "b1".into(),
            source: SourceInfo {
                name: "s".into(),
                endpoint: "http://h".into(),
                instance: "i".into(),
            },
            started_at: now,
            finished_at: now,
            all_versions: true,
            tables: names
                .iter()
                .map(|n| TableManifest {
                    description: TableDescription::new(
                        *n,
                        vec![PkSchema::new("id", PkType::Integer)],
                    ),
                    rows: 0,
                    cells: 0,
                    bytes: 0,
                    checksum: String::new(),
                })
                .collect(),
        }
    }

    fn renames(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn all_tables_by_default_with_renames() {
        let m = manifest(&["a", "b"]);
        let s = select(&m, &[], &renames(&[("a", "a2")])).unwrap();
        let names: Vec<(&str, &str)> = s
            .iter()
            .map(|s| (s.table.description.name.as_str(), s.target.as_str()))
            .collect();
        assert_eq!(names, vec![("a", "a2"), ("b", "b")]);
    }

    #[test]
    fn refuses_unknown_tables_stray_renames_and_collisions() {
        let m = manifest(&["a", "b"]);
        let err = select(&m, &["x".into()], &BTreeMap::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "table x is not in backup b1 (it holds: a, b)"
        );
        assert!(select(&m, &["a".into()], &renames(&[("b", "c")])).is_err());
        assert!(select(&m, &[], &renames(&[("x", "c")])).is_err());
        let err = select(&m, &[], &renames(&[("a", "b")])).unwrap_err();
        assert_eq!(err.to_string(), "two tables would be restored into table b");
    }
}
