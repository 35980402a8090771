//! The bucket as the store uses it: whole objects in and out, listings and deletions under a
//! key prefix, with `object_store` doing the S3 protocol (signing, retries, multipart) and its
//! errors turned into [`StoreError`]s the engine can classify.
//!
//! An object larger than the part size is uploaded as a multipart upload; if any part fails the
//! upload is aborted, so a failed write leaves no incomplete upload behind.

use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, PutPayload, RetryConfig};
use secrecy::ExposeSecret;

use super::config::S3StoreConfig;
use crate::store::StoreError;

/// One bucket and the store's key prefix in it.
#[derive(Debug, Clone)]
pub struct Bucket {
    client: Arc<dyn ObjectStore>,
    /// The bucket's name, for messages.
    name: String,
    prefix: String,
    part_size: usize,
}

impl Bucket {
    /// A client for the configured bucket. Makes no request: a wrong endpoint or credentials
    /// show up on first use (start-up runs a healthcheck).
    pub fn new(config: &S3StoreConfig) -> Result<Self, StoreError> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_virtual_hosted_style_request(!config.path_style)
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: config.request_retries,
                retry_timeout: config.request_timeout() * 2,
            })
            .with_client_options(
                ClientOptions::new()
                    .with_timeout(config.request_timeout())
                    .with_connect_timeout(
                        config
                            .request_timeout()
                            .min(std::time::Duration::from_secs(10)),
                    )
                    .with_allow_http(true),
            );
        if let Some(endpoint) = &config.endpoint {
            builder = builder.with_endpoint(endpoint.trim_end_matches('/'));
        }
        if let Some(id) = &config.access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = &config.secret_access_key {
            builder = builder.with_secret_access_key(secret.expose_secret());
        }
        let client = builder.build().map_err(|e| {
            StoreError::Unreachable(format!(
                "s3 store configuration for bucket {}: {e}",
                config.bucket
            ))
        })?;
        Ok(Bucket {
            client: Arc::new(client),
            name: config.bucket.clone(),
            prefix: config.key_prefix(),
            part_size: usize::try_from(config.multipart_part_size).unwrap_or(usize::MAX),
        })
    }

    /// The full key of `relative` (a key below the store's prefix).
    fn path(&self, relative: &str) -> Path {
        Path::from(format!("{}{relative}", self.prefix))
    }

    /// `relative` back from a full key; `None` for a key outside the prefix.
    fn relative<'a>(&self, full: &'a str) -> Option<&'a str> {
        full.strip_prefix(&self.prefix)
    }

    /// Writes one object, replacing any previous one. Large objects go up as multipart.
    pub async fn put(&self, relative: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        let path = self.path(relative);
        let context = || format!("writing {path}");
        if bytes.len() <= self.part_size {
            self.client
                .put(&path, PutPayload::from(bytes))
                .await
                .map_err(|e| self.error(context(), e))?;
            return Ok(());
        }
        let mut upload = self
            .client
            .put_multipart(&path)
            .await
            .map_err(|e| self.error(context(), e))?;
        let bytes = Bytes::from(bytes);
        let parts: Vec<_> = (0..bytes.len())
            .step_by(self.part_size)
            .map(|start| {
                let end = (start + self.part_size).min(bytes.len());
                upload.put_part(PutPayload::from(bytes.slice(start..end)))
            })
            .collect();
        let uploaded = match futures::future::try_join_all(parts).await {
            Ok(_) => upload.complete().await.map(|_| ()),
            Err(e) => Err(e),
        };
        if let Err(error) = uploaded {
            // Leave no incomplete upload (and its billed parts) behind. If the abort fails too
            // (the server is gone), a bucket lifecycle rule has to catch it; see the README.
            let failed = self.error(context(), error);
            if let Err(abort) = upload.abort().await {
                tracing::warn!(key = %path, error = %abort, "Could not abort a failed multipart upload.");
            }
            return Err(failed);
        }
        Ok(())
    }

    /// The object's bytes; `None` if there is none.
    pub async fn get(&self, relative: &str) -> Result<Option<Bytes>, StoreError> {
        let path = self.path(relative);
        let result = match self.client.get(&path).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(self.error(format!("reading {path}"), e)),
        };
        let bytes = result
            .bytes()
            .await
            .map_err(|e| self.error(format!("reading {path}"), e))?;
        Ok(Some(bytes))
    }

    /// Whether anything exists below `relative_dir` (`<id>/`).
    pub async fn any_under(&self, relative_dir: &str) -> Result<bool, StoreError> {
        let prefix = self.path(relative_dir);
        let mut listing = self.client.list(Some(&prefix));
        match listing.next().await {
            None => Ok(false),
            Some(Ok(_)) => Ok(true),
            Some(Err(e)) => Err(self.error(format!("listing {prefix}"), e)),
        }
    }

    /// Relative keys of every object below `relative_dir`, recursively.
    pub async fn keys_under(&self, relative_dir: &str) -> Result<Vec<String>, StoreError> {
        let prefix = self.path(relative_dir);
        let metas: Vec<_> = self
            .client
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(|e| self.error(format!("listing {prefix}"), e))?;
        Ok(metas
            .into_iter()
            .filter_map(|m| self.relative(m.location.as_ref()).map(str::to_owned))
            .collect())
    }

    /// Names of the "directories" directly below the store's prefix.
    pub async fn top_level_dirs(&self) -> Result<Vec<String>, StoreError> {
        let prefix = (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()));
        let listing = self
            .client
            .list_with_delimiter(prefix.as_ref())
            .await
            .map_err(|e| self.error(format!("listing bucket {}", self.name), e))?;
        let mut names: Vec<String> = listing
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().map(str::to_owned))
            .collect();
        names.sort();
        Ok(names)
    }

    /// Deletes the objects at `relative` keys; a key that is already gone is no error.
    pub async fn delete_keys(&self, relative: Vec<String>) -> Result<(), StoreError> {
        let paths = futures::stream::iter(relative.into_iter().map(|k| Ok(self.path(&k)))).boxed();
        let mut deleted = self.client.delete_stream(paths);
        while let Some(result) = deleted.next().await {
            match result {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.error("deleting objects".to_owned(), e)),
            }
        }
        Ok(())
    }

    /// Lists the bucket once: proves the endpoint answers and the credentials are accepted.
    pub async fn probe(&self) -> Result<(), StoreError> {
        self.top_level_dirs().await.map(|_| ())
    }

    /// Whether an object exists at `relative` (a HEAD request).
    pub async fn exists(&self, relative: &str) -> Result<bool, StoreError> {
        let path = self.path(relative);
        match self.client.head(&path).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.error(format!("looking for {path}"), e)),
        }
    }

    /// Refused credentials are permanent ([`StoreError::AccessDenied`]); everything else that
    /// is not "not found" may pass (a server restarting, a timeout, a 5xx): transient.
    fn error(&self, context: String, error: object_store::Error) -> StoreError {
        if refused_access(&error) {
            let message = match &error {
                object_store::Error::PermissionDenied { source, .. }
                | object_store::Error::Unauthenticated { source, .. } => source.to_string(),
                other => other.to_string(),
            };
            return StoreError::AccessDenied {
                context: format!("{context} in bucket {}", self.name),
                message,
            };
        }
        StoreError::Unreachable(format!("{context} in bucket {}: {error}", self.name))
    }
}

/// A 401 or 403 answer. `object_store` gives most of them their own variants, but some
/// requests (listings) wrap the HTTP error in `Generic`, whose status sits in a crate-private
/// type: there, the status line in the error chain is the only trace.
fn refused_access(error: &object_store::Error) -> bool {
    if matches!(
        error,
        object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. }
    ) {
        return true;
    }
    let mut cause: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = cause {
        let text = e.to_string();
        if text.contains("status code: 403 Forbidden")
            || text.contains("status code: 401 Unauthorized")
        {
            return true;
        }
        cause = e.source();
    }
    false
}
