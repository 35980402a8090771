//! A schedule's copy targets (issue 13): each successful backup of the schedule is copied to
//! each target store, and the copies in a store are retained by the target's own policy (the
//! schedule's when it names none). Stored as a JSON array in `schedules.copy_to`.
//!
//! The one shape shown is `{"store": "offsite", "retention": {...}}` (`retention` left out
//! when the schedule's applies); a bare store name, `"offsite"`, is accepted as input for it.

use serde::{Deserialize, Serialize};

use crate::retention::RetentionPolicy;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "CopyTargetInput")]
pub struct CopyTarget {
    /// The configured store copies go to (never the schedule's own store).
    pub store: String,
    /// How long copies are kept in that store; `None`: the schedule's policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionPolicy>,
}

/// What is wrong with `targets` for a schedule backing up into `own_store`, where
/// `configured` tells a configured store: every target a configured store other than the
/// schedule's own, each named once. The API and the config file's `[[schedules]]` both ask.
pub fn copy_target_problems(
    own_store: &str,
    targets: &[CopyTarget],
    configured: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    for target in targets {
        if !configured(&target.store) {
            problems.push(format!(
                "copy_to names store '{}', which is not configured",
                target.store
            ));
        } else if target.store == own_store {
            problems.push(format!(
                "copy_to names store '{own_store}', the schedule's own store; copies go to another store"
            ));
        } else if !seen.insert(target.store.as_str()) {
            problems.push(format!("copy_to names store '{}' twice", target.store));
        }
    }
    problems
}

impl CopyTarget {
    /// The policy for the copies in this target: its own, or the schedule's.
    pub fn policy<'a>(&'a self, schedule: &'a RetentionPolicy) -> &'a RetentionPolicy {
        self.retention.as_ref().unwrap_or(schedule)
    }
}

/// What a request may send: the full object, or only the store's name.
#[derive(Deserialize)]
#[serde(untagged)]
enum CopyTargetInput {
    Store(String),
    Full(CopyTargetFields),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CopyTargetFields {
    store: String,
    #[serde(default)]
    retention: Option<RetentionPolicy>,
}

impl From<CopyTargetInput> for CopyTarget {
    fn from(input: CopyTargetInput) -> Self {
        match input {
            CopyTargetInput::Store(store) => CopyTarget {
                store,
                retention: None,
            },
            CopyTargetInput::Full(CopyTargetFields { store, retention }) => {
                CopyTarget { store, retention }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_name_and_the_full_object_read_the_same_and_show_as_objects() {
        let targets: Vec<CopyTarget> = serde_json::from_str(
            r#"["offsite", {"store": "vault", "retention": {"keep_last": 2}}]"#,
        )
        .unwrap();
        assert_eq!(targets[0].store, "offsite");
        assert_eq!(targets[0].retention, None);
        assert_eq!(targets[1].retention.as_ref().unwrap().keep_last, 2);
        let shown = serde_json::to_value(&targets).unwrap();
        assert_eq!(shown[0], serde_json::json!({"store": "offsite"}));
        assert_eq!(shown[1]["retention"]["keep_last"], 2);
        let back: Vec<CopyTarget> = serde_json::from_value(shown).unwrap();
        assert_eq!(back, targets);
    }

    #[test]
    fn unknown_fields_and_other_shapes_are_refused() {
        for bad in [
            r#"[{"store": "x", "keep": 1}]"#,
            "[1]",
            r#"[{"retention": {}}]"#,
        ] {
            assert!(
                serde_json::from_str::<Vec<CopyTarget>>(bad).is_err(),
                "{bad}"
            );
        }
    }
}
