//! The example files in deploy/ are valid configurations, name every secret their config
//! needs, and agree on the stop budget: the unit's TimeoutStopSec and the StatefulSet's
//! terminationGracePeriodSeconds are the config's `shutdown_grace_seconds` + 5 s, because the
//! daemon's whole stop fits in the grace (see `shutdown_budget`).

use std::collections::BTreeMap;
use std::path::Path;

use tablevault::config::Config;

/// What the service manager adds to the grace for the process exit itself.
const EXIT_MARGIN_SECONDS: u64 = 5;

fn repository_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// `KEY=value` lines of a systemd EnvironmentFile, comments skipped.
fn environment_file_keys(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.to_string()))
        .collect()
}

/// The `TABLEVAULT_*` keys under a Secret's `stringData:`.
fn secret_keys(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| !l.starts_with("stringData:"))
        .filter_map(|l| l.trim().split_once(':').map(|(k, _)| k.to_string()))
        .filter(|k| k.starts_with("TABLEVAULT_"))
        .collect()
}

/// `config` parsed with each of `keys` set to a placeholder secret (as an operator fills them).
fn parse_with(path: &str, keys: &[String]) -> Config {
    let env: BTreeMap<String, String> = keys
        .iter()
        .map(|k| (k.clone(), format!("placeholder-secret-for-{k}")))
        .collect();
    Config::parse_with_env(&repository_file(path), Path::new(path), |k| {
        env.get(k).cloned()
    })
    .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every secret the config's sources need is named in the environment example.
fn assert_secrets_named(config: &Config, keys: &[String], origin: &str) {
    for name in config.sources.keys() {
        let var = name
            .to_ascii_uppercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_");
        for key in ["ACCESS_KEY_ID", "ACCESS_KEY_SECRET"] {
            let wanted = format!("TABLEVAULT_SOURCE_{var}_{key}");
            assert!(keys.contains(&wanted), "{origin} lacks {wanted}");
        }
    }
    for token in ["TABLEVAULT_AUTH_ADMIN_TOKEN", "TABLEVAULT_AUTH_READ_TOKEN"] {
        assert!(keys.iter().any(|k| k == token), "{origin} lacks {token}");
    }
}

/// The number after `key` on its line, e.g. `TimeoutStopSec=35s` or `...Seconds: 35`.
fn number_after(text: &str, key: &str) -> u64 {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(key))
        .unwrap_or_else(|| panic!("no {key}"));
    let digits: String = line[line.find(key).unwrap() + key.len()..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number in {line:?}"))
}

#[test]
fn the_systemd_example_config_and_environment_file_fit_the_unit() {
    let keys = environment_file_keys(&repository_file("deploy/systemd/tablevault.env"));
    let config = parse_with("deploy/systemd/tablevault.toml", &keys);
    assert_secrets_named(&config, &keys, "tablevault.env");
    assert!(config.database.path.starts_with("/var/lib/tablevault"));
    let unit = repository_file("deploy/systemd/tablevault.service");
    assert!(unit.contains("StateDirectory=tablevault\n"));
    assert_eq!(
        number_after(&unit, "TimeoutStopSec="),
        config.server.shutdown_grace_seconds + EXIT_MARGIN_SECONDS
    );
}

#[test]
fn the_container_config_is_valid_and_keeps_its_state_in_the_volume() {
    let config = parse_with("deploy/docker/tablevault.toml", &[]);
    assert!(config.database.path.starts_with("/var/lib/tablevault"));
    let dockerfile = repository_file("deploy/docker/Dockerfile");
    assert!(dockerfile.contains("VOLUME [\"/var/lib/tablevault\"]"));
    assert!(dockerfile.contains(&format!(
        "--stop-timeout {}",
        config.server.shutdown_grace_seconds + EXIT_MARGIN_SECONDS
    )));
}

#[test]
fn the_kubernetes_config_and_secret_fit_the_statefulset() {
    let keys = secret_keys(&repository_file("deploy/kubernetes/secret.example.yaml"));
    let config = parse_with("deploy/kubernetes/tablevault.toml", &keys);
    assert_secrets_named(&config, &keys, "secret.example.yaml");
    assert!(config.database.path.starts_with("/var/lib/tablevault"));
    let statefulset = repository_file("deploy/kubernetes/statefulset.yaml");
    assert_eq!(
        number_after(&statefulset, "terminationGracePeriodSeconds:"),
        config.server.shutdown_grace_seconds + EXIT_MARGIN_SECONDS
    );
    assert_eq!(number_after(&statefulset, "replicas:"), 1);
}
