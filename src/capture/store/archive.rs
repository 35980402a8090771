//! Change segments in the archive store, next to the base backups:
//!
//! ```text
//! <root>/.changes/<capture id>/<table>/<seq, 20 digits>.tvchg
//! ```
//!
//! The directory starts with a dot, so the archive's backup listing never mistakes it for a
//! backup. Segments are numbered from 1 and written atomically (temporary name, fsync, rename,
//! fsync of the directory); the newest one's checkpoint is where capture continues.
//! Pruning removes whole segments whose every record is older than the cut, never the newest
//! one (it holds the checkpoint); numbering continues after the newest, so gaps are harmless.
//!
//! In a store that encrypts its backups, each segment file is sealed with the store's keys
//! (`sealed.rs`); the checkpoint is inside it, so it is sealed too.
//!
//! `captured_until` (a small file beside them; one instant, no row data, so it stays clear)
//! moves the captured-until mark on while the table is idle: a step that reads nothing stores
//! no segment, but every change before the step started is then known to be stored, and a
//! restore up to that instant may proceed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;

use crate::capture::checkpoint::Checkpoint;
use crate::capture::segment::{ChangeSegment, ChangeSegmentError};
use crate::capture::CapturedRecord;
use crate::store::archive::durable;
use crate::store::encryption::Keyring;

use super::sealed::{open_segment, seal_segment};
use super::{ChangeStore, ChangeStoreError};

pub const CHANGES_DIR: &str = ".changes";
const EXT: &str = "tvchg";
const CAPTURED_UNTIL: &str = "captured_until";

/// The change segments of one table of one capture.
#[derive(Debug, Clone)]
pub struct ArchiveChangeStore {
    dir: PathBuf,
    /// `<capture id>/<table>`: a segment's name (what its seal is bound to) starts with it.
    name: String,
    /// The archive store's keys; empty: segments are stored plain.
    keys: Arc<Keyring>,
}

fn is_safe_component(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl ArchiveChangeStore {
    /// The store under `archive_root` for `capture_id` (e.g. a schedule id) and `table`.
    pub fn new(archive_root: &Path, capture_id: &str, table: &str) -> Result<Self, String> {
        if !is_safe_component(capture_id) || !is_safe_component(table) {
            return Err(format!(
                "invalid capture id '{capture_id}' or table '{table}' for a path"
            ));
        }
        Ok(ArchiveChangeStore {
            dir: archive_root.join(CHANGES_DIR).join(capture_id).join(table),
            name: format!("{capture_id}/{table}"),
            keys: Arc::default(),
        })
    }

    /// The same store sealing new segments with `keys`' current key and opening sealed ones
    /// with any of its keys (the archive store's own keys: `ArchiveStoreConfig::keyring`).
    pub fn with_keys(mut self, keys: Keyring) -> Self {
        self.keys = Arc::new(keys);
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Segment numbers present, ascending.
    fn numbers(&self) -> Result<Vec<u64>, ChangeSegmentError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut numbers = Vec::new();
        for entry in entries {
            let name = entry?.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(n) = name
                .strip_suffix(&format!(".{EXT}"))
                .and_then(|n| n.parse().ok())
            {
                numbers.push(n);
            }
        }
        numbers.sort_unstable();
        Ok(numbers)
    }

    fn file_name(number: u64) -> String {
        format!("{number:020}.{EXT}")
    }

    fn path(&self, number: u64) -> PathBuf {
        self.dir.join(Self::file_name(number))
    }

    /// Segment `number`'s name, `<capture id>/<table>/<file>`: in errors, and the seal's binding.
    fn segment_name(&self, number: u64) -> String {
        format!("{}/{}", self.name, Self::file_name(number))
    }

    /// Writes the next segment atomically; returns its number.
    pub fn append(&self, segment: &ChangeSegment) -> Result<u64, ChangeSegmentError> {
        let next = self.numbers()?.last().map_or(1, |n| n + 1);
        if !self.dir.exists() {
            std::fs::create_dir_all(&self.dir)?;
            durable::fsync_dir(self.dir.parent().unwrap_or(&self.dir))?;
        }
        let stored = seal_segment(&self.keys, &self.segment_name(next), segment.to_bytes()?);
        durable::write_atomic(&self.path(next), &stored)?;
        Ok(next)
    }

    /// The checkpoint of the newest segment: where capture continues.
    pub fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, ChangeSegmentError> {
        match self.numbers()?.last() {
            None => Ok(None),
            Some(&n) => Ok(Some(self.read(n)?.checkpoint)),
        }
    }

    pub fn read(&self, number: u64) -> Result<ChangeSegment, ChangeSegmentError> {
        let stored = std::fs::read(self.path(number))?;
        let name = self.segment_name(number);
        ChangeSegment::parse(&open_segment(&self.keys, &name, stored)?).map_err(|e| match e {
            ChangeSegmentError::Corrupt(detail) => {
                ChangeSegmentError::Corrupt(format!("{name}: {detail}"))
            }
            other => other,
        })
    }

    /// Records that every change committed before `until_us` is stored (an idle step).
    pub fn mark_captured_until(&self, until_us: i64) -> Result<(), ChangeSegmentError> {
        if !self.dir.exists() {
            return Ok(());
        }
        durable::write_atomic(
            &self.dir.join(CAPTURED_UNTIL),
            until_us.to_string().as_bytes(),
        )?;
        Ok(())
    }

    /// Every change committed before this instant (µs) is stored: the newer of the newest
    /// segment's checkpoint and the idle mark.
    pub fn captured_until_us(&self) -> Result<Option<i64>, ChangeSegmentError> {
        let segment = self.latest_checkpoint()?.and_then(|c| c.captured_until_us);
        let mark = match std::fs::read_to_string(self.dir.join(CAPTURED_UNTIL)) {
            Ok(text) => text.trim().parse::<i64>().ok(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        Ok(segment.max(mark))
    }

    /// Every segment, oldest first.
    pub fn read_all(&self) -> Result<Vec<ChangeSegment>, ChangeSegmentError> {
        self.numbers()?.into_iter().map(|n| self.read(n)).collect()
    }
}

impl ArchiveChangeStore {
    /// Deletes every segment but the newest whose records were all committed before
    /// `before_us`; returns how many records went with them.
    pub fn prune_segments_before(&self, before_us: i64) -> Result<u64, ChangeSegmentError> {
        let numbers = self.numbers()?;
        let Some((_newest, older)) = numbers.split_last() else {
            return Ok(0);
        };
        let mut removed = 0;
        for &number in older {
            let segment = self.read(number)?;
            let all_older = segment
                .records
                .iter()
                .all(|r| r.record.sequence.timestamp_us < before_us);
            if all_older {
                std::fs::remove_file(self.path(number))?;
                removed += segment.records.len() as u64;
            }
        }
        if removed > 0 {
            durable::fsync_dir(&self.dir)?;
        }
        Ok(removed)
    }
}

/// Runs blocking file work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ChangeSegmentError> + Send + 'static,
) -> Result<T, ChangeStoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ChangeStoreError::Join(e.to_string()))?
        .map_err(ChangeStoreError::from)
}

