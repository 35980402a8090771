//! Names in MongoDB: one database per backup, one collection per table, one metadata collection.
//!
//! Names are validated rather than truncated or escaped: a name that cannot be stored exactly is
//! an error the operator sees at once, not a backup that later restores under another name.

use crate::store::StoreError;

/// The collection holding the staging marker, the checkpoints and the manifest of a backup.
/// It contains a dot, which Tablestore table names never do, so no table can collide with it.
pub const METADATA_COLLECTION: &str = "tablevault.meta";

/// MongoDB database names must be shorter than 64 bytes.
const MAX_DATABASE_NAME_BYTES: usize = 63;

/// Characters MongoDB forbids in database names (the Windows set, which is the strictest), plus
/// NUL. Whitespace of any kind is refused as well.
const FORBIDDEN_IN_DATABASE: &[char] =
    &['/', '\\', '.', '"', '$', '*', '<', '>', ':', '|', '?', '\0'];

/// Checks a database prefix on its own (at start-up, before any backup id is known).
pub fn validate_prefix(prefix: &str) -> Result<(), StoreError> {
    if prefix.is_empty() || !is_database_safe(prefix) {
        return Err(StoreError::Mongo {
            context: "invalid database_prefix".to_owned(),
            message: format!(
                "{prefix:?} must be non-empty and free of whitespace and of / \\ . \" $ * < > : | ?"
            ),
        });
    }
    Ok(())
}

/// `<prefix>_<backup id>`, or [`StoreError::InvalidId`] if MongoDB could not hold it exactly.
pub fn database_name(prefix: &str, backup_id: &str) -> Result<String, StoreError> {
    let name = format!("{prefix}_{backup_id}");
    let valid =
        !backup_id.is_empty() && name.len() <= MAX_DATABASE_NAME_BYTES && is_database_safe(&name);
    if valid {
        Ok(name)
    } else {
        Err(StoreError::InvalidId(backup_id.to_owned()))
    }
}

/// The backup id of a database name under `prefix`, if it has the shape `<prefix>_<id>`.
/// Only a hint: a longer prefix sharing ours (`tv` vs `tv_x`) matches too, so callers confirm
/// with the staging marker, which records the prefix and id that created the database.
pub fn backup_id_of<'a>(prefix: &str, database: &'a str) -> Option<&'a str> {
    database
        .strip_prefix(prefix)?
        .strip_prefix('_')
        .filter(|id| !id.is_empty())
}

/// Checks that a table name can be used verbatim as a collection name. Refusing dots also rules
/// out MongoDB's reserved `system.*` collections and the metadata collection.
pub fn validate_table(table: &str) -> Result<(), StoreError> {
    let valid = !table.is_empty() && !table.contains(['$', '.', '\0']);
    if valid {
        Ok(())
    } else {
        Err(StoreError::Mongo {
            context: format!("table {table:?}"),
            message: "not usable as a MongoDB collection name".to_owned(),
        })
    }
}

fn is_database_safe(name: &str) -> bool {
    !name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || FORBIDDEN_IN_DATABASE.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_joins_prefix_and_id() {
        assert_eq!(
            database_name("tv", "20240101-abc").unwrap(),
            "tv_20240101-abc"
        );
    }

    #[test]
    fn database_name_refuses_what_mongodb_cannot_hold() {
        for id in [
            "", "a.b", "a b", "a/b", "a$b", "a\"b", "x:y", "tab\tbed", "q?",
        ] {
            assert!(
                matches!(database_name("tv", id), Err(StoreError::InvalidId(got)) if got == id),
                "{id:?} accepted"
            );
        }
        let longest = "x".repeat(MAX_DATABASE_NAME_BYTES - 3);
        assert!(database_name("tv", &longest).is_ok());
        assert!(database_name("tv", &format!("{longest}y")).is_err());
        // Bytes, not characters, count: "é" is two bytes.
        assert!(database_name("tv", &"é".repeat(30)).is_ok());
        assert!(database_name("tv", &"é".repeat(31)).is_err());
    }

    #[test]
    fn backup_id_of_strips_prefix_and_separator() {
        assert_eq!(backup_id_of("tv", "tv_b1"), Some("b1"));
        assert_eq!(backup_id_of("tv", "tv_"), None);
        assert_eq!(backup_id_of("tv", "tvx_b1"), None);
        assert_eq!(backup_id_of("tv", "admin"), None);
    }

    #[test]
    fn tables_must_be_collection_names() {
        assert!(validate_table("orders_2024").is_ok());
        assert!(validate_table("_tablevault").is_ok());
        for bad in ["", "a.b", "a$b", "system.x"] {
            assert!(validate_table(bad).is_err(), "{bad:?}");
        }
        assert!(validate_prefix("tv").is_ok());
        assert!(validate_prefix("t.v").is_err());
        assert!(validate_prefix("").is_err());
    }
}
