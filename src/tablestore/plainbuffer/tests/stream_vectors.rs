//! The stream-record vectors V1–V5 of the Stream API reference (§7): rows of the Go SDK's
//! `TestStream` with fixed times, byte-identical to the Java SDK writer's output. Encoding
//! must reproduce them exactly and decoding must give back the rows and sequence info.

use super::{pk, unhex};
use crate::tablestore::plainbuffer::{
    decode_stream_record, encode_stream_record, DecodeError, SequenceInfo,
};
use crate::tablestore::row::{Cell, PkValue, Row, Value};

const TS: i64 = 1_700_000_000_000;

const V1: &str = "7500000001030403000000706b31050b0000000306000000726f776b65790a8a02030408000000636f6c546f44656c05080000000303000000616263070068e5cf8b0100000ae103040b000000636f6c546f44656c416c6c05020000000201070068e5cf8b0100000a1803040b000000636f6c546f5570646174650509000000007b00000000000000070068e5cf8b0100000a5e0b180000000c130000000d000000000e7b401e18240a06000f000000000911";
const V2: &str = "7500000001030403000000706b31050b0000000306000000726f776b65790a8a02030408000000636f6c546f44656c0603070068e5cf8b0100000aaf03040b000000636f6c546f44656c416c6c06010a1803040b000000636f6c546f5570646174650509000000011f85eb51b81e094007e86be5cf8b0100000a420b180000000c130000000d000000000e08842d18240a06000f0000000009e5";
const V3: &str = "7500000001030403000000706b31050b0000000306000000726f776b65790a8a080b180000000c130000000d000000000e95c73c18240a06000f000000000933";
const V4: &str = "7500000001030403000000706b3105060000000301000000610a19030403000000706b320509000000002a000000000000000a2b030403000000706b330507000000070200000001020a9c020304010000006205070000000702000000ff0007d06fe5cf8b0100000afc0304010000006e050900000000ffffffffffffffff07d06fe5cf8b0100000ab10b180000000c130000000d010000000e95c73c18240a06000f010000000951";
const V5: &str = "7500000001030403000000706b31050b0000000306000000726f776b65790a8a0b180000000c130000000d000000000e95c73c18240a06000f000000000934";

fn rowkey() -> crate::tablestore::row::PrimaryKey {
    pk(vec![("pk1", PkValue::String("rowkey".into()))])
}

fn seq(epoch: u32, timestamp_us: i64, row_index: u32) -> SequenceInfo {
    SequenceInfo {
        epoch,
        timestamp_us,
        row_index,
    }
}

fn vectors() -> Vec<(&'static str, Row, SequenceInfo)> {
    let v1 = Row::new(
        rowkey(),
        vec![
            Cell::put_at("colToDel", Value::String("abc".into()), TS),
            Cell::put_at("colToDelAll", Value::Boolean(true), TS),
            Cell::put_at("colToUpdate", Value::Integer(123), TS),
        ],
    );
    let v2 = Row::new(
        rowkey(),
        vec![
            Cell::delete_one("colToDel", TS),
            Cell::delete_all("colToDelAll"),
            // 3.14 exactly as the Go test writes it (not π).
            #[allow(clippy::approx_constant)]
            Cell::put_at("colToUpdate", Value::Double(3.14), TS + 1000),
        ],
    );
    let mut v3 = Row::new(rowkey(), Vec::new());
    v3.delete_marker = true;
    let v4 = Row::new(
        pk(vec![
            ("pk1", PkValue::String("a".into())),
            ("pk2", PkValue::Integer(42)),
            ("pk3", PkValue::Binary(vec![1, 2])),
        ]),
        vec![
            Cell::put_at("b", Value::Binary(vec![0xff, 0]), TS + 2000),
            Cell::put_at("n", Value::Integer(-1), TS + 2000),
        ],
    );
    let v5 = Row::new(rowkey(), Vec::new());
    vec![
        (V1, v1, seq(0, 1_700_000_000_000_123, 0)),
        (V2, v2, seq(0, 1_700_000_001_000_456, 0)),
        (V3, v3, seq(0, 1_700_000_002_000_789, 0)),
        (V4, v4, seq(1, 1_700_000_002_000_789, 1)),
        (V5, v5, seq(0, 1_700_000_002_000_789, 0)),
    ]
}

#[test]
fn records_encode_to_the_reference_bytes() {
    for (hex, row, sequence) in vectors() {
        assert_eq!(hex::encode(encode_stream_record(&row, sequence)), hex);
    }
}

#[test]
fn reference_records_decode_with_their_sequence_info() {
    for (hex, row, sequence) in vectors() {
        assert_eq!(decode_stream_record(&unhex(hex)), Ok((row, sequence)));
    }
}

#[test]
fn a_record_without_sequence_info_or_with_two_rows_is_refused() {
    let plain = crate::tablestore::plainbuffer::encode_row(&Row::new(rowkey(), Vec::new()));
    assert!(matches!(
        decode_stream_record(&plain),
        Err(DecodeError::Malformed(_, _))
    ));
    let mut two = unhex(V5);
    two.extend_from_slice(&unhex(V5)[4..]);
    assert!(decode_stream_record(&two).is_err());
    // V5 with the epoch tag (0x0d) of its sequence info replaced: no usable sequence info.
    let bad_seq = V5.replace("130000000d", "130000000f");
    assert!(matches!(
        decode_stream_record(&unhex(&bad_seq)),
        Err(DecodeError::Malformed(
            _,
            "stream record without sequence info"
        ))
    ));
    let mut flipped = unhex(V1);
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert!(matches!(
        decode_stream_record(&flipped),
        Err(DecodeError::RowChecksum { .. })
    ));
}

#[test]
fn sequence_info_orders_epoch_then_time_then_index() {
    assert!(seq(1, 0, 0) > seq(0, i64::MAX, 9));
    assert!(seq(0, 2, 0) > seq(0, 1, 9));
    assert!(seq(0, 1, 1) > seq(0, 1, 0));
}
