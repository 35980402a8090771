//! The evaluator: restic `forget` semantics over one schedule's backups.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::period::Period;
use super::plan::{
    Candidate, CandidateStatus, KeptBackup, RemovedBackup, RetentionPlan, UntouchedBackup,
};
use super::policy::RetentionPolicy;
use super::reason::{KeepReason, KeepRule};

/// Decides, for every backup of one schedule, whether to keep it (and why) or remove it.
///
/// Pure: the same inputs give the same plan, whatever their order. Backups are ordered newest
/// first by `finished_at`, ties broken by id (descending) so the result does not depend on the
/// order the caller listed them in. See the [module docs](super) for the rules.
pub fn evaluate(
    policy: &RetentionPolicy,
    tz: Tz,
    now: DateTime<Utc>,
    backups: &[Candidate],
) -> RetentionPlan {
    let mut sorted: Vec<&Candidate> = backups.iter().collect();
    sorted.sort_by(|a, b| {
        b.finished_at
            .cmp(&a.finished_at)
            .then_with(|| b.id.cmp(&a.id))
    });
    let completed: Vec<&Candidate> = sorted
        .iter()
        .copied()
        .filter(|c| c.status == CandidateStatus::Completed)
        .collect();

    let mut reasons: Vec<Vec<KeepReason>> = vec![Vec::new(); completed.len()];
    keep_safety_net(policy, now, &completed, &mut reasons);
    keep_last(policy.keep_last, &mut reasons);
    for (period, count, rule) in [
        (Period::Hour, policy.keep_hourly, KeepRule::Hourly),
        (Period::Day, policy.keep_daily, KeepRule::Daily),
        (Period::Week, policy.keep_weekly, KeepRule::Weekly),
        (Period::Month, policy.keep_monthly, KeepRule::Monthly),
        (Period::Year, policy.keep_yearly, KeepRule::Yearly),
    ] {
        keep_calendar(period, count, rule, tz, &completed, &mut reasons);
    }
    keep_within(policy, tz, now, &completed, &mut reasons);

    let mut plan = RetentionPlan::default();
    let mut completed_reasons = reasons.into_iter();
    for candidate in sorted {
        match candidate.status {
            CandidateStatus::Completed => {
                let reasons = completed_reasons.next().unwrap_or_default();
                if reasons.is_empty() {
                    plan.remove.push(removed(candidate));
                } else {
                    plan.keep.push(KeptBackup {
                        id: candidate.id.clone(),
                        finished_at: candidate.finished_at,
                        reasons,
                    });
                }
            }
            CandidateStatus::Failed if policy.remove_failed => plan.remove.push(removed(candidate)),
            CandidateStatus::Failed | CandidateStatus::Busy => {
                plan.untouched.push(UntouchedBackup {
                    id: candidate.id.clone(),
                    finished_at: candidate.finished_at,
                    status: candidate.status,
                })
            }
        }
    }
    plan
}

fn removed(candidate: &Candidate) -> RemovedBackup {
    RemovedBackup {
        id: candidate.id.clone(),
        finished_at: candidate.finished_at,
        status: candidate.status,
    }
}

/// The rules no policy can switch off: the newest completed backup, everything when there are
/// no rules, and backups stamped after `now`.
fn keep_safety_net(
    policy: &RetentionPolicy,
    now: DateTime<Utc>,
    completed: &[&Candidate],
    reasons: &mut [Vec<KeepReason>],
) {
    if let Some(newest) = reasons.first_mut() {
        newest.push(KeepReason::new(KeepRule::NewestCompleted));
    }
    let no_rules = policy.has_no_rules();
    for (candidate, reasons) in completed.iter().zip(reasons.iter_mut()) {
        if candidate.finished_at > now {
            reasons.push(KeepReason::new(KeepRule::Future));
        }
        if no_rules {
            reasons.push(KeepReason::new(KeepRule::NoRules));
        }
    }
}

fn keep_last(count: u32, reasons: &mut [Vec<KeepReason>]) {
    for (rank, reasons) in reasons.iter_mut().take(count as usize).enumerate() {
        reasons.push(KeepReason::with_detail(
            KeepRule::Last,
            (rank + 1).to_string(),
        ));
    }
}

/// Walking newest to oldest, the first backup of each new period is kept until `count` periods
/// are filled. If quota is left when the list ends, the oldest backup is kept as well (restic's
/// "oldest" rule), so a young schedule keeps its whole reachable history.
fn keep_calendar(
    period: Period,
    count: u32,
    rule: KeepRule,
    tz: Tz,
    completed: &[&Candidate],
    reasons: &mut [Vec<KeepReason>],
) {
    let mut left = count;
    let mut last_label: Option<String> = None;
    let oldest = completed.len().saturating_sub(1);
    for (index, candidate) in completed.iter().enumerate() {
        if left == 0 {
            break;
        }
        let label = period.label(candidate.finished_at, tz);
        let new_period = last_label.as_deref() != Some(label.as_str());
        if new_period || index == oldest {
            let mut reason = KeepReason::with_detail(rule, label.clone());
            reason.oldest = !new_period;
            reasons[index].push(reason);
            left -= 1;
            last_label = Some(label);
        }
    }
}

/// Keeps everything that finished within the span before the newest completed backup that is
/// not in the future (or before `now` if all are). Anchoring on the newest backup rather than
/// on `now` is restic's choice and ours: when backups stop succeeding, a `7d` window must not
/// slide past the last good week and delete it.
fn keep_within(
    policy: &RetentionPolicy,
    tz: Tz,
    now: DateTime<Utc>,
    completed: &[&Candidate],
    reasons: &mut [Vec<KeepReason>],
) {
    let Some(within) = policy.keep_within else {
        return;
    };
    let anchor = completed
        .iter()
        .map(|c| c.finished_at)
        .find(|t| *t <= now)
        .unwrap_or(now);
    let start = within.start_before(anchor, tz);
    let detail = within.to_string();
    for (candidate, reasons) in completed.iter().zip(reasons.iter_mut()) {
        if candidate.finished_at > start {
            reasons.push(KeepReason::with_detail(KeepRule::Within, detail.clone()));
        }
    }
}
