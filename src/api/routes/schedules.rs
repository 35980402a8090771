//! `/api/v1/schedules`: create, list, read, change, delete, run now, and the retention dry run.
//! Deleting a schedule keeps its backups. Schedules declared in the config file refuse PATCH
//! (other than `paused`) and DELETE with 409.

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
    copy_target_problems, parse_time_zone, CopyTarget, NewSchedule, Page, Schedule, ScheduleMode,
    ScheduleUpdate,
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

/// Capture further behind than this is `catching_up` rather than `running`: a healthy loop
/// reads every half second, so a minute behind means it is working through a backlog.
const CATCHING_UP_AFTER_SECONDS: f64 = 60.0;

/// A continuous schedule's capture as its loops last reported it.
#[derive(Debug, Serialize)]
pub struct CaptureView {
    /// The fixed contract: `running` (every table's last step succeeded, reached its
    /// stream's tip, and the lag is under [`CATCHING_UP_AFTER_SECONDS`]), `catching_up` (no
    /// table has reported yet, one is still reading its backlog, or capture is further
    /// behind), `failed` (a table's last step failed: see the logs and
    /// `tablevault_capture_up`), `stopped` (the schedule is paused).
    pub status: &'static str,
    /// Every change committed before this instant is stored, for every table.
    pub captured_until: Option<DateTime<Utc>>,
    pub lag_seconds: Option<f64>,
    /// The end of the oldest completed base backup of the schedule: the earliest instant a
    /// point-in-time restore can reach (the base's rows may hold any change up to its end).
    pub restorable_from: Option<DateTime<Utc>>,
    /// `captured_until`, once a base backup exists.
    pub restorable_until: Option<DateTime<Utc>>,
}

async fn capture_view(state: &AppState, schedule: &Schedule) -> ApiResult<CaptureView> {
    let tables = state.captures.of(&schedule.id);
    let captured_until = state
        .captures
        .captured_until_us(&schedule.id)
        .and_then(DateTime::<Utc>::from_timestamp_micros);
    let lag_seconds =
        captured_until.map(|at| (Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0);
    let status = if schedule.paused {
        "stopped"
    } else if tables.values().any(|t| !t.up) {
        "failed"
    } else if tables.is_empty()
        || tables.values().any(|t| t.captured_until_us.is_none())
        || lag_seconds.is_none_or(|lag| lag > CATCHING_UP_AFTER_SECONDS)
    {
        "catching_up"
    } else {
        "running"
    };
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

/// The end of the schedule's oldest kept base backup: the same base retention prunes changes
/// before (`runs::change_pruning`), and the first instant a replay onto it can reach (a scan
/// may hold changes from anywhere between its start and end).
async fn oldest_completed_backup(
    state: &AppState,
    schedule_id: &str,
) -> ApiResult<Option<DateTime<Utc>>> {
    let oldest = crate::runs::change_pruning::oldest_kept_base(&state.catalog, schedule_id).await?;
    Ok(oldest.map(|backup| backup.finished_at.unwrap_or(backup.started_at)))
}

fn parse_zone(text: &str) -> Result<Tz, ApiError> {
    parse_time_zone(text).map_err(ApiError::ValidationFailed)
}

/// Continuous capture keeps changes next to the base backups: change segments in an archive
/// store (sealed when it encrypts), change records in a MongoDB store. An s3 store has no
/// change storage, so such a schedule is refused rather than silently kept "full".
fn check_mode_fits_store(
    state: &AppState,
    mode: ScheduleMode,
    store: &str,
) -> Result<(), ApiError> {
    if mode != ScheduleMode::Continuous {
        return Ok(());
    }
    state.executor().resources().store(store)?;
    let refusal = state
        .config
        .store(store)
        .ok()
        .and_then(|config| crate::capture::store::change_storage_refusal(store, config));
    match refusal {
        Some(reason) => Err(ApiError::ValidationFailed(reason)),
        None => Ok(()),
    }
}

/// Copy targets must be configured stores other than the schedule's own, each named once.
fn check_copy_targets(
    state: &AppState,
    store: &str,
    targets: &[CopyTarget],
) -> Result<(), ApiError> {
    let resources = state.executor().resources();
    let problems = copy_target_problems(store, targets, |name| resources.store(name).is_ok());
    match problems.into_iter().next() {
        Some(problem) => Err(ApiError::ValidationFailed(problem)),
        None => Ok(()),
    }
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
    let only_pausing = ScheduleUpdate {
        paused: body.paused,
        ..ScheduleUpdate::default()
    } == body;
    if !only_pausing {
        refuse_if_owned_by_file(&state, &id).await?;
    }
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
    refuse_if_owned_by_file(&state, &id).await?;
    state.scheduler.delete_schedule(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A schedule declared in the config file is changed there (issue 14): 409 naming the file.
/// Pausing, resuming and running it stay allowed; once its entry left the file it is the
/// API's again.
async fn refuse_if_owned_by_file(state: &AppState, id: &str) -> Result<(), ApiError> {
    let schedule = state.catalog.get_schedule(id).await?;
    if !schedule.is_owned_by_config() {
        return Ok(());
    }
    let file = state
        .schedules_file
        .file()
        .map(|f| f.display().to_string())
        .unwrap_or_else(|| "the config file".to_string());
    Err(ApiError::Conflict(format!(
        "schedule {:?} is managed by the config file {file}: change it there and reload \
         (POST /api/v1/reload or SIGHUP); only pause, resume and run-now are allowed here",
        schedule.name
    )))
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
