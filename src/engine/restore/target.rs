//! The target table of one restored table: inspected before anything is written, created or
//! adjusted just before its rows go in, and set back afterwards.
//!
//! Two table settings matter for fidelity:
//! - Auto-increment key columns: the service assigns their values and refuses explicit ones,
//!   so a table created by a restore gets such a column as a plain INTEGER key and every row
//!   keeps its original key. An existing target with an auto-increment column is refused.
//! - The max time deviation (`deviation_cell_version_in_sec`): writes with a timestamp further
//!   from now are refused, and backups hold old timestamps. When the backup's timestamps are
//!   too far, the deviation is raised for the restore and set back afterwards.

use std::time::Duration;

use futures::StreamExt;

use super::partitions::Partitioning;
use super::readiness::{patiently, wait_until_writable};
use super::report::{DeviationChange, IfExists};
use crate::engine::{EngineError, RunControls};
use crate::tablestore::client::{Client, Direction, RangeRequest, TableUpdate};
use crate::tablestore::{TableDescription, TableOptions};

/// Raise the deviation when the farthest timestamp is within this much of it: the restore
/// itself takes time, and "now" moves on while it runs.
const DEVIATION_MARGIN_SECS: i64 = 3600;
/// How much room a raised deviation leaves beyond the farthest timestamp.
const DEVIATION_HEADROOM_SECS: i64 = 86_400;
/// How long to wait for a created table to answer DescribeTable.
const CREATE_WAIT: Duration = Duration::from_secs(60);

/// Which saved settings a created table gets back beyond its key, columns and options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RestoreSettings {
    /// Replay the saved reserved read/write capacity units. Off by default: capacity-mode
    /// instances refuse them, and elsewhere they add cost the operator did not ask for.
    #[serde(default)]
    pub restore_reserved_throughput: bool,
    /// Create tables unencrypted even where the saved table used server-side encryption.
    #[serde(default)]
    pub without_encryption: bool,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    /// Set when the table does not exist: the description to create it from.
    pub to_create: Option<TableDescription>,
    /// The options to set back after the restore (the saved or existing ones).
    pub options_after: TableOptions,
    /// Set when the deviation must be raised for the restore.
    pub deviation: Option<DeviationChange>,
    /// Auto-increment columns turned into plain INTEGER key columns.
    pub plain_auto_increment: Vec<String>,
    /// The table exists and already holds rows (what `if_exists` decides about).
    pub holds_rows: bool,
    /// The table refuses UpdateRow (`allow_update` false), which rows over 4 MB need: it is
    /// allowed during the restore and refused again afterwards.
    pub allow_update_lifted: bool,
}

/// The deviation (seconds) a restore needs, if `current` is not enough for timestamps up to
/// `distance_secs` away from now.
pub fn raised_deviation(distance_secs: i64, current: i64) -> Option<i64> {
    (distance_secs.saturating_add(DEVIATION_MARGIN_SECS) > current)
        .then(|| distance_secs.saturating_add(DEVIATION_HEADROOM_SECS))
}

/// Looks at the target table without changing anything.
pub async fn inspect(
    client: &Client,
    saved: &TableDescription,
    name: &str,
    distance_secs: i64,
    if_exists: IfExists,
    settings: RestoreSettings,
) -> Result<Target, EngineError> {
    match client.describe_table(name).await {
        Ok(existing) => inspect_existing(client, saved, existing, distance_secs, if_exists).await,
        Err(e) if e.is_not_found() => Ok(plan_create(saved, name, distance_secs, settings)),
        Err(e) => Err(EngineError::tablestore(
            format!("describing target table {name}"),
            e,
        )),
    }
}

