//! The error type every action returns.

use crate::chart::ChartError;
use crate::engine::EngineError;
use crate::kube::KubeError;
use crate::release::manifest::ManifestError;
use crate::release::time::TimeError;
use crate::storage::StorageError;
use crate::values::ValuesError;

/// Why an action failed. Each variant carries the underlying module's error,
/// which already names the file, key or template at fault.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// Loading or validating the chart failed.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// Reading, merging or validating values failed.
    #[error(transparent)]
    Values(#[from] ValuesError),
    /// A template failed to parse or render.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Rendered output is not valid Kubernetes YAML.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// A file could not be read or written.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, naming the path.
        context: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// Reading or writing release records failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A call to the Kubernetes API failed.
    #[error(transparent)]
    Kube(#[from] KubeError),
    /// A stored time (Chart.lock `generated`) is not RFC 3339.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// Another install, upgrade or rollback holds the release.
    #[error("another operation (install/upgrade/rollback) is in progress on {name}: {detail}")]
    Locked {
        /// The release.
        name: String,
        /// Which revision is pending, and how to recover.
        detail: String,
    },
    /// The post-renderer (`--post-renderer`) failed or printed unusable output.
    #[error(transparent)]
    PostRender(#[from] super::postrender::PostRenderError),
    /// Invalid input that no lower layer checks (flags, names).
    #[error("{0}")]
    Invalid(String),
}

impl ActionError {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        ActionError::Io {
            context: context.into(),
            source,
        }
    }
}
