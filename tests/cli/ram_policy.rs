//! The least-privilege RAM policies in `deploy/ram/` name exactly the Tablestore actions that
//! backup (with verify against the source) and restore send: the emulator counts every request
//! by action, so an action the code starts to use without the policy saying so fails here,
//! not with `OTSNoPermissionAccess` in an operator's first run.

use tablevault::tablestore::Cell;

use crate::harness::{create_indexed_table, rows, table, Env};
use crate::support::ram_policy::{policy_actions, sent_between};

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
