//! Showing a run's progress on stderr: a live bar on a terminal, a plain log line every few
//! seconds otherwise (logs, CI). Ctrl-C / SIGTERM cancel the run.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::common::human_bytes;
use crate::engine::{Progress, ProgressSnapshot};

const LOG_EVERY: Duration = Duration::from_secs(5);
const BAR_EVERY: Duration = Duration::from_millis(200);

/// Runs until dropped or [`ProgressDisplay::finish`]ed.
pub struct ProgressDisplay {
    stop: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl ProgressDisplay {
    /// Starts showing `progress` for a run called `verb` ("backup", "restore", "verify"), and
    /// cancels `cancel` on Ctrl-C / SIGTERM.
    pub fn start(verb: &'static str, progress: Arc<Progress>, cancel: CancellationToken) -> Self {
        let stop = CancellationToken::new();
        let on_terminal = std::io::stderr().is_terminal();
        let stopped = stop.clone();
        let task = tokio::spawn(async move {
            let bar = on_terminal.then(|| {
                let bar = ProgressBar::new_spinner();
                if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix}: {msg}") {
                    bar.set_style(style);
                }
                bar.set_prefix(verb);
                bar
            });
            let every = if on_terminal { BAR_EVERY } else { LOG_EVERY };
            let mut ticks = tokio::time::interval(every);
            ticks.tick().await;
            let shutdown = super::shutdown_signal();
            tokio::pin!(shutdown);
            loop {
                tokio::select! {
                    _ = stopped.cancelled() => break,
                    _ = &mut shutdown => {
                        tracing::warn!("Interrupted; stopping the {verb}.");
                        cancel.cancel();
                        break;
                    }
                    _ = ticks.tick() => {
                        let s = progress.snapshot();
                        match &bar {
                            Some(bar) => bar.set_message(summary(&s)),
                            None => tracing::info!(target: "tablevault::cli", "{verb}: {}", summary(&s)),
                        }
                    }
                }
            }
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
        });
        ProgressDisplay {
            stop,
            task: Some(task),
        }
    }

    pub async fn finish(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ProgressDisplay {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn summary(s: &ProgressSnapshot) -> String {
    let waiting = if s.waiting_for_table_seconds > 0.0 {
        format!(
            ", waiting {:.0}s for a new table to accept writes",
            s.waiting_for_table_seconds
        )
    } else {
        String::new()
    };
    let line = format!(
        "tables {}/{}, {} rows, {} ({}/s), {:.0}s",
        s.tables_done,
        s.tables_total,
        s.rows,
        human_bytes(s.bytes),
        human_bytes(s.bytes_per_second as u64),
        s.elapsed_seconds
    );
    let rate = match s.write_batches_allowed {
        0 => String::new(),
        n => format!(", {n} batches in flight"),
    };
    line + &rate + &waiting
}
