//! A store's keys: the current key (new backups are sealed with it) and older keys kept for
//! reading (rotation), plus the small cleartext record that holds a backup's wrapped data key.

use std::path::PathBuf;

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::{DataKey, EncryptionError, MasterKey, KEY_FILE_HEADER};

/// The cipher every sealed object uses.
pub const ALGORITHM: &str = "XChaCha20-Poly1305";

/// `key.json` of an encrypted backup: which master key wrapped its data key, and the wrapped
/// data key. Written before any other object, so a staged backup can be resumed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupKeyRecord {
    pub algorithm: String,
    pub key_id: String,
    /// The data key sealed by the master key, base64.
    pub wrapped_data_key: String,
}

/// The keys of one store. Empty: the store does not encrypt (and cannot read sealed backups).
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    current: Option<MasterKey>,
    readable: Vec<MasterKey>,
}

impl Keyring {
    /// The key of `current_file` or of `current_text` (the environment: a key file's text or
    /// just its base64 line), and the old keys of `old_files`.
    pub fn load(
        current_file: Option<&PathBuf>,
        current_text: Option<&str>,
        old_files: &[PathBuf],
    ) -> Result<Keyring, EncryptionError> {
        let current = match (current_text, current_file) {
            (Some(text), _) => {
                let text = if text.trim_start().starts_with(KEY_FILE_HEADER) {
                    text.to_owned()
                } else {
                    format!("{KEY_FILE_HEADER}\n{text}\n")
                };
                Some(MasterKey::parse(&text, "the environment's encryption key")?)
            }
            (None, Some(path)) => Some(MasterKey::load(path)?),
            (None, None) => None,
        };
        let mut readable: Vec<MasterKey> = current.iter().cloned().collect();
        for path in old_files {
            readable.push(MasterKey::load(path)?);
        }
        Ok(Keyring { current, readable })
    }

    /// Adds to `problems` what keeps a store's keys from loading (`at` is `stores.NAME`), each
    /// under the key that names the bad file or value, so `config check` refuses it clearly.
    pub fn check_config(
        at: &str,
        current_file: Option<&PathBuf>,
        current_text: Option<&str>,
        old_files: &[PathBuf],
        problems: &mut Vec<String>,
    ) {
        let current = match (current_text, current_file) {
            (Some(text), _) => Self::load(None, Some(text), &[])
                .err()
                .map(|e| ("encryption_key", e)),
            (None, Some(path)) => MasterKey::load(path)
                .err()
                .map(|e| ("encryption_key_file", e)),
            (None, None) => None,
        };
        let old = old_files
            .iter()
            .filter_map(|path| MasterKey::load(path).err())
            .map(|e| ("decryption_key_files", e));
        for (key, error) in current.into_iter().chain(old) {
            problems.push(format!("{at}.{key}: {error}"));
        }
    }

    /// A keyring of given keys (tests, tools): `current` seals, all of `readable` open.
    pub fn new(current: Option<MasterKey>, readable: Vec<MasterKey>) -> Keyring {
        Keyring { current, readable }
    }

    /// The id of the key new backups are sealed with.
    pub fn current_id(&self) -> Option<&str> {
        self.current.as_ref().map(MasterKey::id)
    }

    /// For a new backup: its data key and its `key.json`, or `None` when not encrypting.
    pub fn new_backup(&self, backup_id: &str) -> Option<(DataKey, Vec<u8>)> {
        let master = self.current.as_ref()?;
        let data = DataKey::generate(backup_id);
        let record = BackupKeyRecord {
            algorithm: ALGORITHM.to_owned(),
            key_id: master.id().to_owned(),
            wrapped_data_key: base64::engine::general_purpose::STANDARD.encode(data.wrap(master)),
        };
        let json = serde_json::to_vec_pretty(&record).expect("a key record serializes");
        Some((data, json))
    }

    /// The data key of `backup_id` from its `key.json`.
    pub fn open_backup(&self, backup_id: &str, record: &[u8]) -> Result<DataKey, EncryptionError> {
        let bad = || EncryptionError::Tampered(format!("key.json of backup {backup_id}"));
        let record: BackupKeyRecord = serde_json::from_slice(record).map_err(|_| bad())?;
        if record.algorithm != ALGORITHM {
            return Err(bad());
        }
        let wrapped = base64::engine::general_purpose::STANDARD
            .decode(&record.wrapped_data_key)
            .map_err(|_| bad())?;
        DataKey::unwrap(backup_id, &wrapped, &self.readable)
    }

    /// The key id a `key.json` names, for messages when it cannot be opened.
    pub fn record_key_id(record: &[u8]) -> Option<String> {
        serde_json::from_slice::<BackupKeyRecord>(record)
            .ok()
            .map(|r| r.key_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotated_store_reads_old_backups_and_seals_new_ones_with_the_new_key() {
        let (old, new) = (MasterKey::generate(), MasterKey::generate());
        let before = Keyring::new(Some(old.clone()), vec![old.clone()]);
        let (data, record) = before.new_backup("b1").unwrap();
        let sealed = data.seal("manifest.json", b"{}");

        let rotated = Keyring::new(Some(new.clone()), vec![new.clone(), old.clone()]);
        let opened = rotated.open_backup("b1", &record).unwrap();
        assert_eq!(opened.open("manifest.json", &sealed).unwrap(), b"{}");
        let (_, fresh) = rotated.new_backup("b2").unwrap();
        assert_eq!(Keyring::record_key_id(&fresh).as_deref(), Some(new.id()));

        let without = Keyring::new(Some(new.clone()), vec![new]);
        let error = without.open_backup("b1", &record).unwrap_err();
        assert!(error.to_string().contains(old.id()), "{error}");
        assert!(Keyring::default().new_backup("b3").is_none());
    }

    #[test]
    fn the_environment_may_hold_the_key_file_text_or_only_its_key() {
        let key = MasterKey::generate();
        let text = key.to_file_text();
        let line = text.lines().nth(1).unwrap();
        for given in [text.as_str(), line] {
            let ring = Keyring::load(None, Some(given), &[]).unwrap();
            assert_eq!(ring.current_id(), Some(key.id()));
        }
    }
}
