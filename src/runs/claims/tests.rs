//! Which claims may be held together, and how a refusal names the holder in the way.

use super::*;

fn tables(source: &str, t: &[&str]) -> Claim {
    let t: Vec<String> = t.iter().map(|s| s.to_string()).collect();
    Claim::tables(source, &t)
}

#[test]
fn overlapping_claims_conflict_and_disjoint_ones_do_not() {
    let mut runs = ActiveRuns::default();
    let token = CancellationToken::new;
    runs.reserve(RunKind::Backup, vec![tables("s", &["a", "b"])], token())
        .expect("first");
    let reason = runs
        .reserve(RunKind::Backup, vec![tables("s", &["b"])], token())
        .expect_err("same table");
    assert!(reason.contains("table b of source s"), "{reason}");
    runs.reserve(RunKind::Backup, vec![tables("s", &["c"])], token())
        .expect("other table");
    runs.reserve(RunKind::Backup, vec![tables("t", &["a"])], token())
        .expect("other source");
    runs.reserve(RunKind::Backup, vec![tables("t", &[])], token())
        .expect_err("every table of t overlaps t.a");
}

#[test]
fn inspections_share_tables_and_are_kept_apart_from_writers() {
    let mut runs = ActiveRuns::default();
    let token = CancellationToken::new;
    let inspect = |t: &[&str]| {
        let t: Vec<String> = t.iter().map(|s| s.to_string()).collect();
        Claim::inspected_tables("s", &t)
    };
    let dry_run = runs
        .reserve(RunKind::Restore, vec![inspect(&["a"])], token())
        .expect("first dry run");
    runs.reserve(RunKind::Restore, vec![inspect(&["a"])], token())
        .expect("a second dry run of the same table");
    let reason = runs
        .reserve(RunKind::Restore, vec![tables("s", &["a"])], token())
        .expect_err("a write while inspected");
    assert!(reason.contains("table a of source s is in use"), "{reason}");
    runs.reserve(RunKind::Restore, vec![tables("s", &["b"])], token())
        .expect("another table");
    runs.reserve(RunKind::Restore, vec![inspect(&["b"])], token())
        .expect_err("an inspection while written");
    runs.release(dry_run);
}

#[test]
fn readers_share_a_backup_and_deletion_is_exclusive() {
    let mut runs = ActiveRuns::default();
    let token = CancellationToken::new;
    runs.reserve(
        RunKind::Restore,
        vec![Claim::ReadBackup("x".into())],
        token(),
    )
    .expect("reader");
    runs.reserve(
        RunKind::Verify,
        vec![Claim::ReadBackup("x".into())],
        token(),
    )
    .expect("second reader");
    let reason = runs
        .reserve(
            RunKind::RetentionDelete,
            vec![Claim::DeleteBackup("x".into())],
            token(),
        )
        .expect_err("delete while read");
    assert!(reason.contains("backup x is in use"), "{reason}");
}

#[test]
fn a_holder_outside_runs_is_named_in_refusals() {
    let mut runs = ActiveRuns::default();
    let token = CancellationToken::new;
    let deletion = runs
        .reserve(
            Holder::Named("the deletion of backup x".into()),
            vec![Claim::DeleteBackup("x".into())],
            token(),
        )
        .expect("nothing reads x");
    let reason = runs
        .reserve(
            RunKind::Verify,
            vec![Claim::ReadBackup("x".into())],
            token(),
        )
        .expect_err("read while deleted");
    assert_eq!(reason, "backup x is in use by the deletion of backup x");
    runs.release(deletion);
    runs.reserve(
        RunKind::Verify,
        vec![Claim::ReadBackup("x".into())],
        token(),
    )
    .expect("released");
}
