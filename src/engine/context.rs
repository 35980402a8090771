//! What every engine run gets besides its job: tuning, live counters, and the stop signal.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::Progress;
use crate::config::EngineConfig;

/// Shared by the caller and the run: the caller watches `progress` and may cancel.
#[derive(Debug, Clone, Default)]
pub struct RunContext {
    pub engine: EngineConfig,
    pub progress: Arc<Progress>,
    pub cancel: CancellationToken,
}

impl RunContext {
    pub fn new(engine: EngineConfig) -> Self {
        RunContext {
            engine,
            ..RunContext::default()
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
