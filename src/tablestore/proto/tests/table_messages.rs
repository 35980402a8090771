//! Table operations: CreateTable, DescribeTable, UpdateTable, ListTable, DeleteTable, errors.

use super::assert_encodes;
use crate::tablestore::proto;

#[test]
fn table_messages_keep_their_encoding() {
    assert_encodes(
        "CreateTableRequest",
        "0a310a066f726465727312050a0170100212080a0269641001180112050a016210031a050a016410021a080a04626c6f62100712060a04080010001a1308ffffffffffffffffff0110032880a305300022070a0201021201032a04080110183a160a0462795f641201641201701a04626c6f6220012801",
        &proto::CreateTableRequest {
            table_meta: proto::TableMeta {
                table_name: "orders".into(),
                primary_key: vec![
                    proto::PrimaryKeySchema {
                        name: "p".into(),
                        r#type: 2,
                        option: None
                    },
                    proto::PrimaryKeySchema {
                        name: "id".into(),
                        r#type: 1,
                        option: Some(1)
                    },
                    proto::PrimaryKeySchema {
                        name: "b".into(),
                        r#type: 3,
                        option: None
                    },
                ],
                defined_column: vec![
                    proto::DefinedColumnSchema {
                        name: "d".into(),
                        r#type: 2
                    },
                    proto::DefinedColumnSchema {
                        name: "blob".into(),
                        r#type: 7
                    },
                ],
            },
            reserved_throughput: proto::ReservedThroughput {
                capacity_unit: proto::CapacityUnit {
                    read: Some(0),
                    write: Some(0)
                },
            },
            table_options: Some(proto::TableOptions {
                time_to_live: Some(-1),
                max_versions: Some(3),
                deviation_cell_version_in_sec: Some(86_400),
                allow_update: Some(false),
                update_full_row: None,
            }),
            partitions: vec![proto::PartitionRange {
                begin: vec![1, 2],
                end: vec![3]
            }],
            stream_spec: Some(proto::StreamSpecification {
                enable_stream: true,
                expiration_time: Some(24)
            }),
            index_metas: vec![proto::IndexMeta {
                name: "by_d".into(),
                primary_key: vec!["d".into(), "p".into()],
                defined_column: vec!["blob".into()],
                index_update_mode: 1,
                index_type: 1,
            }],
            ..Default::default()
        }
    );
    assert_encodes(
        "UpdateTableRequest",
        "0a066f726465727312040a0208051a02100122020800",
        &proto::UpdateTableRequest {
            table_name: "orders".into(),
            reserved_throughput: Some(proto::ReservedThroughput {
                capacity_unit: proto::CapacityUnit {
                    read: Some(5),
                    write: None,
                },
            }),
            table_options: Some(proto::TableOptions {
                max_versions: Some(1),
                ..Default::default()
            }),
            stream_spec: Some(proto::StreamSpecification {
                enable_stream: false,
                expiration_time: None,
            }),
        },
    );
    assert_encodes(
        "DescribeTableResponse",
        "0a0f0a066f726465727312050a01701002120c0a04080010001080e2cfaa061a1108ffffffffffffffffff0110012880a30520012a150801120873747265616d2d3118182080d095ffbc31320032020908420a0a016912017020002800",
        &proto::DescribeTableResponse {
            table_meta: proto::TableMeta {
                table_name: "orders".into(),
                primary_key: vec![proto::PrimaryKeySchema {
                    name: "p".into(),
                    r#type: 2,
                    option: None
                }],
                defined_column: vec![],
            },
            reserved_throughput_details: proto::ReservedThroughputDetails {
                capacity_unit: proto::CapacityUnit {
                    read: Some(0),
                    write: Some(0)
                },
                last_increase_time: 1_700_000_000,
                last_decrease_time: None,
            },
            table_options: proto::TableOptions {
                time_to_live: Some(-1),
                max_versions: Some(1),
                deviation_cell_version_in_sec: Some(86_400),
                allow_update: None,
                update_full_row: None,
            },
            table_status: Some(1),
            stream_details: Some(proto::StreamDetails {
                enable_stream: true,
                stream_id: Some("stream-1".into()),
                expiration_time: Some(24),
                last_enable_time: Some(1_700_000_000_000),
            }),
            shard_splits: vec![vec![], vec![9, 8]],
            index_metas: vec![proto::IndexMeta {
                name: "i".into(),
                primary_key: vec!["p".into()],
                defined_column: vec![],
                index_update_mode: 0,
                index_type: 0,
            }],
            ..Default::default()
        }
    );
    assert_encodes(
        "DescribeTableResponse default",
        "0a020a0012040a0010001a00",
        &proto::DescribeTableResponse::default(),
    );
    assert_encodes(
        "UpdateTableResponse",
        "0a0a0a04080110021005180612001a020800",
        &proto::UpdateTableResponse {
            reserved_throughput_details: proto::ReservedThroughputDetails {
                capacity_unit: proto::CapacityUnit {
                    read: Some(1),
                    write: Some(2),
                },
                last_increase_time: 5,
                last_decrease_time: Some(6),
            },
            table_options: proto::TableOptions::default(),
            stream_details: Some(proto::StreamDetails {
                enable_stream: false,
                ..Default::default()
            }),
        },
    );
    assert_encodes("ListTableRequest", "", &proto::ListTableRequest {});
    assert_encodes(
        "ListTableResponse",
        "0a01610a02c3bc",
        &proto::ListTableResponse {
            table_names: vec!["a".into(), "ü".into()],
        },
    );
    assert_encodes(
        "DescribeTableRequest",
        "0a0174",
        &proto::DescribeTableRequest {
            table_name: "t".into(),
        },
    );
    assert_encodes(
        "DeleteTableRequest",
        "0a0174",
        &proto::DeleteTableRequest {
            table_name: "t".into(),
        },
    );
    assert_encodes("CreateTableResponse", "", &proto::CreateTableResponse {});
    assert_encodes("DeleteTableResponse", "", &proto::DeleteTableResponse {});
    assert_encodes(
        "Error",
        "0a114f54534f626a6563744e6f744578697374121f526571756573746564207461626c6520646f6573206e6f742065786973742e",
        &proto::Error {
            code: "OTSObjectNotExist".into(),
            message: Some("Requested table does not exist.".into()),
        }
    );
}
