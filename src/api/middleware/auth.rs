//! Bearer-token authentication and role checks.
//!
//! Tokens are compared as SHA-256 digests with a constant-time equality, against every
//! configured token, so neither the length nor the prefix of a valid token can be learned from
//! response times. The `read` role may GET and HEAD; `admin` may do everything. Health probes
//! (and `/metrics` unless `server.metrics_require_auth`) need no token, nor do the status page's
//! files, which hold no data.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::api::error::ApiError;
use crate::config::{Config, Role};

/// Paths served without a token whatever the configuration.
pub const OPEN_PATHS: &[&str] = &["/healthz", "/readyz"];

/// Who made a request; handlers may read it from the request extensions (for audit logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub name: String,
    pub role: Role,
}

struct KnownToken {
    digest: [u8; 32],
    role: Role,
    name: String,
}

/// The configured tokens, ready for checking.
pub struct Authenticator {
    disabled: bool,
    tokens: Vec<KnownToken>,
    metrics_open: bool,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("disabled", &self.disabled)
            .field("tokens", &self.tokens.len())
            .finish()
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Authenticator {
    pub fn from_config(config: &Config) -> Authenticator {
        let tokens = config
            .auth
            .tokens
            .iter()
            .enumerate()
            .map(|(i, t)| KnownToken {
                digest: digest(t.token.expose_secret()),
                role: t.role,
                name: t.display_name(i),
            })
            .collect();
        Authenticator {
            disabled: config.auth.disabled,
            tokens,
            metrics_open: !config.server.metrics_require_auth,
        }
    }

    /// Whether `path` is served without a token.
    pub fn is_open(&self, path: &str) -> bool {
        self.disabled
            || OPEN_PATHS.contains(&path)
            || (self.metrics_open && path == "/metrics")
            || crate::api::status_page::is_page_path(path)
    }

    /// The principal presenting the request's bearer token.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, ApiError> {
        if self.tokens.is_empty() {
            return Err(ApiError::Unauthorized(
                "no API token is configured: add [[auth.tokens]] to the config file or set \
                 TABLEVAULT_AUTH_ADMIN_TOKEN / TABLEVAULT_AUTH_READ_TOKEN (or set [auth] \
                 disabled = true for a trusted local setup)"
                    .into(),
            ));
        }
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::Unauthorized(
                "this request needs an Authorization: Bearer <token> header".into(),
            ));
        };
        let presented = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| {
                ApiError::Unauthorized("the Authorization header must be Bearer <token>".into())
            })?;
        let presented = digest(presented);
        let mut found = None;
        // Every token is compared, so the time taken does not depend on which one matches.
        for known in &self.tokens {
            if bool::from(known.digest.ct_eq(&presented)) {
                found = Some(known);
            }
        }
        match found {
            Some(known) => Ok(Principal {
                name: known.name.clone(),
                role: known.role,
            }),
            None => Err(ApiError::Unauthorized(
                "the bearer token is not valid".into(),
            )),
        }
    }
}

/// Whether `role` may use `method`.
pub fn authorize(principal: &Principal, method: &Method) -> Result<(), ApiError> {
    match principal.role {
        Role::Admin => Ok(()),
        Role::Read if method == Method::GET || method == Method::HEAD => Ok(()),
        Role::Read => Err(ApiError::Forbidden(format!(
            "a read token may only GET; {method} needs an admin token"
        ))),
    }
}

/// The middleware: open paths pass; others need a valid token. What the token's role may do is
/// checked by [`require_role`] once the request has matched a route and method.
pub async fn require_token(
    State(auth): State<Arc<Authenticator>>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if auth.is_open(req.uri().path()) {
        return Ok(next.run(req).await);
    }
    let principal = match auth.authenticate(req.headers()) {
        Ok(principal) => principal,
        Err(error) => {
            tracing::info!(reason = %error, "Refused a request without valid credentials.");
            return Err(error);
        }
    };
    req.extensions_mut().insert(principal);
    Ok(next.run(req).await)
}

/// The route middleware: the authenticated token's role must allow the method. It runs only
/// for a method the route has, so a read token is told 405 (with `Allow`) for a method no
/// token could use, and 403 only for what an admin token may do.
pub async fn require_role(req: Request, next: Next) -> Result<Response, ApiError> {
    if let Some(principal) = req.extensions().get::<Principal>() {
        if let Err(error) = authorize(principal, req.method()) {
            tracing::info!(token = %principal.name, "Refused a request the token's role does not allow.");
            return Err(error);
        }
    }
    Ok(next.run(req).await)
}
