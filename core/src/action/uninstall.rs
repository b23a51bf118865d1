//! `hoist uninstall`: Helm's `Uninstall.Run`. Marks the last revision
//! `uninstalling`, deletes the release's objects in uninstall order (sparing
//! those annotated `helm.sh/resource-policy: keep`), then purges the history
//! or, with `keep_history`, records the revision as `uninstalled`.

use super::ActionError;
use super::deploy::Deployer;
use super::install::validate_release_name;
use crate::kube::wait::{WaitOptions, wait_deleted};
use crate::kube::{KubeClient, ManifestObject, Propagation, ResourceClient};
use crate::release::HookEvent;
use crate::release::manifest::uninstall_manifests;
use crate::release::record::{GoTime, Release};
use crate::release::status::Status;
use crate::storage::{Driver, Storage, StorageError};

/// How to uninstall.
#[derive(Clone, Debug, Default)]
pub struct UninstallOptions {
    /// Keep the records, the last one marked `uninstalled`.
    pub keep_history: bool,
    /// Succeed quietly when the release does not exist.
    pub ignore_not_found: bool,
    /// Replaces "Uninstallation complete" as the final description.
    pub description: Option<String>,
    /// Do not run pre-delete and post-delete hooks.
    pub no_hooks: bool,
    /// How dependents of deleted objects go (`--cascade`).
    pub cascade: Propagation,
    /// Wait until the deleted objects are gone.
    pub wait: bool,
    /// How long hooks and the wait may take (zero: Helm's five minutes).
    pub timeout: std::time::Duration,
    /// Change nothing: only find the release's last revision.
    pub dry_run: bool,
}

/// What an uninstall did.
#[derive(Clone, Debug, Default)]
pub struct UninstallOutcome {
    /// The last revision as it ended (`None` when nothing was found).
    pub release: Option<Release>,
    /// `Kind/name` of the objects kept by their resource policy.
    pub kept: Vec<String>,
}

/// `[Kind] name` of each kept object, as Helm lists them.
fn kept_names(keep: &[crate::release::manifest::Manifest]) -> Vec<String> {
    keep.iter()
        .map(|m| {
            let name = m
                .head
                .metadata
                .as_ref()
                .map(|md| md.name.as_str())
                .unwrap_or("");
            format!("[{}] {}", m.head.kind, name)
        })
        .collect()
}

/// Uninstalls release `name` from the storage's namespace; objects are
/// deleted through `client` (whose namespace must be the release's).
pub async fn uninstall<D: Driver>(
    storage: &Storage<D>,
    client: &KubeClient,
    name: &str,
    opts: &UninstallOptions,
) -> Result<UninstallOutcome, ActionError> {
    validate_release_name(name)?;
    let mut history = match storage.history(name).await {
        Ok(h) if !h.is_empty() => h,
        Ok(_) | Err(StorageError::NotFound) if opts.ignore_not_found => {
            return Ok(UninstallOutcome::default());
        }
        Ok(_) | Err(StorageError::NotFound) => {
            return Err(ActionError::Invalid(format!(
                "uninstall: Release not loaded: {name}: release: not found"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    history.sort_by_key(|r| r.version);
    let mut release = history.pop().ok_or(StorageError::NotFound)?;
    if opts.dry_run {
        // Helm's dry run stops here: the release exists, nothing changes;
        // it still says which objects the resource policy would keep.
        let (keep, _) = uninstall_manifests(&release.manifest)?;
        return Ok(UninstallOutcome {
            kept: kept_names(&keep),
            release: Some(release),
        });
    }

    if release.status() == Status::Uninstalled {
        if !opts.keep_history {
            purge(storage, name, &history, &release).await?;
            return Ok(UninstallOutcome {
                release: Some(release),
                kept: Vec::new(),
            });
        }
        return Err(ActionError::Invalid(format!(
            "the release named {name:?} is already deleted"
        )));
    }

    release.set_status(
        Status::Uninstalling,
        "Deletion in progress (or silently failed)",
    );
    if let Some(info) = release.info.as_mut() {
        info.deleted = GoTime::now();
    }
    storage.update(&release).await?;

    let resources = ResourceClient::connect(client.with_namespace(&release.namespace)).await?;
    let namespace = release.namespace.clone();
    let deployer = Deployer::new(&resources, name, &namespace, opts.timeout);
    if !opts.no_hooks {
        deployer
            .run_hooks(&mut release, HookEvent::PreDelete)
            .await?;
    }
    let (keep, delete) = uninstall_manifests(&release.manifest)?;
    let mut errors = Vec::new();
    let mut deleted = Vec::new();
    for m in &delete {
        let obj = match ManifestObject::parse(&m.content) {
            Ok(o) => o,
            Err(e) => {
                errors.push(format!("{}: {e}", m.name));
                continue;
            }
        };
        match resources.delete(&obj, opts.cascade).await {
            Ok(true) => deleted.push(obj),
            Ok(false) => {}
            Err(e) => errors.push(e.to_string()),
        }
    }
    if opts.wait && !deleted.is_empty() {
        let wait = WaitOptions {
            timeout: deployer.timeout,
            ..WaitOptions::default()
        };
        if let Err(e) = wait_deleted(&resources, &deleted, &wait).await {
            errors.push(e.to_string());
        }
    }
    if !opts.no_hooks {
        deployer
            .run_hooks(&mut release, HookEvent::PostDelete)
            .await?;
    }
    let kept = kept_names(&keep);

    let description = opts
        .description
        .clone()
        .unwrap_or_else(|| "Uninstallation complete".into());
    release.set_status(Status::Uninstalled, description);
    if !opts.keep_history {
        purge(storage, name, &history, &release).await?;
    } else {
        storage.update(&release).await?;
    }
    if !errors.is_empty() {
        return Err(ActionError::Invalid(format!(
            "uninstallation completed with {} error(s): {}",
            errors.len(),
            errors.join("; ")
        )));
    }
    Ok(UninstallOutcome {
        release: Some(release),
        kept,
    })
}

/// Deletes every stored revision of the release.
async fn purge<D: Driver>(
    storage: &Storage<D>,
    name: &str,
    older: &[Release],
    last: &Release,
) -> Result<(), ActionError> {
    for r in older.iter().chain(std::iter::once(last)) {
        match storage.delete(name, r.version).await {
            Ok(_) | Err(StorageError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
