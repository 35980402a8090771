//! `[engine]`: how the sync engine moves data. Defaults suit a 2-core host and a Tablestore
//! instance without reserved throughput.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineConfig {
    /// Ranges scanned concurrently per backup.
    pub readers: usize,
    /// Concurrent writer tasks (store writes on backup, BatchWriteRow on restore).
    pub writers: usize,
    /// Row batches buffered between readers and writers: with `batch_rows`, the memory bound
    /// (`channel_capacity` × `batch_rows` rows waiting, 16,000 by default).
    pub channel_capacity: usize,
    /// Rows per store write on backup: one archive segment (a file written and fsynced).
    /// Fewer, larger batches cost less CPU per row: each segment is a file to create, compress
    /// and fsync (4000 rows take about 20% less CPU per row than 1000, see
    /// `docs/performance.md`).
    pub batch_rows: usize,
    /// Target size of one split range, in bytes (ComputeSplitPointsBySize).
    pub split_size_bytes: u64,
    /// Optional rate limits; 0 means unlimited.
    pub max_rows_per_second: u64,
    pub max_bytes_per_second: u64,
    /// Keep every version of every cell (default) or only the latest.
    pub all_versions: bool,
    /// How long a backup keeps retrying a failed store write (the store unreachable, a
    /// MongoDB failover, an I/O error) before it fails, in seconds; 0 fails at once. Retries
    /// back off exponentially with jitter; a retried batch never duplicates rows.
    pub store_retry_seconds: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            readers: 4,
            writers: 4,
            channel_capacity: 4,
            batch_rows: 4000,
            split_size_bytes: 100 * 1024 * 1024,
            max_rows_per_second: 0,
            max_bytes_per_second: 0,
            all_versions: true,
            store_retry_seconds: 60,
        }
    }
}

impl EngineConfig {
    /// [`Self::store_retry_seconds`] as a duration.
    pub fn store_retry(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.store_retry_seconds)
    }

    pub(super) fn validate(&self, problems: &mut Vec<String>) {
        let positive = [
            ("readers", self.readers),
            ("writers", self.writers),
            ("channel_capacity", self.channel_capacity),
            ("batch_rows", self.batch_rows),
        ];
        for (key, value) in positive {
            if value == 0 {
                problems.push(format!("engine.{key}: must be at least 1"));
            }
        }
        if self.readers > 256 || self.writers > 256 {
            problems.push("engine.readers/writers: at most 256".to_string());
        }
        if self.store_retry_seconds > 86_400 {
            problems.push("engine.store_retry_seconds: at most 86400 (one day)".to_string());
        }
        if self.split_size_bytes < 1024 * 1024 {
            problems.push("engine.split_size_bytes: at least 1 MiB".to_string());
        }
    }
}
