//! The credentials JSON shared by the credentials file and the ECS metadata service, parsed
//! without ever quoting a value from it in an error (it could be a secret).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::Credentials;
use crate::tablestore::client::error::{Result, TablestoreError};

/// The JSON of the file and of the metadata service.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CredentialsJson {
    access_key_id: String,
    access_key_secret: String,
    #[serde(default)]
    security_token: Option<String>,
    #[serde(default)]
    expiration: Option<String>,
    /// The metadata service says `Success`; anything else is a failure.
    #[serde(default)]
    code: Option<String>,
}

impl CredentialsJson {
    pub(super) fn parse(text: &[u8], from: &str) -> Result<Credentials> {
        let bad = |reason: String| TablestoreError::Credentials(format!("{from}: {reason}"));
        let json: CredentialsJson = serde_json::from_slice(text)
            .map_err(|e| bad(format!("not credentials JSON ({})", e.classify_name())))?;
        if json.code.as_deref().is_some_and(|c| c != "Success") {
            return Err(bad(format!(
                "answered Code {:?}",
                json.code.unwrap_or_default()
            )));
        }
        if json.access_key_id.is_empty() || json.access_key_secret.is_empty() {
            return Err(bad("AccessKeyId or AccessKeySecret is empty".into()));
        }
        let expires_at = match json.expiration.as_deref() {
            None | Some("") => None,
            Some(text) => Some(
                DateTime::parse_from_rfc3339(text)
                    .map_err(|_| bad(format!("Expiration {text:?} is not an RFC 3339 time")))?
                    .with_timezone(&Utc),
            ),
        };
        Ok(Credentials {
            access_key_id: json.access_key_id,
            access_key_secret: json.access_key_secret.into(),
            sts_token: json
                .security_token
                .filter(|t| !t.is_empty())
                .map(Into::into),
            expires_at,
        })
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    /// The kind of JSON error only: the message could quote a secret from the file.
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "unreadable",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "missing or mistyped field",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn parses_the_metadata_json_and_names_no_secret_in_errors() {
        let text = br#"{"AccessKeyId":"STS.ak","AccessKeySecret":"sk","SecurityToken":"tok","Expiration":"2026-12-05T04:00:00Z","Code":"Success","LastUpdated":"x"}"#;
        let c = CredentialsJson::parse(text, "test").unwrap();
        assert_eq!(c.access_key_id, "STS.ak");
        assert_eq!(c.sts_token.unwrap().expose_secret(), "tok");
        assert_eq!(
            c.expires_at.unwrap().to_rfc3339(),
            "2026-12-05T04:00:00+00:00"
        );

        let error = CredentialsJson::parse(
            br#"{"AccessKeyId":"a","AccessKeySecret":"hunter2","Expiration":"hunter2"}"#,
            "f",
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("Expiration"), "{error}");
        let error = CredentialsJson::parse(br#"{"AccessKeySecret":"hunter2"}"#, "f")
            .unwrap_err()
            .to_string();
        assert!(!error.contains("hunter2"), "{error}");
        assert!(CredentialsJson::parse(
            br#"{"AccessKeyId":"a","AccessKeySecret":"b","Code":"Failed"}"#,
            "f"
        )
        .is_err());
    }
}
