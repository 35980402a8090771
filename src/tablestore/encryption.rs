//! A table's server-side encryption: DescribeTable's `sse_details`, saved with a backup and
//! replayed as CreateTable's `sse_spec`, so a restored table is encrypted as the original was.
//! The key id and role ARN are identifiers (a KMS key id, a RAM role ARN), not secrets.

use serde::{Deserialize, Serialize};

use super::proto;

/// Who holds the key: the KMS service key of Tablestore, or the user's own key (BYOK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SseKeyType {
    KmsService,
    Byok,
}

/// Server-side encryption settings of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableEncryption {
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_type: Option<SseKeyType>,
    /// The user's KMS key id (BYOK only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The RAM role Tablestore assumes to use the key (BYOK only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
}

fn text(bytes: &Option<Vec<u8>>) -> Option<String> {
    bytes
        .as_ref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

fn key_type_from(v: Option<i32>) -> Option<SseKeyType> {
    match v.map(proto::SseKeyType::try_from) {
        Some(Ok(proto::SseKeyType::SseKmsService)) => Some(SseKeyType::KmsService),
        Some(Ok(proto::SseKeyType::SseByok)) => Some(SseKeyType::Byok),
        _ => None,
    }
}

impl TableEncryption {
    /// From DescribeTable; `None` when the table is not encrypted.
    pub fn from_details(details: Option<&proto::SseDetails>) -> Option<Self> {
        let d = details.filter(|d| d.enable)?;
        Some(TableEncryption {
            enabled: true,
            key_type: key_type_from(d.key_type),
            key_id: text(&d.key_id),
            role_arn: text(&d.role_arn),
        })
    }

    /// From CreateTable (the emulator keeps what it was asked for).
    pub fn from_spec(spec: Option<&proto::SseSpecification>) -> Option<Self> {
        let s = spec.filter(|s| s.enable)?;
        Some(TableEncryption {
            enabled: true,
            key_type: key_type_from(s.key_type),
            key_id: text(&s.key_id),
            role_arn: text(&s.role_arn),
        })
    }

    fn key_type_number(&self) -> Option<i32> {
        self.key_type.map(|t| match t {
            SseKeyType::KmsService => proto::SseKeyType::SseKmsService as i32,
            SseKeyType::Byok => proto::SseKeyType::SseByok as i32,
        })
    }

    pub fn to_spec(&self) -> proto::SseSpecification {
        proto::SseSpecification {
            enable: self.enabled,
            key_type: self.key_type_number(),
            key_id: self.key_id.clone().map(String::into_bytes),
            role_arn: self.role_arn.clone().map(String::into_bytes),
        }
    }

    pub fn to_details(&self) -> proto::SseDetails {
        proto::SseDetails {
            enable: self.enabled,
            key_type: self.key_type_number(),
            key_id: self.key_id.clone().map(String::into_bytes),
            role_arn: self.role_arn.clone().map(String::into_bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byok_settings_survive_describe_and_create() {
        let e = TableEncryption {
            enabled: true,
            key_type: Some(SseKeyType::Byok),
            key_id: Some("key-123".into()),
            role_arn: Some("acs:ram::1:role/ots".into()),
        };
        assert_eq!(
            TableEncryption::from_details(Some(&e.to_details())),
            Some(e.clone())
        );
        assert_eq!(TableEncryption::from_spec(Some(&e.to_spec())), Some(e));
        let off = proto::SseDetails {
            enable: false,
            key_type: None,
            key_id: None,
            role_arn: None,
        };
        assert_eq!(TableEncryption::from_details(Some(&off)), None);
    }
}
