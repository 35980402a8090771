//! Retention: which backups of a schedule to keep. Pure functions, no I/O, so the daemon can
//! show a dry run (`RetentionPlan` serializes as JSON) and apply exactly the same plan.
//!
//! # Semantics (restic `forget`, with TableVault's safety rules)
//!
//! - Only **completed** backups are counted and kept by rules. Failed backups are never
//!   keepers; they are removed only with `remove_failed = true`, otherwise left *untouched* for
//!   the run that produced them or start-up recovery to clean. Busy backups (staged, deleting)
//!   are always untouched.
//! - Backups are walked newest first. `keep_last n` keeps the first `n`. Each calendar rule
//!   (`keep_hourly`/`daily`/`weekly`/`monthly`/`yearly n`) keeps the newest backup of each
//!   period until `n` periods *that have backups* are filled; periods are natural calendar
//!   periods in the policy's time zone (ISO weeks, Monday first). If a calendar rule still has
//!   quota when the list ends, the oldest backup is kept too ("oldest daily").
//! - `keep_within` keeps every backup that finished after *newest completed backup − span*
//!   (restic's anchor, not borg's "now": if backups stop succeeding, the window stays on the
//!   last good history instead of sliding past it). Backups in the future are ignored when
//!   choosing the anchor.
//! - Rules are independent and their union is kept: one backup may be daily, weekly and
//!   monthly at once, and carries all three reasons.
//! - Safety net, whatever the policy: the newest completed backup is always kept ("newest
//!   completed"); a policy with no rules keeps everything ("no retention rules"); a backup
//!   that finished after `now` (clock skew) is never removed.
//!
//! Every kept backup has at least one reason; every candidate lands in exactly one of
//! `keep`, `remove`, `untouched`.

mod evaluate;
mod period;
mod plan;
mod policy;
mod reason;
mod within;

pub use evaluate::evaluate;
pub use period::Period;
pub use plan::{
    Candidate, CandidateStatus, KeptBackup, RemovedBackup, RetentionPlan, UntouchedBackup,
};
pub use policy::RetentionPolicy;
pub use reason::{KeepReason, KeepRule};
pub use within::{KeepWithin, KeepWithinError};
