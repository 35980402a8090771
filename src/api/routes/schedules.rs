//! `/api/v1/schedules`: create, list, read, change, delete, run now, and the retention dry run.
//! Deleting a schedule keeps its backups.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::common::{check_table_names, created_at, run_accepted, Paging};
use super::source_tables::check_tables_in_source;
use crate::api::error::{ApiError, ApiResult};
use crate::api::json::ApiJson;
use crate::api::state::AppState;
use crate::catalog::{
    parse_time_zone, BackupFilter, BackupStatus, CopyTarget, NewSchedule, Page, PageRequest,
    Schedule, ScheduleMode, ScheduleUpdate, MAX_PAGE_SIZE,
};
use crate::retention::{RetentionPlan, RetentionPolicy};

/// The body of `POST /schedules`. The zone is a string so a bad one gets a clear message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSchedule {
    pub name: String,
    pub cron: String,
    #[serde(default)]
    pub timezone: Option<String>,
    pub source: String,
    pub store: String,
    #[serde(default)]
    pub tables: Vec<String>,
    #[serde(default)]
    pub retention: RetentionPolicy,
    #[serde(default)]
    pub paused: bool,
    #[serde(default)]
    pub mode: ScheduleMode,
    #[serde(default)]
    pub copy_to: Vec<CopyTarget>,
}

