//! A first config file with a problem of every kind: `config check` names them all in one run
//! (not one per run), each with its line, and never prints the secret it found.

use crate::harness::run_binary;

/// A numeric secret is still the real secret: written unquoted, serde's type error would
/// quote it back.
const SECRET: &str = "98765432101234";

fn check_args(path: &str) -> Vec<String> {
    ["config", "check", path].map(String::from).to_vec()
}

#[tokio::test]
async fn every_kind_of_problem_is_reported_in_one_run_without_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("first.toml");
    std::fs::write(
        &file,
        format!(
            r#"[sources.prod]
endpoint = "https://prod.cn-hangzhou.ots.aliyuncs.com"
instance = "prod"
access_key_id = "id"
access_key_secret = {SECRET}
region = "cn-hangzhou"

[stores.offsite]
kind = "s3"

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
    )
    .unwrap();
    let path = file.display().to_string();

    let run = run_binary(check_args(&path)).await;

    assert_eq!(run.code, 2, "{run:?}");
    let expected = [
        format!("{path}:5: sources.prod.access_key_secret: invalid type: integer, expected"),
        format!("{path}:6: sources.prod.region: unknown field `region`"),
        format!("{path}:9: stores.offsite.kind: unknown variant `s3`"),
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
