//! Creating a restored table already split where the backed-up table was split.
//!
//! A new table has one partition, and a parallel restore into one partition is throttled.
//! The backup saves the partition-key values where its scan ranges started
//! (ComputeSplitPointsBySize, [`crate::tablestore::TableDescription::split_points`]) and the
//! restore passes them to CreateTable as `partitions`, as the Python SDK's `_create_table_ex`
//! does. Not every instance takes `partitions`: when CreateTable with them is refused as a
//! request (a 4xx service error other than "already exists"), the table is created without
//! them, with a warning and the refusal in the report; the data is the same either way.

use super::readiness::patiently;
use crate::engine::EngineError;
use crate::tablestore::client::{Client, TablestoreError};
use crate::tablestore::{codes, TableDescription};

/// How a created table was partitioned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Partitioning {
    /// Partitions the table was created with (1: unsplit).
    pub partitions: u64,
    /// The instance refused the saved split points with this error; the table was created
    /// unsplit.
    pub refused: Option<String>,
}

/// Creates `create` with its split points, or without them where the instance refuses them.
pub async fn create_table(
    client: &Client,
    create: &TableDescription,
) -> Result<Partitioning, EngineError> {
    let name = &create.name;
    let what = format!("CreateTable {name}");
    let creating = |e| EngineError::tablestore(format!("creating table {name}"), e);
    match patiently(&what, || client.create_table(create)).await {
        Ok(()) => Ok(Partitioning {
            partitions: create.split_points.len() as u64 + 1,
            refused: None,
        }),
        Err(e) if !create.split_points.is_empty() && refuses_request(&e) => {
            tracing::warn!(
                table = %name,
                split_points = create.split_points.len(),
                error = %e,
                "The instance refused the saved partitions; creating the table unsplit."
            );
            let unsplit = TableDescription {
                split_points: Vec::new(),
                ..create.clone()
            };
            patiently(&what, || client.create_table(&unsplit))
                .await
                .map_err(creating)?;
            Ok(Partitioning {
                partitions: 1,
                refused: Some(e.to_string()),
            })
        }
        Err(e) => Err(creating(e)),
    }
}

/// Whether the service refused the request as such (it would refuse it again unchanged),
/// rather than the table name (already exists), the credentials or the connection.
fn refuses_request(e: &TablestoreError) -> bool {
    let Some(code) = e.code() else {
        return false;
    };
    let elsewhere = [
        codes::OBJECT_ALREADY_EXIST,
        codes::AUTH_FAILED,
        codes::NO_PERMISSION,
        codes::QUOTA_EXHAUSTED,
    ];
    !elsewhere.contains(&code)
        && !e.is_retryable(false)
        && e.http_status().is_some_and(|s| (400..500).contains(&s))
}
