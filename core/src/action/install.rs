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
use super::render::{RenderRequest, RenderedChart, render_chart};
use super::template::crd_documents;
use crate::chart::Chart;
use crate::engine::ReleaseInfo;
use crate::kube::{ApiDiscovery, KubeClient, ManifestObject, ResourceClient, stamp_ownership};
use crate::release::manifest::manifest_text;
use crate::release::record::as_json_numbers;
use crate::release::record::{
    APPLY_METHOD_CLIENT_SIDE, APPLY_METHOD_SERVER_SIDE, GoTime, Info, Release, ReleaseChart,
};
use crate::release::status::Status;
use crate::release::{HookEvent, HookPhase};
use crate::storage::{Driver, Storage, StorageError};
use crate::values::Value;

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

/// What to install and how.
#[derive(Clone, Debug, Default)]
pub struct InstallOptions {
    /// The release name.
    pub name: String,
    /// The release namespace.
    pub namespace: String,
    /// Values the user supplied (merged from -f/--set...).
    pub user_values: Value,
    /// Render and check against the cluster, but write nothing.
    pub dry_run: bool,
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
    /// Create objects with server-side apply (Helm v4's default). When
    /// false, objects are created with a plain POST, as Helm's client-side
    /// mode does, and the record says `csa`.
    pub server_side: bool,
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
    validate_release_name(&opts.name)?;
    let client = client.with_namespace(&opts.namespace);
    let mut resources = ResourceClient::connect(client.clone()).await?;

    // As Helm: a name already in use stops the install before anything,
    // CRDs included, is written to the cluster.
    available_name(storage, &opts.name, opts.replace).await?;
    if !opts.skip_crds && !opts.dry_run {
        let crds = crd_documents(&chart, "");
        if !crds.is_empty() {
            resources = install_crds(&client, &resources, &crds).await?;
        }
    }

    let req = RenderRequest {
        release: ReleaseInfo {
            name: opts.name.clone(),
            namespace: opts.namespace.clone(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
            service: "Helm".into(),
        },
        capabilities: resources.discovery().capabilities(),
        user_values: opts.user_values.clone(),
        render_subchart_notes: opts.render_subchart_notes,
        skip_schema_validation: opts.skip_schema_validation,
        lint_mode: false,
    };
    let rendered = render_chart(chart, &req)?;
    let mut release = new_release(&rendered, opts)?;

    let objects = manifest_objects(&rendered, opts)?;
    // Helm refuses before touching anything when an object exists that
    // belongs to no release or to another one.
    for obj in &objects {
        if let Err(e) = resources
            .check_adoptable(obj, &opts.name, &opts.namespace)
            .await
        {
            return Err(ActionError::Invalid(format!(
                "Unable to continue with install: {e}"
            )));
        }
    }
    if opts.dry_run {
        release.set_status(Status::PendingInstall, "Dry run complete");
        return Ok(release);
    }
    if opts.create_namespace {
        create_namespace(&resources, &opts.namespace).await?;
    }
    if opts.replace {
        replace_release(storage, &mut release).await?;
    }
    match storage.create(&release).await {
        Ok(()) => {}
        Err(StorageError::AlreadyExists) => {
            return Err(ActionError::Invalid(format!(
                "release {:?}: another operation created revision {} first: cannot re-use a name that is still in use",
                opts.name, release.version
            )));
        }
        Err(e) => return Err(e.into()),
    }

    match perform(&resources, &mut release, &objects, opts).await {
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
            Err(e)
        }
    }
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
        apply_method: if opts.server_side {
            APPLY_METHOD_SERVER_SIDE
        } else {
            APPLY_METHOD_CLIENT_SIDE
        }
        .into(),
        ..Release::default()
    })
}

/// The manifests as objects stamped with the release's ownership metadata.
fn manifest_objects(
    rendered: &RenderedChart,
    opts: &InstallOptions,
) -> Result<Vec<ManifestObject>, ActionError> {
    let mut out = Vec::new();
    for m in &rendered.manifests {
        if m.content.trim().is_empty() {
            continue;
        }
        let mut obj = ManifestObject::parse(&m.content)
            .map_err(|e| ActionError::Invalid(format!("{}: {e}", m.name)))?;
        stamp_ownership(&mut obj.object, &opts.name, &opts.namespace);
        out.push(obj);
    }
    Ok(out)
}

/// Hooks of one event, then the manifests, then the post hooks; hook runs
/// are recorded in `release`.
async fn perform(
    resources: &ResourceClient,
    release: &mut Release,
    objects: &[ManifestObject],
    opts: &InstallOptions,
) -> Result<(), ActionError> {
    if !opts.no_hooks {
        run_hooks(resources, release, HookEvent::PreInstall, opts.server_side).await?;
    }
    for obj in objects {
        put_object(resources, obj, opts.server_side).await?;
    }
    if !opts.no_hooks {
        run_hooks(resources, release, HookEvent::PostInstall, opts.server_side).await?;
    }
    Ok(())
}

