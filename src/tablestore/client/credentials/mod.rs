//! Where the AccessKey that signs each request comes from: fixed keys from the config, a
//! credentials file re-read when it changes, or the ECS instance RAM role from the metadata
//! service. Temporary (STS) credentials expire, so the last two are fetched again shortly
//! before they do; a long backup then never signs with an expired token.
//!
//! The file and the metadata service speak the same JSON (what the metadata service answers
//! and what `aliyun sts AssumeRole` prints under `Credentials`):
//! `{"AccessKeyId": "…", "AccessKeySecret": "…", "SecurityToken": "…", "Expiration": "2026-12-05T04:00:00Z"}`
//! (`SecurityToken` and `Expiration` optional in the file). Secrets stay [`SecretString`]s and
//! are never logged; errors name the file or URL, never a value read from it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use tokio::sync::Mutex;

use super::error::{Result, TablestoreError};

mod ecs_metadata;
mod json;

use ecs_metadata::EcsMetadata;
use json::CredentialsJson;

/// Temporary credentials are fetched again this long before they expire (the Go and Java
/// providers refresh a few minutes early too), so a request in flight never carries one
/// that expires on the way.
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);
/// The ECS metadata service every instance reaches.
pub const DEFAULT_ECS_METADATA_URL: &str = ecs_metadata::DEFAULT_URL;
const ECS_ROLE_PATH: &str = "/latest/meta-data/ram/security-credentials/";

/// One set of credentials: what a request is signed with.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub access_key_id: String,
    pub access_key_secret: SecretString,
    pub sts_token: Option<SecretString>,
    /// When temporary credentials stop working; `None` for long-term keys.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Where credentials come from (the config's `credentials_file` / `ecs_ram_role` keys).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CredentialsSource {
    /// The `access_key_id` / `access_key_secret` / `sts_token` of the config.
    #[default]
    Static,
    /// A JSON file, re-read whenever it changes or its credentials near expiry.
    File(PathBuf),
    /// The ECS instance RAM role: `role` (discovered when `None`) from the metadata service
    /// at `metadata_url`.
    EcsRamRole {
        role: Option<String>,
        metadata_url: String,
        /// Refuse the unhardened metadata service: fail unless a session token is issued
        /// (the SDKs' `disableIMDSv1`).
        disable_imdsv1: bool,
    },
}

/// What was last loaded, and what it was loaded from.
struct Loaded {
    credentials: Arc<Credentials>,
    /// The file's modification time and length when it was read.
    file_stamp: Option<(SystemTime, u64)>,
}

/// Hands out the current credentials, loading them again when they change or near expiry.
pub struct CredentialsProvider {
    source: CredentialsSource,
    loaded: Mutex<Option<Loaded>>,
    metadata: reqwest::Client,
}

impl std::fmt::Debug for CredentialsProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialsProvider")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

fn needs_refresh(credentials: &Credentials, now: DateTime<Utc>) -> bool {
    let margin = chrono::Duration::from_std(REFRESH_BEFORE_EXPIRY).unwrap_or_default();
    credentials
        .expires_at
        .is_some_and(|expiry| expiry - margin <= now)
}

