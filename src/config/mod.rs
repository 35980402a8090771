//! The configuration file (TOML) and its environment overrides.
//!
//! The file names Tablestore *sources* and backup *stores*; everything else has defaults, so an
//! empty file (or none) is a valid configuration: the embedded defaults are SQLite at
//! `./data/tablevault.db` and an archive store `local` at `./data/archive`.
//!
//! Secrets may stay out of the file: `TABLEVAULT_SOURCE_<NAME>_ACCESS_KEY_ID`,
//! `TABLEVAULT_SOURCE_<NAME>_ACCESS_KEY_SECRET`, `TABLEVAULT_SOURCE_<NAME>_STS_TOKEN` and
//! `TABLEVAULT_STORE_<NAME>_URI` fill or override the matching keys (`<NAME>` upper-cased, `-`
//! as `_`). API tokens may come from `TABLEVAULT_AUTH_ADMIN_TOKEN` / `TABLEVAULT_AUTH_READ_TOKEN`,
//! and `TABLEVAULT_LOG` (else `RUST_LOG`) overrides `[logging] level`. Unknown keys are errors,
//! and [`Config::validate`] reports every problem at once.
//!
//! A component's section is the component's own type: `[stores.NAME]` is
//! `store/<kind>/config.rs` (tagged by `kind` in [`StoreConfig`]), `[sources.NAME]` is
//! [`crate::tablestore::client::SourceConfig`]. This module composes them into the file and
//! owns what spans it: defaults, environment overrides and reporting every problem at once.

mod auth;
mod check;
mod defaults;
mod engine;
mod env;
mod error;
mod logging;
mod scheduler;
mod schedules;
mod server;
mod sources;
mod stores;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::store::ArchiveStoreConfig;

pub use crate::tablestore::client::SourceConfig;
pub use auth::{AuthConfig, Role, TokenConfig, MIN_TOKEN_LEN};
pub use check::{check, CheckReport, EnvOverride, Problem};
pub use defaults::DEFAULTS_TOML;
pub use engine::EngineConfig;
pub use error::ConfigError;
pub use logging::{LogFormat, LoggingConfig};
pub use scheduler::{InterruptedBackups, SchedulerConfig};
pub use schedules::ScheduleEntry;
pub use server::{parse_listen, DatabaseConfig, ServerConfig, DEFAULT_LISTEN};
pub use stores::{StoreConfig, DEFAULT_STORE};

/// Where state lives when nothing is configured.
pub const DEFAULT_DATA_DIR: &str = "./data";

/// A new section also needs its line in [`check()`]'s list of sections.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Tablestore instances to back up from and restore to, by name.
    #[serde(default)]
    pub sources: BTreeMap<String, SourceConfig>,
    /// Backup stores, by name. A store `local` (archive at `./data/archive`) exists unless the
    /// file defines one with that name.
    #[serde(default)]
    pub stores: BTreeMap<String, StoreConfig>,
    /// Sync engine tuning (parallelism, batch sizes, rate limits).
    #[serde(default)]
    pub engine: EngineConfig,
    /// The daemon's HTTP listener (`tablevault serve`).
    #[serde(default)]
    pub server: ServerConfig,
    /// The daemon's SQLite state.
    #[serde(default)]
    pub database: DatabaseConfig,
    /// API bearer tokens.
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default)]
    pub logging: LoggingConfig,
    /// How the daemon runs schedules (concurrency, catch-up, interrupted backups).
    #[serde(default)]
    pub scheduler: SchedulerConfig,
    /// Schedules declared in the file (`[[schedules]]`), reconciled with the catalog.
    #[serde(default)]
    pub schedules: Vec<ScheduleEntry>,
    /// The file this was loaded from ([`Config::load`]); reloads read it again.
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

impl Config {
    /// Reads, parses, applies environment overrides and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Config::parse(&text, path)?;
        config.file = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses TOML text, applies the process environment and validates.
    pub fn parse(text: &str, origin: &Path) -> Result<Config, ConfigError> {
        Self::parse_with_env(text, origin, |key| std::env::var(key).ok())
    }

    /// Like [`Config::parse`] with an explicit environment (for tests).
    pub fn parse_with_env(
        text: &str,
        origin: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            // serde stops at the first problem; the section-by-section check finds them all,
            // so an operator fixes a file in one go whichever command read it.
            let problems = check::collect(text, &env).problems;
            let problems = if problems.is_empty() {
                vec![e.to_string()]
            } else {
                problems.iter().map(Problem::to_string).collect()
            };
            ConfigError::Parse {
                path: origin.to_path_buf(),
                problems,
            }
        })?;
        env::apply(&mut config, env);
        config.add_defaults();
        config.validate()?;
        Ok(config)
    }

    /// The configuration used when no file is given: the embedded defaults plus the process
    /// environment's overrides (tokens, log level), validated like a file.
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::parse("", Path::new("(embedded defaults)"))
    }

    /// The embedded defaults only, without the environment.
    pub fn embedded_defaults() -> Config {
        let mut config = Config::default();
        config.add_defaults();
        config
    }

    fn add_defaults(&mut self) {
        self.stores
            .entry(DEFAULT_STORE.to_string())
            .or_insert_with(|| {
                StoreConfig::Archive(ArchiveStoreConfig::new(
                    PathBuf::from(DEFAULT_DATA_DIR).join("archive"),
                ))
            });
    }

    /// Checks everything that can be checked without a network; reports all problems at once.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        for (name, source) in &self.sources {
            sources::validate(name, source, &mut problems);
        }
        for (name, store) in &self.stores {
            store.validate(name, &mut problems);
        }
        self.engine.validate(&mut problems);
        self.server.validate(&mut problems);
        self.database.validate(&mut problems);
        self.auth.validate(&mut problems);
        self.logging.validate(&mut problems);
        self.scheduler.validate(&mut problems);
        schedules::validate(&self.schedules, &self.sources, &self.stores, &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    pub fn source(&self, name: &str) -> Result<&SourceConfig, ConfigError> {
        self.sources
            .get(name)
            .ok_or_else(|| ConfigError::UnknownSource {
                name: name.to_string(),
                known: self.sources.keys().cloned().collect(),
            })
    }

    pub fn store(&self, name: &str) -> Result<&StoreConfig, ConfigError> {
        self.stores
            .get(name)
            .ok_or_else(|| ConfigError::UnknownStore {
                name: name.to_string(),
                known: self.stores.keys().cloned().collect(),
            })
    }
}

#[cfg(test)]
mod tests;
