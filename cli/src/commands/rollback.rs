//! `hoist rollback`.

use super::release::{connect, print_release, storage_with_history_max, with_storage};
use crate::args::{OutputFormat, RollbackArgs};
use crate::progress::wait_progress;
use hoist_core::action::rollback::{RollbackOptions, rollback};
use hoist_core::kube::wait::WaitFlag;
use miette::miette;
use std::process::ExitCode;

pub async fn run(a: RollbackArgs) -> miette::Result<ExitCode> {
    let server_side = a.server_side.mode()?;
    let client = connect(&a.cluster).await?;
    let namespace = client.namespace().to_string();
    let opts = RollbackOptions {
        name: a.name.clone(),
        version: a.revision.unwrap_or(0),
        no_hooks: a.no_hooks,
        dry_run: a.dry_run.strategy()?,
        wait: matches!(a.wait, Some(WaitFlag::Resources(_))),
        wait_for_jobs: a.wait_for_jobs,
        timeout: a.timeout,
        wait_strategy: a.wait.map(WaitFlag::hook_strategy).unwrap_or_default(),
        progress: wait_progress(a.output),
        force: a.force,
        force_conflicts: a.force_conflicts,
        cleanup_on_fail: a.cleanup_on_fail,
        description: a.description.clone(),
        server_side,
    };
    let backend = storage_with_history_max(&a.cluster, &client, Some(&namespace), a.history_max);
    let rel = with_storage!(&backend, s => rollback(s, &client, &opts).await)
        .map_err(|e| miette!("ROLLBACK FAILED: {e}"));
    super::upgrade::warn_if_fell_back(&client);
    let rel = rel?;
    match a.output {
        OutputFormat::Table => println!("Rollback was a success! Happy Helming!"),
        f => print_release(&rel, f)?,
    }
    Ok(ExitCode::SUCCESS)
}
