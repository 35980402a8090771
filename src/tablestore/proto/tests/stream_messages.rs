//! Stream API messages, field by field against the Stream API reference (field numbers and
//! types of `table_store.proto` as the Python SDK 6.4.8 ships it; the reference's P1–P4 bytes
//! were serialized with that SDK's generated classes).

use prost::Message;

use super::assert_encodes;
use crate::tablestore::proto;
use crate::tablestore::proto::get_stream_record_response::StreamRecord;

const V1: &str = "7500000001030403000000706b31050b0000000306000000726f776b65790a8a02030408000000636f6c546f44656c05080000000303000000616263070068e5cf8b0100000ae103040b000000636f6c546f44656c416c6c05020000000201070068e5cf8b0100000a1803040b000000636f6c546f5570646174650509000000007b00000000000000070068e5cf8b0100000a5e0b180000000c130000000d000000000e7b401e18240a06000f000000000911";
const V2: &str = "7500000001030403000000706b31050b0000000306000000726f776b65790a8a02030408000000636f6c546f44656c0603070068e5cf8b0100000aaf03040b000000636f6c546f44656c416c6c06010a1803040b000000636f6c546f5570646174650509000000011f85eb51b81e094007e86be5cf8b0100000a420b180000000c130000000d000000000e08842d18240a06000f0000000009e5";
const V3: &str = "7500000001030403000000706b31050b0000000306000000726f776b65790a8a080b180000000c130000000d000000000e95c73c18240a06000f000000000933";

#[test]
fn requests_carry_the_protocol_field_numbers() {
    // ListStreamRequest.table_name = 1
    assert_encodes(
        "ListStreamRequest",
        "0a027431",
        &proto::ListStreamRequest {
            table_name: Some("t1".into()),
        },
    );
    // DescribeStreamRequest: stream_id = 1, inclusive_start_shard_id = 2, shard_limit = 3
    assert_encodes(
        "DescribeStreamRequest",
        "0a01731201611805",
        &proto::DescribeStreamRequest {
            stream_id: "s".into(),
            inclusive_start_shard_id: Some("a".into()),
            shard_limit: Some(5),
        },
    );
    // GetShardIteratorRequest: stream_id = 1, shard_id = 2
    assert_encodes(
        "GetShardIteratorRequest",
        "0a017312027368",
        &proto::GetShardIteratorRequest {
            stream_id: "s".into(),
            shard_id: "sh".into(),
        },
    );
    // GetStreamRecordRequest: shard_iterator = 1, limit = 2
    assert_encodes(
        "GetStreamRecordRequest",
        "0a01691064",
        &proto::GetStreamRecordRequest {
            shard_iterator: "i".into(),
            limit: Some(100),
        },
    );
}

#[test]
fn p1_get_stream_record_response_has_the_reference_layout() {
    let record = |action: proto::ActionType, hex: &str| StreamRecord {
        action_type: action as i32,
        record: hex::decode(hex).unwrap(),
    };
    let response = proto::GetStreamRecordResponse {
        stream_records: vec![
            record(proto::ActionType::PutRow, V1),
            record(proto::ActionType::UpdateRow, V2),
            record(proto::ActionType::DeleteRow, V3),
        ],
        next_shard_iterator: Some("iter-3".into()),
    };
    // `0a b801 { 08 01 12 b301 <V1> }` `0a 9f01 { 08 02 12 9a01 <V2> }`
    // `0a 44 { 08 03 12 40 <V3> }` `12 06 "iter-3"`
    let expected =
        format!("0ab801080112b301{V1}0a9f010802129a01{V2}0a4408031240{V3}1206697465722d33");
    assert_encodes("P1", &expected, &response);
    assert_eq!(response.encoded_len(), 427);
    assert_eq!(
        proto::GetStreamRecordResponse::decode(&hex::decode(&expected).unwrap()[..]).unwrap(),
        response
    );
}

#[test]
fn p2_p3_empty_pages_at_the_tip_and_at_the_end() {
    let tip = proto::GetStreamRecordResponse {
        stream_records: vec![],
        next_shard_iterator: Some("iter-3".into()),
    };
    assert_encodes("P2", "1206697465722d33", &tip);
    let ended = proto::GetStreamRecordResponse {
        stream_records: vec![],
        next_shard_iterator: None,
    };
    assert_encodes("P3", "", &ended);
}

#[test]
fn p4_describe_stream_response_after_a_split() {
    let hex = "0a1374315f3137303030303030303030303030303010181a027431208080f9c0c1c48203280232040a02533032080a0253311202533032080a02533212025330";
    let shard = |id: &str, parent: Option<&str>| proto::StreamShard {
        shard_id: id.into(),
        parent_id: parent.map(Into::into),
        parent_sibling_id: None,
    };
    let expected = proto::DescribeStreamResponse {
        stream_id: "t1_1700000000000000".into(),
        expiration_time: 24,
        table_name: "t1".into(),
        creation_time: 1_700_000_000_000_000,
        stream_status: proto::StreamStatus::StreamActive as i32,
        shards: vec![
            shard("S0", None),
            shard("S1", Some("S0")),
            shard("S2", Some("S0")),
        ],
        next_shard_id: None,
    };
    assert_eq!(
        proto::DescribeStreamResponse::decode(&hex::decode(hex).unwrap()[..]).unwrap(),
        expected
    );
    assert_encodes("P4", hex, &expected);
}
