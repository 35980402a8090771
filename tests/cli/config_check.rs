//! `tablevault config check` and `config defaults` through the real binary. A first config
//! file with a problem of every kind gets them all named in one run (not one per run), each
//! with its line, and never the secret it found.

use crate::harness::run_binary;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `text` written as `name` in a new temporary directory (kept alive by the returned guard),
/// and the file's path.
fn config_file(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, text).unwrap();
    (dir, file.display().to_string())
}

#[tokio::test]
async fn a_file_with_many_problems_lists_each_with_its_line_and_exits_2() {
    let secret = "secret-in-a-bad-file-0042";
    let (_dir, path) = config_file(
        "bad.toml",
        &format!(
            r#"[sources.prod]
endpoint = "ftp://example"
instance = "prod"
access_key_id = "id"
access_key_secret = "{secret}"
colour = "blue"

[engine]
readers = "four"

[[auth.tokens]]
token = "short"
role = "admin"
"#
        ),
    );

    let run = run_binary(args(&["config", "check", &path])).await;

    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.error_line(), format!("error: {path}: 4 problems"));
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    for (line, prefix) in lines.iter().zip([
        format!("{path}:2: sources.prod.endpoint: "),
        format!("{path}:6: sources.prod.colour: unknown field `colour`"),
        format!("{path}:9: engine.readers: invalid type"),
        format!("{path}:12: auth.tokens[0].token: must be at least 16 characters"),
    ]) {
        assert!(line.starts_with(&prefix), "{line:?} vs {prefix:?}");
    }
    assert!(!run.stdout.contains(secret) && !run.stdout.contains("\"short\""));
}

#[tokio::test]
async fn a_valid_file_is_summarised_with_the_variables_that_set_secrets() {
    let (_dir, path) = config_file(
        "ok.toml",
        r#"[sources.prod]
endpoint = "https://prod.cn-hangzhou.ots.aliyuncs.com"
instance = "prod"
access_key_id = "id"

[stores.mongo]
kind = "mongodb"

[[auth.tokens]]
token = "a-read-token-long-enough"
role = "read"
"#,
    );
    let secret = "ak-secret-from-the-environment";
    let uri = "mongodb://user:mongo-password-77@127.0.0.1:27017/";
    let run = |output: &'static str| {
        let path = path.clone();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_tablevault"))
                .args(["config", "check", &path, "--output", output])
                .env("TABLEVAULT_SOURCE_PROD_ACCESS_KEY_SECRET", secret)
                .env("TABLEVAULT_STORE_MONGO_URI", uri)
                .env_remove("TABLEVAULT_AUTH_ADMIN_TOKEN")
                .env_remove("TABLEVAULT_AUTH_READ_TOKEN")
                .env_remove("TABLEVAULT_LOG")
                .env_remove("RUST_LOG")
                .output()
                .unwrap()
        })
    };

    let text = run("text").await.unwrap();
    let json = run("json").await.unwrap();

    assert_eq!(text.status.code(), Some(0));
    let text = String::from_utf8(text.stdout).unwrap();
    for expected in [
        format!("{path}: valid"),
        "  sources:  prod (https://prod.cn-hangzhou.ots.aliyuncs.com, instance prod)".into(),
        "  stores:   local (archive), mongo (mongodb)".into(),
        "  auth:     admin 0 tokens, read 1 token".into(),
        "  from the environment: TABLEVAULT_SOURCE_PROD_ACCESS_KEY_SECRET sets sources.prod.access_key_secret".into(),
        "  from the environment: TABLEVAULT_STORE_MONGO_URI sets stores.mongo.uri".into(),
    ] {
        assert!(text.lines().any(|l| l == expected), "{expected:?} not in\n{text}");
    }
    assert_eq!(json.status.code(), Some(0));
    let json = String::from_utf8(json.stdout).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["problems"], serde_json::json!([]));
    assert_eq!(doc["summary"]["auth"]["read_tokens"], 1);
    assert_eq!(doc["summary"]["database"], "./data/tablevault.db");
    assert_eq!(doc["environment"].as_array().unwrap().len(), 2);
    for leak in [secret, "mongo-password-77", "a-read-token-long-enough"] {
        assert!(
            !text.contains(leak) && !json.contains(leak),
            "{leak} printed"
        );
    }
}

#[tokio::test]
async fn the_printed_defaults_are_a_valid_config() {
    let dir = tempfile::tempdir().unwrap();
    let defaults = run_binary(args(&["config", "defaults"])).await;
    assert_eq!(defaults.code, 0);
    let file = dir.path().join("defaults.toml");
    std::fs::write(&file, &defaults.stdout).unwrap();

    let check = run_binary(args(&["config", "check", &file.display().to_string()])).await;

    assert_eq!(check.code, 0, "{check:?}");
    assert!(defaults
        .stdout
        .contains("[scheduler]\nmax_concurrent_runs = 2\n"));
}

