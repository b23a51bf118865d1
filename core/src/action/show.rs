//! `hoist show`: a chart's metadata, values, README and CRDs.

use crate::chart::Chart;
use crate::values::Value;

/// Which part of a chart to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShowPart {
    /// Chart.yaml.
    Chart,
    /// values.yaml, as written.
    Values,
    /// README.md / README.txt / README.
    Readme,
    /// Files under crds/ of the chart and its subcharts.
    Crds,
    /// All of the above, separated by `---`.
    All,
}

const README_NAMES: [&str; 3] = ["readme.md", "readme.txt", "readme"];

/// The text Helm's `show PART` prints for a chart.
pub fn show(chart: &Chart, part: ShowPart) -> String {
    let all = part == ShowPart::All;
    let mut out = String::new();
    if part == ShowPart::Chart || all {
        out.push_str(&metadata_yaml(chart));
        out.push('\n');
    }
    if part == ShowPart::Values || all {
        if all {
            out.push_str("---\n");
        }
        match &chart.raw_values {
            Some(raw) => out.push_str(raw),
            None => out.push_str(&crate::yaml::to_string(&chart.values)),
        }
        out.push('\n');
    }
    if part == ShowPart::Readme || all {
        if all {
            out.push_str("---\n");
        }
        if let Some(readme) = chart
            .files
            .iter()
            .find(|f| README_NAMES.iter().any(|n| f.name.eq_ignore_ascii_case(n)))
        {
            out.push_str(&String::from_utf8_lossy(&readme.data));
            out.push('\n');
        }
    }
    if part == ShowPart::Crds || all {
        for (_, content) in super::template::crd_documents(chart, "") {
            if !content.starts_with("---") {
                out.push_str("---\n");
            }
            out.push_str(&content);
            out.push('\n');
        }
    }
    out
}

/// Chart.yaml re-serialized the way Helm prints it (sorted keys, empty
/// fields omitted).
fn metadata_yaml(chart: &Chart) -> String {
    let json = serde_json::to_value(&chart.metadata).unwrap_or(serde_json::Value::Null);
    crate::yaml::to_string(&Value::from(json))
}
