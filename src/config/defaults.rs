//! The embedded defaults written out as a config file (`tablevault config defaults`).

/// Every default as TOML. A test keeps it equal to [`super::Config::embedded_defaults`], so
/// a changed default cannot leave this text behind.
pub const DEFAULTS_TOML: &str = include_str!("defaults.toml");

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::DEFAULTS_TOML;
    use crate::config::Config;

    #[test]
    fn the_defaults_text_is_exactly_the_embedded_defaults() {
        let parsed = Config::parse_with_env(DEFAULTS_TOML, Path::new("defaults.toml"), |_| None)
            .expect("the defaults are valid");

        // Debug shows every field (secrets redacted), so equal text means equal configs.
        assert_eq!(
            format!("{parsed:?}"),
            format!("{:?}", Config::embedded_defaults())
        );
    }
}