#[tokio::test]
async fn an_unreadable_file_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml").display().to_string();

    let run = run_binary(args(&["config", "check", &missing])).await;

    assert_eq!(run.code, 2);
    assert!(
        run.error_line()
            .starts_with(&format!("error: cannot read config file {missing}: ")),
        "{run:?}"
    );
}

/// A numeric secret is still the real secret: written unquoted, serde's type error would
/// quote it back.
const SECRET: &str = "98765432101234";

#[tokio::test]
async fn every_kind_of_problem_is_reported_in_one_run_without_the_secret() {
    let (_dir, path) = config_file(
        "first.toml",
        &format!(
            r#"[sources.prod]
endpoint = "https://prod.cn-hangzhou.ots.aliyuncs.com"
instance = "prod"
access_key_id = "id"
access_key_secret = {SECRET}
region = "cn-hangzhou"

[stores.offsite]
kind = "ftp"

[engine]
readers = "four"

[server]
listen = "localhost:8080"

[logging]
level = "debugg"

[[auth.tokens]]
role = "admin"
"#
        ),
    );

    let run = run_binary(args(&["config", "check", &path])).await;

    assert_eq!(run.code, 2, "{run:?}");
    let expected = [
        format!("{path}:5: sources.prod.access_key_secret: invalid type: integer, expected"),
        format!("{path}:6: sources.prod.region: unknown field `region`"),
        format!("{path}:9: stores.offsite.kind: unknown variant `ftp`"),
        format!("{path}:12: engine.readers: invalid type: string"),
        format!(
            "{path}:15: server.listen: \"localhost:8080\": \"localhost\" is not an IP address; \
             host names are not resolved, use an IP (127.0.0.1:8080"
        ),
        format!("{path}:18: logging.level: \"debugg\" is not a level (expected one of trace,"),
        format!("{path}:20: auth.tokens[0]: missing field `token`"),
    ];
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{}", run.stdout);
    for (line, prefix) in lines.iter().zip(&expected) {
        assert!(line.starts_with(prefix.as_str()), "{line:?}\nvs {prefix:?}");
    }
    assert_eq!(run.error_line(), format!("error: {path}: 7 problems"));
    assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
}

/// `config check` with `env` set, its exit code and stdout.
fn check_with_env(path: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tablevault"))
        .args(["config", "check", path])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[tokio::test]
async fn encryption_keys_of_file_stores_are_read_and_a_bad_one_is_refused_by_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = tablevault::store::encryption::MasterKey::generate();
    let good = dir.path().join("good.key");
    key.write_new(&good).unwrap();
    let not_a_key = dir.path().join("notes.txt");
    std::fs::write(&not_a_key, "hello\n").unwrap();
    let missing = dir.path().join("missing.key");
    let key_text = key.to_file_text();
    let key_line = key_text.lines().nth(1).unwrap();

    let (_good_dir, good_config) = config_file(
        "good.toml",
        &format!(
            r#"[stores.vault]
kind = "archive"
path = "/tmp/tv-vault"
encryption_key_file = "{}"

[stores.sealed]
kind = "archive"
path = "/tmp/tv-sealed"
"#,
            good.display()
        ),
    );
    let (code, stdout) = check_with_env(
        &good_config,
        &[("TABLEVAULT_STORE_SEALED_ENCRYPTION_KEY", key_line)],
    );
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("TABLEVAULT_STORE_SEALED_ENCRYPTION_KEY sets stores.sealed.encryption_key"),
        "{stdout}"
    );
    assert!(!stdout.contains(key_line), "the key is never shown");

    let (_bad_dir, bad_config) = config_file(
        "bad.toml",
        &format!(
            r#"[stores.lost]
kind = "archive"
path = "/tmp/tv-lost"
encryption_key_file = "{}"

[stores.wrong]
kind = "archive"
path = "/tmp/tv-wrong"
encryption_key_file = "{}"

[stores.offsite]
kind = "s3"
bucket = "b"
access_key_id = "id"
secret_access_key = "s"
decryption_key_files = ["{}"]

[stores.sealed]
kind = "archive"
path = "/tmp/tv-sealed"
"#,
            missing.display(),
            not_a_key.display(),
            missing.display()
        ),
    );
    let (code, stdout) = check_with_env(
        &bad_config,
        &[("TABLEVAULT_STORE_SEALED_ENCRYPTION_KEY", "not-base64!")],
    );
    assert_eq!(code, Some(2), "{stdout}");
    for (store_key, reason) in [
        (
            "stores.lost.encryption_key_file",
            missing.display().to_string(),
        ),
        (
            "stores.wrong.encryption_key_file",
            "not a TableVault key file".into(),
        ),
        (
            "stores.offsite.decryption_key_files",
            missing.display().to_string(),
        ),
        ("stores.sealed.encryption_key", "not base64".into()),
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.contains(&format!("{store_key}: key file")) && l.contains(&reason)),
            "{store_key} ({reason}) not refused in\n{stdout}"
        );
    }
    assert!(!stdout.contains("not-base64!"), "the value is never shown");
}

