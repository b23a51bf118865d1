//! `hoist package`.

use crate::args::{OutputFormat, PackageArgs};
use crate::output::print_structured;
use hoist_core::chart::package::{PackageOptions, package};
use miette::miette;
use std::process::ExitCode;

#[derive(serde::Serialize)]
struct Packaged {
    path: String,
    sha256: String,
}

pub fn run(a: PackageArgs) -> miette::Result<ExitCode> {
    let opts = PackageOptions {
        version: a.version.clone(),
        app_version: a.app_version.clone(),
        destination: a.destination.clone(),
    };
    let mut done = Vec::new();
    for dir in &a.charts {
        let path = package(dir, &opts).map_err(|e| miette!("{e}"))?;
        let bytes = std::fs::read(&path).map_err(|e| miette!("reading {}: {e}", path.display()))?;
        let sha256 = hoist_core::chart::package::sha256_hex(&bytes);
        if a.output == OutputFormat::Table {
            println!(
                "Successfully packaged chart and saved it to: {}",
                path.display()
            );
        }
        done.push(Packaged {
            path: path.display().to_string(),
            sha256,
        });
    }
    if a.output != OutputFormat::Table {
        print_structured(&done, a.output)?;
    }
    Ok(ExitCode::SUCCESS)
}
