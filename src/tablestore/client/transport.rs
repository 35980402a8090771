//! One HTTP attempt: sign the request, send it over the pooled connection, and accept the
//! response only after its MD5 and signature check out. Retrying is the caller's business.

use bytes::Bytes;
use prost::Message;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;
use secrecy::ExposeSecret;

use super::config::ClientConfig;
use super::credentials::{Credentials, CredentialsProvider, CredentialsSource};
use super::error::{Result, TablestoreError};
use super::verify::{header_text, ots_headers, verify_authorization};
use crate::tablestore::{auth, codes, proto};

/// How long a pooled connection may sit idle before it is closed rather than reused.
const IDLE_CONNECTION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// A verified 2xx response body.
#[derive(Debug)]
pub struct Reply {
    pub body: Bytes,
    pub request_id: Option<String>,
}

/// The signing identity and the connection pool of one client.
pub struct Transport {
    http: reqwest::Client,
    /// The endpoint without a trailing slash; the action is appended as `/<Action>`.
    base_url: String,
    instance: HeaderValue,
    credentials: CredentialsProvider,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.base_url)
            .field("instance", &self.instance)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl Transport {
    pub fn new(config: &ClientConfig) -> Result<Self> {
        let url = config.validate()?;
        let header = |what: &str, value: &str| {
            HeaderValue::from_str(value).map_err(|_| {
                TablestoreError::Config(format!(
                    "{what} contains characters not allowed in a header"
                ))
            })
        };
        let instance = header("instance", &config.instance)?;
        let fixed = Credentials {
            access_key_id: config.access_key_id.clone(),
            access_key_secret: config.access_key_secret.clone(),
            sts_token: config.sts_token.clone(),
            expires_at: None,
        };
        if config.credentials == CredentialsSource::Static {
            header("access_key_id", &fixed.access_key_id)?;
            if let Some(token) = &fixed.sts_token {
                header("sts_token", token.expose_secret())?;
            }
        }
        let credentials = CredentialsProvider::new(config.credentials.clone(), fixed)?;
        let mut builder = reqwest::Client::builder();
        let roots =
            super::trust::extra_roots(config.ca_file.as_deref(), config.use_system_ca_store)
                .map_err(|(key, reason)| TablestoreError::Config(format!("{key}: {reason}")))?;
        for certificate in roots {
            builder = builder.add_root_certificate(certificate);
        }
        let http = builder
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // Every SDK speaks HTTP/1.1; h2 against the service is untested ground.
            .http1_only()
            // The service closes idle connections sooner than 60 s (Java evicts after 5 s,
            // Go after 25 s); reusing one it already closed fails a write mid-flight.
            .pool_idle_timeout(IDLE_CONNECTION_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .user_agent(concat!("tablevault/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TablestoreError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Transport {
            http,
            base_url: url.as_str().trim_end_matches('/').to_string(),
            instance,
            credentials,
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.base_url
    }

    /// The signed `x-ots-*` headers for a request to `/action` with this body.
    fn request_headers(
        &self,
        action: &str,
        body: &[u8],
        credentials: &Credentials,
    ) -> Result<HeaderMap> {
        let not_header = |what: &str| {
            TablestoreError::Credentials(format!(
                "the {what} contains characters not allowed in a header"
            ))
        };
        let mut headers = HeaderMap::new();
        let text = |v: String| HeaderValue::from_str(&v).expect("date, MD5 and id are ASCII");
        let now = chrono::Utc::now();
        headers.insert(auth::HEADER_DATE, text(auth::format_date(now)));
        headers.insert(
            auth::HEADER_API_VERSION,
            HeaderValue::from_static(auth::API_VERSION),
        );
        let access_key_id = HeaderValue::from_str(&credentials.access_key_id)
            .map_err(|_| not_header("AccessKeyId"))?;
        headers.insert(auth::HEADER_ACCESS_KEY_ID, access_key_id);
        headers.insert(auth::HEADER_INSTANCE, self.instance.clone());
        headers.insert(auth::HEADER_CONTENT_MD5, text(auth::content_md5(body)));
        if let Some(token) = &credentials.sts_token {
            let mut value = HeaderValue::from_str(token.expose_secret())
                .map_err(|_| not_header("security token"))?;
            value.set_sensitive(true);
            headers.insert(auth::HEADER_STS_TOKEN, value);
        }
        let signature = auth::request_signature(
            credentials.access_key_secret.expose_secret().as_bytes(),
            action,
            ots_headers(&headers),
        );
        headers.insert(auth::HEADER_SIGNATURE, text(signature));
        Ok(headers)
    }

    /// Sends one attempt and returns the verified body of a 2xx response.
    pub async fn send(&self, action: &'static str, body: Bytes) -> Result<Reply> {
        let credentials = self.credentials.current().await?;
        let headers = self.request_headers(action, &body, &credentials)?;
        let response = self
            .http
            .post(format!("{}/{action}", self.base_url))
            .headers(headers)
            .body(body)
            .send()
            .await
            .map_err(|e| transport_error(action, e))?;
        let status = response.status();
        if status.is_redirection() {
            // Never followed: reqwest would replay the POST as a GET, and send the signed
            // headers (STS token included) to whatever host the Location names.
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("(no Location header)")
                .to_string();
            return Err(TablestoreError::Moved {
                action,
                http_status: status.as_u16(),
                location,
            });
        }
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(action, e))?;
        let request_id = header_text(&headers, auth::HEADER_REQUEST_ID).map(str::to_string);
        let invalid = |reason: String| TablestoreError::InvalidResponse {
            action,
            reason,
            request_id: request_id.clone(),
        };
        match header_text(&headers, auth::HEADER_CONTENT_MD5) {
            Some(md5) if md5 != auth::content_md5(&body) => {
                return Err(invalid("body does not match x-ots-contentmd5".into()));
            }
            // The Python and Java SDKs refuse a 2xx the service did not vouch for: whatever
            // answered (a cache, a captive portal, a misrouted proxy) is not Tablestore.
            None if status.is_success() => {
                return Err(invalid(format!(
                    "HTTP {} without x-ots-contentmd5: the response is not from Tablestore",
                    status.as_u16()
                )));
            }
            _ => {}
        }
        if status.is_success() && headers.get(auth::HEADER_AUTHORIZATION).is_none() {
            return Err(invalid(format!(
                "HTTP {} without a response signature: the response is not from Tablestore",
                status.as_u16()
            )));
        }
        let service_error =
            (!status.is_success()).then(|| decode_error(action, status, &headers, &body));
        // A server that rejects our key cannot sign with it; the official SDKs skip the
        // check in exactly that case.
        let auth_failed = matches!(&service_error, Some(Some(e)) if e.code == codes::AUTH_FAILED);
        if !auth_failed {
            verify_authorization(
                &credentials.access_key_id,
                credentials.access_key_secret.expose_secret().as_bytes(),
                action,
                &headers,
            )
            .map_err(invalid)?;
        }
        match service_error {
            None => Ok(Reply { body, request_id }),
            Some(Some(error)) => Err(TablestoreError::Service {
                action,
                code: error.code,
                message: error.message.unwrap_or_default(),
                http_status: status.as_u16(),
                request_id,
            }),
            Some(None) => Err(TablestoreError::HttpStatus {
                action,
                http_status: status.as_u16(),
                detail: describe_body(&headers, &body),
                request_id,
            }),
        }
    }
}

/// The `Error` message of a non-2xx body, if it is one. A text body (a gateway's HTML page)
/// is never one, even when its bytes happen to parse as protobuf.
fn decode_error(
    action: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<proto::Error> {
    let content_type = header_text(headers, reqwest::header::CONTENT_TYPE.as_str()).unwrap_or("");
    if content_type.starts_with("text/") {
        return None;
    }
    match proto::Error::decode(body) {
        Ok(error) if !error.code.is_empty() => Some(error),
        _ => {
            tracing::debug!(
                action,
                status = status.as_u16(),
                "Error response has no Tablestore error body."
            );
            None
        }
    }
}

/// What a non-Tablestore error body is, for the message: its type and, for an HTML page, its
/// title (never the whole page, which may be large).
fn describe_body(headers: &HeaderMap, body: &[u8]) -> String {
    if body.is_empty() {
        return "empty body".into();
    }
    let content_type =
        header_text(headers, reqwest::header::CONTENT_TYPE.as_str()).unwrap_or("no content type");
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    let title = text
        .find("<title>")
        .and_then(|start| {
            let rest = &text[start + "<title>".len()..];
            rest.find("</title>")
                .map(|end| rest[..end].trim().to_string())
        })
        .filter(|t| !t.is_empty());
    match title {
        Some(title) => format!("{content_type} page \"{title}\""),
        None => format!("{} bytes of {content_type}", body.len()),
    }
}

/// Sorts a reqwest failure into "nothing was sent" (connect), timeout, or other transport.
fn transport_error(action: &'static str, error: reqwest::Error) -> TablestoreError {
    if error.is_connect() {
        TablestoreError::Connect {
            action,
            source: error,
        }
    } else if error.is_timeout() {
        TablestoreError::Timeout { action }
    } else {
        TablestoreError::Transport {
            action,
            source: error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport() -> Transport {
        Transport::new(&ClientConfig::new("http://127.0.0.1:1", "inst", "ak", "sk")).unwrap()
    }

    #[test]
    fn a_ca_file_that_is_missing_or_not_pem_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = ClientConfig::new("https://h", "inst", "ak", "sk");
        config.ca_file = Some(dir.path().join("missing.pem"));
        let error = Transport::new(&config).unwrap_err().to_string();
        assert!(error.contains("cannot read"), "{error}");
        let garbage = dir.path().join("garbage.pem");
        std::fs::write(&garbage, "hello, not a certificate").unwrap();
        config.ca_file = Some(garbage);
        let error = Transport::new(&config).unwrap_err().to_string();
        assert!(error.contains("ca_file"), "{error}");
    }

    #[test]
    fn requests_are_signed_over_every_ots_header() {
        let t = transport();
        let credentials = Credentials {
            access_key_id: "ak".into(),
            access_key_secret: "sk".to_string().into(),
            sts_token: None,
            expires_at: None,
        };
        let headers = t.request_headers("ListTable", b"", &credentials).unwrap();
        let signature = headers
            .get(auth::HEADER_SIGNATURE)
            .unwrap()
            .to_str()
            .unwrap();
        let expected = auth::request_signature(b"sk", "ListTable", ots_headers(&headers));
        assert_eq!(signature, expected);
        assert_eq!(
            headers.get(auth::HEADER_CONTENT_MD5).unwrap(),
            "1B2M2Y8AsgTpgAmY7PhCfg=="
        );
        assert!(headers.get(auth::HEADER_STS_TOKEN).is_none());
    }
}
