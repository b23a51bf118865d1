//! `hoist list`.

use super::release::{connect, print_rows, storage, with_storage};
use crate::args::{ListArgs, OutputFormat};
use hoist_core::action::list::{ListOptions, list, list_elements, list_table};
use miette::miette;
use std::process::ExitCode;

pub async fn run(a: ListArgs) -> miette::Result<ExitCode> {
    let client = connect(&a.cluster).await?;
    let namespace = client.namespace().to_string();
    let scope = (!a.all_namespaces).then_some(namespace.as_str());
    let backend = storage(&a.cluster, &client, scope);
    let opts = ListOptions { all: a.all };
    let releases =
        with_storage!(&backend, s => list(s, &opts).await).map_err(|e| miette!("{e}"))?;
    let rows = list_elements(&releases);
    match a.output {
        OutputFormat::Table => print!("{}", list_table(&rows)),
        f => print_rows(&rows, f)?,
    }
    Ok(ExitCode::SUCCESS)
}
