//! The demo's Tablestore: the in-process emulator with throwaway credentials, seeded with the
//! sample table. The emulator keeps its tables in memory, so the table is seeded at every start.

use std::net::SocketAddr;

use secrecy::SecretString;

use super::{sample, DemoError};
use crate::config::SourceConfig;
use crate::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use crate::tablestore::client::{chunk_writes, Client, ClientConfig, RowWrite};

/// The instance name the emulator answers to.
pub const INSTANCE: &str = "demo";

/// A running, seeded emulator and the credentials it accepts.
pub struct DemoSource {
    emulator: EmulatorHandle,
    access_key_id: String,
    /// Generated at every start: the emulator lives as long as the process, so nothing needs
    /// to remember it, and a fixed well-known secret would invite reuse elsewhere.
    access_key_secret: String,
}

impl DemoSource {
    /// Starts the emulator on `listen` and writes the sample table into it.
    pub async fn start(listen: SocketAddr) -> Result<DemoSource, DemoError> {
        let access_key_id = "demo".to_string();
        let access_key_secret = uuid::Uuid::new_v4().simple().to_string();
        let config = EmulatorConfig::new(listen, INSTANCE, &access_key_id, &access_key_secret);
        let emulator = Emulator::start(config).await?;
        let source = DemoSource {
            emulator,
            access_key_id,
            access_key_secret,
        };
        source.seed().await?;
        Ok(source)
    }

    pub fn endpoint(&self) -> String {
        self.emulator.endpoint()
    }

    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// Printed for the SDKs; it opens nothing but this process's in-memory emulator.
    pub fn access_key_secret(&self) -> &str {
        &self.access_key_secret
    }

    /// The `[sources.demo]` entry that points the daemon at the emulator.
    pub fn source_config(&self) -> SourceConfig {
        SourceConfig {
            endpoint: self.endpoint(),
            instance: INSTANCE.to_string(),
            access_key_id: Some(self.access_key_id.clone()),
            access_key_secret: Some(SecretString::from(self.access_key_secret.clone())),
            sts_token: None,
            credentials_file: None,
            ecs_ram_role: None,
            ecs_metadata_url: None,
            ecs_metadata_disable_imdsv1: false,
            ca_file: None,
            use_system_ca_store: false,
        }
    }

    pub async fn shutdown(self) {
        self.emulator.shutdown().await;
    }

    async fn seed(&self) -> Result<(), DemoError> {
        let client = Client::new(&ClientConfig::new(
            self.endpoint(),
            INSTANCE,
            self.access_key_id.clone(),
            self.access_key_secret.clone(),
        ))?;
        client.create_table(&sample::table()).await?;
        let now_ms = chrono::Utc::now().timestamp_millis();
        let writes = sample::rows(now_ms)
            .into_iter()
            .map(|row| RowWrite::put(sample::TABLE, row))
            .collect();
        for batch in chunk_writes(writes)? {
            for result in client.batch_write(&batch).await? {
                result.map_err(|e| DemoError::Seed(e.to_string()))?;
            }
        }
        tracing::info!(
            table = sample::TABLE,
            rows = sample::ROWS,
            endpoint = %self.endpoint(),
            "Demo table seeded."
        );
        Ok(())
    }
}
