//! A restore run carries its report (the one the CLI prints): a dry run says what it would
//! create and how much it would write, a real restore what it wrote and, with `if_exists:
//! skip`, how many rows it left alone.

use serde_json::{json, Value as Json};

use crate::resources_helpers::{rig, Rig, ORDERS_ROWS};

/// Restores `backup_id`'s orders into `orders_copy` with `extra` fields; the run once it
/// succeeded, and its one reported table.
async fn restore(rig: &Rig, backup_id: &str, extra: Json) -> (Json, Json) {
    let mut body = json!({"backup_id": backup_id, "rename": {"orders": "orders_copy"}});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let run = rig
        .finished_run(&rig.start_run("/api/v1/restores", &body).await)
        .await;
    assert_eq!(run["status"], "succeeded", "{body} → {run}");
    let tables = run["report"]["tables"].as_array().expect("report tables");
    assert_eq!(tables.len(), 1, "{run}");
    let table = tables[0].clone();
    assert_eq!(table["source_table"], "orders", "{run}");
    assert_eq!(table["target_table"], "orders_copy", "{run}");
    (run, table)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_dry_run_reports_what_it_would_write_and_writes_nothing() {
    let rig = rig().await;
    let backup_id = rig.completed_backup().await;

    let (run, table) = restore(&rig, &backup_id, json!({"dry_run": true})).await;
    assert_eq!(run["report"]["dry_run"], true, "{run}");
    assert_eq!(run["report"]["backup_id"], backup_id.as_str(), "{run}");
    assert_eq!(
        table["created"], true,
        "would create the missing table: {run}"
    );
    assert_eq!(table["rows"], ORDERS_ROWS, "{run}");
    assert!(table["bytes"].as_u64().unwrap_or(0) > 0, "{run}");
    let client = rig.app.state.tablestore_client("prod").expect("source");
    let tables = client.list_tables().await.expect("tables");
    assert!(!tables.contains(&"orders_copy".to_string()), "{tables:?}");

    let (run, table) = restore(&rig, &backup_id, json!({})).await;
    assert_eq!(run["report"]["dry_run"], false, "{run}");
    assert_eq!(table["created"], true, "{run}");
    assert_eq!(table["rows"], ORDERS_ROWS, "{run}");

    // Now the target exists and holds every row.
    let (run, table) = restore(
        &rig,
        &backup_id,
        json!({"dry_run": true, "if_exists": "overwrite"}),
    )
    .await;
    assert_eq!(table["created"], false, "the table exists: {run}");
    assert_eq!(table["target_had_rows"], true, "and holds rows: {run}");
    assert_eq!(run["report"]["if_exists"], "overwrite", "{run}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_that_keeps_existing_rows_reports_how_many_it_skipped() {
    let rig = rig().await;
    let backup_id = rig.completed_backup().await;
    restore(&rig, &backup_id, json!({})).await;

    let (run, table) = restore(&rig, &backup_id, json!({"if_exists": "skip"})).await;
    assert_eq!(table["rows_skipped"], ORDERS_ROWS, "{run}");
    assert_eq!(table["created"], false, "{run}");
}

/// A restore's adaptive write rate is a gauge while it runs (`write_batches_allowed` of its
/// progress, reported every progress interval) and 0 once its tables are written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_restore_shows_its_write_rate_in_the_metrics() {
    use tablevault::emulator::FaultConfig;
    use tablevault::tablestore::client::{chunk_writes, RowWrite};
    use tablevault::tablestore::{Cell, PkValue, PrimaryKey, Row, Value};

    let rig = rig().await;
    let client = rig.app.state.tablestore_client("prod").expect("source");
    let writes: Vec<RowWrite> = (1_000..5_000)
        .map(|i| {
            let key = PrimaryKey::new([("id", PkValue::Integer(i))]);
            RowWrite::put(
                "orders",
                Row::new(key, vec![Cell::put("note", Value::Integer(i))]),
            )
        })
        .collect();
    for batch in chunk_writes(writes).expect("batches") {
        client.batch_write(&batch).await.expect("rows written");
    }
    let backup_id = rig.completed_backup().await;
    // 200 ms per write and 4 writes a second: four writers are throttled, and the restore
    // outlasts a few progress intervals (1 s).
    rig._emulator.set_faults(FaultConfig {
        actions: vec!["BatchWriteRow".into()],
        latency_ms: 200,
        throttle_requests_per_second: 4.0,
        throttle_burst: 1,
        ..FaultConfig::default()
    });
    let body = json!({"backup_id": backup_id, "rename": {"orders": "orders_copy"}});
    let run_id = rig.start_run("/api/v1/restores", &body).await;

    let series = "tablevault_restore_write_batches_allowed{source=\"prod\"}";
    let gauge = |text: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(series))
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    let seen = crate::support::poll::poll_until(
        "the write rate to be reported",
        std::time::Duration::from_secs(60),
        || async {
            match gauge(&rig.app.metrics_text().await) {
                Some(rate) if rate > 0.0 => Ok(rate),
                other => Err(format!(
                    "{series} = {other:?}; run {}",
                    rig.get_json(&format!("/api/v1/runs/{run_id}")).await
                )),
            }
        },
    )
    .await;
    let run = rig.finished_run(&run_id).await;
    rig._emulator.set_faults(FaultConfig::default());

    assert_eq!(run["status"], "succeeded", "{run}");
    assert!((1.0..=4.0).contains(&seen), "within engine.writers: {seen}");
    let rate = &run["report"]["tables"][0]["write_rate"];
    assert!(rate["throttled_batches"].as_u64() > Some(0), "{run}");
    assert_eq!(
        gauge(&rig.app.metrics_text().await),
        Some(0.0),
        "a finished restore writes nothing"
    );
}
