//! SIGHUP reloads the config file's schedules, the usual daemon convention (`systemctl reload`
//! sends it; see deploy/systemd). A failed reload is logged and changes nothing.

use tokio_util::sync::CancellationToken;

use super::SchedulesFile;

/// Listens for SIGHUP until `shutdown` is cancelled (no-op off Unix).
pub fn spawn(schedules: SchedulesFile, shutdown: CancellationToken) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let mut hangups = match signal(SignalKind::hangup()) {
            Ok(hangups) => hangups,
            Err(error) => {
                tracing::warn!(%error, "Cannot listen for SIGHUP; reload with POST /api/v1/reload.");
                return;
            }
        };
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                got = hangups.recv() => if got.is_none() { return },
            }
            reload(&schedules).await;
        }
    });
    #[cfg(not(unix))]
    let _ = (schedules, shutdown);
}

async fn reload(schedules: &SchedulesFile) {
    match schedules.reload().await {
        Ok(report) => tracing::info!(
            created = report.created.len(),
            updated = report.updated.len(),
            unchanged = report.unchanged.len(),
            paused_removed = report.paused_removed.len(),
            deleted = report.deleted.len(),
            "Reloaded the schedules from the config file (SIGHUP)."
        ),
        Err(error) => tracing::error!(%error, "Reload refused (SIGHUP)."),
    }
}
