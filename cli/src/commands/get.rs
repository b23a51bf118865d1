//! `hoist get values|manifest|notes`: parts of a release's last revision.

use super::release::{connect, print_rows, storage, with_storage};
use crate::args::{ClusterArgs, GetCommand, OutputFormat};
use hoist_core::action::get::{notes_text, release_values, values_text};
use hoist_core::action::status::status;
use hoist_core::release::record::Release;
use miette::miette;
use std::process::ExitCode;

/// The requested revision, or the last one.
async fn last(cluster: &ClusterArgs, name: &str, revision: Option<i64>) -> miette::Result<Release> {
    let client = connect(cluster).await?;
    let namespace = client.namespace().to_string();
    let backend = storage(cluster, &client, Some(&namespace));
    match revision {
        Some(rev) => with_storage!(&backend, s => s.get(name, rev).await)
            .map_err(|e| miette!("release {name:?} revision {rev}: {e}")),
        None => with_storage!(&backend, s => status(s, name).await).map_err(|e| miette!("{e}")),
    }
}

pub async fn run(c: GetCommand) -> miette::Result<ExitCode> {
    match c {
        GetCommand::Values(a) => {
            let rel = last(&a.cluster, &a.name, a.revision).await?;
            let values = release_values(&rel, a.all).map_err(|e| miette!("{e}"))?;
            match a.output {
                OutputFormat::Table => print!("{}", values_text(&values, a.all)),
                f => print_rows(&values, f)?,
            }
        }
        GetCommand::Manifest(a) => {
            let rel = last(&a.cluster, &a.name, a.revision).await?;
            println!("{}", rel.manifest);
        }
        GetCommand::Notes(a) => {
            let rel = last(&a.cluster, &a.name, a.revision).await?;
            print!("{}", notes_text(&rel));
        }
    }
    Ok(ExitCode::SUCCESS)
}
