//! The least-privilege RAM policies in `deploy/ram/` name exactly the Tablestore actions that
//! backup (with verify against the source) and restore send: the emulator counts every request
//! by action, so an action the code starts to use without the policy saying so fails here,
//! not with `OTSNoPermissionAccess` in an operator's first run.

use std::collections::BTreeSet;

use tablevault::emulator::EmulatorStats;
use tablevault::tablestore::Cell;

use crate::harness::{create_indexed_table, rows, table, Env};

/// The `ots:` actions a policy file allows, without the prefix.
pub(crate) fn policy_actions(file: &str) -> BTreeSet<String> {
    let path = format!("{}/deploy/ram/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let policy: serde_json::Value = serde_json::from_str(&text).expect("policy is JSON");
    assert_eq!(policy["Version"], "1");
    let mut actions = BTreeSet::new();
    for statement in policy["Statement"].as_array().expect("statements") {
        assert_eq!(statement["Effect"], "Allow");
        for action in statement["Action"].as_array().expect("actions") {
            let action = action.as_str().expect("action name");
            let name = action.strip_prefix("ots:").expect("ots: prefix");
            assert!(!name.contains('*'), "{file}: no wildcards in {action}");
            actions.insert(name.to_string());
        }
    }
    actions
}

/// The actions requested between two snapshots of the emulator's counters.
pub(crate) fn sent_between(before: &EmulatorStats, after: &EmulatorStats) -> BTreeSet<String> {
    after
        .requests
        .iter()
        .filter(|(action, count)| before.requests.get(*action).copied().unwrap_or(0) < **count)
        .map(|(action, _)| action.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_send_exactly_the_actions_their_ram_policies_allow() {
    let env = Env::start().await;
    env.create_source_table(&table("orders"), &rows(30)).await;
    create_indexed_table(&env, "indexed").await;

    let before = env.emulator.stats();
    let backup = env
        .run(&[
            "backup", "--source", "test", "--store", "local", "--table", "orders", "--table",
            "indexed", "--output", "json",
        ])
        .await;
    assert_eq!(backup.code, 0, "{backup:?}");
    let id = backup.json()["id"].as_str().expect("id").to_string();
    let verify = env
        .run(&[
            "verify",
            "--store",
            "local",
            "--backup",
            &id,
            "--against-source",
            "test",
        ])
        .await;
    assert_eq!(verify.code, 0, "{verify:?}");
    let backup_sent = sent_between(&before, &env.emulator.stats());
    assert_eq!(
        backup_sent,
        policy_actions("tablevault-backup-policy.json"),
        "backup + verify --against-source"
    );

    // Cells a month old: the restore raises the new table's max time deviation at creation and
    // sets it back afterwards (UpdateTable), the path that needs the most permissions.
    let month_ms = 30 * 86_400_000;
    let old: Vec<_> = rows(20)
        .into_iter()
        .map(|mut row| {
            row.cells = row
                .cells
                .into_iter()
                .map(|c| Cell {
                    timestamp: c.timestamp.map(|t| t - month_ms),
                    ..c
                })
                .collect();
            row
        })
        .collect();
    env.write_backup("old", &[(table("orders"), old)]).await;

    let before = env.emulator.stats();
    // The indexed table's indexes are created after its rows (CreateIndex, CreateSearchIndex).
    for (backup, renames) in [
        (
            id.as_str(),
            &["orders=orders_copy", "indexed=indexed_copy"][..],
        ),
        ("old", &["orders=orders_old"][..]),
    ] {
        let mut args = vec![
            "restore", "--store", "local", "--source", "test", "--backup", backup,
        ];
        for rename in renames {
            args.extend(["--rename", rename]);
        }
        let restore = env.run(&args).await;
        assert_eq!(restore.code, 0, "{restore:?}");
    }
    let restore_sent = sent_between(&before, &env.emulator.stats());
    assert_eq!(
        restore_sent,
        policy_actions("tablevault-restore-policy.json"),
        "restore into new tables"
    );
}
