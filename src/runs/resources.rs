//! The configured sources and stores a run can use, opened once and shared by every run (a
//! MongoDB store keeps its connection pool; a client keeps its HTTP pool).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::RunError;
use crate::config::Config;
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
    /// Where captured changes live, per archive store (`<root>/.changes/`).
    change_roots: BTreeMap<String, std::path::PathBuf>,
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
        }
        Ok(resources.with_change_roots(config))
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
    pub fn with_change_roots(mut self, config: &Config) -> Self {
        for (name, settings) in &config.stores {
            if let crate::config::StoreConfig::Archive(archive) = settings {
                self.change_roots.insert(name.clone(), archive.path.clone());
            }
        }
        self
    }

    /// The root under which store `name` keeps captured changes.
    pub fn change_root(&self, name: &str) -> Result<&std::path::Path, RunError> {
        self.change_roots
            .get(name)
            .map(|p| p.as_path())
            .ok_or_else(|| {
                RunError::Invalid(format!(
                    "store '{name}' holds no captured changes (continuous capture writes them to archive stores)"
                ))
            })
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
    pub fn stores(&self) -> impl Iterator<Item = (&str, &Arc<dyn BackupStore>)> {
        self.stores.iter().map(|(n, s)| (n.as_str(), s))
    }
}
