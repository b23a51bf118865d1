//! Sprig's password and key functions: `bcrypt`, `htpasswd`,
//! `derivePassword`, `encryptAES`/`decryptAES` and `genPrivateKey`, plus the
//! PEM key handling the certificate functions (`sprig_cert.rs`) share.
//!
//! Outputs follow Sprig v3.3 (the version Helm v4 vendors): the same PEM
//! block types and DER structures Go's `crypto/x509` writes, the same
//! `$2a$10$` bcrypt hashes, and Sprig's own AES-CBC layout, so values made
//! by hoist can be read back by charts rendered with Helm and vice versa.

use super::{FuncTable, Param, add, i, s};
use crate::engine::gotemplate::exec::GoError;
use crate::engine::gotemplate::value::Value;
use base64::Engine as _;
use hmac::Mac as _;

pub(super) fn register(t: &mut FuncTable) {
    use Param::*;
    add(t, "bcrypt", &[Str], |_, a| Ok(Value::Str(bcrypt(s(&a[0])))));
    add(t, "htpasswd", &[Str, Str], |_, a| {
        Ok(Value::Str(htpasswd(s(&a[0]), s(&a[1]))))
    });
    add(t, "derivePassword", &[Int, Str, Str, Str, Str], |_, a| {
        let counter = u32::try_from(i(&a[0]))
            .map_err(|_| GoError::plain(format!("{} overflows uint32", i(&a[0]))))?;
        Ok(Value::Str(derive_password(
            counter,
            s(&a[1]),
            s(&a[2]),
            s(&a[3]),
            s(&a[4]),
        )))
    });
    add(t, "encryptAES", &[Str, Str], |_, a| {
        encrypt_aes(s(&a[0]), s(&a[1]))
            .map(Value::Str)
            .map_err(GoError::plain)
    });
    add(t, "decryptAES", &[Str, Str], |_, a| {
        decrypt_aes(s(&a[0]), s(&a[1]))
            .map(Value::Str)
            .map_err(GoError::plain)
    });
    add(t, "genPrivateKey", &[Str], |_, a| {
        Ok(Value::Str(generate_private_key(s(&a[0]))))
    });
}

/// Go's `bcrypt.DefaultCost`.
const BCRYPT_COST: u32 = 10;

/// Sprig's `bcrypt`: a `$2a$10$` hash, or an error text in its place.
pub fn bcrypt(input: &str) -> String {
    // Go's bcrypt refuses what it cannot hash instead of truncating.
    if input.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .to_string();
    }
    match bcrypt::hash_with_result(input, BCRYPT_COST) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

/// Sprig's `htpasswd`: an Apache `user:bcrypt-hash` line.
pub fn htpasswd(user: &str, password: &str) -> String {
    if user.contains(':') {
        return format!("invalid username: {user}");
    }
    format!("{user}:{}", bcrypt(password))
}

const MASTER_PASSWORD_SEED: &str = "com.lyndir.masterpassword";

/// The Master Password algorithm's templates per password type.
fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(class: u8) -> &'static [u8] {
    match class {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// Sprig's `derivePassword` (Master Password v3: scrypt key from the master
/// password and user, HMAC-SHA256 seed from the site and counter).
pub fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let derived = scrypt::Params::new(15, 8, 2, 64)
        .map_err(|e| e.to_string())
        .and_then(|p| {
            scrypt::scrypt(password.as_bytes(), &salt, &p, &mut key).map_err(|e| e.to_string())
        });
    if let Err(e) = derived {
        return format!("failed to derive password: {e}");
    }
    let mut msg = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key) else {
        return "failed to derive password: bad key".to_string();
    };
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(k, class)| {
            let chars = template_chars(class);
            chars[usize::from(seed[k + 1]) % chars.len()] as char
        })
        .collect()
}

/// Sprig's AES key: the password's bytes, zero-padded or cut to 32.
fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let p = password.as_bytes();
    let n = p.len().min(32);
    key[..n].copy_from_slice(&p[..n]);
    key
}

