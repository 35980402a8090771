//! The per-schedule series the alerts depend on, driven through the real REST API: paused
//! state, the time of the last change, the expected interval, and the last failure (also
//! after a restart).

use chrono::{DateTime, Utc};
use serde_json::{json, Value as Json};
use tablevault::emulator::{Emulator, EmulatorConfig};

use crate::exposition::{samples, value};
use crate::helpers::{config_text, parse_config, spawn_config, ADMIN_TOKEN};
use crate::resources_helpers::{rig, Rig};

/// `(paused, updated, next_run)` of a schedule as the exposition has them.
async fn schedule_gauges(rig: &Rig, name: &str) -> (Option<f64>, Option<f64>, Option<f64>) {
    let all = samples(&rig.app.metrics_text().await);
    let of = |metric| value(&all, metric, &[("schedule", name)]);
    (
        of("tablevault_schedule_paused"),
        of("tablevault_schedule_updated_timestamp_seconds"),
        of("tablevault_schedule_next_run_timestamp_seconds"),
    )
}

async fn patch(rig: &Rig, id: &str, body: Json) -> Json {
    let response = rig
        .app
        .api
        .patch(rig.app.url(&format!("/api/v1/schedules/{id}")))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200, "PATCH {body}");
    response.json().await.expect("JSON")
}

/// The schedule's `updated_at` as the gauge holds it (seconds, millisecond precision).
fn updated_seconds(schedule: &Json) -> f64 {
    let text = schedule["updated_at"].as_str().expect("updated_at");
    let at: DateTime<Utc> = text.parse().expect("RFC 3339");
    at.timestamp_millis() as f64 / 1000.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_resuming_renaming_and_deleting_a_schedule_show_in_its_series() {
    let rig = rig().await;

    // Created paused (the rig's default): paused 1, no next run, the creation time.
    let created = rig.schedule("nightly").await;
    let id = created["id"].as_str().expect("id");
    let (paused, updated, next) = schedule_gauges(&rig, "nightly").await;
    assert_eq!(paused, Some(1.0));
    assert_eq!(updated, Some(updated_seconds(&created)));
    assert_eq!(next, None, "a paused schedule has no next run");
    let all = samples(&rig.app.metrics_text().await);
    assert_eq!(
        value(
            &all,
            "tablevault_schedule_expected_interval_seconds",
            &[("schedule", "nightly")]
        ),
        Some(86_400.0),
        "daily cron"
    );

    // Resumed: paused 0, a next run, and the clock of the overdue alert restarts.
    let resumed = patch(&rig, id, json!({"paused": false})).await;
    let (paused, updated, next) = schedule_gauges(&rig, "nightly").await;
    assert_eq!(paused, Some(0.0));
    assert_eq!(updated, Some(updated_seconds(&resumed)));
    let next_run: DateTime<Utc> = resumed["next_run_at"]
        .as_str()
        .expect("next run")
        .parse()
        .expect("RFC 3339");
    assert_eq!(next, Some(next_run.timestamp_millis() as f64 / 1000.0));

    // Paused again: back to 1, the next run gone.
    patch(&rig, id, json!({"paused": true})).await;
    let (paused, _, next) = schedule_gauges(&rig, "nightly").await;
    assert_eq!(paused, Some(1.0));
    assert_eq!(next, None);

    // Renamed: the old name's series go (they would page as an overdue schedule).
    patch(&rig, id, json!({"name": "nightly-orders"})).await;
    let text = rig.app.metrics_text().await;
    assert!(!text.contains("schedule=\"nightly\""), "{text}");
    let (paused, _, _) = schedule_gauges(&rig, "nightly-orders").await;
    assert_eq!(paused, Some(1.0));

    // Deleted: no series of it is left.
    let deleted = rig
        .app
        .api
        .delete(rig.app.url(&format!("/api/v1/schedules/{id}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("sent");
    assert_eq!(deleted.status(), 204);
    let text = rig.app.metrics_text().await;
    assert!(!text.contains("schedule=\"nightly-orders\""), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_scheduled_backup_sets_the_last_failure_also_after_a_restart() {
    // Arrange: a daemon whose state directory outlives it, a schedule of a missing table.
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator");
    let e = emulator.config();
    let dir = tempfile::tempdir().expect("temp dir");
    let source = format!(
        "[sources.prod]\nendpoint = \"{}\"\ninstance = \"{}\"\naccess_key_id = \"{}\"\n\
         access_key_secret = \"{}\"\n",
        emulator.endpoint(),
        e.instance,
        e.access_key_id,
        e.access_key_secret
    );
    let config = || parse_config(&config_text(dir.path(), &source));
    let rig = Rig {
        app: spawn_config(config()).await,
        _emulator: emulator,
    };
    let schedule = rig.schedule_of_a_vanished_table("broken").await;
    let id = schedule["id"].as_str().expect("id");

    // Act: run it now; it fails.
    let run_id = rig
        .start_run(&format!("/api/v1/schedules/{id}/run"), &json!({}))
        .await;
    let run = rig.finished_run(&run_id).await;
    assert_eq!(run["status"], "failed", "{run}");
    let finished: DateTime<Utc> = run["finished_at"]
        .as_str()
        .expect("finished_at")
        .parse()
        .expect("RFC 3339");
    let expected = Some(finished.timestamp_millis() as f64 / 1000.0);

    // Assert: the failure time is exported, and survives a restart (read from SQLite).
    let broken = [("schedule", "broken")];
    let all = samples(&rig.app.metrics_text().await);
    let last_failure = "tablevault_backup_last_failure_timestamp_seconds";
    assert_eq!(value(&all, last_failure, &broken), expected);
    assert_eq!(
        value(
            &all,
            "tablevault_backup_last_success_timestamp_seconds",
            &broken
        ),
        None
    );
    let Rig { app, _emulator } = rig;
    app.stop().await;
    let again = spawn_config(config()).await;
    let all = samples(&again.metrics_text().await);
    assert_eq!(value(&all, last_failure, &broken), expected);
    assert_eq!(
        value(&all, "tablevault_schedule_paused", &broken),
        Some(1.0)
    );
    assert_eq!(
        value(
            &all,
            "tablevault_schedule_expected_interval_seconds",
            &broken
        ),
        Some(3600.0),
        "known from the first scrape after a restart, not only after the next tick"
    );
    again.stop().await;
}
