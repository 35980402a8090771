//! The generated messages encode exactly the bytes the hand-written ones did (temporary check
//! while both exist).

#![allow(clippy::needless_update)] // the hand-written expansion has every field

use prost::Message;

/// Builds the message once with the hand-written types and once with the generated ones (the
/// same tokens under both paths), asserts equal encodings and returns them.
macro_rules! same_encoding {
    ($name:literal, $($build:tt)*) => {{
        let old = {
            #[allow(unused_imports)]
            use crate::tablestore::proto::handwritten as p;
            let message = { $($build)* };
            message.encode_to_vec()
        };
        let new = {
            #[allow(unused_imports)]
            use crate::tablestore::proto as p;
            let message = { $($build)* };
            message.encode_to_vec()
        };
        assert_eq!(old, new, "{}", $name);
        println!("KNOWN {} {}", $name, hex::encode(&new));
        new
    }};
}

#[test]
fn generated_messages_encode_like_the_hand_written_ones() {
    same_encoding!(
        "CreateTableRequest",
        p::CreateTableRequest {
            table_meta: p::TableMeta {
                table_name: "orders".into(),
                primary_key: vec![
                    p::PrimaryKeySchema {
                        name: "p".into(),
                        r#type: 2,
                        option: None
                    },
                    p::PrimaryKeySchema {
                        name: "id".into(),
                        r#type: 1,
                        option: Some(1)
                    },
                    p::PrimaryKeySchema {
                        name: "b".into(),
                        r#type: 3,
                        option: None
                    },
                ],
                defined_column: vec![
                    p::DefinedColumnSchema {
                        name: "d".into(),
                        r#type: 2
                    },
                    p::DefinedColumnSchema {
                        name: "blob".into(),
                        r#type: 7
                    },
                ],
            },
            reserved_throughput: p::ReservedThroughput {
                capacity_unit: p::CapacityUnit {
                    read: Some(0),
                    write: Some(0)
                },
            },
            table_options: Some(p::TableOptions {
                time_to_live: Some(-1),
                max_versions: Some(3),
                deviation_cell_version_in_sec: Some(86_400),
                allow_update: Some(false),
            }),
            partitions: vec![p::PartitionRange {
                begin: vec![1, 2],
                end: vec![3]
            }],
            stream_spec: Some(p::StreamSpecification {
                enable_stream: true,
                expiration_time: Some(24)
            }),
            index_metas: vec![p::IndexMeta {
                name: "by_d".into(),
                primary_key: vec!["d".into(), "p".into()],
                defined_column: vec!["blob".into()],
                index_update_mode: 1,
                index_type: 1,
            }],
            ..Default::default()
        }
    );
    same_encoding!(
        "UpdateTableRequest",
        p::UpdateTableRequest {
            table_name: "orders".into(),
            reserved_throughput: Some(p::ReservedThroughput {
                capacity_unit: p::CapacityUnit {
                    read: Some(5),
                    write: None
                },
            }),
            table_options: Some(p::TableOptions {
                max_versions: Some(1),
                ..Default::default()
            }),
            stream_spec: Some(p::StreamSpecification {
                enable_stream: false,
                expiration_time: None
            }),
        }
    );
    same_encoding!(
        "DescribeTableResponse",
        p::DescribeTableResponse {
            table_meta: p::TableMeta {
                table_name: "orders".into(),
                primary_key: vec![p::PrimaryKeySchema {
                    name: "p".into(),
                    r#type: 2,
                    option: None
                }],
                defined_column: vec![],
            },
            reserved_throughput_details: p::ReservedThroughputDetails {
                capacity_unit: p::CapacityUnit {
                    read: Some(0),
                    write: Some(0)
                },
                last_increase_time: 1_700_000_000,
                last_decrease_time: None,
            },
            table_options: p::TableOptions {
                time_to_live: Some(-1),
                max_versions: Some(1),
                deviation_cell_version_in_sec: Some(86_400),
                allow_update: None,
            },
            table_status: Some(1),
            stream_details: Some(p::StreamDetails {
                enable_stream: true,
                stream_id: Some("stream-1".into()),
                expiration_time: Some(24),
                last_enable_time: Some(1_700_000_000_000),
            }),
            shard_splits: vec![vec![], vec![9, 8]],
            index_metas: vec![p::IndexMeta {
                name: "i".into(),
                primary_key: vec!["p".into()],
                defined_column: vec![],
                index_update_mode: 0,
                index_type: 0,
            }],
            ..Default::default()
        }
    );
    same_encoding!(
        "DescribeTableResponse default",
        p::DescribeTableResponse::default()
    );
    same_encoding!(
        "UpdateTableResponse",
        p::UpdateTableResponse {
            reserved_throughput_details: p::ReservedThroughputDetails {
                capacity_unit: p::CapacityUnit {
                    read: Some(1),
                    write: Some(2)
                },
                last_increase_time: 5,
                last_decrease_time: Some(6),
            },
            table_options: p::TableOptions::default(),
            stream_details: Some(p::StreamDetails {
                enable_stream: false,
                ..Default::default()
            }),
        }
    );
    same_encoding!("ListTableRequest", p::ListTableRequest {});
    same_encoding!(
        "ListTableResponse",
        p::ListTableResponse {
            table_names: vec!["a".into(), "ü".into()],
        }
    );
    same_encoding!(
        "DescribeTableRequest",
        p::DescribeTableRequest {
            table_name: "t".into()
        }
    );
    same_encoding!(
        "DeleteTableRequest",
        p::DeleteTableRequest {
            table_name: "t".into()
        }
    );
    same_encoding!("CreateTableResponse", p::CreateTableResponse {});
    same_encoding!("DeleteTableResponse", p::DeleteTableResponse {});
    same_encoding!(
        "Error",
        p::Error {
            code: "OTSObjectNotExist".into(),
            message: Some("Requested table does not exist.".into()),
            ..Default::default()
        }
    );
    same_encoding!(
        "GetRowRequest",
        p::GetRowRequest {
            table_name: "t".into(),
            primary_key: vec![0x75, 0, 0, 0],
            columns_to_get: vec!["a".into(), "b".into()],
            time_range: Some(p::TimeRange {
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
    same_encoding!(
        "GetRowResponse",
        p::GetRowResponse {
            consumed: p::ConsumedCapacity {
                capacity_unit: p::CapacityUnit {
                    read: Some(1),
                    write: Some(0)
                }
            },
            row: vec![0x75, 0, 0, 0, 1],
            next_token: Some(vec![2]),
        }
    );
    same_encoding!("GetRowResponse default", p::GetRowResponse::default());
    same_encoding!(
        "BatchWriteRowRequest",
        p::BatchWriteRowRequest {
            tables: vec![p::TableInBatchWriteRowRequest {
                table_name: "t".into(),
                rows: [1, 2, 3]
                    .into_iter()
                    .map(|op| p::RowInBatchWriteRowRequest {
                        r#type: op,
                        row_change: vec![op as u8; 3],
                        condition: p::Condition {
                            row_existence: op - 1,
                            column_condition: None
                        },
                        return_content: (op == 1).then(|| p::ReturnContent {
                            return_type: Some(1),
                            return_column_names: vec!["c".into()],
                        }),
                    })
                    .collect(),
            }],
            transaction_id: None,
            ..Default::default()
        }
    );
    same_encoding!(
        "BatchWriteRowResponse",
        p::BatchWriteRowResponse {
            tables: vec![p::TableInBatchWriteRowResponse {
                table_name: "t".into(),
                rows: vec![
                    p::RowInBatchWriteRowResponse {
                        is_ok: true,
                        error: None,
                        consumed: Some(p::ConsumedCapacity {
                            capacity_unit: p::CapacityUnit {
                                read: Some(0),
                                write: Some(1)
                            },
                        }),
                        row: Some(vec![1]),
                    },
                    p::RowInBatchWriteRowResponse {
                        is_ok: false,
                        error: Some(p::Error {
                            code: "OTSConditionCheckFail".into(),
                            message: None,
                            ..Default::default()
                        }),
                        consumed: None,
                        row: None,
                    },
                ],
            }],
        }
    );
    same_encoding!(
        "GetRangeRequest",
        p::GetRangeRequest {
            table_name: "t".into(),
            direction: 1,
            columns_to_get: vec!["c".into()],
            time_range: Some(p::TimeRange {
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
        }
    );
    same_encoding!("GetRangeRequest default", p::GetRangeRequest::default());
    same_encoding!(
        "GetRangeResponse",
        p::GetRangeResponse {
            consumed: p::ConsumedCapacity {
                capacity_unit: p::CapacityUnit {
                    read: Some(3),
                    write: Some(0)
                }
            },
            rows: vec![0x75, 0, 0, 0],
            next_start_primary_key: Some(vec![1]),
            next_token: None,
        }
    );
    same_encoding!(
        "ComputeSplitPointsBySizeRequest",
        p::ComputeSplitPointsBySizeRequest {
            table_name: "t".into(),
            split_size: 1,
            split_size_unit_in_byte: Some(1 << 20),
            split_point_limit: Some(3),
        }
    );
}

#[test]
fn row_writes_and_split_locations_encode_like_the_hand_written_ones() {
    use crate::tablestore::proto as new;
    use crate::tablestore::proto::handwritten as old;
    let condition = old::Condition {
        row_existence: 2,
        column_condition: Some(vec![1]),
    };
    let new_condition = new::Condition {
        row_existence: 2,
        column_condition: Some(vec![1]),
    };
    let old_request = old::WriteRowRequest {
        table_name: "t".into(),
        row: vec![0x75, 0, 0, 0, 9],
        condition,
        return_content: Some(old::ReturnContent {
            return_type: Some(1),
            return_column_names: vec![],
        }),
        transaction_id: Some("tx".into()),
    };
    let return_content = Some(new::ReturnContent {
        return_type: Some(1),
        return_column_names: vec![],
    });
    let put = new::PutRowRequest {
        table_name: "t".into(),
        row: vec![0x75, 0, 0, 0, 9],
        condition: new_condition.clone(),
        return_content: return_content.clone(),
        transaction_id: Some("tx".into()),
    };
    let update = new::UpdateRowRequest {
        table_name: "t".into(),
        row_change: vec![0x75, 0, 0, 0, 9],
        condition: new_condition.clone(),
        return_content: return_content.clone(),
        transaction_id: Some("tx".into()),
    };
    let delete = new::DeleteRowRequest {
        table_name: "t".into(),
        primary_key: vec![0x75, 0, 0, 0, 9],
        condition: new_condition,
        return_content,
        transaction_id: Some("tx".into()),
    };
    let old_bytes = old_request.encode_to_vec();
    assert_eq!(put.encode_to_vec(), old_bytes);
    assert_eq!(update.encode_to_vec(), old_bytes);
    assert_eq!(delete.encode_to_vec(), old_bytes);
    println!("KNOWN RowWriteRequest {}", hex::encode(&old_bytes));

    let consumed = |w| old::ConsumedCapacity {
        capacity_unit: old::CapacityUnit {
            read: Some(0),
            write: Some(w),
        },
    };
    let new_consumed = |w| new::ConsumedCapacity {
        capacity_unit: new::CapacityUnit {
            read: Some(0),
            write: Some(w),
        },
    };
    let old_response = old::WriteRowResponse {
        consumed: consumed(1),
        row: Some(vec![1, 2]),
    }
    .encode_to_vec();
    assert_eq!(
        new::PutRowResponse {
            consumed: new_consumed(1),
            row: Some(vec![1, 2])
        }
        .encode_to_vec(),
        old_response
    );
    assert_eq!(
        new::UpdateRowResponse {
            consumed: new_consumed(1),
            row: Some(vec![1, 2])
        }
        .encode_to_vec(),
        old_response
    );
    assert_eq!(
        new::DeleteRowResponse {
            consumed: new_consumed(1),
            row: Some(vec![1, 2])
        }
        .encode_to_vec(),
        old_response
    );
    println!("KNOWN RowWriteResponse {}", hex::encode(&old_response));

    let old_split = old::ComputeSplitPointsBySizeResponse {
        consumed: consumed(0),
        schema: vec![old::PrimaryKeySchema {
            name: "p".into(),
            r#type: 2,
            option: None,
        }],
        split_points: vec![vec![0x75, 1], vec![]],
        locations: vec![
            old::SplitLocation {
                location: "host-a".into(),
                repeat: 2,
            },
            old::SplitLocation {
                location: String::new(),
                repeat: -3,
            },
        ],
    }
    .encode_to_vec();
    let new_split = new::ComputeSplitPointsBySizeResponse {
        consumed: new_consumed(0),
        schema: vec![new::PrimaryKeySchema {
            name: "p".into(),
            r#type: 2,
            option: None,
        }],
        split_points: vec![vec![0x75, 1], vec![]],
        locations: vec![
            new::compute_split_points_by_size_response::SplitLocation {
                location: "host-a".into(),
                repeat: 2,
            },
            new::compute_split_points_by_size_response::SplitLocation {
                location: String::new(),
                repeat: -3,
            },
        ],
    }
    .encode_to_vec();
    assert_eq!(new_split, old_split);
    println!(
        "KNOWN ComputeSplitPointsBySizeResponse {}",
        hex::encode(&new_split)
    );
}

/// Enum numbers the call sites used by name: the generated enums must agree.
#[test]
fn enum_numbers_agree() {
    use crate::tablestore::proto as new;
    use crate::tablestore::proto::handwritten as old;
    assert_eq!(
        new::PrimaryKeyType::Integer as i32,
        old::PrimaryKeyType::Integer as i32
    );
    assert_eq!(
        new::PrimaryKeyType::String as i32,
        old::PrimaryKeyType::String as i32
    );
    assert_eq!(
        new::PrimaryKeyType::Binary as i32,
        old::PrimaryKeyType::Binary as i32
    );
    assert_eq!(
        new::DefinedColumnType::DctInteger as i32,
        old::DefinedColumnType::Integer as i32
    );
    assert_eq!(
        new::DefinedColumnType::DctDouble as i32,
        old::DefinedColumnType::Double as i32
    );
    assert_eq!(
        new::DefinedColumnType::DctBoolean as i32,
        old::DefinedColumnType::Boolean as i32
    );
    assert_eq!(
        new::DefinedColumnType::DctString as i32,
        old::DefinedColumnType::String as i32
    );
    assert_eq!(
        new::DefinedColumnType::DctBlob as i32,
        old::DefinedColumnType::Blob as i32
    );
    assert_eq!(
        new::PrimaryKeyOption::AutoIncrement as i32,
        old::PrimaryKeyOption::AutoIncrement as i32
    );
    assert_eq!(
        new::IndexUpdateMode::IumAsyncIndex as i32,
        old::IndexUpdateMode::AsyncIndex as i32
    );
    assert_eq!(
        new::IndexUpdateMode::IumSyncIndex as i32,
        old::IndexUpdateMode::SyncIndex as i32
    );
    assert_eq!(
        new::IndexType::ItGlobalIndex as i32,
        old::IndexType::GlobalIndex as i32
    );
    assert_eq!(
        new::IndexType::ItLocalIndex as i32,
        old::IndexType::LocalIndex as i32
    );
    assert_eq!(
        new::RowExistenceExpectation::Ignore as i32,
        old::RowExistenceExpectation::Ignore as i32
    );
    assert_eq!(
        new::RowExistenceExpectation::ExpectExist as i32,
        old::RowExistenceExpectation::ExpectExist as i32
    );
    assert_eq!(
        new::RowExistenceExpectation::ExpectNotExist as i32,
        old::RowExistenceExpectation::ExpectNotExist as i32
    );
    assert_eq!(
        new::TableStatus::Active as i32,
        old::TableStatus::Active as i32
    );
    assert_eq!(
        new::TableStatus::Updating as i32,
        old::TableStatus::Updating as i32
    );
    assert_eq!(new::ReturnType::RtNone as i32, old::ReturnType::None as i32);
    assert_eq!(new::ReturnType::RtPk as i32, old::ReturnType::Pk as i32);
    assert_eq!(
        new::ReturnType::RtAfterModify as i32,
        old::ReturnType::AfterModify as i32
    );
    assert_eq!(
        new::OperationType::Put as i32,
        old::OperationType::Put as i32
    );
    assert_eq!(
        new::OperationType::Update as i32,
        old::OperationType::Update as i32
    );
    assert_eq!(
        new::OperationType::Delete as i32,
        old::OperationType::Delete as i32
    );
    assert_eq!(
        new::Direction::Forward as i32,
        old::Direction::Forward as i32
    );
    assert_eq!(
        new::Direction::Backward as i32,
        old::Direction::Backward as i32
    );
}
