//! The ECS instance metadata service, in its hardened mode (IMDSv2) when the instance offers
//! it: a session token from `PUT /latest/api/token` (TTL in `X-aliyun-ecs-metadata-token-ttl-
//! seconds`) sent as `X-aliyun-ecs-metadata-token` with every read. An instance whose metadata
//! is hardened refuses reads without it. As in Alibaba's credentials SDKs, a service that
//! issues no token is read without one (normal mode) unless `disable_imdsv1` is set, which
//! turns that fallback into an error. Documented in Alibaba's ECS guide "Instance metadata",
//! section "Security hardening mode"; header names checked against the credentials SDKs.

use crate::tablestore::client::error::{Result, TablestoreError};

/// The metadata service every ECS instance reaches.
pub const DEFAULT_URL: &str = "http://100.100.100.200";
const TOKEN_PATH: &str = "/latest/api/token";
const TOKEN_TTL_HEADER: &str = "X-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "X-aliyun-ecs-metadata-token";
/// One token serves the few reads of one credentials refresh; the service caps TTLs at 6 h.
const TOKEN_TTL_SECONDS: u32 = 21_600;

/// The metadata service for one credentials refresh, with its session token if it has one.
pub(super) struct EcsMetadata<'a> {
    http: &'a reqwest::Client,
    token: Option<String>,
}

impl<'a> EcsMetadata<'a> {
    /// Asks `base_url` for a session token; without one, reads go unhardened unless
    /// `disable_imdsv1`.
    pub(super) async fn connect(
        http: &'a reqwest::Client,
        base_url: &str,
        disable_imdsv1: bool,
    ) -> Result<EcsMetadata<'a>> {
        let url = format!("{}{TOKEN_PATH}", base_url.trim_end_matches('/'));
        let token = match Self::session_token(http, &url).await {
            Ok(token) => Some(token),
            Err(reason) if disable_imdsv1 => {
                return Err(TablestoreError::Credentials(format!(
                    "{url}: no metadata session token ({reason}), and \
                     ecs_metadata_disable_imdsv1 forbids reading without one"
                )));
            }
            Err(reason) => {
                tracing::debug!(%url, %reason, "No ECS metadata session token; reading the metadata service in normal mode.");
                None
            }
        };
        Ok(EcsMetadata { http, token })
    }

    async fn session_token(
        http: &reqwest::Client,
        url: &str,
    ) -> std::result::Result<String, String> {
        let response = http
            .put(url)
            .header(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS.to_string())
            .send()
            .await
            .map_err(|e| format!("unreachable: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status().as_u16()));
        }
        let token = response.text().await.map_err(|e| format!("reading: {e}"))?;
        let token = token.trim();
        if token.is_empty() || token.contains(['\r', '\n']) {
            return Err("not a token".into());
        }
        Ok(token.to_string())
    }

    /// GET `url`, with the session token when there is one.
    pub(super) async fn get(&self, url: &str) -> Result<bytes::Bytes> {
        let failed = |reason: String| TablestoreError::Credentials(format!("{url}: {reason}"));
        let mut request = self.http.get(url);
        if let Some(token) = &self.token {
            request = request.header(TOKEN_HEADER, token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| failed(format!("metadata service unreachable: {e}")))?;
        if !response.status().is_success() {
            return Err(failed(format!("HTTP {}", response.status().as_u16())));
        }
        response
            .bytes()
            .await
            .map_err(|e| failed(format!("reading the answer: {e}")))
    }
}
