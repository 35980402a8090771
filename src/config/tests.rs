use std::path::Path;

use secrecy::ExposeSecret;

use super::*;

fn parse(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::parse_with_env(text, Path::new("test.toml"), |k| {
        env.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    })
}

const FULL: &str = r#"
[sources.prod]
endpoint = "https://inst.cn-hangzhou.ots.aliyuncs.com"
instance = "inst"
access_key_id = "id"
access_key_secret = "s3cret"

[stores.mongo]
kind = "mongodb"
uri = "mongodb://u:pw@127.0.0.1:27017/?authSource=admin"
database_prefix = "tv"

[stores.archive]
kind = "archive"
path = "/var/lib/tablevault/archive"

[engine]
readers = 8
"#;

#[test]
fn a_full_file_parses() {
    let c = parse(FULL, &[]).unwrap();
    assert_eq!(c.source("prod").unwrap().instance, "inst");
    assert_eq!(c.store("mongo").unwrap().kind(), "mongodb");
    assert_eq!(c.store("archive").unwrap().kind(), "archive");
    assert_eq!(c.store(DEFAULT_STORE).unwrap().kind(), "archive");
    assert_eq!(c.engine.readers, 8);
    assert_eq!(c.engine.writers, EngineConfig::default().writers);
    assert_eq!(c.engine.store_retry_seconds, 60, "the default");
}

#[test]
fn the_store_retry_time_is_configurable_and_bounded() {
    let c = parse("[engine]\nstore_retry_seconds = 0\n", &[]).unwrap();
    assert_eq!(c.engine.store_retry(), std::time::Duration::ZERO);
    let c = parse("[engine]\nstore_retry_seconds = 600\n", &[]).unwrap();
    assert_eq!(c.engine.store_retry(), std::time::Duration::from_secs(600));
    let err = parse("[engine]\nstore_retry_seconds = 90000\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("engine.store_retry_seconds"), "{err}");
}

#[test]
fn an_empty_file_is_the_embedded_defaults() {
    let c = parse("", &[]).unwrap();
    assert!(c.sources.is_empty());
    match c.store("local").unwrap() {
        StoreConfig::Archive(a) => assert_eq!(a.path, Path::new("./data/archive")),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn secrets_come_from_the_environment_and_never_print() {
    let text = r#"
[sources.my-prod]
endpoint = "http://127.0.0.1:1"
instance = "i"
"#;
    let c = parse(
        text,
        &[
            ("TABLEVAULT_SOURCE_MY_PROD_ACCESS_KEY_ID", "envid"),
            ("TABLEVAULT_SOURCE_MY_PROD_ACCESS_KEY_SECRET", "envsecret"),
        ],
    )
    .unwrap();
    let s = c.source("my-prod").unwrap();
    assert_eq!(s.access_key_id.as_deref(), Some("envid"));
    assert_eq!(
        s.access_key_secret.as_ref().unwrap().expose_secret(),
        "envsecret"
    );
    let debug = format!("{c:?}");
    assert!(!debug.contains("envsecret"), "secret leaked: {debug}");
}

#[test]
fn unknown_keys_are_refused_with_their_name() {
    let err = parse("[engine]\nreaderz = 3\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("readerz"), "{err}");
    let err = parse("[stores.x]\nkind = \"s3\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("s3"), "{err}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = r#"
[sources.a]
endpoint = "ftp://x"
instance = ""

[stores.m]
kind = "mongodb"
database_prefix = "bad prefix!"

[engine]
readers = 0
"#;
    let err = parse(text, &[]).unwrap_err().to_string();
    for needle in [
        "sources.a.endpoint",
        "sources.a.instance",
        "sources.a.access_key_id",
        "sources.a.access_key_secret",
        "stores.m.uri",
        "stores.m.database_prefix",
        "engine.readers",
    ] {
        assert!(err.contains(needle), "missing {needle} in {err}");
    }
}

#[test]
fn unknown_names_list_what_exists() {
    let c = parse(FULL, &[]).unwrap();
    let err = c.source("nope").unwrap_err().to_string();
    assert!(err.contains("nope") && err.contains("prod"), "{err}");
    let err = c.store("nope").unwrap_err().to_string();
    assert!(err.contains("archive, local, mongo"), "{err}");
}

#[test]
fn malformed_toml_names_the_file() {
    let err = parse("[sources.a\n", &[]).unwrap_err().to_string();
    assert!(err.contains("test.toml"), "{err}");
}

/// The commented example shipped in `config/` must stay valid as the code changes.
#[test]
fn the_shipped_example_parses() {
    let text = include_str!("../../config/tablevault.example.toml");
    let c = parse(
        text,
        &[("TABLEVAULT_SOURCE_PROD_ACCESS_KEY_SECRET", "from-env")],
    )
    .unwrap();
    assert_eq!(c.sources.len(), 2);
    assert_eq!(c.store("mongo").unwrap().kind(), "mongodb");
    assert_eq!(c.store("local").unwrap().kind(), "archive");
    let defaults = EngineConfig::default();
    assert_eq!(c.engine.readers, defaults.readers);
    assert_eq!(c.engine.split_size_bytes, defaults.split_size_bytes);
    assert_eq!(c.engine.store_retry_seconds, defaults.store_retry_seconds);
}
