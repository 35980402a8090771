//! Properties over random backup lists, policies, zones and clocks.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use tablevault::retention::{evaluate, Candidate, CandidateStatus, KeepRule, RetentionPolicy};

use crate::builders::at;

fn status() -> impl Strategy<Value = CandidateStatus> {
    prop_oneof![
        6 => Just(CandidateStatus::Completed),
        2 => Just(CandidateStatus::Failed),
        1 => Just(CandidateStatus::Busy),
    ]
}

/// Up to 60 backups within three years of 2023-01-01, minute resolution, so ties, DST days
/// and year ends all occur.
fn backups() -> impl Strategy<Value = Vec<Candidate>> {
    prop::collection::vec((0u32..3 * 365 * 24 * 60, status()), 0..60).prop_map(|items| {
        let base = at("2023-01-01 00:00:00");
        items
            .into_iter()
            .enumerate()
            .map(|(i, (minutes, status))| {
                let when = base + Duration::minutes(i64::from(minutes) / 7 * 7);
                Candidate::new(format!("b{i:02}"), when, status)
            })
            .collect()
    })
}

fn policies() -> impl Strategy<Value = RetentionPolicy> {
    (
        prop::array::uniform6(prop_oneof![3 => Just(0u32), 2 => 1u32..6]),
        prop::option::of(prop::sample::select(vec![
            "36h", "7d", "1m", "1y2m3d4h", "2w",
        ])),
        any::<bool>(),
    )
        .prop_map(|(counts, within, remove_failed)| RetentionPolicy {
            keep_last: counts[0],
            keep_hourly: counts[1],
            keep_daily: counts[2],
            keep_weekly: counts[3],
            keep_monthly: counts[4],
            keep_yearly: counts[5],
            keep_within: within.map(|w| w.parse().expect("valid span")),
            remove_failed,
        })
}

fn zones() -> impl Strategy<Value = Tz> {
    prop::sample::select(vec![
        Tz::UTC,
        chrono_tz::Europe::Berlin,
        chrono_tz::America::New_York,
        chrono_tz::Australia::Lord_Howe, // half-hour DST shift
        chrono_tz::Pacific::Chatham,     // +12:45 / +13:45
    ])
}

fn clocks() -> impl Strategy<Value = DateTime<Utc>> {
    // Sometimes before the newest backups, so "future" backups occur.
    (0i64..4 * 365).prop_map(|days| at("2023-01-01 00:00:00") + Duration::days(days))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_backup_is_decided_once_and_every_keeper_has_a_reason(
        backups in backups(), policy in policies(), tz in zones(), now in clocks(),
    ) {
        let plan = evaluate(&policy, tz, now, &backups);
        let mut seen = HashSet::new();
        let decided = plan.keep.iter().map(|k| &k.id)
            .chain(plan.remove.iter().map(|r| &r.id))
            .chain(plan.untouched.iter().map(|u| &u.id));
        for id in decided {
            prop_assert!(seen.insert(id.clone()), "{} decided twice", id);
        }
        prop_assert_eq!(seen.len(), backups.len());
        for kept in &plan.keep {
            prop_assert!(!kept.reasons.is_empty(), "{} kept without a reason", kept.id);
            let status = backups.iter().find(|b| b.id == kept.id).map(|b| b.status);
            prop_assert_eq!(status, Some(CandidateStatus::Completed));
        }
        for removed in &plan.remove {
            prop_assert!(removed.status != CandidateStatus::Busy);
            prop_assert!(removed.status == CandidateStatus::Completed || policy.remove_failed);
        }
    }

    #[test]
    fn the_newest_completed_backup_is_always_kept(
        backups in backups(), policy in policies(), tz in zones(), now in clocks(),
    ) {
        let plan = evaluate(&policy, tz, now, &backups);
        let newest = backups
            .iter()
            .filter(|b| b.status == CandidateStatus::Completed)
            .max_by(|a, b| a.finished_at.cmp(&b.finished_at).then_with(|| a.id.cmp(&b.id)));
        if let Some(newest) = newest {
            let reasons = plan.reasons(&newest.id);
            prop_assert!(reasons.is_some(), "newest completed {} not kept", newest.id);
            let rules: Vec<KeepRule> = reasons.unwrap_or_default().iter().map(|r| r.rule).collect();
            prop_assert!(rules.contains(&KeepRule::NewestCompleted));
        } else {
            prop_assert!(plan.keep.is_empty());
        }
    }

    #[test]
    fn applying_a_plan_twice_removes_nothing_more(
        backups in backups(), policy in policies(), tz in zones(), now in clocks(),
    ) {
        let first = evaluate(&policy, tz, now, &backups);
        let survivors: Vec<Candidate> = backups
            .iter()
            .filter(|b| !first.remove.iter().any(|r| r.id == b.id))
            .cloned()
            .collect();
        let second = evaluate(&policy, tz, now, &survivors);
        prop_assert!(second.remove.is_empty(), "second pass removed {:?}", second.removed_ids());
        prop_assert_eq!(first.kept_ids(), second.kept_ids());
    }

    #[test]
    fn calendar_rules_keep_no_more_than_their_quotas(
        backups in backups(), policy in policies(), tz in zones(),
    ) {
        prop_assume!(policy.keep_within.is_none() && !policy.has_no_rules());
        let plan = evaluate(&policy, tz, at("2100-01-01 00:00:00"), &backups);
        let quota = 1 + policy.keep_last + policy.keep_hourly + policy.keep_daily
            + policy.keep_weekly + policy.keep_monthly + policy.keep_yearly;
        prop_assert!(plan.keep.len() as u32 <= quota);
    }

    #[test]
    fn input_order_does_not_matter(
        backups in backups(), policy in policies(), tz in zones(), now in clocks(),
    ) {
        let mut reversed = backups.clone();
        reversed.reverse();
        prop_assert_eq!(evaluate(&policy, tz, now, &backups), evaluate(&policy, tz, now, &reversed));
    }
}
