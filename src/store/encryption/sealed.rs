//! What a store does with one backup's objects: keep them as they are, or seal them with the
//! backup's data key. And the manifest of an encrypted backup: a cleartext wrapper (id, times,
//! source, the key id) around the sealed full manifest, so a store without the key can still
//! list the backup and say which key it needs, while table descriptions (column names) and
//! counts stay sealed.

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DataKey, EncryptionError, ALGORITHM};
use crate::store::{Manifest, SourceInfo, StoreError, FORMAT_VERSION};

/// The sealed manifest's name inside the backup (its associated data).
const MANIFEST_NAME: &str = "manifest.json";

/// How one backup's objects are stored.
#[derive(Debug, Clone, Default)]
pub struct BackupSeal {
    data_key: Option<(DataKey, String)>,
}

impl BackupSeal {
    /// Objects stored as they are.
    pub fn plain() -> Self {
        BackupSeal::default()
    }

    /// Objects sealed with `data_key`, which the master key `key_id` wraps.
    pub fn sealed(data_key: DataKey, key_id: String) -> Self {
        BackupSeal {
            data_key: Some((data_key, key_id)),
        }
    }

    /// The bytes to store for the object `name` (its path inside the backup).
    pub fn seal(&self, name: &str, bytes: Vec<u8>) -> Vec<u8> {
        match &self.data_key {
            Some((key, _)) => key.seal(name, &bytes),
            None => bytes,
        }
    }

    /// The object `name` from its stored bytes; a sealed object that fails to open is corrupt.
    pub fn open(&self, backup: &str, name: &str, bytes: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        match &self.data_key {
            Some((key, _)) => key.open(name, &bytes).map_err(|e| corrupt(backup, e)),
            None => Ok(bytes),
        }
    }

    /// Whether objects are sealed.
    pub fn is_sealed(&self) -> bool {
        self.data_key.is_some()
    }

    /// The manifest file's bytes: pretty JSON, or the wrapper around the sealed manifest.
    pub fn seal_manifest(&self, manifest: &Manifest) -> Vec<u8> {
        let json = serde_json::to_vec_pretty(manifest).expect("a manifest serializes");
        let Some((key, key_id)) = &self.data_key else {
            return json;
        };
        let header = WrapperHeader {
            format_version: manifest.format_version,
            backup_id: manifest.backup_id.clone(),
            encryption: EncryptionInfo {
                algorithm: ALGORITHM.to_owned(),
                key_id: key_id.clone(),
            },
            source: manifest.source.clone(),
            started_at: manifest.started_at,
            finished_at: manifest.finished_at,
        };
        // The cleartext part is bound to the seal byte for byte: the prefix of the file up to
        // the sealed value is the associated data, so no byte of the file can change unseen.
        let text = serde_json::to_string_pretty(&header).expect("a manifest header serializes");
        let body = text
            .strip_suffix("\n}")
            .expect("pretty JSON ends with a brace");
        let prefix = format!("{body},\n  {SEALED_FIELD}\"");
        let sealed = key.seal(&bound_name(prefix.as_bytes()), &json);
        let encoded = base64::engine::general_purpose::STANDARD.encode(sealed);
        format!("{prefix}{encoded}{SEALED_SUFFIX}").into_bytes()
    }
}

/// What the sealed manifest is bound to: its name and the cleartext before it.
fn bound_name(prefix: &[u8]) -> String {
    format!("{MANIFEST_NAME}\n{}", String::from_utf8_lossy(prefix))
}

const SEALED_FIELD: &str = "\"sealed_manifest\": ";
const SEALED_SUFFIX: &str = "\"\n}\n";

