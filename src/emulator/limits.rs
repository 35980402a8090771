//! Service limits and the validation of names, keys and cells against a table's schema, with
//! the codes and (where the SDK test-suites show them) the messages the service uses.

use crate::tablestore::row::{Cell, PkValue, PrimaryKey, Value};
use crate::tablestore::table::{PkSchema, PkType};

use super::error::ServiceError;
use super::tables::value_size;

pub const MAX_PK_COLUMNS: usize = 4;
pub const MAX_PK_VALUE_BYTES: usize = 1024;
pub const MAX_CELL_VALUE_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_NAME_BYTES: usize = 255;
pub const MAX_DEFINED_COLUMNS: usize = 32;
pub const MAX_COLUMNS_TO_GET: usize = 128;
pub const MAX_BATCH_ROWS: usize = 200;
pub const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Smallest TTL (seconds) other than -1 (keep forever).
pub const MIN_TIME_TO_LIVE: i32 = 86_400;

/// Table, column and index names: 1–255 bytes of `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_NAME_BYTES
        && (bytes[0].is_ascii_alphabetic() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

pub fn check_table_name(name: &str) -> Result<(), ServiceError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(ServiceError::invalid(format!(
            "Invalid table name: '{name}'."
        )))
    }
}

pub fn check_column_name(name: &str) -> Result<(), ServiceError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(ServiceError::invalid(format!(
            "Invalid column name: '{name}'."
        )))
    }
}

/// What a primary key is used for, which decides the values it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// PutRow: real values, or the auto-increment placeholder in an auto-increment column.
    Put,
    /// GetRow, UpdateRow, DeleteRow: real values only.
    Exact,
    /// GetRange bounds: values or INF_MIN / INF_MAX.
    RangeBound,
}

fn type_name(value: &PkValue) -> &'static str {
    match value {
        PkValue::Integer(_) => "VT_INTEGER",
        PkValue::String(_) => "VT_STRING",
        PkValue::Binary(_) => "VT_BLOB",
        PkValue::InfMin => "VT_INF_MIN",
        PkValue::InfMax => "VT_INF_MAX",
        PkValue::AutoIncrement => "VT_AUTO_INCREMENT",
    }
}

fn schema_type_name(t: PkType) -> &'static str {
    match t {
        PkType::Integer => "VT_INTEGER",
        PkType::String => "VT_STRING",
        PkType::Binary => "VT_BLOB",
    }
}

/// Checks a key against the table's primary-key schema.
pub fn check_primary_key(
    schema: &[PkSchema],
    pk: &PrimaryKey,
    usage: KeyUse,
) -> Result<(), ServiceError> {
    let columns = pk.columns();
    if columns.len() != schema.len() {
        return Err(ServiceError::invalid_pk(format!(
            "Validate PK size fail. Input: {}, Meta: {}.",
            columns.len(),
            schema.len()
        )));
    }
    for (column, meta) in columns.iter().zip(schema) {
        if column.name != meta.name {
            return Err(ServiceError::invalid_pk(format!(
                "Validate PK name fail. Input: {}, Meta: {}.",
                column.name, meta.name
            )));
        }
        let type_ok = match (&column.value, meta.pk_type) {
            (PkValue::Integer(_), PkType::Integer) => true,
            (PkValue::String(_), PkType::String) => true,
            (PkValue::Binary(_), PkType::Binary) => true,
            (PkValue::InfMin | PkValue::InfMax, _) => {
                if usage != KeyUse::RangeBound {
                    return Err(ServiceError::invalid(format!(
                        "INF_MIN and INF_MAX are only allowed in range bounds, not in primary key column: '{}'.",
                        meta.name
                    )));
                }
                true
            }
            (PkValue::AutoIncrement, _) => {
                if usage != KeyUse::Put || !meta.auto_increment {
                    return Err(ServiceError::invalid(format!(
                        "AUTO_INCREMENT is only allowed in PutRow on an auto-increment primary key column, not on: '{}'.",
                        meta.name
                    )));
                }
                true
            }
            _ => false,
        };
        if !type_ok {
            return Err(ServiceError::invalid_pk(format!(
                "Validate PK type fail. Input: {}, Meta: {}.",
                type_name(&column.value),
                schema_type_name(meta.pk_type)
            )));
        }
        let len = match &column.value {
            PkValue::String(s) => s.len(),
            PkValue::Binary(b) => b.len(),
            _ => 0,
        };
        if len > MAX_PK_VALUE_BYTES {
            return Err(ServiceError::invalid(format!(
                "The length of primary key column: '{}' exceeds the MaxLength:{MAX_PK_VALUE_BYTES} with CurrentLength:{len}.",
                meta.name
            )));
        }
    }
    Ok(())
}

/// Checks the attribute cells of a write: names, value sizes, timestamps (within the table's
/// allowed deviation from now), and that no cell reuses a primary-key column name.
pub fn check_cells(
    cells: &[Cell],
    schema: &[PkSchema],
    max_time_deviation_secs: i64,
    now_ms: i64,
) -> Result<(), ServiceError> {
    for cell in cells {
        check_column_name(&cell.name)?;
        if schema.iter().any(|c| c.name == cell.name) {
            return Err(ServiceError::invalid(format!(
                "The attribute column name '{}' duplicates a primary key column.",
                cell.name
            )));
        }
        if let Some(value) = &cell.value {
            check_cell_value(&cell.name, value)?;
        }
        if let (Some(ts), None) = (cell.timestamp, cell.op) {
            let deviation_ms = max_time_deviation_secs.saturating_mul(1000);
            if ts < 0 || (ts - now_ms).abs() > deviation_ms {
                return Err(ServiceError::invalid(format!(
                    "The timestamp {ts} of column '{}' is out of the allowed range: it may differ from the server time by at most {max_time_deviation_secs} seconds (table option deviation_cell_version_in_sec).",
                    cell.name
                )));
            }
        }
    }
    Ok(())
}

