//! Claiming, completing, releasing and expiring idempotency keys.

use std::time::Duration;

use super::backlog::PendingKeyWrite;
use super::{IdempotencyClaim, IdempotencyRequest, StoredResponse};
use crate::catalog::columns::{from_json, to_json};
use crate::catalog::{Catalog, CatalogError};

#[derive(sqlx::FromRow)]
struct KeyRow {
    method: String,
    path: String,
    request_hash: String,
    response_status: Option<i64>,
    response_headers: Option<String>,
    response_body: Option<Vec<u8>>,
}

impl Catalog {
    /// Claims `request.key` for `ttl`, or says what to do instead. First stores any key write
    /// the database refused earlier (see `backlog`); a key whose response is still
    /// waiting there is replayed from memory.
    pub async fn claim_idempotency_key(
        &self,
        request: &IdempotencyRequest,
        ttl: Duration,
    ) -> Result<IdempotencyClaim, CatalogError> {
        if let Some(PendingKeyWrite::Complete(response)) = self.key_backlog.get(&request.key) {
            return self.replay_pending(request, response).await;
        }
        self.settle_key_backlog().await?;
        let now = self.now();
        let ttl = chrono::Duration::from_std(ttl)
            .map_err(|_| CatalogError::InvalidInput("idempotency ttl too large".into()))?;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM idempotency_keys WHERE key = ? AND expires_at <= ?")
            .bind(&request.key)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (key, method, path, request_hash, created_at, \
             expires_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        )
        .bind(&request.key)
        .bind(&request.method)
        .bind(&request.path)
        .bind(&request.request_hash)
        .bind(now)
        .bind(now + ttl)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 1 {
            tx.commit().await?;
            return Ok(IdempotencyClaim::Claimed);
        }
        let row: KeyRow = sqlx::query_as("SELECT * FROM idempotency_keys WHERE key = ?")
            .bind(&request.key)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        if !row.is_for(request) {
            return Ok(IdempotencyClaim::Mismatch);
        }
        Ok(match stored_response(row)? {
            Some(response) => IdempotencyClaim::Replay(response),
            None => IdempotencyClaim::InFlight,
        })
    }

    /// The answer for a key whose response is still in the backlog (its claim is stored).
    async fn replay_pending(
        &self,
        request: &IdempotencyRequest,
        response: StoredResponse,
    ) -> Result<IdempotencyClaim, CatalogError> {
        let row: Option<KeyRow> = sqlx::query_as("SELECT * FROM idempotency_keys WHERE key = ?")
            .bind(&request.key)
            .fetch_optional(&self.reader)
            .await?;
        Ok(match row {
            Some(row) if !row.is_for(request) => IdempotencyClaim::Mismatch,
            _ => IdempotencyClaim::Replay(response),
        })
    }

    /// Stores the response of a claimed key for replay. If the database refuses (disk full),
    /// the response is kept in memory, replayed to retries and stored once writes work again;
    /// the error is still returned, so the caller can log it.
    pub async fn complete_idempotency_key(
        &self,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), CatalogError> {
        let stored = self.store_key_response(key, response).await;
        if matches!(&stored, Err(e) if e.is_storage()) {
            let pending = PendingKeyWrite::Complete(response.clone());
            self.key_backlog.push(key, pending);
        }
        stored
    }

    pub(crate) async fn store_key_response(
        &self,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), CatalogError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE idempotency_keys SET response_status = ?, response_headers = ?, \
             response_body = ? WHERE key = ?",
        )
        .bind(i64::from(response.status))
        .bind(to_json("response_headers", &response.headers)?)
        .bind(&response.body)
        .bind(key)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(CatalogError::not_found("idempotency key", key));
        }
        tx.commit().await
    }

    /// Gives a claimed key up, so a retry runs afresh (for requests that failed validation or
    /// failed before changing anything, which Stripe does not store either). If the database
    /// refuses, the release waits in memory (retries answer 503 meanwhile) and is written
    /// once writes work again.
    pub async fn release_idempotency_key(&self, key: &str) -> Result<(), CatalogError> {
        let released = self.delete_key_claim(key).await;
        if matches!(&released, Err(e) if e.is_storage()) {
            self.key_backlog.push(key, PendingKeyWrite::Release);
        }
        released
    }

    pub(crate) async fn delete_key_claim(&self, key: &str) -> Result<(), CatalogError> {
        self.delete_keys(
            sqlx::query("DELETE FROM idempotency_keys WHERE key = ? AND response_status IS NULL")
                .bind(key),
        )
        .await?;
        Ok(())
    }

    /// The stored response for `key`, if it has one and has not expired.
    pub async fn lookup_idempotency_key(
        &self,
        key: &str,
    ) -> Result<Option<StoredResponse>, CatalogError> {
        let row: Option<KeyRow> =
            sqlx::query_as("SELECT * FROM idempotency_keys WHERE key = ? AND expires_at > ?")
                .bind(key)
                .bind(self.now())
                .fetch_optional(&self.reader)
                .await?;
        match row {
            Some(row) => stored_response(row),
            None => Ok(None),
        }
    }

    /// Deletes expired keys; returns how many. For a periodic housekeeping task.
    pub async fn purge_expired_idempotency_keys(&self) -> Result<u64, CatalogError> {
        self.delete_keys(
            sqlx::query("DELETE FROM idempotency_keys WHERE expires_at <= ?").bind(self.now()),
        )
        .await
    }

    /// Drops claims that never got a response. At start-up these belong to a dead process and
    /// would otherwise answer 409 until they expire.
    pub async fn release_unfinished_idempotency_keys(&self) -> Result<u64, CatalogError> {
        self.delete_keys(sqlx::query(
            "DELETE FROM idempotency_keys WHERE response_status IS NULL",
        ))
        .await
    }

    /// Runs one DELETE of keys as a committed write; returns how many it removed.
    async fn delete_keys<'q>(
        &self,
        delete: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    ) -> Result<u64, CatalogError> {
        let mut tx = self.begin_write().await?;
        let done = delete.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }
}

impl KeyRow {
    /// `true` if the key was claimed by this same request (method, path and body).
    fn is_for(&self, request: &IdempotencyRequest) -> bool {
        self.method == request.method
            && self.path == request.path
            && self.request_hash == request.request_hash
    }
}

fn stored_response(row: KeyRow) -> Result<Option<StoredResponse>, CatalogError> {
    let Some(status) = row.response_status else {
        return Ok(None);
    };
    let status = u16::try_from(status).map_err(|e| {
        CatalogError::corrupt("idempotency_keys.response_status", &status.to_string(), e)
    })?;
    let headers = match row.response_headers {
        Some(text) => from_json("idempotency_keys.response_headers", &text)?,
        None => Vec::new(),
    };
    Ok(Some(StoredResponse {
        status,
        headers,
        body: row.response_body.unwrap_or_default(),
    }))
}
