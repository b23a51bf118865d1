//! Why a registry operation failed.

use std::path::PathBuf;

/// Why pushing, pulling, listing tags, or logging in failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The `oci://` reference cannot be parsed.
    #[error("invalid OCI reference {reference:?}: {message}")]
    InvalidReference {
        /// The reference as given.
        reference: String,
        /// What is wrong with it.
        message: String,
    },
    /// The registry could not be reached, or the connection broke.
    #[error("{method} {url}: {message}")]
    Http {
        /// HTTP method.
        method: String,
        /// The URL requested.
        url: String,
        /// What the HTTP client said (connection refused, TLS failure...).
        message: String,
    },
    /// The registry refused the credentials, or needs some and none were given.
    #[error("{host}: {message}")]
    Unauthorized {
        /// The registry host.
        host: String,
        /// What happened, with a hint on how to log in.
        message: String,
    },
    /// The tag, digest or repository does not exist.
    #[error("{reference}: not found: {message}")]
    NotFound {
        /// The reference looked up.
        reference: String,
        /// What the registry said.
        message: String,
    },
    /// The registry answered with an unexpected status.
    #[error("{method} {url}: unexpected status {status}: {body}")]
    Status {
        /// HTTP method.
        method: String,
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The start of the response body (registries explain errors there).
        body: String,
    },
    /// Downloaded content does not hash to the digest that names it.
    #[error("{what}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// Which blob or manifest.
        what: String,
        /// The digest it should have.
        expected: String,
        /// The digest of what arrived.
        actual: String,
    },
    /// The manifest is not a Helm chart manifest.
    #[error("{reference}: {message}")]
    Manifest {
        /// The reference pulled.
        reference: String,
        /// What is missing or wrong in it.
        message: String,
    },
    /// No tag satisfies the version constraint.
    #[error("{reference}: could not locate a version matching {constraint:?} (tags: {tags})")]
    NoMatchingVersion {
        /// The repository.
        reference: String,
        /// The version or constraint asked for.
        constraint: String,
        /// The semver tags the repository has, comma-separated.
        tags: String,
    },
    /// The archive to push is not a loadable chart.
    #[error("cannot push {archive}: {message}")]
    Chart {
        /// The archive.
        archive: String,
        /// What the chart loader said.
        message: String,
    },
    /// The credentials file could not be read or written.
    #[error("registry credentials {path}: {message}")]
    Credentials {
        /// The credentials file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A Docker credential helper is missing, failed, hung or answered
    /// nonsense.
    #[error("credential helper {helper} ({action}): {message}")]
    CredentialHelper {
        /// The program (`docker-credential-NAME`).
        helper: String,
        /// `get`, `store` or `erase`.
        action: String,
        /// What went wrong, with what the helper printed.
        message: String,
    },
    /// The credential helper a config file names is not installed.
    #[error(
        "credential helper {helper} ({action}): {helper} is not on PATH ({configured_in} names the helper {name:?}); install it, or remove the setting to use the credentials in the file"
    )]
    HelperNotInstalled {
        /// The program (`docker-credential-NAME`).
        helper: String,
        /// `get`, `store` or `erase`.
        action: String,
        /// The `NAME` part.
        name: String,
        /// Which setting of which file names it (`credsStore of FILE`).
        configured_in: String,
    },
    /// The stored credentials are an identity token (OAuth2 refresh token,
    /// what `docker login` keeps for some registries), which hoist cannot
    /// exchange for an access token yet.
    #[error(
        "identity tokens (OAuth2 refresh tokens) are not supported yet for {host} (found in {found_in}); log in with `hoist registry login {host} -u USERNAME -p PASSWORD` (or --password-stdin)"
    )]
    IdentityToken {
        /// The registry host.
        host: String,
        /// Where the token was found (`auths of FILE`, or the helper).
        found_in: String,
    },
    /// `registry logout` for a host with no stored credentials.
    #[error("not logged in to {host}")]
    NotLoggedIn {
        /// The host.
        host: String,
    },
}
