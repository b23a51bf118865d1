//! `hoist upgrade`: Helm's `Upgrade.Run`. Renders the new chart against the
//! release's current revision, claims the next revision as
//! `pending-upgrade` (the claim is the lock), runs pre-upgrade hooks,
//! applies the new objects and deletes the ones the chart dropped, waits if
//! asked, runs post-upgrade hooks, then marks the new revision `deployed`
//! and the old one `superseded`. A failure marks the new revision `failed`;
//! `cleanup_on_fail` deletes what it created and `atomic` rolls back to the
//! last successful revision.
//!
//! Unlike Helm, an upgrade that would change nothing (same chart, values,
//! manifests, hooks and notes as the deployed revision) creates no revision
//! unless `force` is set, so `upgrade --install` in a pipeline is idempotent.

use std::time::Duration;

use super::ActionError;
use super::deploy::{DEFAULT_TIMEOUT, Deployer, Progress, RollOut};
use super::dry_run::DryRun;
use super::install::{InstallOptions, check_user_labels, install, validate_release_name};
use super::lock;
use super::postrender::{PostRenderer, post_render};
use super::render::RenderRequest;
use super::rollback::{RollbackOptions, rollback};
use crate::chart::Chart;
use crate::engine::ReleaseInfo;
use crate::kube::WaitStrategy;
use crate::kube::{KubeClient, ResourceClient};
use crate::release::HookEvent;
use crate::release::manifest::manifest_text;
use crate::release::record::{
    APPLY_METHOD_CLIENT_SIDE, APPLY_METHOD_SERVER_SIDE, GoTime, Info, Release, ReleaseChart,
    as_json_numbers,
};
use crate::release::status::Status;
use crate::storage::{Driver, Storage, StorageError};
use crate::values::reuse::{ReuseMode, reuse_values};
use crate::values::{Map, Value};
use std::collections::BTreeMap;

/// How to upgrade.
#[derive(Clone, Debug)]
pub struct UpgradeOptions {
    /// The release name.
    pub name: String,
    /// Labels to add to the release's own (`--labels`); an empty value
    /// removes that label, as Helm's `mergeCustomLabels` does.
    pub labels: BTreeMap<String, String>,
    /// The release namespace.
    pub namespace: String,
    /// Values the user supplied (merged from -f/--set...).
    pub user_values: Value,
    /// `-i/--install`: install when the release does not exist.
    pub install: bool,
    /// How the previous revision's values combine with the new ones.
    pub reuse: ReuseMode,
    /// Write nothing: render (without `lookup` for [`DryRun::Client`]) and
    /// check against the cluster.
    pub dry_run: DryRun,
    /// Replaces "Upgrade complete" as the final description.
    pub description: Option<String>,
    /// Do not run hooks.
    pub no_hooks: bool,
    /// With `install`: do not install CRDs.
    pub skip_crds: bool,
    /// With `install`: create the namespace.
    pub create_namespace: bool,
    /// Concatenate subcharts' NOTES.txt after the parent's.
    pub render_subchart_notes: bool,
    /// Skip values.schema.json checks.
    pub skip_schema_validation: bool,
    /// `getHostByName` resolves names (Helm's `--enable-dns`).
    pub enable_dns: bool,
    /// Delete objects this upgrade created when it fails.
    pub cleanup_on_fail: bool,
    /// Roll back to the last successful revision when the upgrade fails
    /// (`--atomic`, `--rollback-on-failure`).
    pub atomic: bool,
    /// `--force`: replace existing objects (delete and create) and create a
    /// revision even when nothing changed.
    pub force: bool,
    /// `--force-conflicts`: take over fields other managers own.
    pub force_conflicts: bool,
    /// Adopt existing objects that belong to no release or another one.
    pub take_ownership: bool,
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
    /// Server-side apply (`Some(true)`), client-side (`Some(false)`) or
    /// whatever the previous revision used (`None`, Helm's `auto`).
    pub server_side: Option<bool>,
    /// Rewrites the manifest block before it is stored and applied
    /// (`--post-renderer`).
    pub post_renderer: Option<PostRenderer>,
}

impl Default for UpgradeOptions {
    fn default() -> Self {
        UpgradeOptions {
            name: String::new(),
            labels: BTreeMap::new(),
            namespace: String::new(),
            user_values: Value::Map(Map::new()),
            install: false,
            reuse: ReuseMode::Default,
            dry_run: DryRun::None,
            description: None,
            no_hooks: false,
            skip_crds: false,
            create_namespace: false,
            render_subchart_notes: false,
            skip_schema_validation: false,
            enable_dns: false,
            cleanup_on_fail: false,
            atomic: false,
            force: false,
            force_conflicts: false,
            take_ownership: false,
            wait: false,
            wait_for_jobs: false,
            timeout: DEFAULT_TIMEOUT,
            wait_strategy: WaitStrategy::default(),
            progress: Progress::default(),
            server_side: None,
            post_renderer: None,
        }
    }
}

