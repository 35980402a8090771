//! The work a recorded run does, resolved at submit time (sources, stores and backups looked
//! up, so bad requests fail before anything is recorded): one variant per kind of run, each
//! kind in a module of its own that prepares its `Submission` and runs with a
//! [`JobContext`]. A new kind is a new module and a new variant here.

use super::backup::BackupSpec;
use super::copy::CopySpec;
use super::job_context::JobContext;
use super::restore::{RestoreSpec, VerifySpec};
use super::resume::ResumeSpec;
use crate::catalog::RunOutcome;

pub(crate) enum Job {
    Backup(BackupSpec),
    Resume(ResumeSpec),
    Restore(RestoreSpec),
    Verify(VerifySpec),
    Copy(CopySpec),
}

impl Job {
    /// A backup of a schedule: its `copy_to` copies follow a success.
    pub fn is_scheduled_backup(&self) -> bool {
        matches!(self, Job::Backup(spec) if spec.schedule_id().is_some())
    }

    pub async fn execute(self, ctx: &JobContext) -> RunOutcome {
        match self {
            Job::Backup(spec) => spec.run(ctx).await,
            Job::Resume(spec) => spec.run(ctx).await,
            Job::Restore(spec) => spec.run(ctx).await,
            Job::Verify(spec) => spec.run(ctx).await,
            Job::Copy(spec) => spec.run(ctx).await,
        }
    }
}
