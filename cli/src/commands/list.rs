//! `hoist list`.

use super::release::{connect, print_rows, storage, with_storage};
use crate::args::{ListArgs, OutputFormat};
use hoist_core::action::list::{ListOptions, list, list_elements_with, list_table_with};
use hoist_core::storage::Freshness;
use miette::miette;
use std::process::ExitCode;

pub async fn run(a: ListArgs) -> miette::Result<ExitCode> {
    let client = connect(&a.cluster).await?;
    let namespace = client.namespace().to_string();
    let scope = (!a.all_namespaces).then_some(namespace.as_str());
    let backend = storage(&a.cluster, &client, scope);
    let opts = ListOptions {
        all: a.all,
        deployed: a.deployed,
        failed: a.failed,
        pending: a.pending,
        superseded: a.superseded,
        uninstalled: a.uninstalled,
        uninstalling: a.uninstalling,
        filter: a.filter.clone(),
        selector: a.selector.clone(),
        by_date: a.date,
        reverse: a.reverse,
        max: a.max,
        offset: a.offset,
        freshness: if a.cached {
            Freshness::Cached
        } else {
            Freshness::Consistent
        },
    };
    let releases =
        with_storage!(&backend, s => list(s, &opts).await).map_err(|e| miette!("{e}"))?;
    if a.short {
        let names: Vec<&str> = releases.iter().map(|r| r.name.as_str()).collect();
        match a.output {
            OutputFormat::Table => {
                for n in names {
                    println!("{n}");
                }
            }
            f => print_rows(&names, f)?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let rows = list_elements_with(&releases, a.time_format.as_deref());
    match a.output {
        OutputFormat::Table => print!("{}", list_table_with(&rows, !a.no_headers)),
        f => print_rows(&rows, f)?,
    }
    Ok(ExitCode::SUCCESS)
}
