//! `hoist lint`.

use crate::args::{LintArgs, OutputFormat};
use crate::output::{merge_values, print_structured};
use hoist_core::action::capabilities::offline_capabilities;
use hoist_core::action::lint::lint;
use hoist_core::action::render::RenderRequest;
use hoist_core::engine::ReleaseInfo;
use miette::miette;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(a: LintArgs) -> miette::Result<ExitCode> {
    let charts = if a.charts.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.charts.clone()
    };
    let req = RenderRequest {
        release: ReleaseInfo {
            name: "test-release".into(),
            namespace: a.namespace.clone(),
            ..ReleaseInfo::default()
        },
        capabilities: offline_capabilities(a.kube_version.as_deref(), &[])
            .map_err(|e| miette!("{e}"))?,
        user_values: merge_values(&a.values)?,
        render_subchart_notes: false,
        skip_schema_validation: false,
        lint_mode: true,
    };
    let reports: Vec<_> = charts.iter().map(|c| lint(c, &req)).collect();
    let failed = reports.iter().filter(|r| r.failed(a.strict)).count();
    if a.output == OutputFormat::Table {
        for r in &reports {
            println!("==> Linting {}", r.chart);
            for m in &r.messages {
                println!("[{}] {}: {}", m.severity.label(), m.path, m.message);
            }
            println!();
        }
        let summary = format!(
            "{} chart(s) linted, {} chart(s) failed",
            reports.len(),
            failed
        );
        if failed > 0 {
            eprintln!("Error: {summary}");
        } else {
            println!("{summary}");
        }
    } else {
        print_structured(&reports, a.output)?;
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
