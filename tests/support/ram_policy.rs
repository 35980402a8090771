//! The least-privilege RAM policies in `deploy/ram/` against what the code sends: the emulator
//! counts every request by action, and a test compares the actions sent between two snapshots
//! with the `ots:` actions a policy file allows.

use std::collections::BTreeSet;

use tablevault::emulator::EmulatorStats;

/// The `ots:` actions a policy file allows, without the prefix.
pub fn policy_actions(file: &str) -> BTreeSet<String> {
    let path = format!("{}/deploy/ram/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let policy: serde_json::Value = serde_json::from_str(&text).expect("policy is JSON");
    assert_eq!(policy["Version"], "1");
    let mut actions = BTreeSet::new();
    for statement in policy["Statement"].as_array().expect("statements") {
        assert_eq!(statement["Effect"], "Allow");
        for action in statement["Action"].as_array().expect("actions") {
            let action = action.as_str().expect("action name");
            let name = action.strip_prefix("ots:").expect("ots: prefix");
            assert!(!name.contains('*'), "{file}: no wildcards in {action}");
            actions.insert(name.to_string());
        }
    }
    actions
}

/// The actions requested between two snapshots of the emulator's counters.
pub fn sent_between(before: &EmulatorStats, after: &EmulatorStats) -> BTreeSet<String> {
    after
        .requests
        .iter()
        .filter(|(action, count)| before.requests.get(*action).copied().unwrap_or(0) < **count)
        .map(|(action, _)| action.clone())
        .collect()
}
