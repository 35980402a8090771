use super::*;

fn sample_row() -> Row {
    let quiet_nan = f64::from_bits(0x7ff8_0000_0000_0001);
    let signalling_nan = f64::from_bits(0xfff0_0000_dead_beef);
    Row::new(
        PrimaryKey::new([
            ("_id", PkValue::String("k".into())),
            ("$weird.name", PkValue::Integer(i64::MIN)),
            ("bin", PkValue::Binary((0..=255).collect())),
        ]),
        vec![
            Cell::put_at("d", Value::Double(-0.0), 1),
            Cell::put_at("d", Value::Double(quiet_nan), 2),
            Cell::put_at("d", Value::Double(signalling_nan), 3),
            Cell::put_at("d", Value::Double(f64::from_bits(1)), 4),
            Cell::put_at("i", Value::Integer(1), i64::MAX),
            Cell::put_at("ü", Value::String(String::new()), 0),
            Cell::put_at("b", Value::Boolean(false), 5),
            Cell::put("no_ts", Value::Binary(vec![])),
            Cell::delete_one("gone", 7),
        ],
    )
}

/// Through BSON bytes, which is what travels to the server.
fn through_bytes(document: &Document) -> Document {
    let mut bytes = Vec::new();
    document.to_writer(&mut bytes).expect("encodes");
    Document::from_reader(bytes.as_slice()).expect("decodes")
}

#[test]
fn every_value_type_round_trips_exactly() {
    let row = sample_row();
    let back = document_to_row(&through_bytes(&row_to_document(&row, 3).unwrap())).unwrap();
    assert_eq!(back, row);
}

#[test]
fn integers_are_int64_and_names_are_data() {
    let document = row_to_document(&sample_row(), 3).unwrap();
    assert_eq!(document.get(RANGE), Some(&Bson::Int64(3)));
    let cells = document.get_array(CELLS).unwrap();
    let int_cell = cells[4].as_document().unwrap();
    assert_eq!(int_cell.get("v"), Some(&Bson::Int64(1)));
    assert_eq!(int_cell.get("n"), Some(&Bson::String("i".into())));
    let pk = document.get_array(PK).unwrap();
    assert_eq!(pk[0].as_document().unwrap().get_str("n"), Ok("_id"));
    assert_eq!(
        document.get_document(ID).unwrap().get("1"),
        Some(&Bson::Int64(i64::MIN))
    );
}

#[test]
fn delete_marker_survives() {
    let mut row = sample_row();
    row.delete_marker = true;
    row.cells.clear();
    assert_eq!(
        document_to_row(&row_to_document(&row, 0).unwrap()).unwrap(),
        row
    );
}

#[test]
fn foreign_types_are_refused() {
    let mut document = row_to_document(&sample_row(), 0).unwrap();
    document.insert(CELLS, vec![Bson::Document(doc! { "n": "x", "v": 1_i32 })]);
    assert!(document_to_row(&document).is_err(), "Int32 accepted");
    let uuid = Binary {
        subtype: BinarySubtype::Uuid,
        bytes: vec![0; 16],
    };
    document.insert(CELLS, vec![Bson::Document(doc! { "n": "x", "v": uuid })]);
    assert!(document_to_row(&document).is_err(), "UUID subtype accepted");
}

#[test]
fn id_must_match_the_key() {
    let mut document = row_to_document(&sample_row(), 0).unwrap();
    document.insert(ID, doc! { "0": "other" });
    let err = document_to_row(&document).unwrap_err();
    assert!(err.to_string().contains("_id"), "{err}");
}

#[test]
fn placeholder_keys_are_not_storable() {
    let row = Row::new(PrimaryKey::new([("k", PkValue::InfMax)]), vec![]);
    assert!(row_to_document(&row, 0).is_err());
    assert!(row_to_document(&Row::default(), 0).is_err());
}

/// The write path builds BSON bytes directly; they must be the very bytes of the document.
#[test]
fn raw_documents_match_documents_byte_for_byte() {
    use crate::store::mongo::raw_document::row_to_raw_document;
    let mut deleted = sample_row();
    deleted.delete_marker = true;
    // Array positions past one digit ("10", "11", ...), every op, a long value.
    let mut many_cells = sample_row();
    for version in 0..120 {
        many_cells.cells.push(Cell::put_at(
            "s",
            Value::String("x".repeat(version)),
            version as i64,
        ));
    }
    many_cells.cells.push(Cell::delete_all("all"));
    many_cells.cells.push(Cell {
        op: Some(CellOp::Increment),
        ..Cell::put("count", Value::Integer(2))
    });
    for row in [sample_row(), deleted, many_cells] {
        let mut expected = Vec::new();
        row_to_document(&row, 7)
            .unwrap()
            .to_writer(&mut expected)
            .unwrap();
        assert_eq!(
            row_to_raw_document(&row, 7).unwrap().as_bytes(),
            &expected[..]
        );
    }
    assert!(row_to_raw_document(&Row::default(), 0).is_err());
    let placeholder = Row::new(PrimaryKey::new([("k", PkValue::InfMin)]), vec![]);
    assert!(row_to_raw_document(&placeholder, 0).is_err());
}
