//! Client-side encryption for stores that hold files (`archive`, `s3`): the keys and the sealed
//! envelope, built on XChaCha20-Poly1305 from the RustCrypto crates (no home-made crypto).
//!
//! A store is configured with a *master key* (a key file written by `tablevault keygen`). Each
//! backup gets its own random *data key*, stored only wrapped (sealed) by the master key; every
//! object of the backup is sealed with the data key, with the object's name as associated data
//! so an object moved or swapped under another name fails to open. The master key's *id* (a
//! hash of the key, never the key) is kept beside the wrapped data key, so a store without the
//! key can still say which key a backup needs.

mod backup;
mod envelope;
mod key;
mod keyring;
mod sealed;

pub use backup::KEY_RECORD_FILE;
pub use envelope::{sealed_with, DataKey, ENVELOPE_MAGIC};
pub use key::{MasterKey, KEY_FILE_HEADER};
pub use keyring::{BackupKeyRecord, Keyring, ALGORITHM};
pub use sealed::{corrupt, BackupSeal, StoredManifest};

/// Why a key or a sealed object could not be used.
#[derive(Debug, thiserror::Error)]
pub enum EncryptionError {
    #[error("key file {path}: {detail}")]
    KeyFile { path: String, detail: String },
    /// The object was sealed with a key this store does not have.
    #[error("encrypted with key {key_id}; set encryption_key_file")]
    MissingKey { key_id: String },
    /// Tampered, truncated, or opened under the wrong name: never a silently wrong plaintext.
    #[error("{0} failed authentication (damaged or tampered with)")]
    Tampered(String),
    #[error("{0} is not an encrypted TableVault object")]
    NotSealed(String),
}
