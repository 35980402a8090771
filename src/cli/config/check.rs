//! `tablevault config check FILE`: every problem of a config file, or a summary of what it
//! configures. Problems print as `FILE:LINE: key: message` (the compiler convention, so
//! editors can jump to them); secrets are never printed, only the names of the variables
//! that set them.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::cli::common::{print_json, Output};
use crate::cli::failure::Failure;
use crate::config::{self, Config, EnvOverride, Problem, Role};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The config file to check.
    pub file: PathBuf,
    /// How to print the result: readable text, or one JSON document.
    #[arg(long, value_enum, default_value_t)]
    pub output: Output,
}

/// The `--output json` document.
#[derive(Debug, Serialize)]
struct CheckResult<'a> {
    file: String,
    valid: bool,
    problems: &'a [Problem],
    environment: &'a [EnvOverride],
    summary: Option<Summary>,
}

/// What a valid file configures; names and addresses only, no secret.
#[derive(Debug, Serialize)]
struct Summary {
    sources: Vec<SourceSummary>,
    stores: Vec<StoreSummary>,
    database: String,
    listen: String,
    auth: AuthSummary,
    /// The `[[schedules]]` names.
    schedules: Vec<String>,
}

#[derive(Debug, Serialize)]
struct SourceSummary {
    name: String,
    endpoint: String,
    instance: String,
}

#[derive(Debug, Serialize)]
struct StoreSummary {
    name: String,
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct AuthSummary {
    disabled: bool,
    admin_tokens: usize,
    read_tokens: usize,
}

pub fn run(args: CheckArgs) -> Result<(), Failure> {
    let file = args.file.display().to_string();
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| Failure::Input(format!("cannot read config file {file}: {e}")))?;
    let report = config::check(&text, |key| std::env::var(key).ok());
    let summary = report.config.as_ref().map(summarize);
    match args.output {
        Output::Json => print_json(&CheckResult {
            file: file.clone(),
            valid: report.problems.is_empty(),
            problems: &report.problems,
            environment: &report.overrides,
            summary,
        })?,
        Output::Text => print_text(&file, &report.problems, &report.overrides, summary),
    }
    match report.problems.len() {
        0 => Ok(()),
        1 => Err(Failure::Input(format!("{file}: 1 problem"))),
        n => Err(Failure::Input(format!("{file}: {n} problems"))),
    }
}

fn summarize(config: &Config) -> Summary {
    let count = |role| config.auth.tokens.iter().filter(|t| t.role == role).count();
    Summary {
        sources: config
            .sources
            .iter()
            .map(|(name, s)| SourceSummary {
                name: name.clone(),
                endpoint: s.endpoint.clone(),
                instance: s.instance.clone(),
            })
            .collect(),
        stores: config
            .stores
            .iter()
            .map(|(name, s)| StoreSummary {
                name: name.clone(),
                kind: s.kind(),
            })
            .collect(),
        database: config.database.path.display().to_string(),
        listen: config.server.listen.to_string(),
        auth: AuthSummary {
            disabled: config.auth.disabled,
            admin_tokens: count(Role::Admin),
            read_tokens: count(Role::Read),
        },
        schedules: config.schedules.iter().map(|s| s.name.clone()).collect(),
    }
}

fn print_text(
    file: &str,
    problems: &[Problem],
    overrides: &[EnvOverride],
    summary: Option<Summary>,
) {
    for p in problems {
        let at = p.line.map(|l| format!("{file}:{l}")).unwrap_or(file.into());
        match p.key.as_str() {
            "" => println!("{at}: {}", p.message),
            key => println!("{at}: {key}: {}", p.message),
        }
    }
    if let Some(s) = summary {
        println!("{file}: valid");
        let sources: Vec<String> = s
            .sources
            .iter()
            .map(|x| format!("{} ({}, instance {})", x.name, x.endpoint, x.instance))
            .collect();
        let stores: Vec<String> = s
            .stores
            .iter()
            .map(|x| format!("{} ({})", x.name, x.kind))
            .collect();
        println!("  sources:  {}", list_or_none(&sources));
        println!("  stores:   {}", list_or_none(&stores));
        println!("  database: {}", s.database);
        println!("  listen:   {}", s.listen);
        println!("  auth:     {}", auth_line(&s.auth));
        println!("  schedules: {}", list_or_none(&s.schedules));
    }
    for o in overrides {
        println!("  from the environment: {} sets {}", o.variable, o.key);
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

fn auth_line(auth: &AuthSummary) -> String {
    if auth.disabled {
        return "disabled: every request is served without a token".to_string();
    }
    if auth.admin_tokens + auth.read_tokens == 0 {
        return "no token: every API request except the probes is refused".to_string();
    }
    let tokens = |n: usize| if n == 1 { "token" } else { "tokens" };
    format!(
        "admin {} {}, read {} {}",
        auth.admin_tokens,
        tokens(auth.admin_tokens),
        auth.read_tokens,
        tokens(auth.read_tokens)
    )
}
