//! `[logging]`: log format and level. `TABLEVAULT_LOG` (then `RUST_LOG`) overrides `level`.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoggingConfig {
    pub format: LogFormat,
    /// A tracing filter: `info`, `debug`, or per module (`info,tablevault::api=debug`).
    pub level: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event (terminals, journald).
    #[default]
    Human,
    /// One JSON object per line (log shippers).
    Json,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        LoggingConfig {
            format: LogFormat::Human,
            level: "info".to_string(),
        }
    }
}

const LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "off"];

impl LoggingConfig {
    pub(super) fn validate(&self, problems: &mut Vec<String>) {
        if let Err(e) = tracing_subscriber::EnvFilter::builder().parse(&self.level) {
            problems.push(format!(
                "logging.level: {:?} is not a valid filter: {e}",
                self.level
            ));
        } else if let Some(word) = self.level.split(',').map(str::trim).find(|d| is_typo(d)) {
            problems.push(format!(
                "logging.level: {word:?} is not a level (expected one of {}, or \
                 target=level such as tablevault=debug); as a target it would silence \
                 every other log line",
                LEVELS.join(", ")
            ));
        }
    }
}

/// A directive that a filter accepts but that is almost surely a misspelt level: a bare word
/// (`debugg`) is a *target* name, enabling only that target's events, so the daemon would log
/// nothing at all. Module paths (`tablevault::api`), `target=level` and span filters
/// (`[span]`) are what a deliberate target filter looks like.
fn is_typo(directive: &str) -> bool {
    !directive.is_empty()
        && !directive.contains(['=', '[', ':'])
        && !LEVELS.iter().any(|l| l.eq_ignore_ascii_case(directive))
        && directive
            .parse::<tracing_subscriber::filter::LevelFilter>()
            .is_err()
}
