//! The embedded defaults written out as a config file (`tablevault config defaults`).

/// Every default as TOML. A test keeps it equal to [`super::Config::embedded_defaults`], so
/// a changed default cannot leave this text behind.
pub const DEFAULTS_TOML: &str = include_str!("defaults.toml");

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::DEFAULTS_TOML;
    use crate::config::Config;

    /// The default a `[section] key` of the defaults text has, as the README writes it.
    fn default_of(defaults: &toml::Table, key: &str) -> Option<String> {
        let (section, name) = key.split_once('.')?;
        match defaults.get(section)?.get(name)? {
            toml::Value::String(s) => Some(s.clone()),
            toml::Value::Integer(n) => Some(n.to_string()),
            toml::Value::Boolean(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The README's settings table states the daemon's defaults; a row whose keys are daemon
    /// keys (`engine.batch_rows`, or several joined by ` / ` or `, ` with one default each or
    /// one for all) must say what the defaults text says.
    #[test]
    fn the_readme_settings_table_states_the_embedded_defaults() {
        let defaults: toml::Table = DEFAULTS_TOML.parse().expect("the defaults are TOML");
        let readme = include_str!("../../README.md");
        let mut checked = 0;
        for line in readme.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = line.split(" | ").collect();
            let (keys, stated) = (cells[0].trim_start_matches("| "), cells[1]);
            let keys: Vec<&str> = keys
                .split([',', '/'])
                .map(|k| k.trim().trim_matches('`'))
                .collect();
            let stated: Vec<&str> = stated.split(" / ").map(|v| v.trim_matches('`')).collect();
            for (i, key) in keys.iter().enumerate() {
                let Some(actual) = default_of(&defaults, key) else {
                    continue;
                };
                let stated = if stated.len() == keys.len() {
                    stated[i]
                } else {
                    stated[0]
                };
                assert_eq!(stated, actual, "README says {key} defaults to {stated}");
                checked += 1;
            }
        }
        assert!(
            checked >= 20,
            "only {checked} defaults found in the README's table"
        );
    }

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
