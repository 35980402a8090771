//! `keep_within`: the grammar, calendar versus exact units, and the newest-backup anchor.

use chrono_tz::Tz;
use tablevault::retention::{evaluate, KeepWithin};

use crate::builders::{at, berlin, completed, kept_times, plan, policy};

#[test]
fn spans_parse_and_print_in_restic_grammar() {
    for (text, printed) in [
        ("7d", "7d"),
        ("36h", "36h"),
        ("2y5m7d3h", "2y5m7d3h"),
        ("1w", "1w"),
        ("1m14d", "1m14d"),
        (" 3d ", "3d"),
    ] {
        let span: KeepWithin = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(span.to_string(), printed);
    }
    for bad in ["", "7", "d", "7x", "0d", "1.5d", "-1d", "99999999999d"] {
        assert!(
            bad.parse::<KeepWithin>().is_err(),
            "{bad:?} should not parse"
        );
    }
}

#[test]
fn a_day_is_a_calendar_day_across_dst_but_24h_is_exact() {
    // Anchor 10:00Z on 31 March 2024 = 12:00 CEST. One calendar day back is 12:00 CET on the
    // 30th = 11:00Z, only 23 hours earlier; "24h" reaches back to 10:00Z.
    let backups = completed(&["2024-03-30 10:30:00", "2024-03-31 10:00:00"]);
    let by_day = plan(&policy(r#"{"keep_within": "1d"}"#), berlin(), &backups);
    assert_eq!(kept_times(&by_day), ["2024-03-31 10:00:00"]);
    let by_hours = plan(&policy(r#"{"keep_within": "24h"}"#), berlin(), &backups);
    assert_eq!(
        kept_times(&by_hours),
        ["2024-03-31 10:00:00", "2024-03-30 10:30:00"]
    );
}

#[test]
fn a_month_back_from_31_march_is_the_end_of_february() {
    // 31 March − 1 month clamps to 29 February (leap year); the span is exclusive.
    let backups = completed(&[
        "2024-02-29 12:00:00",
        "2024-02-29 12:00:01",
        "2024-03-31 12:00:00",
    ]);
    let result = plan(&policy(r#"{"keep_within": "1m"}"#), Tz::UTC, &backups);
    assert_eq!(
        kept_times(&result),
        ["2024-03-31 12:00:00", "2024-02-29 12:00:01"]
    );
}

#[test]
fn the_window_stays_on_the_last_good_history_when_backups_stop() {
    // Backups stopped in January; evaluated in June, "7d" still keeps the last week of
    // January instead of sliding past it and leaving only the newest.
    let backups = completed(&[
        "2024-01-01 12:00:00",
        "2024-01-05 12:00:00",
        "2024-01-10 12:00:00",
    ]);
    let result = evaluate(
        &policy(r#"{"keep_within": "7d"}"#),
        Tz::UTC,
        at("2024-06-01 00:00:00"),
        &backups,
    );
    assert_eq!(
        kept_times(&result),
        ["2024-01-10 12:00:00", "2024-01-05 12:00:00"]
    );
}

#[test]
fn the_anchor_ignores_backups_in_the_future() {
    // now = 10 Jan; a backup stamped 20 Jan (clock skew) must not drag the window forward.
    let backups = completed(&[
        "2024-01-04 12:00:00",
        "2024-01-09 12:00:00",
        "2024-01-20 12:00:00",
    ]);
    let result = evaluate(
        &policy(r#"{"keep_within": "7d"}"#),
        Tz::UTC,
        at("2024-01-10 00:00:00"),
        &backups,
    );
    assert_eq!(
        kept_times(&result),
        [
            "2024-01-20 12:00:00",
            "2024-01-09 12:00:00",
            "2024-01-04 12:00:00"
        ]
    );
}
