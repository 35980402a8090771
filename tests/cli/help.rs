//! `--version`, `help SUBCOMMAND` and shell completions through the real binary.

use crate::harness::run_binary;

const SUBCOMMANDS: [&str; 12] = [
    "emulator",
    "backup",
    "restore",
    "verify",
    "copy",
    "backups",
    "selftest",
    "serve",
    "health",
    "config",
    "completions",
    "keygen",
];

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn version_prints_the_version_and_the_commit() {
    let run = run_binary(args(&["--version"])).await;

    assert_eq!(run.code, 0);
    let line = run.stdout.trim_end();
    let commit = tablevault::telemetry::build_info::COMMIT;
    let hash = commit.trim_end_matches("-dirty");
    let dirty = if commit.ends_with("-dirty") {
        ", dirty"
    } else {
        ""
    };
    assert_eq!(
        line,
        format!(
            "tablevault {} (commit {hash}{dirty})",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[tokio::test]
async fn help_of_each_subcommand_has_examples() {
    for sub in SUBCOMMANDS {
        let via_help = run_binary(args(&["help", sub])).await;
        let via_flag = run_binary(args(&[sub, "--help"])).await;

        assert_eq!(via_help.code, 0, "{sub}: {via_help:?}");
        assert_eq!(via_help.stdout, via_flag.stdout, "{sub}");
        assert!(
            via_help
                .stdout
                .contains(&format!("Usage: tablevault {sub}")),
            "{sub}: {}",
            via_help.stdout
        );
        assert!(via_help.stdout.contains("\nExamples:\n"), "{sub}");
    }
    let nested = run_binary(args(&["help", "config", "check"])).await;
    assert!(nested
        .stdout
        .contains("Usage: tablevault config check [OPTIONS] <FILE>"));
}

#[tokio::test]
async fn completions_are_produced_for_every_shell_and_know_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = run_binary(args(&["completions", shell])).await;

        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.len() > 1000, "{shell}: {}", run.stdout);
        for sub in SUBCOMMANDS {
            assert!(run.stdout.contains(sub), "{shell} script lacks {sub}");
        }
        // Nested subcommands and flags too.
        assert!(run.stdout.contains("defaults"), "{shell}");
        assert!(run.stdout.contains("against-source"), "{shell}");
    }
    let unknown = run_binary(args(&["completions", "tcsh"])).await;
    assert_eq!(unknown.code, 2);
}

/// docs/cli.md opens with the command list of `tablevault --help`: every command, with the
/// same description.
#[tokio::test]
async fn the_command_list_of_the_docs_is_the_one_of_help() {
    let docs = include_str!("../../docs/cli.md");
    let help = run_binary(args(&["--help"])).await;
    let commands: Vec<(&str, &str)> = help
        .stdout
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands section")
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.trim().split_once(' '))
        .filter(|(name, _)| *name != "help")
        .map(|(name, about)| (name, about.trim()))
        .collect();

    assert_eq!(commands.len(), SUBCOMMANDS.len(), "{}", help.stdout);
    for (name, about) in commands {
        let listed = format!("tablevault {name:<13}{about}");
        assert!(
            docs.lines().any(|l| l.trim_end() == listed),
            "docs/cli.md lacks {listed:?}"
        );
    }
}
