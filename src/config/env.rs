//! Environment overrides for secrets, so they can come from a systemd EnvironmentFile or a
//! Kubernetes Secret instead of the config file.

use secrecy::SecretString;

use super::{Config, Role, StoreConfig, TokenConfig};
use crate::store::mongo::MongoUri;

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
    apply_noting(config, env, |_, _| {});
}

/// [`apply`], calling `note(variable, key)` for each variable that set a key (for
/// `tablevault config check`, which names them without their values).
pub(super) fn apply_noting(
    config: &mut Config,
    env: impl Fn(&str) -> Option<String>,
    mut note: impl FnMut(&str, String),
) {
    let mut var = |name: &str, key: &dyn Fn() -> String| {
        let value = env(name);
        if value.is_some() {
            note(name, key());
        }
        value
    };
    for (name, source) in config.sources.iter_mut() {
        let key = |k: &str| format!("sources.{name}.{k}");
        if let Some(v) = var(&source_var(name, "ACCESS_KEY_ID"), &|| key("access_key_id")) {
            source.access_key_id = Some(v);
        }
        if let Some(v) = var(&source_var(name, "ACCESS_KEY_SECRET"), &|| {
            key("access_key_secret")
        }) {
            source.access_key_secret = Some(SecretString::from(v));
        }
        if let Some(v) = var(&source_var(name, "STS_TOKEN"), &|| key("sts_token")) {
            source.sts_token = Some(SecretString::from(v));
        }
    }
    for (name, store) in config.stores.iter_mut() {
        match store {
            StoreConfig::Mongodb(m) => {
                if let Some(v) = var(&store_var(name, "URI"), &|| format!("stores.{name}.uri")) {
                    m.uri = Some(MongoUri::new(v));
                }
            }
            StoreConfig::S3(s3) => {
                if let Some(v) = var(&store_var(name, "ACCESS_KEY_ID"), &|| {
                    format!("stores.{name}.access_key_id")
                }) {
                    s3.access_key_id = Some(v);
                }
                if let Some(v) = var(&store_var(name, "SECRET_ACCESS_KEY"), &|| {
                    format!("stores.{name}.secret_access_key")
                }) {
                    s3.secret_access_key = Some(SecretString::from(v));
                }
                if let Some(v) = var(&store_var(name, "ENCRYPTION_KEY"), &|| {
                    format!("stores.{name}.encryption_key")
                }) {
                    s3.encryption_key = Some(SecretString::from(v));
                }
            }
            StoreConfig::Archive(archive) => {
                if let Some(v) = var(&store_var(name, "ENCRYPTION_KEY"), &|| {
                    format!("stores.{name}.encryption_key")
                }) {
                    archive.encryption_key = Some(SecretString::from(v));
                }
            }
        }
    }
    for (name, role) in [(ADMIN_TOKEN_VAR, Role::Admin), (READ_TOKEN_VAR, Role::Read)] {
        // An empty variable adds no token (and is not reported as an override).
        if env(name).is_none_or(|t| t.is_empty()) {
            continue;
        }
        let index = config.auth.tokens.len();
        if let Some(token) = var(name, &|| format!("auth.tokens[{index}]")) {
            config.auth.tokens.push(TokenConfig {
                token: SecretString::from(token),
                role,
                name: Some(name.to_string()),
            });
        }
    }
    let level = var("TABLEVAULT_LOG", &|| "logging.level".into())
        .or_else(|| var("RUST_LOG", &|| "logging.level".into()));
    if let Some(level) = level {
        config.logging.level = level;
    }
}
