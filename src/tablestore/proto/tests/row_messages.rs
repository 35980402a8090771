//! Row operations: GetRow, PutRow/UpdateRow/DeleteRow, BatchWriteRow, GetRange and
//! ComputeSplitPointsBySize.

use super::assert_encodes;
use crate::tablestore::proto;

#[test]
fn read_and_batch_messages_keep_their_encoding() {
    assert_encodes(
        "GetRowRequest",
        "0a01741204750000001a01611a0162220c080010ffffffffffffffff7f28013a01074201614a017a5201015a027478",
        &proto::GetRowRequest {
            table_name: "t".into(),
            primary_key: vec![0x75, 0, 0, 0],
            columns_to_get: vec!["a".into(), "b".into()],
            time_range: Some(proto::TimeRange {
                start_time: Some(0),
                end_time: Some(i64::MAX),
                specific_time: None
            }),
            max_versions: Some(1),
            filter: Some(vec![7]),
            start_column: Some("a".into()),
            end_column: Some("z".into()),
            token: Some(vec![1]),
            transaction_id: Some("tx".into()),
        }
    );
    assert_encodes(
        "GetRowResponse",
        "0a060a0408011000120575000000011a0102",
        &proto::GetRowResponse {
            consumed: proto::ConsumedCapacity {
                capacity_unit: proto::CapacityUnit {
                    read: Some(1),
                    write: Some(0),
                },
            },
            row: vec![0x75, 0, 0, 0, 1],
            next_token: Some(vec![2]),
        },
    );
    assert_encodes(
        "GetRowResponse default",
        "0a020a001200",
        &proto::GetRowResponse::default(),
    );
    assert_encodes(
        "BatchWriteRowRequest",
        "0a310a01741212080112030101011a02080022050801120163120b080212030202021a020801120b080312030303031a020802",
        &proto::BatchWriteRowRequest {
            tables: vec![proto::TableInBatchWriteRowRequest {
                table_name: "t".into(),
                rows: [1, 2, 3]
                    .into_iter()
                    .map(|op| proto::RowInBatchWriteRowRequest {
                        r#type: op,
                        row_change: vec![op as u8; 3],
                        condition: proto::Condition {
                            row_existence: op - 1,
                            column_condition: None
                        },
                        return_content: (op == 1).then(|| proto::ReturnContent {
                            return_type: Some(1),
                            return_column_names: vec!["c".into()],
                        }),
                    })
                    .collect(),
            }],
            transaction_id: None,
        }
    );
    assert_encodes(
        "BatchWriteRowResponse",
        "0a2f0a0174120d08011a060a0408001001220101121b080012170a154f5453436f6e646974696f6e436865636b4661696c",
        &proto::BatchWriteRowResponse {
            tables: vec![proto::TableInBatchWriteRowResponse {
                table_name: "t".into(),
                rows: vec![
                    proto::RowInBatchWriteRowResponse {
                        is_ok: true,
                        error: None,
                        consumed: Some(proto::ConsumedCapacity {
                            capacity_unit: proto::CapacityUnit {
                                read: Some(0),
                                write: Some(1)
                            },
                        }),
                        row: Some(vec![1]),
                    },
                    proto::RowInBatchWriteRowResponse {
                        is_ok: false,
                        error: Some(proto::Error {
                            code: "OTSConditionCheckFail".into(),
                            message: None,
                        }),
                        consumed: None,
                        row: None,
                    },
                ],
            }],
        }
    );
    assert_encodes(
        "GetRangeRequest",
        "0a017410011a01632202182a28023088273a0301020342030405065201095a01616201626a010772027478",
        &proto::GetRangeRequest {
            table_name: "t".into(),
            direction: 1,
            columns_to_get: vec!["c".into()],
            time_range: Some(proto::TimeRange {
                specific_time: Some(42),
                ..Default::default()
            }),
            max_versions: Some(2),
            limit: Some(5000),
            inclusive_start_primary_key: vec![1, 2, 3],
            exclusive_end_primary_key: vec![4, 5, 6],
            filter: Some(vec![9]),
            start_column: Some("a".into()),
            end_column: Some("b".into()),
            token: Some(vec![7]),
            transaction_id: Some("tx".into()),
        },
    );
    assert_encodes(
        "GetRangeRequest default",
        "0a0010003a004200",
        &proto::GetRangeRequest::default(),
    );
    assert_encodes(
        "GetRangeResponse",
        "0a060a04080310001204750000001a0101",
        &proto::GetRangeResponse {
            consumed: proto::ConsumedCapacity {
                capacity_unit: proto::CapacityUnit {
                    read: Some(3),
                    write: Some(0),
                },
            },
            rows: vec![0x75, 0, 0, 0],
            next_start_primary_key: Some(vec![1]),
            next_token: None,
        },
    );
    assert_encodes(
        "ComputeSplitPointsBySizeRequest",
        "0a01741001188080402003",
        &proto::ComputeSplitPointsBySizeRequest {
            table_name: "t".into(),
            split_size: 1,
            split_size_unit_in_byte: Some(1 << 20),
            split_point_limit: Some(3),
        },
    );
}

