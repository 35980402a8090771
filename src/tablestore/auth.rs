//! Request and response signatures (Tablestore "v2": HMAC-SHA1 over the `x-ots-*` headers), the
//! body MD5 and the date format. Shared by the client (signs requests, checks responses) and
//! the emulator (checks requests, signs responses), so both sides compute them one way.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use sha1::Sha1;

pub const API_VERSION: &str = "2015-12-31";
pub const HEADER_DATE: &str = "x-ots-date";
pub const HEADER_API_VERSION: &str = "x-ots-apiversion";
pub const HEADER_ACCESS_KEY_ID: &str = "x-ots-accesskeyid";
pub const HEADER_INSTANCE: &str = "x-ots-instancename";
pub const HEADER_CONTENT_MD5: &str = "x-ots-contentmd5";
pub const HEADER_STS_TOKEN: &str = "x-ots-ststoken";
pub const HEADER_SIGNATURE: &str = "x-ots-signature";
pub const HEADER_REQUEST_ID: &str = "x-ots-requestid";
pub const HEADER_CONTENT_TYPE: &str = "x-ots-contenttype";
pub const HEADER_AUTHORIZATION: &str = "authorization";
/// The value the service sends in `x-ots-contenttype`.
pub const CONTENT_TYPE_PROTOBUF: &str = "protocol buffer";
/// Requests and responses whose `x-ots-date` is further than this from the clock are refused.
pub const MAX_CLOCK_SKEW_SECS: i64 = 15 * 60;

/// base64(MD5(body)).
pub fn content_md5(body: &[u8]) -> String {
    BASE64.encode(Md5::digest(body))
}

/// The `x-ots-date` format: UTC with milliseconds, e.g. `2026-11-25T03:37:35.123Z`.
pub fn format_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Parses an `x-ots-date` value; any number of fractional digits is accepted.
pub fn parse_date(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.fZ")
        .ok()
        .map(|t| t.and_utc())
}

fn hmac_sha1_base64(secret: &[u8], text: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(text.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// The canonical `name:value\n` lines of every `x-ots-*` header but the signature, sorted by
/// (lower-cased) name. Values are trimmed, as the service does.
fn canonical_headers<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut lines: Vec<(String, &str)> = headers
        .into_iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .filter(|(name, _)| name.starts_with("x-ots-") && name != HEADER_SIGNATURE)
        .collect();
    lines.sort();
    lines
        .into_iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect()
}

/// The `x-ots-signature` of a request to `/action` with these headers.
pub fn request_signature<'a>(
    secret: &[u8],
    action: &str,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let text = format!("/{action}\nPOST\n\n{}", canonical_headers(headers));
    hmac_sha1_base64(secret, &text)
}

/// The `authorization` header value of a response to `/action`: `OTS <akid>:<signature>`.
pub fn response_authorization<'a>(
    access_key_id: &str,
    secret: &[u8],
    action: &str,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let text = format!("{}/{action}", canonical_headers(headers));
    format!("OTS {access_key_id}:{}", hmac_sha1_base64(secret, &text))
}

/// Constant-time string comparison, for signatures and keys.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vector produced by the official Python SDK (protocol reference §1.3).
    #[test]
    fn request_signature_matches_the_sdk_vector() {
        let headers = [
            ("x-ots-accesskeyid", "test-ak"),
            ("x-ots-apiversion", "2015-12-31"),
            ("x-ots-contentmd5", "1B2M2Y8AsgTpgAmY7PhCfg=="),
            ("x-ots-date", "2026-11-25T03:37:35.000Z"),
            ("x-ots-instancename", "myinst"),
        ];
        assert_eq!(
            request_signature(b"test-sk", "ListTable", headers),
            "MfoxTn4jpBIr5Iq17P9VXAlqaec="
        );
    }

    /// Vector from the Java SDK's response-validation unit test (protocol reference §1.4).
    #[test]
    fn response_signature_matches_the_java_vector() {
        let headers = [("x-ots-contentmd5", "md5"), ("x-ots-contenttype", "json")];
        assert_eq!(
            response_authorization("ak", b"sk", "action", headers),
            "OTS ak:yxS9NtV7YZ+VtKXGkyeLOlYsH5o="
        );
    }

    #[test]
    fn signature_ignores_order_case_and_non_ots_headers() {
        let a = request_signature(b"k", "GetRow", [("X-OTS-Date", " d "), ("x-ots-a", "1")]);
        let b = request_signature(
            b"k",
            "GetRow",
            [("x-ots-a", "1"), ("content-type", "x"), ("x-ots-date", "d")],
        );
        assert_eq!(a, b);
    }

    #[test]
    fn empty_body_md5() {
        assert_eq!(content_md5(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    }

    #[test]
    fn dates_round_trip_with_any_precision() {
        let t = parse_date("2020-09-09T08:37:11.680616Z").unwrap();
        assert_eq!(format_date(t), "2020-09-09T08:37:11.680Z");
        assert!(parse_date("2026-11-25T03:37:35.000Z").is_some());
        assert!(parse_date("yesterday").is_none());
    }
}