/// A backup error for a sealed object that did not open.
pub fn corrupt(backup: &str, error: EncryptionError) -> StoreError {
    match error {
        EncryptionError::MissingKey { key_id } => StoreError::KeyMissing {
            backup: backup.to_owned(),
            key_id,
        },
        other => StoreError::Corrupt {
            backup: backup.to_owned(),
            detail: other.to_string(),
        },
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct EncryptionInfo {
    algorithm: String,
    key_id: String,
}

/// The cleartext part of an encrypted backup's `manifest.json`.
#[derive(Debug, Serialize, Deserialize)]
struct WrapperHeader {
    format_version: u32,
    backup_id: String,
    encryption: EncryptionInfo,
    source: SourceInfo,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
}

/// `manifest.json` of an encrypted backup: the header and the sealed full manifest (base64).
#[derive(Debug, Deserialize)]
struct ManifestWrapper {
    #[serde(flatten)]
    header: WrapperHeader,
    sealed_manifest: String,
}

/// A manifest file as read: plain, or the wrapper of an encrypted backup.
pub enum StoredManifest {
    Plain(Vec<u8>),
    Sealed {
        /// What can be listed without the key (no tables).
        listing: Box<Manifest>,
        key_id: String,
        /// The sealed manifest and what it is bound to.
        sealed: Vec<u8>,
        bound_to: String,
    },
}

impl StoredManifest {
    /// Tells the two apart (a wrapper has `sealed_manifest`).
    pub fn parse(backup: &str, bytes: Vec<u8>) -> Result<StoredManifest, StoreError> {
        let Ok(wrapper) = serde_json::from_slice::<ManifestWrapper>(&bytes) else {
            return Ok(StoredManifest::Plain(bytes));
        };
        let corrupt = |detail: &str| StoreError::Corrupt {
            backup: backup.to_owned(),
            detail: format!("{MANIFEST_NAME}: {detail}"),
        };
        let marker = SEALED_FIELD.to_owned() + "\"";
        let at = find_last(&bytes, marker.as_bytes()).ok_or_else(|| corrupt("not as written"))?;
        let prefix = &bytes[..at + marker.len()];
        let expected = format!("{marker}{}{SEALED_SUFFIX}", wrapper.sealed_manifest);
        if bytes[at..] != *expected.as_bytes() {
            return Err(corrupt("not as written"));
        }
        let sealed = base64::engine::general_purpose::STANDARD
            .decode(&wrapper.sealed_manifest)
            .map_err(|_| corrupt("the sealed manifest is not base64"))?;
        let header = wrapper.header;
        let listing = Box::new(Manifest {
            format_version: header.format_version.min(FORMAT_VERSION),
            tablevault_version: String::new(),
            backup_id: header.backup_id,
            source: header.source,
            started_at: header.started_at,
            finished_at: header.finished_at,
            all_versions: true,
            tables: Vec::new(),
        });
        Ok(StoredManifest::Sealed {
            listing,
            key_id: header.encryption.key_id,
            sealed,
            bound_to: bound_name(prefix),
        })
    }

    /// The full manifest's JSON, opened with `seal` when sealed.
    pub fn open(self, backup: &str, seal: &BackupSeal) -> Result<Vec<u8>, StoreError> {
        match self {
            StoredManifest::Plain(bytes) => Ok(bytes),
            StoredManifest::Sealed {
                sealed,
                key_id,
                bound_to,
                ..
            } => match &seal.data_key {
                Some(_) => seal.open(backup, &bound_to, sealed),
                None => Err(StoreError::KeyMissing {
                    backup: backup.to_owned(),
                    key_id,
                }),
            },
        }
    }
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::encryption::{DataKey, MasterKey};

    fn manifest() -> Manifest {
        let at = Utc::now();
        Manifest {
            format_version: FORMAT_VERSION,
            tablevault_version: "t".into(),
            backup_id: "b1".into(),
            source: SourceInfo {
                name: "s".into(),
                endpoint: "e".into(),
                instance: "i".into(),
            },
            started_at: at,
            finished_at: at,
            all_versions: true,
            tables: vec![],
        }
    }

    #[test]
    fn every_byte_of_a_sealed_manifest_is_authenticated() {
        let master = MasterKey::generate();
        let seal = BackupSeal::sealed(DataKey::generate("b1"), master.id().to_owned());
        let original = manifest();
        let bytes = seal.seal_manifest(&original);
        let opened = StoredManifest::parse("b1", bytes.clone())
            .unwrap()
            .open("b1", &seal);
        assert_eq!(
            serde_json::from_slice::<Manifest>(&opened.unwrap()).unwrap(),
            original
        );
        for at in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x01;
            let result = StoredManifest::parse("b1", flipped)
                .and_then(|m| m.open("b1", &seal))
                .and_then(|json| {
                    serde_json::from_slice::<Manifest>(&json).map_err(|e| StoreError::Corrupt {
                        backup: "b1".into(),
                        detail: e.to_string(),
                    })
                });
            assert!(
                result.is_err(),
                "flipped byte {at} ({:?}) went unseen",
                bytes[at] as char
            );
        }
    }
}
