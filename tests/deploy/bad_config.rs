//! A daemon that cannot start on its config file says why with one problem per line: that is
//! what `journalctl -u tablevault` or `kubectl logs` show an operator.

use std::process::Stdio;

use crate::support::serve::serve_command;

#[test]
fn serve_lists_each_config_problem_on_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tablevault.toml");
    std::fs::write(
        &config,
        "[server]\nlisten = \"localhost:8080\"\n\n[logging]\nlevel = \"debugg\"\n",
    )
    .unwrap();
    let path = config.display().to_string();

    let run = serve_command(dir.path(), &["--config", &path], &[])
        .stderr(Stdio::piped())
        .output()
        .expect("tablevault runs");

    assert_eq!(run.status.code(), Some(2), "{run:?}");
    let stderr = String::from_utf8(run.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert_eq!(lines[0], format!("error: invalid config file {path}:"));
    assert!(
        lines[1].starts_with(
            "  - line 2: server.listen: \"localhost:8080\": \"localhost\" is not an IP address"
        ),
        "{stderr}"
    );
    assert!(
        lines[2].starts_with("  - line 5: logging.level: \"debugg\" is not a level"),
        "{stderr}"
    );
}