/// What an upgrade did.
#[derive(Clone, Debug)]
pub struct UpgradeOutcome {
    /// The revision as stored (or, for a dry run, as it would be).
    pub release: Release,
    /// The release did not exist and `install` installed it.
    pub installed: bool,
    /// Nothing changed: no revision was created and `release` is the
    /// deployed one.
    pub unchanged: bool,
}

/// Upgrades release `opts.name` to `chart`.
pub async fn upgrade<D: Driver>(
    storage: &Storage<D>,
    client: &KubeClient,
    chart: Chart,
    opts: &UpgradeOptions,
) -> Result<UpgradeOutcome, ActionError> {
    validate_release_name(&opts.name)
        .map_err(|_| ActionError::Invalid(format!("release name is invalid: {}", opts.name)))?;
    check_user_labels(&opts.labels)?;
    let mut history = match storage.history(&opts.name).await {
        Ok(h) => h,
        Err(StorageError::NotFound) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    history.sort_by_key(|r| r.version);
    let uninstalled = history
        .last()
        .is_some_and(|r| r.status() == Status::Uninstalled);
    if opts.install && (history.is_empty() || uninstalled) {
        let release = install(storage, client, chart, &install_options(opts, uninstalled)).await?;
        return Ok(UpgradeOutcome {
            release,
            installed: true,
            unchanged: false,
        });
    }
    let Some(last) = history.last().cloned() else {
        return Err(StorageError::NoDeployedReleases {
            name: opts.name.clone(),
        }
        .into());
    };
    if last.status().is_pending() {
        return Err(lock::pending(&last, history.len() > 1));
    }
    let current = if last.status() == Status::Deployed {
        last.clone()
    } else {
        match history
            .iter()
            .rev()
            .find(|r| r.status() == Status::Deployed)
        {
            Some(r) => r.clone(),
            None if matches!(last.status(), Status::Failed | Status::Superseded) => last.clone(),
            None => {
                return Err(StorageError::NoDeployedReleases {
                    name: opts.name.clone(),
                }
                .into());
            }
        }
    };

    let client = client.with_namespace(&current.namespace);
    let resources = ResourceClient::connect(client.clone()).await?;
    let mut chart = chart;
    let new_values = match &opts.user_values {
        Value::Map(m) => m.clone(),
        _ => Map::new(),
    };
    let values = reuse_values(
        opts.reuse,
        &mut chart,
        &stored_chart(current.chart.as_ref()),
        &current.config,
        new_values,
    )?;
    let req = RenderRequest {
        release: ReleaseInfo {
            name: opts.name.clone(),
            namespace: current.namespace.clone(),
            revision: u32::try_from(last.version + 1).unwrap_or(u32::MAX),
            is_install: false,
            is_upgrade: true,
            service: "Helm".into(),
        },
        capabilities: resources.discovery().capabilities(),
        user_values: Value::Map(values.clone()),
        render_subchart_notes: opts.render_subchart_notes,
        skip_schema_validation: opts.skip_schema_validation,
        lint_mode: false,
        enable_dns: opts.enable_dns,
    };
    // Helm renders `--dry-run=client` with an empty `lookup` even on upgrade.
    let rendered = if opts.dry_run.reads_cluster() {
        super::render::render_with_lookup(chart, req, &resources).await?
    } else {
        super::render::render_chart(chart, &req)?
    };
    let manifest = post_render(
        opts.post_renderer.as_ref(),
        manifest_text(&rendered.manifests),
    )
    .await?;
    // Helm's `auto`: server-side only when the last revision says `ssa`,
    // so records from Helm 3 (no apply_method) are updated client-side.
    let server_side = opts
        .server_side
        .unwrap_or_else(|| last.apply_method == APPLY_METHOD_SERVER_SIDE);
    let now = GoTime::now();
    let mut upgraded = Release {
        name: opts.name.clone(),
        namespace: current.namespace.clone(),
        version: last.version + 1,
        chart: Some(ReleaseChart::from_chart(&rendered.chart)?),
        config: match as_json_numbers(&Value::Map(values)) {
            Value::Map(m) => m,
            _ => Map::new(),
        },
        manifest,
        hooks: rendered.hooks.clone(),
        info: Some(Info {
            first_deployed: current
                .info
                .as_ref()
                .map(|i| i.first_deployed)
                .unwrap_or(now),
            last_deployed: now,
            status: Status::PendingUpgrade,
            description: "Preparing upgrade".into(),
            notes: rendered.notes.clone(),
            ..Info::default()
        }),
        labels: merge_labels(&last.labels, &opts.labels),
        apply_method: if server_side {
            APPLY_METHOD_SERVER_SIDE
        } else {
            APPLY_METHOD_CLIENT_SIDE
        }
        .into(),
    };

    if !opts.force && current.status() == Status::Deployed && same_content(&current, &upgraded) {
        return Ok(UpgradeOutcome {
            release: current,
            installed: false,
            unchanged: true,
        });
    }

    storage.check_fits(&upgraded)?;
    let deployer = Deployer {
        resources: &resources,
        release: &opts.name,
        namespace: &current.namespace,
        server_side,
        force_conflicts: opts.force_conflicts,
        upgrade_client_side_fields: current.apply_method != APPLY_METHOD_SERVER_SIDE,
        force_replace: opts.force,
        timeout: opts.timeout,
        strategy: opts.wait_strategy,
        progress: opts.progress.clone(),
    };
    let current_objects = deployer.objects(&current.manifest)?;
    let target_objects = deployer.objects(&upgraded.manifest)?;
    let created = deployer
        .claim_new_objects(&current_objects, &target_objects, opts.take_ownership)
        .await
        .map_err(|e| ActionError::Invalid(format!("unable to continue with update: {e}")))?;
    if opts.dry_run.is_dry_run() {
        upgraded.set_status(
            Status::PendingUpgrade,
            opts.description
                .clone()
                .unwrap_or_else(|| "Dry run complete".into()),
        );
        return Ok(UpgradeOutcome {
            release: upgraded,
            installed: false,
            unchanged: false,
        });
    }

    lock::claim_revision(storage, &upgraded).await?;
    let steps = RollOut {
        pre: HookEvent::PreUpgrade,
        post: HookEvent::PostUpgrade,
        hooks: !opts.no_hooks,
        wait: opts.wait,
        wait_for_jobs: opts.wait_for_jobs,
    };
    let result = deployer
        .roll_out(&mut upgraded, &current_objects, &target_objects, &steps)
        .await;
    upgraded.apply_method = deployer.apply_method().into();
    match result {
        Ok(()) => {
            let mut previous = current;
            if let Some(info) = previous.info.as_mut() {
                info.status = Status::Superseded;
            }
            storage.update(&previous).await?;
            upgraded.set_status(
                Status::Deployed,
                opts.description
                    .clone()
                    .unwrap_or_else(|| "Upgrade complete".into()),
            );
            storage.update(&upgraded).await?;
            Ok(UpgradeOutcome {
                release: upgraded,
                installed: false,
                unchanged: false,
            })
        }
        Err(e) => Err(fail(storage, &deployer, &mut upgraded, &created, opts, e).await),
    }
}

/// Helm's `failRelease`: records the failure, cleans up and rolls back as
/// asked, and returns the error to report.
async fn fail<D: Driver>(
    storage: &Storage<D>,
    deployer: &Deployer<'_>,
    upgraded: &mut Release,
    created: &[crate::kube::ManifestObject],
    opts: &UpgradeOptions,
    err: ActionError,
) -> ActionError {
    upgraded.set_status(
        Status::Failed,
        format!("Upgrade {:?} failed: {err}", upgraded.name),
    );
    if let Err(e) = storage.update(upgraded).await {
        tracing::warn!(error = %e, "could not record the failed upgrade");
    }
    if opts.cleanup_on_fail && !created.is_empty() {
        let errors = deployer.delete_all(created).await;
        if !errors.is_empty() {
            return ActionError::Invalid(format!(
                "an error occurred while cleaning up resources. original upgrade error: {err}: unable to cleanup resources: {}",
                errors.join(", ")
            ));
        }
    }
    if !opts.atomic {
        return err;
    }
    let target = match storage.history(&upgraded.name).await {
        Ok(h) => h
            .into_iter()
            .filter(|r| matches!(r.status(), Status::Superseded | Status::Deployed))
            .map(|r| r.version)
            .max(),
        Err(e) => {
            return ActionError::Invalid(format!(
                "an error occurred while finding last successful release. original upgrade error: {err}: {e}"
            ));
        }
    };
    let Some(version) = target else {
        return ActionError::Invalid(format!(
            "unable to find a previously successful release when attempting to rollback. original upgrade error: {err}"
        ));
    };
    let ropts = RollbackOptions {
        name: upgraded.name.clone(),
        version,
        no_hooks: opts.no_hooks,
        wait: opts.wait,
        wait_for_jobs: opts.wait_for_jobs,
        timeout: opts.timeout,
        force: opts.force,
        force_conflicts: opts.force_conflicts,
        wait_strategy: opts.wait_strategy,
        progress: opts.progress.clone(),
        ..RollbackOptions::default()
    };
    match rollback(storage, deployer.resources.client(), &ropts).await {
        Ok(_) => ActionError::Invalid(format!(
            "release {} failed, and has been rolled back due to atomic being set: {err}",
            upgraded.name
        )),
        Err(rerr) => ActionError::Invalid(format!(
            "an error occurred while rolling back the release. original upgrade error: {err}: {rerr}"
        )),
    }
}

/// The options for the install that `upgrade --install` runs instead.
fn install_options(opts: &UpgradeOptions, replace: bool) -> InstallOptions {
    InstallOptions {
        name: opts.name.clone(),
        labels: opts
            .labels
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        namespace: opts.namespace.clone(),
        user_values: opts.user_values.clone(),
        dry_run: opts.dry_run,
        description: opts.description.clone(),
        skip_crds: opts.skip_crds,
        no_hooks: opts.no_hooks,
        create_namespace: opts.create_namespace,
        replace,
        render_subchart_notes: opts.render_subchart_notes,
        skip_schema_validation: opts.skip_schema_validation,
        enable_dns: opts.enable_dns,
        server_side: opts.server_side.unwrap_or(true),
        take_ownership: opts.take_ownership,
        atomic: opts.atomic,
        wait: opts.wait,
        wait_for_jobs: opts.wait_for_jobs,
        timeout: opts.timeout,
        force_conflicts: opts.force_conflicts,
        wait_strategy: opts.wait_strategy,
        progress: opts.progress.clone(),
        post_renderer: opts.post_renderer.clone(),
    }
}

/// The previous revision's chart as far as values reuse needs it: its
/// name and values (stored records carry no subcharts).
fn stored_chart(stored: Option<&ReleaseChart>) -> Chart {
    let mut chart = Chart {
        values: Value::Map(Map::new()),
        ..Chart::default()
    };
    if let Some(rc) = stored {
        if let Some(md) = &rc.metadata {
            chart.metadata.name = md.name.clone();
        }
        if let Some(values) = &rc.values {
            chart.values = Value::Map(values.clone());
        }
    }
    chart
}

/// True when `new` would store the same objects, hooks, notes, user
/// values and chart (metadata, templates, files, schema) as `current`. The
/// chart's default values are left out: `--reuse-values` replaces them with
/// the previous revision's, and whatever they change shows in the manifest.
/// Helm's `mergeCustomLabels`: the new labels over the current ones; an
/// empty value deletes the label.
fn merge_labels(
    current: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut merged = current.clone();
    merged.extend(new.iter().map(|(k, v)| (k.clone(), v.clone())));
    merged.retain(|_, v| !v.is_empty());
    merged
}

fn same_content(current: &Release, new: &Release) -> bool {
    let notes = |r: &Release| r.info.as_ref().map(|i| i.notes.clone()).unwrap_or_default();
    let hooks = |r: &Release| {
        r.hooks
            .iter()
            .map(|h| (h.path.clone(), h.manifest.clone()))
            .collect::<Vec<_>>()
    };
    let chart = |r: &Release| {
        r.chart.as_ref().map(|c| ReleaseChart {
            values: None,
            ..c.clone()
        })
    };
    current.manifest == new.manifest
        && current.config == new.config
        && current.labels == new.labels
        && hooks(current) == hooks(new)
        && notes(current) == notes(new)
        && chart(current) == chart(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_content_compares_what_an_upgrade_stores() {
        let a = Release {
            name: "r".into(),
            manifest: "---\nkind: A\n".into(),
            ..Release::default()
        };
        let mut b = a.clone();
        b.version = 2;
        assert!(same_content(&a, &b));
        b.manifest.push_str("x: 1\n");
        assert!(!same_content(&a, &b));
        let mut c = a.clone();
        c.config.insert("k".into(), Value::Int(1));
        assert!(!same_content(&a, &c));
        let mut d = a.clone();
        d.labels.insert("team".into(), "web".into());
        assert!(!same_content(&a, &d), "a label change is a change");
    }

    #[test]
    fn labels_merge_over_the_current_ones_and_empty_values_delete() {
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            merge_labels(
                &map(&[("team", "web"), ("tier", "front")]),
                &map(&[("tier", ""), ("env", "prod"), ("team", "api")])
            ),
            map(&[("env", "prod"), ("team", "api")])
        );
    }

    #[test]
    fn stored_chart_keeps_name_and_values() {
        let mut values = Map::new();
        values.insert("a".into(), Value::Int(1));
        let rc = ReleaseChart {
            values: Some(values.clone()),
            ..ReleaseChart::default()
        };
        assert_eq!(stored_chart(Some(&rc)).values, Value::Map(values));
        assert_eq!(stored_chart(None).values, Value::Map(Map::new()));
    }
}
