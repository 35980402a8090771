//! `tablevault emulator`: serve a Tablestore emulator until Ctrl-C / SIGTERM.
//!
//! Prints exactly one line to stdout once listening,
//! `tablevault emulator listening on http://ADDR`, so harnesses can start it with
//! `--listen 127.0.0.1:0` and read the port.

use std::io::Write;
use std::net::SocketAddr;

use anyhow::Context;
use clap::Args;

use crate::emulator::{
    Emulator, EmulatorConfig, FaultConfig, IndexBehaviour, TableRules, DEFAULT_PAGE_BYTE_LIMIT,
    DEFAULT_PAGE_ROW_LIMIT,
};

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long)]
    pub listen: SocketAddr,
    /// Instance name clients must use.
    #[arg(long)]
    pub instance: String,
    /// AccessKey id clients must sign with.
    #[arg(long)]
    pub access_key_id: String,
    /// AccessKey secret clients must sign with.
    #[arg(
        long,
        env = "TABLEVAULT_EMULATOR_ACCESS_KEY_SECRET",
        hide_env_values = true
    )]
    pub access_key_secret: String,
    /// GetRange rows per page at most.
    #[arg(long, default_value_t = DEFAULT_PAGE_ROW_LIMIT)]
    pub page_row_limit: usize,
    /// GetRange bytes per page at most.
    #[arg(long, default_value_t = DEFAULT_PAGE_BYTE_LIMIT)]
    pub page_byte_limit: usize,
    /// ComputeSplitPointsBySize unit in bytes (instead of 100 MB).
    #[arg(long)]
    pub split_unit_bytes: Option<u64>,
    /// Probability (0..1) that a request fails with --fault-code.
    #[arg(long, default_value_t = 0.0)]
    pub fault_error_rate: f64,
    /// Error code(s) to inject; repeat or comma-separate.
    #[arg(long, value_delimiter = ',', default_value = "OTSServerBusy")]
    pub fault_code: Vec<String>,
    /// Restrict faults to these actions; repeat or comma-separate.
    #[arg(long, value_delimiter = ',')]
    pub fault_action: Vec<String>,
    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub fault_latency_ms: u64,
    /// Probability (0..1) that a connection is dropped without a response.
    #[arg(long, default_value_t = 0.0)]
    pub fault_drop_rate: f64,
    /// Probability (0..1) that a BatchWriteRow row fails.
    #[arg(long, default_value_t = 0.0)]
    pub fault_batch_row_failure_rate: f64,
    /// Fail exactly the next N requests.
    #[arg(long, default_value_t = 0)]
    pub fault_fail_next: u32,
    /// Seed for the fault dice (reproducible runs).
    #[arg(long)]
    pub fault_seed: Option<u64>,
    /// ListTable lists table names only, not index names.
    #[arg(long)]
    pub hide_index_tables: bool,
    /// Accept custom cell timestamps on tables that have a secondary index.
    #[arg(long)]
    pub allow_custom_timestamps_with_index: bool,
    /// Answer OTSOperationForbidden to CreateTable with indexes (feature not enabled).
    #[arg(long)]
    pub forbid_index_in_create_table: bool,
    /// A new table refuses writes (OTSTableNotReady) for this long; the service takes about
    /// a minute.
    #[arg(long, default_value_t = 0)]
    pub table_not_ready_ms: u64,
    /// Least time between table operations on one table ("Too frequent table operations.").
    #[arg(long, default_value_t = 0)]
    pub table_op_interval_ms: u64,
    /// Accept cells older than the table's TTL (the service refuses them).
    #[arg(long)]
    pub no_ttl_window: bool,
    /// Refuse initial split points (`partitions`) in CreateTable, like some instances.
    #[arg(long)]
    pub refuse_partitions: bool,
}

impl EmulatorArgs {
    pub fn config(&self) -> EmulatorConfig {
        let faults = FaultConfig {
            error_rate: self.fault_error_rate,
            error_codes: self.fault_code.clone(),
            actions: self.fault_action.clone(),
            latency_ms: self.fault_latency_ms,
            drop_connection_rate: self.fault_drop_rate,
            batch_row_failure_rate: self.fault_batch_row_failure_rate,
            fail_next: self.fault_fail_next,
            seed: self.fault_seed,
            ..FaultConfig::default()
        };
        EmulatorConfig {
            page_row_limit: self.page_row_limit,
            page_byte_limit: self.page_byte_limit,
            split_unit_bytes: self.split_unit_bytes,
            faults,
            indexes: IndexBehaviour {
                list_index_tables: !self.hide_index_tables,
                refuse_custom_timestamps: !self.allow_custom_timestamps_with_index,
                forbid_index_in_create_table: self.forbid_index_in_create_table,
            },
            table_rules: TableRules {
                not_ready_for: std::time::Duration::from_millis(self.table_not_ready_ms),
                table_op_interval: std::time::Duration::from_millis(self.table_op_interval_ms),
                ttl_window: !self.no_ttl_window,
                accept_partitions: !self.refuse_partitions,
            },
            ..EmulatorConfig::new(
                self.listen,
                &self.instance,
                &self.access_key_id,
                &self.access_key_secret,
            )
        }
    }
}

pub async fn run(args: EmulatorArgs) -> anyhow::Result<()> {
    let emulator = Emulator::start(args.config())
        .await
        .context("starting the emulator")?;
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "tablevault emulator listening on {}",
        emulator.endpoint()
    )?;
    stdout.flush()?;
    drop(stdout);
    super::shutdown_signal().await;
    tracing::info!("Shutdown signal received.");
    emulator.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: EmulatorArgs,
    }

    fn config(extra: &[&str]) -> EmulatorConfig {
        let base = [
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--instance",
            "i",
            "--access-key-id",
            "ak",
            "--access-key-secret",
            "sk",
        ];
        let argv: Vec<&str> = base.iter().chain(extra).copied().collect();
        Cli::parse_from(argv).args.config()
    }

    #[test]
    fn index_behaviour_defaults_to_the_service_and_each_switch_flips_one_rule() {
        assert_eq!(config(&[]).indexes, IndexBehaviour::default());
        let flipped = config(&[
            "--hide-index-tables",
            "--allow-custom-timestamps-with-index",
            "--forbid-index-in-create-table",
        ])
        .indexes;
        assert_eq!(
            flipped,
            IndexBehaviour {
                list_index_tables: false,
                refuse_custom_timestamps: false,
                forbid_index_in_create_table: true,
            }
        );
    }
}
