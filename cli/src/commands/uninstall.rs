//! `hoist uninstall`.

use super::release::{connect, print_rows, storage, with_storage};
use crate::args::{OutputFormat, UninstallArgs};
use hoist_core::action::uninstall::{UninstallOptions, uninstall};
use hoist_core::kube::Propagation;
use hoist_core::kube::wait::WaitFlag;
use miette::miette;
use std::process::ExitCode;

/// One release in `uninstall -o json|yaml`.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Uninstalled {
    name: String,
    namespace: String,
    /// False only for a missing release with --ignore-not-found.
    uninstalled: bool,
    /// `Kind/name` of objects kept by `helm.sh/resource-policy: keep`.
    kept: Vec<String>,
    /// --keep-history: the records stay, marked uninstalled.
    history_kept: bool,
}

pub async fn run(a: UninstallArgs) -> miette::Result<ExitCode> {
    let client = connect(&a.cluster).await?;
    let namespace = client.namespace().to_string();
    let backend = storage(&a.cluster, &client, Some(&namespace));
    let opts = UninstallOptions {
        keep_history: a.keep_history,
        ignore_not_found: a.ignore_not_found,
        description: a.description.clone(),
        no_hooks: a.no_hooks,
        cascade: match a.cascade.as_str() {
            "foreground" => Propagation::Foreground,
            "orphan" => Propagation::Orphan,
            _ => Propagation::Background,
        },
        wait: matches!(a.wait, Some(WaitFlag::Resources(_))),
        timeout: a.timeout,
        dry_run: a.dry_run,
    };
    let table = a.output == OutputFormat::Table;
    let mut done = Vec::new();
    for name in &a.names {
        let outcome = with_storage!(&backend, s => uninstall(s, &client, name, &opts).await)
            .map_err(|e| miette!("{e}"))?;
        if !table {
            done.push(Uninstalled {
                name: name.clone(),
                namespace: namespace.clone(),
                uninstalled: outcome.release.is_some(),
                kept: outcome.kept.clone(),
                history_kept: a.keep_history,
            });
            continue;
        }
        if !outcome.kept.is_empty() {
            println!("These resources were kept due to the resource policy:");
            for k in &outcome.kept {
                println!("{k}");
            }
            println!();
        }
        if outcome.release.is_some() {
            println!("release {name:?} uninstalled");
        }
    }
    if !table {
        print_rows(&done, a.output)?;
    }
    Ok(ExitCode::SUCCESS)
}
