//! OpenPGP keyrings: loading (binary or ASCII-armored) and choosing a key by
//! name the way Helm's `provenance.NewFromKeyring` does.

use super::ProvenanceError;
use pgp::composed::{PublicOrSecret, SignedPublicKey, SignedSecretKey};
use pgp::types::KeyDetails;
use std::path::Path;

/// The keys of one keyring file, public and secret alike.
#[derive(Debug, Clone)]
pub struct Keyring {
    /// Where the keys came from, for error messages.
    pub(crate) label: String,
    /// Public halves of every key (secret keys included), for verifying.
    pub(crate) public: Vec<SignedPublicKey>,
    /// Keys with secret material, for signing.
    pub(crate) secret: Vec<SignedSecretKey>,
}

impl Keyring {
    /// Reads a keyring file: gpg's binary format (`pubring.gpg`,
    /// `gpg --export-secret-keys`) or ASCII armor (`--armor`).
    pub fn load(path: impl AsRef<Path>) -> Result<Keyring, ProvenanceError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| ProvenanceError::io(path, e))?;
        Keyring::from_bytes(&bytes, &path.display().to_string())
    }

    /// Parses keyring bytes; `label` names them in errors.
    pub fn from_bytes(bytes: &[u8], label: &str) -> Result<Keyring, ProvenanceError> {
        let bad = |message: String| ProvenanceError::Keyring {
            path: label.to_string(),
            message,
        };
        let mut ring = Keyring {
            label: label.to_string(),
            public: Vec::new(),
            secret: Vec::new(),
        };
        // Armored keyrings may hold several blocks one after another (two
        // `gpg --armor --export` outputs appended); binary ones are one stream.
        let chunks: Vec<&[u8]> = if is_armored(bytes) {
            split_armor_blocks(bytes)
        } else {
            vec![bytes]
        };
        for chunk in chunks {
            let (keys, _) = PublicOrSecret::from_reader_many(chunk)
                .map_err(|e| bad(format!("not an OpenPGP keyring: {e}")))?;
            for key in keys {
                match key.map_err(|e| bad(format!("unreadable key: {e}")))? {
                    PublicOrSecret::Public(k) => ring.public.push(k),
                    PublicOrSecret::Secret(k) => {
                        ring.public.push(k.to_public_key());
                        ring.secret.push(k);
                    }
                }
            }
        }
        if ring.public.is_empty() {
            return Err(bad("it holds no keys".to_string()));
        }
        Ok(ring)
    }

    /// Where the keys came from.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Number of keys (public or secret) in the keyring.
    pub fn len(&self) -> usize {
        self.public.len()
    }

    /// Whether the keyring holds no keys (never true for a loaded one).
    pub fn is_empty(&self) -> bool {
        self.public.is_empty()
    }

    /// The signing key for `name`, chosen like GnuPG and Helm: a user ID
    /// equal to `name` wins; otherwise exactly one key must have a user ID
    /// containing it.
    pub(crate) fn find_signer(&self, name: &str) -> Result<&SignedSecretKey, ProvenanceError> {
        // Match over every key, public ones too, so that a name that only
        // matches a public key is reported as "not a private key".
        let mut exact = None;
        let mut partial: Vec<usize> = Vec::new();
        for (i, key) in self.public.iter().enumerate() {
            let ids = user_ids(key);
            if ids.iter().any(|id| id == name) {
                exact = Some(i);
                break;
            }
            if ids.iter().any(|id| id.contains(name)) {
                partial.push(i);
            }
        }
        let index = match (exact, partial.as_slice()) {
            (Some(i), _) => i,
            (None, [i]) => *i,
            (None, []) => {
                return Err(ProvenanceError::KeyNotFound {
                    name: name.to_string(),
                    keyring: self.label.clone(),
                });
            }
            (None, many) => {
                return Err(ProvenanceError::AmbiguousKey {
                    name: name.to_string(),
                    keyring: self.label.clone(),
                    candidates: many
                        .iter()
                        .map(|&i| primary_user_id(&self.public[i]))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        };
        let chosen = &self.public[index];
        let fingerprint = chosen.fingerprint();
        self.secret
            .iter()
            .find(|s| s.fingerprint() == fingerprint)
            .ok_or_else(|| ProvenanceError::NotPrivate {
                user_id: primary_user_id(chosen),
                keyring: self.label.clone(),
            })
    }
}

/// The user IDs of a key as text (invalid UTF-8 replaced).
pub(crate) fn user_ids(key: &SignedPublicKey) -> Vec<String> {
    key.details
        .users
        .iter()
        .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
        .collect()
}

/// The first user ID of a key, or its fingerprint when it has none.
pub(crate) fn primary_user_id(key: &SignedPublicKey) -> String {
    user_ids(key)
        .into_iter()
        .next()
        .unwrap_or_else(|| format!("{:X}", key.fingerprint()))
}

fn is_armored(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes[start..].starts_with(b"-----BEGIN PGP")
}

/// Splits concatenated armor blocks at each `-----BEGIN PGP` line.
fn split_armor_blocks(bytes: &[u8]) -> Vec<&[u8]> {
    const MARK: &[u8] = b"-----BEGIN PGP";
    let mut starts: Vec<usize> = Vec::new();
    let mut i = 0;
    while i + MARK.len() <= bytes.len() {
        if (i == 0 || bytes[i - 1] == b'\n') && bytes[i..].starts_with(MARK) {
            starts.push(i);
            i += MARK.len();
        } else {
            i += 1;
        }
    }
    starts
        .iter()
        .enumerate()
        .map(|(n, &s)| &bytes[s..starts.get(n + 1).copied().unwrap_or(bytes.len())])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRING: &[u8] = include_bytes!("../../../tests/fixtures/provenance/signer-secring.gpg");
    const SECRING_ASC: &[u8] =
        include_bytes!("../../../tests/fixtures/provenance/signer-secring.asc");
    const PUBRING: &[u8] = include_bytes!("../../../tests/fixtures/provenance/pubring.gpg");
    const PUBRING_ASC: &[u8] = include_bytes!("../../../tests/fixtures/provenance/pubring.asc");
    const TWO: &[u8] = include_bytes!("../../../tests/fixtures/provenance/two-secring.gpg");

    #[test]
    fn binary_and_armored_keyrings_hold_the_same_keys() {
        let bin = Keyring::from_bytes(PUBRING, "pubring.gpg").unwrap();
        let asc = Keyring::from_bytes(PUBRING_ASC, "pubring.asc").unwrap();
        assert_eq!(bin.len(), 2);
        assert_eq!(asc.len(), 2);
        assert_eq!(bin.public[0].fingerprint(), asc.public[0].fingerprint());
        assert!(bin.secret.is_empty());
        let sec = Keyring::from_bytes(SECRING_ASC, "secring.asc").unwrap();
        assert_eq!(sec.secret.len(), 1);
    }

    #[test]
    fn concatenated_armor_blocks_are_all_read() {
        let mut both = PUBRING_ASC.to_vec();
        both.extend_from_slice(SECRING_ASC);
        let ring = Keyring::from_bytes(&both, "both.asc").unwrap();
        assert_eq!(ring.len(), 3);
        assert_eq!(ring.secret.len(), 1);
    }

    #[test]
    fn key_is_found_by_email_substring_or_exact_uid() {
        let ring = Keyring::from_bytes(SECRING, "secring.gpg").unwrap();
        let by_mail = ring.find_signer("signer@hoist.test").unwrap();
        let exact = ring
            .find_signer("Hoist Test Signer <signer@hoist.test>")
            .unwrap();
        assert_eq!(by_mail.fingerprint(), exact.fingerprint());
    }

    #[test]
    fn key_selection_errors_are_distinct() {
        let two = Keyring::from_bytes(TWO, "two.gpg").unwrap();
        assert!(matches!(
            two.find_signer("hoist.test"),
            Err(ProvenanceError::AmbiguousKey { .. })
        ));
        assert!(matches!(
            two.find_signer("nobody@example.com"),
            Err(ProvenanceError::KeyNotFound { .. })
        ));
        let public = Keyring::from_bytes(PUBRING, "pubring.gpg").unwrap();
        assert!(matches!(
            public.find_signer("signer@hoist.test"),
            Err(ProvenanceError::NotPrivate { .. })
        ));
    }

    #[test]
    fn garbage_is_not_a_keyring() {
        let err = Keyring::from_bytes(b"hello, not a key", "junk").unwrap_err();
        assert!(err.to_string().contains("keyring junk"), "{err}");
    }
}
