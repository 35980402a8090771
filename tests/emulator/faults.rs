//! Fault injection: rates, deterministic counts, dropped connections, latency, batch rows,
//! and the control endpoint.

use tablevault::emulator::{EmulatorConfig, FaultConfig};
use tablevault::tablestore::proto::{self, RowExistenceExpectation as Expect};
use tablevault::tablestore::row::Value;

use crate::batch::{batch, put_item, write};
use crate::client::{int_key, int_table, row, start, start_default};

#[tokio::test]
async fn an_error_rate_of_one_fails_only_the_chosen_action() {
    let faults = FaultConfig {
        error_rate: 1.0,
        actions: vec!["GetRow".into()],
        ..FaultConfig::default()
    };
    let (emulator, client) = start(EmulatorConfig {
        faults,
        ..EmulatorConfig::default()
    })
    .await;
    int_table(&client, "t").await;
    client
        .put("t", &row(int_key(1), vec![("v", Value::Integer(1))]))
        .await
        .unwrap();
    for _ in 0..3 {
        let error = client.get("t", &int_key(1), 1).await.unwrap_err();
        assert_eq!((error.status, error.code.as_str()), (503, "OTSServerBusy"));
    }
    assert_eq!(emulator.stats().injected_errors, 3);
    emulator.set_faults(FaultConfig::default());
    assert!(client.get("t", &int_key(1), 1).await.unwrap().is_some());
}

#[tokio::test]
async fn fail_next_fails_exactly_n_requests_with_the_chosen_codes() {
    let (emulator, client) = start_default().await;
    emulator.set_faults(FaultConfig {
        fail_next: 3,
        error_codes: vec!["OTSNotEnoughCapacityUnit".into(), "OTSTimeout".into()],
        ..FaultConfig::default()
    });
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        let result = client
            .call::<proto::ListTableResponse>("ListTable", &proto::ListTableRequest {})
            .await;
        outcomes.push(result.map(|_| ()).map_err(|e| (e.status, e.code)));
    }
    assert_eq!(
        outcomes,
        [
            Err((403, "OTSNotEnoughCapacityUnit".into())),
            Err((503, "OTSTimeout".into())),
            Err((403, "OTSNotEnoughCapacityUnit".into())),
            Ok(()),
        ]
    );
    assert_eq!(emulator.faults().fail_next, 0);
}

#[tokio::test]
async fn dropped_connections_get_no_response() {
    let (emulator, client) = start_default().await;
    emulator.set_faults(FaultConfig {
        drop_next: 1,
        ..FaultConfig::default()
    });
    let headers = client.signed_headers("ListTable", b"");
    let result = client
        .send_raw(reqwest::Method::POST, "ListTable", vec![], &headers)
        .await;
    assert!(result.is_err(), "the connection closes without a response");
    assert_eq!(emulator.stats().dropped_connections, 1);
    let response = client.post("ListTable", vec![]).await;
    assert_eq!(response.status, 200, "later requests are served");
}

#[tokio::test]
async fn latency_is_added_to_matching_requests() {
    let faults = FaultConfig {
        latency_ms: 5,
        actions: vec!["ListTable".into()],
        ..FaultConfig::default()
    };
    let (emulator, client) = start(EmulatorConfig {
        faults,
        ..EmulatorConfig::default()
    })
    .await;
    int_table(&client, "t").await;
    for _ in 0..2 {
        assert_eq!(client.post("ListTable", vec![]).await.status, 200);
    }
    assert_eq!(
        emulator.stats().delayed_requests,
        2,
        "CreateTable was not delayed"
    );
}

