//! `hoist version`.

use crate::args::{OutputFormat, VersionArgs};
use crate::output::print_structured;
use std::process::ExitCode;

#[derive(serde::Serialize)]
struct VersionInfo {
    version: &'static str,
    helm_compatible: &'static str,
}

pub fn run(a: VersionArgs) -> miette::Result<ExitCode> {
    let info = VersionInfo {
        version: concat!("v", env!("CARGO_PKG_VERSION")),
        helm_compatible: hoist_core::engine::context::HELM_COMPAT_VERSION,
    };
    if a.short {
        println!("{}", info.version);
    } else if a.output == OutputFormat::Table {
        println!(
            "hoist {} (compatible with Helm {})",
            info.version, info.helm_compatible
        );
    } else {
        print_structured(&info, a.output)?;
    }
    Ok(ExitCode::SUCCESS)
}
