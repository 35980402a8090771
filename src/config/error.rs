//! Configuration errors: each says what is wrong and where, in one line per problem.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// serde refused the file; `problems` lists each problem found in it, with its line.
    #[error("invalid config file {path}:{}", listed(.problems))]
    Parse {
        path: PathBuf,
        problems: Vec<String>,
    },
    #[error("invalid configuration:{}", listed(.0))]
    Invalid(Vec<String>),
    #[error("unknown source {name:?} (configured: {})", list(.known))]
    UnknownSource { name: String, known: Vec<String> },
    #[error("unknown store {name:?} (configured: {})", list(.known))]
    UnknownStore { name: String, known: Vec<String> },
}

/// Problems one per line (` - ` indented), or after a space when there is only one, so a log
/// or a terminal shows each on its own line; [`crate::cli`] folds them for one-line errors.
fn listed(problems: &[String]) -> String {
    match problems {
        [one] => format!(" {one}"),
        many => format!("\n  - {}", many.join("\n  - ")),
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}
