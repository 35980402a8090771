//! The sealed envelope of one object, and the per-backup data key.
//!
//! ```text
//! magic "TVENC1\r\n" (8) | key id length u8 | key id (UTF-8) | nonce (24) | ciphertext + tag (16)
//! ```
//!
//! The key id names the key that sealed the object (the master key for a wrapped data key, the
//! data key's own id for an object), so a reader without that key says which one it needs. The
//! associated data is the object's name: a sealed object renamed or swapped fails to open.
//! Nonces are random (XChaCha20's 192 bits make collisions negligible).

use chacha20poly1305::aead::{Aead, Generate, Key, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::{EncryptionError, MasterKey};

pub const ENVELOPE_MAGIC: &[u8; 8] = b"TVENC1\r\n";
const NONCE_LEN: usize = 24;

/// Seals `plaintext` under `key`, recording `key_id`.
fn seal(key: &Key<XChaCha20Poly1305>, key_id: &str, name: &str, plaintext: &[u8]) -> Vec<u8> {
    let nonce = XNonce::generate();
    let sealed = XChaCha20Poly1305::new(key)
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: name.as_bytes(),
            },
        )
        .expect("XChaCha20-Poly1305 seals any length a Vec holds");
    let id = key_id.as_bytes();
    let mut out = Vec::with_capacity(8 + 1 + id.len() + NONCE_LEN + sealed.len());
    out.extend_from_slice(ENVELOPE_MAGIC);
    out.push(u8::try_from(id.len()).expect("key ids are short"));
    out.extend_from_slice(id);
    out.extend_from_slice(nonce.as_slice());
    out.extend_from_slice(&sealed);
    out
}

/// The key id an envelope names, and the rest (nonce, ciphertext).
fn split<'a>(name: &str, envelope: &'a [u8]) -> Result<(&'a str, &'a [u8]), EncryptionError> {
    let not_sealed = || EncryptionError::NotSealed(name.to_owned());
    let rest = envelope
        .strip_prefix(ENVELOPE_MAGIC.as_slice())
        .ok_or_else(not_sealed)?;
    let (&id_len, rest) = rest.split_first().ok_or_else(not_sealed)?;
    if rest.len() < usize::from(id_len) + NONCE_LEN {
        return Err(EncryptionError::Tampered(name.to_owned()));
    }
    let (id, rest) = rest.split_at(usize::from(id_len));
    let id = std::str::from_utf8(id).map_err(|_| EncryptionError::Tampered(name.to_owned()))?;
    Ok((id, rest))
}

/// The key id that sealed `envelope` (`None` if it is not an envelope).
pub fn sealed_with(envelope: &[u8]) -> Option<String> {
    split("", envelope).ok().map(|(id, _)| id.to_owned())
}

fn open(key: &Key<XChaCha20Poly1305>, name: &str, rest: &[u8]) -> Result<Vec<u8>, EncryptionError> {
    let (nonce, sealed) = rest.split_at(NONCE_LEN);
    let nonce = XNonce::try_from(nonce).map_err(|_| EncryptionError::Tampered(name.to_owned()))?;
    XChaCha20Poly1305::new(key)
        .decrypt(
            &nonce,
            Payload {
                msg: sealed,
                aad: name.as_bytes(),
            },
        )
        .map_err(|_| EncryptionError::Tampered(name.to_owned()))
}

/// One backup's own key. Exists in the store only wrapped by a master key.
#[derive(Clone)]
pub struct DataKey {
    id: String,
    key: Key<XChaCha20Poly1305>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl DataKey {
    /// A new random data key for `backup_id`.
    pub fn generate(backup_id: &str) -> DataKey {
        DataKey {
            id: format!("data:{backup_id}"),
            key: Key::<XChaCha20Poly1305>::generate(),
        }
    }

    /// The data key sealed by `master`; the backup id is the associated data, so a wrapped key
    /// copied to another backup does not open.
    pub fn wrap(&self, master: &MasterKey) -> Vec<u8> {
        seal(master.key(), master.id(), &self.id, self.key.as_slice())
    }

    /// The data key of `backup_id` from its wrapped form, with whichever of `keys` (the current
    /// key and old ones kept for reading) sealed it.
    pub fn unwrap(
        backup_id: &str,
        wrapped: &[u8],
        keys: &[MasterKey],
    ) -> Result<DataKey, EncryptionError> {
        let id = format!("data:{backup_id}");
        let (key_id, rest) = split(&id, wrapped)?;
        let master =
            keys.iter()
                .find(|k| k.id() == key_id)
                .ok_or_else(|| EncryptionError::MissingKey {
                    key_id: key_id.to_owned(),
                })?;
        let bytes = open(master.key(), &id, rest)?;
        let key = Key::<XChaCha20Poly1305>::try_from(bytes.as_slice())
            .map_err(|_| EncryptionError::Tampered(id.clone()))?;
        Ok(DataKey { id, key })
    }

    /// Seals the object called `name` (its key inside the backup).
    pub fn seal(&self, name: &str, plaintext: &[u8]) -> Vec<u8> {
        seal(&self.key, &self.id, name, plaintext)
    }

    /// Opens the object called `name`; any changed byte, or another name, is
    /// [`EncryptionError::Tampered`].
    pub fn open(&self, name: &str, envelope: &[u8]) -> Result<Vec<u8>, EncryptionError> {
        let (key_id, rest) = split(name, envelope)?;
        if key_id != self.id {
            return Err(EncryptionError::Tampered(name.to_owned()));
        }
        open(&self.key, name, rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_object_opens_only_unchanged_under_its_own_name() {
        let key = DataKey::generate("b1");
        let plaintext = b"column name and cell value".to_vec();
        let sealed = key.seal("tables/t/r0-1.tvseg", &plaintext);
        assert!(!sealed.windows(11).any(|w| w == b"column name"));
        assert_eq!(key.open("tables/t/r0-1.tvseg", &sealed).unwrap(), plaintext);
        assert!(matches!(
            key.open("tables/t/r0-2.tvseg", &sealed),
            Err(EncryptionError::Tampered(_))
        ));
        for at in 0..sealed.len() {
            let mut flipped = sealed.clone();
            flipped[at] ^= 0x20;
            assert!(
                key.open("tables/t/r0-1.tvseg", &flipped).is_err(),
                "byte {at}"
            );
        }
        assert!(key.open("x", &sealed[..sealed.len() - 1]).is_err(), "cut");
        assert!(matches!(
            key.open("x", b"plain"),
            Err(EncryptionError::NotSealed(_))
        ));
    }

    #[test]
    fn a_data_key_unwraps_with_current_or_old_keys_and_names_a_missing_one() {
        let (old, new) = (MasterKey::generate(), MasterKey::generate());
        let data = DataKey::generate("b1");
        let wrapped = data.wrap(&old);
        assert_eq!(sealed_with(&wrapped).as_deref(), Some(old.id()));
        let back = DataKey::unwrap("b1", &wrapped, &[new.clone(), old.clone()]).unwrap();
        let sealed = data.seal("o", b"x");
        assert_eq!(back.open("o", &sealed).unwrap(), b"x");

        let error = DataKey::unwrap("b1", &wrapped, std::slice::from_ref(&new)).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("encrypted with key {}; set encryption_key_file", old.id())
        );
        assert!(matches!(
            DataKey::unwrap("b2", &wrapped, &[old]),
            Err(EncryptionError::Tampered(_))
        ));
    }
}