/// Sprig's `encryptAES`: AES-256-CBC with PKCS#7 padding, a random IV in
/// front, base64 of the whole.
pub fn encrypt_aes(password: &str, plaintext: &str) -> Result<String, String> {
    use aes::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
    if plaintext.is_empty() {
        return Ok(String::new());
    }
    let mut iv = [0u8; 16];
    getrandom::fill(&mut iv).map_err(|e| e.to_string())?;
    let enc = cbc::Encryptor::<aes::Aes256>::new(&aes_key(password).into(), &iv.into());
    let len = plaintext.len();
    let mut buf = plaintext.as_bytes().to_vec();
    buf.resize(len + 16 - len % 16, 0);
    let body = enc
        .encrypt_padded_mut::<Pkcs7>(&mut buf, len)
        .map_err(|e| e.to_string())?;
    let mut out = iv.to_vec();
    out.extend_from_slice(body);
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}

/// Sprig's `decryptAES`, with the errors (and recovered panics) Go gives
/// for malformed input.
pub fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, String> {
    use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::NoPadding};
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let data = decode_std_base64(crypt64)?;
    if data.len() < 16 {
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            data.len()
        ));
    }
    let (iv, body) = data.split_at(16);
    if body.len() % 16 != 0 {
        return Err("crypto/cipher: input not full blocks".to_string());
    }
    if body.is_empty() {
        return Err("runtime error: index out of range [-1]".to_string());
    }
    let iv: [u8; 16] = iv.try_into().map_err(|_| "bad iv".to_string())?;
    let dec = cbc::Decryptor::<aes::Aes256>::new(&aes_key(password).into(), &iv.into());
    let mut buf = body.to_vec();
    let plain = dec
        .decrypt_padded_mut::<NoPadding>(&mut buf)
        .map_err(|e| e.to_string())?;
    // Sprig trusts the last byte as the padding length without checking it.
    let pad = usize::from(plain[plain.len() - 1]);
    if pad > plain.len() {
        return Err(format!(
            "runtime error: slice bounds out of range [:{}]",
            plain.len() as i64 - pad as i64
        ));
    }
    Ok(String::from_utf8_lossy(&plain[..plain.len() - pad]).into_owned())
}

/// Go's `base64.StdEncoding.DecodeString`, with its error text.
pub(crate) fn decode_std_base64(text: &str) -> Result<Vec<u8>, String> {
    use base64::DecodeError;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| match e {
            DecodeError::InvalidByte(at, _) | DecodeError::InvalidLastSymbol(at, _) => {
                format!("illegal base64 data at input byte {at}")
            }
            _ => format!(
                "illegal base64 data at input byte {}",
                text.len() - text.len() % 4
            ),
        })
}

/// A private key of one of the kinds Sprig generates and reads.
pub(crate) enum PrivateKey {
    /// `RSA PRIVATE KEY` (PKCS#1).
    Rsa(Box<rsa::RsaPrivateKey>),
    /// `EC PRIVATE KEY` (SEC 1), P-256.
    Ec(p256::SecretKey),
    /// `PRIVATE KEY` (PKCS#8), Ed25519.
    Ed25519(Box<ed25519_dalek::SigningKey>),
    /// `DSA PRIVATE KEY` (OpenSSL's sequence of integers).
    Dsa(Box<dsa::SigningKey>),
}

/// Sprig's `genPrivateKey`: a PEM key, or an error text in its place.
pub fn generate_private_key(kind: &str) -> String {
    let mut rng = rand_core::OsRng;
    let key = match kind {
        "" | "rsa" => match rsa::RsaPrivateKey::new(&mut rng, 4096) {
            Ok(k) => PrivateKey::Rsa(Box::new(k)),
            Err(e) => return format!("failed to generate private key: {e}"),
        },
        "dsa" => {
            let components = dsa::Components::generate(&mut rng, dsa::KeySize::DSA_2048_256);
            PrivateKey::Dsa(Box::new(dsa::SigningKey::generate(&mut rng, components)))
        }
        "ecdsa" => PrivateKey::Ec(p256::SecretKey::random(&mut rng)),
        "ed25519" => PrivateKey::Ed25519(Box::new(ed25519_dalek::SigningKey::generate(&mut rng))),
        _ => return format!("Unknown type {kind}"),
    };
    key_to_pem(&key).unwrap_or_default()
}

