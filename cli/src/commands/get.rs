//! `hoist get values|manifest|notes|hooks|metadata|all`: parts of a
//! release's last revision.

use super::release::{connect, print_release, print_rows, storage, with_storage};
use crate::args::{ClusterArgs, GetCommand, OutputFormat};
use hoist_core::action::get::{
    all_text, hooks_text, metadata_text, notes_text, release_metadata, release_values, values_text,
};
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

/// The `-o json|yaml` form of `get manifest` and `get notes`: the text with
/// the revision it came from.
#[derive(serde::Serialize)]
struct ReleaseText<'a> {
    name: &'a str,
    namespace: &'a str,
    revision: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    manifest: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
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
            match a.output {
                OutputFormat::Table => println!("{}", rel.manifest),
                f => print_rows(
                    &ReleaseText {
                        name: &rel.name,
                        namespace: &rel.namespace,
                        revision: rel.version,
                        manifest: Some(&rel.manifest),
                        notes: None,
                    },
                    f,
                )?,
            }
        }
        GetCommand::Notes(a) => {
            let rel = last(&a.cluster, &a.name, a.revision).await?;
            match a.output {
                OutputFormat::Table => print!("{}", notes_text(&rel)),
                f => print_rows(
                    &ReleaseText {
                        name: &rel.name,
                        namespace: &rel.namespace,
                        revision: rel.version,
                        manifest: None,
                        notes: Some(rel.info.as_ref().map(|i| i.notes.as_str()).unwrap_or("")),
                    },
                    f,
                )?,
            }
        }
        GetCommand::Hooks(a) => {
            let rel = last(&a.cluster, &a.name, a.revision).await?;
            match a.output {
                OutputFormat::Table => print!("{}", hooks_text(&rel)),
                f => print_rows(&rel.hooks, f)?,
            }
        }
        GetCommand::Metadata(a) => {
            let rel = last(&a.cluster, &a.name, a.revision).await?;
            let md = release_metadata(&rel);
            match a.output {
                OutputFormat::Table => print!("{}", metadata_text(&md)),
                f => print_rows(&md, f)?,
            }
        }
        GetCommand::All(a) => {
            let rel = last(&a.cluster, &a.name, a.revision).await?;
            match a.output {
                OutputFormat::Table => {
                    print!("{}", all_text(&rel).map_err(|e| miette!("{e}"))?)
                }
                f => print_release(&rel, f)?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
