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

impl LoggingConfig {
    pub(super) fn validate(&self, problems: &mut Vec<String>) {
        if let Err(e) = tracing_subscriber::EnvFilter::builder().parse(&self.level) {
            problems.push(format!(
                "logging.level: {:?} is not a valid filter: {e}",
                self.level
            ));
        }
    }
}
