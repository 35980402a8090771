//! The benches' source table: one row shape, created with the schema every bench uses, filled
//! through BatchWriteRow the way a user's load would be.

use futures::{StreamExt, TryStreamExt};
use tablevault::tablestore::client::{chunk_writes, Client, RowWrite, TablestoreError};
use tablevault::tablestore::{plainbuffer, Cell, PkSchema, PkType, PkValue, PrimaryKey, Row};
use tablevault::tablestore::{TableDescription, Value};

/// How many `pk_s` values the rows spread over: row `i` is in partition `i % PARTITIONS`.
pub const PARTITIONS: i64 = 1_000;
/// Rows built and written at a time while loading: the whole table is never in memory.
const LOAD_CHUNK: i64 = 10_000;

/// Row `i` of a bench table: a two-column key and three cells, about 200 bytes of PlainBuffer.
pub fn make_row(i: i64) -> Row {
    let key = PrimaryKey::new([
        ("pk_s", PkValue::String(format!("p{:04}", i % PARTITIONS))),
        ("pk_i", PkValue::Integer(i)),
    ]);
    let cells = vec![
        Cell::put("payload", Value::String(format!("{i:0>70}"))),
        Cell::put("n", Value::Integer(i)),
        Cell::put("f", Value::Double(i as f64 / 7.0)),
    ];
    Row::new(key, cells)
}

/// Writes rows `from..rows` (see [`make_row`]) into `table`, creating it first when `from` is 0;
/// returns the PlainBuffer bytes written.
pub async fn load(client: &Client, table: &str, from: i64, rows: i64) -> u64 {
    if from == 0 {
        create(client, table).await;
    }
    let mut bytes = 0u64;
    for start in (from..rows).step_by(LOAD_CHUNK as usize) {
        let chunk: Vec<Row> = (start..(start + LOAD_CHUNK).min(rows))
            .map(make_row)
            .collect();
        bytes += chunk
            .iter()
            .map(|r| plainbuffer::encode_row(r).len() as u64)
            .sum::<u64>();
        put_rows(client, table, chunk).await;
    }
    bytes
}

/// Creates `name` with a string and an integer primary key (`pk_s`, `pk_i`), one version per
/// cell.
pub async fn create(client: &Client, name: &str) {
    let mut description = TableDescription::new(
        name,
        vec![
            PkSchema::new("pk_s", PkType::String),
            PkSchema::new("pk_i", PkType::Integer),
        ],
    );
    description.options.max_versions = 1;
    client
        .create_table(&description)
        .await
        .expect("create table");
}

/// Writes `rows` into `table`, 4 BatchWriteRow requests in flight; a row the service refuses
/// stops the bench.
pub async fn put_rows(client: &Client, table: &str, rows: Vec<Row>) {
    let writes = rows.into_iter().map(|r| RowWrite::put(table, r)).collect();
    futures::stream::iter(chunk_writes(writes).expect("chunk"))
        .map(|batch| {
            let client = client.clone();
            async move {
                let results = client.batch_write(&batch).await?;
                assert!(results.iter().all(Result::is_ok), "row failures on load");
                Ok::<_, TablestoreError>(())
            }
        })
        .buffer_unordered(4)
        .try_collect::<Vec<()>>()
        .await
        .expect("load");
}
