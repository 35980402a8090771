//! Checks every store on a timer, so `tablevault_store_up` (and the `TablevaultStoreDown`
//! alert built on it) reflects the store's health even when nothing polls `/readyz`: under
//! systemd or Docker no probe may ever call it, and the gauge would sit at its initial 0.

use std::time::Duration;

use futures::future::join_all;
use tokio_util::sync::CancellationToken;

use crate::api::readiness::check_store;
use crate::api::AppState;

/// How often each store is checked. Well inside the alert's `for: 5m`, cheap for any store
/// (an archive `stat`, a MongoDB `ping`).
pub const STORE_CHECK_INTERVAL: Duration = Duration::from_secs(30);

/// Checks every store now and then every [`STORE_CHECK_INTERVAL`] until `shutdown` is cancelled.
pub fn spawn(state: AppState, shutdown: CancellationToken) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(STORE_CHECK_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = ticks.tick() => {}
            }
            check_all(&state).await;
        }
    });
}

/// One round of the watch: checks every store at once and sets its `tablevault_store_up`.
pub async fn check_all(state: &AppState) {
    let timeout = state.config.server.readiness_timeout;
    let checks = state
        .stores
        .values()
        .map(|store| check_store(store, &state.metrics, timeout));
    join_all(checks).await;
}
