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
    let err = parse("[stores.x]\nkind = \"ftp\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("ftp"), "{err}");
}

#[test]
fn an_s3_store_takes_its_keys_from_the_environment_and_reports_a_missing_secret() {
    let text = "[stores.off-site]\nkind = \"s3\"\nbucket = \"b\"\nregion = \"cn-shanghai\"\n";
    let c = parse(
        text,
        &[
            ("TABLEVAULT_STORE_OFF_SITE_ACCESS_KEY_ID", "envid"),
            ("TABLEVAULT_STORE_OFF_SITE_SECRET_ACCESS_KEY", "envsecret"),
        ],
    )
    .unwrap();
    let StoreConfig::S3(s3) = c.store("off-site").unwrap() else {
        panic!("not an s3 store");
    };
    assert_eq!(s3.access_key_id.as_deref(), Some("envid"));
    assert_eq!(
        s3.secret_access_key.as_ref().unwrap().expose_secret(),
        "envsecret"
    );
    assert!(!format!("{c:?}").contains("envsecret"), "secret leaked");

    let err = parse(&format!("{text}access_key_id = \"id\"\n"), &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("stores.off-site.secret_access_key: missing")
            && err.contains("TABLEVAULT_STORE_OFF_SITE_SECRET_ACCESS_KEY"),
        "{err}"
    );
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

/// serde stops at the first bad value; the loader (what `serve` and every command use) still
/// names every one, with its line, like `tablevault config check`.
#[test]
fn a_file_serde_refuses_reports_every_bad_key_with_its_line() {
    let text = "[engine]\nreaders = \"four\"\n\n[server]\nlisten = 8080\nshutdown_grace = 3\n";
    let err = parse(text, &[]).unwrap_err().to_string();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "one problem per line: {err}");
    assert_eq!(lines[0], "invalid config file test.toml:");
    for (line, start) in lines[1..].iter().zip([
        "  - line 2: engine.readers: ",
        "  - line 5: server.listen: ",
        "  - line 6: server.shutdown_grace: ",
    ]) {
        assert!(line.starts_with(start), "{line:?} vs {start:?}");
    }
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
    assert_eq!(c.scheduler.max_concurrent_runs, 2);
    assert!(c.scheduler.catch_up);
    assert_eq!(c.scheduler.catch_up_max_age(), None);
    assert_eq!(c.server.listen.to_string(), DEFAULT_LISTEN);
    assert_eq!(c.database.path, Path::new("./data/tablevault.db"));
    assert_eq!(c.auth.tokens.len(), 1);
    assert_eq!(c.auth.tokens[0].role, Role::Admin);
    assert_eq!(c.logging.format, LogFormat::Human);
}

#[test]
fn daemon_sections_have_defaults() {
    let c = parse("", &[]).unwrap();
    assert_eq!(c.server.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.server.request_timeout, std::time::Duration::from_secs(30));
    assert!(!c.server.metrics_require_auth);
    assert_eq!(c.database.path, Path::new("./data/tablevault.db"));
    assert!(c.auth.tokens.is_empty() && !c.auth.disabled);
    assert_eq!(c.logging.format, LogFormat::Human);
    assert_eq!(c.logging.level, "info");
}

#[test]
fn daemon_sections_parse() {
    let text = r#"
[server]
listen = "0.0.0.0:9000"
request_timeout = "2m"
body_limit_bytes = 4096
shutdown_grace_seconds = 5
metrics_require_auth = true

[database]
path = "/var/lib/tablevault/state.db"

[[auth.tokens]]
token = "admin-token-0123456789"
role = "admin"
name = "ops"

[[auth.tokens]]
token = "read-token-0123456789"
role = "read"

[logging]
format = "json"
level = "debug,hyper=info"
"#;
    let c = parse(text, &[]).unwrap();
    assert_eq!(c.server.listen.port(), 9000);
    assert_eq!(c.server.request_timeout.as_secs(), 120);
    assert_eq!(c.server.body_limit_bytes, 4096);
    assert_eq!(c.server.shutdown_grace().as_secs(), 5);
    assert!(c.server.metrics_require_auth);
    assert_eq!(c.database.path, Path::new("/var/lib/tablevault/state.db"));
    assert_eq!(c.auth.tokens.len(), 2);
    assert_eq!(c.auth.tokens[0].role, Role::Admin);
    assert_eq!(c.auth.tokens[0].display_name(0), "ops");
    assert_eq!(c.auth.tokens[1].display_name(1), "read token #2");
    assert_eq!(c.logging.format, LogFormat::Json);
    let debug = format!("{c:?}");
    assert!(!debug.contains("admin-token-0123456789"), "{debug}");
}

