//! `hoist install`: Helm's `Install.Run` against a real cluster. Renders the
//! chart with the server's capabilities, claims revision 1 in storage as
//! `pending-install` (creation is the lock: of two installs racing for one
//! name, exactly one creates the record), checks that no existing object
//! belongs to someone else, server-side applies every manifest in install
//! order, then records the outcome (`deployed`, or `failed` with the error).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value as Json, json};

use super::ActionError;
use super::deploy::{DEFAULT_TIMEOUT, Deployer, Progress, RollOut};
use super::dry_run::DryRun;
use super::postrender::{PostRenderer, post_render};
use super::render::{RenderRequest, RenderedChart, render_chart, render_with_lookup};
use super::template::crd_documents;
use crate::chart::Chart;
use crate::engine::ReleaseInfo;
use crate::kube::WaitStrategy;
use crate::kube::{ApiDiscovery, KubeClient, ManifestObject, ResourceClient};
use crate::release::HookEvent;
use crate::release::manifest::manifest_text;
use crate::release::record::as_json_numbers;
use crate::release::record::{
    APPLY_METHOD_CLIENT_SIDE, APPLY_METHOD_SERVER_SIDE, GoTime, Info, Release, ReleaseChart,
};
use crate::release::status::Status;
use crate::storage::codec::{SYSTEM_LABELS, contains_system_labels};
use crate::storage::{Driver, Storage, StorageError};
use crate::values::Value;
use std::collections::BTreeMap;

/// Longest release name Helm accepts (it ends up in object names and labels).
pub const MAX_RELEASE_NAME_LEN: usize = 53;

/// Helm's message for a release name that breaks its rules.
const INVALID_NAME: &str = "invalid release name, must match regex \
    ^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*)$ \
    and the length must not be longer than 53";

/// Checks a release name as Helm's `ValidateReleaseName` does: DNS-1123
/// subdomain syntax, at most 53 characters.
pub fn validate_release_name(name: &str) -> Result<(), ActionError> {
    if name.is_empty() {
        return Err(ActionError::Invalid("no name provided".into()));
    }
    let label_ok = |label: &str| {
        let b = label.as_bytes();
        let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        !b.is_empty()
            && b.first().is_some_and(alnum)
            && b.last().is_some_and(alnum)
            && b.iter().all(|c| alnum(c) || *c == b'-')
    };
    if name.len() > MAX_RELEASE_NAME_LEN || !name.split('.').all(label_ok) {
        return Err(ActionError::Invalid(format!(
            "release name {name:?}: {INVALID_NAME}"
        )));
    }
    Ok(())
}

/// `--generate-name`: `CHART-UNIXSECONDS`, as Helm generates it.
pub fn generated_name(chart: &str) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("{chart}-{secs}")
}

/// What to install and how.
#[derive(Clone, Debug, Default)]
pub struct InstallOptions {
    /// The release name.
    pub name: String,
    /// The release's own labels (`--labels`), stored on the record.
    pub labels: BTreeMap<String, String>,
    /// The release namespace.
    pub namespace: String,
    /// Values the user supplied (merged from -f/--set...).
    pub user_values: Value,
    /// Write nothing: render only ([`DryRun::Client`], see
    /// [`install_client_only`]) or render and check against the cluster
    /// ([`DryRun::Server`]).
    pub dry_run: DryRun,
    /// Replaces "Install complete" as the final description.
    pub description: Option<String>,
    /// Do not install the CRDs of crds/ folders.
    pub skip_crds: bool,
    /// Do not run pre-install and post-install hooks.
    pub no_hooks: bool,
    /// Create the release namespace if it does not exist.
    pub create_namespace: bool,
    /// Re-use the name of a release whose last revision is uninstalled or failed.
    pub replace: bool,
    /// Concatenate subcharts' NOTES.txt after the parent's.
    pub render_subchart_notes: bool,
    /// Skip values.schema.json checks.
    pub skip_schema_validation: bool,
    /// `getHostByName` resolves names (Helm's `--enable-dns`).
    pub enable_dns: bool,
    /// Create objects with server-side apply (Helm v4's default). When
    /// false, objects are created with a plain POST, as Helm's client-side
    /// mode does, and the record says `csa`.
    pub server_side: bool,
    /// Adopt existing objects that belong to no release or another one.
    pub take_ownership: bool,
    /// Uninstall when the install fails (`--atomic`).
    pub atomic: bool,
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
    /// Take over fields other managers own on server-side apply.
    pub force_conflicts: bool,
    /// Rewrites the manifest block before it is stored and applied
    /// (`--post-renderer`).
    pub post_renderer: Option<PostRenderer>,
}

