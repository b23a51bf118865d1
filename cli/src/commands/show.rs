//! `hoist show` (alias `inspect`).

use crate::args::{OutputFormat, ShowCommand};
use crate::output::print_structured;
use hoist_core::action::show::{ShowPart, show};
use hoist_core::action::template::crd_documents;
use hoist_core::chart::{self, Chart};
use miette::{IntoDiagnostic, miette};
use std::io::Write;
use std::process::ExitCode;

pub fn run(c: ShowCommand) -> miette::Result<ExitCode> {
    // Helm defines --jsonpath on `show values` alone.
    let (part, args, jsonpath) = match c {
        ShowCommand::Chart(a) => (ShowPart::Chart, a, None),
        ShowCommand::Values(a) => (ShowPart::Values, a.show, a.jsonpath),
        ShowCommand::Readme(a) => (ShowPart::Readme, a, None),
        ShowCommand::Crds(a) => (ShowPart::Crds, a, None),
        ShowCommand::All(a) => (ShowPart::All, a, None),
    };
    let chart_path = args.chart_ref.locate(&args.chart.to_string_lossy())?;
    let chart = chart::load(&chart_path).map_err(|e| miette!("{e}"))?;
    if let Some(template) = jsonpath.as_deref().filter(|t| !t.is_empty()) {
        print_jsonpath(&chart, template)?;
        return Ok(ExitCode::SUCCESS);
    }
    match args.output {
        OutputFormat::Table => print!("{}", show(&chart, part)),
        f => print_structured(&structured(&chart, part)?, f)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `show values --jsonpath`: Helm's output exactly, no newline added.
/// Like Helm, a chart without values.yaml prints nothing (the template is
/// not even parsed), and a template that fails over the values prints
/// nothing and still succeeds.
fn print_jsonpath(chart: &Chart, template: &str) -> miette::Result<()> {
    if chart.raw_values.is_none() {
        return Ok(());
    }
    let out =
        hoist_core::jsonpath::show_values(template, &chart.values).map_err(|e| miette!("{e}"))?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out).into_diagnostic()?;
    stdout.flush().into_diagnostic()
}

/// The `-o json|yaml` document: one key per part shown (`chart`, `values`,
/// `readme`, `crds`); `show all` has all four.
fn structured(chart: &Chart, part: ShowPart) -> miette::Result<serde_json::Value> {
    let all = part == ShowPart::All;
    let mut out = serde_json::Map::new();
    if all || part == ShowPart::Chart {
        out.insert(
            "chart".into(),
            serde_json::to_value(&chart.metadata).into_diagnostic()?,
        );
    }
    if all || part == ShowPart::Values {
        out.insert(
            "values".into(),
            serde_json::to_value(&chart.values).into_diagnostic()?,
        );
    }
    if all || part == ShowPart::Readme {
        let readme = chart
            .files
            .iter()
            .find(|f| {
                ["readme.md", "readme.txt", "readme"]
                    .iter()
                    .any(|n| f.name.eq_ignore_ascii_case(n))
            })
            .map(|f| String::from_utf8_lossy(&f.data).into_owned());
        out.insert("readme".into(), readme.into());
    }
    if all || part == ShowPart::Crds {
        let crds: Vec<serde_json::Value> = crd_documents(chart, "")
            .into_iter()
            .map(|(path, content)| serde_json::json!({"path": path, "content": content}))
            .collect();
        out.insert("crds".into(), crds.into());
    }
    Ok(out.into())
}
