//! The generated protobuf messages encode exactly the bytes the hand-written ones they replaced
//! did: every expected hex string in these tests was produced by the hand-written types and
//! compared with the generated ones before those were deleted. A change to the vendored
//! `.proto` files that moves, retypes or renumbers a field the client or the emulator sends
//! fails here, before it reaches the SDK suites.

use prost::Message;

use crate::tablestore::proto;

mod row_messages;
mod stream_messages;
mod table_messages;

#[track_caller]
fn assert_encodes(name: &str, expected_hex: &str, message: &impl Message) {
    assert_eq!(hex::encode(message.encode_to_vec()), expected_hex, "{name}");
}

/// The enum numbers the call sites use by name, as the hand-written enums had them.
#[test]
fn enum_numbers_are_the_protocol_ones() {
    use proto::*;
    let numbers = [
        (PrimaryKeyType::Integer as i32, 1),
        (PrimaryKeyType::String as i32, 2),
        (PrimaryKeyType::Binary as i32, 3),
        (DefinedColumnType::DctInteger as i32, 1),
        (DefinedColumnType::DctDouble as i32, 2),
        (DefinedColumnType::DctBoolean as i32, 3),
        (DefinedColumnType::DctString as i32, 4),
        (DefinedColumnType::DctBlob as i32, 7),
        (PrimaryKeyOption::AutoIncrement as i32, 1),
        (IndexUpdateMode::IumAsyncIndex as i32, 0),
        (IndexUpdateMode::IumSyncIndex as i32, 1),
        (IndexType::ItGlobalIndex as i32, 0),
        (IndexType::ItLocalIndex as i32, 1),
        (RowExistenceExpectation::Ignore as i32, 0),
        (RowExistenceExpectation::ExpectExist as i32, 1),
        (RowExistenceExpectation::ExpectNotExist as i32, 2),
        (TableStatus::Active as i32, 1),
        (TableStatus::Updating as i32, 5),
        (ReturnType::RtNone as i32, 0),
        (ReturnType::RtPk as i32, 1),
        (ReturnType::RtAfterModify as i32, 2),
        (OperationType::Put as i32, 1),
        (OperationType::Update as i32, 2),
        (OperationType::Delete as i32, 3),
        (Direction::Forward as i32, 0),
        (Direction::Backward as i32, 1),
    ];
    for (i, (generated, protocol)) in numbers.into_iter().enumerate() {
        assert_eq!(generated, protocol, "enum value #{i}");
    }
}
