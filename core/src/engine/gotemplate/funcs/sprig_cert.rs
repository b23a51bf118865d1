//! Sprig's certificate functions: `genCA`, `genSelfSignedCert`,
//! `genSignedCert` (each also `...WithKey`) and `buildCustomCert`.
//!
//! Certificates are built the way Sprig fills Go's `x509.Certificate`
//! template and `x509.CreateCertificate` encodes it: a random 128-bit
//! serial, subject `CN=<cn>` only, validity from now for `days` × 24 h,
//! key usage digitalSignature + keyEncipherment (+ certSign for a CA),
//! extended key usage serverAuth + clientAuth, basic constraints (critical,
//! `cA` for a CA), a SHA-1 subject key id on CAs, the CA's key id as
//! authority key id, and DNS then IP subject alternative names. Generated
//! keys are RSA 2048; signatures are SHA-256 with RSA, ECDSA P-256 with
//! SHA-256, or Ed25519, after the signing key.

use super::sprig_crypto::{
    PrivateKey, decode_std_base64, key_to_pem, parse_private_key_pem, pem_decode, pem_encode,
};
use super::{FuncTable, Param, add, i, s};
use crate::engine::gotemplate::exec::GoError;
use crate::engine::gotemplate::value::{GoObject, Value};
use der::asn1::{Any, BitString, GeneralizedTime, Ia5String, OctetString, SetOfVec, UtcTime};
use der::oid::{AssociatedOid, ObjectIdentifier};
use der::{Decode as _, Encode as _};
use std::net::IpAddr;
use std::rc::Rc;
use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::certificate::{TbsCertificate, Version};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};

/// Sprig's `certificate` struct: PEM `Cert` and `Key`.
#[derive(Debug, Clone)]
pub struct CertPair {
    /// PEM `CERTIFICATE` block.
    pub cert: String,
    /// PEM private key block.
    pub key: String,
}

const TYPE_NAME: &str = "sprig.certificate";

impl GoObject for CertPair {
    fn type_name(&self) -> String {
        TYPE_NAME.into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::str(self.cert.clone())),
            "Key" => Some(Value::str(self.key.clone())),
            _ => None,
        }
    }
    fn method_params(&self, _name: &str) -> Option<&'static [Param]> {
        None
    }
    fn call(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    fn display(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }
    fn to_data(&self) -> Value {
        let mut m = std::collections::BTreeMap::new();
        m.insert("Cert".to_string(), Value::str(self.cert.clone()));
        m.insert("Key".to_string(), Value::str(self.key.clone()));
        Value::map(m)
    }
}

fn obj(pair: CertPair) -> Value {
    Value::Object(Rc::new(pair))
}

/// The `certificate` argument of `genSignedCert`, type-checked as Go does.
fn ca_arg(v: &Value) -> Result<CertPair, GoError> {
    if let Value::Object(o) = v
        && o.type_name() == TYPE_NAME
    {
        let get = |f: &str| {
            o.field(f)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        return Ok(CertPair {
            cert: get("Cert"),
            key: get("Key"),
        });
    }
    Err(GoError::plain(format!(
        "wrong type for value; expected {TYPE_NAME}; got {}",
        v.type_name()
    )))
}

fn list_items(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l.to_vec(),
        Value::StrList(l) => l.iter().map(|x| Value::str(x.clone())).collect(),
        _ => Vec::new(),
    }
}

fn fmt_v(v: &Value) -> String {
    crate::engine::gotemplate::fmt::format_v(v)
}

/// Sprig's `getNetIPs`.
fn net_ips(v: &Value) -> Result<Vec<IpAddr>, String> {
    list_items(v)
        .iter()
        .map(|ip| {
            let Value::Str(text) = ip else {
                return Err(format!("error parsing ip: {} is not a string", fmt_v(ip)));
            };
            text.parse::<IpAddr>()
                .map_err(|_| format!("error parsing ip: {text}"))
        })
        .collect()
}

/// Sprig's `getAlternateDNSStrs`.
fn dns_names(v: &Value) -> Result<Vec<String>, String> {
    list_items(v)
        .iter()
        .map(|d| match d {
            Value::Str(text) => Ok(text.clone()),
            other => Err(format!(
                "error processing alternate dns name: {} is not a string",
                fmt_v(other)
            )),
        })
        .collect()
}

fn new_rsa_key() -> Result<PrivateKey, String> {
    rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048)
        .map(|k| PrivateKey::Rsa(Box::new(k)))
        .map_err(|e| format!("error generating rsa key: {e}"))
}

