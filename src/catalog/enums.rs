//! The closed sets of values the catalog stores as text: spelled the same in SQL (CHECK
//! constraints), in Rust (`Display`/`FromStr`) and in JSON (serde), so the REST API, the
//! database and logs never disagree.

use serde::{Deserialize, Serialize};

use crate::retention::CandidateStatus;

/// Defines a fieldless enum with `as_str`, `Display`, `FromStr` and snake_case serde.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        kind: stringify!($name),
                        value: text.to_string(),
                    }),
                }
            }
        }
    };
}

/// A string that is not one of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

text_enum!(
    /// What a run does.
    RunKind {
        Backup => "backup",
        Restore => "restore",
        Verify => "verify",
        /// Deleting backups a retention plan removed.
        RetentionDelete => "retention_delete",
    }
);

text_enum!(
    /// Where a run is in its life. `queued` and `running` are the only unfinished states.
    RunStatus {
        Queued => "queued",
        Running => "running",
        Succeeded => "succeeded",
        /// Finished, but some tables failed (Velero's PartiallyFailed).
        PartiallyFailed => "partially_failed",
        Failed => "failed",
        Cancelled => "cancelled",
        /// Never started, e.g. its schedule's previous run was still going (see `skip_reason`).
        Skipped => "skipped",
    }
);

impl RunStatus {
    pub fn is_finished(self) -> bool {
        !matches!(self, RunStatus::Queued | RunStatus::Running)
    }
}

text_enum!(
    /// Why a run exists.
    RunTrigger {
        Schedule => "schedule",
        Manual => "manual",
        /// The one make-up run for ticks missed while the daemon was down.
        CatchUp => "catch_up",
    }
);

text_enum!(
    /// A backup's life: `staged` (being written) → `completed` | `failed`; then
    /// `deleting` → `deleted`. Deleted rows stay as history.
    BackupStatus {
        Staged => "staged",
        Completed => "completed",
        Failed => "failed",
        Deleting => "deleting",
        Deleted => "deleted",
    }
);

impl BackupStatus {
    /// How retention sees this backup; `None` for a deleted one, which is no longer a
    /// candidate at all.
    pub fn retention_status(self) -> Option<CandidateStatus> {
        match self {
            BackupStatus::Completed => Some(CandidateStatus::Completed),
            BackupStatus::Failed => Some(CandidateStatus::Failed),
            BackupStatus::Staged | BackupStatus::Deleting => Some(CandidateStatus::Busy),
            BackupStatus::Deleted => None,
        }
    }
}

text_enum!(
    /// The verdict of the last verification of a backup.
    VerifyResult {
        Passed => "passed",
        Failed => "failed",
    }
);

/// Parses a stored enum, reporting a value the code does not know as corruption.
pub(crate) fn parse_column<T>(column: &'static str, text: &str) -> Result<T, super::CatalogError>
where
    T: std::str::FromStr<Err = UnknownValue>,
{
    text.parse()
        .map_err(|e: UnknownValue| super::CatalogError::corrupt(column, text, e))
}
