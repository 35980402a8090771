//! Logs and metrics. [`init_tracing`] sets up the process's logs; [`Metrics`] holds the
//! Prometheus contract; [`events`] is the single place where both are written;
//! [`run_telemetry`] is the run executor's observer (run events → telemetry events),
//! [`backups_stored`] keeps `tablevault_backups_stored` equal to the catalog, and [`run_log`]
//! keeps recent runs' own log lines for the API.

pub mod backups_stored;
pub mod build_info;
pub mod events;
pub mod labels;
pub mod metrics;
pub mod run_log;
pub mod run_telemetry;
mod schedule_series;

pub use metrics::{Metrics, BACKUP_DURATION_BUCKETS};
pub use schedule_series::ScheduleSeries;

use tracing_subscriber::Layer;

use crate::config::{LogFormat, LoggingConfig};

/// Installs the global subscriber: logs to stderr, human or JSON, filtered by `config.level`
/// (which already holds `TABLEVAULT_LOG` / `RUST_LOG` when set, see [`crate::config`]).
/// A second call (tests) keeps the first subscriber.
pub fn init_tracing(config: &LoggingConfig) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::builder()
        .parse(&config.level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let output = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let output = match config.format {
        LogFormat::Human => output
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .boxed(),
        LogFormat::Json => output
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
    };
    // The run log sees what the level lets through, as the process log does.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(output)
        .with(run_log::RunLogLayer)
        .try_init();
}

#[cfg(test)]
mod tests;
