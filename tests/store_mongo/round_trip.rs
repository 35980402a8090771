//! Every value type, edge value and awkward name comes back exactly, stored as the exact BSON
//! types the mapping promises.

use bson::{doc, spec::BinarySubtype, Bson, Document};
use tablevault::store::BackupStore;
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};

use crate::fixtures::{by_key, manifest, read_all, store};
use crate::support::mongo_server::MongoServer;

fn all_bytes() -> Vec<u8> {
    (0..=255).collect()
}

/// Cells covering every value type and its edge values, under awkward column names, with
/// several versions of one column.
fn edge_cells() -> Vec<Cell> {
    let doubles = [
        -0.0,
        0.0,
        f64::from_bits(0x7ff8_0000_0000_0001), // quiet NaN with a payload
        f64::from_bits(0xfff4_0000_0000_beef), // signalling NaN, sign bit set
        f64::NAN,
        f64::from_bits(1), // smallest subnormal
        f64::MIN_POSITIVE / 3.0,
        f64::MAX,
        f64::NEG_INFINITY,
    ];
    let mut cells: Vec<Cell> = doubles
        .iter()
        .enumerate()
        .map(|(i, d)| Cell::put_at("double", Value::Double(*d), 1000 + i as i64))
        .collect();
    cells.extend([
        Cell::put_at("_id", Value::Integer(i64::MIN), 1),
        Cell::put_at("$weird.name", Value::Integer(i64::MAX), 2),
        Cell::put_at("small", Value::Integer(1), 3),
        Cell::put_at("zero", Value::Integer(0), i64::MAX),
        Cell::put_at("列 ünïcode 🚀", Value::String("värde ✓".into()), 0),
        Cell::put_at("empty", Value::String(String::new()), 4),
        Cell::put_at("nul", Value::String("a\0b".into()), 5),
        Cell::put_at("bytes", Value::Binary(all_bytes()), 6),
        Cell::put_at("no bytes", Value::Binary(Vec::new()), 7),
        Cell::put_at("t", Value::Boolean(true), 8),
        Cell::put_at("f", Value::Boolean(false), 9),
        Cell::put_at("", Value::String("empty column name".into()), 10),
    ]);
    cells
}

fn keyed(columns: Vec<(&str, PkValue)>, cells: Vec<Cell>) -> Row {
    Row::new(PrimaryKey::new(columns), cells)
}

/// Tables with 1 to 4 key columns of mixed types, and their rows (some without cells).
fn tables() -> Vec<(TableDescription, Vec<Row>)> {
    use PkValue::{Binary as B, Integer as I, String as S};
    let schema = |names: &[(&str, PkType)]| -> Vec<PkSchema> {
        names.iter().map(|(n, t)| PkSchema::new(*n, *t)).collect()
    };
    vec![
        (
            TableDescription::new("pk1", schema(&[("_id", PkType::Integer)])),
            vec![
                keyed(vec![("_id", I(i64::MIN))], edge_cells()),
                keyed(vec![("_id", I(i64::MAX))], vec![]),
                keyed(
                    vec![("_id", I(0))],
                    vec![Cell::put_at("x", Value::Integer(-1), 5)],
                ),
                keyed(vec![("_id", I(1))], vec![]),
            ],
        ),
        (
            TableDescription::new(
                "pk2",
                schema(&[("$k.1", PkType::String), ("b", PkType::Binary)]),
            ),
            vec![
                keyed(
                    vec![("$k.1", S(String::new())), ("b", B(all_bytes()))],
                    edge_cells(),
                ),
                keyed(vec![("$k.1", S("ключ".into())), ("b", B(vec![]))], vec![]),
            ],
        ),
        (
            TableDescription::new(
                "pk3",
                schema(&[
                    ("a", PkType::Binary),
                    ("b", PkType::Integer),
                    ("c", PkType::String),
                ]),
            ),
            vec![keyed(
                vec![("a", B(vec![0])), ("b", I(-1)), ("c", S("x".into()))],
                vec![],
            )],
        ),
        (
            TableDescription::new(
                "_tablevault",
                schema(&[
                    ("i", PkType::Integer),
                    ("s", PkType::String),
                    ("b", PkType::Binary),
                    ("j", PkType::Integer),
                ]),
            ),
            vec![keyed(
                vec![
                    ("i", I(2)),
                    ("s", S("a.b".into())),
                    ("b", B(vec![255])),
                    ("j", I(3)),
                ],
                edge_cells(),
            )],
        ),
    ]
}

