//! Reading a published backup: one segment at a time, each verified before any row leaves it.
//!
//! Besides each segment's own checks, the set of segments is checked as a whole: every range's
//! sequence numbers must run 1..=n without a gap, and the rows read must add up to the
//! manifest's count, so a deleted segment file is an error rather than a silently smaller table.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use futures::stream;

use super::blocking;
use super::layout::{parse_segment_file_name, table_dir, validate_table_name, TABLES_DIR};
use super::segment::{Segment, SegmentError};
use crate::store::encryption::BackupSeal;
use crate::store::{BackupReader, Manifest, RowBatches, StoreError};

pub struct ArchiveReader {
    dir: PathBuf,
    manifest: Manifest,
    seal: BackupSeal,
}

impl ArchiveReader {
    pub fn new(dir: PathBuf, manifest: Manifest, seal: BackupSeal) -> Self {
        ArchiveReader {
            dir,
            manifest,
            seal,
        }
    }

    fn corrupt(&self, detail: String) -> StoreError {
        StoreError::Corrupt {
            backup: self.manifest.backup_id.clone(),
            detail,
        }
    }
}

#[async_trait]
impl BackupReader for ArchiveReader {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    async fn read_table(&self, table: &str) -> Result<RowBatches, StoreError> {
        let backup = self.manifest.backup_id.clone();
        let Some(entry) = self.manifest.table(table) else {
            return Err(StoreError::TableNotFound {
                backup,
                table: table.to_owned(),
            });
        };
        // The manifest is data from disk: never let a table name in it build a path outside.
        validate_table_name(table)
            .map_err(|_| self.corrupt(format!("manifest table name {table:?} is invalid")))?;
        let dir = table_dir(&self.dir, table);
        let files = {
            let (dir, backup) = (dir.clone(), backup.clone());
            blocking(move || list_segments(&backup, &dir)).await?
        };
        let expected_rows = entry.rows;
        let table = table.to_owned();
        let state = ReadState {
            backup,
            seal: self.seal.clone(),
            table,
            files: files.into_iter(),
            rows_read: 0,
            expected_rows,
            finished: false,
        };
        Ok(Box::pin(stream::unfold(state, ReadState::next_batch)))
    }
}

struct ReadState {
    backup: String,
    seal: BackupSeal,
    table: String,
    files: std::vec::IntoIter<PathBuf>,
    rows_read: u64,
    expected_rows: u64,
    finished: bool,
}

type Batch = Result<Vec<crate::tablestore::Row>, StoreError>;

impl ReadState {
    async fn next_batch(mut self) -> Option<(Batch, Self)> {
        if self.finished {
            return None;
        }
        let Some(path) = self.files.next() else {
            // All segments read: the total must match what the manifest promised.
            self.finished = true;
            if self.rows_read == self.expected_rows {
                return None;
            }
            let error = StoreError::Corrupt {
                backup: self.backup.clone(),
                detail: format!(
                    "table {} has {} rows in its segments, the manifest says {}",
                    self.table, self.rows_read, self.expected_rows
                ),
            };
            return Some((Err(error), self));
        };
        let (backup, table, seal) = (self.backup.clone(), self.table.clone(), self.seal.clone());
        let result =
            blocking(move || read_segment(&backup, &table, &path, &seal, |s| s.decode_rows()))
                .await;
        match &result {
            Ok(rows) => self.rows_read += rows.len() as u64,
            Err(_) => self.finished = true, // one error ends the stream
        }
        Some((result, self))
    }
}

/// Segment files of a table in (range, seq) order. A table that never received a row has no
/// directory and no segments. Gaps in a range's sequence numbers mean a lost file.
fn list_segments(backup: &str, dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::io(format!("listing {}", dir.display()), e)),
    };
    let mut segments = BTreeMap::new();
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io(format!("listing {}", dir.display()), e))?;
        let name = entry.file_name();
        if let Some(key) = name.to_str().and_then(parse_segment_file_name) {
            segments.insert(key, entry.path());
        }
    }
    check_sequence(backup, &dir.display().to_string(), segments.keys().copied())?;
    Ok(segments.into_values().collect())
}

/// Checks that the `(range, seq)` keys, in order, run 1..=n in every range: a gap is a lost
/// segment. `place` names the table's directory (or key prefix) in the error.
pub(crate) fn check_sequence(
    backup: &str,
    place: &str,
    keys: impl Iterator<Item = (u32, u64)>,
) -> Result<(), StoreError> {
    let mut expected = None;
    for (range, seq) in keys {
        let want = match expected {
            Some((r, next)) if r == range => next,
            _ => 1,
        };
        if seq != want {
            return Err(StoreError::Corrupt {
                backup: backup.to_owned(),
                detail: format!("{place}: range {range} has segment {seq} but not segment {want}"),
            });
        }
        expected = Some((range, seq + 1));
    }
    Ok(())
}

/// Reads one segment file of `table`, opens it with `seal` and verifies it, then hands it to
/// `use_segment`. Any failure to open or verify is [`StoreError::Corrupt`] naming the file
/// (or [`StoreError::KeyMissing`]). The range in the header must match the name.
pub fn read_segment<T>(
    backup: &str,
    table: &str,
    path: &Path,
    seal: &BackupSeal,
    use_segment: impl FnOnce(Segment<'_>) -> Result<T, SegmentError>,
) -> Result<T, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        backup: backup.to_owned(),
        detail: format!("{}: {detail}", path.display()),
    };
    let stored =
        fs::read(path).map_err(|e| StoreError::io(format!("reading {}", path.display()), e))?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let bytes = seal.open(backup, &format!("{TABLES_DIR}/{table}/{name}"), stored)?;
    parse_segment(&bytes, name, use_segment).map_err(|e| match e {
        SegmentError::Corrupt(detail) => corrupt(detail),
        SegmentError::Io(e) => StoreError::io(format!("reading {}", path.display()), e),
    })
}

/// Verifies the bytes of the segment named `file_name` (the range in its header must match the
/// name), then hands the segment to `use_segment`.
pub(crate) fn parse_segment<T>(
    bytes: &[u8],
    file_name: &str,
    use_segment: impl FnOnce(Segment<'_>) -> Result<T, SegmentError>,
) -> Result<T, SegmentError> {
    let named_range = parse_segment_file_name(file_name).map(|(range, _)| range);
    Segment::parse(bytes).and_then(|segment| {
        if named_range != Some(segment.range) {
            return Err(SegmentError::Corrupt(format!(
                "header says range {}, file name disagrees",
                segment.range
            )));
        }
        use_segment(segment)
    })
}
