//! `hoist history`.

use super::release::{connect, print_rows, storage, with_storage};
use crate::args::{HistoryArgs, OutputFormat};
use hoist_core::action::history::{history, history_entries, history_table};
use miette::miette;
use std::process::ExitCode;

pub async fn run(a: HistoryArgs) -> miette::Result<ExitCode> {
    let client = connect(&a.cluster).await?;
    let namespace = client.namespace().to_string();
    let backend = storage(&a.cluster, &client, Some(&namespace));
    let revisions = with_storage!(&backend, s => history(s, &a.name, a.max).await)
        .map_err(|e| miette!("{e}"))?;
    let entries = history_entries(&revisions);
    match a.output {
        OutputFormat::Table => print!("{}", history_table(&entries)),
        f => print_rows(&entries, f)?,
    }
    Ok(ExitCode::SUCCESS)
}
