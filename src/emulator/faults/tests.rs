//! The fault switches: exact counts, the order they fire in, seeded rates, validation.

use super::*;

#[test]
fn fail_next_is_exact_and_round_robin() {
    let mut state = FaultState::new(FaultConfig {
        fail_next: 3,
        error_codes: vec![codes::SERVER_BUSY.into(), codes::TIMEOUT.into()],
        ..FaultConfig::default()
    });
    let codes: Vec<_> = (0..4)
        .map(|_| match state.plan("GetRow").outcome {
            FaultOutcome::Fail(e) => e.code,
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        codes,
        ["OTSServerBusy", "OTSTimeout", "OTSServerBusy", "Serve"]
    );
    assert_eq!(state.config().fail_next, 0);
}

#[test]
fn countdown_switches_fire_exactly_n_times_in_order() {
    let mut state = FaultState::new(FaultConfig {
        redirect_next: 1,
        gateway_error_next: 1,
        unsigned_next: 1,
        empty_range_pages_next: 2,
        ..FaultConfig::default()
    });
    let first = state.plan("GetRange");
    assert!(matches!(first.outcome, FaultOutcome::Redirect(ref l) if l.starts_with("https://")));
    assert_eq!(state.plan("GetRange").outcome, FaultOutcome::GatewayError);
    let third = state.plan("GetRange");
    assert!(third.unsigned && third.empty_range_page);
    let fourth = state.plan("GetRow");
    assert!(!fourth.unsigned && !fourth.empty_range_page);
    let fifth = state.plan("GetRange");
    assert!(!fifth.unsigned && fifth.empty_range_page);
    let sixth = state.plan("GetRange");
    assert_eq!(sixth.outcome, FaultOutcome::Serve);
    assert!(!sixth.empty_range_page);
}

#[test]
fn actions_restrict_faults() {
    let mut state = FaultState::new(FaultConfig {
        error_rate: 1.0,
        actions: vec!["GetRange".into()],
        ..FaultConfig::default()
    });
    assert_eq!(state.plan("PutRow").outcome, FaultOutcome::Serve);
    assert!(matches!(
        state.plan("GetRange").outcome,
        FaultOutcome::Fail(_)
    ));
    assert!(state.row_fault(true).is_none());
}

#[test]
fn lost_rows_come_before_failed_rows_and_count_down() {
    let mut state = FaultState::new(FaultConfig {
        lose_next_batch_rows: 1,
        fail_next_batch_rows: 1,
        ..FaultConfig::default()
    });
    assert!(matches!(
        state.row_fault(false),
        None | Some(RowFault::Fail(_))
    ));
    assert_eq!(state.row_fault(true), Some(RowFault::Lose));
    assert_eq!(state.row_fault(true), None);
}

#[test]
fn the_same_seed_gives_the_same_faults() {
    let config = FaultConfig {
        error_rate: 0.5,
        seed: Some(42),
        ..FaultConfig::default()
    };
    let run = |mut s: FaultState| {
        (0..64)
            .map(|_| s.plan("GetRow").outcome == FaultOutcome::Serve)
            .collect::<Vec<_>>()
    };
    let a = run(FaultState::new(config.clone()));
    assert_eq!(a, run(FaultState::new(config)));
    let served = a.iter().filter(|x| **x).count();
    assert!(
        (16..48).contains(&served),
        "about half served, got {served}"
    );
}

#[test]
fn validation_rejects_bad_rates_and_codes() {
    assert!(FaultConfig::default().validate().is_ok());
    let bad_rate = FaultConfig {
        error_rate: 1.5,
        ..FaultConfig::default()
    };
    assert!(bad_rate.validate().is_err());
    let bad_code = FaultConfig {
        error_codes: vec!["Busy".into()],
        ..FaultConfig::default()
    };
    assert!(bad_code.validate().is_err());
    let parsed: FaultConfig = serde_json::from_str(r#"{"error_rate": 0.25}"#).unwrap();
    assert_eq!(parsed.error_codes, ["OTSServerBusy"]);
    assert!(serde_json::from_str::<FaultConfig>(r#"{"eror_rate": 1}"#).is_err());
}