/// A schedule as the API shows it: the stored definition plus its tick interval.
#[derive(Debug, Serialize)]
pub struct ScheduleView {
    #[serde(flatten)]
    pub schedule: Schedule,
    pub expected_interval_seconds: Option<u64>,
    /// A continuous schedule's capture (only on `GET /schedules/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture: Option<CaptureView>,
    /// What the daemon could not check when the schedule was created or changed (only in
    /// that answer).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

fn view(state: &AppState, schedule: Schedule) -> ScheduleView {
    let expected_interval_seconds = state
        .scheduler
        .timing(&schedule)
        .ok()
        .and_then(|t| t.expected_interval_seconds);
    ScheduleView {
        schedule,
        expected_interval_seconds,
        capture: None,
        warnings: Vec::new(),
    }
}

/// A continuous schedule's capture as its loops last reported it.
#[derive(Debug, Serialize)]
pub struct CaptureView {
    /// `capturing` (every table's last step succeeded), `failing` (one did not: see the
    /// logs and `tablevault_capture_up`), `starting` (no table has reported yet), `paused`.
    pub status: &'static str,
    /// Every change committed before this instant is stored, for every table.
    pub captured_until: Option<DateTime<Utc>>,
    pub lag_seconds: Option<f64>,
    /// The start of the oldest completed base backup of the schedule.
    pub restorable_from: Option<DateTime<Utc>>,
    /// `captured_until`, once a base backup exists.
    pub restorable_until: Option<DateTime<Utc>>,
}

async fn capture_view(state: &AppState, schedule: &Schedule) -> ApiResult<CaptureView> {
    let tables = state.captures.of(&schedule.id);
    let status = if schedule.paused {
        "paused"
    } else if tables.is_empty() {
        "starting"
    } else if tables.values().all(|t| t.up) {
        "capturing"
    } else {
        "failing"
    };
    let captured_until = state
        .captures
        .captured_until_us(&schedule.id)
        .and_then(DateTime::<Utc>::from_timestamp_micros);
    let lag_seconds =
        captured_until.map(|at| (Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0);
    let restorable_from = oldest_completed_backup(state, &schedule.id).await?;
    let restorable_until = match (restorable_from, captured_until) {
        (Some(from), Some(until)) if until >= from => Some(until),
        _ => None,
    };
    Ok(CaptureView {
        status,
        captured_until,
        lag_seconds,
        restorable_from: restorable_until.and(restorable_from),
        restorable_until,
    })
}

/// The start of the schedule's oldest completed backup (backups are listed newest first).
async fn oldest_completed_backup(
    state: &AppState,
    schedule_id: &str,
) -> ApiResult<Option<DateTime<Utc>>> {
    let filter = BackupFilter {
        schedule_id: Some(schedule_id.to_string()),
        statuses: vec![BackupStatus::Completed],
        ..BackupFilter::default()
    };
    let mut page = PageRequest::first(MAX_PAGE_SIZE);
    let mut oldest = None;
    loop {
        let got = state.catalog.list_backups(&filter, &page).await?;
        if let Some(last) = got.items.last() {
            oldest = Some(last.started_at);
        }
        match got.next_page_token {
            Some(token) => page = PageRequest::next(MAX_PAGE_SIZE, token),
            None => return Ok(oldest),
        }
    }
}

fn parse_zone(text: &str) -> Result<Tz, ApiError> {
    parse_time_zone(text).map_err(ApiError::ValidationFailed)
}

/// Continuous capture writes change segments next to an archive store's backups; MongoDB has
/// no change storage yet, so such a schedule is refused rather than silently kept "full".
fn check_mode_fits_store(
    state: &AppState,
    mode: ScheduleMode,
    store: &str,
) -> Result<(), ApiError> {
    if mode != ScheduleMode::Continuous {
        return Ok(());
    }
    let kind = state.executor().resources().store(store)?.kind();
    if kind != "archive" {
        return Err(ApiError::ValidationFailed(format!(
            "continuous mode needs an archive store for now: store '{store}' is a {kind} store"
        )));
    }
    Ok(())
}

/// Copy targets must be configured stores other than the schedule's own, each named once.
fn check_copy_targets(
    state: &AppState,
    store: &str,
    targets: &[CopyTarget],
) -> Result<(), ApiError> {
    let mut seen = std::collections::BTreeSet::new();
    for target in targets {
        state.executor().resources().store(&target.store)?;
        if target.store == store {
            return Err(ApiError::ValidationFailed(format!(
                "copy_to names store '{store}', the schedule's own store; copies go to another store"
            )));
        }
        if !seen.insert(target.store.as_str()) {
            return Err(ApiError::ValidationFailed(format!(
                "copy_to names store '{}' twice",
                target.store
            )));
        }
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() || name.len() > 128 {
        return Err(ApiError::ValidationFailed(
            "name must be 1 to 128 characters".into(),
        ));
    }
    Ok(())
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateSchedule>,
) -> ApiResult<Response> {
    check_name(&body.name)?;
    check_table_names(&body.tables)?;
    let timezone = parse_zone(body.timezone.as_deref().unwrap_or("UTC"))?;
    let warnings = check_tables_in_source(&state, &body.source, &body.tables).await?;
    check_mode_fits_store(&state, body.mode, &body.store)?;
    check_copy_targets(&state, &body.store, &body.copy_to)?;
    let mut new = NewSchedule::new(&body.name, &body.cron, &body.source, &body.store);
    new.timezone = timezone;
    new.tables = body.tables;
    new.retention = body.retention;
    new.paused = body.paused;
    new.mode = body.mode;
    new.copy_to = body.copy_to;
    let schedule = state.scheduler.create_schedule(new).await?;
    let location = format!("/api/v1/schedules/{}", schedule.id);
    let view = ScheduleView {
        warnings,
        ..view(&state, schedule)
    };
    Ok(created_at(StatusCode::CREATED, &location, view))
}

pub async fn list(
    State(state): State<AppState>,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<Page<ScheduleView>>> {
    let page = state.catalog.list_schedules(&paging.request()?).await?;
    let items = page.items.into_iter().map(|s| view(&state, s)).collect();
    Ok(Json(Page {
        items,
        next_page_token: page.next_page_token,
    }))
}

pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ScheduleView>> {
    let schedule = state.catalog.get_schedule(&id).await?;
    let capture = match schedule.mode {
        ScheduleMode::Continuous => Some(capture_view(&state, &schedule).await?),
        ScheduleMode::Full => None,
    };
    Ok(Json(ScheduleView {
        capture,
        ..view(&state, schedule)
    }))
}

pub async fn change(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ScheduleUpdate>,
) -> ApiResult<Json<ScheduleView>> {
    if let Some(name) = &body.name {
        check_name(name)?;
    }
    if let Some(tables) = &body.tables {
        check_table_names(tables)?;
    }
    let mut warnings = Vec::new();
    if body.source.is_some()
        || body.store.is_some()
        || body.tables.is_some()
        || body.mode.is_some()
        || body.copy_to.is_some()
    {
        let current = state.catalog.get_schedule(&id).await?;
        check_copy_targets(
            &state,
            body.store.as_deref().unwrap_or(&current.store),
            body.copy_to.as_ref().unwrap_or(&current.copy_to),
        )?;
        let mode = body.mode.unwrap_or(current.mode);
        check_mode_fits_store(
            &state,
            mode,
            body.store.as_deref().unwrap_or(&current.store),
        )?;
        let source = body.source.as_deref().unwrap_or(&current.source);
        let store = body.store.as_deref().unwrap_or(&current.store);
        state.executor().resources().source(source)?;
        state.executor().resources().store(store)?;
        // Only what changes is checked: a schedule whose table has gone since stays editable.
        if body.source.is_some() || body.tables.is_some() {
            let tables = body.tables.as_ref().unwrap_or(&current.tables);
            warnings = check_tables_in_source(&state, source, tables).await?;
        }
    }
    let schedule = state.scheduler.update_schedule(&id, body).await?;
    Ok(Json(ScheduleView {
        warnings,
        ..view(&state, schedule)
    }))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.scheduler.delete_schedule(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn run_now(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let run = state.scheduler.run_now(&id).await?;
    Ok(run_accepted(&run))
}

pub async fn retention(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<RetentionPlan>> {
    Ok(Json(state.executor().retention_plan(&id).await?))
}
