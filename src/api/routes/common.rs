//! What several resources share: paging query parameters, the `202 {run_id}` answer with its
//! `Location`, and Tablestore's table name rule.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::api::error::ApiError;
use crate::catalog::{Backup, BackupStatus, PageRequest, Run, MAX_PAGE_SIZE};

/// `?page_size=&page_token=` of every list.
#[derive(Debug, Default, Deserialize)]
pub struct Paging {
    pub page_size: Option<u32>,
    pub page_token: Option<String>,
}

impl Paging {
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        page_request(self.page_size, self.page_token.clone())
    }
}

/// The page asked for; a `page_size` outside 1–[`MAX_PAGE_SIZE`] is refused as openapi.yaml
/// documents it, rather than quietly served as another size.
pub fn page_request(
    page_size: Option<u32>,
    page_token: Option<String>,
) -> Result<PageRequest, ApiError> {
    if let Some(size) = page_size.filter(|n| !(1..=MAX_PAGE_SIZE).contains(n)) {
        return Err(ApiError::ValidationFailed(format!(
            "`page_size` must be 1 to {MAX_PAGE_SIZE}, not {size}"
        )));
    }
    Ok(PageRequest {
        page_size,
        page_token,
    })
}

#[derive(Debug, Serialize)]
pub struct RunAccepted {
    pub run_id: String,
    pub status: String,
}

/// `202 Accepted` with the run's id and `Location: /api/v1/runs/{id}`.
pub fn run_accepted(run: &Run) -> Response {
    let body = RunAccepted {
        run_id: run.id.clone(),
        status: run.status.as_str().to_string(),
    };
    created_at(
        StatusCode::ACCEPTED,
        &format!("/api/v1/runs/{}", run.id),
        body,
    )
}

/// `status` with `Location: location` and a JSON body.
pub fn created_at(status: StatusCode, location: &str, body: impl Serialize) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Tablestore's rule: 1–255 characters, letters, digits and `_`, not starting with a digit.
pub fn check_table_names(tables: &[String]) -> Result<(), ApiError> {
    for name in tables {
        let mut chars = name.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        let rest_ok = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !first_ok || !rest_ok || name.len() > 255 {
            return Err(ApiError::ValidationFailed(format!(
                "invalid table name {name:?}: a table name has 1 to 255 letters, digits or \
                 underscores and does not start with a digit"
            )));
        }
    }
    Ok(())
}

/// Refuses `names` that are not tables of `backup`, so a request that could only fail when
/// its run executes is refused up front. Only a completed backup's tables are known; other
/// states are refused by the executor anyway.
pub fn check_tables_in_backup<'a>(
    backup: &Backup,
    names: impl IntoIterator<Item = &'a String>,
) -> Result<(), ApiError> {
    if backup.status != BackupStatus::Completed {
        return Ok(());
    }
    let held = || {
        let names: Vec<&str> = backup.tables.iter().map(|t| t.name.as_str()).collect();
        names.join(", ")
    };
    for name in names {
        if !backup.tables.iter().any(|t| &t.name == name) {
            return Err(ApiError::ValidationFailed(format!(
                "table {name} is not in backup {} (it holds: {})",
                backup.id,
                held()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_follow_the_tablestore_rule() {
        let ok = |n: &str| check_table_names(&[n.to_string()]).is_ok();
        assert!(ok("orders") && ok("_t1") && ok("A_b_9"));
        assert!(!ok("") && !ok("1abc") && !ok("a-b") && !ok("a b") && !ok(&"a".repeat(256)));
    }
}
