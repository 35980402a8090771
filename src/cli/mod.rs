//! The `tablevault` command line. Each subcommand lives in its own file with its clap
//! arguments and its `run` function; this file only names them and sets up the process
//! (tracing to stderr, the tokio runtime, the exit code).

mod backup;
mod backups;
mod common;
mod completions;
mod config;
mod copy;
mod emulator;
mod examples;
mod failure;
mod health;
mod keygen;
mod progress;
mod reach;
mod restore;
mod restore_until;
mod runtime;
mod selftest;
mod serve;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use failure::Failure;

use crate::telemetry::build_info;

/// Backup and restore for Alibaba Cloud Tablestore.
///
/// One-off commands (`backup`, `restore`, `verify`, `copy`, `backups`) read a config file naming the
/// Tablestore sources and backup stores; `serve` runs the daemon with its REST API,
/// schedules, retention and metrics. `tablevault help COMMAND` (or `COMMAND --help`)
/// explains each command with examples.
///
/// Exit codes: 0 success; 1 the run failed; 2 bad input (arguments, config file, unknown
/// source/store/table/backup, a restore refused before writing); 3 the Tablestore endpoint
/// cannot be reached or refuses the AccessKey.
#[derive(Debug, Parser)]
#[command(name = "tablevault", version = build_info::VERSION_LINE)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a local Tablestore emulator (for tests and development).
    ///
    /// Serves the Tablestore wire protocol (tables, rows, ranges, split points) from memory,
    /// checking the instance name and the AccessKey signature like the real service, until
    /// Ctrl-C or SIGTERM. Prints `tablevault emulator listening on http://ADDR` once ready,
    /// so `--listen 127.0.0.1:0` can be used and the port read. Faults (error codes,
    /// latency, dropped connections, failed batch rows) can be injected for chaos tests.
    #[command(after_help = examples::EMULATOR)]
    Emulator(emulator::EmulatorArgs),
    /// Back up tables of a Tablestore source into a store.
    ///
    /// Scans each table in parallel split ranges and writes every row (all versions unless
    /// `[engine] all_versions = false`) to the store, then publishes the backup with a
    /// manifest of row counts and checksums. A backup that fails leaves nothing published.
    /// Prints the new backup's id and totals.
    #[command(after_help = examples::BACKUP)]
    Backup(backup::BackupArgs),
    /// Restore a backup into a Tablestore instance.
    ///
    /// Creates missing target tables with the backed-up schema and writes the rows back.
    /// Tables can be picked (`--table`) and renamed (`--rename OLD=NEW`); a target that
    /// already holds rows is refused unless `--if-exists` says otherwise. `--dry-run`
    /// reports what would be written. See docs/restore.md.
    #[command(after_help = examples::RESTORE)]
    Restore(restore::RestoreArgs),
    /// Check a backup against its manifest (and optionally the live source).
    ///
    /// Reads every row of the backup and recomputes its per-table checksums and counts;
    /// with `--against-source`, also compares them with the live tables. Exit code 1 when
    /// anything differs.
    #[command(after_help = examples::VERIFY)]
    Verify(verify::VerifyArgs),
    /// Copy a backup to another store (archive, mongodb, s3), e.g. off-site.
    ///
    /// Reads every row of the backup from `--from` and writes it to `--to`, checks the rows
    /// read and the copy read back against the backup's manifest (counts and checksums), and
    /// publishes the copy under a new id (printed). A copy that fails leaves nothing
    /// published in the target.
    #[command(after_help = examples::COPY)]
    Copy(copy::CopyArgs),
    /// List the published backups of a store.
    ///
    /// Oldest first: id, finish time, source, tables, rows and bytes. Backups still being
    /// written, or abandoned half-way, are not listed.
    #[command(after_help = examples::BACKUPS)]
    Backups(backups::BackupsArgs),
    /// Prove a backup and a restore exact on an instance: the first thing to run.
    ///
    /// Creates scratch tables `tablevault_selftest_<random>_…`, writes an edge-case corpus
    /// (every type and edge value, 1–4 key columns, month-old versions, a 2 MB cell, a wide
    /// row, PK-only rows), backs it up (to a temporary archive unless `--store`), restores it
    /// under new names, compares every row, version and timestamp, and deletes what it created
    /// unless `--keep`. Reports each step's time and rate, every difference, and what the
    /// instance did (time until new tables took writes, throttling, retries). Exit code 0 only
    /// if everything matched.
    #[command(after_help = examples::SELFTEST)]
    Selftest(selftest::SelftestArgs),
    /// Run the daemon: REST API, metrics, health probes (until SIGTERM / Ctrl-C).
    ///
    /// Serves the REST API (openapi.yaml), `/metrics`, `/healthz` and `/readyz`, runs
    /// schedules and retention, and keeps its state in the SQLite database of `[database]
    /// path`. One daemon per database: a second one on the same file refuses to start.
    /// Without `--config`, the embedded defaults plus environment overrides are used. On
    /// SIGTERM, work in flight gets `[server] shutdown_grace_seconds` to finish.
    #[command(after_help = examples::SERVE)]
    Serve(serve::ServeArgs),
    /// Check a config file, or print the embedded defaults.
    ///
    /// `config check FILE` reports every problem of a config file at once (exit code 2), or
    /// summarises what it configures; `config defaults` prints the defaults as TOML.
    #[command(after_help = examples::CONFIG)]
    Config(config::ConfigArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    ///
    /// Writes the script to stdout; install it where the shell looks for completions
    /// (see the examples, or docs/cli.md).
    #[command(after_help = examples::COMPLETIONS)]
    Completions(completions::CompletionsArgs),
    /// Write a new encryption key file for a store's `encryption_key_file` (mode 0600).
    ///
    /// Refuses to overwrite an existing file and prints the key's id (backups record the id,
    /// never the key). Keep a copy of the key elsewhere: a lost key means lost backups.
    #[command(after_help = examples::KEYGEN)]
    Keygen(keygen::KeygenArgs),
    /// Ask a running daemon's /healthz (or /readyz): exit 0 if it answers 200, else 1.
    ///
    /// For container HEALTHCHECKs and scripts (no curl needed). Prints `GET URL: 200 OK`, or
    /// one `error:` line with the status and the start of the body, or why nothing answered.
    /// Exit code 1 is what Docker reads as unhealthy.
    #[command(after_help = examples::HEALTH)]
    Health(health::HealthArgs),
}