#[async_trait]
impl ChangeStore for ArchiveChangeStore {
    async fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, ChangeStoreError> {
        let store = self.clone();
        blocking(move || store.latest_checkpoint()).await
    }

    /// One segment file holds both, written atomically.
    async fn append(&self, segment: ChangeSegment) -> Result<(), ChangeStoreError> {
        let store = self.clone();
        blocking(move || store.append(&segment).map(|_| ())).await
    }

    async fn records(&self) -> Result<Vec<CapturedRecord>, ChangeStoreError> {
        let store = self.clone();
        let segments = blocking(move || store.read_all()).await?;
        Ok(segments.into_iter().flat_map(|s| s.records).collect())
    }

    /// A segment's records were read before its checkpoint, and a gap's segment holds none,
    /// so the records of chain k are exactly those of segments whose checkpoint knows k gaps.
    async fn chain_records(&self, chain: usize) -> Result<Vec<CapturedRecord>, ChangeStoreError> {
        let store = self.clone();
        let segments = blocking(move || store.read_all()).await?;
        Ok(segments
            .into_iter()
            .filter(|s| s.checkpoint.gaps.len() == chain)
            .flat_map(|s| s.records)
            .collect())
    }

    /// One segment decoded at a time: only the records kept stay in memory.
    async fn chain_records_until(
        &self,
        chain: usize,
        until_us: i64,
    ) -> Result<Vec<CapturedRecord>, ChangeStoreError> {
        let store = self.clone();
        blocking(move || {
            let mut records = Vec::new();
            for number in store.numbers()? {
                let segment = store.read(number)?;
                if segment.checkpoint.gaps.len() == chain {
                    records.extend(
                        (segment.records.into_iter())
                            .filter(|r| r.record.sequence.timestamp_us <= until_us),
                    );
                }
            }
            Ok(records)
        })
        .await
    }

    async fn mark_captured_until(&self, until_us: i64) -> Result<(), ChangeStoreError> {
        let store = self.clone();
        blocking(move || store.mark_captured_until(until_us)).await
    }

    async fn captured_until_us(&self) -> Result<Option<i64>, ChangeStoreError> {
        let store = self.clone();
        blocking(move || store.captured_until_us()).await
    }

    async fn prune_before(&self, before_us: i64) -> Result<u64, ChangeStoreError> {
        let store = self.clone();
        blocking(move || store.prune_segments_before(before_us)).await
    }
}
