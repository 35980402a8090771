//! The HTTP side of the protocol: checking a request's credentials, signature, body MD5 and
//! date; building signed responses (the Python SDK refuses unsigned ones) and protobuf
//! `Error` bodies with the service's HTTP status.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http_body_util::Full;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};
use prost::Message;

use crate::tablestore::auth;
use crate::tablestore::proto;

use super::config::EmulatorConfig;
use super::error::ServiceError;

/// The `x-ots-*` request headers as lower-case name / value text.
fn ots_headers(headers: &HeaderMap) -> Result<Vec<(String, String)>, ServiceError> {
    headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-ots-"))
        .map(|(name, value)| {
            value
                .to_str()
                .map(|v| (name.as_str().to_string(), v.to_string()))
                .map_err(|_| ServiceError::auth(format!("Header {name} is not valid text.")))
        })
        .collect()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Result<&'a str, ServiceError> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| ServiceError::auth(format!("Missing header: {name}.")))
}

/// Verifies a request to `/action`: access key, instance, date within 15 minutes, body MD5
/// and the v2 signature over every `x-ots-*` header but the signature itself. An
/// `x-ots-ststoken` is accepted and, like any other `x-ots-*` header, signed.
pub fn check_request(
    config: &EmulatorConfig,
    action: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let ots = ots_headers(headers)?;
    let access_key_id = header(&ots, auth::HEADER_ACCESS_KEY_ID)?;
    if !auth::constant_time_eq(access_key_id, &config.access_key_id) {
        return Err(ServiceError::auth(format!(
            "The AccessKeyID '{access_key_id}' does not exist or is disabled."
        )));
    }
    let instance = header(&ots, auth::HEADER_INSTANCE)?;
    if instance != config.instance {
        return Err(ServiceError::auth(format!(
            "The instance '{instance}' does not exist; this emulator serves '{}'.",
            config.instance
        )));
    }
    let date_text = header(&ots, auth::HEADER_DATE)?;
    let date = auth::parse_date(date_text)
        .ok_or_else(|| ServiceError::auth(format!("Invalid x-ots-date: '{date_text}'.")))?;
    if (now - date).num_seconds().abs() > auth::MAX_CLOCK_SKEW_SECS {
        return Err(ServiceError::auth(format!(
            "Mismatch between system time and x-ots-date: {date_text}."
        )));
    }
    let md5 = header(&ots, auth::HEADER_CONTENT_MD5)?;
    if md5 != auth::content_md5(body) {
        return Err(ServiceError::auth(
            "Mismatch between MD5 value of request body and x-ots-contentmd5 in header.",
        ));
    }
    let signature = header(&ots, auth::HEADER_SIGNATURE)?;
    let expected = auth::request_signature(
        config.access_key_secret.as_bytes(),
        action,
        ots.iter().map(|(n, v)| (n.as_str(), v.as_str())),
    );
    if !auth::constant_time_eq(signature, &expected) {
        return Err(ServiceError::auth("Signature mismatch."));
    }
    Ok(())
}

/// A unique request id in the service's shape.
fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A signed response to `/action` carrying `body`.
pub fn signed_response(
    config: &EmulatorConfig,
    action: &str,
    status: u16,
    body: Vec<u8>,
) -> Response<Full<Bytes>> {
    let ots = [
        (auth::HEADER_CONTENT_MD5, auth::content_md5(&body)),
        (auth::HEADER_REQUEST_ID, request_id()),
        (auth::HEADER_DATE, auth::format_date(Utc::now())),
        (
            auth::HEADER_CONTENT_TYPE,
            auth::CONTENT_TYPE_PROTOBUF.to_string(),
        ),
    ];
    let authorization = auth::response_authorization(
        &config.access_key_id,
        config.access_key_secret.as_bytes(),
        action,
        ots.iter().map(|(n, v)| (*n, v.as_str())),
    );
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in ots
        .iter()
        .map(|(n, v)| (*n, v.clone()))
        .chain([(auth::HEADER_AUTHORIZATION, authorization)])
    {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    response
}

/// A signed protobuf `Error` response with the code's HTTP status.
pub fn error_response(
    config: &EmulatorConfig,
    action: &str,
    error: &ServiceError,
) -> Response<Full<Bytes>> {
    let body = proto::Error {
        code: error.code.clone(),
        message: Some(error.message.clone()),
    }
    .encode_to_vec();
    signed_response(config, action, error.status(), body)
}

/// `301 Moved Permanently` to `location`, unsigned, as a front end says it.
pub fn redirect_response(location: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"")));
    *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
    if let Ok(value) = HeaderValue::from_str(location) {
        response
            .headers_mut()
            .insert(hyper::header::LOCATION, value);
    }
    response
}

