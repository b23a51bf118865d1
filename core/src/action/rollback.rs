//! `hoist rollback NAME [REVISION]`: Helm's `Rollback.Run`. Copies the
//! chart, values, manifest and hooks of the target revision (default: the
//! one before the last) into a new revision marked `pending-rollback` (the
//! claim is the lock), runs pre-rollback hooks, applies the target's objects
//! and deletes the ones it does not have, waits if asked, runs post-rollback
//! hooks, then supersedes every deployed revision and marks the new one
//! `deployed`.
//!
//! This is also the documented recovery for a release whose last revision
//! stayed pending because its operation died: the rollback succeeds over
//! it, and (unlike Helm, which leaves them pending forever) the interrupted
//! revisions are recorded as `failed`.

use std::time::Duration;

use super::ActionError;
use super::deploy::{DEFAULT_TIMEOUT, Deployer, Progress, RollOut};
use super::dry_run::DryRun;
use super::install::validate_release_name;
use super::lock;
use crate::kube::WaitStrategy;
use crate::kube::{KubeClient, ResourceClient};
use crate::release::HookEvent;
use crate::release::record::{
    APPLY_METHOD_CLIENT_SIDE, APPLY_METHOD_SERVER_SIDE, GoTime, Info, Release,
};
use crate::release::status::Status;
use crate::storage::{Driver, Storage, StorageError};

/// How to roll back.
#[derive(Clone, Debug)]
pub struct RollbackOptions {
    /// The release name.
    pub name: String,
    /// The revision to return to; 0 means the one before the last.
    pub version: i64,
    /// Do not run hooks.
    pub no_hooks: bool,
    /// Check everything, write nothing (both strategies alike, as Helm).
    pub dry_run: DryRun,
    /// Wait for objects to be ready.
    pub wait: bool,
    /// With `wait`, wait for Jobs to complete too.
    pub wait_for_jobs: bool,
    /// How long hooks and waits may take.
    pub timeout: Duration,
    /// Readiness rules for `wait` and hooks (`--wait=watcher|legacy`).
    pub wait_strategy: WaitStrategy,
    /// Where `wait` progress goes.
    pub progress: Progress,
    /// Replace existing objects (delete and create).
    pub force: bool,
    /// Take over fields other managers own.
    pub force_conflicts: bool,
    /// Delete objects this rollback created when it fails.
    pub cleanup_on_fail: bool,
    /// Replaces "Rollback to N" as the description.
    pub description: Option<String>,
    /// Server-side (`Some(true)`), client-side (`Some(false)`) or as the
    /// target revision was applied (`None`).
    pub server_side: Option<bool>,
}

impl Default for RollbackOptions {
    fn default() -> Self {
        RollbackOptions {
            name: String::new(),
            version: 0,
            no_hooks: false,
            dry_run: DryRun::None,
            wait: false,
            wait_for_jobs: false,
            timeout: DEFAULT_TIMEOUT,
            wait_strategy: WaitStrategy::default(),
            progress: Progress::default(),
            force: false,
            force_conflicts: false,
            cleanup_on_fail: false,
            description: None,
            server_side: None,
        }
    }
}

