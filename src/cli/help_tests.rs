//! The help is complete: walks clap's command tree so a new subcommand or flag cannot land
//! without its documentation.

use clap::CommandFactory;

use super::Cli;

/// Every problem found under `command` (reached by `path`).
fn undocumented(command: &clap::Command, path: &str, problems: &mut Vec<String>) {
    for arg in command.get_arguments() {
        let id = arg.get_id().as_str();
        // clap's own --help / --version carry their own text.
        if matches!(id, "help" | "version") {
            continue;
        }
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        if help.trim().is_empty() {
            problems.push(format!("{path}: argument `{id}` has no help line"));
        }
        if let Some(twice) = said_twice(&help) {
            problems.push(format!(
                "{path}: argument `{id}` is described twice: {twice:?}"
            ));
        }
    }
    for sub in command.get_subcommands() {
        let sub_path = format!("{path} {}", sub.get_name());
        if sub.get_name() == "help" {
            continue;
        }
        let text = |t: Option<&clap::builder::StyledStr>| t.map(|t| t.to_string());
        if text(sub.get_about()).is_none_or(|t| t.trim().is_empty()) {
            problems.push(format!("{sub_path}: no about (one-line description)"));
        }
        if text(sub.get_long_about()).is_none_or(|t| t.trim().is_empty()) {
            problems.push(format!(
                "{sub_path}: no long_about (a paragraph after the first)"
            ));
        }
        if !text(sub.get_after_help()).is_some_and(|t| t.contains("Examples:\n  ")) {
            problems.push(format!("{sub_path}: no `Examples:` in after_help"));
        }
        undocumented(sub, &sub_path, problems);
    }
}

/// Two sentences of one help text that open with the same two words ("The store to write
/// the backup to. The store holding the backups."): two doc lines describing one argument,
/// which clap joins into one paragraph.
fn said_twice(help: &str) -> Option<String> {
    let openings: Vec<String> = help
        .split(". ")
        .map(|s| s.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .filter(|o| o.contains(' '))
        .collect();
    openings
        .iter()
        .enumerate()
        .find(|(i, o)| openings[i + 1..].contains(o))
        .map(|(_, o)| o.clone())
}

#[test]
fn the_command_definition_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn every_subcommand_and_argument_is_documented() {
    let command = Cli::command();
    let mut problems = Vec::new();

    undocumented(&command, "tablevault", &mut problems);

    assert!(
        problems.is_empty(),
        "undocumented:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_walk_reaches_nested_subcommands() {
    let command = Cli::command();
    let config = command
        .find_subcommand("config")
        .expect("config subcommand");

    let names: Vec<&str> = config.get_subcommands().map(|c| c.get_name()).collect();

    assert!(
        names.contains(&"check") && names.contains(&"defaults"),
        "{names:?}"
    );
}

#[test]
fn a_missing_help_line_is_caught() {
    let bare = clap::Command::new("t").subcommand(
        clap::Command::new("sub")
            .about("about")
            .long_about("long")
            .after_help("Examples:\n  t sub")
            .arg(clap::Arg::new("flag").long("flag")),
    );
    let mut problems = Vec::new();

    undocumented(&bare, "t", &mut problems);

    assert_eq!(problems, ["t sub: argument `flag` has no help line"]);
}

#[test]
fn an_argument_described_twice_is_caught() {
    let twice = clap::Command::new("t").arg(
        clap::Arg::new("store")
            .long("store")
            .help("The store to write the backup to. The store holding the backups."),
    );
    let mut problems = Vec::new();

    undocumented(&twice, "t", &mut problems);

    assert_eq!(
        problems,
        ["t: argument `store` is described twice: \"The store\""]
    );
}