/// Server-side applies `obj`, or creates it with a POST.
async fn put_object(
    resources: &ResourceClient,
    obj: &ManifestObject,
    server_side: bool,
) -> Result<(), ActionError> {
    if server_side {
        resources.apply(obj, false).await?;
        Ok(())
    } else {
        create_object(resources, obj).await
    }
}

/// Creates the hooks of `event` in their stored (weight) order, replacing
/// an object left by an earlier run (Helm's default `before-hook-creation`
/// policy). Hooks are not awaited: a Job or Pod hook is created and left
/// running (recorded as `Running`); other kinds are complete once created
/// (`Succeeded`, as Helm records them). Other delete policies are not applied.
async fn run_hooks(
    resources: &ResourceClient,
    release: &mut Release,
    event: HookEvent,
    server_side: bool,
) -> Result<(), ActionError> {
    for hook in release
        .hooks
        .iter_mut()
        .filter(|h| h.events.contains(&event))
    {
        let obj = ManifestObject::parse(&hook.manifest)
            .map_err(|e| ActionError::Invalid(format!("{}: {e}", hook.path)))?;
        resources
            .delete(&obj, crate::kube::Propagation::Background)
            .await?;
        hook.last_run.started_at = GoTime::now();
        hook.last_run.completed_at = GoTime::zero();
        if let Err(e) = put_object(resources, &obj, server_side).await {
            hook.last_run.phase = HookPhase::Failed;
            return Err(ActionError::Invalid(format!(
                "failed {}: {}: {e}",
                event.as_str(),
                hook.path
            )));
        }
        if matches!(obj.kind.as_str(), "Job" | "Pod") {
            hook.last_run.phase = HookPhase::Running;
        } else {
            hook.last_run.completed_at = GoTime::now();
            hook.last_run.phase = HookPhase::Succeeded;
        }
    }
    Ok(())
}

/// Creates `obj` with a POST (Helm's client-side create); an object that
/// already exists (adopted: the ownership check passed) is server-side
/// applied instead, since client-side updates are not implemented.
async fn create_object(
    resources: &ResourceClient,
    obj: &ManifestObject,
) -> Result<(), ActionError> {
    use ::kube::api::{Api, DynamicObject, PostParams};
    let target = resources.resolve(obj)?;
    let raw = resources.client().raw().clone();
    let ar = &target.resource.api_resource;
    let api: Api<DynamicObject> = match &target.namespace {
        Some(ns) => Api::namespaced_with(raw, ns, ar),
        None => Api::all_with(raw, ar),
    };
    let mut body = obj.object.clone();
    if let Some(metadata) = body.get_mut("metadata").and_then(Json::as_object_mut) {
        match &target.namespace {
            Some(ns) => metadata.insert("namespace".into(), Json::String(ns.clone())),
            None => metadata.remove("namespace"),
        };
    }
    let dynamic: DynamicObject = serde_json::from_value(body).map_err(|e| {
        ActionError::Invalid(format!(
            "{} {:?}: not a Kubernetes object: {e}",
            obj.kind, obj.name
        ))
    })?;
    match api.create(&PostParams::default(), &dynamic).await {
        Ok(_) => Ok(()),
        Err(::kube::Error::Api(status)) if status.code == 409 => {
            resources.apply(obj, false).await?;
            Ok(())
        }
        Err(e) => {
            let op = crate::kube::Operation::new(
                "create",
                &target.resource.resource_name(),
                &obj.name,
                target.namespace.as_deref().unwrap_or(""),
            );
            Err(resources.client().error(e, op).into())
        }
    }
}

/// Creates the release namespace unless it exists (Helm labels it `name`).
async fn create_namespace(resources: &ResourceClient, namespace: &str) -> Result<(), ActionError> {
    let obj = ManifestObject::from_json(json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": namespace, "labels": {"name": namespace}},
    }))?;
    if resources.get(&obj).await?.is_none() {
        resources.apply(&obj, false).await?;
    }
    Ok(())
}

/// Creates the CRDs that do not exist yet (Helm never updates CRDs), then
/// rediscovers until their kinds are served, so that templates using them
/// can be applied.
async fn install_crds(
    client: &KubeClient,
    resources: &ResourceClient,
    crds: &[(String, String)],
) -> Result<ResourceClient, ActionError> {
    let mut wanted = Vec::new();
    let mut created = false;
    for (path, text) in crds {
        for doc in crate::release::manifest::split_manifests(text) {
            if doc.trim().is_empty() {
                continue;
            }
            let obj = ManifestObject::parse(&doc)
                .map_err(|e| ActionError::Invalid(format!("{path}: {e}")))?;
            wanted.extend(crd_kinds(&obj.object));
            if resources.get(&obj).await?.is_none() {
                resources.apply(&obj, false).await?;
                created = true;
            }
        }
    }
    if !created {
        return Ok(resources.clone());
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
    Ok(ResourceClient::new(client.clone(), Arc::new(discovery)))
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
