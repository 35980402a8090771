//! Tablestore error codes, their HTTP statuses and how clients may retry them.

pub const AUTH_FAILED: &str = "OTSAuthFailed";
pub const NO_PERMISSION: &str = "OTSNoPermissionAccess";
pub const CONDITION_CHECK_FAIL: &str = "OTSConditionCheckFail";
pub const NOT_ENOUGH_CAPACITY: &str = "OTSNotEnoughCapacityUnit";
pub const PARAMETER_INVALID: &str = "OTSParameterInvalid";
pub const INVALID_PK: &str = "OTSInvalidPK";
pub const OBJECT_NOT_EXIST: &str = "OTSObjectNotExist";
pub const OBJECT_ALREADY_EXIST: &str = "OTSObjectAlreadyExist";
pub const REQUEST_BODY_TOO_LARGE: &str = "OTSRequestBodyTooLarge";
pub const REQUEST_TIMEOUT: &str = "OTSRequestTimeout";
pub const METHOD_NOT_ALLOWED: &str = "OTSMethodNotAllowed";
pub const UNSUPPORT_OPERATION: &str = "OTSUnsupportOperation";
pub const SERVER_BUSY: &str = "OTSServerBusy";
pub const TIMEOUT: &str = "OTSTimeout";
pub const SERVER_UNAVAILABLE: &str = "OTSServerUnavailable";
pub const PARTITION_UNAVAILABLE: &str = "OTSPartitionUnavailable";
pub const INTERNAL_SERVER_ERROR: &str = "OTSInternalServerError";
pub const ROW_OPERATION_CONFLICT: &str = "OTSRowOperationConflict";
pub const TABLE_NOT_READY: &str = "OTSTableNotReady";
pub const QUOTA_EXHAUSTED: &str = "OTSQuotaExhausted";
pub const OPERATION_THROTTLED: &str = "OTSOperationThrottled";
pub const OUT_OF_COLUMN_COUNT_LIMIT: &str = "OTSOutOfColumnCountLimit";
pub const OUT_OF_ROW_SIZE_LIMIT: &str = "OTSOutOfRowSizeLimit";
/// A stream position before the retention horizon (Stream API); never worth retrying.
pub const TRIMMED_DATA_ACCESS: &str = "OTSTrimmedDataAccess";

/// The HTTP status the service answers with for `code`.
pub fn http_status(code: &str) -> u16 {
    match code {
        AUTH_FAILED | NO_PERMISSION | CONDITION_CHECK_FAIL | NOT_ENOUGH_CAPACITY => 403,
        PARAMETER_INVALID
        | INVALID_PK
        | OUT_OF_COLUMN_COUNT_LIMIT
        | OUT_OF_ROW_SIZE_LIMIT
        | UNSUPPORT_OPERATION => 400,
        // The HTTP status of OTSTrimmedDataAccess is not documented; the official Stream
        // Client's mock service answers 404 (see docs/stream-api.md).
        OBJECT_NOT_EXIST | TRIMMED_DATA_ACCESS => 404,
        OBJECT_ALREADY_EXIST | ROW_OPERATION_CONFLICT | TABLE_NOT_READY | QUOTA_EXHAUSTED => 409,
        REQUEST_BODY_TOO_LARGE => 413,
        REQUEST_TIMEOUT => 408,
        METHOD_NOT_ALLOWED => 405,
        SERVER_BUSY
        | TIMEOUT
        | SERVER_UNAVAILABLE
        | PARTITION_UNAVAILABLE
        | OPERATION_THROTTLED => 503,
        _ => 500,
    }
}

/// Whether a failed request may be sent again.
///
/// Throttling and transient-conflict codes are safe to retry for every operation: the service
/// did not apply the request. Timeouts and server errors may have applied it, so they are retried
/// only when the operation is idempotent (reads, and writes the caller declares idempotent,
/// such as unconditional puts of whole rows).
pub fn is_retryable(code: &str, message: &str, idempotent: bool) -> bool {
    match code {
        ROW_OPERATION_CONFLICT
        | NOT_ENOUGH_CAPACITY
        | TABLE_NOT_READY
        | PARTITION_UNAVAILABLE
        | SERVER_BUSY
        | OPERATION_THROTTLED => true,
        QUOTA_EXHAUSTED => message == "Too frequent table operations.",
        TIMEOUT | INTERNAL_SERVER_ERROR | SERVER_UNAVAILABLE => idempotent,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_retries_everywhere_timeouts_only_when_idempotent() {
        assert!(is_retryable(SERVER_BUSY, "", false));
        assert!(is_retryable(NOT_ENOUGH_CAPACITY, "", false));
        assert!(!is_retryable(TIMEOUT, "", false));
        assert!(is_retryable(TIMEOUT, "", true));
        assert!(!is_retryable(PARAMETER_INVALID, "", true));
        assert!(!is_retryable(TRIMMED_DATA_ACCESS, "", true));
        assert!(!is_retryable(QUOTA_EXHAUSTED, "Too many tables.", true));
        assert!(is_retryable(
            QUOTA_EXHAUSTED,
            "Too frequent table operations.",
            false
        ));
    }

    #[test]
    fn statuses() {
        assert_eq!(http_status(OBJECT_NOT_EXIST), 404);
        assert_eq!(http_status(OBJECT_ALREADY_EXIST), 409);
        assert_eq!(http_status(AUTH_FAILED), 403);
        assert_eq!(http_status(SERVER_BUSY), 503);
        assert_eq!(http_status(PARAMETER_INVALID), 400);
    }
}