fn with_pem_key(pem: &str) -> Result<PrivateKey, String> {
    parse_private_key_pem(pem).map_err(|e| format!("parsing private key: {e}"))
}

pub(super) fn register(t: &mut FuncTable) {
    use Param::*;
    add(t, "genCA", &[Str, Int], |_, a| {
        let key = new_rsa_key().map_err(GoError::plain)?;
        wrap(make_cert(
            &a[0],
            &Value::Nil,
            &Value::Nil,
            i(&a[1]),
            true,
            key,
            None,
        ))
    });
    add(t, "genCAWithKey", &[Str, Int, Str], |_, a| {
        let key = with_pem_key(s(&a[2])).map_err(GoError::plain)?;
        wrap(make_cert(
            &a[0],
            &Value::Nil,
            &Value::Nil,
            i(&a[1]),
            true,
            key,
            None,
        ))
    });
    add(t, "genSelfSignedCert", &[Str, List, List, Int], |_, a| {
        let key = new_rsa_key().map_err(GoError::plain)?;
        wrap(make_cert(&a[0], &a[1], &a[2], i(&a[3]), false, key, None))
    });
    add(
        t,
        "genSelfSignedCertWithKey",
        &[Str, List, List, Int, Str],
        |_, a| {
            let key = with_pem_key(s(&a[4])).map_err(GoError::plain)?;
            wrap(make_cert(&a[0], &a[1], &a[2], i(&a[3]), false, key, None))
        },
    );
    add(t, "genSignedCert", &[Str, List, List, Int, Any], |_, a| {
        let ca = ca_arg(&a[4])?;
        let key = new_rsa_key().map_err(GoError::plain)?;
        wrap(make_cert(
            &a[0],
            &a[1],
            &a[2],
            i(&a[3]),
            false,
            key,
            Some(&ca),
        ))
    });
    add(
        t,
        "genSignedCertWithKey",
        &[Str, List, List, Int, Any, Str],
        |_, a| {
            let ca = ca_arg(&a[4])?;
            let key = with_pem_key(s(&a[5])).map_err(GoError::plain)?;
            wrap(make_cert(
                &a[0],
                &a[1],
                &a[2],
                i(&a[3]),
                false,
                key,
                Some(&ca),
            ))
        },
    );
    add(t, "buildCustomCert", &[Str, Str], |_, a| {
        wrap(build_custom_cert(s(&a[0]), s(&a[1])))
    });
}

fn wrap(r: Result<CertPair, String>) -> Result<Value, GoError> {
    r.map(obj).map_err(GoError::plain)
}

/// Sprig's `buildCustomCert`: checks base64 PEM certificate and key.
pub fn build_custom_cert(b64cert: &str, b64key: &str) -> Result<CertPair, String> {
    let cert = decode_std_base64(b64cert).map_err(|_| "unable to decode base64 certificate")?;
    let key = decode_std_base64(b64key).map_err(|_| "unable to decode base64 private key")?;
    let cert = String::from_utf8_lossy(&cert).into_owned();
    let key = String::from_utf8_lossy(&key).into_owned();
    let (_, der) = pem_decode(&cert).ok_or("unable to decode certificate")?;
    Certificate::from_der(&der).map_err(|e| {
        format!("error parsing certificate: decodedCert.Bytes: x509: malformed certificate: {e}")
    })?;
    parse_private_key_pem(&key).map_err(|e| format!("error parsing private key: {e}"))?;
    Ok(CertPair { cert, key })
}

/// The signature algorithm Go picks for a signing key.
fn sig_alg(key: &PrivateKey) -> Result<AlgorithmIdentifierOwned, String> {
    let (oid, null) = match key {
        PrivateKey::Rsa(_) => ("1.2.840.113549.1.1.11", true),
        PrivateKey::Ec(_) => ("1.2.840.10045.4.3.2", false),
        PrivateKey::Ed25519(_) => ("1.3.101.112", false),
        PrivateKey::Dsa(_) => {
            return Err("x509: certificate private key does not implement crypto.Signer".into());
        }
    };
    Ok(AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new(oid).map_err(|e| e.to_string())?,
        parameters: null.then(Any::null),
    })
}