/// Installs `chart` as release `opts.name`. On success returns the stored
/// `deployed` record (or, with `dry_run`, the record that would have been
/// stored). A failure after the record was created leaves it `failed`, as
/// Helm does, and returns the error.
pub async fn install<D: Driver>(
    storage: &Storage<D>,
    client: &KubeClient,
    chart: Chart,
    opts: &InstallOptions,
) -> Result<Release, ActionError> {
    if opts.dry_run == DryRun::Client {
        return install_client_only(chart, opts).await;
    }
    validate_release_name(&opts.name)?;
    check_user_labels(&opts.labels)?;
    let client = client.with_namespace(&opts.namespace);
    let mut resources = ResourceClient::connect(client.clone()).await?;

    // As Helm: a name already in use stops the install before anything,
    // CRDs included, is written to the cluster. A dry run does not check
    // (Helm's `availableName` bails out on one).
    if !opts.dry_run.is_dry_run() {
        available_name(storage, &opts.name, opts.replace).await?;
    }
    let crds = if opts.skip_crds || opts.dry_run.is_dry_run() {
        Vec::new()
    } else {
        crd_documents(&chart, "")
    };
    // The record's size is checked before the CRDs are created, so an
    // oversized release writes nothing. Templates may test for the CRDs'
    // APIs, so once new CRDs exist the chart is rendered again. A first
    // render that fails only for want of those APIs is retried the same way.
    let spare = (!crds.is_empty()).then(|| chart.clone());
    let first = render_release(chart, opts, &resources).await;
    if let Ok(release) = &first {
        storage.check_fits(release)?;
    }
    let mut release = match spare {
        None => first?,
        Some(chart) => {
            let (updated, created) =
                install_crds(&client, &resources, &crds, opts.server_side).await?;
            resources = updated;
            match first {
                Ok(done) if !created => done,
                _ => {
                    let again = render_release(chart, opts, &resources).await?;
                    storage.check_fits(&again)?;
                    again
                }
            }
        }
    };

    let deployer = Deployer {
        resources: &resources,
        release: &opts.name,
        namespace: &opts.namespace,
        server_side: opts.server_side,
        force_conflicts: opts.force_conflicts,
        upgrade_client_side_fields: opts.take_ownership,
        force_replace: false,
        timeout: if opts.timeout.is_zero() {
            DEFAULT_TIMEOUT
        } else {
            opts.timeout
        },
        strategy: opts.wait_strategy,
        progress: opts.progress.clone(),
    };
    let objects = deployer.objects(&release.manifest)?;
    // Helm refuses before touching anything when an object exists that
    // belongs to no release or to another one.
    let created = deployer
        .claim_new_objects(&[], &objects, opts.take_ownership)
        .await
        .map_err(|e| ActionError::Invalid(format!("unable to continue with install: {e}")))?;
    if opts.dry_run.is_dry_run() {
        release.set_status(Status::PendingInstall, "Dry run complete");
        return Ok(release);
    }
    if opts.create_namespace {
        create_namespace(&resources, &opts.namespace, opts.server_side).await?;
    }
    if opts.replace {
        replace_release(storage, &mut release).await?;
    }
    super::lock::claim_revision(storage, &release).await?;

    let steps = RollOut {
        pre: HookEvent::PreInstall,
        post: HookEvent::PostInstall,
        hooks: !opts.no_hooks,
        wait: opts.wait,
        wait_for_jobs: opts.wait_for_jobs,
    };
    let outcome = deployer.roll_out(&mut release, &[], &objects, &steps).await;
    release.apply_method = deployer.apply_method().into();
    match outcome {
        Ok(()) => {
            let description = opts
                .description
                .clone()
                .unwrap_or_else(|| "Install complete".into());
            release.set_status(Status::Deployed, description);
            storage.update(&release).await?;
            Ok(release)
        }
        Err(e) => {
            release.set_status(
                Status::Failed,
                format!("Release {:?} failed: {e}", opts.name),
            );
            if let Err(update) = storage.update(&release).await {
                tracing::warn!(error = %update, "could not record the failed install");
            }
            if opts.atomic {
                return Err(uninstall_failed(storage, &deployer, &release, &created, e).await);
            }
            Err(e)
        }
    }
}

/// Helm's `--name-template`: the release name from a Go template rendered
/// with no data (Sprig's functions available), e.g.
/// `web-{{ randAlpha 5 | lower }}`. The result must still be a valid
/// release name.
pub fn template_name(name_template: &str) -> Result<String, ActionError> {
    let name = crate::engine::gotemplate::render_text(
        "name-template",
        name_template,
        &crate::values::Value::Null,
    )
    .map_err(|e| ActionError::Invalid(format!("--name-template: {e}")))?;
    validate_release_name(&name)?;
    Ok(name)
}

