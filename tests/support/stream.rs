//! A table's stream as the capture tests need to see it: waiting until the records written so
//! far have expired (the emulator's `stream_hour_ms` makes that seconds), so a capture that
//! had not read them has lost its position — a gap.

use std::time::Duration;

use tablevault::tablestore::client::Client;

use super::poll::poll_until;

/// Polls until no shard of `table`'s stream retains a record.
pub async fn wait_until_the_stream_retains_nothing(client: &Client, table: &str, limit: Duration) {
    let stream_id = client
        .stream_details(table)
        .await
        .expect("stream details")
        .stream_id
        .expect("the stream is on");
    poll_until("the unread records to expire", limit, || {
        let client = client.clone();
        let stream_id = stream_id.clone();
        async move {
            let shards = client
                .describe_stream(&stream_id)
                .await
                .map_err(|e| e.to_string())?
                .shards;
            for shard in shards {
                let it = client
                    .shard_iterator(&stream_id, &shard.shard_id)
                    .await
                    .map_err(|e| e.to_string())?;
                let page = client
                    .stream_records(&it, None)
                    .await
                    .map_err(|e| e.to_string())?;
                if !page.records.is_empty() {
                    return Err(format!("{} records retained", page.records.len()));
                }
            }
            Ok(())
        }
    })
    .await;
}

/// Writes one change to `table` (key `id` = 7777): the record a stopped or paused capture
/// has not read, which [`wait_until_the_stream_retains_nothing`] then lets expire.
pub async fn write_an_unread_change(client: &Client, table: &str) {
    use tablevault::tablestore::client::RowExistence;
    use tablevault::tablestore::{Cell, PkValue, PrimaryKey, Row, Value};
    let row = Row::new(
        PrimaryKey::new([("id", PkValue::Integer(7777))]),
        vec![Cell::put("note", Value::String("lost".into()))],
    );
    client
        .put_row(table, &row, RowExistence::Ignore)
        .await
        .expect("row");
}
