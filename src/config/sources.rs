//! `[sources.NAME]`: the section is the client's own type ([`SourceConfig`], which says why it
//! lives with the client); here is what concerns the file as a whole: credentials that may
//! come from the environment instead.

use secrecy::ExposeSecret;

use crate::tablestore::client::SourceConfig;

/// Every problem of source `name`, credentials last, each missing one with the variable that
/// would set it.
pub(super) fn validate(name: &str, source: &SourceConfig, problems: &mut Vec<String>) {
    let at = format!("sources.{name}");
    source.validate(&at, problems);
    if source.uses_provider() {
        return;
    }
    if source.access_key_id.as_deref().is_none_or(str::is_empty) {
        problems.push(format!(
            "{at}.access_key_id: missing (set it or {})",
            super::env::source_var(name, "ACCESS_KEY_ID")
        ));
    }
    if source
        .access_key_secret
        .as_ref()
        .is_none_or(|s| s.expose_secret().is_empty())
    {
        problems.push(format!(
            "{at}.access_key_secret: missing (set it or {})",
            super::env::source_var(name, "ACCESS_KEY_SECRET")
        ));
    }
}
