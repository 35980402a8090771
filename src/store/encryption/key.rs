//! The master key: 32 random bytes in a key file of two lines (a header naming the format, then
//! the key in base64), written with mode 0600 and never over an existing file. Its id is derived
//! from the key (a SHA-256 prefix), so an id can be shown, logged and stored freely.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use chacha20poly1305::aead::{Generate, Key};
use chacha20poly1305::XChaCha20Poly1305;
use sha2::{Digest, Sha256};

use super::EncryptionError;

/// The first line of every key file.
pub const KEY_FILE_HEADER: &str = "tablevault-key-v1";
const KEY_LEN: usize = 32;

/// A store's master key and its id.
#[derive(Clone)]
pub struct MasterKey {
    id: String,
    key: Key<XChaCha20Poly1305>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl MasterKey {
    /// A new random key (from the operating system's generator).
    pub fn generate() -> MasterKey {
        Self::from_key(Key::<XChaCha20Poly1305>::generate())
    }

    fn from_key(key: Key<XChaCha20Poly1305>) -> MasterKey {
        let digest = Sha256::new()
            .chain_update(b"tablevault key id\0")
            .chain_update(key.as_slice())
            .finalize();
        MasterKey {
            id: format!("tvk-{}", hex::encode(&digest[..8])),
            key,
        }
    }

    /// The key's public name: `tvk-` and 16 hex digits.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub(super) fn key(&self) -> &Key<XChaCha20Poly1305> {
        &self.key
    }

    /// The key file's text.
    pub fn to_file_text(&self) -> String {
        let encoded = base64::engine::general_purpose::STANDARD.encode(self.key.as_slice());
        format!("{KEY_FILE_HEADER}\n{encoded}\n")
    }

    /// The key in a key file's text; `path` names the file in errors.
    pub fn parse(text: &str, path: &str) -> Result<MasterKey, EncryptionError> {
        let bad = |detail: &str| EncryptionError::KeyFile {
            path: path.to_owned(),
            detail: detail.to_owned(),
        };
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        if lines.next() != Some(KEY_FILE_HEADER) {
            return Err(bad(
                "not a TableVault key file (write one with `tablevault keygen`)",
            ));
        }
        let encoded = lines.next().ok_or_else(|| bad("the key line is missing"))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| bad("the key is not base64"))?;
        if bytes.len() != KEY_LEN || lines.next().is_some() {
            return Err(bad("the key must be 32 bytes on one line"));
        }
        let key = Key::<XChaCha20Poly1305>::try_from(bytes.as_slice())
            .map_err(|_| bad("the key must be 32 bytes"))?;
        Ok(Self::from_key(key))
    }

    /// Reads a key file.
    pub fn load(path: &Path) -> Result<MasterKey, EncryptionError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| EncryptionError::KeyFile {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
        Self::parse(&text, &shown)
    }

    /// Writes a new key file readable by its owner only (0600). Refuses to replace an existing
    /// file: overwriting a key loses every backup sealed with it.
    pub fn write_new(&self, path: &Path) -> Result<(), EncryptionError> {
        let failed = |e: std::io::Error| EncryptionError::KeyFile {
            path: path.display().to_string(),
            detail: e.to_string(),
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(failed)?;
        file.write_all(self.to_file_text().as_bytes())
            .map_err(failed)?;
        file.sync_all().map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_round_trips_and_its_id_reveals_nothing_of_the_key() {
        let key = MasterKey::generate();
        let text = key.to_file_text();
        let back = MasterKey::parse(&text, "k").unwrap();
        assert_eq!(back.id(), key.id());
        assert_eq!(back.key().as_slice(), key.key().as_slice());
        assert!(key.id().starts_with("tvk-") && key.id().len() == 20);
        let encoded = text.lines().nth(1).unwrap();
        assert!(
            !format!("{key:?}").contains(encoded),
            "Debug shows the id only"
        );
        assert_ne!(MasterKey::generate().id(), key.id());
    }

    #[test]
    fn damaged_key_files_are_refused_with_the_reason() {
        let good = MasterKey::generate().to_file_text();
        let short = format!("{KEY_FILE_HEADER}\nAAAA\n");
        for (text, reason) in [
            ("", "not a TableVault key file"),
            (&good[KEY_FILE_HEADER.len()..], "not a TableVault key file"),
            (KEY_FILE_HEADER, "missing"),
            (&format!("{KEY_FILE_HEADER}\n!!!\n"), "not base64"),
            (&short, "32 bytes"),
        ] {
            let error = MasterKey::parse(text, "f.key").unwrap_err().to_string();
            assert!(error.contains(reason) && error.contains("f.key"), "{error}");
        }
    }

    #[test]
    fn write_new_makes_an_owner_only_file_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.key");
        let key = MasterKey::generate();
        key.write_new(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(MasterKey::load(&path).unwrap().id(), key.id());
        assert!(MasterKey::generate().write_new(&path).is_err());
        assert_eq!(MasterKey::load(&path).unwrap().id(), key.id(), "kept");
    }
}
