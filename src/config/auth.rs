//! `[auth]`: bearer tokens for the REST API.
//!
//! Each token has a role: `admin` may do everything, `read` may only GET (and HEAD). Tokens may
//! also come from `TABLEVAULT_AUTH_ADMIN_TOKEN` and `TABLEVAULT_AUTH_READ_TOKEN`. With no token
//! at all the API refuses every request except the health probes (and `/metrics` unless it
//! requires auth) — a daemon that forgot its tokens is locked, never open. `disabled = true`
//! opens it on purpose (a loopback-only development setup).

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Tokens shorter than this are refused: a bearer token is the only thing guarding deletes.
pub const MIN_TOKEN_LEN: usize = 16;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Serve every request without a token. Only for trusted, loopback-only setups.
    pub disabled: bool,
    pub tokens: Vec<TokenConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    pub token: SecretString,
    pub role: Role,
    /// Who holds the token, for logs (the token itself is never logged).
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Every method.
    Admin,
    /// GET and HEAD only.
    Read,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Read => "read",
        }
    }
}

impl TokenConfig {
    /// The name logs use: the configured one, or `<role> token #<n>`.
    pub fn display_name(&self, index: usize) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("{} token #{}", self.role.as_str(), index + 1))
    }
}

impl AuthConfig {
    pub(super) fn validate(&self, problems: &mut Vec<String>) {
        for (i, token) in self.tokens.iter().enumerate() {
            let at = format!("auth.tokens[{i}]");
            let secret = token.token.expose_secret();
            if secret.chars().count() < MIN_TOKEN_LEN {
                problems.push(format!(
                    "{at}.token: must be at least {MIN_TOKEN_LEN} characters"
                ));
            }
            if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
                problems.push(format!("{at}.token: must not contain spaces"));
            }
            let twin = self.tokens[..i]
                .iter()
                .position(|t| t.token.expose_secret() == secret);
            if let Some(first) = twin {
                problems.push(format!("{at}.token: same token as auth.tokens[{first}]"));
            }
        }
    }
}
