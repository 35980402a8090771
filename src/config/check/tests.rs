//! `check` reports every problem of a file at once, with key paths and lines.

use super::{check, Problem};

fn no_env(_: &str) -> Option<String> {
    None
}

fn keys(problems: &[Problem]) -> Vec<(&str, Option<usize>)> {
    problems.iter().map(|p| (p.key.as_str(), p.line)).collect()
}

#[test]
fn every_syntax_error_is_reported_with_its_line() {
    let text = "[server]\nlisten = \n[engine]\nreaders = 4\nwriters = = 2\n";

    let report = check(text, no_env);

    assert!(report.config.is_none());
    let lines: Vec<Option<usize>> = report.problems.iter().map(|p| p.line).collect();
    assert!(lines.contains(&Some(2)), "{:?}", report.problems);
    assert!(lines.contains(&Some(5)), "{:?}", report.problems);
    assert!(report.problems.iter().all(|p| p.key.is_empty()));
}

#[test]
fn unknown_keys_bad_values_and_validation_problems_come_together() {
    let text = r#"
[sources.prod]
endpoint = "ftp://example"
instance = "prod"
access_key_id = "id"
access_key_secret = "secret"
region = "cn-hangzhou"

[engine]
readers = "four"
writers = -1
batch_rows = 0

[server]
listen = "not an address"

[auth]
tokens = [{ token = "short", role = "admin" }, { token = "long-enough-token-1234", role = "root" }]

[colour]
red = true
"#;

    let report = check(text, no_env);

    assert!(report.config.is_none());
    let found = keys(&report.problems);
    for expected in [
        ("sources.prod.region", Some(7)),
        ("engine.readers", Some(10)),
        ("engine.writers", Some(11)),
        ("server.listen", Some(15)),
        ("auth.tokens[1].role", Some(18)),
        ("colour", Some(20)),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    // Without their bad keys, sections are still validated: the rest of [engine] and the
    // endpoint beside the unknown key.
    assert!(
        found.contains(&("engine.batch_rows", Some(12))),
        "{found:?}"
    );
    assert!(
        found.contains(&("sources.prod.endpoint", Some(3))),
        "{found:?}"
    );
    // In file order, each key once.
    let lines: Vec<usize> = report.problems.iter().filter_map(|p| p.line).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
    let mut keys: Vec<&str> = found.iter().map(|(k, _)| *k).collect();
    keys.dedup();
    assert_eq!(keys.len(), found.len(), "{found:?}");
    let unknown = report.problems.iter().find(|p| p.key == "colour").unwrap();
    assert!(unknown.message.contains("unknown section"), "{unknown:?}");
}

#[test]
fn a_key_with_a_bad_value_is_not_reported_missing_as_well() {
    let text = "[sources.prod]\nendpoint = \"https://x\"\ninstance = \"prod\"\naccess_key_id = \"id\"\naccess_key_secret = 42\n";

    let report = check(text, no_env);

    let found = keys(&report.problems);
    assert_eq!(
        found,
        [("sources.prod.access_key_secret", Some(5))],
        "{:?}",
        report.problems
    );
    assert!(
        report.problems[0].message.contains("invalid type"),
        "{:?}",
        report.problems
    );
}

#[test]
fn validation_problems_carry_the_line_of_their_key() {
    let text = r#"
[sources.prod]
endpoint = "ftp://example"
instance = ""
access_key_id = "id"

[[auth.tokens]]
token = "long-enough-token-1234"
role = "read"

[[auth.tokens]]
token = "short"
role = "admin"
"#;

    let report = check(text, no_env);

    let found = keys(&report.problems);
    assert!(
        found.contains(&("sources.prod.endpoint", Some(3))),
        "{found:?}"
    );
    assert!(
        found.contains(&("sources.prod.instance", Some(4))),
        "{found:?}"
    );
    // Missing keys point at their section.
    assert!(
        found.contains(&("sources.prod.access_key_secret", Some(2))),
        "{found:?}"
    );
    let token = report
        .problems
        .iter()
        .find(|p| p.key == "auth.tokens[1].token")
        .expect("the short token");
    assert_eq!(token.line, Some(12));
    assert!(!token.message.contains("short\""), "no secret in {token:?}");
}

#[test]
fn the_environment_fills_secrets_and_is_named_without_values() {
    let text =
        "[sources.prod]\nendpoint = \"https://x\"\ninstance = \"prod\"\naccess_key_id = \"id\"\n";
    let env = |name: &str| match name {
        "TABLEVAULT_SOURCE_PROD_ACCESS_KEY_SECRET" => Some("s3cret-value".to_string()),
        "TABLEVAULT_AUTH_READ_TOKEN" => Some("read-token-from-env-1234".to_string()),
        "TABLEVAULT_AUTH_ADMIN_TOKEN" => Some(String::new()),
        _ => None,
    };

    let report = check(text, env);

    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let config = report.config.expect("valid");
    assert_eq!(config.auth.tokens.len(), 1);
    let named: Vec<(&str, &str)> = report
        .overrides
        .iter()
        .map(|o| (o.variable.as_str(), o.key.as_str()))
        .collect();
    assert_eq!(
        named,
        [
            (
                "TABLEVAULT_SOURCE_PROD_ACCESS_KEY_SECRET",
                "sources.prod.access_key_secret"
            ),
            ("TABLEVAULT_AUTH_READ_TOKEN", "auth.tokens[0]"),
        ]
    );
}

#[test]
fn the_example_config_checks_clean_once_its_secret_is_set() {
    let text = include_str!("../../../config/tablevault.example.toml");
    let env = |name: &str| {
        (name == "TABLEVAULT_SOURCE_PROD_ACCESS_KEY_SECRET").then(|| "from-env".to_string())
    };

    let report = check(text, env);

    assert_eq!(report.problems, []);
    assert!(report.config.is_some());
}

#[test]
fn an_empty_file_is_the_embedded_defaults() {
    let report = check("", no_env);

    let config = report.config.expect("valid");
    assert_eq!(
        format!("{config:?}"),
        format!("{:?}", crate::config::Config::embedded_defaults())
    );
}

#[test]
fn schedules_are_checked_with_their_index_and_line() {
    let text = r#"
[sources.prod]
endpoint = "https://x"
instance = "prod"
access_key_id = "id"
access_key_secret = "secret"

[[schedules]]
name = "nightly"
cron = "0 2 * * *"
source = "prod"
store = "local"
colour = "red"

[[schedules]]
name = "nightly"
cron = "0 25 * * *"
source = "staging"
store = "local"

[[schedules]]
name = "weekly"
cron = "0 3 * * 0"
timezone = "Mars/Olympus"
source = "prod"
store = "elsewhere"
"#;

    let report = check(text, no_env);

    assert!(report.config.is_none());
    let found = keys(&report.problems);
    for expected in [
        ("schedules[0].colour", Some(13)),
        ("schedules[1].name", Some(16)),
        ("schedules[1].cron", Some(17)),
        ("schedules[1].source", Some(18)),
        ("schedules[2].timezone", Some(24)),
        ("schedules[2].store", Some(26)),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    let message = |key: &str| {
        let problem = report.problems.iter().find(|p| p.key == key).unwrap();
        problem.message.clone()
    };
    assert!(message("schedules[1].name").contains("declared twice"));
    assert!(message("schedules[1].source").contains("unknown source \"staging\""));
    assert!(message("schedules[2].store").contains("unknown store \"elsewhere\""));
    assert!(message("schedules[2].timezone").contains("IANA"));
}

#[test]
fn a_schedule_left_out_for_a_bad_key_does_not_shift_the_next_one() {
    let text = r#"
[[schedules]]
name = "broken"
cron = 5

[[schedules]]
name = "next"
cron = "0 2 * * *"
source = "nowhere"
store = "local"
"#;

    let report = check(text, no_env);

    let found = keys(&report.problems);
    assert!(found.contains(&("schedules[0].cron", Some(4))), "{found:?}");
    assert!(
        found.contains(&("schedules[1].source", Some(9))),
        "{found:?}"
    );
}

#[test]
fn a_valid_schedule_reaches_the_config() {
    let text = "[sources.prod]\nendpoint = \"https://x\"\ninstance = \"prod\"\naccess_key_id = \"id\"\naccess_key_secret = \"s\"\n\n[[schedules]]\nname = \"nightly\"\ncron = \"0 2 * * *\"\ntimezone = \"Europe/Berlin\"\nsource = \"prod\"\nstore = \"local\"\nretention = { keep_last = 7 }\n";

    let report = check(text, no_env);

    assert_eq!(report.problems, []);
    let config = report.config.expect("valid");
    let new = config.schedules[0].to_new_schedule().unwrap();
    assert_eq!(new.timezone, chrono_tz::Europe::Berlin);
    assert_eq!(new.retention.keep_last, 7);
}
