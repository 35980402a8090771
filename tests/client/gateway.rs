//! What stands between the client and the service, played by the emulator's switches: an
//! endpoint that moved (301), a load balancer's HTML error page, a proxy that strips the
//! response signature, and GetRange pages that end early with no rows.

use futures::TryStreamExt;
use tablevault::emulator::FaultConfig;
use tablevault::tablestore::client::{
    Direction, RangeRequest, ReadOptions, RowExistence, RowWrite, TablestoreError,
};
use tablevault::tablestore::{Cell, PkValue, PrimaryKey, Row, Value};

use crate::setup::*;

fn key(i: i64) -> PrimaryKey {
    PrimaryKey::new([("id", PkValue::Integer(i))])
}

fn row(i: i64) -> Row {
    Row::new(key(i), vec![Cell::put("v", Value::Integer(i))])
}

fn on(action: &str, f: impl FnOnce(&mut FaultConfig)) -> FaultConfig {
    let mut config = FaultConfig {
        actions: vec![action.into()],
        ..FaultConfig::default()
    };
    f(&mut config);
    config
}

#[tokio::test]
async fn a_redirect_is_reported_as_a_moved_endpoint_and_never_followed() {
    let emulator = default_emulator().await;
    let recorder = Recorder::default();
    let client = recorder.attach(client(&emulator));
    // Pointing back at the emulator: a followed redirect would arrive as a GET.
    let location = format!("{}/ListTable", emulator.endpoint());
    emulator.set_faults(on("ListTable", |f| {
        f.redirect_next = 1;
        f.redirect_location = location.clone();
    }));

    let error = client.list_tables().await.unwrap_err();

    assert!(
        matches!(&error, TablestoreError::Moved { location: l, http_status: 301, .. } if *l == location),
        "{error:?}"
    );
    assert!(error
        .to_string()
        .contains(&format!("endpoint moved to {location}")));
    assert_eq!(emulator.request_count("ListTable"), 1, "not followed");
    assert_eq!(recorder.codes("ListTable"), ["moved"], "not retried");
}

#[tokio::test]
async fn a_2xx_without_signature_is_refused() {
    let emulator = default_emulator().await;
    let recorder = Recorder::default();
    let client = recorder.attach(client(&emulator));
    client.create_table(&int_key_table("t")).await.unwrap();

    // A read may be asked again: the next answer is signed.
    emulator.set_faults(on("GetRow", |f| f.unsigned_next = 1));
    client
        .get_row("t", &key(1), &ReadOptions::latest())
        .await
        .unwrap();
    assert_eq!(recorder.codes("GetRow"), ["invalid_response", "OK"]);

    // A conditional write cannot: the unsigned answer is an error, not a success.
    emulator.set_faults(on("PutRow", |f| f.unsigned_next = 1));
    let error = client
        .put_row("t", &row(1), RowExistence::ExpectNotExist)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, TablestoreError::InvalidResponse { reason, .. } if reason.contains("not from Tablestore")),
        "{error:?}"
    );
    assert_eq!(recorder.codes("PutRow"), ["invalid_response"]);
}

#[tokio::test]
async fn a_gateway_html_page_is_a_clear_http_error() {
    let emulator = default_emulator().await;
    let recorder = Recorder::default();
    let client = recorder.attach(client(&emulator));
    client.create_table(&int_key_table("t")).await.unwrap();

    emulator.set_faults(on("PutRow", |f| f.gateway_error_next = 1));
    let error = client
        .put_row("t", &row(1), RowExistence::ExpectNotExist)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            TablestoreError::HttpStatus {
                http_status: 502,
                ..
            }
        ),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("HTTP 502"), "{text}");
    assert!(text.contains("\"502 Bad Gateway\""), "{text}");
    assert!(
        !text.contains("<html>"),
        "the page itself stays out: {text}"
    );
    assert_eq!(recorder.codes("PutRow"), ["http_status"]);

    // An idempotent call rides it out.
    emulator.set_faults(on("GetRow", |f| f.gateway_error_next = 1));
    client
        .get_row("t", &key(1), &ReadOptions::latest())
        .await
        .unwrap();
    assert_eq!(recorder.codes("GetRow"), ["http_status", "OK"]);
}

#[tokio::test]
async fn a_scan_keeps_going_through_empty_pages_that_repeat_the_start() {
    let emulator = default_emulator().await;
    let recorder = Recorder::default();
    let client = recorder.attach(client(&emulator));
    client.create_table(&int_key_table("t")).await.unwrap();
    let writes: Vec<RowWrite> = (0..30).map(|i| RowWrite::put("t", row(i))).collect();
    assert!(client
        .batch_write(&writes)
        .await
        .unwrap()
        .iter()
        .all(Result::is_ok));
    emulator.set_faults(on("GetRange", |f| f.empty_range_pages_next = 3));

    let mut request = RangeRequest::whole_table("t", ["id"], Direction::Forward);
    request.limit = Some(10);
    let pages: Vec<Vec<Row>> = client.scan(request).try_collect().await.unwrap();

    let ids: Vec<i64> = pages
        .iter()
        .flatten()
        .map(|r| match r.primary_key.columns()[0].value {
            PkValue::Integer(i) => i,
            ref other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, (0..30).collect::<Vec<_>>());
    assert_eq!(recorder.codes("GetRange").len(), 3 + 3, "3 empty + 3 full");
    assert_eq!(emulator.faults().empty_range_pages_next, 0);
}
