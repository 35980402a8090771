//! `[stores.NAME]` of kind `archive`: the section as the file spells it is the store's own
//! config, so adding a key is one edit here (see `config/stores.rs` for how sections compose).
//! The encryption keys are those of the `s3` store (`store/encryption/`), spelled the same.

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::store::encryption::Keyring;

/// Configuration of an `archive` store.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveStoreConfig {
    /// Root directory; one sub-directory per backup. Created if missing.
    pub path: PathBuf,
    /// Seal every file of new backups with a key from this file (`tablevault keygen`).
    #[serde(default)]
    pub encryption_key_file: Option<PathBuf>,
    /// The key itself (base64), from `TABLEVAULT_STORE_<NAME>_ENCRYPTION_KEY`; wins over the file.
    #[serde(default)]
    pub encryption_key: Option<SecretString>,
    /// Older keys, for reading backups sealed before a rotation.
    #[serde(default)]
    pub decryption_key_files: Vec<PathBuf>,
}

impl ArchiveStoreConfig {
    /// A store at `path` that does not encrypt.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        ArchiveStoreConfig {
            path: path.into(),
            encryption_key_file: None,
            encryption_key: None,
            decryption_key_files: Vec::new(),
        }
    }

    /// The store's keys (empty when it does not encrypt).
    pub fn keyring(&self) -> Result<Keyring, crate::store::encryption::EncryptionError> {
        Keyring::load(
            self.encryption_key_file.as_ref(),
            self.encryption_key.as_ref().map(|k| k.expose_secret()),
            &self.decryption_key_files,
        )
    }

    /// Adds to `problems` what is wrong with this section (`at` is `stores.NAME`). The
    /// directory is created when the store opens; key files are read, so a bad one is
    /// refused here rather than at the first backup.
    pub fn validate(&self, at: &str, problems: &mut Vec<String>) {
        if self.path.as_os_str().is_empty() {
            problems.push(format!("{at}.path: must not be empty"));
        }
        Keyring::check_config(
            at,
            self.encryption_key_file.as_ref(),
            self.encryption_key.as_ref().map(|k| k.expose_secret()),
            &self.decryption_key_files,
            problems,
        );
    }
}