#[tokio::test]
async fn use_system_ca_store_reads_the_system_store_and_an_empty_one_or_a_bad_ca_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ca = rcgen::generate_simple_self_signed(vec!["proxy.example".to_owned()]).unwrap();
    let store = dir.path().join("system-store.pem");
    std::fs::write(&store, ca.cert.pem()).unwrap();
    let empty = dir.path().join("empty-store.pem");
    std::fs::write(&empty, "").unwrap();
    let source = |extra: &str| {
        format!(
            r#"[sources.prod]
endpoint = "https://prod.cn-hangzhou.ots.aliyuncs.com"
instance = "prod"
access_key_id = "id"
access_key_secret = "a-secret-long-enough"
use_system_ca_store = true
{extra}
"#
        )
    };
    // rustls-native-certs reads SSL_CERT_FILE (and SSL_CERT_DIR, emptied here) instead of the
    // platform's store when they are set.
    let (_d1, path) = config_file("ok.toml", &source(""));
    let store_env = store.display().to_string();
    let (code, stdout) = check_with_env(
        &path,
        &[("SSL_CERT_FILE", &store_env), ("SSL_CERT_DIR", "")],
    );
    assert_eq!(code, Some(0), "{stdout}");

    let empty_env = empty.display().to_string();
    let (code, stdout) = check_with_env(
        &path,
        &[("SSL_CERT_FILE", &empty_env), ("SSL_CERT_DIR", "")],
    );
    assert_eq!(code, Some(2), "{stdout}");
    assert!(
        stdout.contains(
            "sources.prod.use_system_ca_store: the system trust store holds no usable certificate"
        ),
        "{stdout}"
    );

    let missing = dir.path().join("missing-ca.pem");
    let (_d2, path) = config_file(
        "bad.toml",
        &source(&format!("ca_file = \"{}\"", missing.display())),
    );
    let (code, stdout) = check_with_env(
        &path,
        &[("SSL_CERT_FILE", &store_env), ("SSL_CERT_DIR", "")],
    );
    assert_eq!(code, Some(2), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "sources.prod.ca_file: {}: cannot read",
            missing.display()
        )),
        "{stdout}"
    );
}

#[tokio::test]
async fn schedules_in_the_file_are_checked_and_listed() {
    let source = "[sources.prod]\nendpoint = \"https://x\"\ninstance = \"prod\"\n\
                  access_key_id = \"id\"\naccess_key_secret = \"secret-value\"\n";
    let (_dir, path) = config_file(
        "schedules.toml",
        &format!(
            "{source}\n[[schedules]]\nname = \"nightly\"\ncron = \"0 2 * *\"\nsource = \"prod\"\n\
             store = \"local\"\n\n[[schedules]]\nname = \"nightly\"\ncron = \"0 2 * * *\"\n\
             timezone = \"Nowhere/City\"\nsource = \"staging\"\nstore = \"local\"\n"
        ),
    );

    let run = run_binary(args(&["config", "check", &path])).await;

    assert_eq!(run.code, 2, "{run:?}");
    let expected = [
        format!("{path}:9: schedules[0].cron: cron expression \"0 2 * *\" has 4 field(s)"),
        format!("{path}:14: schedules[1].name: \"nightly\" is declared twice"),
        format!("{path}:16: schedules[1].timezone: unknown time zone \"Nowhere/City\""),
        format!("{path}:17: schedules[1].source: unknown source \"staging\""),
    ];
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{}", run.stdout);
    for (line, prefix) in lines.iter().zip(&expected) {
        assert!(line.starts_with(prefix.as_str()), "{line:?}\nvs {prefix:?}");
    }

    let (_dir, path) = config_file(
        "valid.toml",
        &format!(
            "{source}\n[[schedules]]\nname = \"nightly\"\ncron = \"0 2 * * *\"\n\
             source = \"prod\"\nstore = \"local\"\n"
        ),
    );
    let run = run_binary(args(&["config", "check", &path])).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.lines().any(|l| l == "  schedules: nightly"),
        "{}",
        run.stdout
    );
}
