//! The configured sources and stores a run can use, opened once and shared by every run (a
//! MongoDB store keeps its connection pool; a client keeps its HTTP pool).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::RunError;
use crate::capture::{open_change_store, ChangeStore};
use crate::config::{Config, StoreConfig};
use crate::store::{self, BackupStore, SourceInfo};
use crate::tablestore::client::Client;

/// A Tablestore source: its client and what manifests record about it.
#[derive(Clone)]
pub struct Source {
    pub client: Client,
    pub info: SourceInfo,
}

/// Sources and stores by name. Cheap to clone.
#[derive(Clone, Default)]
pub struct Resources {
    sources: BTreeMap<String, Source>,
    stores: BTreeMap<String, Arc<dyn BackupStore>>,
    /// The configs the stores were opened from: captured changes live next to a store's
    /// backups, in a place only the config names (`capture::store`).
    store_configs: BTreeMap<String, StoreConfig>,
}

impl std::fmt::Debug for Resources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resources")
            .field("sources", &self.sources.keys().collect::<Vec<_>>())
            .field("stores", &self.stores.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Resources {
    pub fn new() -> Self {
        Resources::default()
    }

    /// Builds a client per configured source and opens every configured store.
    pub async fn from_config(config: &Config) -> Result<Self, RunError> {
        let mut resources = Resources::new();
        for (name, source) in &config.sources {
            let client = Client::new(&source.client_config()).map_err(|e| RunError::Source {
                name: name.clone(),
                source: e,
            })?;
            let info = SourceInfo {
                name: name.clone(),
                endpoint: source.endpoint.clone(),
                instance: source.instance.clone(),
            };
            resources = resources.with_source(name, client, info);
        }
        for (name, settings) in &config.stores {
            let store = store::open(settings).await.map_err(|e| RunError::Store {
                name: name.clone(),
                source: e,
            })?;
            resources = resources.with_store(name, store);
            resources
                .store_configs
                .insert(name.clone(), settings.clone());
        }
        Ok(resources)
    }

    pub fn with_source(mut self, name: &str, client: Client, info: SourceInfo) -> Self {
        self.sources
            .insert(name.to_string(), Source { client, info });
        self
    }

    pub fn with_store(mut self, name: &str, store: Arc<dyn BackupStore>) -> Self {
        self.stores.insert(name.to_string(), store);
        self
    }

    /// Records where each archive store of `config` keeps captured changes.
    /// Remembers every store's config: captured changes are found through it.
    pub fn with_store_configs(mut self, config: &Config) -> Self {
        for (name, settings) in &config.stores {
            self.store_configs.insert(name.clone(), settings.clone());
        }
        self
    }

    /// The change store of `table` captured for `schedule_id` next to store `name`'s backups.
    pub async fn change_store(
        &self,
        name: &str,
        schedule_id: &str,
        table: &str,
    ) -> Result<Arc<dyn ChangeStore>, RunError> {
        let config = self
            .store_config(name)
            .ok_or_else(|| RunError::Invalid(format!("store '{name}' is not configured")))?;
        open_change_store(name, config, schedule_id, table)
            .await
            .map_err(|e| RunError::Invalid(format!("captured changes of table '{table}': {e}")))
    }

    pub fn source(&self, name: &str) -> Result<&Source, RunError> {
        self.sources
            .get(name)
            .ok_or_else(|| RunError::UnknownSource(name.to_string()))
    }

    pub fn store(&self, name: &str) -> Result<Arc<dyn BackupStore>, RunError> {
        self.stores
            .get(name)
            .cloned()
            .ok_or_else(|| RunError::UnknownStore(name.to_string()))
    }

    /// Every store, by name (start-up reconciliation walks them all).
    /// The config store `name` was opened from (none for a store added by `with_store`).
    pub fn store_config(&self, name: &str) -> Option<&StoreConfig> {
        self.store_configs.get(name)
    }

    pub fn stores(&self) -> impl Iterator<Item = (&str, &Arc<dyn BackupStore>)> {
        self.stores.iter().map(|(n, s)| (n.as_str(), s))
    }
}
