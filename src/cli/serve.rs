//! `tablevault serve`: run the daemon until SIGTERM or Ctrl-C. With `--demo`, on the built-in
//! emulator with a sample table and a schedule (see [`crate::demo`]).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use super::failure::Failure;
use crate::config::{parse_listen, Config};
use crate::daemon::lock::LockError;
use crate::daemon::{supervisor, Daemon, DaemonError};
use crate::demo::{settings, Demo, DemoError, DemoOptions};
use crate::telemetry;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The config file; without it, the embedded defaults plus environment overrides.
    #[arg(long, env = "TABLEVAULT_CONFIG")]
    pub config: Option<PathBuf>,
    /// Listen on this address instead of `[server] listen` (e.g. 0.0.0.0:8080; port 0 picks one).
    #[arg(long, env = "TABLEVAULT_LISTEN", value_parser = parse_listen)]
    pub listen: Option<SocketAddr>,
    /// Try TableVault without a Tablestore account: a built-in emulator with a sample table,
    /// backed up every minute, and the commands to try printed on stdout.
    #[arg(long)]
    pub demo: bool,
    /// Where the demo keeps its state and backups (ignored with --config, whose database and
    /// stores are used).
    #[arg(long, requires = "demo", default_value = settings::DEFAULT_DIR)]
    pub demo_dir: PathBuf,
    /// The demo emulator's address (port 0 picks one).
    #[arg(long, requires = "demo", default_value = "127.0.0.1:0")]
    pub demo_emulator_listen: SocketAddr,
}

pub async fn run(args: ServeArgs) -> Result<(), Failure> {
    let mut config = match &args.config {
        Some(path) => Config::load(path),
        None => Config::from_env(),
    }
    .map_err(Failure::config_problems)?;
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    telemetry::init_tracing(&config.logging);
    let grace = config.server.shutdown_grace();
    supervisor::starting();
    let _duties = supervisor::start_duties();
    let demo = if args.demo {
        let options = DemoOptions {
            state_dir: args.config.is_none().then(|| args.demo_dir.clone()),
            emulator_listen: args.demo_emulator_listen,
        };
        Some(
            Demo::prepare(&mut config, &options)
                .await
                .map_err(demo_failure)?,
        )
    } else {
        None
    };
    let demo_dir = (args.demo && args.config.is_none()).then_some(&args.demo_dir);
    let daemon = Daemon::build(config)
        .await
        .map_err(|e| build_failure(e, demo_dir))?;
    let addr = daemon.addr();
    tracing::info!(%addr, version = env!("CARGO_PKG_VERSION"), "Listening.");
    // On stdout too, so scripts (and tests) that asked for port 0 learn the port.
    println!("tablevault listening on http://{addr}");
    if let Some(demo) = &demo {
        let guide = demo
            .start(&daemon.state().scheduler, addr)
            .await
            .map_err(demo_failure)?;
        print!("{}", guide.render());
    }
    let _ = std::io::stdout().flush();
    supervisor::ready(&format!("Serving on http://{addr}."));
    let signal = async move {
        super::shutdown_signal().await;
        supervisor::stopping(grace);
    };
    let result = daemon
        .run_until_stopped(signal)
        .await
        .map_err(|e| Failure::Failed(e.to_string()));
    if let Some(demo) = demo {
        demo.shutdown().await;
    }
    result
}

/// Why the daemon did not start. A second demo in the same directory is the usual lock
/// conflict there, and the demo's database is not in a config file to change: `--demo-dir`
/// is what gives it its own.
fn build_failure(e: DaemonError, demo_dir: Option<&PathBuf>) -> Failure {
    match (e, demo_dir) {
        (DaemonError::Locked(held @ LockError::Held { .. }), Some(dir)) => {
            Failure::Failed(format!(
                "{held}; for a second demo, give it its own directory: --demo-dir DIR (this one \
             uses {})",
                dir.display()
            ))
        }
        (e, _) => Failure::Failed(e.to_string()),
    }
}

fn demo_failure(e: DemoError) -> Failure {
    if e.is_input() {
        Failure::Input(e.to_string())
    } else {
        Failure::Failed(e.to_string())
    }
}
