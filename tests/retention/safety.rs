//! The rules no policy switches off, and how failed and busy backups are treated.

use chrono_tz::Tz;
use tablevault::retention::{evaluate, Candidate, CandidateStatus, KeepRule};

use crate::builders::{at, completed, kept, plan, policy};

fn backup(id: &str, time: &str, status: CandidateStatus) -> Candidate {
    Candidate::new(id, at(time), status)
}

#[test]
fn a_policy_without_rules_keeps_everything() {
    let backups = completed(&[
        "2024-01-01 00:00:00",
        "2024-01-02 00:00:00",
        "2024-01-03 00:00:00",
    ]);
    for json in ["{}", r#"{"keep_last": 0, "keep_daily": 0}"#] {
        let result = plan(&policy(json), Tz::UTC, &backups);
        assert!(result.remove.is_empty(), "{json}");
        assert_eq!(
            kept(&result),
            vec![
                (
                    "2024-01-03 00:00:00".into(),
                    vec!["newest completed".into(), "no retention rules".into()]
                ),
                (
                    "2024-01-02 00:00:00".into(),
                    vec!["no retention rules".into()]
                ),
                (
                    "2024-01-01 00:00:00".into(),
                    vec!["no retention rules".into()]
                ),
            ]
        );
    }
}

#[test]
fn the_newest_completed_backup_survives_newer_failures() {
    // Three failed runs since the last good backup: keep_last 1 counts completed backups only,
    // so the good one stays and the failures are left alone.
    let backups = vec![
        backup("good", "2024-01-01 00:00:00", CandidateStatus::Completed),
        backup("older", "2023-12-31 00:00:00", CandidateStatus::Completed),
        backup("f1", "2024-01-02 00:00:00", CandidateStatus::Failed),
        backup("f2", "2024-01-03 00:00:00", CandidateStatus::Failed),
        backup("run", "2024-01-04 00:00:00", CandidateStatus::Busy),
    ];
    let result = plan(&policy(r#"{"keep_last": 1}"#), Tz::UTC, &backups);
    assert_eq!(result.kept_ids(), ["good"]);
    assert_eq!(
        result.reasons("good").map(|r| r[0].rule),
        Some(KeepRule::NewestCompleted)
    );
    assert_eq!(result.removed_ids(), ["older"]);
    let untouched: Vec<&str> = result.untouched.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(untouched, ["run", "f2", "f1"]);

    let cleaning = plan(
        &policy(r#"{"keep_last": 1, "remove_failed": true}"#),
        Tz::UTC,
        &backups,
    );
    assert_eq!(cleaning.removed_ids(), ["f2", "f1", "older"]);
    assert_eq!(
        cleaning.untouched.len(),
        1,
        "busy backups are never removed"
    );
}

#[test]
fn only_failed_backups_keep_nothing_and_remove_nothing_by_default() {
    let backups = vec![backup("f", "2024-01-01 00:00:00", CandidateStatus::Failed)];
    let result = plan(&policy(r#"{"keep_daily": 7}"#), Tz::UTC, &backups);
    assert!(result.keep.is_empty() && result.remove.is_empty());
    assert_eq!(result.untouched.len(), 1);
}

#[test]
fn backups_finished_in_the_future_are_never_removed() {
    let backups = completed(&[
        "2024-01-01 00:00:00",
        "2024-01-11 00:00:00",
        "2024-01-12 00:00:00",
    ]);
    let result = evaluate(
        &policy(r#"{"keep_last": 1}"#),
        Tz::UTC,
        at("2024-01-10 00:00:00"),
        &backups,
    );
    assert_eq!(
        kept(&result),
        vec![
            (
                "2024-01-12 00:00:00".into(),
                vec![
                    "newest completed".into(),
                    "finished in the future".into(),
                    "last 1".into()
                ]
            ),
            (
                "2024-01-11 00:00:00".into(),
                vec!["finished in the future".into()]
            ),
        ]
    );
}

#[test]
fn an_empty_list_gives_an_empty_plan() {
    let result = plan(&policy(r#"{"keep_last": 3}"#), Tz::UTC, &[]);
    assert_eq!(result, Default::default());
}
