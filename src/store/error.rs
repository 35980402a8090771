//! The store boundary's error.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("backup {0} not found")]
    NotFound(String),
    #[error("table {table} is not in backup {backup}")]
    TableNotFound { backup: String, table: String },
    #[error("backup {0} already exists")]
    AlreadyExists(String),
    #[error("backup {backup} is corrupted: {detail}")]
    Corrupt { backup: String, detail: String },
    #[error("invalid backup id {0:?}")]
    InvalidId(String),
    #[error("invalid table name {0:?}")]
    InvalidTableName(String),
    #[error("backup {backup} has format version {found}; this TableVault reads up to {supported}")]
    UnsupportedFormat {
        backup: String,
        found: u32,
        supported: u32,
    },
    #[error("store I/O failed: {context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("MongoDB request failed: {context}: {message}")]
    Mongo { context: String, message: String },
    /// The server refused the URI's credentials: trying again cannot help.
    #[error(
        "MongoDB authentication failed: {context} (check the URI's user, password and \
         authSource): {message}"
    )]
    AuthenticationFailed { context: String, message: String },
    /// An object store refused the access key: trying again cannot help.
    #[error(
        "access denied by the object store: {context} (check access_key_id and \
         secret_access_key): {message}"
    )]
    AccessDenied { context: String, message: String },
    /// The store's configuration cannot be used (an unreadable key file).
    #[error("invalid store configuration: {0}")]
    InvalidConfig(String),
    /// The backup is sealed with a key the store was not given: listing works, reading not.
    #[error("backup {backup} is encrypted with key {key_id}; set encryption_key_file")]
    KeyMissing { backup: String, key_id: String },
    #[error("store is unreachable: {0}")]
    Unreachable(String),
}

impl StoreError {
    /// Whether the same operation may succeed if tried again: the store was unreachable, a
    /// MongoDB request failed (a primary stepping down, a connection reset mid-command) or
    /// the disk reported an I/O error (full, or a network filesystem hiccup). Everything else
    /// (bad ids or names, corrupt data, missing or existing backups) fails the same way twice.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            StoreError::Unreachable(_) | StoreError::Mongo { .. } | StoreError::Io { .. }
        )
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        StoreError::Io {
            context: context.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_connectivity_and_io_errors_are_transient() {
        let transient = [
            StoreError::Unreachable("connection refused".into()),
            StoreError::Mongo {
                context: "writing".into(),
                message: "not primary".into(),
            },
            StoreError::io("writing a segment", std::io::Error::other("disk full")),
        ];
        assert!(transient.iter().all(StoreError::is_transient));
        let permanent = [
            StoreError::NotFound("b".into()),
            StoreError::AlreadyExists("b".into()),
            StoreError::InvalidId("..".into()),
            StoreError::InvalidTableName("a/b".into()),
            StoreError::Corrupt {
                backup: "b".into(),
                detail: "bad checksum".into(),
            },
            StoreError::TableNotFound {
                backup: "b".into(),
                table: "t".into(),
            },
            StoreError::UnsupportedFormat {
                backup: "b".into(),
                found: 9,
                supported: 1,
            },
            StoreError::AccessDenied {
                context: "listing".into(),
                message: "403".into(),
            },
        ];
        assert!(!permanent.iter().any(StoreError::is_transient));
    }
}