#[tokio::test]
async fn batch_rows_fail_inside_a_200_response() {
    let (emulator, client) = start_default().await;
    int_table(&client, "t").await;
    emulator.set_faults(FaultConfig {
        fail_next_batch_rows: 2,
        ..FaultConfig::default()
    });
    let items = (0..4)
        .map(|i| {
            put_item(
                &row(int_key(i), vec![("v", Value::Integer(i))]),
                Expect::Ignore,
            )
        })
        .collect();
    let response = write(&client, &batch(vec![("t", items)])).await.unwrap();
    let codes: Vec<Option<String>> = response.tables[0]
        .rows
        .iter()
        .map(|r| r.error.as_ref().map(|e| e.code.clone()))
        .collect();
    assert_eq!(
        codes,
        [
            Some("OTSServerBusy".into()),
            Some("OTSServerBusy".into()),
            None,
            None
        ]
    );
    assert!(
        client.get("t", &int_key(0), 1).await.unwrap().is_none(),
        "failed rows are not applied"
    );
    assert!(client.get("t", &int_key(2), 1).await.unwrap().is_some());

    emulator.set_faults(FaultConfig {
        batch_row_failure_rate: 1.0,
        batch_row_error_code: "OTSTimeout".into(),
        ..FaultConfig::default()
    });
    let items = (10..13)
        .map(|i| {
            put_item(
                &row(int_key(i), vec![("v", Value::Integer(i))]),
                Expect::Ignore,
            )
        })
        .collect();
    let response = write(&client, &batch(vec![("t", items)])).await.unwrap();
    assert!(response.tables[0]
        .rows
        .iter()
        .all(|r| !r.is_ok && r.error.as_ref().unwrap().code == "OTSTimeout"));
    assert_eq!(emulator.stats().failed_batch_rows, 5);
}

#[tokio::test]
async fn the_control_endpoint_sets_faults_reports_stats_and_resets() {
    let (emulator, client) = start_default().await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}/_emulator/{path}", emulator.endpoint());
    int_table(&client, "t").await;

    let set = http
        .post(url("faults"))
        .body(r#"{"fail_next": 1, "error_codes": ["OTSServerBusy"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let current: FaultConfig = http
        .get(url("faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current.fail_next, 1);
    assert_eq!(emulator.faults(), current);
    let error = client
        .call::<proto::ListTableResponse>("ListTable", &proto::ListTableRequest {})
        .await
        .unwrap_err();
    assert_eq!(error.code, "OTSServerBusy");

    let bad = http
        .post(url("faults"))
        .body(r#"{"error_rate": 2}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let stats: serde_json::Value = http
        .get(url("stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["requests"]["ListTable"], 1);
    assert_eq!(stats["requests"]["CreateTable"], 1);
    assert_eq!(stats["injected_errors"], 1);
    assert_eq!(stats["tables"], 1);

    let reset: serde_json::Value = http
        .post(url("reset"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reset["tables_dropped"], 1);
    let tables: proto::ListTableResponse = client
        .call("ListTable", &proto::ListTableRequest {})
        .await
        .unwrap();
    assert!(tables.table_names.is_empty());
    assert_eq!(http.get(url("nothing")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn requests_above_the_throttle_rate_get_capacity_errors() {
    let (emulator, client) = start_default().await;
    int_table(&client, "t").await;
    client
        .put("t", &row(int_key(1), vec![("v", Value::Integer(1))]))
        .await
        .unwrap();
    // One request a minute, two at once: the third within the minute is refused.
    emulator.set_faults(FaultConfig {
        actions: vec!["GetRow".into()],
        throttle_requests_per_second: 1.0 / 60.0,
        throttle_burst: 2,
        ..FaultConfig::default()
    });
    for _ in 0..2 {
        assert!(client.get("t", &int_key(1), 1).await.unwrap().is_some());
    }
    let error = client.get("t", &int_key(1), 1).await.unwrap_err();
    assert_eq!(
        (error.status, error.code.as_str()),
        (403, "OTSNotEnoughCapacityUnit")
    );
    assert_eq!(emulator.stats().injected_errors, 1);
    // Other actions are not throttled.
    client
        .put("t", &row(int_key(2), vec![("v", Value::Integer(2))]))
        .await
        .unwrap();
}
