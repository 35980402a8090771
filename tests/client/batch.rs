//! BatchWriteRow: limits checked before sending, per-row results in request order, and only
//! the failed rows resent.

use futures::StreamExt;
use tablevault::emulator::FaultConfig;
use tablevault::tablestore::client::{
    chunk_writes, encoded_write_size, Client, Direction, RangeRequest, RowExistence, RowWrite,
    TablestoreError, MAX_BATCH_BYTES, MAX_BATCH_ROWS,
};
use tablevault::tablestore::{codes, Cell, PkValue, PrimaryKey, Row, Value};

use crate::setup::*;

fn row(i: i64, payload: usize) -> Row {
    Row::new(
        PrimaryKey::new([("id", PkValue::Integer(i))]),
        vec![Cell::put(
            "v",
            Value::Binary(vec![(i % 251) as u8; payload]),
        )],
    )
}

fn puts(table: &str, range: std::ops::Range<i64>, payload: usize) -> Vec<RowWrite> {
    range
        .map(|i| RowWrite::put(table, row(i, payload)))
        .collect()
}

async fn count_rows(client: &Client, table: &str) -> usize {
    let request = RangeRequest::whole_table(table, ["id"], Direction::Forward);
    let pages: Vec<_> = client.scan(request).collect().await;
    pages.into_iter().map(|p| p.unwrap().len()).sum()
}

#[tokio::test]
async fn oversized_batches_are_refused_before_sending() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    client.create_table(&int_key_table("t")).await.unwrap();

    let too_many = client
        .batch_write(&puts("t", 0..201, 10))
        .await
        .unwrap_err();
    assert!(
        matches!(&too_many, TablestoreError::InvalidRequest(m) if m.contains("200")),
        "{too_many}"
    );
    let too_big = client
        .batch_write(&puts("t", 0..5, 1_000_000))
        .await
        .unwrap_err();
    assert!(
        matches!(&too_big, TablestoreError::InvalidRequest(m) if m.contains("bytes")),
        "{too_big}"
    );
    let mut twice = puts("t", 0..3, 10);
    twice.push(RowWrite::put("t", row(1, 10)));
    let duplicate = client.batch_write(&twice).await.unwrap_err();
    assert!(matches!(duplicate, TablestoreError::InvalidRequest(_)));
    assert_eq!(emulator.request_count("BatchWriteRow"), 0);
    assert!(client.batch_write(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn chunks_are_valid_batches_and_keep_order() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    client.create_table(&int_key_table("t")).await.unwrap();

    let mut writes = puts("t", 0..1000, 16);
    writes.extend(puts("t", 1000..1012, 1_500_000));
    writes.push(RowWrite::put("t", row(3, 8))); // rewrites row 3 in a later batch
    let total = writes.len();
    let batches = chunk_writes(writes.clone()).unwrap();
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    assert_eq!(&sizes[..5], [MAX_BATCH_ROWS; 5]);
    assert!(batches
        .iter()
        .all(|b| b.iter().map(encoded_write_size).sum::<usize>() <= MAX_BATCH_BYTES));
    assert_eq!(
        batches.concat(),
        writes,
        "chunking keeps every write, in order"
    );
    for batch in &batches {
        let results = client.batch_write(batch).await.unwrap();
        assert!(results.iter().all(Result::is_ok));
    }
    assert_eq!(count_rows(&client, "t").await, total - 1);
    assert_eq!(
        emulator.request_count("BatchWriteRow"),
        batches.len() as u64
    );

    let same_key = vec![RowWrite::put("t", row(1, 8)), RowWrite::put("t", row(1, 9))];
    assert_eq!(
        chunk_writes(same_key).unwrap().len(),
        2,
        "a repeated key starts a new batch"
    );

    let huge = vec![RowWrite::put("t", row(0, MAX_BATCH_BYTES))];
    assert!(matches!(
        chunk_writes(huge),
        Err(TablestoreError::InvalidRequest(_))
    ));
}

#[tokio::test]
async fn only_failed_rows_are_resent() {
    let emulator = default_emulator().await;
    let recorder = Recorder::default();
    let client = recorder.attach(client(&emulator));
    client.create_table(&int_key_table("t")).await.unwrap();
    emulator.set_faults(FaultConfig {
        fail_next_batch_rows: 7,
        batch_row_error_code: codes::NOT_ENOUGH_CAPACITY.into(),
        ..FaultConfig::default()
    });

    let results = client.batch_write(&puts("t", 0..150, 32)).await.unwrap();
    assert_eq!(results.len(), 150);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let stats = emulator.stats();
    assert_eq!(stats.failed_batch_rows, 7);
    assert_eq!(
        emulator.request_count("BatchWriteRow"),
        2,
        "one request, one resend"
    );
    assert_eq!(recorder.codes("BatchWriteRow"), ["OK", "OK"]);
    assert_eq!(count_rows(&client, "t").await, 150);
}

#[tokio::test]
async fn random_row_failures_converge() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    client.create_table(&int_key_table("t")).await.unwrap();
    emulator.set_faults(FaultConfig {
        batch_row_failure_rate: 0.3,
        seed: Some(42),
        ..FaultConfig::default()
    });
    let results = client.batch_write(&puts("t", 0..200, 64)).await.unwrap();
    assert!(results.iter().all(Result::is_ok));
    let failed = emulator.stats().failed_batch_rows;
    assert!(failed > 0);
    let requests = emulator.request_count("BatchWriteRow");
    assert!(requests > 1);
    emulator.set_faults(FaultConfig::default());
    assert_eq!(count_rows(&client, "t").await, 200);
}

