//! Why signing or verifying a chart failed.

use std::path::PathBuf;

/// Why a chart could not be signed or its provenance could not be verified.
///
/// Each way a verification can fail has its own variant, so callers (and
/// users) can tell a tampered archive from an unknown signer or a damaged
/// provenance file.
#[derive(Debug, thiserror::Error)]
pub enum ProvenanceError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The keyring file is not an OpenPGP keyring (binary or ASCII-armored).
    #[error("keyring {path}: {message}")]
    Keyring {
        /// The keyring file.
        path: String,
        /// What the OpenPGP parser said.
        message: String,
    },
    /// No key in the keyring has a user ID containing the requested name.
    #[error(
        "no key in keyring {keyring} has a user ID containing {name:?} (private key not found)"
    )]
    KeyNotFound {
        /// The name, email or user ID fragment asked for (`--key`).
        name: String,
        /// The keyring searched.
        keyring: String,
    },
    /// More than one key matches the requested name and none matches it exactly.
    #[error("more than one key in keyring {keyring} contains the id {name:?}: {candidates}")]
    AmbiguousKey {
        /// The name asked for.
        name: String,
        /// The keyring searched.
        keyring: String,
        /// The user IDs of the matching keys, comma-separated.
        candidates: String,
    },
    /// The matching key has no secret part, so it cannot sign.
    #[error(
        "key {user_id:?} in keyring {keyring} is not a private key; give a keyring with secret keys (gpg --export-secret-keys)"
    )]
    NotPrivate {
        /// The key's user ID.
        user_id: String,
        /// The keyring searched.
        keyring: String,
    },
    /// The secret key is locked and no passphrase was given.
    #[error("key {user_id:?} is protected by a passphrase; give it with --passphrase-file")]
    PassphraseRequired {
        /// The key's user ID.
        user_id: String,
    },
    /// Signing failed: a wrong passphrase, or a key algorithm that cannot sign.
    #[error("cannot sign with key {user_id:?}: {message}")]
    Sign {
        /// The key's user ID.
        user_id: String,
        /// What the OpenPGP library said (a wrong passphrase shows up here).
        message: String,
    },
    /// The chart archive could not be read as a chart.
    #[error("cannot read chart metadata from {archive}: {message}")]
    Chart {
        /// The archive.
        archive: String,
        /// What the chart loader said.
        message: String,
    },
    /// The provenance file is not a PGP clear-signed message in Helm's layout.
    #[error("provenance file {prov} is malformed: {message}")]
    Malformed {
        /// The provenance file (path or name).
        prov: String,
        /// What is wrong with it.
        message: String,
    },
    /// The signature was made by a key that is not in the keyring.
    #[error(
        "provenance file {prov} is signed by key {key_ids}, which is not in keyring {keyring} (unknown signer)"
    )]
    UnknownSigner {
        /// The provenance file.
        prov: String,
        /// Issuer key IDs or fingerprints named by the signature (hex).
        key_ids: String,
        /// The keyring used to verify.
        keyring: String,
    },
    /// A key of the keyring made the signature, but the signed text no longer
    /// matches it: the provenance file was edited after signing.
    #[error(
        "provenance file {prov}: the signature by {signer:?} does not match the signed content; the .prov was modified after signing"
    )]
    BadSignature {
        /// The provenance file.
        prov: String,
        /// The key that should have made the signature.
        signer: String,
    },
    /// The provenance file is validly signed but lists no hash for this archive.
    #[error("provenance file {prov} does not contain a SHA for a file named {file:?}")]
    NoHashForFile {
        /// The provenance file.
        prov: String,
        /// The archive's file name.
        file: String,
    },
    /// The archive's digest differs from the one the provenance file signs:
    /// the archive was changed (or replaced) after signing.
    #[error(
        "sha256 sum does not match for {file}: the provenance file signs {expected:?} but the archive is {actual:?}; the chart archive was altered after signing"
    )]
    DigestMismatch {
        /// The archive's file name.
        file: String,
        /// What the provenance file says.
        expected: String,
        /// What the archive hashes to.
        actual: String,
    },
    /// `--verify` was asked for but the archive has no provenance file beside it.
    #[error(
        "could not load provenance file {prov}: it does not exist (a signed chart needs NAME-VERSION.tgz.prov beside the archive)"
    )]
    ProvenanceMissing {
        /// Where the provenance file was expected.
        prov: String,
    },
}

impl ProvenanceError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ProvenanceError::Io {
            path: path.into(),
            source,
        }
    }
}