/// The PEM block Sprig writes for a key (`pemBlockForKey`).
pub(crate) fn key_to_pem(key: &PrivateKey) -> Result<String, String> {
    let (label, der) = match key {
        PrivateKey::Rsa(k) => {
            use rsa::pkcs1::EncodeRsaPrivateKey as _;
            let d = k.to_pkcs1_der().map_err(|e| e.to_string())?;
            ("RSA PRIVATE KEY", d.as_bytes().to_vec())
        }
        PrivateKey::Ec(k) => {
            // Go names the curve inside the key; RustCrypto's encoder does not.
            use der::Encode as _;
            use p256::elliptic_curve::sec1::ToEncodedPoint as _;
            let secret = k.to_bytes();
            let public = k.public_key().to_encoded_point(false);
            let curve = der::oid::ObjectIdentifier::new("1.2.840.10045.3.1.7")
                .map_err(|e| e.to_string())?;
            let d = sec1::EcPrivateKey {
                private_key: &secret,
                parameters: Some(sec1::EcParameters::NamedCurve(curve)),
                public_key: Some(public.as_bytes()),
            }
            .to_der()
            .map_err(|e| e.to_string())?;
            ("EC PRIVATE KEY", d)
        }
        PrivateKey::Ed25519(k) => {
            // Go's PKCS#8 for Ed25519 is version 1: no public key inside.
            use ed25519_dalek::pkcs8::EncodePrivateKey as _;
            let pair = ed25519_dalek::pkcs8::KeypairBytes {
                secret_key: k.to_bytes(),
                public_key: None,
            };
            let d = pair.to_pkcs8_der().map_err(|e| e.to_string())?;
            ("PRIVATE KEY", d.as_bytes().to_vec())
        }
        PrivateKey::Dsa(k) => {
            let c = k.verifying_key().components();
            let ints = [
                vec![0u8],
                c.p().to_bytes_be(),
                c.q().to_bytes_be(),
                c.g().to_bytes_be(),
                k.verifying_key().y().to_bytes_be(),
                k.x().to_bytes_be(),
            ];
            ("DSA PRIVATE KEY", der_int_sequence(&ints))
        }
    };
    Ok(pem_encode(label, &der))
}

/// DER `SEQUENCE` of non-negative `INTEGER`s given as big-endian bytes.
fn der_int_sequence(ints: &[Vec<u8>]) -> Vec<u8> {
    let mut body = Vec::new();
    for raw in ints {
        let mut v: Vec<u8> = raw.iter().copied().skip_while(|b| *b == 0).collect();
        if v.is_empty() || v[0] & 0x80 != 0 {
            v.insert(0, 0);
        }
        body.push(0x02);
        body.extend(der_len(v.len()));
        body.extend(v);
    }
    let mut out = vec![0x30];
    out.extend(der_len(body.len()));
    out.extend(body);
    out
}

fn der_len(n: usize) -> Vec<u8> {
    if n < 0x80 {
        return vec![n as u8];
    }
    let bytes: Vec<u8> = n
        .to_be_bytes()
        .iter()
        .copied()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

/// Go's `pem.Encode`: base64 in 64-column lines.
pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The first PEM block in `text` (Go's `pem.Decode`, without headers).
pub(crate) fn pem_decode(text: &str) -> Option<(String, Vec<u8>)> {
    let mut rest = text;
    loop {
        let start = rest.find("-----BEGIN ")?;
        let after = &rest[start + 11..];
        let end_label = after.find("-----")?;
        let label = &after[..end_label];
        let body_start = &after[end_label + 5..];
        let end_marker = format!("-----END {label}-----");
        match body_start.find(&end_marker) {
            Some(end) if !label.contains('\n') => {
                let body: String = body_start[..end]
                    .lines()
                    .filter(|l| !l.contains(':'))
                    .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
                    .collect();
                if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(body) {
                    return Some((label.to_string(), der));
                }
                rest = &body_start[end..];
            }
            _ => rest = body_start,
        }
    }
}

/// Sprig's `parsePrivateKeyPEM`, with its error texts.
pub(crate) fn parse_private_key_pem(text: &str) -> Result<PrivateKey, String> {
    let (label, der) = pem_decode(text).ok_or("no PEM data in input")?;
    if label == "PRIVATE KEY" {
        return parse_pkcs8(&der).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
    }
    let Some(kind) = label.strip_suffix(" PRIVATE KEY") else {
        return Err(format!("no private key data in PEM block of type {label}"));
    };
    match kind {
        "RSA" => {
            use rsa::pkcs1::DecodeRsaPrivateKey as _;
            rsa::RsaPrivateKey::from_pkcs1_der(&der)
                .map(|k| PrivateKey::Rsa(Box::new(k)))
                .map_err(|e| format!("parsing RSA private key from PEM: x509: {e}"))
        }
        "EC" => p256::SecretKey::from_sec1_der(&der)
            .map(PrivateKey::Ec)
            .map_err(|e| format!("parsing EC private key from PEM: x509: {e}")),
        "DSA" => parse_dsa(&der)
            .map(|k| PrivateKey::Dsa(Box::new(k)))
            .map_err(|e| format!("parsing DSA private key from PEM: {e}")),
        _ => Err(format!("invalid private key type {label}")),
    }
}

fn parse_pkcs8(der: &[u8]) -> Result<PrivateKey, String> {
    use pkcs8::DecodePrivateKey as _;
    if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(der) {
        return Ok(PrivateKey::Ed25519(Box::new(k)));
    }
    if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
        return Ok(PrivateKey::Rsa(Box::new(k)));
    }
    if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
        return Ok(PrivateKey::Ec(k));
    }
    Err(
        "x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)"
            .to_string(),
    )
}

