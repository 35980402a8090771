//! The status page: one HTML file, its stylesheet and its script, embedded in the binary and
//! served at `/` and `/ui/…` without a token. The page holds no data of its own: the script
//! asks the REST API with the token the operator types (kept in the tab's session storage), so
//! serving the files openly reveals nothing. Every answer carries a strict
//! Content-Security-Policy (same-origin scripts, styles and requests only; no inline code, no
//! framing) and the other usual browser hardening headers.

use axum::http::{header, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// Where the script and stylesheet are served; also what [`is_page_path`] opens.
pub const ASSET_PREFIX: &str = "/ui/";

const INDEX_HTML: &str = include_str!("index.html");

/// The script and stylesheet files under [`ASSET_PREFIX`]: name, body, content type. The
/// scripts are plain ES2020 loaded in this order with `defer` (no modules, no build step).
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.css",
        include_str!("app.css"),
        "text/css; charset=utf-8",
    ),
    ("api.js", include_str!("api.js"), JS),
    ("overview.js", include_str!("overview.js"), JS),
    ("backups.js", include_str!("backups.js"), JS),
    ("runs.js", include_str!("runs.js"), JS),
    ("restore.js", include_str!("restore.js"), JS),
    ("app.js", include_str!("app.js"), JS),
];
const JS: &str = "text/javascript; charset=utf-8";

/// Only this origin's files and API; `data:` images for nothing but the favicon placeholder.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// Whether `path` is one of the page's files, served without a token (any other path under
/// [`ASSET_PREFIX`] needs one, like every unknown path).
pub fn is_page_path(path: &str) -> bool {
    path == "/"
        || path
            .strip_prefix(ASSET_PREFIX)
            .is_some_and(|name| ASSETS.iter().any(|(asset, _, _)| *asset == name))
}

/// The page's routes; they use no state.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let mut router = Router::new().route(
        "/",
        get(|| async { page(INDEX_HTML, "text/html; charset=utf-8") }),
    );
    for &(name, body, content_type) in ASSETS {
        router = router.route(
            &format!("{ASSET_PREFIX}{name}"),
            get(move || async move { page(body, content_type) }),
        );
    }
    router
}

/// `body` as `content_type` with the hardening headers. `no-cache` makes a browser revalidate,
/// so an upgraded daemon's page is never mixed with a stale script.
fn page(body: &'static str, content_type: &'static str) -> Response {
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-cache"),
    ]
    .map(|(name, value)| (name, HeaderValue::from_static(value)));
    let mut response = (headers, body).into_response();
    response.headers_mut().insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response.headers_mut().insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_page_and_its_assets_are_page_paths() {
        assert!(is_page_path("/"));
        assert!(is_page_path("/ui/app.js"));
        assert!(!is_page_path("/api/v1/backups"));
        assert!(!is_page_path("/metrics"));
        assert!(!is_page_path("/uix"));
        assert!(!is_page_path("/ui/other.js"));
        assert!(!is_page_path("/ui/"));
    }

    #[test]
    fn the_page_loads_every_asset_and_nothing_else() {
        for (name, _, content_type) in ASSETS {
            let tag = if content_type.starts_with("text/css") {
                format!(r#"<link rel="stylesheet" href="/ui/{name}">"#)
            } else {
                format!(r#"<script src="/ui/{name}" defer></script>"#)
            };
            assert!(INDEX_HTML.contains(&tag), "{tag} missing");
        }
        assert_eq!(INDEX_HTML.matches("<script").count(), ASSETS.len() - 1);
        assert!(!INDEX_HTML.contains("http://") && !INDEX_HTML.contains("https://"));
        // The CSP forbids inline code: the page must have none.
        assert!(!INDEX_HTML.contains("<script>"));
        assert!(!INDEX_HTML.contains("style="));
        assert!(!INDEX_HTML.contains("onclick"));
    }
}
