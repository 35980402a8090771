//! Retention evaluator tests: restic golden scenarios, calendar edge cases (DST, ISO weeks,
//! month ends, ties), the safety rules, the policy/plan JSON, and properties over random input.

mod calendar;
mod golden;
mod props;
mod safety;
mod serde_shape;
mod support;
mod within;
