//! Environment overrides for secrets, so they can come from a systemd EnvironmentFile or a
//! Kubernetes Secret instead of the config file.

use secrecy::SecretString;

use super::{Config, Role, StoreConfig, TokenConfig};

pub(super) const ADMIN_TOKEN_VAR: &str = "TABLEVAULT_AUTH_ADMIN_TOKEN";
pub(super) const READ_TOKEN_VAR: &str = "TABLEVAULT_AUTH_READ_TOKEN";

fn var_name(kind: &str, name: &str, key: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("TABLEVAULT_{kind}_{name}_{key}")
}

pub(super) fn source_var(name: &str, key: &str) -> String {
    var_name("SOURCE", name, key)
}

pub(super) fn store_var(name: &str, key: &str) -> String {
    var_name("STORE", name, key)
}

pub(super) fn apply(config: &mut Config, env: impl Fn(&str) -> Option<String>) {
    for (name, source) in config.sources.iter_mut() {
        if let Some(v) = env(&source_var(name, "ACCESS_KEY_ID")) {
            source.access_key_id = Some(v);
        }
        if let Some(v) = env(&source_var(name, "ACCESS_KEY_SECRET")) {
            source.access_key_secret = Some(SecretString::from(v));
        }
        if let Some(v) = env(&source_var(name, "STS_TOKEN")) {
            source.sts_token = Some(SecretString::from(v));
        }
    }
    for (name, store) in config.stores.iter_mut() {
        if let StoreConfig::Mongodb(m) = store {
            if let Some(v) = env(&store_var(name, "URI")) {
                m.uri = Some(SecretString::from(v));
            }
        }
    }
    for (var, role) in [(ADMIN_TOKEN_VAR, Role::Admin), (READ_TOKEN_VAR, Role::Read)] {
        if let Some(token) = env(var).filter(|t| !t.is_empty()) {
            config.auth.tokens.push(TokenConfig {
                token: SecretString::from(token),
                role,
                name: Some(var.to_string()),
            });
        }
    }
    if let Some(level) = env("TABLEVAULT_LOG").or_else(|| env("RUST_LOG")) {
        config.logging.level = level;
    }
}
