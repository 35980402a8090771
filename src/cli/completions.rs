//! `tablevault completions SHELL`: a completion script for the shell, on stdout, generated
//! from the same clap definition the binary parses with (so it never lags behind a flag).

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) {
    let mut command = Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "tablevault",
        &mut std::io::stdout(),
    );
}
