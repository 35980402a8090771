//! The JSON the API stores and serves: policies in, dry-run plans out.

use chrono_tz::Tz;
use serde_json::json;
use tablevault::retention::RetentionPolicy;

use crate::builders::{completed, plan, policy};

#[test]
fn policies_parse_from_json_with_defaults_and_round_trip() {
    let parsed = policy(r#"{"keep_daily": 7, "keep_weekly": 4, "keep_within": "36h"}"#);
    assert_eq!(parsed.keep_daily, 7);
    assert_eq!(parsed.keep_last, 0);
    assert_eq!(
        parsed.keep_within.map(|w| w.to_string()).as_deref(),
        Some("36h")
    );
    let text = serde_json::to_value(&parsed).unwrap();
    assert_eq!(
        text,
        json!({"keep_daily": 7, "keep_weekly": 4, "keep_within": "36h"})
    );
    assert_eq!(
        serde_json::from_value::<RetentionPolicy>(text).unwrap(),
        parsed
    );
}

#[test]
fn bad_policies_are_refused_with_a_reason() {
    for (json, fragment) in [
        (r#"{"keep_dayly": 7}"#, "unknown field"),
        (r#"{"keep_within": "7x"}"#, "unknown unit"),
        (r#"{"keep_within": "0d"}"#, "must not be zero"),
        (r#"{"keep_last": -1}"#, "invalid value"),
    ] {
        let error = serde_json::from_str::<RetentionPolicy>(json)
            .unwrap_err()
            .to_string();
        assert!(error.contains(fragment), "{json}: {error}");
    }
}

#[test]
fn a_plan_serializes_as_a_dry_run_answer() {
    let backups = completed(&[
        "2024-03-30 12:00:00",
        "2024-03-31 12:00:00",
        "2024-03-31 13:00:00",
    ]);
    let result = plan(&policy(r#"{"keep_daily": 2}"#), Tz::UTC, &backups);
    assert_eq!(
        serde_json::to_value(&result).unwrap(),
        json!({
            "keep": [
                {"id": "b002", "finished_at": "2024-03-31T13:00:00Z",
                 "reasons": [{"rule": "newest_completed"}, {"rule": "daily", "detail": "2024-03-31"}]},
                {"id": "b000", "finished_at": "2024-03-30T12:00:00Z",
                 "reasons": [{"rule": "daily", "detail": "2024-03-30"}]},
            ],
            "remove": [{"id": "b001", "finished_at": "2024-03-31T12:00:00Z", "status": "completed"}],
            "untouched": [],
        })
    );
}