#[test]
fn row_writes_share_one_encoding() {
    let condition = proto::Condition {
        row_existence: proto::RowExistenceExpectation::ExpectNotExist as i32,
        column_condition: Some(vec![1]),
    };
    let return_content = Some(proto::ReturnContent {
        return_type: Some(proto::ReturnType::RtPk as i32),
        return_column_names: vec![],
    });
    let row = vec![0x75, 0, 0, 0, 9];
    let expected = "0a0174120575000000091a050802120101220208012a027478";
    let put = proto::PutRowRequest {
        table_name: "t".into(),
        row: row.clone(),
        condition: condition.clone(),
        return_content: return_content.clone(),
        transaction_id: Some("tx".into()),
    };
    let update = proto::UpdateRowRequest {
        table_name: "t".into(),
        row_change: row.clone(),
        condition: condition.clone(),
        return_content: return_content.clone(),
        transaction_id: Some("tx".into()),
    };
    let delete = proto::DeleteRowRequest {
        table_name: "t".into(),
        primary_key: row,
        condition,
        return_content,
        transaction_id: Some("tx".into()),
    };
    assert_encodes("PutRowRequest", expected, &put);
    assert_encodes("UpdateRowRequest", expected, &update);
    assert_encodes("DeleteRowRequest", expected, &delete);

    let consumed = proto::ConsumedCapacity {
        capacity_unit: proto::CapacityUnit {
            read: Some(0),
            write: Some(1),
        },
    };
    let row = Some(vec![1, 2]);
    let expected = "0a060a040800100112020102";
    let put = proto::PutRowResponse {
        consumed,
        row: row.clone(),
    };
    let update = proto::UpdateRowResponse {
        consumed,
        row: row.clone(),
    };
    let delete = proto::DeleteRowResponse { consumed, row };
    assert_encodes("PutRowResponse", expected, &put);
    assert_encodes("UpdateRowResponse", expected, &update);
    assert_encodes("DeleteRowResponse", expected, &delete);
}

/// `repeat` is `sint64` (zigzag): -3 must encode as 5.
#[test]
fn split_points_response_keeps_its_encoding() {
    use proto::compute_split_points_by_size_response::SplitLocation;
    let response = proto::ComputeSplitPointsBySizeResponse {
        consumed: proto::ConsumedCapacity {
            capacity_unit: proto::CapacityUnit {
                read: Some(0),
                write: Some(0),
            },
        },
        schema: vec![proto::PrimaryKeySchema {
            name: "p".into(),
            r#type: proto::PrimaryKeyType::String as i32,
            option: None,
        }],
        split_points: vec![vec![0x75, 1], vec![]],
        locations: vec![
            SplitLocation {
                location: "host-a".into(),
                repeat: 2,
            },
            SplitLocation {
                location: String::new(),
                repeat: -3,
            },
        ],
    };
    assert_encodes(
        "ComputeSplitPointsBySizeResponse",
        "0a060a040800100012050a017010021a0275011a00220a0a06686f73742d61100422040a001005",
        &response,
    );
}
