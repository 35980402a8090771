//! `tablevault config`: work with config files without starting anything.
//!
//! - `check FILE`: every problem of a file at once, as `serve` would load it ([`check`]).
//! - `defaults`: the embedded defaults as a TOML file.

mod check;

use clap::{Args, Subcommand};

use super::examples;
use super::failure::Failure;
use crate::config::DEFAULTS_TOML;

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a config file and report every problem at once.
    ///
    /// Loads FILE the way `tablevault serve --config FILE` would: TOML syntax, unknown keys,
    /// bad values, then the checks that need no network (endpoints, token length, store
    /// settings, ...), with the environment's overrides (`TABLEVAULT_SOURCE_<NAME>_...`,
    /// `TABLEVAULT_AUTH_*_TOKEN`, `TABLEVAULT_LOG`) applied. Every problem is printed with
    /// its key and line. Variables that set a key are named; their values never are.
    ///
    /// Exit code 0 when the file is valid (with a short summary of what it configures), 2
    /// when it has problems or cannot be read. Nothing is contacted: use the daemon's
    /// `/readyz` or `POST /api/v1/stores/{name}/check` to test connectivity.
    #[command(after_help = examples::CONFIG_CHECK)]
    Check(check::CheckArgs),
    /// Print the embedded defaults as a TOML config file.
    ///
    /// Every key `tablevault` uses when a config file leaves it out, with its default value.
    /// The output is itself a valid config file; add `[sources.NAME]` sections and
    /// `[[auth.tokens]]` to make it useful (config/tablevault.example.toml documents every
    /// key).
    #[command(after_help = examples::CONFIG_DEFAULTS)]
    Defaults,
}

pub fn run(args: ConfigArgs) -> Result<(), Failure> {
    match args.command {
        ConfigCommand::Check(args) => check::run(args),
        ConfigCommand::Defaults => {
            print!("{DEFAULTS_TOML}");
            Ok(())
        }
    }
}
