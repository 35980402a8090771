//! `tablevault selftest` through the binary against the emulator: a clean pass removes
//! everything it created, `--keep` keeps it, a lost write is found and fails the run, and an
//! index kind the instance refuses is skipped.

use tablevault::emulator::FaultConfig;
use tablevault::selftest::corpus::corpus;

use crate::harness::Env;
use crate::support::poll::{wait_until, WAIT_LIMIT};
use crate::support::ram_policy::{policy_actions, sent_between};

/// Rows the corpus writes (and a restore must write back).
fn corpus_rows() -> u64 {
    corpus("t", 0).iter().map(|t| t.rows.len() as u64).sum()
}

fn step<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {report}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_run_passes_and_leaves_no_table_and_no_archive_behind() {
    let env = Env::start().await;

    let run = env
        .run(&["selftest", "--source", "test", "--output", "json"])
        .await;

    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    let names: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["create", "write", "indexes", "backup", "restore", "compare", "cleanup"]
    );
    for name in names {
        assert_eq!(step(&report, name)["status"], "ok", "{report}");
    }
    // The emulator allows both index kinds: both were created, backed up, restored and
    // compared (a difference in them would count in difference_count).
    let prefix = report["prefix"].as_str().unwrap();
    assert_eq!(
        report["indexes"],
        serde_json::json!([
            format!("secondary {prefix}_ix_by_city"),
            "search selftest_search"
        ])
    );
    for name in ["write", "backup", "restore"] {
        assert_eq!(step(&report, name)["rows"], corpus_rows(), "{name}");
        assert!(step(&report, name)["rows_per_second"].as_f64().unwrap() > 0.0);
    }
    // Both copies of every row were read back.
    assert_eq!(step(&report, "compare")["rows"], 2 * corpus_rows());
    assert_eq!(report["difference_count"], 0);
    assert_eq!(report["not_ready"].as_array().unwrap().len(), 5);
    assert!(report["answers"]["requests"].as_u64().unwrap() > 0);
    assert!(env.client.list_tables().await.unwrap().is_empty());
    let archive = report["store"]
        .as_str()
        .unwrap()
        .strip_prefix("temporary archive ")
        .expect("a temporary archive by default");
    assert!(
        !std::path::Path::new(archive).exists(),
        "{archive} left behind"
    );
    assert!(env.emulator.request_count("BatchWriteRow") > 0);
}