/// Signs `msg` with `key` as `sig_alg` names.
fn sign(key: &PrivateKey, msg: &[u8]) -> Result<Vec<u8>, String> {
    use signature::{SignatureEncoding as _, Signer as _};
    match key {
        PrivateKey::Rsa(k) => {
            let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**k).clone());
            let sig = signer.try_sign(msg).map_err(|e| e.to_string())?;
            Ok(sig.to_vec())
        }
        PrivateKey::Ec(k) => {
            let signer = p256::ecdsa::SigningKey::from(k);
            let sig: p256::ecdsa::Signature = signer.try_sign(msg).map_err(|e| e.to_string())?;
            Ok(sig.to_der().to_vec())
        }
        PrivateKey::Ed25519(k) => {
            let sig = k.try_sign(msg).map_err(|e| e.to_string())?;
            Ok(sig.to_bytes().to_vec())
        }
        PrivateKey::Dsa(_) => {
            Err("x509: certificate private key does not implement crypto.Signer".to_string())
        }
    }
}

/// The subject public key info of a key.
fn public_key_info(key: &PrivateKey) -> Result<SubjectPublicKeyInfoOwned, String> {
    use pkcs8::EncodePublicKey as _;
    let der = match key {
        PrivateKey::Rsa(k) => k.to_public_key().to_public_key_der(),
        PrivateKey::Ec(k) => k.public_key().to_public_key_der(),
        PrivateKey::Ed25519(k) => k.verifying_key().to_public_key_der(),
        PrivateKey::Dsa(_) => {
            return Err("x509: unsupported public key type: *dsa.PublicKey".to_string());
        }
    }
    .map_err(|e| e.to_string())?;
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).map_err(|e| e.to_string())
}

/// `CN=<cn>`, as Go's `pkix.Name` encodes it (no RDN when empty).
fn cn_name(cn: &str) -> Result<Name, String> {
    if cn.is_empty() {
        return Ok(RdnSequence(Vec::new()));
    }
    let printable = cn
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?*&".contains(&b));
    let tag = if printable {
        der::Tag::PrintableString
    } else {
        der::Tag::Utf8String
    };
    let value = Any::new(tag, cn.as_bytes()).map_err(|e| e.to_string())?;
    let atv = AttributeTypeAndValue {
        oid: const_cn(),
        value,
    };
    let set = SetOfVec::try_from(vec![atv]).map_err(|e| e.to_string())?;
    Ok(RdnSequence(vec![RelativeDistinguishedName(set)]))
}

fn const_cn() -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap("2.5.4.3")
}

/// Go's certificate time: UTCTime through 2049, GeneralizedTime after.
fn cert_time(unix: i64) -> Result<Time, String> {
    let secs = u64::try_from(unix).map_err(|_| "x509: time before 1970".to_string())?;
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(|e| e.to_string())?;
    if dt.year() < 2050 {
        UtcTime::from_date_time(dt)
            .map(Time::UtcTime)
            .map_err(|e| e.to_string())
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(dt)))
    }
}

fn extension<T: der::Encode>(
    oid: ObjectIdentifier,
    critical: bool,
    v: &T,
) -> Result<Extension, String> {
    let der = v.to_der().map_err(|e| e.to_string())?;
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(der).map_err(|e| e.to_string())?,
    })
}

fn random_serial() -> Result<SerialNumber, String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| e.to_string())?;
    let trimmed: Vec<u8> = b.iter().copied().skip_while(|x| *x == 0).collect();
    let bytes = if trimmed.is_empty() { vec![0] } else { trimmed };
    SerialNumber::new(&bytes).map_err(|e| e.to_string())
}

fn subject_key_id(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    use sha1::Digest as _;
    sha1::Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec()
}

/// Builds one certificate for `key`, self-signed or signed by `ca`.
fn make_cert(
    cn: &Value,
    ips: &Value,
    dns: &Value,
    days: i64,
    is_ca: bool,
    key: PrivateKey,
    ca: Option<&CertPair>,
) -> Result<CertPair, String> {
    let cn = s(cn);
    let ips = net_ips(ips)?;
    let dns = dns_names(dns)?;
    let parent = match ca {
        Some(ca) => {
            let (_, der) = pem_decode(&ca.cert).ok_or("unable to decode certificate")?;
            let cert = Certificate::from_der(&der).map_err(|e| {
                format!(
                    "error parsing certificate: decodedSignerCert.Bytes: x509: malformed certificate: {e}"
                )
            })?;
            let signer = parse_private_key_pem(&ca.key)
                .map_err(|e| format!("error parsing private key: {e}"))?;
            Some((cert, signer))
        }
        None => None,
    };
    let serial = random_serial()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    let not_after = days
        .checked_mul(86_400)
        .and_then(|d| d.checked_add(now))
        .ok_or("x509: validity out of range")?;
    let created = create(
        cn,
        &ips,
        &dns,
        is_ca,
        &key,
        parent.as_ref(),
        serial,
        now,
        not_after,
    )
    .map_err(|e| format!("error creating certificate: {e}"))?;
    Ok(CertPair {
        cert: pem_encode("CERTIFICATE", &created),
        key: key_to_pem(&key).map_err(|e| format!("error pem-encoding key: {e}"))?,
    })
}

