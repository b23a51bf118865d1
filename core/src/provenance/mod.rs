//! Chart provenance: Helm's `.prov` files, signing and verification.
//!
//! A provenance file is a PGP clear-signed message whose text is laid out
//! exactly as Helm's `pkg/provenance` writes it:
//!
//! ```text
//! <Chart.yaml as sigs.k8s.io/yaml marshals chart.Metadata>
//! ...
//! files:
//!   NAME-VERSION.tgz: sha256:HEX
//! ```
//!
//! signed with SHA-512 by the primary key of the chosen OpenPGP key. Verifying
//! checks the signature against a keyring, then that the archive hashes to
//! the digest the signed text names for its file name.

mod error;
mod keyring;
mod message;

pub use error::ProvenanceError;
pub use keyring::Keyring;
pub use message::{message_block, parse_files};

use keyring::primary_user_id;
use pgp::composed::{CleartextSignedMessage, SignedPublicKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{Signature, SignatureConfig, SignatureType, Subpacket, SubpacketData};
use pgp::types::{KeyDetails, KeyVersion, Password, Timestamp, VerifyingKey};
use std::path::{Path, PathBuf};

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verification {
    /// The signing key's first user ID (`Name <email>`).
    pub signer: String,
    /// Every user ID of the signing key, as `helm verify` lists them.
    pub identities: Vec<String>,
    /// The signing key's primary fingerprint, upper-case hex like Helm's `%X`.
    pub fingerprint: String,
    /// The archive file name the provenance file vouches for.
    pub file_name: String,
    /// The verified digest, `sha256:HEX`.
    pub file_hash: String,
}

impl Verification {
    /// The report `helm verify` prints.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for id in &self.identities {
            out.push_str(&format!("Signed by: {id}\n"));
        }
        out.push_str(&format!(
            "Using Key With Fingerprint: {}\n",
            self.fingerprint
        ));
        out.push_str(&format!("Chart Hash Verified: {}\n", self.file_hash));
        out
    }
}

/// The provenance file path Helm expects beside an archive: `ARCHIVE.prov`.
pub fn prov_path(archive: &Path) -> PathBuf {
    let mut s = archive.as_os_str().to_os_string();
    s.push(".prov");
    PathBuf::from(s)
}

/// Signs the chart archive at `archive_path` with the key of `keyring_path`
/// whose user ID contains `key_name`, and returns the provenance text (the
/// caller writes it to `ARCHIVE.prov`). `passphrase` unlocks a protected key.
pub fn sign(
    archive_path: impl AsRef<Path>,
    key_name: &str,
    keyring_path: impl AsRef<Path>,
    passphrase: Option<&str>,
) -> Result<String, ProvenanceError> {
    let archive_path = archive_path.as_ref();
    let keyring = Keyring::load(keyring_path)?;
    let archive = std::fs::read(archive_path).map_err(|e| ProvenanceError::io(archive_path, e))?;
    sign_bytes(
        &archive,
        &file_name(archive_path),
        &keyring,
        key_name,
        passphrase,
    )
}

/// Signs archive bytes that will be published as `filename`.
pub fn sign_bytes(
    archive: &[u8],
    filename: &str,
    keyring: &Keyring,
    key_name: &str,
    passphrase: Option<&str>,
) -> Result<String, ProvenanceError> {
    let key = keyring.find_signer(key_name)?;
    let user_id = primary_user_id(&key.to_public_key());
    let locked = key.primary_key.secret_params().is_encrypted();
    let password = match passphrase {
        Some(p) => Password::from(p),
        None if locked => return Err(ProvenanceError::PassphraseRequired { user_id }),
        None => Password::empty(),
    };

    let body = message_block(archive, filename)?;
    let signed = canonical_signed_text(&body);
    let sign_err = |e: pgp::errors::Error| ProvenanceError::Sign {
        user_id: user_id.clone(),
        message: if locked {
            format!("{e} (is the passphrase right?)")
        } else {
            e.to_string()
        },
    };
    let primary = &key.primary_key;
    let mut config = match primary.version() {
        // Helm signs with SHA-512 (its defaultPGPConfig).
        KeyVersion::V4 => SignatureConfig::v4(
            SignatureType::Text,
            primary.algorithm(),
            HashAlgorithm::Sha512,
        ),
        _ => SignatureConfig::from_key(rand_core::OsRng, primary, SignatureType::Text)
            .map_err(sign_err)?,
    };
    config.hashed_subpackets = vec![
        Subpacket::regular(SubpacketData::SignatureCreationTime(Timestamp::now()))
            .map_err(sign_err)?,
        Subpacket::regular(SubpacketData::IssuerFingerprint(primary.fingerprint()))
            .map_err(sign_err)?,
    ];
    if primary.version() <= KeyVersion::V4 {
        config.unhashed_subpackets = vec![
            Subpacket::regular(SubpacketData::IssuerKeyId(primary.legacy_key_id()))
                .map_err(sign_err)?,
        ];
    }
    let signature = config
        .sign(primary, &password, signed.as_bytes())
        .map_err(sign_err)?;
    // The text ends without its last newline: in the cleartext framework the
    // line break before the signature armor is not part of the signed text,
    // which is how Go's clearsign (and gpg) treat Helm's trailing newline.
    let text = body.strip_suffix('\n').unwrap_or(&body);
    let msg = CleartextSignedMessage::new_many(text, |_| Ok(vec![signature])).map_err(sign_err)?;
    let armored = msg
        .to_armored_string(pgp::composed::ArmorOptions::default())
        .map_err(sign_err)?;
    // Helm's files end right after the armor footer, with no newline.
    Ok(armored.trim_end_matches('\n').to_string())
}