#[tokio::test]
async fn every_value_type_and_edge_value_round_trips() {
    let server = MongoServer::start();
    let store = store(&server).await;
    let staged = store.create("edges").await.unwrap();
    let tables = tables();
    for (description, rows) in &tables {
        staged
            .write_rows(&description.name, 0, rows, "")
            .await
            .unwrap();
    }
    let counts: Vec<_> = tables
        .iter()
        .map(|(d, r)| (d.clone(), r.len() as u64))
        .collect();
    staged
        .publish(&manifest("edges", 0, &counts))
        .await
        .unwrap();

    let reader = store.open("edges").await.unwrap();
    for (description, rows) in &tables {
        let read = read_all(reader.as_ref(), &description.name).await;
        assert_eq!(read, by_key(rows), "table {}", description.name);
    }
}

#[tokio::test]
async fn stored_bson_uses_exact_types() {
    let server = MongoServer::start();
    let store = store(&server).await;
    let staged = store.create("types").await.unwrap();
    let (description, rows) = tables().swap_remove(0);
    staged
        .write_rows(&description.name, 7, &rows, "")
        .await
        .unwrap();

    let collection = store
        .client()
        .database("tvtest_types")
        .collection::<Document>(&description.name);
    // Key 1: a small integer, which a careless mapping would store as Int32.
    let stored = collection
        .find_one(doc! { "_id": { "0": 1_i64 } })
        .await
        .unwrap()
        .expect("row with key 1 is stored");
    assert_eq!(stored.get("range"), Some(&Bson::Int64(7)));
    let pk = stored.get_array("pk").unwrap()[0].as_document().unwrap();
    assert_eq!(pk.get("n"), Some(&Bson::String("_id".into())));
    assert_eq!(pk.get("v"), Some(&Bson::Int64(1)));

    let edge = collection
        .find_one(doc! { "_id": { "0": i64::MIN } })
        .await
        .unwrap()
        .expect("edge row is stored");
    let cells = edge.get_array("cells").unwrap();
    let cell = |name: &str| -> &Document {
        cells
            .iter()
            .filter_map(Bson::as_document)
            .find(|c| c.get_str("n") == Ok(name))
            .unwrap_or_else(|| panic!("cell {name} stored"))
    };
    assert_eq!(cell("small").get("v"), Some(&Bson::Int64(1)));
    assert_eq!(cell("small").get("ts"), Some(&Bson::Int64(3)));
    assert_eq!(cell("t").get("v"), Some(&Bson::Boolean(true)));
    assert_eq!(cell("empty").get("v"), Some(&Bson::String(String::new())));
    match cell("bytes").get("v") {
        Some(Bson::Binary(b)) => {
            assert_eq!(b.subtype, BinarySubtype::Generic);
            assert_eq!(b.bytes, all_bytes());
        }
        other => panic!("bytes stored as {other:?}"),
    }
    let first_double = cell("double").get("v");
    assert!(matches!(first_double, Some(Bson::Double(d)) if d.to_bits() == (-0.0f64).to_bits()));
    let versions = cells
        .iter()
        .filter_map(Bson::as_document)
        .filter(|c| c.get_str("n") == Ok("double"))
        .count();
    assert_eq!(versions, 9, "every version is its own entry");
}
