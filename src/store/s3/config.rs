//! `[stores.NAME]` of kind `s3`: an S3-compatible bucket (Alibaba Cloud OSS through its
//! S3-compatible endpoint, AWS S3, MinIO and the like). The section as the file spells it is the
//! store's own config (see `config/stores.rs` for how sections compose). The secret may come
//! from `TABLEVAULT_STORE_<NAME>_SECRET_ACCESS_KEY` instead of the file.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// S3 requires parts of at least 5 MiB (except the last one).
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

/// Where the `s3` store writes its backups.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3StoreConfig {
    pub bucket: String,
    /// `https://host[:port]`; omitted: AWS S3 of `region`.
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default = "default_region")]
    pub region: String,
    /// Every key of the store starts with it (`prod/` puts backups under `prod/<id>/`).
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub access_key_id: Option<String>,
    /// May come from `TABLEVAULT_STORE_<NAME>_SECRET_ACCESS_KEY`.
    #[serde(default)]
    pub secret_access_key: Option<SecretString>,
    /// `true` for MinIO-like servers on one host name (`endpoint/bucket/key`); `false` is
    /// virtual-hosted style (`bucket.endpoint/key`), which OSS requires.
    #[serde(default)]
    pub path_style: bool,
    /// Segments larger than this upload as multipart uploads of parts this size.
    #[serde(default = "default_part_size")]
    pub multipart_part_size: u64,
    /// How long one request may take before it is retried (seconds).
    #[serde(default = "default_request_timeout")]
    pub request_timeout_seconds: u64,
    /// Retries of one request inside the S3 client, before the engine's own store retries
    /// (`engine.store_retry_seconds`) take over.
    #[serde(default = "default_request_retries")]
    pub request_retries: usize,
    /// Seal every object of new backups with a key from this file (`tablevault keygen`).
    #[serde(default)]
    pub encryption_key_file: Option<PathBuf>,
    /// The key itself (base64), from `TABLEVAULT_STORE_<NAME>_ENCRYPTION_KEY`; wins over the file.
    #[serde(default)]
    pub encryption_key: Option<SecretString>,
    /// Older keys, for reading backups sealed before a rotation.
    #[serde(default)]
    pub decryption_key_files: Vec<PathBuf>,
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

fn default_part_size() -> u64 {
    8 * 1024 * 1024
}

fn default_request_timeout() -> u64 {
    60
}

fn default_request_retries() -> usize {
    2
}

impl S3StoreConfig {
    /// A config for `bucket` at `endpoint` with the defaults of every optional key.
    pub fn new(bucket: impl Into<String>, endpoint: Option<String>) -> Self {
        S3StoreConfig {
            bucket: bucket.into(),
            endpoint,
            region: default_region(),
            prefix: String::new(),
            access_key_id: None,
            secret_access_key: None,
            path_style: false,
            multipart_part_size: default_part_size(),
            request_timeout_seconds: default_request_timeout(),
            request_retries: default_request_retries(),
            encryption_key_file: None,
            encryption_key: None,
            decryption_key_files: Vec::new(),
        }
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_seconds.max(1))
    }

    /// Adds to `problems` what is wrong with this section (`at` is `stores.NAME`), without a
    /// network. A missing secret is left to the caller, which knows the variable that sets it.
    pub fn validate(&self, at: &str, problems: &mut Vec<String>) {
        if self.bucket.is_empty() {
            problems.push(format!("{at}.bucket: must not be empty"));
        }
        if let Some(endpoint) = &self.endpoint {
            if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
                problems.push(format!(
                    "{at}.endpoint: must start with https:// (or http:// for a local server)"
                ));
            }
        }
        if self.region.is_empty() {
            problems.push(format!("{at}.region: must not be empty"));
        }
        let prefix = &self.prefix;
        if prefix.starts_with('/') || prefix.contains("//") || prefix.contains("..") {
            problems.push(format!(
                "{at}.prefix: {prefix:?} must not start with / nor contain // or .."
            ));
        }
        if self.access_key_id.as_deref().is_none_or(str::is_empty) {
            problems.push(format!("{at}.access_key_id: missing"));
        }
        crate::store::encryption::Keyring::check_config(
            at,
            self.encryption_key_file.as_ref(),
            self.encryption_key.as_ref().map(|k| k.expose_secret()),
            &self.decryption_key_files,
            problems,
        );
        if self.multipart_part_size < MIN_PART_SIZE {
            problems.push(format!(
                "{at}.multipart_part_size: at least {MIN_PART_SIZE} bytes (S3's minimum part)"
            ));
        }
    }

    /// The prefix as keys use it: empty, or ending in one `/`.
    pub fn key_prefix(&self) -> String {
        let trimmed = self.prefix.trim_end_matches('/');
        if trimmed.is_empty() {
            String::new()
        } else {
            format!("{trimmed}/")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_s_section_parses_and_validates() {
        let config: S3StoreConfig = toml::from_str(
            r#"
            bucket = "tablevault-backups"
            endpoint = "https://s3.oss-cn-shanghai.aliyuncs.com"
            region = "cn-shanghai"
            prefix = "prod/"
            access_key_id = "id"
            secret_access_key = "secret"
            path_style = false
            "#,
        )
        .unwrap();
        let mut problems = Vec::new();
        config.validate("stores.offsite", &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.key_prefix(), "prod/");
        assert!(
            !format!("{config:?}").contains("secret\""),
            "secret redacted"
        );
    }

    #[test]
    fn bad_values_are_each_reported() {
        let mut config = S3StoreConfig::new("", Some("s3.example.com".into()));
        config.prefix = "/a//b".into();
        config.multipart_part_size = 1024;
        let mut problems = Vec::new();
        config.validate("stores.x", &mut problems);
        for key in [
            "bucket",
            "endpoint",
            "prefix",
            "access_key_id",
            "multipart_part_size",
        ] {
            assert!(
                problems
                    .iter()
                    .any(|p| p.starts_with(&format!("stores.x.{key}:"))),
                "{key} not reported in {problems:?}"
            );
        }
    }
}
