//! ComputeSplitPointsBySize.

use tablevault::emulator::EmulatorConfig;
use tablevault::tablestore::plainbuffer;
use tablevault::tablestore::proto::{self, PrimaryKeyType};
use tablevault::tablestore::row::{PkValue, PrimaryKey, Value};

use crate::client::{meta, pk_schema, row, start};

fn request(table: &str) -> proto::ComputeSplitPointsBySizeRequest {
    proto::ComputeSplitPointsBySizeRequest {
        table_name: table.into(),
        split_size: 1,
        split_size_unit_in_byte: None,
        split_point_limit: None,
    }
}

#[tokio::test]
async fn split_points_come_from_the_data() {
    let config = EmulatorConfig {
        split_unit_bytes: Some(2000),
        ..EmulatorConfig::default()
    };
    let (_emulator, client) = start(config).await;
    let schema = vec![
        pk_schema("p", PrimaryKeyType::Integer),
        pk_schema("s", PrimaryKeyType::String),
    ];
    client
        .create_table(meta("t", schema.clone()), None)
        .await
        .unwrap();
    client
        .create_table(meta("empty", schema.clone()), None)
        .await
        .unwrap();
    // 50 partitions × 2 rows × ~220 bytes ≈ 22 kB: about 10 ranges of 2 kB.
    for p in 0..50 {
        for s in ["x", "y"] {
            let key =
                PrimaryKey::new([("p", PkValue::Integer(p)), ("s", PkValue::String(s.into()))]);
            client
                .put("t", &row(key, vec![("v", Value::Binary(vec![1; 200]))]))
                .await
                .unwrap();
        }
    }
    let response: proto::ComputeSplitPointsBySizeResponse = client
        .call("ComputeSplitPointsBySize", &request("t"))
        .await
        .unwrap();
    assert_eq!(response.schema, schema);
    let points: Vec<i64> = response
        .split_points
        .iter()
        .map(|bytes| {
            let pk = plainbuffer::decode_row(bytes).unwrap().primary_key;
            assert_eq!(
                pk.columns().len(),
                1,
                "split points carry the partition key only"
            );
            match pk.columns()[0].value {
                PkValue::Integer(p) => p,
                _ => panic!("integer partition key"),
            }
        })
        .collect();
    assert!((5..=15).contains(&points.len()), "points: {points:?}");
    assert!(
        points.windows(2).all(|w| w[0] < w[1]),
        "increasing: {points:?}"
    );
    assert!(points[0] > 0 && *points.last().unwrap() < 50);
    let total: i64 = response.locations.iter().map(|l| l.repeat).sum();
    assert_eq!(total, points.len() as i64 + 1);

    let mut limited = request("t");
    limited.split_point_limit = Some(3);
    let response: proto::ComputeSplitPointsBySizeResponse = client
        .call("ComputeSplitPointsBySize", &limited)
        .await
        .unwrap();
    assert_eq!(response.split_points.len(), 3);

    let mut huge_unit = request("t");
    huge_unit.split_size_unit_in_byte = Some(1 << 30);
    let response: proto::ComputeSplitPointsBySizeResponse = client
        .call("ComputeSplitPointsBySize", &huge_unit)
        .await
        .unwrap();
    assert!(response.split_points.is_empty());
    assert_eq!(response.locations.iter().map(|l| l.repeat).sum::<i64>(), 1);

    let response: proto::ComputeSplitPointsBySizeResponse = client
        .call("ComputeSplitPointsBySize", &request("empty"))
        .await
        .unwrap();
    assert!(response.split_points.is_empty());
    let error = client
        .call::<proto::ComputeSplitPointsBySizeResponse>(
            "ComputeSplitPointsBySize",
            &request("missing"),
        )
        .await
        .unwrap_err();
    assert_eq!(error.status, 404);
}
