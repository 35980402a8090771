//! The `tablevault` command line. Each subcommand lives in its own file with its clap
//! arguments and its `run` function; this file only names them and sets up the process
//! (tracing to stderr, the tokio runtime, the exit code).

mod backup;
mod backups;
mod common;
mod emulator;
mod failure;
mod health;
mod progress;
mod restore;
mod serve;
mod supervisor;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use failure::Failure;

/// Backup and restore for Alibaba Cloud Tablestore.
#[derive(Debug, Parser)]
#[command(name = "tablevault", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a local Tablestore emulator (for tests and development).
    Emulator(emulator::EmulatorArgs),
    /// Back up tables of a Tablestore source into a store.
    Backup(backup::BackupArgs),
    /// Restore a backup into a Tablestore instance.
    Restore(restore::RestoreArgs),
    /// Check a backup against its manifest (and optionally the live source).
    Verify(verify::VerifyArgs),
    /// List the published backups of a store.
    Backups(backups::BackupsArgs),
    /// Run the daemon: REST API, metrics, health probes (until SIGTERM / Ctrl-C).
    Serve(serve::ServeArgs),
    /// Ask a running daemon's /healthz (or /readyz): exit 0 if it answers 200, else 1.
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
        Command::Emulator(_) => init_tracing("info"),
        _ => init_tracing("error,tablevault::cli=info"),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
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
            Command::Backups(args) => backups::run(args).await,
            Command::Serve(args) => serve::run(args).await,
            Command::Health(args) => health::run(args).await,
        }
    });
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
