//! `tablevault serve`: run the daemon until SIGTERM or Ctrl-C.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use super::failure::Failure;
use super::supervisor;
use crate::api::App;
use crate::config::Config;
use crate::telemetry;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The config file; without it, the embedded defaults plus environment overrides.
    #[arg(long, env = "TABLEVAULT_CONFIG")]
    pub config: Option<PathBuf>,
    /// Listen on this address instead of `[server] listen` (e.g. 0.0.0.0:8080; port 0 picks one).
    #[arg(long, env = "TABLEVAULT_LISTEN")]
    pub listen: Option<SocketAddr>,
}

pub async fn run(args: ServeArgs) -> Result<(), Failure> {
    let mut config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::from_env()?,
    };
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    telemetry::init_tracing(&config.logging);
    let grace = config.server.shutdown_grace();
    supervisor::starting();
    let app = App::build(config)
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;
    let addr = app.addr();
    tracing::info!(%addr, version = env!("CARGO_PKG_VERSION"), "Listening.");
    // On stdout too, so scripts (and tests) that asked for port 0 learn the port.
    println!("tablevault listening on http://{addr}");
    let _ = std::io::stdout().flush();
    let _duties = supervisor::start_duties();
    supervisor::ready(&format!("Serving on http://{addr}."));
    let signal = async move {
        super::shutdown_signal().await;
        supervisor::stopping(grace);
    };
    app.run_until_stopped(signal)
        .await
        .map_err(|e| Failure::Failed(e.to_string()))
}