#[tokio::test]
async fn non_retryable_row_errors_come_back_per_row_in_request_order() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    client.create_table(&int_key_table("a")).await.unwrap();
    client.create_table(&int_key_table("b")).await.unwrap();
    client.batch_write(&puts("a", 0..5, 8)).await.unwrap();

    // Interleave two tables; rows 0..5 of table a exist, so ExpectNotExist fails for them.
    let writes: Vec<RowWrite> = (0..10)
        .flat_map(|i| {
            [
                RowWrite::put("a", row(i, 8)).with_condition(RowExistence::ExpectNotExist),
                RowWrite::put("b", row(i, 8)),
            ]
        })
        .collect();
    let results = client.batch_write(&writes).await.unwrap();
    for (n, result) in results.iter().enumerate() {
        let (table_a, i) = (n % 2 == 0, (n / 2) as i64);
        if table_a && i < 5 {
            let error = result.as_ref().unwrap_err();
            assert_eq!(error.code, codes::CONDITION_CHECK_FAIL, "write {n}");
        } else {
            assert!(result.is_ok(), "write {n}: {result:?}");
        }
    }
    assert_eq!(
        emulator.request_count("BatchWriteRow"),
        2,
        "the seed batch and this one"
    );
    assert_eq!(count_rows(&client, "a").await, 10);
    assert_eq!(count_rows(&client, "b").await, 10);
}

#[tokio::test]
async fn updates_and_deletes_in_a_batch() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    client.create_table(&int_key_table("t")).await.unwrap();
    client.batch_write(&puts("t", 0..10, 8)).await.unwrap();
    let mut writes: Vec<RowWrite> = (0..5)
        .map(|i| RowWrite::delete("t", PrimaryKey::new([("id", PkValue::Integer(i))])))
        .collect();
    writes.push(RowWrite::update(
        "t",
        Row::new(
            PrimaryKey::new([("id", PkValue::Integer(9))]),
            vec![Cell::put("w", Value::Boolean(true))],
        ),
    ));
    let results = client.batch_write(&writes).await.unwrap();
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(count_rows(&client, "t").await, 5);
    let row9 = client
        .get_row(
            "t",
            &PrimaryKey::new([("id", PkValue::Integer(9))]),
            &Default::default(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row9.cells.len(), 2);
}
