//! Response verification: a response is trusted only if its `authorization` header (when
//! present) is the service's signature over its `x-ots-*` headers and the action.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::tablestore::auth;

/// Checks `authorization: OTS <akid>:<signature>` when the response carries one.
pub fn verify_authorization(
    access_key_id: &str,
    secret: &[u8],
    action: &str,
    headers: &HeaderMap,
) -> Result<(), String> {
    let Some(value) = headers.get(auth::HEADER_AUTHORIZATION) else {
        return Ok(());
    };
    let value = value
        .to_str()
        .map_err(|_| "authorization header is not text".to_string())?;
    let mut ots_lines = Vec::new();
    for (name, v) in headers.iter() {
        if name.as_str().starts_with("x-ots-") {
            let v = v
                .to_str()
                .map_err(|_| format!("header {name} is not text"))?;
            ots_lines.push((name.as_str(), v));
        }
    }
    let expected = auth::response_authorization(access_key_id, secret, action, ots_lines);
    if auth::constant_time_eq(value, &expected) {
        Ok(())
    } else {
        Err("response signature does not verify".into())
    }
}

/// Every `x-ots-*` header whose value is text, as `(name, value)`.
pub fn ots_headers(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-ots-"))
        .filter_map(|(name, value): (&HeaderName, &HeaderValue)| {
            Some((name.as_str(), value.to_str().ok()?))
        })
}

/// A header's value when it is present and text.
pub fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify(action: &str, headers: &HeaderMap) -> Result<(), String> {
        verify_authorization("ak", b"sk", action, headers)
    }

    fn signed_headers(akid: &str, secret: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(auth::HEADER_CONTENT_MD5, HeaderValue::from_static("md5"));
        headers.insert(auth::HEADER_REQUEST_ID, HeaderValue::from_static("req-1"));
        let lines = ots_headers(&headers).collect::<Vec<_>>();
        let authorization = auth::response_authorization(akid, secret, "GetRow", lines);
        headers.insert(
            auth::HEADER_AUTHORIZATION,
            HeaderValue::from_str(&authorization).unwrap(),
        );
        headers
    }

    #[test]
    fn accepts_a_correctly_signed_response() {
        let headers = signed_headers("ak", b"sk");
        assert_eq!(verify("GetRow", &headers), Ok(()));
    }

    #[test]
    fn refuses_forged_or_tampered_responses() {
        assert!(verify("GetRow", &signed_headers("ak", b"other")).is_err());
        assert!(verify("GetRow", &signed_headers("ak2", b"sk")).is_err());
        assert!(verify("PutRow", &signed_headers("ak", b"sk")).is_err());
        let mut tampered = signed_headers("ak", b"sk");
        tampered.insert(auth::HEADER_REQUEST_ID, HeaderValue::from_static("req-2"));
        assert!(verify("GetRow", &tampered).is_err());
    }

    #[test]
    fn a_response_without_authorization_is_accepted_unsigned() {
        assert_eq!(verify("GetRow", &HeaderMap::new()), Ok(()));
    }
}