fn plan_create(
    saved: &TableDescription,
    name: &str,
    distance_secs: i64,
    settings: RestoreSettings,
) -> Target {
    let mut create = saved.clone();
    create.name = name.to_string();
    create.indexes.clear(); // created after the data: see indexes.rs
    if !settings.restore_reserved_throughput {
        (create.reserved_read, create.reserved_write) = (0, 0);
    }
    if settings.without_encryption {
        create.encryption = None;
    }
    let allow_update_lifted = create.options.allow_update == Some(false);
    if allow_update_lifted {
        create.options.allow_update = Some(true);
    }
    let mut plain_auto_increment = Vec::new();
    for column in &mut create.primary_key {
        if column.auto_increment {
            column.auto_increment = false;
            plain_auto_increment.push(column.name.clone());
        }
    }
    let deviation =
        raised_deviation(distance_secs, saved.options.max_time_deviation).map(|during_restore| {
            DeviationChange {
                saved: saved.options.max_time_deviation,
                during_restore,
            }
        });
    if let Some(d) = deviation {
        create.options.max_time_deviation = d.during_restore;
    }
    Target {
        name: name.to_string(),
        to_create: Some(create),
        options_after: saved.options,
        deviation,
        plain_auto_increment,
        holds_rows: false,
        allow_update_lifted,
    }
}

async fn inspect_existing(
    client: &Client,
    saved: &TableDescription,
    existing: TableDescription,
    distance_secs: i64,
    if_exists: IfExists,
) -> Result<Target, EngineError> {
    let name = existing.name.clone();
    let same_key = saved.primary_key.len() == existing.primary_key.len()
        && saved
            .primary_key
            .iter()
            .zip(&existing.primary_key)
            .all(|(a, b)| a.name == b.name && a.pk_type == b.pk_type);
    if !same_key {
        return Err(EngineError::Refused(format!(
            "target table {name} has a different primary key than table {} in the backup",
            saved.name
        )));
    }
    if let Some(column) = existing.primary_key.iter().find(|c| c.auto_increment) {
        return Err(EngineError::Refused(format!(
            "target table {name} has the auto-increment key column {}, which refuses the \
             original key values; restore into a new table instead",
            column.name
        )));
    }
    // One row read at most: cheap, and the report (a dry run's above all) can say whether
    // `skip` or `overwrite` will meet existing rows.
    let holds_rows = !is_empty(client, &existing).await?;
    if if_exists == IfExists::Fail && holds_rows {
        return Err(EngineError::TargetNotEmpty { table: name });
    }
    let current = existing.options.max_time_deviation;
    Ok(Target {
        name,
        to_create: None,
        options_after: existing.options,
        deviation: raised_deviation(distance_secs, current).map(|during_restore| DeviationChange {
            saved: current,
            during_restore,
        }),
        plain_auto_increment: Vec::new(),
        holds_rows,
        allow_update_lifted: existing.options.allow_update == Some(false),
    })
}

async fn is_empty(client: &Client, table: &TableDescription) -> Result<bool, EngineError> {
    let pk: Vec<&str> = table.pk_names().collect();
    let mut request = RangeRequest::whole_table(&table.name, pk, Direction::Forward);
    request.limit = Some(1);
    request.max_versions = Some(1);
    let mut pages = std::pin::pin!(client.scan(request));
    match pages.next().await {
        None => Ok(true),
        Some(Ok(rows)) => Ok(rows.is_empty()),
        Some(Err(e)) => Err(EngineError::tablestore(
            format!("checking whether target table {} is empty", table.name),
            e,
        )),
    }
}

/// What creating the target found out.
#[derive(Debug, Clone)]
pub struct Created {
    /// How long the table took to accept writes.
    pub ready_after: Duration,
    pub partitioning: Partitioning,
}

/// Creates the table (and waits until it accepts writes) or raises its deviation, as planned.
pub async fn prepare(
    client: &Client,
    target: &Target,
    ctx: &RunControls,
) -> Result<Option<Created>, EngineError> {
    let name = &target.name;
    if let Some(create) = &target.to_create {
        let partitioning = super::partitions::create_table(client, create).await?;
        wait_until_described(client, name).await?;
        let ready_after = wait_until_writable(client, create, ctx).await?;
        tracing::info!(table = %name, ready_after_ms = ready_after.as_millis() as u64, partitions = partitioning.partitions, "Created target table; it accepts writes.");
        return Ok(Some(Created {
            ready_after,
            partitioning,
        }));
    }
    if target.deviation.is_some() || target.allow_update_lifted {
        set_options_during(client, target).await?;
    }
    Ok(None)
}

