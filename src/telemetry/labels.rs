//! The closed sets of label values. Every label the daemon exports is either a configured name
//! (schedule, store), a Tablestore action name, or one of these — so the number of series is
//! bounded by configuration, never by traffic or by error messages.

use crate::catalog::{RunKind, RunStatus};
use crate::tablestore::client::OUTCOME_OK;
use crate::tablestore::codes;

/// The `schedule` label of runs started by hand rather than by a schedule. Schedule names are
/// never empty, so it cannot collide with one; PromQL selects it as `schedule=""`.
pub const UNSCHEDULED: &str = "";

/// The `code` label for a Tablestore outcome outside [`TABLESTORE_CODES`].
pub const OTHER_CODE: &str = "other";

/// Tablestore request outcomes that get their own `code` label value: success, every OTS error
/// code the client knows, and the client's transport classes.
pub const TABLESTORE_CODES: &[&str] = &[
    OUTCOME_OK,
    codes::AUTH_FAILED,
    codes::NO_PERMISSION,
    codes::CONDITION_CHECK_FAIL,
    codes::NOT_ENOUGH_CAPACITY,
    codes::PARAMETER_INVALID,
    codes::INVALID_PK,
    codes::OBJECT_NOT_EXIST,
    codes::OBJECT_ALREADY_EXIST,
    codes::REQUEST_BODY_TOO_LARGE,
    codes::REQUEST_TIMEOUT,
    codes::METHOD_NOT_ALLOWED,
    codes::UNSUPPORT_OPERATION,
    codes::SERVER_BUSY,
    codes::TIMEOUT,
    codes::SERVER_UNAVAILABLE,
    codes::PARTITION_UNAVAILABLE,
    codes::INTERNAL_SERVER_ERROR,
    codes::ROW_OPERATION_CONFLICT,
    codes::TABLE_NOT_READY,
    codes::QUOTA_EXHAUSTED,
    codes::OPERATION_THROTTLED,
    codes::OUT_OF_COLUMN_COUNT_LIMIT,
    codes::OUT_OF_ROW_SIZE_LIMIT,
    "http_status",
    "transport",
    "invalid_response",
    "invalid_request",
    "config",
];

/// `code` as a label value: itself if known, else [`OTHER_CODE`].
pub fn tablestore_code(code: &str) -> &'static str {
    TABLESTORE_CODES
        .iter()
        .find(|known| **known == code)
        .copied()
        .unwrap_or(OTHER_CODE)
}

/// The `result` values of finished runs (`succeeded`, `partially_failed`, `failed`,
/// `cancelled`, `skipped`), spelled as the catalog stores them.
pub fn run_results() -> impl Iterator<Item = RunStatus> {
    RunStatus::ALL.iter().copied().filter(|s| s.is_finished())
}

/// The `kind` values of `tablevault_runs_in_progress`.
pub fn run_kinds() -> impl Iterator<Item = RunKind> {
    RunKind::ALL.iter().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_fold_into_other() {
        assert_eq!(tablestore_code("OK"), "OK");
        assert_eq!(tablestore_code("OTSServerBusy"), "OTSServerBusy");
        assert_eq!(tablestore_code("transport"), "transport");
        assert_eq!(tablestore_code("OTSSomethingNew"), OTHER_CODE);
        assert_eq!(tablestore_code(""), OTHER_CODE);
    }

    #[test]
    fn results_are_the_finished_statuses() {
        let results: Vec<&str> = run_results().map(|s| s.as_str()).collect();
        assert_eq!(
            results,
            [
                "succeeded",
                "partially_failed",
                "failed",
                "cancelled",
                "skipped"
            ]
        );
    }
}
