//! The retry loop around one logical operation: encode once, attempt, classify, back off.

use std::time::Instant;

use bytes::Bytes;
use prost::Message;

use super::backoff::RetryBudget;
use super::error::{Result, TablestoreError};
use super::observer::{RequestOutcome, OUTCOME_OK};
use super::transport::Reply;
use super::Client;

impl Client {
    /// Sends `request` to `/action` and decodes the response, retrying within the policy.
    ///
    /// `idempotent` says whether the request may be applied twice without harm; it allows
    /// retries after timeouts and server errors, where the first attempt may have landed.
    pub(crate) async fn call<Req, Resp>(
        &self,
        action: &'static str,
        request: &Req,
        idempotent: bool,
    ) -> Result<Resp>
    where
        Req: Message,
        Resp: Message + Default,
    {
        let mut budget = RetryBudget::new(self.retry);
        self.call_within(action, request, idempotent, &mut budget)
            .await
    }

    /// Like [`Client::call`], spending from a budget shared with the caller's own retries
    /// (BatchWriteRow resends failed rows from the same budget).
    pub(crate) async fn call_within<Req, Resp>(
        &self,
        action: &'static str,
        request: &Req,
        idempotent: bool,
        budget: &mut RetryBudget,
    ) -> Result<Resp>
    where
        Req: Message,
        Resp: Message + Default,
    {
        // Encoded once; `Bytes` clones share the buffer across attempts.
        let body = Bytes::from(request.encode_to_vec());
        loop {
            let attempt = budget.start_attempt();
            let started = Instant::now();
            let result = self.transport.send(action, body.clone()).await;
            let result = result.and_then(|reply| decode(action, reply));
            self.observe(action, attempt, started, &result);
            let error = match result {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            if let Some(code) = error.code() {
                self.heard_throttling(code);
            }
            if !error.is_retryable(idempotent) {
                return Err(error);
            }
            let Some(delay) = budget.next_delay() else {
                tracing::warn!(action, attempts = attempt, error = %error, "Tablestore retry budget spent; giving up.");
                return Err(error);
            };
            tracing::info!(
                action,
                attempt,
                code = error.outcome_code(),
                delay_ms = delay.as_millis() as u64,
                error = %error,
                "Retrying Tablestore request."
            );
            tokio::time::sleep(delay).await;
        }
    }

    fn observe<T>(&self, action: &'static str, attempt: u32, started: Instant, result: &Result<T>) {
        let Some(observer) = &self.observer else {
            return;
        };
        let code = match result {
            Ok(_) => OUTCOME_OK.to_string(),
            Err(error) => error.outcome_code().to_string(),
        };
        observer(&RequestOutcome {
            operation: action,
            code,
            attempt,
            latency: started.elapsed(),
        });
    }
}

fn decode<Resp: Message + Default>(action: &'static str, reply: Reply) -> Result<Resp> {
    Resp::decode(reply.body).map_err(|e| TablestoreError::InvalidResponse {
        action,
        reason: format!("undecodable protobuf: {e}"),
        request_id: reply.request_id,
    })
}