/// Sets the options the target has during the restore: its deviation as raised, `allow_update`
/// lifted where planned.
pub async fn set_options_during(client: &Client, target: &Target) -> Result<(), EngineError> {
    let during = TableOptions {
        max_time_deviation: target
            .deviation
            .map_or(target.options_after.max_time_deviation, |d| {
                d.during_restore
            }),
        allow_update: if target.allow_update_lifted {
            Some(true)
        } else {
            target.options_after.allow_update
        },
        ..target.options_after
    };
    set_options(client, target, during).await?;
    tracing::info!(table = %target.name, deviation = during.max_time_deviation, allow_update = ?during.allow_update, "Adjusted the table options for the restore.");
    Ok(())
}

/// Sets options changed for the restore (a raised deviation, a lifted `allow_update`) back to
/// their saved values.
pub async fn settle(client: &Client, target: &Target) -> Result<(), EngineError> {
    if target.deviation.is_some() || target.allow_update_lifted {
        set_options(client, target, target.options_after).await?;
        tracing::info!(table = %target.name, deviation = target.options_after.max_time_deviation, allow_update = ?target.options_after.allow_update, "Set the table options back.");
    }
    Ok(())
}

async fn set_options(
    client: &Client,
    target: &Target,
    options: TableOptions,
) -> Result<(), EngineError> {
    let seconds = options.max_time_deviation;
    let update = TableUpdate {
        options: Some(options),
        ..TableUpdate::default()
    };
    patiently(&format!("UpdateTable {}", target.name), || {
        client.update_table(&target.name, &update)
    })
    .await
    .map_err(|e| {
        EngineError::tablestore(
            format!(
                "setting the options of table {} (max time deviation {seconds} s, allow_update \
                 {:?})",
                target.name, options.allow_update
            ),
            e,
        )
    })
}

async fn wait_until_described(client: &Client, name: &str) -> Result<(), EngineError> {
    let started = tokio::time::Instant::now();
    let mut delay = Duration::from_millis(50);
    loop {
        match client.describe_table(name).await {
            Ok(_) => return Ok(()),
            Err(e) if started.elapsed() >= CREATE_WAIT => {
                return Err(EngineError::tablestore(
                    format!("waiting for created table {name}"),
                    e,
                ))
            }
            Err(e) => tracing::debug!(table = %name, error = %e, "Created table not ready yet."),
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::{PkSchema, PkType};

    #[test]
    fn deviation_is_raised_only_when_needed() {
        assert_eq!(raised_deviation(10, 86_400), None);
        assert_eq!(raised_deviation(86_000, 86_400), Some(86_000 + 86_400));
        assert_eq!(raised_deviation(0, 1), Some(86_400));
    }

    #[test]
    fn a_created_table_gets_plain_keys_and_the_new_name() {
        let mut auto = PkSchema::new("seq", PkType::Integer);
        auto.auto_increment = true;
        let mut saved =
            TableDescription::new("orders", vec![PkSchema::new("shard", PkType::String), auto]);
        saved.indexes.push(crate::tablestore::IndexDefinition {
            name: "orders_by_shard".into(),
            primary_key: vec!["shard".into()],
            defined_columns: Vec::new(),
            sync: true,
            local: false,
        });
        let target = plan_create(
            &saved,
            "orders_copy",
            30 * 86_400,
            RestoreSettings::default(),
        );
        let create = target.to_create.unwrap();
        assert!(create.indexes.is_empty(), "indexes come after the data");
        assert_eq!(create.name, "orders_copy");
        assert!(create.primary_key.iter().all(|c| !c.auto_increment));
        assert_eq!(target.plain_auto_increment, vec!["seq".to_string()]);
        assert_eq!(create.options.max_time_deviation, 31 * 86_400);
        assert_eq!(target.options_after, saved.options);
    }
}
