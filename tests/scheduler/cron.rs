//! Cron parsing and next-run golden tables across DST changes (Europe/Berlin and
//! America/New_York, 2026). Every row is written in UTC *and* local time, so a reader can
//! check it without a zone database.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tablevault::scheduler::{CronError, CronSchedule};

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .with_timezone(&Utc)
}

/// The next fire times after `from`, as local RFC 3339 strings (offset shows the DST side).
fn upcoming(expr: &str, tz: Tz, from: &str, count: usize) -> Vec<String> {
    let cron = CronSchedule::parse(expr, tz).expect("valid expression");
    cron.upcoming(utc(from), count)
        .into_iter()
        .map(|t| t.with_timezone(&tz).to_rfc3339())
        .collect()
}

#[test]
fn five_fields_mean_second_zero_and_six_fields_start_with_seconds() {
    let five = CronSchedule::parse("*/15 * * * *", Tz::UTC).expect("5 fields");
    let times = five.upcoming(utc("2026-01-01T10:07:30Z"), 3);
    assert_eq!(
        times,
        [
            utc("2026-01-01T10:15:00Z"),
            utc("2026-01-01T10:30:00Z"),
            utc("2026-01-01T10:45:00Z")
        ]
    );
    let six = CronSchedule::parse("10 */15 * * * *", Tz::UTC).expect("6 fields");
    let times = six.upcoming(utc("2026-01-01T10:07:30Z"), 2);
    assert_eq!(
        times,
        [utc("2026-01-01T10:15:10Z"), utc("2026-01-01T10:30:10Z")]
    );
    let names = CronSchedule::parse("0 3 * * MON-FRI", Tz::UTC).expect("weekday names");
    // 2026-01-02 is a Friday: next are Fri 03:00 and Mon 03:00.
    assert_eq!(
        names.upcoming(utc("2026-01-01T12:00:00Z"), 2),
        [utc("2026-01-02T03:00:00Z"), utc("2026-01-05T03:00:00Z")]
    );
}

#[test]
fn invalid_expressions_are_refused_with_a_clear_message() {
    let cases: [(&str, &str); 10] = [
        ("", "has 0 field(s)"),
        ("* * * *", "has 4 field(s); expected 5"),
        ("0 0 * * * * 2026", "has 7 field(s)"),
        ("61 * * * *", "is invalid: minute field \"61\": "),
        ("* 25 * * *", "is invalid: hour field \"25\": "),
        ("0 0 0 * *", "is invalid: day-of-month field \"0\": "),
        ("0 0 1 13 *", "is invalid: month field \"13\": "),
        ("0 0 * * 9", "is invalid: day-of-week field \"9\": "),
        ("60 0 0 * * *", "is invalid: second field \"60\": "),
        ("0 0 30 2 *", "never fires"),
    ];
    for (expr, expected) in cases {
        let error = CronSchedule::parse(expr, Tz::UTC).expect_err(expr);
        let text = error.to_string();
        assert!(text.contains(expected), "{expr:?}: {text}");
        assert!(
            text.contains(&format!("{expr:?}")),
            "names the expression: {text}"
        );
    }
    assert!(matches!(
        CronSchedule::parse("@daily", Tz::UTC),
        Err(CronError::FieldCount { found: 1, .. })
    ));
}

#[test]
fn berlin_spring_gap_moves_a_fixed_time_to_the_end_of_the_gap() {
    // 2026-03-29: 02:00 CET → 03:00 CEST; 02:30 does not exist that day.
    assert_eq!(
        upcoming(
            "30 2 * * *",
            chrono_tz::Europe::Berlin,
            "2026-03-27T12:00:00Z",
            3
        ),
        [
            "2026-03-28T02:30:00+01:00",
            "2026-03-29T03:00:00+02:00",
            "2026-03-30T02:30:00+02:00",
        ]
    );
}

