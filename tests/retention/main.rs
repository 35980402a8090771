//! Retention evaluator tests: restic golden scenarios, calendar edge cases (DST, ISO weeks,
//! month ends, ties), the safety rules, the policy/plan JSON, and properties over random input.

#[path = "../support/mod.rs"]
mod support;

mod builders;
mod calendar;
mod golden;
mod props;
mod safety;
mod serde_shape;
mod within;