/// `x509.CreateCertificate` for Sprig's template.
#[allow(clippy::too_many_arguments)]
fn create(
    cn: &str,
    ips: &[IpAddr],
    dns: &[String],
    is_ca: bool,
    key: &PrivateKey,
    parent: Option<&(Certificate, PrivateKey)>,
    serial: SerialNumber,
    not_before: i64,
    not_after: i64,
) -> Result<Vec<u8>, String> {
    let signing_key = parent.map(|p| &p.1).unwrap_or(key);
    if matches!(signing_key, PrivateKey::Dsa(_)) {
        return Err("x509: certificate private key does not implement crypto.Signer".into());
    }
    let spki = public_key_info(key)?;
    let subject = cn_name(cn)?;
    let (issuer, parent_key_id) = match parent {
        Some((cert, _)) => {
            let ski = cert
                .tbs_certificate
                .extensions
                .iter()
                .flatten()
                .find(|e| e.extn_id == SubjectKeyIdentifier::OID)
                .and_then(|e| SubjectKeyIdentifier::from_der(e.extn_value.as_bytes()).ok())
                .map(|k| k.0.as_bytes().to_vec());
            (cert.tbs_certificate.subject.clone(), ski)
        }
        None => (subject.clone(), None),
    };

    let mut usage = KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment;
    if is_ca {
        usage |= KeyUsages::KeyCertSign;
    }
    let mut exts = vec![
        extension(KeyUsage::OID, true, &KeyUsage(usage))?,
        extension(
            ExtendedKeyUsage::OID,
            false,
            &ExtendedKeyUsage(vec![
                ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1"),
                ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2"),
            ]),
        )?,
        extension(
            BasicConstraints::OID,
            true,
            &BasicConstraints {
                ca: is_ca,
                path_len_constraint: None,
            },
        )?,
    ];
    if is_ca {
        let id = OctetString::new(subject_key_id(&spki)).map_err(|e| e.to_string())?;
        exts.push(extension(
            SubjectKeyIdentifier::OID,
            false,
            &SubjectKeyIdentifier(id),
        )?);
    }
    // Go names the parent's key only when issuer and subject differ.
    if let Some(id) = parent_key_id.filter(|_| issuer != subject) {
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(OctetString::new(id).map_err(|e| e.to_string())?),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        exts.push(extension(AuthorityKeyIdentifier::OID, false, &aki)?);
    }
    if !ips.is_empty() || !dns.is_empty() {
        let mut names = Vec::new();
        for d in dns {
            let ia5 = Ia5String::new(d)
                .map_err(|_| format!("x509: {d:?} cannot be encoded as an IA5String"))?;
            names.push(GeneralName::DnsName(ia5));
        }
        for ip in ips {
            let bytes = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => v4.octets().to_vec(),
                    None => v6.octets().to_vec(),
                },
            };
            names.push(GeneralName::IpAddress(
                OctetString::new(bytes).map_err(|e| e.to_string())?,
            ));
        }
        // Go marks the names critical when the subject is empty.
        exts.push(extension(
            SubjectAltName::OID,
            subject.0.is_empty(),
            &SubjectAltName(names),
        )?);
    }

    let sig_alg = sig_alg(signing_key)?;
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: serial,
        signature: sig_alg.clone(),
        issuer,
        validity: Validity {
            not_before: cert_time(not_before)?,
            not_after: cert_time(not_after)?,
        },
        subject,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(exts),
    };
    let tbs_der = tbs.to_der().map_err(|e| e.to_string())?;
    let signature = sign(signing_key, &tbs_der)?;
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: sig_alg,
        signature: BitString::from_bytes(&signature).map_err(|e| e.to_string())?,
    };
    cert.to_der().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pem: &str) -> Certificate {
        let (label, der) = pem_decode(pem).unwrap();
        assert_eq!(label, "CERTIFICATE");
        Certificate::from_der(&der).unwrap()
    }

    fn ext(c: &Certificate, oid: ObjectIdentifier) -> Option<&Extension> {
        c.tbs_certificate
            .extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == oid)
    }

    fn strs(v: &[&str]) -> Value {
        Value::list(v.iter().map(|x| Value::str(*x)).collect())
    }

    fn ec_key() -> PrivateKey {
        parse_private_key_pem(&super::super::sprig_crypto::generate_private_key("ecdsa")).unwrap()
    }

    #[test]
    fn ca_then_signed_cert_chain_verifies() {
        use signature::Verifier as _;
        let ca = make_cert(
            &Value::str("my-ca"),
            &Value::Nil,
            &Value::Nil,
            365,
            true,
            ec_key(),
            None,
        )
        .unwrap();
        assert!(ca.key.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        let ca_cert = parse(&ca.cert);
        let tbs = &ca_cert.tbs_certificate;
        assert_eq!(tbs.subject.to_string(), "CN=my-ca");
        assert_eq!(tbs.issuer, tbs.subject);
        let bc = ext(&ca_cert, BasicConstraints::OID).unwrap();
        assert!(bc.critical);
        assert!(
            BasicConstraints::from_der(bc.extn_value.as_bytes())
                .unwrap()
                .ca
        );
        let ku = KeyUsage::from_der(ext(&ca_cert, KeyUsage::OID).unwrap().extn_value.as_bytes())
            .unwrap();
        assert!(ku.key_cert_sign() && ku.digital_signature() && ku.key_encipherment());
        let days =
            tbs.validity.not_after.to_unix_duration() - tbs.validity.not_before.to_unix_duration();
        assert_eq!(days.as_secs(), 365 * 86_400);

        let leaf = make_cert(
            &Value::str("svc"),
            &strs(&["10.0.0.1", "::1"]),
            &strs(&["svc.ns", "svc.ns.svc"]),
            30,
            false,
            ec_key(),
            Some(&ca),
        )
        .unwrap();
        let leaf_cert = parse(&leaf.cert);
        assert_eq!(leaf_cert.tbs_certificate.issuer.to_string(), "CN=my-ca");
        let bc = BasicConstraints::from_der(
            ext(&leaf_cert, BasicConstraints::OID)
                .unwrap()
                .extn_value
                .as_bytes(),
        )
        .unwrap();
        assert!(!bc.ca);
        let san = SubjectAltName::from_der(
            ext(&leaf_cert, SubjectAltName::OID)
                .unwrap()
                .extn_value
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(san.0.len(), 4);
        assert!(matches!(&san.0[0], GeneralName::DnsName(d) if d.as_str() == "svc.ns"));
        assert!(matches!(&san.0[2], GeneralName::IpAddress(o) if o.as_bytes() == [10, 0, 0, 1]));
        assert!(ext(&leaf_cert, AuthorityKeyIdentifier::OID).is_some());

        // The leaf's signature verifies with the CA's public key.
        let PrivateKey::Ec(ca_key) = parse_private_key_pem(&ca.key).unwrap() else {
            panic!()
        };
        let vk = p256::ecdsa::VerifyingKey::from(ca_key.public_key());
        let sig = p256::ecdsa::Signature::from_der(leaf_cert.signature.raw_bytes()).unwrap();
        vk.verify(&leaf_cert.tbs_certificate.to_der().unwrap(), &sig)
            .unwrap();
    }

    #[test]
    fn rsa_self_signed_cert_has_rsa_2048_and_serial() {
        let key = new_rsa_key().unwrap();
        let c = make_cert(
            &Value::str("x"),
            &Value::Nil,
            &strs(&["a.b"]),
            1,
            false,
            key,
            None,
        )
        .unwrap();
        assert!(c.key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        let cert = parse(&c.cert);
        use rsa::traits::PublicKeyParts as _;
        let PrivateKey::Rsa(k) = parse_private_key_pem(&c.key).unwrap() else {
            panic!()
        };
        assert_eq!(k.size() * 8, 2048);
        // Below 2^128; DER may add a zero byte for the sign.
        let serial = cert.tbs_certificate.serial_number.as_bytes();
        assert!(serial.iter().skip_while(|b| **b == 0).count() <= 16);
        assert!(ext(&cert, SubjectKeyIdentifier::OID).is_none());
    }

    #[test]
    fn bad_inputs_give_sprig_errors() {
        let err = make_cert(
            &Value::str("x"),
            &strs(&["nope"]),
            &Value::Nil,
            1,
            false,
            ec_key(),
            None,
        )
        .unwrap_err();
        assert_eq!(err, "error parsing ip: nope");
        let err = make_cert(
            &Value::str("x"),
            &Value::Nil,
            &Value::list(vec![Value::Int(3)]),
            1,
            false,
            ec_key(),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "error processing alternate dns name: 3 is not a string"
        );
        assert_eq!(
            build_custom_cert("!!", "").unwrap_err(),
            "unable to decode base64 certificate"
        );
    }
}
