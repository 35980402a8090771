//! Backup ids: `20261127T210501Z-3fa9c1`, the UTC start time to the second plus 6 random hex
//! digits. Sorting ids as text sorts backups by start time; the random tail keeps two backups
//! started in the same second apart. Only `[0-9A-Z-]` and lowercase hex, so the id is a valid
//! directory name and MongoDB database name.

use chrono::{DateTime, NaiveDateTime, Utc};

const TIME_FORMAT: &str = "%Y%m%dT%H%M%SZ";
const TIME_LEN: usize = 16; // "20261127T210501Z"
const TAIL_LEN: usize = 6;

/// A fresh id for a backup starting now.
pub fn new_backup_id() -> String {
    backup_id_at(Utc::now())
}

/// A fresh id for a backup starting at `at`.
pub fn backup_id_at(at: DateTime<Utc>) -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{}-{}", at.format(TIME_FORMAT), &random[..TAIL_LEN])
}

/// The start time encoded in an id of this form, `None` for any other id.
pub fn backup_id_time(id: &str) -> Option<DateTime<Utc>> {
    let (time, tail) = id.split_at_checked(TIME_LEN)?;
    let tail = tail.strip_prefix('-')?;
    let hex_tail =
        tail.len() == TAIL_LEN && tail.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !hex_tail {
        return None;
    }
    NaiveDateTime::parse_from_str(time, TIME_FORMAT)
        .ok()
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ids_have_the_documented_form_and_parse_back() {
        let at = Utc.with_ymd_and_hms(2026, 11, 27, 21, 5, 1).unwrap();
        let id = backup_id_at(at);
        assert_eq!(id.len(), 23, "{id}");
        assert!(id.starts_with("20261127T210501Z-"), "{id}");
        assert_eq!(backup_id_time(&id), Some(at));
        assert_ne!(backup_id_at(at), id, "random tails differ");
    }

    #[test]
    fn ids_sort_by_time() {
        let times = [
            Utc.with_ymd_and_hms(2025, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 1).unwrap(),
            Utc.with_ymd_and_hms(2026, 10, 2, 9, 0, 0).unwrap(),
        ];
        let ids: Vec<String> = times.iter().map(|t| backup_id_at(*t)).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(sorted, ids);
    }

    #[test]
    fn other_ids_have_no_time() {
        for id in [
            "",
            "nightly",
            "20261127T210501Z",
            "20261127T210501Z-XYZ123",
            "20261327T210501Z-abcdef",
            "20261127T210501Z-abcdef0",
        ] {
            assert_eq!(backup_id_time(id), None, "{id}");
        }
    }
}