/// Verifies `ARCHIVE.prov` for the archive at `archive_path` against the
/// keyring at `keyring_path`. This is what `verify`, `pull --verify` and
/// `install --verify` call; a missing `.prov` is [`ProvenanceError::ProvenanceMissing`].
pub fn verify_archive(
    archive_path: impl AsRef<Path>,
    keyring_path: impl AsRef<Path>,
) -> Result<Verification, ProvenanceError> {
    let archive_path = archive_path.as_ref();
    let prov = prov_path(archive_path);
    let prov_text = match std::fs::read(&prov) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ProvenanceError::ProvenanceMissing {
                prov: prov.display().to_string(),
            });
        }
        Err(e) => return Err(ProvenanceError::io(&prov, e)),
    };
    let archive = std::fs::read(archive_path).map_err(|e| ProvenanceError::io(archive_path, e))?;
    let keyring = Keyring::load(keyring_path)?;
    verify(
        &archive,
        &file_name(archive_path),
        &prov_text,
        &prov.display().to_string(),
        &keyring,
    )
}

/// Verifies provenance bytes for archive bytes published as `filename`
/// (downloads that are not on disk yet). `prov_label` names the provenance
/// file in errors.
pub fn verify(
    archive: &[u8],
    filename: &str,
    prov: &[u8],
    prov_label: &str,
    keyring: &Keyring,
) -> Result<Verification, ProvenanceError> {
    let malformed = |message: String| ProvenanceError::Malformed {
        prov: prov_label.to_string(),
        message,
    };
    let text =
        std::str::from_utf8(prov).map_err(|_| malformed("it is not UTF-8 text".to_string()))?;
    if !text
        .trim_start()
        .starts_with("-----BEGIN PGP SIGNED MESSAGE-----")
    {
        return Err(malformed("signature block not found".to_string()));
    }
    let (msg, _) = CleartextSignedMessage::from_string(text.trim_start())
        .map_err(|e| malformed(format!("not a PGP clear-signed message: {e}")))?;
    if msg.signatures().is_empty() {
        return Err(malformed("it carries no signature".to_string()));
    }
    let signed = msg.signed_text();
    let signer = check_signatures(msg.signatures(), signed.as_bytes(), keyring, prov_label)?;

    let plain = signed.replace("\r\n", "\n");
    let files = parse_files(&plain).map_err(malformed)?;
    let actual = format!("sha256:{}", crate::chart::package::sha256_hex(archive));
    let Some(expected) = files.get(filename) else {
        return Err(ProvenanceError::NoHashForFile {
            prov: prov_label.to_string(),
            file: filename.to_string(),
        });
    };
    if *expected != actual {
        return Err(ProvenanceError::DigestMismatch {
            file: filename.to_string(),
            expected: expected.clone(),
            actual,
        });
    }
    Ok(Verification {
        signer: primary_user_id(signer),
        identities: keyring::user_ids(signer),
        fingerprint: format!("{:X}", signer.fingerprint()),
        file_name: filename.to_string(),
        file_hash: actual,
    })
}