#[test]
fn berlin_spring_gap_has_no_ticks_for_an_interval_expression() {
    assert_eq!(
        upcoming(
            "*/30 * * * *",
            chrono_tz::Europe::Berlin,
            "2026-03-29T00:00:00Z",
            4
        ),
        [
            "2026-03-29T01:30:00+01:00",
            "2026-03-29T03:00:00+02:00",
            "2026-03-29T03:30:00+02:00",
            "2026-03-29T04:00:00+02:00",
        ]
    );
}

#[test]
fn berlin_autumn_repeat_fires_a_fixed_time_once() {
    // 2026-10-25: 03:00 CEST → 02:00 CET; 02:00–02:59 happens twice.
    assert_eq!(
        upcoming(
            "30 2 * * *",
            chrono_tz::Europe::Berlin,
            "2026-10-23T12:00:00Z",
            3
        ),
        [
            "2026-10-24T02:30:00+02:00",
            "2026-10-25T02:30:00+02:00",
            "2026-10-26T02:30:00+01:00",
        ]
    );
}

#[test]
fn berlin_autumn_repeat_keeps_an_hourly_cadence() {
    assert_eq!(
        upcoming(
            "0 * * * *",
            chrono_tz::Europe::Berlin,
            "2026-10-24T23:30:00Z",
            3
        ),
        [
            "2026-10-25T02:00:00+02:00",
            "2026-10-25T02:00:00+01:00",
            "2026-10-25T03:00:00+01:00",
        ]
    );
}

#[test]
fn new_york_spring_gap_with_seconds() {
    // 2026-03-08: 02:00 EST → 03:00 EDT.
    assert_eq!(
        upcoming(
            "15 30 2 * * *",
            chrono_tz::America::New_York,
            "2026-03-07T12:00:00Z",
            2
        ),
        ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:15-04:00"]
    );
}

#[test]
fn new_york_autumn_repeat_fires_a_fixed_time_once() {
    // 2026-11-01: 02:00 EDT → 01:00 EST; 01:00–01:59 happens twice.
    assert_eq!(
        upcoming(
            "30 1 * * *",
            chrono_tz::America::New_York,
            "2026-10-30T12:00:00Z",
            3
        ),
        [
            "2026-10-31T01:30:00-04:00",
            "2026-11-01T01:30:00-04:00",
            "2026-11-02T01:30:00-05:00",
        ]
    );
}

#[test]
fn new_york_autumn_repeat_every_twenty_minutes_runs_both_passes() {
    assert_eq!(
        upcoming(
            "*/20 1 * * *",
            chrono_tz::America::New_York,
            "2026-11-01T05:00:00Z",
            6
        ),
        [
            "2026-11-01T01:20:00-04:00",
            "2026-11-01T01:40:00-04:00",
            "2026-11-01T01:00:00-05:00",
            "2026-11-01T01:20:00-05:00",
            "2026-11-01T01:40:00-05:00",
            "2026-11-02T01:00:00-05:00",
        ]
    );
}

#[test]
fn expected_interval_is_the_gap_between_the_next_two_ticks() {
    let cases = [
        ("*/15 * * * *", Tz::UTC, 900),
        ("0 3 * * *", Tz::UTC, 86_400),
        ("0 3 * * 1", Tz::UTC, 7 * 86_400),
        ("30 */10 * * * *", Tz::UTC, 600),
    ];
    for (expr, tz, seconds) in cases {
        let cron = CronSchedule::parse(expr, tz).expect(expr);
        let interval = cron.expected_interval(utc("2026-06-01T00:00:00Z"));
        assert_eq!(interval.map(|d| d.as_secs()), Some(seconds), "{expr}");
    }
    // Across the spring gap a daily 02:30 job's interval is 23.5 real hours: 02:30 CET, then
    // (moved out of the gap) 03:00 CEST the next day.
    let berlin = CronSchedule::parse("30 2 * * *", chrono_tz::Europe::Berlin).expect("valid");
    let interval = berlin.expected_interval(utc("2026-03-27T12:00:00Z"));
    assert_eq!(interval.map(|d| d.as_secs()), Some(23 * 3600 + 1800));
}
