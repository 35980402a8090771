//! Sealed change segments: in an archive store that encrypts its backups, every change segment
//! is sealed the way a backup's files are (`store/encryption`: XChaCha20-Poly1305, a random data
//! key wrapped by the store's master key, the master key's id beside it), so captured changes
//! never sit in the clear next to encrypted backups.
//!
//! ```text
//! magic "TVCHGENC" (8) | u32 LE n | key record (n B, JSON as a backup's key.json) | envelope
//! ```
//!
//! The envelope (`store/encryption/envelope.rs`) holds the plain segment file byte for byte —
//! records *and* checkpoint, so shard iterators and gaps are sealed too. Its associated data is
//! the segment's name (`<capture>/<table>/<number>.tvchg`) and every byte of the file before
//! the envelope, so no byte can change unseen and a segment moved to another name or table does
//! not open. Each segment has its own data key and names the master key that wrapped it: after
//! a rotation, old segments open with the keys under `decryption_key_files`, new ones are
//! sealed with the new key, and a reader without a segment's key is told that key's id.
//!
//! A plain segment is read as it is (a store that started encrypting keeps its older changes),
//! as the archive store reads a plain backup.

use crate::store::encryption::{EncryptionError, Keyring};

use super::super::segment::ChangeSegmentError;

/// The first bytes of a sealed change segment (a plain one starts `TVCHG\r\n\x1a`).
pub const SEALED_MAGIC: &[u8; 8] = b"TVCHGENC";

/// What the envelope is bound to: the segment's name and the cleartext bytes before it.
fn bound_name(name: &str, prefix: &[u8]) -> String {
    format!("{name}\n{}", hex::encode(prefix))
}

/// The bytes to store for the plain segment file `plain` named `name`: sealed with a new data
/// key when `keys` has a current key, else `plain` itself.
pub fn seal_segment(keys: &Keyring, name: &str, plain: Vec<u8>) -> Vec<u8> {
    let Some((data_key, record)) = keys.new_backup(name) else {
        return plain;
    };
    let length = u32::try_from(record.len()).expect("a key record is small");
    let mut out = Vec::with_capacity(SEALED_MAGIC.len() + 4 + record.len() + plain.len() + 64);
    out.extend_from_slice(SEALED_MAGIC);
    out.extend_from_slice(&length.to_le_bytes());
    out.extend_from_slice(&record);
    let envelope = data_key.seal(&bound_name(name, &out), &plain);
    out.extend_from_slice(&envelope);
    out
}

/// The plain segment file from the stored bytes of segment `name`: opened with `keys` when
/// sealed (a missing key is [`ChangeSegmentError::KeyMissing`] naming it; any changed byte is
/// [`ChangeSegmentError::Corrupt`]), as stored when plain.
pub fn open_segment(
    keys: &Keyring,
    name: &str,
    stored: Vec<u8>,
) -> Result<Vec<u8>, ChangeSegmentError> {
    let Some(rest) = stored.strip_prefix(SEALED_MAGIC.as_slice()) else {
        return Ok(stored);
    };
    let damaged = || {
        ChangeSegmentError::Corrupt(format!(
            "sealed segment {name} failed authentication (damaged or tampered with)"
        ))
    };
    let (length, rest) = rest.split_first_chunk::<4>().ok_or_else(damaged)?;
    let length = u32::from_le_bytes(*length) as usize;
    if rest.len() < length {
        return Err(damaged());
    }
    let (record, envelope) = rest.split_at(length);
    let data_key = keys
        .open_backup(name, record)
        .map_err(|error| match error {
            EncryptionError::MissingKey { key_id } => ChangeSegmentError::KeyMissing {
                segment: name.to_owned(),
                key_id,
            },
            _ => damaged(),
        })?;
    let prefix = &stored[..stored.len() - envelope.len()];
    data_key
        .open(&bound_name(name, prefix), envelope)
        .map_err(|_| damaged())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::encryption::MasterKey;

    #[test]
    fn every_byte_of_a_sealed_segment_is_authenticated_and_bound_to_its_name() {
        let master = MasterKey::generate();
        let keys = Keyring::new(Some(master.clone()), vec![master.clone()]);
        let plain = b"TVCHG\r\n\x1a a segment with a secret cell value".to_vec();
        let sealed = seal_segment(&keys, "s/t/1.tvchg", plain.clone());
        assert!(sealed.starts_with(SEALED_MAGIC));
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert!(String::from_utf8_lossy(&sealed).contains(master.id()));
        assert_eq!(
            open_segment(&keys, "s/t/1.tvchg", sealed.clone()).unwrap(),
            plain
        );
        for at in 0..sealed.len() {
            let mut flipped = sealed.clone();
            flipped[at] ^= 0x10;
            // Only a flip in the magic gets through, as a plain file: one whose magic the
            // plain segment parser refuses.
            if let Ok(bytes) = open_segment(&keys, "s/t/1.tvchg", flipped.clone()) {
                assert!(
                    at < SEALED_MAGIC.len() && bytes == flipped,
                    "byte {at} opened"
                );
            }
        }
        assert!(matches!(
            open_segment(&keys, "s/t/2.tvchg", sealed.clone()),
            Err(ChangeSegmentError::Corrupt(_))
        ));
        assert!(open_segment(&keys, "s/t/1.tvchg", sealed[..sealed.len() - 1].to_vec()).is_err());
    }

    #[test]
    fn a_reader_without_the_key_is_told_its_id_and_plain_segments_read_as_they_are() {
        let (old, new) = (MasterKey::generate(), MasterKey::generate());
        let sealed = seal_segment(&Keyring::new(Some(old.clone()), vec![]), "n", b"x".to_vec());
        let rotated = Keyring::new(Some(new.clone()), vec![new.clone(), old.clone()]);
        assert_eq!(open_segment(&rotated, "n", sealed.clone()).unwrap(), b"x");
        for without in [
            Keyring::new(Some(new.clone()), vec![new]),
            Keyring::default(),
        ] {
            let error = open_segment(&without, "n", sealed.clone()).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!(
                    "change segment n is encrypted with key {}; set encryption_key_file \
                     (or list that key under decryption_key_files)",
                    old.id()
                )
            );
        }
        assert_eq!(
            seal_segment(&Keyring::default(), "n", b"plain".to_vec()),
            b"plain"
        );
        assert_eq!(
            open_segment(&rotated, "n", b"plain".to_vec()).unwrap(),
            b"plain"
        );
    }
}
