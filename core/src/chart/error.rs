//! Errors of chart loading, validation, archive reading and packaging.

use std::path::PathBuf;

/// Why a chart could not be loaded, validated or packaged.
///
/// Every variant names the chart (its folder, archive or subchart path, as
/// the user would recognise it) and, where there is one, the file or archive
/// entry at fault.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A chart file (Chart.yaml, values.yaml, Chart.lock...) could not be parsed.
    #[error("chart {chart}: cannot load {file}: {message}")]
    Parse {
        /// Which chart (folder, archive or subchart path).
        chart: String,
        /// File inside the chart.
        file: String,
        /// What the parser said (for unknown fields it names the field).
        message: String,
    },
    /// Chart.yaml is absent.
    #[error("chart {chart}: Chart.yaml file is missing")]
    MissingChartYaml {
        /// Which chart.
        chart: String,
    },
    /// Chart.yaml is present but breaks one of Helm's metadata rules.
    #[error("chart {chart}: validation: {message}")]
    Validation {
        /// Which chart.
        chart: String,
        /// The broken rule, worded as Helm words it where Helm has the rule.
        message: String,
    },
    /// A subchart under charts/ failed to load.
    #[error("error unpacking subchart {name} in {parent}: {source}")]
    Subchart {
        /// Parent chart name.
        parent: String,
        /// Entry under charts/ (folder or archive name).
        name: String,
        /// What went wrong inside it.
        source: Box<ChartError>,
    },
    /// A chart archive was refused: malformed, unsafe or too large.
    #[error("chart archive {archive}: {message}")]
    Archive {
        /// Archive path, or `<memory>` for bytes.
        archive: String,
        /// The reason, naming the entry at fault.
        message: String,
    },
    /// A file in a chart folder is too large or not a regular file.
    #[error("chart {chart}: {message}")]
    BadFile {
        /// Which chart.
        chart: String,
        /// The reason, naming the file.
        message: String,
    },
    /// A `.helmignore` line is not a valid pattern.
    #[error("{file}:{line}: {message}")]
    Ignore {
        /// The ignore file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with the pattern.
        message: String,
    },
    /// The chart's kubeVersion constraint excludes the target cluster.
    #[error(
        "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {kube_version}"
    )]
    IncompatibleKubeVersion {
        /// The chart's kubeVersion constraint.
        constraint: String,
        /// The cluster version, as reported (e.g. `v1.20.0-gke.1`).
        kube_version: String,
    },
    /// Packaging failed after the chart loaded.
    #[error("chart {chart}: cannot package: {message}")]
    Package {
        /// Which chart.
        chart: String,
        /// Why.
        message: String,
    },
}

impl ChartError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ChartError::Io {
            path: path.into(),
            source,
        }
    }
}
