//! What build is running: the package version and the commit it was built from (see
//! `build.rs`). Reported by `--version`, `GET /healthz` and `tablevault_build_info`, so an
//! operator can tell which code a daemon runs without shelling into its host.

/// The package version, `0.1.0`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The commit: 12 hex digits, with `-dirty` when built from a modified tree, or `unknown`
/// (a build without `.git` and without `TABLEVAULT_COMMIT`).
pub const COMMIT: &str = env!("TABLEVAULT_BUILD_COMMIT");

/// `0.1.0 (commit abcdef123456)`, or `0.1.0 (commit abcdef123456, dirty)`.
pub const VERSION_LINE: &str = env!("TABLEVAULT_BUILD_VERSION");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_line_names_the_version_and_the_commit() {
        assert!(VERSION_LINE.starts_with(&format!("{VERSION} (commit ")));
        let hash = COMMIT.trim_end_matches("-dirty");
        assert!(VERSION_LINE.contains(hash), "{VERSION_LINE} vs {COMMIT}");
        assert_eq!(
            VERSION_LINE.ends_with(", dirty)"),
            COMMIT.ends_with("-dirty")
        );
        let is_hash = hash.len() == 12 && hash.bytes().all(|b| b.is_ascii_hexdigit());
        assert!(is_hash || COMMIT == "unknown", "{COMMIT}");
    }
}
