//! restic's own scenarios: the snapshot times of its `TestApplyPolicy` and the keep sets of its
//! golden files (`internal/data/testdata/policy_keep_snapshots_*`), plus the 12-Sundays example
//! from its `forget` documentation. All in UTC, where restic's buckets and ours coincide.

use chrono_tz::Tz;

use crate::builders::{completed, kept, kept_times, plan, policy};

/// The 100 snapshot times restic's policy tests run on (note the ties on 2015-10-22).
const RESTIC_TIMES: &[&str] = &[
    "2014-09-01 10:20:30",
    "2014-09-02 10:20:30",
    "2014-09-05 10:20:30",
    "2014-09-06 10:20:30",
    "2014-09-08 10:20:30",
    "2014-09-09 10:20:30",
    "2014-09-10 10:20:30",
    "2014-09-11 10:20:30",
    "2014-09-20 10:20:30",
    "2014-09-22 10:20:30",
    "2014-08-08 10:20:30",
    "2014-08-10 10:20:30",
    "2014-08-12 10:20:30",
    "2014-08-13 10:20:30",
    "2014-08-13 10:20:30.1",
    "2014-08-15 10:20:30",
    "2014-08-18 10:20:30",
    "2014-08-20 10:20:30",
    "2014-08-21 10:20:30",
    "2014-08-22 10:20:30",
    "2014-10-01 10:20:30",
    "2014-10-02 10:20:30",
    "2014-10-05 10:20:30",
    "2014-10-06 10:20:30",
    "2014-10-08 10:20:30",
    "2014-10-09 10:20:30",
    "2014-10-10 10:20:30",
    "2014-10-11 10:20:30",
    "2014-10-20 10:20:30",
    "2014-10-22 10:20:30",
    "2014-11-08 10:20:30",
    "2014-11-10 10:20:30",
    "2014-11-12 10:20:30",
    "2014-11-13 10:20:30",
    "2014-11-13 10:20:30.1",
    "2014-11-15 10:20:30",
    "2014-11-18 10:20:30",
    "2014-11-20 10:20:30",
    "2014-11-21 10:20:30",
    "2014-11-22 10:20:30",
    "2015-09-01 10:20:30",
    "2015-09-02 10:20:30",
    "2015-09-05 10:20:30",
    "2015-09-06 10:20:30",
    "2015-09-08 10:20:30",
    "2015-09-09 10:20:30",
    "2015-09-10 10:20:30",
    "2015-09-11 10:20:30",
    "2015-09-20 10:20:30",
    "2015-09-22 10:20:30",
    "2015-08-08 10:20:30",
    "2015-08-10 10:20:30",
    "2015-08-12 10:20:30",
    "2015-08-13 10:20:30",
    "2015-08-13 10:20:30.1",
    "2015-08-15 10:20:30",
    "2015-08-18 10:20:30",
    "2015-08-20 10:20:30",
    "2015-08-21 10:20:30",
    "2015-08-22 10:20:30",
    "2015-10-01 10:20:30",
    "2015-10-02 10:20:30",
    "2015-10-05 10:20:30",
    "2015-10-06 10:20:30",
    "2015-10-08 10:20:30",
    "2015-10-09 10:20:30",
    "2015-10-10 10:20:30",
    "2015-10-11 10:20:30",
    "2015-10-20 10:20:30",
    "2015-10-22 10:20:30",
    "2015-10-22 10:20:30",
    "2015-10-22 10:20:30",
    "2015-10-22 10:20:30",
    "2015-10-22 10:20:30",
    "2015-11-08 10:20:30",
    "2015-11-10 10:20:30",
    "2015-11-12 10:20:30",
    "2015-11-13 10:20:30",
    "2015-11-13 10:20:30.1",
    "2015-11-15 10:20:30",
    "2015-11-18 10:20:30",
    "2015-11-20 10:20:30",
    "2015-11-21 10:20:30",
    "2015-11-22 10:20:30",
    "2016-01-01 01:02:03",
    "2016-01-01 01:03:03",
    "2016-01-01 07:08:03",
    "2016-01-03 07:02:03",
    "2016-01-04 10:23:03",
    "2016-01-04 11:23:03",
    "2016-01-04 12:23:03",
    "2016-01-04 12:24:03",
    "2016-01-04 12:28:03",
    "2016-01-04 12:30:03",
    "2016-01-04 16:23:03",
    "2016-01-05 09:02:03",
    "2016-01-06 08:02:03",
    "2016-01-07 10:02:03",
    "2016-01-08 20:02:03",
    "2016-01-09 21:02:03",
    "2016-01-12 21:02:03",
    "2016-01-12 21:08:03",
    "2016-01-18 12:02:03",
];

fn restic(json: &str) -> Vec<(String, Vec<String>)> {
    kept(&plan(&policy(json), Tz::UTC, &completed(RESTIC_TIMES)))
}

