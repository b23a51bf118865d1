//! `hoist uninstall`.

use super::release::{connect, storage, with_storage};
use crate::args::UninstallArgs;
use hoist_core::action::uninstall::{UninstallOptions, uninstall};
use hoist_core::kube::Propagation;
use miette::miette;
use std::process::ExitCode;

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
        wait: a.wait,
        timeout: a.timeout,
    };
    for name in &a.names {
        let outcome = with_storage!(&backend, s => uninstall(s, &client, name, &opts).await)
            .map_err(|e| miette!("{e}"))?;
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
    Ok(ExitCode::SUCCESS)
}
