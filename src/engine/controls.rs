//! [`RunControls`]: what a restore, verify or measure run gets besides its job (tuning, live
//! counters, the stop signal). A backup gets the same counters and stop signal in
//! [`super::BackupIo`], beside the source and store it moves data between (its tuning is
//! part of its job).

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::Progress;
use crate::config::EngineConfig;

/// Shared by the caller and the run: the caller watches `progress` and may cancel.
#[derive(Debug, Clone, Default)]
pub struct RunControls {
    pub engine: EngineConfig,
    pub progress: Arc<Progress>,
    pub cancel: CancellationToken,
}

impl RunControls {
    pub fn new(engine: EngineConfig) -> Self {
        RunControls {
            engine,
            ..RunControls::default()
        }
    }

    /// Runs `work` until it finishes or the run is cancelled.
    pub async fn cancellable<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, super::EngineError>>,
    ) -> Result<T, super::EngineError> {
        tokio::select! {
            result = work => result,
            _ = self.cancel.cancelled() => Err(super::EngineError::Cancelled),
        }
    }
}
