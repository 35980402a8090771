//! The exact comparison: rows by primary key, then cells by (column, timestamp), values by
//! type and bits (so -0.0 and NaN payloads count), and the tables' key schema and options.
//! Each difference is one readable line naming the table, the row and the column.

use std::collections::{HashMap, HashSet};

use crate::tablestore::{Cell, PrimaryKey, Row, TableDescription, Value};

/// Most differences listed per table; the count is always exact.
pub const MAX_LISTED_PER_TABLE: usize = 50;

/// The differences between `expected` and `actual` rows of `table`, one line each.
pub fn row_differences(table: &str, expected: &[Row], actual: &[Row]) -> Vec<String> {
    let actual_by_key: HashMap<&PrimaryKey, &Row> =
        actual.iter().map(|r| (&r.primary_key, r)).collect();
    let expected_keys: HashSet<&PrimaryKey> = expected.iter().map(|r| &r.primary_key).collect();
    let mut lines = Vec::new();
    for row in expected {
        let key = show_key(&row.primary_key);
        match actual_by_key.get(&row.primary_key) {
            None => lines.push(format!("{table} row {key}: missing")),
            Some(found) => lines.extend(
                cell_differences(&row.cells, &found.cells)
                    .into_iter()
                    .map(|d| format!("{table} row {key}: {d}")),
            ),
        }
    }
    for row in actual {
        if !expected_keys.contains(&row.primary_key) {
            let key = show_key(&row.primary_key);
            lines.push(format!("{table} row {key}: unexpected row"));
        }
    }
    lines
}

/// Cells are compared as versions: (column, timestamp) → value.
fn cell_differences(expected: &[Cell], actual: &[Cell]) -> Vec<String> {
    let version = |c: &Cell| (c.name.clone(), c.timestamp);
    let found: HashMap<_, &Cell> = actual.iter().map(|c| (version(c), c)).collect();
    let wanted: HashSet<_> = expected.iter().map(version).collect();
    let mut lines = Vec::new();
    for cell in expected {
        let at = show_version(cell);
        match found.get(&version(cell)) {
            None => lines.push(format!("{at}: missing")),
            Some(other) if other.value != cell.value => lines.push(format!(
                "{at}: expected {}, found {}",
                show_value(cell.value.as_ref()),
                show_value(other.value.as_ref())
            )),
            Some(_) => {}
        }
    }
    for cell in actual {
        if !wanted.contains(&version(cell)) {
            lines.push(format!(
                "{}: unexpected {}",
                show_version(cell),
                show_value(cell.value.as_ref())
            ));
        }
    }
    lines
}

/// Differences in what the restore recreates: key schema, defined columns and options.
pub fn description_differences(
    expected: &TableDescription,
    actual: &TableDescription,
) -> Vec<String> {
    let mut lines = Vec::new();
    let name = &actual.name;
    if expected.primary_key != actual.primary_key {
        lines.push(format!(
            "{name} primary key: expected {:?}, found {:?}",
            expected.primary_key, actual.primary_key
        ));
    }
    if expected.defined_columns != actual.defined_columns {
        lines.push(format!(
            "{name} defined columns: expected {:?}, found {:?}",
            expected.defined_columns, actual.defined_columns
        ));
    }
    if expected.options != actual.options {
        lines.push(format!(
            "{name} options: expected {:?}, found {:?}",
            expected.options, actual.options
        ));
    }
    lines
}

fn show_key(key: &PrimaryKey) -> String {
    let columns: Vec<String> = key
        .columns()
        .iter()
        .map(|c| format!("{}={}", c.name, shorten(&format!("{:?}", c.value))))
        .collect();
    format!("({})", columns.join(", "))
}

fn show_version(cell: &Cell) -> String {
    match cell.timestamp {
        Some(ts) => format!("column {:?} @{ts}", cell.name),
        None => format!("column {:?}", cell.name),
    }
}

/// The type and the value (doubles as bits too), shortened for big cells.
fn show_value(value: Option<&Value>) -> String {
    match value {
        None => "no value".into(),
        Some(Value::Double(d)) => format!("Double({d:?}, bits {:#018x})", d.to_bits()),
        Some(Value::Binary(b)) => format!("Binary({} bytes)", b.len()),
        Some(other) => shorten(&format!("{other:?}")),
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::PkValue;

    fn row(id: i64, cells: Vec<Cell>) -> Row {
        Row::new(PrimaryKey::new([("id", PkValue::Integer(id))]), cells)
    }

    #[test]
    fn missing_extra_and_changed_rows_and_cells_are_each_one_line() {
        let expected = vec![
            row(1, vec![Cell::put_at("a", Value::Double(-0.0), 5)]),
            row(2, vec![Cell::put_at("a", Value::Integer(1), 5)]),
            row(3, vec![]),
        ];
        let actual = vec![
            row(1, vec![Cell::put_at("a", Value::Double(0.0), 5)]),
            row(2, vec![Cell::put_at("a", Value::Integer(1), 6)]),
            row(4, vec![]),
        ];
        let lines = row_differences("t", &expected, &actual);
        assert_eq!(
            lines,
            [
                "t row (id=Integer(1)): column \"a\" @5: expected Double(-0.0, bits \
                 0x8000000000000000), found Double(0.0, bits 0x0000000000000000)",
                "t row (id=Integer(2)): column \"a\" @5: missing",
                "t row (id=Integer(2)): column \"a\" @6: unexpected Integer(1)",
                "t row (id=Integer(3)): missing",
                "t row (id=Integer(4)): unexpected row",
            ]
        );
        assert!(row_differences("t", &expected, &expected).is_empty());
    }
}
