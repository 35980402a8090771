//! Emulator settings.

use std::net::SocketAddr;

use super::faults::FaultConfig;

/// Rows per GetRange page at most (the service's cap).
pub const DEFAULT_PAGE_ROW_LIMIT: usize = 5000;
/// Bytes per GetRange page at most (the service's cap).
pub const DEFAULT_PAGE_BYTE_LIMIT: usize = 4 * 1024 * 1024;

/// How to run an emulator. [`EmulatorConfig::default`] listens on `127.0.0.1:0` with the
/// instance `emulator` and the key pair `test-ak` / `test-sk`, ready for tests.
#[derive(Debug, Clone, PartialEq)]
pub struct EmulatorConfig {
    /// Address to bind; port 0 picks a free port (see `EmulatorHandle::addr`).
    pub listen: SocketAddr,
    /// The instance name requests must carry in `x-ots-instancename`.
    pub instance: String,
    pub access_key_id: String,
    pub access_key_secret: String,
    /// GetRange rows per page at most (lower it to test paging).
    pub page_row_limit: usize,
    /// GetRange bytes per page at most.
    pub page_byte_limit: usize,
    /// Replaces the 100 MB unit of ComputeSplitPointsBySize, so small tables get split points.
    pub split_unit_bytes: Option<u64>,
    /// Length of one hour of stream expiration time, in milliseconds (3 600 000 by default;
    /// lower it to watch stream records expire in a test).
    pub stream_hour_ms: u64,
    pub faults: FaultConfig,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            instance: "emulator".to_string(),
            access_key_id: "test-ak".to_string(),
            access_key_secret: "test-sk".to_string(),
            page_row_limit: DEFAULT_PAGE_ROW_LIMIT,
            page_byte_limit: DEFAULT_PAGE_BYTE_LIMIT,
            split_unit_bytes: None,
            stream_hour_ms: 3_600_000,
            faults: FaultConfig::default(),
        }
    }
}

impl EmulatorConfig {
    /// A config for these credentials, otherwise the defaults.
    pub fn new(
        listen: SocketAddr,
        instance: impl Into<String>,
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
    ) -> Self {
        EmulatorConfig {
            listen,
            instance: instance.into(),
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            ..EmulatorConfig::default()
        }
    }
}
