//! `[stores.NAME]` of kind `archive`: the section as the file spells it is the store's own
//! config, so adding a key is one edit here (see `config/stores.rs` for how sections compose).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Configuration of an `archive` store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveStoreConfig {
    /// Root directory; one sub-directory per backup. Created if missing.
    pub path: PathBuf,
}

impl ArchiveStoreConfig {
    /// Adds to `problems` what is wrong with this section (`at` is `stores.NAME`), without
    /// touching the disk: the directory is created when the store opens.
    pub fn validate(&self, at: &str, problems: &mut Vec<String>) {
        if self.path.as_os_str().is_empty() {
            problems.push(format!("{at}.path: must not be empty"));
        }
    }
}
