//! ComputeSplitPointsBySize: split points computed from the stored data.
//!
//! Rows are walked in key order while their sizes add up; once a range holds at least
//! `split_size × unit` bytes, the next row with a different partition key (the first primary-key
//! column) starts a new range. Like the service's, split points carry only the partition key
//! (callers pad the other columns with INF_MIN), so rows of one partition key are never split.
//! A table created with initial `partitions` is also split at their points, as the service's
//! pre-split table has those partitions from the start.

use crate::tablestore::plainbuffer;
use crate::tablestore::proto;
use crate::tablestore::row::{PrimaryKey, Row};

use super::error::ServiceError;
use super::keys::KeyPart;
use super::limits::check_table_name;
use super::row_ops::consumed;
use super::tables::{now_ms, read, Tables};

/// The service's split unit: 100 MB.
pub const DEFAULT_SPLIT_UNIT_BYTES: u64 = 100 * 1024 * 1024;

/// The location the emulator reports for every range.
pub const LOCATION: &str = "tablevault-emulator";

/// Chooses at most `limit` of `points`, spread evenly.
fn thin_out<T: Clone>(points: Vec<T>, limit: usize) -> Vec<T> {
    if points.len() <= limit {
        return points;
    }
    let n = points.len();
    let mut chosen: Vec<usize> = (1..=limit).map(|i| i * n / (limit + 1)).collect();
    chosen.dedup();
    chosen.into_iter().map(|i| points[i].clone()).collect()
}

pub fn compute_split_points_by_size(
    store: &Tables,
    req: proto::ComputeSplitPointsBySizeRequest,
    unit_override: Option<u64>,
) -> Result<proto::ComputeSplitPointsBySizeResponse, ServiceError> {
    check_table_name(&req.table_name)?;
    let table = store.table(&req.table_name)?;
    if req.split_size <= 0 {
        return Err(ServiceError::invalid(
            "The split_size must be greater than 0.",
        ));
    }
    let unit = match req.split_size_unit_in_byte {
        Some(u) if u <= 0 => {
            return Err(ServiceError::invalid(
                "The split_size_unit_in_byte must be greater than 0.",
            ))
        }
        Some(u) => u as u64,
        None => unit_override.unwrap_or(DEFAULT_SPLIT_UNIT_BYTES).max(1),
    };
    let threshold = (req.split_size as u64).saturating_mul(unit);
    let desc = table.description();
    let expired_before = super::read::Visibility::new(
        desc.options.time_to_live,
        desc.options.max_versions,
        now_ms(),
    )
    .expired_before;

    let mut points: Vec<KeyPart> = Vec::new();
    let mut accumulated = 0u64;
    let mut current_partition: Option<&KeyPart> = None;
    let rows = read(&table.rows);
    let visible = rows
        .iter()
        .map(|(key, packed)| (key, packed.unpack()))
        .filter(|(_, r)| r.is_visible(expired_before));
    for (key, stored) in visible {
        let Some(partition) = key.0.first() else {
            continue;
        };
        if accumulated >= threshold && current_partition.is_some_and(|p| p != partition) {
            points.push(partition.clone());
            accumulated = 0;
        }
        current_partition = Some(partition);
        accumulated += (key.size(&desc.primary_key) + stored.size()) as u64;
    }
    drop(rows);
    // A table created with `partitions` is split there whatever its size.
    points.extend(desc.split_points.iter().filter_map(KeyPart::from_value));
    points.sort();
    points.dedup();
    if let Some(limit) = req.split_point_limit.filter(|l| *l > 0) {
        points = thin_out(points, limit as usize);
    }

    let partition_schema = &desc.primary_key[..1.min(desc.primary_key.len())];
    let split_points: Vec<Vec<u8>> = points
        .iter()
        .map(|part| {
            let pk = PrimaryKey(
                partition_schema
                    .iter()
                    .map(|c| crate::tablestore::row::PkColumn {
                        name: c.name.clone(),
                        value: part.to_value(c.pk_type),
                    })
                    .collect(),
            );
            plainbuffer::encode_row(&Row::new(pk, Vec::new()))
        })
        .collect();
    let locations = vec![
        proto::compute_split_points_by_size_response::SplitLocation {
            location: LOCATION.to_string(),
            repeat: split_points.len() as i64 + 1,
        },
    ];
    Ok(proto::ComputeSplitPointsBySizeResponse {
        consumed: consumed(1, 0),
        schema: desc.to_proto_meta().primary_key,
        split_points,
        locations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_order_and_limit() {
        let points: Vec<i32> = (0..10).collect();
        assert_eq!(thin_out(points.clone(), 20), points);
        let thinned = thin_out(points, 3);
        assert_eq!(thinned.len(), 3);
        assert!(thinned.windows(2).all(|w| w[0] < w[1]));
    }
}
