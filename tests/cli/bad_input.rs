//! Every bad input gets one clear line on stderr and a non-zero exit code.

use crate::harness::{rows, run_binary, table, Env};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_names_are_one_line_and_exit_2() {
    let env = Env::start().await;
    env.write_backup("b1", &[(table("t"), rows(3))]).await;
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "restore", "--store", "local", "--source", "nope", "--backup", "b1",
            ],
            r#"error: unknown source "nope" (configured: dead, test)"#,
        ),
        (
            &["backups", "--store", "nope"],
            r#"error: unknown store "nope" (configured: local)"#,
        ),
        (
            &[
                "restore", "--store", "local", "--source", "test", "--backup", "b9",
            ],
            "error: backup b9 not found in store local",
        ),
        (
            &[
                "restore", "--store", "local", "--source", "test", "--backup", "b1", "--table", "x",
            ],
            "error: table x is not in backup b1 (it holds: t)",
        ),
        (
            &["verify", "--store", "local", "--backup", "b9"],
            "error: backup b9 not found in store local",
        ),
    ];
    for (args, message) in cases {
        let run = env.run(args).await;
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert_eq!(run.error_line(), message, "{args:?}");
    }
    assert!(env.client.list_tables().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latest_of_an_empty_store_is_refused() {
    let env = Env::start().await;
    let run = env
        .run(&[
            "restore", "--store", "local", "--source", "test", "--backup", "latest",
        ])
        .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.error_line(), "error: store local has no backups");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_and_invalid_config_files() {
    let env = Env::start().await;
    let missing = env.dir.path().join("missing.toml");
    let run = run_binary(vec![
        "backups".into(),
        "--config".into(),
        missing.display().to_string(),
        "--store".into(),
        "local".into(),
    ])
    .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.error_line().starts_with(&format!(
            "error: cannot read config file {}: ",
            missing.display()
        )),
        "{}",
        run.stderr
    );

    std::fs::write(
        &env.config,
        "[sources.a]\nendpoint = \"ftp://x\"\ninstance = \"\"\naccess_key_id = \"k\"\naccess_key_secret = \"s\"\n",
    )
    .unwrap();
    let run = env.run(&["backups", "--store", "local"]).await;
    assert_eq!(run.code, 2, "{run:?}");
    let line = run.error_line();
    assert!(line.starts_with("error: invalid configuration: "), "{line}");
    assert!(
        line.contains("sources.a.endpoint") && line.contains("sources.a.instance"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_and_an_unreachable_server_exit_3() {
    let env = Env::start().await;
    env.write_backup("b1", &[(table("t"), rows(3))]).await;
    let dead = env
        .run(&[
            "restore", "--store", "local", "--source", "dead", "--backup", "b1",
        ])
        .await;
    assert_eq!(dead.code, 3, "{dead:?}");
    let line = dead.error_line();
    assert!(
        line.starts_with("error: cannot reach http://127.0.0.1:"),
        "{line}"
    );

    env.write_config("wrong-secret");
    let denied = env
        .run(&[
            "restore", "--store", "local", "--source", "test", "--backup", "b1",
        ])
        .await;
    assert_eq!(denied.code, 3, "{denied:?}");
    assert_eq!(
        denied.error_line(),
        format!(
            "error: access denied by {}: check the AccessKey for source test",
            env.emulator.endpoint()
        )
    );
    assert!(env.client.list_tables().await.unwrap().is_empty());
}