/// Finds the keyring key that made one of `signatures` over `data`.
fn check_signatures<'k>(
    signatures: &[Signature],
    data: &[u8],
    keyring: &'k Keyring,
    prov_label: &str,
) -> Result<&'k SignedPublicKey, ProvenanceError> {
    let mut bad_by: Option<&SignedPublicKey> = None;
    let mut issuers: Vec<String> = Vec::new();
    for sig in signatures {
        let ids: Vec<Vec<u8>> = sig
            .issuer_key_id()
            .iter()
            .map(|k| k.as_ref().to_vec())
            .collect();
        let fps: Vec<Vec<u8>> = sig
            .issuer_fingerprint()
            .iter()
            .map(|f| f.as_bytes().to_vec())
            .collect();
        issuers.extend(fps.iter().map(hex::encode_upper));
        if fps.is_empty() {
            issuers.extend(ids.iter().map(hex::encode_upper));
        }
        let names_key = |key: &dyn KeyDetails| {
            // A signature without issuer subpackets may be from any key.
            (ids.is_empty() && fps.is_empty())
                || ids
                    .iter()
                    .any(|id| id.as_slice() == key.legacy_key_id().as_ref())
                || fps
                    .iter()
                    .any(|fp| fp.as_slice() == key.fingerprint().as_bytes())
        };
        for key in &keyring.public {
            let mut candidates: Vec<&dyn VerifyingKeyDetails> = vec![&key.primary_key];
            candidates.extend(
                key.public_subkeys
                    .iter()
                    .map(|s| -> &dyn VerifyingKeyDetails { &s.key }),
            );
            for candidate in candidates {
                if !names_key(candidate.as_details()) {
                    continue;
                }
                if candidate.verify_sig(sig, data) {
                    return Ok(key);
                }
                bad_by.get_or_insert(key);
            }
        }
    }
    if let Some(key) = bad_by {
        return Err(ProvenanceError::BadSignature {
            prov: prov_label.to_string(),
            signer: primary_user_id(key),
        });
    }
    issuers.dedup();
    Err(ProvenanceError::UnknownSigner {
        prov: prov_label.to_string(),
        key_ids: if issuers.is_empty() {
            "(unnamed)".to_string()
        } else {
            issuers.join(", ")
        },
        keyring: keyring.label().to_string(),
    })
}

/// A primary key or subkey that can check a signature.
trait VerifyingKeyDetails {
    fn as_details(&self) -> &dyn KeyDetails;
    fn verify_sig(&self, sig: &Signature, data: &[u8]) -> bool;
}

impl<T: VerifyingKey + KeyDetails> VerifyingKeyDetails for T {
    fn as_details(&self) -> &dyn KeyDetails {
        self
    }
    fn verify_sig(&self, sig: &Signature, data: &[u8]) -> bool {
        sig.verify(self, data).is_ok()
    }
}