/// Rolls release `opts.name` back; returns the new revision.
pub async fn rollback<D: Driver>(
    storage: &Storage<D>,
    client: &KubeClient,
    opts: &RollbackOptions,
) -> Result<Release, ActionError> {
    validate_release_name(&opts.name).map_err(|_| {
        ActionError::Invalid(format!(
            "prepareRollback: Release name is invalid: {}",
            opts.name
        ))
    })?;
    if opts.version < 0 {
        return Err(ActionError::Invalid("invalid release revision".into()));
    }
    let mut history = storage.history(&opts.name).await.map_err(|e| match e {
        StorageError::NotFound => ActionError::Invalid(format!(
            "release: not found: no release named {:?} in this namespace",
            opts.name
        )),
        e => e.into(),
    })?;
    history.sort_by_key(|r| r.version);
    let Some(current) = history.last().cloned() else {
        return Err(StorageError::NotFound.into());
    };
    let version = if opts.version == 0 {
        current.version - 1
    } else {
        opts.version
    };
    let Some(previous) = history.iter().find(|r| r.version == version).cloned() else {
        return Err(ActionError::Invalid(format!(
            "release has no {version} version"
        )));
    };

    // Helm's `auto`: server-side only when the target revision says `ssa`.
    let server_side = opts
        .server_side
        .unwrap_or_else(|| previous.apply_method == APPLY_METHOD_SERVER_SIDE);
    let mut target = Release {
        name: opts.name.clone(),
        namespace: current.namespace.clone(),
        version: current.version + 1,
        chart: previous.chart.clone(),
        config: previous.config.clone(),
        manifest: previous.manifest.clone(),
        hooks: previous.hooks.clone(),
        info: Some(Info {
            first_deployed: current
                .info
                .as_ref()
                .map(|i| i.first_deployed)
                .unwrap_or_else(GoTime::now),
            last_deployed: GoTime::now(),
            status: Status::PendingRollback,
            notes: previous
                .info
                .as_ref()
                .map(|i| i.notes.clone())
                .unwrap_or_default(),
            rollback_revision: version,
            description: opts
                .description
                .clone()
                .unwrap_or_else(|| format!("Rollback to {version}")),
            ..Info::default()
        }),
        labels: previous.labels.clone(),
        apply_method: if server_side {
            APPLY_METHOD_SERVER_SIDE
        } else {
            APPLY_METHOD_CLIENT_SIDE
        }
        .into(),
    };
    if opts.dry_run.is_dry_run() {
        return Ok(target);
    }
    storage.check_fits(&target)?;

    let namespace = current.namespace.clone();
    let client = client.with_namespace(&namespace);
    let resources = ResourceClient::connect(client).await?;
    let deployer = Deployer {
        resources: &resources,
        release: &opts.name,
        namespace: &namespace,
        server_side,
        force_conflicts: opts.force_conflicts,
        upgrade_client_side_fields: true,
        force_replace: opts.force,
        timeout: opts.timeout,
        strategy: opts.wait_strategy,
        progress: opts.progress.clone(),
    };
    let current_objects = deployer.objects(&current.manifest)?;
    let target_objects = deployer.objects(&target.manifest)?;
    // Objects of the target that the current revision does not hold are
    // (re)created; remember which did not exist, for cleanup_on_fail.
    let created = deployer
        .claim_new_objects(&current_objects, &target_objects, true)
        .await?;

    lock::claim_revision(storage, &target).await?;
    let steps = RollOut {
        pre: HookEvent::PreRollback,
        post: HookEvent::PostRollback,
        hooks: !opts.no_hooks,
        wait: opts.wait,
        wait_for_jobs: opts.wait_for_jobs,
    };
    let outcome = deployer
        .roll_out(&mut target, &current_objects, &target_objects, &steps)
        .await;
    target.apply_method = deployer.apply_method().into();
    if let Err(err) = outcome {
        let msg = format!("Rollback {:?} failed: {err}", opts.name);
        let mut current = current;
        if !current.status().is_pending() {
            if let Some(info) = current.info.as_mut() {
                info.status = Status::Superseded;
            }
            if let Err(e) = storage.update(&current).await {
                tracing::warn!(error = %e, "could not record the superseded revision");
            }
        }
        target.set_status(Status::Failed, msg);
        if let Err(e) = storage.update(&target).await {
            tracing::warn!(error = %e, "could not record the failed rollback");
        }
        if opts.cleanup_on_fail && !created.is_empty() {
            let errors = deployer.delete_all(&created).await;
            if !errors.is_empty() {
                return Err(ActionError::Invalid(format!(
                    "an error occurred while cleaning up resources. original rollback error: {err}: unable to cleanup resources: {}",
                    errors.join(", ")
                )));
            }
        }
        return Err(err);
    }

    // Supersede every deployed revision (Helm's fix for histories with
    // several), and fail the ones an interrupted operation left pending.
    for mut rel in history {
        let status = rel.status();
        if status == Status::Deployed {
            if let Some(info) = rel.info.as_mut() {
                info.status = Status::Superseded;
            }
            storage.update(&rel).await?;
        } else if status.is_pending() {
            rel.set_status(
                Status::Failed,
                format!(
                    "Interrupted {status} (the operation did not finish); recovered by rollback to {version}"
                ),
            );
            storage.update(&rel).await?;
        }
    }
    target.set_status(
        Status::Deployed,
        target
            .info
            .as_ref()
            .map(|i| i.description.clone())
            .unwrap_or_default(),
    );
    storage.update(&target).await?;
    Ok(target)
}
