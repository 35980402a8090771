//! The benches' source table: created with the schema every bench uses, filled through
//! BatchWriteRow the way a user's load would be.

use futures::{StreamExt, TryStreamExt};
use tablevault::tablestore::client::{chunk_writes, Client, RowWrite, TablestoreError};
use tablevault::tablestore::{PkSchema, PkType, Row, TableDescription};

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