/// Reads OpenSSL's DSA key: `SEQUENCE { version, p, q, g, y, x }`.
fn parse_dsa(der: &[u8]) -> Result<dsa::SigningKey, String> {
    use der::{Decode as _, Reader as _, asn1::UintRef};
    let bad = |e: der::Error| format!("asn1: structure error: {e}");
    let mut reader = der::SliceReader::new(der).map_err(bad)?;
    let ints = reader
        .sequence(|r| {
            let mut v = Vec::new();
            for _ in 0..6 {
                v.push(UintRef::decode(r)?.as_bytes().to_vec());
            }
            Ok(v)
        })
        .map_err(bad)?;
    let n = |k: usize| dsa::BigUint::from_bytes_be(&ints[k]);
    let comps = dsa::Components::from_components(n(1), n(2), n(3)).map_err(|e| e.to_string())?;
    let vk = dsa::VerifyingKey::from_components(comps, n(4)).map_err(|e| e.to_string())?;
    dsa::SigningKey::from_components(vk, n(5)).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcrypt_is_go_format_and_verifies() {
        let h = bcrypt("secret");
        assert!(h.starts_with("$2a$10$"), "{h}");
        assert!(bcrypt::verify("secret", &h).unwrap());
        let line = htpasswd("admin", "pw");
        let (user, hash) = line.split_once(':').unwrap();
        assert_eq!(user, "admin");
        assert!(bcrypt::verify("pw", hash).unwrap());
        assert_eq!(htpasswd("a:b", "pw"), "invalid username: a:b");
    }

    #[test]
    fn aes_round_trips_and_rejects_bad_input() {
        let c = encrypt_aes("key", "hello world, longer than a block").unwrap();
        assert_eq!(
            decrypt_aes("key", &c).unwrap(),
            "hello world, longer than a block"
        );
        assert_eq!(encrypt_aes("key", "").unwrap(), "");
        assert_eq!(
            decrypt_aes("key", "AAAA").unwrap_err(),
            "runtime error: slice bounds out of range [:16] with capacity 3"
        );
        assert_eq!(
            decrypt_aes("key", "!!").unwrap_err(),
            "illegal base64 data at input byte 0"
        );
    }

    #[test]
    fn generated_keys_parse_back() {
        for kind in ["ecdsa", "ed25519"] {
            let pem = generate_private_key(kind);
            let key = parse_private_key_pem(&pem).unwrap();
            assert_eq!(key_to_pem(&key).unwrap(), pem, "{kind}");
        }
        assert_eq!(generate_private_key("foo"), "Unknown type foo");
        assert_eq!(
            parse_private_key_pem("nothing").err().unwrap(),
            "no PEM data in input"
        );
    }

    #[test]
    fn default_key_is_rsa_4096_pkcs1() {
        use rsa::traits::PublicKeyParts as _;
        let pem = generate_private_key("");
        assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        let PrivateKey::Rsa(k) = parse_private_key_pem(&pem).unwrap() else {
            panic!("not RSA")
        };
        assert_eq!(k.size() * 8, 4096);
    }

    #[test]
    fn dsa_sequence_is_der() {
        assert_eq!(
            der_int_sequence(&[vec![0], vec![0x80]]),
            vec![0x30, 0x07, 0x02, 0x01, 0x00, 0x02, 0x02, 0x00, 0x80]
        );
    }
}
