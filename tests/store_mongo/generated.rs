//! Generated rows (tests/support/rows.rs): every row the codec can express either maps to BSON
//! and back exactly, or is refused; storable ones survive a trip through the server too.

use std::collections::HashMap;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use tablevault::store::mongo::mapping::{document_to_row, row_to_document};
use tablevault::store::mongo::raw_document::row_to_raw_document;
use tablevault::store::BackupStore;
use tablevault::tablestore::{PkValue, Row};

use crate::fixtures::{int_table, manifest, read_all, store};
use crate::support::mongo_server::MongoServer;
use crate::support::rows::any_row;

/// What a table can hold: 1–4 key columns, each a real value (no range bound or placeholder).
fn storable(row: &Row) -> bool {
    !row.primary_key.is_empty()
        && row.primary_key.columns().iter().all(|c| {
            matches!(
                c.value,
                PkValue::Integer(_) | PkValue::String(_) | PkValue::Binary(_)
            )
        })
}

proptest! {
    #[test]
    fn rows_map_to_bson_and_back_or_are_refused(row in any_row(), range in any::<u32>()) {
        match row_to_document(&row, range) {
            Ok(document) => {
                prop_assert!(storable(&row));
                let mut bytes = Vec::new();
                document.to_writer(&mut bytes).unwrap();
                let back = bson::Document::from_reader(bytes.as_slice()).unwrap();
                prop_assert_eq!(document_to_row(&back).unwrap(), row);
            }
            Err(_) => prop_assert!(!storable(&row)),
        }
    }

    /// What the store writes (BSON built directly) is exactly the mapped document's bytes.
    #[test]
    fn raw_documents_are_the_documents_bytes(row in any_row(), range in any::<u32>()) {
        match (row_to_document(&row, range), row_to_raw_document(&row, range)) {
            (Ok(document), Ok(raw)) => {
                let mut bytes = Vec::new();
                document.to_writer(&mut bytes).unwrap();
                prop_assert_eq!(raw.as_bytes(), &bytes[..]);
            }
            (Err(_), Err(_)) => {}
            (document, raw) => prop_assert!(false, "{document:?} vs {raw:?}"),
        }
    }
}

/// Rows of one table share the key schema, and `_id` relies on it (values by position), so
/// generated keys get the table's column names: awkward ones.
fn with_table_key_names(mut row: Row) -> Row {
    const NAMES: [&str; 4] = ["_id", "$k.1", "ключ 🚀", ""];
    for (column, name) in row.primary_key.0.iter_mut().zip(NAMES) {
        column.name = name.to_owned();
    }
    row
}

#[tokio::test]
async fn generated_rows_survive_the_server() {
    let mut runner = TestRunner::deterministic();
    let strategy = any_row();
    let mut rows: HashMap<_, Row> = HashMap::new();
    while rows.len() < 400 {
        let row = with_table_key_names(strategy.new_tree(&mut runner).unwrap().current());
        if storable(&row) {
            rows.insert(row.primary_key.clone(), row);
        }
    }
    let batch: Vec<Row> = rows.values().cloned().collect();

    let server = MongoServer::start();
    let store = store(&server).await;
    let staged = store.create("generated").await.unwrap();
    for (range, chunk) in batch.chunks(100).enumerate() {
        staged
            .write_rows("g", range as u32, chunk, "")
            .await
            .unwrap();
    }
    staged
        .publish(&manifest(
            "generated",
            0,
            &[(int_table("g"), rows.len() as u64)],
        ))
        .await
        .unwrap();
    let read = read_all(store.open("generated").await.unwrap().as_ref(), "g").await;
    assert_eq!(read, rows);
}
