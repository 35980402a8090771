//! Initial partitions of a created table: CreateTable's `repeated PartitionRange partitions`.
//!
//! A table starts with one partition, so a restore's parallel writers all hit one partition
//! and are throttled. CreateTable can instead start the table split at given partition-key
//! values. Wire form, as the Java SDK (`OTSProtocolBuilder.buildPartitionRanges`) and the
//! Python SDK (`_create_table_ex`, `serialize_primary_key_value_without_length_prefix`) send
//! it: for split points `p1 < … < pN` of the partition key (the first primary-key column), the
//! ranges `[INF_MIN, p1) [p1, p2) … [pN, INF_MAX)`, each bound one PlainBuffer value: the type
//! byte, then the value (little-endian `i64`; `u32` length and bytes for STRING and BINARY),
//! without the cell-value length prefix.

use super::plainbuffer::consts::{VT_BLOB, VT_INF_MAX, VT_INF_MIN, VT_INTEGER, VT_STRING};
use super::proto;
use super::row::PkValue;
use super::table::PkType;

/// Most initial partitions a restore asks for: the service documents no limit; a restore
/// gains little from more than this, and a very long request is refused by nothing we know.
pub const MAX_SPLIT_POINTS: usize = 63;

/// One partition bound in its wire form.
pub fn encode_bound(value: &PkValue) -> Vec<u8> {
    let mut out = Vec::new();
    match value {
        PkValue::InfMin => out.push(VT_INF_MIN),
        PkValue::InfMax => out.push(VT_INF_MAX),
        PkValue::Integer(i) => {
            out.push(VT_INTEGER);
            out.extend_from_slice(&i.to_le_bytes());
        }
        PkValue::String(s) => bytes_bound(&mut out, VT_STRING, s.as_bytes()),
        PkValue::Binary(b) => bytes_bound(&mut out, VT_BLOB, b),
        // Never a split point (see `split_points_from_keys`); encoded as the lowest bound.
        PkValue::AutoIncrement => out.push(VT_INF_MIN),
    }
    out
}

