//! `hoist status`.

use super::release::{connect, print_release, storage, with_storage};
use crate::args::{OutputFormat, StatusArgs};
use hoist_core::action::status::{status, status_text};
use miette::miette;
use std::process::ExitCode;

pub async fn run(a: StatusArgs) -> miette::Result<ExitCode> {
    let client = connect(&a.cluster).await?;
    let namespace = client.namespace().to_string();
    let backend = storage(&a.cluster, &client, Some(&namespace));
    let rel = with_storage!(&backend, s => status(s, &a.name).await).map_err(|e| miette!("{e}"))?;
    match a.output {
        OutputFormat::Table => print!("{}", status_text(&rel)),
        f => print_release(&rel, f)?,
    }
    Ok(ExitCode::SUCCESS)
}