/// Logs go to stderr (stdout is reserved for results); `RUST_LOG` filters. The data commands
/// log only errors and their own progress lines by default, so a failure is one clear line.
fn init_tracing(default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Parses the arguments, runs the subcommand and turns its result into the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        // The daemon sets up its logs from its config file.
        Command::Serve(_) => {}
        // Print-only commands: their output is the whole point, nothing to log.
        Command::Completions(args) => {
            completions::run(args);
            return ExitCode::SUCCESS;
        }
        Command::Config(args) => return exit_code(config::run(args)),
        Command::Keygen(args) => return exit_code(keygen::run(args)),
        Command::Emulator(_) => init_tracing("info"),
        _ => init_tracing("error,tablevault::cli=info"),
    }
    let runtime = match runtime::build() {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!(error = %e, "Cannot start the async runtime.");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Emulator(args) => emulator::run(args).await.map_err(Failure::from),
            Command::Backup(args) => backup::run(args).await,
            Command::Restore(args) => restore::run(args).await,
            Command::Verify(args) => verify::run(args).await,
            Command::Copy(args) => copy::run(args).await,
            Command::Backups(args) => backups::run(args).await,
            Command::Selftest(args) => selftest::run(args).await,
            Command::Serve(args) => serve::run(args).await,
            Command::Health(args) => health::run(args).await,
            Command::Config(_) | Command::Completions(_) | Command::Keygen(_) => {
                unreachable!("handled above")
            }
        }
    });
    runtime::finish(runtime);
    exit_code(result)
}

/// The exit code of a command's result; a failure is one line on stderr.
fn exit_code(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.one_line());
            ExitCode::from(failure.exit_code())
        }
    }
}

/// Resolves when the process receives Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

#[cfg(test)]
mod help_tests;
