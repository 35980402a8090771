//! What a store holding files (`archive`, `s3`) does to seal and open one backup, in one place:
//! the seal of a new backup and its `key.json`, the seal of a stored backup from its `key.json`,
//! and its manifest (in full with the key; only the cleartext part, for listing, without).
//! The stores only move bytes; every decision about keys is made here.

use super::{corrupt, BackupSeal, Keyring, StoredManifest};
use crate::store::archive::parse_manifest;
use crate::store::{Manifest, StoreError};

/// `key.json`: an encrypted backup's wrapped data key, beside its manifest, written first.
pub const KEY_RECORD_FILE: &str = "key.json";

impl Keyring {
    /// How a new backup's objects are stored, and the `key.json` to write before any of them
    /// (`None`: the store does not encrypt).
    pub fn seal_new_backup(&self, backup_id: &str) -> (BackupSeal, Option<Vec<u8>>) {
        match (self.new_backup(backup_id), self.current_id()) {
            (Some((data_key, record)), Some(key_id)) => (
                BackupSeal::sealed(data_key, key_id.to_owned()),
                Some(record),
            ),
            _ => (BackupSeal::plain(), None),
        }
    }

    /// How the objects of a stored backup are stored, from its `key.json` (`None`: plain).
    pub fn seal_of(
        &self,
        backup_id: &str,
        record: Option<&[u8]>,
    ) -> Result<BackupSeal, StoreError> {
        let Some(record) = record else {
            return Ok(BackupSeal::plain());
        };
        let data_key = self
            .open_backup(backup_id, record)
            .map_err(|e| corrupt(backup_id, e))?;
        let key_id = Keyring::record_key_id(record).unwrap_or_default();
        Ok(BackupSeal::sealed(data_key, key_id))
    }

    /// The manifest of `backup_id` from its stored bytes and its `key.json` (if any), and how
    /// the backup's objects are stored. With `listing`, a backup sealed with a key this store
    /// lacks comes back as its cleartext part (no tables, plain seal) instead of
    /// [`StoreError::KeyMissing`].
    pub fn open_manifest(
        &self,
        backup_id: &str,
        stored: Vec<u8>,
        record: Option<&[u8]>,
        listing: bool,
    ) -> Result<(Manifest, BackupSeal), StoreError> {
        let stored = StoredManifest::parse(backup_id, stored)?;
        let seal = match &stored {
            StoredManifest::Plain(_) => BackupSeal::plain(),
            StoredManifest::Sealed { .. } if record.is_none() => {
                return Err(StoreError::Corrupt {
                    backup: backup_id.to_owned(),
                    detail: format!("the manifest is sealed but {KEY_RECORD_FILE} is missing"),
                });
            }
            StoredManifest::Sealed { listing: shown, .. } => {
                match self.seal_of(backup_id, record) {
                    Err(StoreError::KeyMissing { .. }) if listing => {
                        return Ok((Manifest::clone(shown), BackupSeal::plain()));
                    }
                    seal => seal?,
                }
            }
        };
        let json = stored.open(backup_id, &seal)?;
        Ok((parse_manifest(backup_id, &json)?, seal))
    }
}
