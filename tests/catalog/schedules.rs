//! Schedule CRUD.

use chrono::Duration;
use tablevault::catalog::{CatalogError, NewSchedule, PageRequest, ScheduleUpdate};
use tablevault::retention::RetentionPolicy;

use crate::test_catalog::{open, t0};

fn nightly() -> NewSchedule {
    let mut new = NewSchedule::new("nightly", "0 2 * * *", "prod", "local");
    new.timezone = chrono_tz::Europe::Berlin;
    new.tables = vec!["orders".into(), "users".into()];
    new.retention = serde_json::from_str(r#"{"keep_daily": 7, "keep_within": "36h"}"#).unwrap();
    new
}

#[tokio::test]
async fn create_then_read_back_by_id_and_name() {
    let test = open().await;
    let created = test.catalog.create_schedule(nightly()).await.unwrap();
    assert!(created.id.starts_with("sch_"), "{}", created.id);
    assert_eq!(created.timezone, chrono_tz::Europe::Berlin);
    assert_eq!(created.tables, ["orders", "users"]);
    assert_eq!(created.retention.keep_daily, 7);
    assert_eq!(
        created
            .retention
            .keep_within
            .map(|w| w.to_string())
            .as_deref(),
        Some("36h")
    );
    assert!(!created.paused);
    assert_eq!(created.created_at, t0());
    assert_eq!(created.updated_at, t0());

    assert_eq!(
        test.catalog.get_schedule(&created.id).await.unwrap(),
        created
    );
    assert_eq!(
        test.catalog.find_schedule_by_name("nightly").await.unwrap(),
        Some(created)
    );
    assert_eq!(
        test.catalog.find_schedule_by_name("weekly").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn names_are_unique_and_fields_are_validated() {
    let test = open().await;
    test.catalog.create_schedule(nightly()).await.unwrap();
    let error = test.catalog.create_schedule(nightly()).await.unwrap_err();
    assert!(matches!(error, CatalogError::Conflict(_)), "{error:?}");

    let mut blank = nightly();
    blank.name = "other".into();
    blank.cron = " ".into();
    let error = test.catalog.create_schedule(blank).await.unwrap_err();
    assert!(matches!(error, CatalogError::InvalidInput(_)), "{error:?}");
}

#[tokio::test]
async fn new_schedules_deserialize_with_defaults_from_an_api_body() {
    let new: NewSchedule = serde_json::from_str(
        r#"{"name": "n", "cron": "@hourly", "source": "s", "store": "local"}"#,
    )
    .unwrap();
    assert_eq!(new.timezone, chrono_tz::Tz::UTC);
    assert!(new.tables.is_empty());
    assert_eq!(new.retention, RetentionPolicy::default());
    let bad = serde_json::from_str::<NewSchedule>(
        r#"{"name": "n", "cron": "@hourly", "source": "s", "store": "local", "timezone": "Mars/Base"}"#,
    );
    assert!(bad.is_err(), "an unknown zone is refused");
}

#[tokio::test]
async fn update_changes_only_given_fields_and_bumps_updated_at() {
    let test = open().await;
    let created = test.catalog.create_schedule(nightly()).await.unwrap();
    test.clock.advance(Duration::minutes(3));

    let update = ScheduleUpdate {
        cron: Some("30 3 * * *".into()),
        paused: Some(true),
        next_run_at: Some(Some(t0() + Duration::days(1))),
        ..Default::default()
    };
    let updated = test
        .catalog
        .update_schedule(&created.id, update)
        .await
        .unwrap();
    assert_eq!(updated.cron, "30 3 * * *");
    assert!(updated.paused);
    assert_eq!(updated.next_run_at, Some(t0() + Duration::days(1)));
    assert_eq!(updated.name, created.name);
    assert_eq!(updated.retention, created.retention);
    assert_eq!(updated.created_at, created.created_at);
    assert_eq!(updated.updated_at, t0() + Duration::minutes(3));
    assert_eq!(
        test.catalog.get_schedule(&created.id).await.unwrap(),
        updated
    );

    // Renaming onto another schedule's name conflicts and changes nothing.
    let mut other = nightly();
    other.name = "weekly".into();
    test.catalog.create_schedule(other).await.unwrap();
    let rename = ScheduleUpdate {
        name: Some("weekly".into()),
        ..Default::default()
    };
    let error = test
        .catalog
        .update_schedule(&created.id, rename)
        .await
        .unwrap_err();
    assert!(matches!(error, CatalogError::Conflict(_)), "{error:?}");
    assert_eq!(
        test.catalog.get_schedule(&created.id).await.unwrap().name,
        "nightly"
    );

    let error = test
        .catalog
        .update_schedule("sch_nope", ScheduleUpdate::default())
        .await
        .unwrap_err();
    assert!(matches!(error, CatalogError::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn next_run_is_set_without_touching_updated_at() {
    let test = open().await;
    let created = test.catalog.create_schedule(nightly()).await.unwrap();
    test.clock.advance(Duration::hours(1));
    let next = t0() + Duration::hours(14);
    test.catalog
        .set_schedule_next_run(&created.id, Some(next))
        .await
        .unwrap();
    let read = test.catalog.get_schedule(&created.id).await.unwrap();
    assert_eq!(read.next_run_at, Some(next));
    assert_eq!(read.updated_at, created.updated_at);
    test.catalog
        .set_schedule_next_run(&created.id, None)
        .await
        .unwrap();
    assert_eq!(
        test.catalog
            .get_schedule(&created.id)
            .await
            .unwrap()
            .next_run_at,
        None
    );
    assert!(test
        .catalog
        .set_schedule_next_run("sch_nope", None)
        .await
        .is_err());
}

#[tokio::test]
async fn delete_removes_the_schedule_once() {
    let test = open().await;
    let created = test.catalog.create_schedule(nightly()).await.unwrap();
    test.catalog.delete_schedule(&created.id).await.unwrap();
    let error = test.catalog.get_schedule(&created.id).await.unwrap_err();
    assert!(matches!(error, CatalogError::NotFound { .. }), "{error:?}");
    let error = test.catalog.delete_schedule(&created.id).await.unwrap_err();
    assert!(matches!(error, CatalogError::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn schedules_list_in_name_order_across_pages() {
    let test = open().await;
    for name in ["e", "b", "d", "a", "c"] {
        test.catalog
            .create_schedule(NewSchedule::new(name, "@daily", "s", "local"))
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut page = PageRequest::first(2);
    let mut pages = 0;
    loop {
        let got = test.catalog.list_schedules(&page).await.unwrap();
        pages += 1;
        names.extend(got.items.into_iter().map(|s| s.name));
        match got.next_page_token {
            Some(token) => page = PageRequest::next(2, token),
            None => break,
        }
    }
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
    assert_eq!(pages, 3);
}
