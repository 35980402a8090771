//! Where things live inside an archive root, and which names are allowed there.
//!
//! ```text
//! <root>/
//!   .staging/<backup_id>/tables/<table>/r<range>-<seq>.tvseg   staged (unpublished) backups
//!   .trash/<backup_id>.<uuid>/                                 backups being deleted
//!   <backup_id>/manifest.json                                  published backups
//!   <backup_id>/key.json                                       wrapped data key (encrypted)
//!   <backup_id>/tables/<table>/r<range>-<seq>.tvseg
//! ```
//!
//! Backup ids and table names become path components, so both are validated before any path is
//! built: nothing a caller passes can climb out of the root or land in `.staging`/`.trash`.

use std::path::{Path, PathBuf};

use crate::store::StoreError;

pub const STAGING_DIR: &str = ".staging";
pub const TRASH_DIR: &str = ".trash";
pub const TABLES_DIR: &str = "tables";
pub const MANIFEST_FILE: &str = "manifest.json";
pub const SEGMENT_EXT: &str = "tvseg";
pub const TMP_SUFFIX: &str = ".tmp";

/// Longest accepted backup id. Far below every filesystem's 255-byte name limit, leaving room
/// for the `.<uuid>` suffix a deletion adds.
const MAX_ID_LEN: usize = 128;
/// Tablestore allows table names of 1–255 characters.
const MAX_TABLE_LEN: usize = 255;

/// Backup ids: 1–128 of `[A-Za-z0-9._-]`, not starting with `.` (hidden and reserved names such
/// as `.staging`, `.` and `..`) nor `-` (reads as an option in shell tools).
pub fn validate_backup_id(id: &str) -> Result<(), StoreError> {
    let valid = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && !id.starts_with(['.', '-'])
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(StoreError::InvalidId(id.to_owned()))
    }
}

/// Table names follow Tablestore's rule `[A-Za-z_][A-Za-z0-9_]*`, 1–255 characters.
pub fn validate_table_name(name: &str) -> Result<(), StoreError> {
    let mut bytes = name.bytes();
    let valid = match bytes.next() {
        Some(first) => {
            (first.is_ascii_alphabetic() || first == b'_')
                && name.len() <= MAX_TABLE_LEN
                && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err(StoreError::InvalidTableName(name.to_owned()))
    }
}

/// Paths inside one archive root. Every method takes already-validated names.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    pub fn new(root: PathBuf) -> Self {
        Layout { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn staging_root(&self) -> PathBuf {
        self.root.join(STAGING_DIR)
    }

    pub fn trash_root(&self) -> PathBuf {
        self.root.join(TRASH_DIR)
    }

    pub fn staged_dir(&self, backup_id: &str) -> PathBuf {
        self.staging_root().join(backup_id)
    }

    pub fn published_dir(&self, backup_id: &str) -> PathBuf {
        self.root.join(backup_id)
    }
}

/// The manifest of a backup directory (staged or published).
pub fn manifest_path(backup_dir: &Path) -> PathBuf {
    backup_dir.join(MANIFEST_FILE)
}

/// The directory holding one table's segments.
pub fn table_dir(backup_dir: &Path, table: &str) -> PathBuf {
    backup_dir.join(TABLES_DIR).join(table)
}

/// `r<range>-<seq>.tvseg`, zero-padded so a plain `ls` sorts segments in write order.
/// Readers parse the numbers and do not rely on the padding width.
pub fn segment_file_name(range: u32, seq: u64) -> String {
    format!("r{range:05}-{seq:08}.{SEGMENT_EXT}")
}

/// A segment's name inside its backup (`tables/<table>/<file>`): the same in every store, and
/// what an encrypted segment is bound to.
pub fn segment_object_name(table: &str, range: u32, seq: u64) -> String {
    format!("{TABLES_DIR}/{table}/{}", segment_file_name(range, seq))
}

/// The `(range, seq)` of a segment file name; `None` for anything else (temporary files,
/// stray files a user left).
pub fn parse_segment_file_name(name: &str) -> Option<(u32, u64)> {
    let stem = name.strip_suffix(SEGMENT_EXT)?.strip_suffix('.')?;
    let (range, seq) = stem.strip_prefix('r')?.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(range) || !digits(seq) {
        return None;
    }
    Some((range.parse().ok()?, seq.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_ids_that_could_escape_or_collide_are_rejected() {
        for bad in [
            "", ".", "..", "../x", "a/b", "a\\b", ".staging", ".trash", "-rf", "a b", "é", "a\0b",
        ] {
            assert!(validate_backup_id(bad).is_err(), "{bad:?} accepted");
        }
        assert!(validate_backup_id(&"a".repeat(129)).is_err());
        for good in [
            "b1",
            "2024-05-01T00-00-00Z_daily",
            "x.y-z_1",
            &"a".repeat(128),
        ] {
            assert!(validate_backup_id(good).is_ok(), "{good:?} rejected");
        }
    }

    #[test]
    fn table_names_follow_tablestore_rules() {
        for bad in ["", "1abc", "a-b", "a.b", "a/b", "..", "ä"] {
            assert!(validate_table_name(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["t", "_t", "Orders_2024", "a1"] {
            assert!(validate_table_name(good).is_ok(), "{good:?} rejected");
        }
    }

    #[test]
    fn segment_names_round_trip_and_sort_in_write_order() {
        assert_eq!(segment_file_name(3, 12), "r00003-00000012.tvseg");
        assert_eq!(
            parse_segment_file_name("r00003-00000012.tvseg"),
            Some((3, 12))
        );
        assert_eq!(
            parse_segment_file_name("r123456-123456789.tvseg"),
            Some((123456, 123456789))
        );
        for other in [
            "r1-2.tvseg.tmp",
            "r1.tvseg",
            "x1-2.tvseg",
            "r-2.tvseg",
            "r1-2tvseg",
        ] {
            assert_eq!(parse_segment_file_name(other), None, "{other}");
        }
        assert!(segment_file_name(0, 9) < segment_file_name(0, 10));
    }
}
