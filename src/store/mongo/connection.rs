//! The driver client of one store, and how driver errors become [`StoreError`]s.

use mongodb::{
    error::{Error as DriverError, ErrorKind},
    options::{Acknowledgment, ClientOptions, DatabaseOptions, WriteConcern},
    Client, Database,
};

use std::sync::Mutex;

use super::config::MongoUri;
use crate::store::StoreError;

/// A driver client plus what is needed to name databases and to scrub error messages.
pub struct Connection {
    client: Client,
    pub prefix: String,
    /// Kept only to remove it (and its password) from error messages.
    uri: MongoUri,
    /// The driver's message of the last authentication failure, until a request succeeds. After
    /// one the driver marks the server unknown until its next heartbeat (10 s by default), so
    /// the next request waits that long before failing the same way; the health check answers
    /// with this instead of waiting (see `MongoStore::healthcheck`).
    auth_failure: Mutex<Option<String>>,
}

impl Connection {
    /// Parses the URI and builds the client. Nothing is sent yet: the driver connects lazily.
    pub async fn open(uri: &MongoUri, prefix: String) -> Result<Self, StoreError> {
        let options = ClientOptions::parse(uri.expose())
            .await
            .map_err(|e| StoreError::Mongo {
                context: format!("parsing the MongoDB URI {}", uri.redacted()),
                message: redact(e.to_string(), uri),
            })?;
        let client = Client::with_options(options).map_err(|e| StoreError::Mongo {
            context: "creating the MongoDB client".to_owned(),
            message: redact(e.to_string(), uri),
        })?;
        Ok(Connection {
            client,
            prefix,
            uri: uri.clone(),
            auth_failure: Mutex::new(None),
        })
    }

    /// The last authentication failure, as the error of `context`, if no request succeeded
    /// since.
    pub fn auth_failure(&self, context: &str) -> Option<StoreError> {
        let failure = self.auth_failure.lock().unwrap_or_else(|e| e.into_inner());
        failure
            .as_ref()
            .map(|message| StoreError::AuthenticationFailed {
                context: context.to_owned(),
                message: message.clone(),
            })
    }

    /// A request succeeded: the credentials work (again).
    pub fn authenticated(&self) {
        *self.auth_failure.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A backup database. Writes wait for a journaled majority: a checkpoint must never get
    /// ahead of the rows it vouches for, even if the primary fails over right after.
    pub fn database(&self, name: &str) -> Database {
        let durable = WriteConcern::builder()
            .w(Acknowledgment::Majority)
            .journal(true)
            .build();
        self.client.database_with_options(
            name,
            DatabaseOptions::builder().write_concern(durable).build(),
        )
    }

    /// Maps a driver error: connectivity problems are [`StoreError::Unreachable`] (the engine
    /// retries those), refused credentials [`StoreError::AuthenticationFailed`] (remembered,
    /// never retried), everything else [`StoreError::Mongo`]; the password never appears.
    pub fn error(&self, context: impl Into<String>, error: DriverError) -> StoreError {
        let context = context.into();
        let message = redact(error.to_string(), &self.uri);
        match *error.kind {
            ErrorKind::ServerSelection { .. }
            | ErrorKind::Io(_)
            | ErrorKind::ConnectionPoolCleared { .. }
            | ErrorKind::DnsResolve { .. } => {
                StoreError::Unreachable(format!("{context}: {message}"))
            }
            ErrorKind::Authentication { .. } => {
                *self.auth_failure.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(message.clone());
                StoreError::AuthenticationFailed { context, message }
            }
            _ => StoreError::Mongo { context, message },
        }
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Removes the URI and its password (as written and percent-decoded) from a message. A short
/// password may blank out unrelated text too; an unreadable message beats a leaked secret.
fn redact(message: String, uri: &MongoUri) -> String {
    let mut message = message;
    if !uri.expose().is_empty() {
        message = message.replace(uri.expose(), &uri.redacted());
    }
    if let Some(raw) = uri.raw_password() {
        message = message.replace(raw, "***");
        message = message.replace(&percent_decode(raw), "***");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_found_and_decodable() {
        let uri = MongoUri::new("mongodb://u:p%40ss@h1,h2/db?authSource=admin");
        assert_eq!(uri.raw_password(), Some("p%40ss"));
        assert_eq!(percent_decode("p%40ss%zz"), "p@ss%zz");
        assert_eq!(MongoUri::new("mongodb://h/?x=a:b@c").raw_password(), None);
    }

    #[test]
    fn redaction_removes_uri_and_password() {
        let uri = MongoUri::new("mongodb://u:p%40ss@h1/");
        let message = "failed for mongodb://u:p%40ss@h1/ with p@ss and p%40ss".to_owned();
        let clean = redact(message, &uri);
        assert!(
            !clean.contains("p@ss") && !clean.contains("p%40ss"),
            "{clean}"
        );
    }
}