/// `install --dry-run=client`: the record install would store, rendered
/// as Helm does without a cluster (its default capabilities, `lookup`
/// empty, no name or ownership checks), so it works where no cluster is
/// configured at all.
pub async fn install_client_only(
    chart: Chart,
    opts: &InstallOptions,
) -> Result<Release, ActionError> {
    validate_release_name(&opts.name)?;
    check_user_labels(&opts.labels)?;
    let req = render_request(opts, super::capabilities::offline_capabilities(None, &[])?);
    let rendered = render_chart(chart, &req)?;
    let mut release = new_release(&rendered, opts)?;
    release.manifest = post_render(opts.post_renderer.as_ref(), release.manifest).await?;
    release.set_status(Status::PendingInstall, "Dry run complete");
    Ok(release)
}

/// What revision 1 of `opts` renders with `capabilities`.
fn render_request(
    opts: &InstallOptions,
    capabilities: crate::engine::Capabilities,
) -> RenderRequest {
    RenderRequest {
        release: ReleaseInfo {
            name: opts.name.clone(),
            namespace: opts.namespace.clone(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
            service: "Helm".into(),
        },
        capabilities,
        user_values: opts.user_values.clone(),
        render_subchart_notes: opts.render_subchart_notes,
        skip_schema_validation: opts.skip_schema_validation,
        lint_mode: false,
        enable_dns: opts.enable_dns,
    }
}

/// Renders the chart for revision 1 into its `pending-install` record,
/// with the server's capabilities and `lookup`.
async fn render_release(
    chart: Chart,
    opts: &InstallOptions,
    resources: &ResourceClient,
) -> Result<Release, ActionError> {
    let req = render_request(opts, resources.discovery().capabilities());
    let rendered = render_with_lookup(chart, req, resources).await?;
    let mut release = new_release(&rendered, opts)?;
    release.manifest = post_render(opts.post_renderer.as_ref(), release.manifest).await?;
    Ok(release)
}

/// Helm's `availableName`: a name with any history is taken, unless
/// `replace` is set and its last revision is uninstalled or failed.
async fn available_name<D: Driver>(
    storage: &Storage<D>,
    name: &str,
    replace: bool,
) -> Result<(), ActionError> {
    let history = match storage.history(name).await {
        Ok(h) => h,
        Err(StorageError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let Some(last) = history.iter().max_by_key(|r| r.version) else {
        return Ok(());
    };
    if replace && matches!(last.status(), Status::Uninstalled | Status::Failed) {
        return Ok(());
    }
    Err(ActionError::Invalid(
        "cannot re-use a name that is still in use".into(),
    ))
}

/// Helm's `replaceRelease`: the new record takes the next revision number,
/// and a last revision that did not fail is marked superseded.
async fn replace_release<D: Driver>(
    storage: &Storage<D>,
    release: &mut Release,
) -> Result<(), ActionError> {
    let Ok(last) = storage.last(&release.name).await else {
        return Ok(());
    };
    release.version = last.version + 1;
    if last.status() == Status::Failed {
        return Ok(());
    }
    let mut last = last;
    last.set_status(Status::Superseded, "superseded by new release");
    storage.update(&last).await?;
    Ok(())
}

/// The revision-1 record, `pending-install`, as Helm's `createRelease`
/// followed by "Initial install underway".
fn new_release(rendered: &RenderedChart, opts: &InstallOptions) -> Result<Release, ActionError> {
    let now = GoTime::now();
    let config = match as_json_numbers(&opts.user_values) {
        Value::Map(m) => m,
        _ => Default::default(),
    };
    Ok(Release {
        name: opts.name.clone(),
        namespace: opts.namespace.clone(),
        version: 1,
        chart: Some(ReleaseChart::from_chart(&rendered.chart)?),
        config,
        manifest: manifest_text(&rendered.manifests),
        hooks: rendered.hooks.clone(),
        info: Some(Info {
            first_deployed: now,
            last_deployed: now,
            status: Status::PendingInstall,
            description: "Initial install underway".into(),
            notes: rendered.notes.clone(),
            ..Info::default()
        }),
        labels: opts.labels.clone(),
        apply_method: if opts.server_side {
            APPLY_METHOD_SERVER_SIDE
        } else {
            APPLY_METHOD_CLIENT_SIDE
        }
        .into(),
    })
}

/// Helm refuses user labels that reuse the names of its own record labels.
pub(crate) fn check_user_labels(labels: &BTreeMap<String, String>) -> Result<(), ActionError> {
    if contains_system_labels(labels) {
        return Err(ActionError::Invalid(format!(
            "user supplied labels contains system reserved label name. System labels: [{}]",
            SYSTEM_LABELS.join(" ")
        )));
    }
    Ok(())
}

/// `--atomic` after a failed install, as Helm: uninstall the release
/// (objects and history) and report both.
async fn uninstall_failed<D: Driver>(
    storage: &Storage<D>,
    deployer: &Deployer<'_>,
    release: &Release,
    created: &[ManifestObject],
    err: ActionError,
) -> ActionError {
    let mut errors = deployer.delete_all(created).await;
    match storage.delete(&release.name, release.version).await {
        Ok(_) | Err(StorageError::NotFound) => {}
        Err(e) => errors.push(e.to_string()),
    }
    if errors.is_empty() {
        ActionError::Invalid(format!(
            "release {} failed, and has been uninstalled due to atomic being set: {err}",
            release.name
        ))
    } else {
        ActionError::Invalid(format!(
            "an error occurred while uninstalling the release. original install error: {err}: {}",
            errors.join("; ")
        ))
    }
}

/// Creates the release namespace unless it exists (Helm labels it `name`),
/// with server-side apply when `server_side` and the server supports it.
async fn create_namespace(
    resources: &ResourceClient,
    namespace: &str,
    server_side: bool,
) -> Result<(), ActionError> {
    let obj = ManifestObject::from_json(json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": namespace, "labels": {"name": namespace}},
    }))?;
    if resources.get(&obj).await?.is_some() {
        return Ok(());
    }
    if !server_side || resources.apply_if_supported(&obj, false).await?.is_none() {
        resources.create(&obj).await?;
    }
    Ok(())
}

/// Creates the CRDs that do not exist yet (Helm never updates CRDs), then
/// rediscovers until their kinds are served, so that templates using them
/// can be applied. Says whether any CRD was created. CRDs are applied
/// server-side when `server_side` and the server supports it, else created
/// with a POST.
async fn install_crds(
    client: &KubeClient,
    resources: &ResourceClient,
    crds: &[(String, String)],
    server_side: bool,
) -> Result<(ResourceClient, bool), ActionError> {
    let mut wanted = Vec::new();
    let mut created = false;
    for (path, text) in crds {
        for doc in crate::release::manifest::split_manifests(text) {
            // Comment-only documents (license headers before `---`) are
            // skipped, as Helm does.
            if super::deploy::is_blank_document(&doc) {
                continue;
            }
            let obj = ManifestObject::parse(&doc)
                .map_err(|e| ActionError::Invalid(format!("{path}: {e}")))?;
            wanted.extend(crd_kinds(&obj.object));
            if resources.get(&obj).await?.is_none() {
                let applied =
                    server_side && resources.apply_if_supported(&obj, false).await?.is_some();
                if !applied {
                    resources.create(&obj).await?;
                }
                created = true;
            }
        }
    }
    if !created {
        return Ok((resources.clone(), false));
    }
    let mut discovery = ApiDiscovery::run(client).await?;
    for _ in 0..20 {
        if wanted
            .iter()
            .all(|(api_version, kind)| discovery.resolve(api_version, kind).is_some())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        discovery = ApiDiscovery::run(client).await?;
    }
    Ok((resources.rediscovered(Arc::new(discovery)), true))
}

/// `(group/version, kind)` of every served version of a CRD.
fn crd_kinds(crd: &Json) -> Vec<(String, String)> {
    let spec = &crd["spec"];
    let (Some(group), Some(kind)) = (spec["group"].as_str(), spec["names"]["kind"].as_str()) else {
        return Vec::new();
    };
    spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["name"].as_str())
        .map(|v| (format!("{group}/{v}"), kind.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names_follow_helm_rules() {
        for ok in ["a", "my-app", "a.b-c", "x1", &"a".repeat(53)] {
            validate_release_name(ok).unwrap();
        }
        for bad in ["", "My-App", "-a", "a-", "a..b", "a_b", &"a".repeat(54)] {
            assert!(validate_release_name(bad).is_err(), "{bad}");
        }
        assert!(
            validate_release_name("A")
                .unwrap_err()
                .to_string()
                .starts_with("release name \"A\": invalid release name")
        );
    }

    #[test]
    fn crd_kinds_lists_each_version() {
        let crd = json!({"spec": {"group": "x.io", "names": {"kind": "W"},
            "versions": [{"name": "v1"}, {"name": "v2"}]}});
        assert_eq!(
            crd_kinds(&crd),
            [
                ("x.io/v1".into(), "W".into()),
                ("x.io/v2".into(), "W".into())
            ]
        );
    }
}
