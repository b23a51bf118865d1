//! `hoist install`.

use super::release::{connect, print_release, storage, with_storage};
use crate::args::{InstallArgs, OutputFormat};
use crate::output::merge_values;
use hoist_core::action::install::{InstallOptions, install};
use hoist_core::action::status::status_text;
use hoist_core::chart;
use miette::miette;
use std::process::ExitCode;

pub async fn run(a: InstallArgs) -> miette::Result<ExitCode> {
    let chart = chart::load(std::path::Path::new(&a.chart)).map_err(|e| miette!("{e}"))?;
    let user_values = merge_values(&a.values)?;
    let client = connect(&a.cluster).await?;
    let namespace = client.namespace().to_string();
    let opts = InstallOptions {
        name: a.name.clone(),
        namespace: namespace.clone(),
        user_values,
        dry_run: a.dry_run,
        description: a.description.clone(),
        skip_crds: a.skip_crds,
        no_hooks: a.no_hooks,
        create_namespace: a.create_namespace,
        replace: a.replace,
        render_subchart_notes: a.render_subchart_notes,
        skip_schema_validation: a.skip_schema_validation,
        server_side: a.server_side,
    };
    let backend = storage(&a.cluster, &client, Some(&namespace));
    let rel = with_storage!(&backend, s => install(s, &client, chart, &opts).await)
        .map_err(|e| miette!("INSTALLATION FAILED: {e}"))?;
    match a.output {
        OutputFormat::Table => print!("{}", status_text(&rel)),
        f => print_release(&rel, f)?,
    }
    Ok(ExitCode::SUCCESS)
}