/// The bytes a cleartext signature covers: the text without its final line
/// break, trailing spaces and tabs removed from each line, lines joined by
/// CRLF (RFC 9580, section 7.1).
fn canonical_signed_text(body: &str) -> String {
    let text = body.strip_suffix('\n').unwrap_or(body);
    text.split('\n')
        .map(|l| l.trim_end_matches(['\r', ' ', '\t']))
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/provenance");
    const HELM_TGZ: &str = "signme-1.2.3+build.7.tgz";

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{FIX}/{name}")).unwrap()
    }

    fn ring(name: &str) -> Keyring {
        Keyring::from_bytes(&fixture(name), name).unwrap()
    }

    fn helm_archive() -> Vec<u8> {
        fixture(&format!("helm/{HELM_TGZ}"))
    }

    #[test]
    fn helm_made_provenance_verifies() {
        let prov = fixture(&format!("helm/{HELM_TGZ}.prov"));
        let v = verify(
            &helm_archive(),
            HELM_TGZ,
            &prov,
            "helm.prov",
            &ring("pubring.gpg"),
        )
        .unwrap();
        assert_eq!(v.signer, "Hoist Test Signer <signer@hoist.test>");
        assert_eq!(v.file_name, HELM_TGZ);
        assert_eq!(
            v.file_hash,
            format!(
                "sha256:{}",
                crate::chart::package::sha256_hex(&helm_archive())
            )
        );
        assert_eq!(v.fingerprint.len(), 40);
        assert!(v.report().starts_with("Signed by: Hoist Test Signer"));
    }

    #[test]
    fn our_signature_verifies_with_binary_and_armored_keyrings() {
        let archive = helm_archive();
        let prov = sign_bytes(
            &archive,
            HELM_TGZ,
            &ring("signer-secring.asc"),
            "signer",
            None,
        )
        .unwrap();
        assert!(prov.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"));
        assert!(prov.ends_with("-----END PGP SIGNATURE-----"));
        for keyring in ["pubring.gpg", "pubring.asc", "signer-secring.gpg"] {
            let v = verify(&archive, HELM_TGZ, prov.as_bytes(), "ours", &ring(keyring)).unwrap();
            assert_eq!(
                v.signer, "Hoist Test Signer <signer@hoist.test>",
                "{keyring}"
            );
        }
    }

    #[test]
    fn our_message_body_is_helms() {
        // The Helm-made .prov's text is Helm's own message block for the same
        // archive; ours must be byte-identical before the signature.
        let helm_prov = String::from_utf8(fixture(&format!("helm/{HELM_TGZ}.prov"))).unwrap();
        let ours = sign_bytes(
            &helm_archive(),
            HELM_TGZ,
            &ring("signer-secring.gpg"),
            "signer",
            None,
        )
        .unwrap();
        let body = |s: &str| {
            s.split("-----BEGIN PGP SIGNATURE-----")
                .next()
                .unwrap()
                .to_string()
        };
        assert_eq!(body(&ours), body(&helm_prov));
    }

    #[test]
    fn passphrase_protected_key_needs_the_right_passphrase() {
        let archive = helm_archive();
        let locked = ring("locked-secring.gpg");
        assert!(matches!(
            sign_bytes(&archive, HELM_TGZ, &locked, "locked", None),
            Err(ProvenanceError::PassphraseRequired { .. })
        ));
        assert!(matches!(
            sign_bytes(&archive, HELM_TGZ, &locked, "locked", Some("wrong")),
            Err(ProvenanceError::Sign { .. })
        ));
        let prov = sign_bytes(
            &archive,
            HELM_TGZ,
            &locked,
            "locked",
            Some("hoist-secret-phrase"),
        )
        .unwrap();
        let v = verify(
            &archive,
            HELM_TGZ,
            prov.as_bytes(),
            "p",
            &ring("pubring.gpg"),
        )
        .unwrap();
        assert_eq!(v.signer, "Hoist Locked Key <locked@hoist.test>");
    }

    #[test]
    fn each_tampering_has_its_own_error() {
        let archive = helm_archive();
        let prov = sign_bytes(
            &archive,
            HELM_TGZ,
            &ring("signer-secring.gpg"),
            "signer",
            None,
        )
        .unwrap();
        let pubring = ring("pubring.gpg");

        // The .prov's hash line edited after signing.
        let hex = crate::chart::package::sha256_hex(&archive);
        let edited = prov.replace(&hex, &"0".repeat(64));
        assert!(matches!(
            verify(&archive, HELM_TGZ, edited.as_bytes(), "p", &pubring),
            Err(ProvenanceError::BadSignature { .. })
        ));

        // Signed by a key the keyring does not have.
        let foreign = sign_bytes(
            &archive,
            HELM_TGZ,
            &ring("other-secring.gpg"),
            "other",
            None,
        )
        .unwrap();
        let err = verify(&archive, HELM_TGZ, foreign.as_bytes(), "p", &pubring).unwrap_err();
        assert!(
            matches!(err, ProvenanceError::UnknownSigner { .. }),
            "{err}"
        );

        // The archive changed after signing.
        let mut altered = archive.clone();
        altered.push(0);
        let err = verify(&altered, HELM_TGZ, prov.as_bytes(), "p", &pubring).unwrap_err();
        assert!(
            matches!(err, ProvenanceError::DigestMismatch { .. }),
            "{err}"
        );

        // Renamed archive: the .prov names another file.
        assert!(matches!(
            verify(&archive, "other-1.0.0.tgz", prov.as_bytes(), "p", &pubring),
            Err(ProvenanceError::NoHashForFile { .. })
        ));

        // Not a signed message at all, or a truncated one.
        for junk in ["files:\n  a.tgz: sha256:00\n", &prov[..prov.len() / 2]] {
            assert!(matches!(
                verify(&archive, HELM_TGZ, junk.as_bytes(), "p", &pubring),
                Err(ProvenanceError::Malformed { .. })
            ));
        }
    }

    #[test]
    fn missing_prov_file_is_reported_as_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(HELM_TGZ);
        std::fs::write(&path, helm_archive()).unwrap();
        let err = verify_archive(&path, format!("{FIX}/pubring.gpg")).unwrap_err();
        assert!(
            matches!(err, ProvenanceError::ProvenanceMissing { .. }),
            "{err}"
        );
        std::fs::write(prov_path(&path), fixture(&format!("helm/{HELM_TGZ}.prov"))).unwrap();
        verify_archive(&path, format!("{FIX}/pubring.gpg")).unwrap();
    }

    #[test]
    fn canonical_text_drops_final_newline_and_trailing_blanks() {
        assert_eq!(canonical_signed_text("a  \nb\t\n"), "a\r\nb");
        assert_eq!(canonical_signed_text("a\n\nb"), "a\r\n\r\nb");
    }
}
