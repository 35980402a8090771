//! Calendar buckets in a real time zone: DST changes, ISO weeks across years, month ends, and
//! ties. Europe/Berlin: CET (+01:00) in winter, CEST (+02:00) from the last Sunday of March
//! 02:00 to the last Sunday of October 03:00.

use chrono_tz::Tz;
use tablevault::retention::{Candidate, CandidateStatus};

use crate::builders::{at, berlin, completed, kept, kept_times, plan, policy, removed_times};

#[test]
fn daily_buckets_follow_the_local_calendar_across_spring_forward() {
    // 22:45Z and 23:15Z on 30 March are 23:45 CET on the 30th and 00:15 CET on the 31st (the
    // 23-hour day); 21:30Z and 22:30Z on the 31st are 23:30 CEST on the 31st and 00:30 on 1 April.
    let backups = completed(&[
        "2024-03-30 22:45:00",
        "2024-03-30 23:15:00",
        "2024-03-31 21:30:00",
        "2024-03-31 22:30:00",
    ]);
    let daily = policy(r#"{"keep_daily": 3}"#);

    let local = plan(&daily, berlin(), &backups);
    assert_eq!(
        kept(&local),
        vec![
            (
                "2024-03-31 22:30:00".into(),
                vec!["newest completed".into(), "daily 2024-04-01".into()]
            ),
            (
                "2024-03-31 21:30:00".into(),
                vec!["daily 2024-03-31".into()]
            ),
            (
                "2024-03-30 22:45:00".into(),
                vec!["daily 2024-03-30".into()]
            ),
        ]
    );
    assert_eq!(removed_times(&local), ["2024-03-30 23:15:00"]);

    // The same backups bucketed in UTC fall into two days, so the quota is not filled and the
    // oldest is kept as "oldest daily": the zone really changes the answer.
    let utc = plan(&daily, Tz::UTC, &backups);
    assert_eq!(
        kept_times(&utc),
        [
            "2024-03-31 22:30:00",
            "2024-03-30 23:15:00",
            "2024-03-30 22:45:00"
        ]
    );
    assert_eq!(
        utc.keep[2].reasons[0].to_string(),
        "oldest daily 2024-03-30"
    );
}

#[test]
fn the_25_hour_day_of_fall_back_is_one_daily_period() {
    // 27 October 2024 in Berlin runs from 22:00Z on the 26th to 23:00Z on the 27th.
    let backups = completed(&[
        "2024-10-26 10:00:00", // 12:00 CEST on the 26th
        "2024-10-26 22:30:00", // 00:30 CEST on the 27th
        "2024-10-27 00:30:00", // 02:30 CEST (first pass through 02:xx)
        "2024-10-27 01:30:00", // 02:30 CET (second pass)
        "2024-10-27 22:30:00", // 23:30 CET, still the 27th
    ]);
    let result = plan(&policy(r#"{"keep_daily": 2}"#), berlin(), &backups);
    assert_eq!(
        kept_times(&result),
        ["2024-10-27 22:30:00", "2024-10-26 10:00:00"]
    );
    assert_eq!(result.keep[0].reasons[1].to_string(), "daily 2024-10-27");
    assert_eq!(result.remove.len(), 3);
}

#[test]
fn the_repeated_hour_of_fall_back_is_two_hourly_periods() {
    let backups = completed(&["2024-10-27 00:30:00", "2024-10-27 01:30:00"]);
    let result = plan(&policy(r#"{"keep_hourly": 5}"#), berlin(), &backups);
    assert_eq!(
        kept(&result),
        vec![
            (
                "2024-10-27 01:30:00".into(),
                vec![
                    "newest completed".into(),
                    "hourly 2024-10-27 02:00+01:00".into()
                ]
            ),
            (
                "2024-10-27 00:30:00".into(),
                vec!["hourly 2024-10-27 02:00+02:00".into()]
            ),
        ]
    );
}

#[test]
fn iso_weeks_cross_the_year_boundary() {
    // 2020 has an ISO week 53 running Mon 28 Dec 2020 to Sun 3 Jan 2021.
    let backups = completed(&[
        "2020-12-28 12:00:00",
        "2021-01-03 12:00:00",
        "2021-01-04 12:00:00",
    ]);
    let result = plan(&policy(r#"{"keep_weekly": 2}"#), Tz::UTC, &backups);
    assert_eq!(
        kept(&result),
        vec![
            (
                "2021-01-04 12:00:00".into(),
                vec!["newest completed".into(), "weekly 2021-W01".into()]
            ),
            ("2021-01-03 12:00:00".into(), vec!["weekly 2020-W53".into()]),
        ]
    );
    assert_eq!(removed_times(&result), ["2020-12-28 12:00:00"]);
}

#[test]
fn monday_30_december_2024_is_in_week_1_of_2025_but_in_year_2024() {
    let backups = completed(&[
        "2024-12-29 12:00:00",
        "2024-12-30 12:00:00",
        "2025-01-05 12:00:00",
    ]);
    let weekly = plan(&policy(r#"{"keep_weekly": 2}"#), Tz::UTC, &backups);
    assert_eq!(
        kept_times(&weekly),
        ["2025-01-05 12:00:00", "2024-12-29 12:00:00"]
    );
    assert_eq!(weekly.keep[1].reasons[0].to_string(), "weekly 2024-W52");

    let yearly = plan(&policy(r#"{"keep_yearly": 2}"#), Tz::UTC, &backups);
    assert_eq!(
        kept_times(&yearly),
        ["2025-01-05 12:00:00", "2024-12-30 12:00:00"]
    );
}

#[test]
fn the_local_new_year_starts_before_utc_midnight() {
    // 23:30Z on 31 Dec 2020 is 00:30 on 1 Jan 2021 in Berlin: a new year, same ISO week.
    let backups = completed(&["2020-12-31 22:30:00", "2020-12-31 23:30:00"]);
    let yearly = plan(&policy(r#"{"keep_yearly": 5}"#), berlin(), &backups);
    assert_eq!(yearly.keep[0].reasons[1].to_string(), "yearly 2021");
    assert_eq!(yearly.keep[1].reasons[0].to_string(), "yearly 2020");

    let weekly = plan(&policy(r#"{"keep_weekly": 1}"#), berlin(), &backups);
    assert_eq!(kept_times(&weekly), ["2020-12-31 23:30:00"]);
    assert_eq!(weekly.keep[0].reasons[1].to_string(), "weekly 2020-W53");
}

#[test]
fn month_ends_are_read_in_the_local_zone() {
    // 23:30Z on 31 January is 00:30 on 1 February in Berlin.
    let backups = completed(&[
        "2024-01-31 22:30:00",
        "2024-01-31 23:30:00",
        "2024-02-29 12:00:00",
    ]);
    let result = plan(&policy(r#"{"keep_monthly": 2}"#), berlin(), &backups);
    assert_eq!(
        kept_times(&result),
        ["2024-02-29 12:00:00", "2024-01-31 22:30:00"]
    );
    assert_eq!(result.keep[1].reasons[0].to_string(), "monthly 2024-01");
    assert_eq!(removed_times(&result), ["2024-01-31 23:30:00"]);
}

#[test]
fn ties_are_broken_by_id_whatever_the_input_order() {
    let t = at("2024-05-01 12:00:00");
    let a = Candidate::new("bk_a", t, CandidateStatus::Completed);
    let b = Candidate::new("bk_b", t, CandidateStatus::Completed);
    let last = policy(r#"{"keep_last": 1}"#);
    let forward = plan(&last, Tz::UTC, &[a.clone(), b.clone()]);
    let backward = plan(&last, Tz::UTC, &[b, a]);
    assert_eq!(forward, backward);
    assert_eq!(forward.kept_ids(), ["bk_b"]);
    assert_eq!(forward.removed_ids(), ["bk_a"]);
}
