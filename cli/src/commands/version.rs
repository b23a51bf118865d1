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
    if let Some(template) = &a.template {
        // Helm's BuildInfo fields; hoist is not built from Go, so the Go
        // and client-go versions are empty.
        let data: hoist_core::values::Value = serde_json::json!({
            "Version": info.version,
            "GitCommit": "",
            "GitTreeState": "",
            "GoVersion": "",
            "KubeClientVersion": "",
            "HelmCompatible": info.helm_compatible,
        })
        .into();
        let text = hoist_core::engine::gotemplate::render_text("_", template, &data)
            .map_err(|e| miette::miette!("--template: {e}"))?;
        print!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
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