#[test]
fn tokens_and_log_level_come_from_the_environment() {
    let c = parse(
        "[logging]\nlevel = \"warn\"\n",
        &[
            ("TABLEVAULT_AUTH_ADMIN_TOKEN", "env-admin-token-000000"),
            ("TABLEVAULT_AUTH_READ_TOKEN", "env-read-token-0000000"),
            ("RUST_LOG", "debug"),
            ("TABLEVAULT_LOG", "trace"),
        ],
    )
    .unwrap();
    let roles: Vec<Role> = c.auth.tokens.iter().map(|t| t.role).collect();
    assert_eq!(roles, [Role::Admin, Role::Read]);
    assert_eq!(
        c.auth.tokens[0].token.expose_secret(),
        "env-admin-token-000000"
    );
    assert_eq!(c.logging.level, "trace");
    let c = parse("", &[("RUST_LOG", "debug")]).unwrap();
    assert_eq!(c.logging.level, "debug");
}

#[test]
fn every_daemon_problem_is_reported_at_once_without_the_token() {
    let text = r#"
[server]
request_timeout = "0s"
body_limit_bytes = 10
shutdown_grace_seconds = 99999

[database]
path = ""

[[auth.tokens]]
token = "short"
role = "admin"

[[auth.tokens]]
token = "same-token-0123456789"
role = "admin"

[[auth.tokens]]
token = "same-token-0123456789"
role = "read"

[logging]
level = "info,[[["
"#;
    let err = parse(text, &[]).unwrap_err().to_string();
    for needle in [
        "server.request_timeout",
        "server.body_limit_bytes",
        "server.shutdown_grace_seconds",
        "database.path",
        "auth.tokens[0].token: must be at least 16",
        "auth.tokens[2].token: same token as auth.tokens[1]",
        "logging.level",
    ] {
        assert!(err.contains(needle), "missing {needle} in {err}");
    }
    assert!(!err.contains("same-token-0123456789"), "{err}");
}

#[test]
fn bad_daemon_values_are_refused_with_their_key() {
    let err = parse("[server]\nlisten = \"localhost\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("listen"), "{err}");
    let err = parse("[[auth.tokens]]\ntoken = \"x\"\nrole = \"root\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("root"), "{err}");
    let err = parse("[logging]\nformat = \"xml\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("xml"), "{err}");
    let err = parse("[server]\nport = 1\n", &[]).unwrap_err().to_string();
    assert!(err.contains("port"), "{err}");
}

#[test]
fn scheduler_settings_are_validated() {
    let c = parse(
        "[scheduler]\nmax_concurrent_runs = 4\ncatch_up = false\ncatch_up_max_age_seconds = 3600\ninterrupted_backups = \"resume\"\n",
        &[],
    )
    .unwrap();
    assert_eq!(c.scheduler.max_concurrent_runs, 4);
    assert!(!c.scheduler.catch_up);
    assert_eq!(
        c.scheduler.catch_up_max_age(),
        Some(std::time::Duration::from_secs(3600))
    );
    let err = parse("[scheduler]\nmax_concurrent_runs = 0\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("scheduler.max_concurrent_runs"), "{err}");
    let err = parse("[scheduler]\ninterrupted_backups = \"keep\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("keep"), "{err}");
}

/// `[[schedules]]` follows the API's rule for continuous mode: an archive store that encrypts
/// keeps its changes sealed, so only a store without change storage (s3) is refused.
#[test]
fn continuous_schedules_need_a_store_that_holds_changes_and_an_encrypting_archive_does() {
    let key = crate::store::encryption::MasterKey::generate().to_file_text();
    let stores = format!(
        "{FULL}\n[stores.sealed]\nkind = \"archive\"\npath = \"/srv/sealed\"\n\
         [stores.bucket]\nkind = \"s3\"\nbucket = \"b\"\nregion = \"r\"\naccess_key_id = \"i\"\n\
         secret_access_key = \"s\"\n"
    );
    let schedule = |store: &str| {
        format!(
            "[[schedules]]\nname = \"on-{store}\"\ncron = \"0 3 * * *\"\nsource = \"prod\"\n\
             store = \"{store}\"\nmode = \"continuous\"\n"
        )
    };
    let env = [("TABLEVAULT_STORE_SEALED_ENCRYPTION_KEY", key.as_str())];
    let sealed = parse(&format!("{stores}{}", schedule("sealed")), &env).unwrap();
    assert!(matches!(
        sealed.store("sealed").unwrap(),
        StoreConfig::Archive(a) if a.encryption_key.is_some()
    ));
    let err = parse(&format!("{stores}{}", schedule("bucket")), &env)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("schedules[0].mode: continuous mode needs an archive or mongodb store"),
        "{err}"
    );
}