fn check_cell_value(name: &str, value: &Value) -> Result<(), ServiceError> {
    let len = value_size(value);
    if len > MAX_CELL_VALUE_BYTES {
        return Err(ServiceError::invalid(format!(
            "The length of attribute column: '{name}' exceeds the MaxLength:{MAX_CELL_VALUE_BYTES} with CurrentLength:{len}."
        )));
    }
    Ok(())
}

/// Checks a `columns_to_get` list.
pub fn check_columns_to_get(columns: &[String]) -> Result<(), ServiceError> {
    if columns.len() > MAX_COLUMNS_TO_GET {
        return Err(ServiceError::invalid(format!(
            "The number of columns to get exceeds the limit: {MAX_COLUMNS_TO_GET}."
        )));
    }
    columns.iter().try_for_each(|c| check_column_name(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::codes;

    fn schema() -> Vec<PkSchema> {
        vec![
            PkSchema::new("PK1", PkType::String),
            PkSchema {
                auto_increment: true,
                ..PkSchema::new("PK2", PkType::Integer)
            },
        ]
    }

    #[test]
    fn names_follow_the_service_rules() {
        assert!(is_valid_name("_a1"));
        assert!(is_valid_name(&"x".repeat(255)));
        assert!(!is_valid_name(&"x".repeat(256)));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("1abc"));
        assert!(!is_valid_name("a-b"));
        assert!(!is_valid_name("ä"));
    }

    #[test]
    fn key_size_name_and_type_mismatches_are_invalid_pk() {
        let s = schema();
        let short = PrimaryKey::new([("PK1", PkValue::String("a".into()))]);
        let err = check_primary_key(&s, &short, KeyUse::Exact).unwrap_err();
        assert_eq!(err.code, codes::INVALID_PK);
        assert_eq!(err.message, "Validate PK size fail. Input: 1, Meta: 2.");

        let named = PrimaryKey::new([
            ("PK2", PkValue::String("a".into())),
            ("PK2", PkValue::Integer(1)),
        ]);
        let err = check_primary_key(&s, &named, KeyUse::Exact).unwrap_err();
        assert_eq!(err.message, "Validate PK name fail. Input: PK2, Meta: PK1.");

        let typed = PrimaryKey::new([("PK1", PkValue::Integer(1)), ("PK2", PkValue::Integer(1))]);
        let err = check_primary_key(&s, &typed, KeyUse::Exact).unwrap_err();
        assert_eq!(err.code, codes::INVALID_PK);
    }

    #[test]
    fn infinities_and_placeholders_only_where_allowed() {
        let s = schema();
        let inf = PrimaryKey::new([("PK1", PkValue::InfMin), ("PK2", PkValue::InfMax)]);
        assert!(check_primary_key(&s, &inf, KeyUse::RangeBound).is_ok());
        assert_eq!(
            check_primary_key(&s, &inf, KeyUse::Exact).unwrap_err().code,
            codes::PARAMETER_INVALID
        );
        let auto = PrimaryKey::new([
            ("PK1", PkValue::String("a".into())),
            ("PK2", PkValue::AutoIncrement),
        ]);
        assert!(check_primary_key(&s, &auto, KeyUse::Put).is_ok());
        assert!(check_primary_key(&s, &auto, KeyUse::Exact).is_err());
    }

    #[test]
    fn key_values_are_capped_at_1kb() {
        let s = schema();
        let ok = PrimaryKey::new([
            ("PK1", PkValue::String("a".repeat(1024))),
            ("PK2", PkValue::Integer(1)),
        ]);
        assert!(check_primary_key(&s, &ok, KeyUse::Exact).is_ok());
        let long = PrimaryKey::new([
            ("PK1", PkValue::String("a".repeat(1025))),
            ("PK2", PkValue::Integer(1)),
        ]);
        assert_eq!(
            check_primary_key(&s, &long, KeyUse::Exact)
                .unwrap_err()
                .code,
            codes::PARAMETER_INVALID
        );
    }

    #[test]
    fn cells_are_checked_for_size_names_and_timestamps() {
        let s = schema();
        let now = 1_000_000_000_000;
        let big = Cell::put("c", Value::Binary(vec![0; MAX_CELL_VALUE_BYTES + 1]));
        assert!(check_cells(&[big], &s, 86_400, now).is_err());
        let fits = Cell::put("c", Value::Binary(vec![0; MAX_CELL_VALUE_BYTES]));
        assert!(check_cells(&[fits], &s, 86_400, now).is_ok());
        assert!(check_cells(&[Cell::put("PK1", Value::Integer(1))], &s, 86_400, now).is_err());
        assert!(check_cells(&[Cell::put("bad-name", Value::Integer(1))], &s, 86_400, now).is_err());
        let old = Cell::put_at("c", Value::Integer(1), now - 86_401_000);
        assert!(check_cells(std::slice::from_ref(&old), &s, 86_400, now).is_err());
        assert!(check_cells(&[old], &s, 86_402, now).is_ok());
        // A delete of one version names an old timestamp on purpose; it is not a write.
        assert!(check_cells(&[Cell::delete_one("c", 1)], &s, 86_400, now).is_ok());
    }
}
