//! Errors of the storage layer, with Helm's messages where Helm has them so
//! that users (and scripts matching on output) see the same text.

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No record has the requested key, or a query matched nothing.
    #[error("release: not found")]
    NotFound,
    /// A record with the key already exists.
    #[error("release: already exists")]
    AlreadyExists,
    /// The key is not `sh.helm.release.v1.NAME.vREVISION`.
    #[error("release: invalid key")]
    InvalidKey,
    /// The release has no revision in the `deployed` state.
    #[error("{name:?} has no deployed releases")]
    NoDeployedReleases {
        /// The release name.
        name: String,
    },
    /// The release has no revision at all.
    #[error("no revision for release {name:?}")]
    NoRevision {
        /// The release name.
        name: String,
    },
    /// The encoded record would not fit in one Secret or ConfigMap.
    #[error(
        "release {name:?} revision {version} is too large to store: its encoded record is {size} bytes, \
         above the {limit}-byte limit of a Kubernetes {driver} (1 MiB); nothing was applied. \
         Make the chart smaller (large files under files/ or templates/ are stored in every revision)"
    )]
    TooLarge {
        /// The release name.
        name: String,
        /// The revision.
        version: i64,
        /// Encoded size in bytes.
        size: usize,
        /// The driver's limit in bytes.
        limit: usize,
        /// The driver's name.
        driver: &'static str,
    },
    /// A label value a query would send is not a valid Kubernetes label value.
    #[error("invalid label value: {value:?}: {reason}")]
    InvalidLabelValue {
        /// The rejected value.
        value: String,
        /// Kubernetes' rule it breaks.
        reason: String,
    },
    /// A release could not be serialized.
    #[error("failed to encode release {name:?}: {source}")]
    Encode {
        /// The release name.
        name: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A stored record could not be decoded.
    #[error("failed to decode release record {key:?}: {reason}")]
    Decode {
        /// The storage key (object name), or a description of the input.
        key: String,
        /// What was wrong with it.
        reason: String,
    },
    /// A Secret or ConfigMap does not have the shape Helm gives release objects.
    #[error("storage object {key:?} is malformed: {reason}")]
    MalformedObject {
        /// The object name, when it has one.
        key: String,
        /// What is missing or of the wrong type.
        reason: String,
    },
    /// Pruning old revisions failed for several of them.
    #[error("encountered {count} deletion errors. First is: {first}")]
    PruneFailed {
        /// How many deletions failed.
        count: usize,
        /// The first failure.
        first: Box<StorageError>,
    },
    /// The backend (Kubernetes API, database...) failed.
    #[error("{operation}: {source}")]
    Backend {
        /// What was attempted, e.g. `create: failed to create`.
        operation: String,
        /// The backend's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StorageError {
    /// True for [`StorageError::NotFound`]; Helm code often tests for it.
    pub fn is_not_found(&self) -> bool {
        matches!(self, StorageError::NotFound)
    }

    pub(crate) fn decode(key: &str, reason: impl std::fmt::Display) -> Self {
        StorageError::Decode {
            key: key.to_string(),
            reason: reason.to_string(),
        }
    }
}
