//! Schedules as code on the real binary (issue 14): `[[schedules]]` created at start, a SIGHUP
//! after editing the file reconciles them (changed cron, one removed and paused, one added),
//! a SIGHUP with a broken file is logged and changes nothing; and the commented schedule of
//! the systemd and Kubernetes example configs is valid once uncommented.

use std::path::Path;

use serde_json::Value;
use tablevault::config::Config;

use crate::support::daemon::{config_text, Daemon, ADMIN_TOKEN, LIMIT};
use crate::support::poll::eventually;

fn entry(name: &str, cron: &str) -> String {
    format!(
        "\n[[schedules]]\nname = \"{name}\"\ncron = \"{cron}\"\nsource = \"prod\"\n\
         store = \"local\"\n"
    )
}

/// The deploy tests' config plus source `prod` (never reached: the crons do not fire).
fn file_text(dir: &Path, schedules: &str) -> String {
    config_text(
        dir,
        5,
        &format!(
            "[sources.prod]\nendpoint = \"http://127.0.0.1:9\"\ninstance = \"prod\"\n\
             access_key_id = \"id\"\naccess_key_secret = \"secret\"\n{schedules}"
        ),
    )
}

/// `name → (cron, paused)` of every schedule.
async fn schedules(daemon: &Daemon) -> Vec<(String, String, bool)> {
    let page: Value = reqwest::Client::new()
        .get(daemon.url("/api/v1/schedules"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["cron"].as_str().unwrap().to_string(),
                s["paused"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn owned(list: &[(&str, &str, bool)]) -> Vec<(String, String, bool)> {
    list.iter()
        .map(|(n, c, p)| (n.to_string(), c.to_string(), *p))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reconciles_the_edited_file_and_a_broken_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let two = entry("nightly", "0 2 * * *") + &entry("hourly", "0 * * * *");
    let mut daemon = Daemon::start(dir.path(), &file_text(dir.path(), &two), &[]);
    assert_eq!(
        schedules(&daemon).await,
        owned(&[
            ("hourly", "0 * * * *", false),
            ("nightly", "0 2 * * *", false)
        ])
    );

    let file = dir.path().join("tablevault.toml");
    let edited = entry("nightly", "30 1 * * *") + &entry("weekly", "0 3 * * 0");
    std::fs::write(&file, file_text(dir.path(), &edited)).unwrap();
    daemon.signal("HUP");
    let expected = owned(&[
        ("hourly", "0 * * * *", true),
        ("nightly", "30 1 * * *", false),
        ("weekly", "0 3 * * 0", false),
    ]);
    eventually("the SIGHUP's reconciliation", LIMIT, || async {
        (schedules(&daemon).await == expected).then_some(())
    })
    .await;
    daemon.wait_for_log("Reloaded the schedules from the config file (SIGHUP).");

    std::fs::write(
        &file,
        file_text(dir.path(), &entry("nightly", "not a cron")),
    )
    .unwrap();
    daemon.signal("HUP");
    daemon.wait_for_log("Reload refused (SIGHUP).");
    assert!(
        daemon.logs().contains("schedules[0].cron"),
        "{}",
        daemon.logs()
    );
    assert_eq!(schedules(&daemon).await, expected, "nothing changed");

    daemon.signal("TERM");
    assert_eq!(daemon.wait().code(), Some(0), "{}", daemon.logs());
}

/// The text from the commented `# [[schedules]]` on, uncommented.
fn uncommented_schedule(text: &str) -> String {
    let start = text.find("# [[schedules]]").expect("a commented schedule");
    text[start..]
        .lines()
        .map(|line| line.strip_prefix("# ").unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_example_configs_commented_schedule_is_valid_once_uncommented() {
    for path in [
        "deploy/systemd/tablevault.toml",
        "deploy/kubernetes/tablevault.toml",
    ] {
        let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let text = std::fs::read_to_string(&full).unwrap();
        let with_schedule = format!("{text}\n{}\n", uncommented_schedule(&text));
        let env = |key: &str| {
            key.starts_with("TABLEVAULT_SOURCE_")
                .then(|| "placeholder-secret".to_string())
        };
        let config = Config::parse_with_env(&with_schedule, Path::new(path), env)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let names: Vec<&str> = config.schedules.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["nightly"], "{path}");
        assert_eq!(config.schedules[0].retention.keep_daily, 7, "{path}");
    }
}

#[test]
fn the_readme_schedule_example_is_valid_config() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let section = readme
        .split("\n## Schedules as code\n")
        .nth(1)
        .expect("the README's \"Schedules as code\" section");
    let example = section
        .split("```toml\n")
        .nth(1)
        .and_then(|block| block.split("\n```").next())
        .expect("a toml block");
    let text = format!(
        "[sources.prod]\nendpoint = \"https://x\"\ninstance = \"prod\"\naccess_key_id = \"id\"\n\
         access_key_secret = \"secret\"\n{example}\n"
    );
    let config = Config::parse_with_env(&text, Path::new("README.md"), |_| None)
        .unwrap_or_else(|e| panic!("README example: {e}"));
    assert_eq!(config.schedules.len(), 1);
    assert_eq!(config.schedules[0].retention.keep_monthly, 12);
    assert!(!config.scheduler.prune);
}