fn bytes_bound(out: &mut Vec<u8>, value_type: u8, bytes: &[u8]) {
    out.push(value_type);
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Reads one partition bound of a partition key of type `pk_type`.
pub fn decode_bound(bytes: &[u8], pk_type: PkType) -> Result<PkValue, String> {
    let (&value_type, rest) = bytes.split_first().ok_or("a partition bound is empty")?;
    let value = match (value_type, pk_type) {
        (VT_INF_MIN, _) if rest.is_empty() => PkValue::InfMin,
        (VT_INF_MAX, _) if rest.is_empty() => PkValue::InfMax,
        (VT_INTEGER, PkType::Integer) => PkValue::Integer(i64::from_le_bytes(
            rest.try_into()
                .map_err(|_| "an INTEGER partition bound is not 8 bytes")?,
        )),
        (VT_STRING, PkType::String) => PkValue::String(
            String::from_utf8(length_prefixed(rest)?.to_vec())
                .map_err(|_| "a STRING partition bound is not UTF-8")?,
        ),
        (VT_BLOB, PkType::Binary) => PkValue::Binary(length_prefixed(rest)?.to_vec()),
        _ => {
            return Err(format!(
                "a partition bound of value type {value_type:#04x} does not match the partition \
                 key type {pk_type:?}"
            ))
        }
    };
    Ok(value)
}

fn length_prefixed(rest: &[u8]) -> Result<&[u8], String> {
    let (len, bytes) = rest
        .split_first_chunk::<4>()
        .ok_or("a partition bound is truncated")?;
    if u32::from_le_bytes(*len) as usize != bytes.len() {
        return Err("a partition bound's length disagrees with its content".into());
    }
    Ok(bytes)
}

/// The `partitions` of CreateTable for these split points (none: no partitions).
pub fn partition_ranges(split_points: &[PkValue]) -> Vec<proto::PartitionRange> {
    if split_points.is_empty() {
        return Vec::new();
    }
    let bounds: Vec<Vec<u8>> = std::iter::once(&PkValue::InfMin)
        .chain(split_points)
        .chain(std::iter::once(&PkValue::InfMax))
        .map(encode_bound)
        .collect();
    bounds
        .windows(2)
        .map(|pair| proto::PartitionRange {
            begin: pair[0].clone(),
            end: pair[1].clone(),
        })
        .collect()
}

/// The split points the `partitions` of a CreateTable request describe, checked as the SDKs
/// check them before sending: ranges chained from INF_MIN to INF_MAX, strictly increasing
/// points of the partition key's type.
pub fn split_points_of(
    ranges: &[proto::PartitionRange],
    pk_type: PkType,
) -> Result<Vec<PkValue>, String> {
    let mut points = Vec::new();
    let mut expected_begin = PkValue::InfMin;
    for (i, range) in ranges.iter().enumerate() {
        let begin = decode_bound(&range.begin, pk_type)?;
        let end = decode_bound(&range.end, pk_type)?;
        if begin != expected_begin {
            return Err(format!(
                "partition {i} begins at {begin:?}, not where the previous one ends"
            ));
        }
        let last = i + 1 == ranges.len();
        match (&end, last) {
            (PkValue::InfMax, true) => {}
            (PkValue::InfMin | PkValue::InfMax, _) | (_, true) => {
                return Err(format!(
                    "partition {i} ends at {end:?}; only the last one ends at INF_MAX"
                ))
            }
            _ => {
                if points.last().is_some_and(|p| !less(p, &end)) {
                    return Err("the split points are not strictly increasing".into());
                }
                points.push(end.clone());
            }
        }
        expected_begin = end;
    }
    Ok(points)
}

/// Key order of two split points of one type (strings compare as their UTF-8 bytes).
fn less(a: &PkValue, b: &PkValue) -> bool {
    match (a, b) {
        (PkValue::Integer(a), PkValue::Integer(b)) => a < b,
        (PkValue::String(a), PkValue::String(b)) => a.as_bytes() < b.as_bytes(),
        (PkValue::Binary(a), PkValue::Binary(b)) => a < b,
        _ => false,
    }
}

/// The partition-key values where ranges start, from the start keys of a table's scan ranges
/// in key order (the first starts at INF_MIN and is no split point): repeated and infinite
/// values dropped, at most [`MAX_SPLIT_POINTS`] kept, spread evenly.
pub fn split_points_from_keys<'a>(starts: impl Iterator<Item = &'a PkValue>) -> Vec<PkValue> {
    let mut points: Vec<PkValue> = Vec::new();
    for value in starts {
        let finite = !matches!(
            value,
            PkValue::InfMin | PkValue::InfMax | PkValue::AutoIncrement
        );
        if finite && points.last().is_none_or(|p| less(p, value)) {
            points.push(value.clone());
        }
    }
    let n = points.len();
    if n <= MAX_SPLIT_POINTS {
        return points;
    }
    (1..=MAX_SPLIT_POINTS)
        .map(|i| points[i * n / (MAX_SPLIT_POINTS + 1)].clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_the_sdks_bytes_and_read_back() {
        // Python SDK: VT_INTEGER then little-endian i64; VT_STRING, u32 length, bytes.
        assert_eq!(
            encode_bound(&PkValue::Integer(1)),
            vec![0, 1, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            encode_bound(&PkValue::String("ab".into())),
            vec![3, 2, 0, 0, 0, b'a', b'b']
        );
        assert_eq!(encode_bound(&PkValue::InfMin), vec![VT_INF_MIN]);
        for (value, pk_type) in [
            (PkValue::Integer(-7), PkType::Integer),
            (PkValue::String("k".into()), PkType::String),
            (PkValue::Binary(vec![0, 255]), PkType::Binary),
            (PkValue::InfMax, PkType::String),
        ] {
            assert_eq!(decode_bound(&encode_bound(&value), pk_type), Ok(value));
        }
        assert!(decode_bound(&encode_bound(&PkValue::Integer(1)), PkType::String).is_err());
        assert!(decode_bound(&[VT_STRING, 5, 0, 0, 0, b'a'], PkType::String).is_err());
    }

    #[test]
    fn ranges_chain_from_inf_min_to_inf_max_and_give_the_points_back() {
        let points = vec![PkValue::Integer(10), PkValue::Integer(20)];
        let ranges = partition_ranges(&points);
        assert_eq!(ranges.len(), 3);
        assert_eq!(ranges[0].begin, encode_bound(&PkValue::InfMin));
        assert_eq!(ranges[2].end, encode_bound(&PkValue::InfMax));
        assert_eq!(split_points_of(&ranges, PkType::Integer), Ok(points));
        assert!(partition_ranges(&[]).is_empty());
    }

    #[test]
    fn broken_or_unordered_ranges_are_refused() {
        let mut gap = partition_ranges(&[PkValue::Integer(10), PkValue::Integer(20)]);
        gap[1].begin = encode_bound(&PkValue::Integer(11));
        assert!(split_points_of(&gap, PkType::Integer).is_err());
        let unordered = partition_ranges(&[PkValue::Integer(20), PkValue::Integer(10)]);
        assert!(split_points_of(&unordered, PkType::Integer).is_err());
        let mut open = partition_ranges(&[PkValue::Integer(10)]);
        open.pop();
        assert!(split_points_of(&open, PkType::Integer).is_err());
    }

    #[test]
    fn split_points_come_from_range_starts_once_each_and_at_most_the_cap() {
        let starts = [
            PkValue::InfMin,
            PkValue::String("b".into()),
            PkValue::String("b".into()),
            PkValue::String("d".into()),
        ];
        assert_eq!(
            split_points_from_keys(starts.iter()),
            vec![PkValue::String("b".into()), PkValue::String("d".into())]
        );
        let many: Vec<PkValue> = (0..1000).map(PkValue::Integer).collect();
        let thinned = split_points_from_keys(many.iter());
        assert_eq!(thinned.len(), MAX_SPLIT_POINTS);
        assert!(thinned.windows(2).all(|w| less(&w[0], &w[1])));
    }
}
