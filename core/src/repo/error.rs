//! The one error type of the repository client.

use std::path::PathBuf;

/// Everything that can go wrong while configuring repositories, fetching
/// indexes and charts, or resolving dependencies. Messages name the file,
/// repository, chart or URL involved so the user can act on them.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// A file could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done ("reading", "writing"...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// repositories.yaml (or Helm's) is not valid.
    #[error("invalid repositories file {}: {message}", path.display())]
    BadConfig {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// No repository of that name is configured.
    #[error("no repo named {0:?} found (see `hoist repo list`)")]
    NoSuchRepo(String),
    /// `repo add` of a name that exists with other settings.
    #[error("repository name ({0}) already exists, please specify a different name")]
    RepoExists(String),
    /// A repository or chart name or URL that cannot be used.
    #[error("{0}")]
    Invalid(String),
    /// The HTTP client could not be set up (bad CA or client certificate).
    #[error("setting up the HTTP client for {url}: {message}")]
    Client {
        /// The repository URL.
        url: String,
        /// The cause.
        message: String,
    },
    /// A request failed before a response arrived, or while reading it.
    #[error("fetching {url}: {message}")]
    Http {
        /// The URL requested.
        url: String,
        /// The cause (connection refused, timeout, closed early...).
        message: String,
    },
    /// The server answered with an error status.
    #[error("fetching {url}: server answered {status}")]
    Status {
        /// The URL requested.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// A response body was larger than the limit.
    #[error("fetching {url}: the response is larger than the {limit}-byte limit; refusing it")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// An index file could not be parsed.
    #[error("invalid index {source_name}: {message}")]
    BadIndex {
        /// Where the index came from (URL or file).
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// The fast cache of an index is missing or stale.
    #[error("no cached index for repository {repo:?} ({reason}); run `hoist repo update`")]
    NoCache {
        /// The repository name.
        repo: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// No chart of that name in the index.
    #[error("chart {chart:?} not found in repository {repo}")]
    ChartNotFound {
        /// The chart name.
        chart: String,
        /// The repository name or URL.
        repo: String,
    },
    /// No version of the chart satisfies the request.
    #[error("chart {chart:?} version {version:?} not found in repository {repo}{hint}")]
    VersionNotFound {
        /// The chart name.
        chart: String,
        /// The version or constraint asked for.
        version: String,
        /// The repository name or URL.
        repo: String,
        /// Extra advice, e.g. about `--devel`.
        hint: String,
    },
    /// A version constraint that is not valid.
    #[error("invalid version constraint {constraint:?}: {message}")]
    BadConstraint {
        /// The constraint text.
        constraint: String,
        /// The parser's message.
        message: String,
    },
    /// The downloaded archive does not hash to the index's digest.
    #[error(
        "digest mismatch for {url}: the index says sha256:{expected} but the download is sha256:{actual}; nothing was saved"
    )]
    DigestMismatch {
        /// The archive URL.
        url: String,
        /// The digest listed in the index.
        expected: String,
        /// The digest of what was downloaded.
        actual: String,
    },
    /// A chart could not be loaded or packaged.
    #[error(transparent)]
    Chart(#[from] crate::chart::ChartError),
    /// Dependency resolution problems (out-of-date lock, missing repos...).
    #[error("{0}")]
    Dependency(String),
    /// Something not built yet (OCI).
    #[error("{0}")]
    Unsupported(String),
    /// `--verify` failed: the provenance does not check out.
    #[error("verification failed: {0}")]
    Provenance(#[from] crate::provenance::ProvenanceError),
    /// Pulling from an OCI registry failed.
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),
}

impl RepoError {
    /// An I/O error with the file it concerns.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        RepoError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