fn row(time: &str, reasons: &[&str]) -> (String, Vec<String>) {
    (
        time.to_string(),
        reasons.iter().map(|r| r.to_string()).collect(),
    )
}

#[test]
fn keep_yearly_10_fills_three_years_then_keeps_the_oldest() {
    // restic policy_keep_snapshots_16: three yearly snapshots and the "oldest yearly snapshot".
    assert_eq!(
        restic(r#"{"keep_yearly": 10}"#),
        vec![
            row("2016-01-18 12:02:03", &["newest completed", "yearly 2016"]),
            row("2015-11-22 10:20:30", &["yearly 2015"]),
            row("2014-11-22 10:20:30", &["yearly 2014"]),
            row("2014-08-08 10:20:30", &["oldest yearly 2014"]),
        ]
    );
}

#[test]
fn daily_weekly_monthly_rules_are_independent_and_ored() {
    // restic policy_keep_snapshots_15 (daily 2, weekly 2, monthly 6): seven kept, the newest
    // satisfying three rules at once.
    assert_eq!(
        restic(r#"{"keep_daily": 2, "keep_weekly": 2, "keep_monthly": 6}"#),
        vec![
            row(
                "2016-01-18 12:02:03",
                &[
                    "newest completed",
                    "daily 2016-01-18",
                    "weekly 2016-W03",
                    "monthly 2016-01"
                ]
            ),
            row(
                "2016-01-12 21:08:03",
                &["daily 2016-01-12", "weekly 2016-W02"]
            ),
            row("2015-11-22 10:20:30", &["monthly 2015-11"]),
            row("2015-10-22 10:20:30", &["monthly 2015-10"]),
            row("2015-09-22 10:20:30", &["monthly 2015-09"]),
            row("2015-08-22 10:20:30", &["monthly 2015-08"]),
            row("2014-11-22 10:20:30", &["monthly 2014-11"]),
        ]
    );
}

#[test]
fn keep_within_7d_is_measured_from_the_newest_backup() {
    // restic policy_keep_snapshots_23: the run happens years later, yet the three snapshots of
    // the last 7 days *before the newest snapshot* are kept.
    assert_eq!(
        restic(r#"{"keep_within": "7d"}"#),
        vec![
            row("2016-01-18 12:02:03", &["newest completed", "within 7d"]),
            row("2016-01-12 21:08:03", &["within 7d"]),
            row("2016-01-12 21:02:03", &["within 7d"]),
        ]
    );
}

#[test]
fn keep_last_keeps_the_newest_n_including_ties() {
    let kept = restic(r#"{"keep_last": 10}"#);
    let times: Vec<&str> = kept.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        times,
        [
            "2016-01-18 12:02:03",
            "2016-01-12 21:08:03",
            "2016-01-12 21:02:03",
            "2016-01-09 21:02:03",
            "2016-01-08 20:02:03",
            "2016-01-07 10:02:03",
            "2016-01-06 08:02:03",
            "2016-01-05 09:02:03",
            "2016-01-04 16:23:03",
            "2016-01-04 12:30:03",
        ]
    );
    assert_eq!(kept[9].1, vec!["last 10"]);
}

#[test]
fn keep_monthly_6_takes_the_last_backup_of_each_month() {
    let times: Vec<String> = restic(r#"{"keep_monthly": 6}"#)
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(
        times,
        [
            "2016-01-18 12:02:03",
            "2015-11-22 10:20:30",
            "2015-10-22 10:20:30",
            "2015-09-22 10:20:30",
            "2015-08-22 10:20:30",
            "2014-11-22 10:20:30",
        ]
    );
}

#[test]
fn restic_docs_twelve_sundays_keep_daily_4() {
    // doc/060_forget.rst: one backup every Sunday for 12 weeks; keep-daily 4 keeps the last
    // four Sundays (the quota fills, so no "oldest" extra).
    let sundays = [
        "2019-09-01 11:00:00",
        "2019-09-08 11:00:00",
        "2019-09-15 11:00:00",
        "2019-09-22 11:00:00",
        "2019-09-29 11:00:00",
        "2019-10-06 11:00:00",
        "2019-10-13 11:00:00",
        "2019-10-20 11:00:00",
        "2019-10-27 11:00:00",
        "2019-11-03 11:00:00",
        "2019-11-10 11:00:00",
        "2019-11-17 11:00:00",
    ];
    let result = plan(
        &policy(r#"{"keep_daily": 4}"#),
        Tz::UTC,
        &completed(&sundays),
    );
    assert_eq!(
        kept_times(&result),
        [
            "2019-11-17 11:00:00",
            "2019-11-10 11:00:00",
            "2019-11-03 11:00:00",
            "2019-10-27 11:00:00"
        ]
    );
    assert_eq!(result.remove.len(), 8);
}