/// An HTML `502 Bad Gateway` page without any `x-ots-*` header: what a load balancer in
/// front of the service answers when the service behind it is unreachable.
pub fn gateway_error_response() -> Response<Full<Bytes>> {
    let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                <center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
    let mut response = Response::new(Full::new(Bytes::from_static(page.as_bytes())));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("text/html"),
    );
    response
}

/// Removes what proves a response came from the service: the signature and the body MD5.
pub fn strip_signature(response: &mut Response<Full<Bytes>>) {
    let headers = response.headers_mut();
    headers.remove(auth::HEADER_AUTHORIZATION);
    headers.remove(auth::HEADER_CONTENT_MD5);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_headers(config: &EmulatorConfig, action: &str, body: &[u8], date: &str) -> HeaderMap {
        let mut pairs = vec![
            (auth::HEADER_ACCESS_KEY_ID, config.access_key_id.clone()),
            (auth::HEADER_API_VERSION, auth::API_VERSION.to_string()),
            (auth::HEADER_CONTENT_MD5, auth::content_md5(body)),
            (auth::HEADER_DATE, date.to_string()),
            (auth::HEADER_INSTANCE, config.instance.clone()),
        ];
        let sig = auth::request_signature(
            config.access_key_secret.as_bytes(),
            action,
            pairs.iter().map(|(n, v)| (*n, v.as_str())),
        );
        pairs.push((auth::HEADER_SIGNATURE, sig));
        let mut map = HeaderMap::new();
        for (n, v) in pairs {
            map.insert(
                HeaderName::from_static(n),
                HeaderValue::from_str(&v).unwrap(),
            );
        }
        map
    }

    #[test]
    fn accepts_a_signed_request_and_names_each_failure() {
        let config = EmulatorConfig::default();
        let now = Utc::now();
        let date = auth::format_date(now);
        let headers = signed_headers(&config, "ListTable", b"", &date);
        assert_eq!(
            check_request(&config, "ListTable", &headers, b"", now),
            Ok(())
        );

        let err = check_request(&config, "ListTable", &headers, b"x", now).unwrap_err();
        assert!(err.message.contains("MD5"), "{err}");
        let err = check_request(&config, "GetRow", &headers, b"", now).unwrap_err();
        assert_eq!(err.message, "Signature mismatch.");
        let later = now + chrono::Duration::minutes(16);
        let err = check_request(&config, "ListTable", &headers, b"", later).unwrap_err();
        assert!(err.message.contains("x-ots-date"), "{err}");
        let other = EmulatorConfig {
            access_key_secret: "other".into(),
            ..config.clone()
        };
        assert!(check_request(&other, "ListTable", &headers, b"", now).is_err());
        let other = EmulatorConfig {
            instance: "other".into(),
            ..config
        };
        assert_eq!(
            check_request(&other, "ListTable", &headers, b"", now)
                .unwrap_err()
                .status(),
            403
        );
    }

    #[test]
    fn responses_are_signed_over_their_ots_headers() {
        let config = EmulatorConfig::default();
        let response = signed_response(&config, "ListTable", 200, vec![1, 2, 3]);
        let h = response.headers();
        let ots: Vec<(&str, &str)> = h
            .iter()
            .filter(|(n, _)| n.as_str().starts_with("x-ots-"))
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(ots.len(), 4);
        let expected = auth::response_authorization("test-ak", b"test-sk", "ListTable", ots);
        assert_eq!(h["authorization"].to_str().unwrap(), expected);
        assert_eq!(
            h["x-ots-contentmd5"].to_str().unwrap(),
            auth::content_md5(&[1, 2, 3])
        );
    }
}