impl CredentialsProvider {
    /// `fixed` are the config's static keys, used as they are for [`CredentialsSource::Static`].
    pub fn new(source: CredentialsSource, fixed: Credentials) -> Result<Self> {
        let metadata = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|e| TablestoreError::Config(format!("cannot build the HTTP client: {e}")))?;
        let loaded = (source == CredentialsSource::Static).then(|| Loaded {
            credentials: Arc::new(fixed),
            file_stamp: None,
        });
        Ok(CredentialsProvider {
            source,
            loaded: Mutex::new(loaded),
            metadata,
        })
    }

    /// The credentials to sign the next request with.
    ///
    /// When loading fresh ones fails but the previous ones have not expired yet, those are
    /// used (with a warning): a metadata hiccup five minutes before expiry is not an outage.
    pub async fn current(&self) -> Result<Arc<Credentials>> {
        let mut loaded = self.loaded.lock().await;
        let now = Utc::now();
        let stale = match (&self.source, loaded.as_ref()) {
            (CredentialsSource::Static, Some(_)) => false,
            (_, None) => true,
            (CredentialsSource::File(path), Some(l)) => {
                needs_refresh(&l.credentials, now) || file_stamp(path) != l.file_stamp
            }
            (CredentialsSource::EcsRamRole { .. }, Some(l)) => needs_refresh(&l.credentials, now),
        };
        if stale {
            match self.load().await {
                Ok(fresh) => {
                    tracing::info!(
                        source = self.describe(),
                        access_key_id = %fresh.credentials.access_key_id,
                        expires_at = ?fresh.credentials.expires_at,
                        "Loaded Tablestore credentials."
                    );
                    *loaded = Some(fresh);
                }
                Err(error) => match loaded.as_ref() {
                    Some(l) if l.credentials.expires_at.is_none_or(|e| e > now) => {
                        tracing::warn!(%error, "Refreshing Tablestore credentials failed; using the current ones until they expire.");
                    }
                    _ => return Err(error),
                },
            }
        }
        match loaded.as_ref() {
            Some(l) => Ok(l.credentials.clone()),
            None => Err(TablestoreError::Credentials("no credentials loaded".into())),
        }
    }

    fn describe(&self) -> String {
        match &self.source {
            CredentialsSource::Static => "config".into(),
            CredentialsSource::File(path) => format!("file {}", path.display()),
            CredentialsSource::EcsRamRole { metadata_url, .. } => {
                format!("ECS RAM role via {metadata_url}")
            }
        }
    }

    async fn load(&self) -> Result<Loaded> {
        match &self.source {
            CredentialsSource::Static => Err(TablestoreError::Credentials(
                "static credentials are never reloaded".into(),
            )),
            CredentialsSource::File(path) => {
                let stamp = file_stamp(path);
                let from = format!("credentials file {}", path.display());
                let text = tokio::fs::read(path).await.map_err(|e| {
                    TablestoreError::Credentials(format!("{from}: cannot read: {e}"))
                })?;
                Ok(Loaded {
                    credentials: Arc::new(CredentialsJson::parse(&text, &from)?),
                    file_stamp: stamp,
                })
            }
            CredentialsSource::EcsRamRole {
                role,
                metadata_url,
                disable_imdsv1,
            } => {
                let metadata =
                    EcsMetadata::connect(&self.metadata, metadata_url, *disable_imdsv1).await?;
                let base = format!("{}{ECS_ROLE_PATH}", metadata_url.trim_end_matches('/'));
                let role = match role {
                    Some(role) => role.clone(),
                    None => {
                        let names = metadata.get(&base).await?;
                        let names = String::from_utf8_lossy(&names);
                        names
                            .lines()
                            .next()
                            .map(str::trim)
                            .unwrap_or("")
                            .to_string()
                    }
                };
                if role.is_empty() {
                    return Err(TablestoreError::Credentials(format!(
                        "{base}: this instance has no RAM role attached"
                    )));
                }
                let url = format!("{base}{role}");
                let body = metadata.get(&url).await?;
                Ok(Loaded {
                    credentials: Arc::new(CredentialsJson::parse(&body, &url)?),
                    file_stamp: None,
                })
            }
        }
    }
}

/// The file's modification time and length, to notice a rewrite.
fn file_stamp(path: &std::path::Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_credentials_refresh_a_few_minutes_early() {
        let now = Utc::now();
        let with_expiry = |minutes: i64| Credentials {
            access_key_id: "a".into(),
            access_key_secret: "b".to_string().into(),
            sts_token: None,
            expires_at: Some(now + chrono::Duration::minutes(minutes)),
        };
        assert!(!needs_refresh(&with_expiry(60), now));
        assert!(needs_refresh(&with_expiry(4), now));
        assert!(needs_refresh(&with_expiry(-1), now));
    }
}
