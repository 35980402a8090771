//! A schedule's tables checked against its source when it is created or its tables or source
//! change: a table that does not exist would otherwise only fail the first backup, hours later. A source that does not
//! answer does not block the schedule (it may be down for maintenance): the answer carries a
//! warning instead.

use std::time::Duration;

use crate::api::error::ApiError;
use crate::api::state::AppState;

/// How long the check may take at most (a share of the request's own time limit).
const CHECK_LIMIT: Duration = Duration::from_secs(5);

/// `Ok(warnings)` when every one of `tables` exists in `source` or the source could not be
/// asked (then a warning says so); 422 naming a missing table. An empty list (every table)
/// and an unknown source (refused by the schedule's own validation) are not checked here.
pub async fn check_tables_in_source(
    state: &AppState,
    source: &str,
    tables: &[String],
) -> Result<Vec<String>, ApiError> {
    if tables.is_empty() {
        return Ok(Vec::new());
    }
    let Ok(client) = state.tablestore_client(source) else {
        return Ok(Vec::new());
    };
    let limit = CHECK_LIMIT.min(state.config.server.request_timeout / 2);
    let existing = match tokio::time::timeout(limit, client.list_tables()).await {
        Ok(Ok(existing)) => existing,
        Ok(Err(e)) => return Ok(vec![unchecked(source, &e.to_string())]),
        Err(_) => {
            let reason = format!("no answer within {} s", limit.as_secs_f64());
            return Ok(vec![unchecked(source, &reason)]);
        }
    };
    match tables.iter().find(|t| !existing.contains(t)) {
        Some(missing) => Err(ApiError::ValidationFailed(format!(
            "table {missing} does not exist in source {source} (it has: {})",
            existing.join(", ")
        ))),
        None => Ok(Vec::new()),
    }
}

fn unchecked(source: &str, reason: &str) -> String {
    format!(
        "the tables could not be checked against source {source} ({reason}); a table that \
         does not exist there will fail the schedule's runs"
    )
}
