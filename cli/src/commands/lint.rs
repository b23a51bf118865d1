//! `hoist lint`.

use crate::args::{LintArgs, OutputFormat};
use crate::output::{merge_values, print_structured};
use hoist_core::action::capabilities::offline_capabilities;
use hoist_core::action::lint::{Severity, lint};
use hoist_core::action::render::RenderRequest;
use hoist_core::engine::ReleaseInfo;
use miette::miette;
use std::path::PathBuf;
use std::process::ExitCode;

/// True when `chart` names a chart to download rather than a local path:
/// `--repo` is given, it is an `oci://` or `http(s)://` URL, or it is
/// `REPO/CHART` for a configured repository and no such local path exists.
fn is_reference(chart: &str, a: &LintArgs) -> bool {
    if a.chart_ref.repo.is_some()
        || ["oci://", "http://", "https://"]
            .iter()
            .any(|p| chart.starts_with(p))
    {
        return true;
    }
    if std::path::Path::new(chart).exists() {
        return false;
    }
    let Some((repo, name)) = chart.split_once('/') else {
        return false;
    };
    if name.is_empty() || name.contains('/') {
        return false;
    }
    let paths = hoist_core::repo::Paths::from_env();
    hoist_core::repo::RepoFile::load(&paths.repository_config())
        .is_ok_and(|config| config.get(repo).is_some())
}

/// Every chart folder (with a Chart.yaml) and archive under `dir`, at any
/// depth, in file name order: Helm's `--with-subcharts` walk.
fn subcharts(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for entry in entries {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Go's filepath.Walk does not follow symbolic links.
        let is_link = entry
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
        if entry.is_dir() && !is_link {
            if entry.join("Chart.yaml").is_file() {
                found.push(entry.clone());
            }
            found.extend(subcharts(&entry));
        } else if !entry.is_dir() && (name.ends_with(".tgz") || name.ends_with(".tar.gz")) {
            found.push(entry);
        }
    }
    found
}

pub fn run(a: LintArgs) -> miette::Result<ExitCode> {
    let charts = if a.charts.is_empty() {
        vec![".".to_string()]
    } else {
        a.charts.clone()
    };
    // Local paths are linted as they are (a missing one is a lint error, as
    // in Helm); references are downloaded (and digest-checked) first, like
    // template and show do.
    let mut paths = charts
        .iter()
        .map(|c| {
            if is_reference(c, &a) {
                a.chart_ref.locate(c)
            } else {
                Ok(PathBuf::from(c))
            }
        })
        .collect::<miette::Result<Vec<PathBuf>>>()?;
    let mut charts = charts;
    if a.with_subcharts {
        for path in paths.clone() {
            for sub in subcharts(&path.join("charts")) {
                charts.push(sub.display().to_string());
                paths.push(sub);
            }
        }
    }
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
        skip_schema_validation: a.skip_schema_validation,
        lint_mode: true,
        enable_dns: false,
    };
    let reports: Vec<_> = paths
        .iter()
        .zip(&charts)
        .map(|(path, reference)| {
            let mut report = lint(path, &req);
            // Name the chart as the user gave it, not the cache path.
            if path.as_os_str() != reference.as_str() {
                report.chart = reference.clone();
            }
            report
        })
        .collect();
    let failed = reports.iter().filter(|r| r.failed(a.strict)).count();
    if a.output == OutputFormat::Table {
        // Helm's --quiet: clean charts, and INFO lines, are left out.
        let noteworthy = |r: &hoist_core::action::lint::LintReport| {
            r.messages.iter().any(|m| m.severity > Severity::Info)
        };
        for r in reports.iter().filter(|r| !a.quiet || noteworthy(r)) {
            println!("==> Linting {}", r.chart);
            for m in r
                .messages
                .iter()
                .filter(|m| !a.quiet || m.severity > Severity::Info)
            {
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
        } else if !a.quiet || reports.iter().any(noteworthy) {
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