/// Its RAM policy names exactly the actions it sends, so an operator can grant just that.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_sends_exactly_the_actions_of_its_ram_policy() {
    let env = Env::start().await;
    let before = env.emulator.stats();

    let run = env.run(&["selftest", "--source", "test"]).await;

    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        sent_between(&before, &env.emulator.stats()),
        policy_actions("tablevault-selftest-policy.json")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_leaves_the_tables_and_the_backup_in_place() {
    let env = Env::start().await;

    let run = env
        .run(&["selftest", "--source", "test", "--store", "local", "--keep"])
        .await;

    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("selftest PASSED"), "{}", run.stdout);
    assert!(
        run.stdout.contains("  kept: tablevault_selftest_"),
        "{}",
        run.stdout
    );
    let tables = env.client.list_tables().await.unwrap();
    // Five source tables and their restored copies, besides the secondary index tables.
    let indexed = |t: &&String| t.ends_with("_by_city");
    assert_eq!(
        tables.iter().filter(|t| !indexed(t)).count(),
        10,
        "{tables:?}"
    );
    let index_tables: Vec<&String> = tables.iter().filter(indexed).collect();
    assert!(
        index_tables.len() <= 2,
        "at most the source's index and the copy's: {tables:?}"
    );
    let restored_search = env
        .client
        .list_search_indexes(
            tables
                .iter()
                .find(|t| t.ends_with("_ix_restored"))
                .expect("the restored indexed table"),
        )
        .await
        .unwrap();
    assert_eq!(restored_search, vec!["selftest_search".to_string()]);
    let source = tables
        .iter()
        .find(|t| t.starts_with("tablevault_selftest_") && t.ends_with("_k1"))
        .expect("the one-key source table");
    let rows = env.read_table(source).await;
    assert_eq!(rows.len() as u64, 506);
    assert_eq!(env.read_table(&format!("{source}_restored")).await, rows);
    let backups = env.store().await.list().await.unwrap();
    assert_eq!(backups.len(), 1);
    assert_eq!(backups[0].tables.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_the_instance_lost_during_the_restore_is_found_and_fails_the_run() {
    let env = Env::start().await;
    // The corpus is written with PutRow, the restore with BatchWriteRow: only the restore
    // loses a row, answered as written.
    env.emulator.set_faults(FaultConfig {
        lose_next_batch_rows: 1,
        actions: vec!["BatchWriteRow".into()],
        ..FaultConfig::default()
    });

    let run = env
        .run(&["selftest", "--source", "test", "--output", "json"])
        .await;

    assert_eq!(run.code, 1, "{run:?}");
    let report = run.json();
    assert_eq!(report["difference_count"], 1, "{report}");
    let difference = report["differences"][0].as_str().unwrap();
    assert!(
        difference.contains("_restored row (") && difference.ends_with(": missing"),
        "{difference}"
    );
    let error = run.stderr.lines().last().unwrap();
    assert!(
        error.starts_with("error: selftest tablevault_selftest_"),
        "{error}"
    );
    assert!(
        error.ends_with("failed: 1 difference(s) between what was written and what was read back"),
        "{error}"
    );
    assert_eq!(env.emulator.faults().lose_next_batch_rows, 0);
    assert!(env.client.list_tables().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_kind_the_instance_refuses_is_skipped_and_the_rest_still_compared() {
    let env = Env::start().await;
    // What an instance without search indexes answers.
    env.emulator.set_faults(FaultConfig {
        fail_next: 1,
        error_codes: vec!["OTSOperationForbidden".into()],
        actions: vec!["CreateSearchIndex".into()],
        ..FaultConfig::default()
    });

    let run = env
        .run(&["selftest", "--source", "test", "--output", "json"])
        .await;

    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    let indexes = step(&report, "indexes");
    assert_eq!(indexes["status"], "skipped", "{indexes}");
    let why = indexes["why"].as_str().unwrap();
    assert!(
        why.contains("the instance refused search index selftest_search")
            && why.contains("OTSOperationForbidden"),
        "{why}"
    );
    let prefix = report["prefix"].as_str().unwrap();
    assert_eq!(
        report["indexes"],
        serde_json::json!([format!("secondary {prefix}_ix_by_city")])
    );
    for name in ["backup", "restore", "compare", "cleanup"] {
        assert_eq!(step(&report, name)["status"], "ok", "{report}");
    }
    assert_eq!(report["difference_count"], 0);
    assert!(env.client.list_tables().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_table_that_refuses_writes_is_waited_for_and_the_wait_reported() {
    let env = Env::start().await;
    // What the service answers for a while after CreateTable; only the first table meets it.
    env.emulator.set_faults(FaultConfig {
        fail_next: 3,
        error_codes: vec!["OTSTableNotReady".into()],
        actions: vec!["PutRow".into()],
        ..FaultConfig::default()
    });

    let run = env
        .run(&["selftest", "--source", "test", "--output", "json"])
        .await;

    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    let first = &report["not_ready"][0];
    assert!(first["table"].as_str().unwrap().ends_with("_k1"), "{first}");
    assert_eq!(first["refused_writes"], 3);
    // Three refusals, each followed by a half-second pause before the next probe.
    assert!(first["seconds"].as_f64().unwrap() >= 1.5, "{first}");
    assert_eq!(report["not_ready"][1]["refused_writes"], 0);
    let create = step(&report, "create");
    assert_eq!(
        create["answers"]["errors"]["OTSTableNotReady"], 3,
        "{create}"
    );
    assert_eq!(report["difference_count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_the_restore_stops_it_and_still_deletes_every_table() {
    let env = Env::start().await;
    // A slow restore, so the signal lands while it writes.
    env.emulator.set_faults(FaultConfig {
        latency_ms: 1000,
        actions: vec!["BatchWriteRow".into()],
        ..FaultConfig::default()
    });
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_tablevault"))
        .args(["selftest", "--config"])
        .arg(&env.config)
        .args(["--source", "test"])
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start tablevault");
    let emulator = &env.emulator;
    wait_until("the restore writes", WAIT_LIMIT, || {
        emulator.request_count("BatchWriteRow") > 0
    })
    .await;

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .expect("tablevault exits");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("interrupted") && stdout.contains("cleanup"),
        "{stdout}"
    );
    assert!(
        stderr.trim_end().ends_with(
            "step interrupted failed: stopped by a signal; the step in progress was abandoned"
        ),
        "{stderr}"
    );
    assert!(env.client.list_tables().await.unwrap().is_empty());
}
