//! `tablevault health`: asks a running daemon's probe endpoint and exits 0 (answered 200) or 1
//! (anything else), so a container image needs no curl for its HEALTHCHECK. Exit code 1 is
//! also what Docker reads as "unhealthy" (it reserves 2).

use std::time::Duration;

use clap::Args;

use super::failure::Failure;
use super::reach;

/// The longest part of a non-200 body repeated in the error line.
const BODY_EXCERPT_CHARS: usize = 300;

#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The daemon's base URL (its `server.listen` address).
    #[arg(
        long,
        env = "TABLEVAULT_HEALTH_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub url: String,
    /// Ask `/readyz` (the database and every store answer) instead of `/healthz` (the
    /// process answers).
    #[arg(long)]
    pub ready: bool,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
}

pub async fn run(args: HealthArgs) -> Result<(), Failure> {
    let path = if args.ready { "readyz" } else { "healthz" };
    let url = format!("{}/{path}", args.url.trim_end_matches('/'));
    // No proxy: a probe asks the daemon next to it, whatever HTTP_PROXY the image sets.
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(args.timeout))
        .build()
        .map_err(|e| Failure::Failed(format!("cannot build an HTTP client: {e}")))?;
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| Failure::Failed(format!("GET {url}: {}", reach::cause(&e))))?;
    let status = response.status();
    if status == reqwest::StatusCode::OK {
        println!("GET {url}: {status}");
        return Ok(());
    }
    let body = response.text().await.unwrap_or_default();
    let excerpt: String = body.chars().take(BODY_EXCERPT_CHARS).collect();
    Err(Failure::Failed(format!("GET {url}: {status} {excerpt}")))
}
