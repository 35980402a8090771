//! Build inputs cargo cannot see on its own:
//!
//! - `sqlx::migrate!()` embeds `migrations/` at compile time, so a changed migration must
//!   rebuild the crate.
//! - The commit the binary is built from, for `--version`, `/healthz` and
//!   `tablevault_build_info`: `TABLEVAULT_COMMIT` when set (container builds have no `.git`),
//!   else `git rev-parse` when there is a repository, else `unknown`. Exported to the crate as
//!   `TABLEVAULT_BUILD_COMMIT` (12 hex digits, with `-dirty` when tracked files differed from
//!   the commit when this script last ran, or `unknown`) and `TABLEVAULT_BUILD_VERSION`
//!   (`0.1.0 (commit abcdef123456, dirty)`, the `--version` text).
//! - The Tablestore protobuf messages, generated from the `.proto` files in `proto/` (see
//!   `compile_protos`).

use std::path::{Path, PathBuf};
use std::process::Command;

const COMMIT_VAR: &str = "TABLEVAULT_COMMIT";
/// Long enough to be unique in practice, short enough for a label and a version line.
const SHORT_LEN: usize = 12;

fn main() {
    compile_protos();
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed={COMMIT_VAR}");
    let (commit, dirty) = match std::env::var(COMMIT_VAR) {
        Ok(value) => from_env(&value),
        Err(_) => from_git().unwrap_or_else(|| ("unknown".to_string(), false)),
    };
    let suffix = if dirty { "-dirty" } else { "" };
    println!("cargo:rustc-env=TABLEVAULT_BUILD_COMMIT={commit}{suffix}");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let note = if dirty { ", dirty" } else { "" };
    println!("cargo:rustc-env=TABLEVAULT_BUILD_VERSION={version} (commit {commit}{note})");
}

/// `TABLEVAULT_COMMIT=<sha>` or `<sha>-dirty`; anything that is not a hex hash is `unknown`,
/// so a stray value never ends up in a metric label.
fn from_env(value: &str) -> (String, bool) {
    let value = value.trim();
    let (hash, dirty) = match value.strip_suffix("-dirty") {
        Some(hash) => (hash, true),
        None => (value, false),
    };
    if hash.len() >= 7 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        let short = &hash[..hash.len().min(SHORT_LEN)];
        (short.to_ascii_lowercase(), dirty)
    } else {
        ("unknown".to_string(), false)
    }
}

fn from_git() -> Option<(String, bool)> {
    let hash = git(&["rev-parse", &format!("--short={SHORT_LEN}"), "HEAD"])?;
    watch_git_files();
    // Untracked files do not make a build dirty: only changes to what the commit contains.
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|status| !status.is_empty());
    Some((hash, dirty))
}

/// Reruns this script when the commit changes: HEAD itself (checkout), the branch ref it
/// names (commit) and packed refs (where that ref lives after `git gc`). Not the index: every
/// `git status` rewrites it, which made each `cargo build` after one rebuild the crate.
/// In a worktree `.git` is a file, so the paths come from git rather than being guessed.
fn watch_git_files() {
    let Some(git_dir) = git(&["rev-parse", "--git-dir"]).map(PathBuf::from) else {
        return;
    };
    let common_dir = git(&["rev-parse", "--git-common-dir"])
        .map(PathBuf::from)
        .unwrap_or_else(|| git_dir.clone());
    watch(&git_dir.join("HEAD"));
    watch(&common_dir.join("packed-refs"));
    if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch(&common_dir.join(reference));
    }
    // `dirty` changes with edits to tracked files; those under src/ recompile the crate
    // anyway, so rerunning here for them costs nothing extra.
    println!("cargo:rerun-if-changed=src");
}

fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// Runs git in the package directory; `None` when git is missing or fails (no repository).
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(std::env::var_os("CARGO_MANIFEST_DIR")?)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8(output.stdout).ok()?.trim().to_string())
}

/// The messages a search index's schema (`IndexSchema`) is made of, transitively.
const SEARCH_SCHEMA_MESSAGES: [&str; 13] = [
    "IndexSchema",
    "FieldSchema",
    "VectorOptions",
    "IndexSetting",
    "Sort",
    "Sorter",
    "FieldSort",
    "GeoDistanceSort",
    "ScoreSort",
    "PrimaryKeySort",
    "DocSort",
    "NestedFilter",
    "Query",
];

/// The vendored upstream protocol files (`proto/tablestore/`, see its README) and TableVault's
/// additions to them (`proto/tablevault/`). Compiled to descriptors by `protox`, in Rust, so
/// the build needs no `protoc`; `prost-build` turns them into `OUT_DIR/protocol.rs` (a module
/// tree, one module per protobuf package) for `src/tablestore/proto.rs` to include.
fn compile_protos() {
    const PROTO_DIRS: [&str; 2] = ["proto/tablestore", "proto/tablevault"];
    const FILES: [&str; 4] = [
        "table_store.proto",
        "table_store_filter.proto",
        "search.proto",
        "table_store_additions.proto",
    ];
    println!("cargo:rerun-if-changed=proto");
    let descriptors = protox::compile(FILES, PROTO_DIRS).unwrap_or_else(|e| panic!("{e:?}"));
    let mut config = prost_build::Config::new();
    config.include_file("protocol.rs");
    // A search index's schema is saved with a backup as JSON (see `SearchIndexDefinition` in
    // src/tablestore/table.rs): these messages, and only these, get serde. Enum fields are
    // `i32` in prost, so they are saved as their protobuf numbers.
    for message in SEARCH_SCHEMA_MESSAGES {
        let path = format!(".com.aliyun.tablestore.protocol.{message}");
        config.message_attribute(&path, "#[derive(serde::Serialize, serde::Deserialize)]");
        config.message_attribute(&path, "#[serde(default)]");
    }
    config
        .compile_fds(descriptors)
        .unwrap_or_else(|e| panic!("generating the protobuf messages: {e}"));
}
