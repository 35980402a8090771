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
    #[error("store is unreachable: {0}")]
    Unreachable(String),
}

impl StoreError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        StoreError::Io {
            context: context.into(),
            source,
        }
    }
}
