//! The errors the emulator answers with: a Tablestore error code, its message, and (through
//! [`crate::tablestore::codes::http_status`]) the HTTP status the real service uses.

use crate::tablestore::codes;

/// A service error, sent as a protobuf `Error` body (or as a per-row error in BatchWriteRow).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ServiceError {
    pub code: String,
    pub message: String,
}

impl ServiceError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ServiceError {
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub fn status(&self) -> u16 {
        codes::http_status(&self.code)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(codes::PARAMETER_INVALID, message)
    }

    pub fn invalid_pk(message: impl Into<String>) -> Self {
        Self::new(codes::INVALID_PK, message)
    }

    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(codes::AUTH_FAILED, message)
    }

    /// The message the service uses for a missing table.
    pub fn table_not_exist() -> Self {
        Self::new(codes::OBJECT_NOT_EXIST, "Requested table does not exist.")
    }

    pub fn table_already_exist() -> Self {
        Self::new(
            codes::OBJECT_ALREADY_EXIST,
            "Requested table already exists.",
        )
    }

    pub fn condition_failed() -> Self {
        Self::new(codes::CONDITION_CHECK_FAIL, "Condition check failed.")
    }

    /// A request body that is not a valid protobuf message of the action's type.
    pub fn bad_protobuf(action: &str, err: prost::DecodeError) -> Self {
        Self::invalid(format!(
            "Failed to parse the ProtoBuf message of {action}: {err}."
        ))
    }

    /// A PlainBuffer field that cannot be decoded.
    pub fn bad_plainbuffer(field: &str, err: impl std::fmt::Display) -> Self {
        Self::invalid(format!("Invalid PlainBuffer in {field}: {err}."))
    }

    /// The message an injected fault carries, chosen to match what the service says.
    pub fn injected(code: &str) -> Self {
        let message = match code {
            codes::SERVER_BUSY => "Server is busy.",
            codes::STORAGE_SERVER_BUSY => "Storage server is busy.",
            codes::OPERATION_CONFLICT => "Data is being modified by the other request.",
            codes::NOT_ENOUGH_CAPACITY => "Remaining capacity unit is not enough.",
            codes::TIMEOUT => "Operation timeout.",
            codes::ROW_OPERATION_CONFLICT => "Data is being modified by the other request.",
            codes::PARTITION_UNAVAILABLE => "The partition is not available.",
            codes::SERVER_UNAVAILABLE => "Server is not available.",
            codes::INTERNAL_SERVER_ERROR => "Internal server error.",
            codes::TABLE_NOT_READY => "The table is not ready.",
            _ => "Injected fault.",
        };
        Self::new(code, message)
    }
}
