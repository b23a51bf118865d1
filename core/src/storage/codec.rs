//! The on-cluster form of a release record, as Helm's Secret and ConfigMap
//! drivers write it: `base64(gzip(json))` in `data.release`, the object named
//! `sh.helm.release.v1.NAME.vREVISION`, and the labels Helm queries by.
//!
//! Everything here is a pure function over [`Release`] and
//! [`serde_json::Value`] objects so that the Kubernetes-backed drivers only
//! have to move these objects to and from the API server.

use crate::json::bytes::GO_STD_BASE64;
use crate::release::record::{Release, to_go_json};
use crate::storage::error::StorageError;
use base64::Engine as _;
use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::io::{Read, Write};

/// Prefix of every storage key and object name (Helm's `HelmStorageType`).
pub const STORAGE_KEY_PREFIX: &str = "sh.helm.release.v1";
/// The `type` Helm gives release Secrets.
pub const SECRET_TYPE: &str = "helm.sh/release.v1";
/// The value of the `owner` label on every release object.
pub const OWNER: &str = "helm";
/// Labels Helm manages itself; users may not set them on a release.
pub const SYSTEM_LABELS: [&str; 6] = [
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

/// The gzip magic Helm looks for before decompressing (`1f 8b 08`); records
/// written before Helm compressed them are plain JSON.
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// The storage key (and object name) of a revision:
/// `sh.helm.release.v1.NAME.vREVISION`.
pub fn release_key(name: &str, version: i64) -> String {
    format!("{STORAGE_KEY_PREFIX}.{name}.v{version}")
}

/// Splits a key into release name and revision the way Helm's memory driver
/// does: after the prefix, the key must contain `.v` exactly once, followed by
/// an integer. (So, as in Helm, a release whose name contains `.v` cannot be
/// addressed through the memory driver.)
pub fn parse_key(key: &str) -> Result<(&str, i64), StorageError> {
    let rest = key
        .strip_prefix(STORAGE_KEY_PREFIX)
        .and_then(|r| r.strip_prefix('.'))
        .unwrap_or(key);
    let mut parts = rest.split(".v");
    match (parts.next(), parts.next(), parts.next()) {
        (Some(name), Some(version), None) => version
            .parse::<i64>()
            .map(|v| (name, v))
            .map_err(|_| StorageError::InvalidKey),
        _ => Err(StorageError::InvalidKey),
    }
}

/// Encodes a release as Helm stores it: Go-style JSON, gzip at best
/// compression, standard base64.
pub fn encode_release(release: &Release) -> Result<String, StorageError> {
    let encode_err = |source: std::io::Error| StorageError::Encode {
        name: release.name.clone(),
        source,
    };
    let json = to_go_json(release).map_err(|e| encode_err(e.into()))?;
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&json).map_err(encode_err)?;
    let compressed = gz.finish().map_err(encode_err)?;
    Ok(GO_STD_BASE64.encode(compressed))
}

/// Decodes a stored record: base64, then gunzip when the gzip magic is there
/// (older records are plain JSON), then JSON.
pub fn decode_release(data: &str) -> Result<Release, StorageError> {
    decode_release_at("release data", data)
}

fn decode_release_at(key: &str, data: &str) -> Result<Release, StorageError> {
    let json = record_json(key, data.as_bytes())?;
    serde_json::from_slice(&json)
        .map_err(|e| StorageError::decode(key, format!("invalid release JSON: {e}")))
}

/// The JSON bytes of a record's Helm-encoded text (`data` of `key`):
/// base64 (line breaks skipped, as Go's decoder does), then gunzip when the
/// gzip magic is there (older records are plain JSON).
pub fn record_json(key: &str, data: &[u8]) -> Result<Vec<u8>, StorageError> {
    let cleaned: std::borrow::Cow<'_, [u8]> = if data.iter().any(|b| *b == b'\n' || *b == b'\r') {
        data.iter()
            .copied()
            .filter(|b| *b != b'\n' && *b != b'\r')
            .collect::<Vec<u8>>()
            .into()
    } else {
        data.into()
    };
    let raw = GO_STD_BASE64
        .decode(&cleaned)
        .map_err(|e| StorageError::decode(key, format!("invalid base64: {e}")))?;
    if raw.len() > 3 && raw[..3] == GZIP_MAGIC {
        let mut out = Vec::with_capacity(raw.len() * 6);
        MultiGzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| StorageError::decode(key, format!("invalid gzip data: {e}")))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// True for the labels Helm manages itself.
pub fn is_system_label(key: &str) -> bool {
    SYSTEM_LABELS.contains(&key)
}

/// The labels without Helm's own: what `Get` hands back as the release's labels.
pub fn filter_system_labels(labels: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    labels
        .iter()
        .filter(|(k, _)| !is_system_label(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// True when user-supplied labels use a name Helm reserves; install and
/// upgrade reject such labels.
pub fn contains_system_labels(labels: &BTreeMap<String, String>) -> bool {
    labels.keys().any(|k| is_system_label(k))
}

/// Which time stamp a write records, with its Unix time in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// `Create` sets `createdAt`.
    Created(i64),
    /// `Update` sets `modifiedAt`.
    Modified(i64),
}

/// The labels Helm puts on a release object, built in Helm's order: the
/// release's own labels, the time stamp, the release's labels again, then
/// `name`, `owner`, `status`, `version`.
///
/// The second pass is Helm's and has a visible effect: a release whose
/// labels were read with `List`/`Query` (as upgrade does through `Last`)
/// still carries the old `createdAt`/`modifiedAt`, which then override the
/// new stamp. Real Helm records show it (an upgrade's revision keeps the
/// `modifiedAt` of revision 1), so hoist does the same.
pub fn object_labels(release: &Release, stamp: Stamp) -> BTreeMap<String, String> {
    let mut labels = release.labels.clone();
    match stamp {
        Stamp::Created(t) => labels.insert("createdAt".to_string(), t.to_string()),
        Stamp::Modified(t) => labels.insert("modifiedAt".to_string(), t.to_string()),
    };
    labels.extend(release.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    labels.insert("name".to_string(), release.name.clone());
    labels.insert("owner".to_string(), OWNER.to_string());
    labels.insert("status".to_string(), release.status().as_str().to_string());
    labels.insert("version".to_string(), release.version.to_string());
    labels
}

/// The Secret Helm's Secret driver writes for a revision. `data.release` holds
/// the encoded record base64-encoded once more, as Kubernetes stores Secret data.
pub fn secret_object(key: &str, release: &Release, stamp: Stamp) -> Result<Json, StorageError> {
    let encoded = encode_release(release)?;
    Ok(json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": key, "labels": object_labels(release, stamp)},
        "type": SECRET_TYPE,
        "data": {"release": GO_STD_BASE64.encode(encoded.as_bytes())},
    }))
}

/// The ConfigMap Helm's ConfigMap driver writes for a revision.
pub fn config_map_object(key: &str, release: &Release, stamp: Stamp) -> Result<Json, StorageError> {
    let encoded = encode_release(release)?;
    Ok(json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": key, "labels": object_labels(release, stamp)},
        "data": {"release": encoded},
    }))
}

/// Reads the release out of a Secret (as the API returns it). The release's
/// labels are all the object's labels, system ones included, as Helm's `List`
/// and `Query` give them; `Get` filters them with [`filter_system_labels`].
pub fn release_from_secret(object: &Json) -> Result<Release, StorageError> {
    let key = object_name(object);
    let data = release_data(object, &key)?;
    let inner = GO_STD_BASE64
        .decode(data.as_bytes())
        .map_err(|e| StorageError::decode(&key, format!("data.release is not base64: {e}")))?;
    let inner = String::from_utf8(inner)
        .map_err(|_| StorageError::decode(&key, "data.release is not text"))?;
    let mut release = decode_release_at(&key, &inner)?;
    release.labels = object_labels_of(object, &key)?;
    Ok(release)
}

/// Reads the release out of a ConfigMap; labels as for [`release_from_secret`].
pub fn release_from_config_map(object: &Json) -> Result<Release, StorageError> {
    let key = object_name(object);
    let data = release_data(object, &key)?;
    let mut release = decode_release_at(&key, data)?;
    release.labels = object_labels_of(object, &key)?;
    Ok(release)
}

fn object_name(object: &Json) -> String {
    object
        .pointer("/metadata/name")
        .and_then(Json::as_str)
        .unwrap_or("(unnamed object)")
        .to_string()
}

fn release_data<'a>(object: &'a Json, key: &str) -> Result<&'a str, StorageError> {
    object
        .pointer("/data/release")
        .and_then(Json::as_str)
        .ok_or_else(|| StorageError::MalformedObject {
            key: key.to_string(),
            reason: "no string at data.release".to_string(),
        })
}

fn object_labels_of(object: &Json, key: &str) -> Result<BTreeMap<String, String>, StorageError> {
    match object.pointer("/metadata/labels") {
        None | Some(Json::Null) => Ok(BTreeMap::new()),
        Some(Json::Object(map)) => map
            .iter()
            .map(|(k, v)| match v.as_str() {
                Some(s) => Ok((k.clone(), s.to_string())),
                None => Err(StorageError::MalformedObject {
                    key: key.to_string(),
                    reason: format!("label {k:?} is not a string"),
                }),
            })
            .collect(),
        Some(_) => Err(StorageError::MalformedObject {
            key: key.to_string(),
            reason: "metadata.labels is not a map".to_string(),
        }),
    }
}

/// The two kinds of Kubernetes object Helm stores releases in; the
/// Kubernetes-backed drivers differ only in this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// `HELM_DRIVER=secret` (the default).
    Secret,
    /// `HELM_DRIVER=configmap`.
    ConfigMap,
}

impl ObjectKind {
    /// The driver name Helm reports (`Secret`, `ConfigMap`).
    pub fn driver_name(self) -> &'static str {
        match self {
            ObjectKind::Secret => "Secret",
            ObjectKind::ConfigMap => "ConfigMap",
        }
    }

    /// The object storing `release` under `key`.
    pub fn build(self, key: &str, release: &Release, stamp: Stamp) -> Result<Json, StorageError> {
        match self {
            ObjectKind::Secret => secret_object(key, release, stamp),
            ObjectKind::ConfigMap => config_map_object(key, release, stamp),
        }
    }

    /// The release inside an object, labels included.
    pub fn read(self, object: &Json) -> Result<Release, StorageError> {
        match self {
            ObjectKind::Secret => release_from_secret(object),
            ObjectKind::ConfigMap => release_from_config_map(object),
        }
    }

    /// The releases inside a list of objects, skipping (and logging at debug
    /// level) those that fail to decode, as Helm's `List` and `Query` do.
    pub fn read_all<'a>(self, objects: impl IntoIterator<Item = &'a Json>) -> Vec<Release> {
        objects
            .into_iter()
            .filter_map(|object| match self.read(object) {
                Ok(release) => Some(release),
                Err(error) => {
                    tracing::debug!(%error, "failed to decode release");
                    None
                }
            })
            .collect()
    }
}

/// Checks a label value with Kubernetes' rule (`IsValidLabelValue`): at most
/// 63 characters, empty or alphanumeric at both ends with `-`, `_`, `.` inside.
pub fn validate_label_value(value: &str) -> Result<(), StorageError> {
    let mut reasons = Vec::new();
    if value.len() > 63 {
        reasons.push("must be no more than 63 characters".to_string());
    }
    let alnum = |c: char| c.is_ascii_alphanumeric();
    let valid = value.is_empty()
        || (value.starts_with(alnum)
            && value.ends_with(alnum)
            && value
                .chars()
                .all(|c| alnum(c) || c == '-' || c == '_' || c == '.'));
    if !valid {
        reasons.push(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', \
             and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', \
             regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
                .to_string(),
        );
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(StorageError::InvalidLabelValue {
            value: value.to_string(),
            reason: reasons.join("; "),
        })
    }
}

/// The label selector a query sends (`k1=v1,k2=v2`, keys sorted), after
/// validating every value as Helm's Secret and ConfigMap drivers do.
pub fn label_selector(labels: &BTreeMap<String, String>) -> Result<String, StorageError> {
    let mut parts = Vec::with_capacity(labels.len());
    for (k, v) in labels {
        validate_label_value(v)?;
        parts.push(format!("{k}={v}"));
    }
    Ok(parts.join(","))
}

/// The selector `List` uses: every object Helm owns.
pub fn owner_selector() -> String {
    format!("owner={OWNER}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::status::Status;
    use base64::engine::general_purpose::STANDARD;

    fn sample() -> Release {
        let mut r = Release {
            name: "demo".into(),
            version: 3,
            namespace: "ns".into(),
            manifest: "kind: ConfigMap <&>\n".into(),
            ..Release::default()
        };
        r.set_status(Status::Deployed, "Upgrade complete");
        r
    }

    #[test]
    fn keys_follow_helm_naming() {
        assert_eq!(release_key("demo", 12), "sh.helm.release.v1.demo.v12");
        assert_eq!(
            parse_key("sh.helm.release.v1.demo.v12").unwrap(),
            ("demo", 12)
        );
        assert!(matches!(
            parse_key("sh.helm.release.v1.demo"),
            Err(StorageError::InvalidKey)
        ));
        assert!(matches!(
            parse_key("sh.helm.release.v1.demo.vx"),
            Err(StorageError::InvalidKey)
        ));
        // Helm's split on ".v" makes such names unaddressable; we agree.
        assert!(parse_key("sh.helm.release.v1.my.varnish.v1").is_err());
    }

    #[test]
    fn encoding_is_gzip_best_with_go_header_fields() {
        let enc = encode_release(&sample()).unwrap();
        let raw = STANDARD.decode(enc.as_bytes()).unwrap();
        assert_eq!(raw[..3], GZIP_MAGIC);
        // Go's writer: no name, mtime 0, XFL 2 (best compression), OS 255.
        assert_eq!(raw[3..10], [0, 0, 0, 0, 0, 2, 255]);
        assert_eq!(decode_release(&enc).unwrap(), sample());
    }

    #[test]
    fn plain_json_records_are_accepted() {
        let plain =
            STANDARD.encode(br#"{"name":"old","version":1,"info":{"status":"superseded"}}"#);
        let r = decode_release(&plain).unwrap();
        assert_eq!(
            (r.name.as_str(), r.version, r.status()),
            ("old", 1, Status::Superseded)
        );
    }

    #[test]
    fn decode_errors_say_what_is_wrong() {
        let err = decode_release("not base64!").unwrap_err();
        assert!(err.to_string().contains("invalid base64"), "{err}");
        let err = decode_release(&STANDARD.encode(b"{oops")).unwrap_err();
        assert!(err.to_string().contains("invalid release JSON"), "{err}");
    }

    #[test]
    fn labels_follow_helm_merge_order() {
        let mut r = sample();
        r.labels.insert("team".into(), "a".into());
        r.labels.insert("modifiedAt".into(), "100".into());
        r.labels.insert("status".into(), "bogus".into());
        let l = object_labels(&r, Stamp::Modified(200));
        // The release's own stamp wins over the new one, system labels are Helm's.
        assert_eq!(l["modifiedAt"], "100");
        assert_eq!(l["status"], "deployed");
        assert_eq!(l["team"], "a");
        let fresh = object_labels(&sample(), Stamp::Created(7));
        let keys: Vec<_> = fresh.keys().map(String::as_str).collect();
        assert_eq!(keys, ["createdAt", "name", "owner", "status", "version"]);
        assert_eq!(fresh["createdAt"], "7");
        assert_eq!(fresh["version"], "3");
    }

    #[test]
    fn secret_and_config_map_round_trip() {
        let s = secret_object("sh.helm.release.v1.demo.v3", &sample(), Stamp::Created(1)).unwrap();
        assert_eq!(s["type"], SECRET_TYPE);
        assert_eq!(s["metadata"]["labels"]["owner"], "helm");
        let back = release_from_secret(&s).unwrap();
        assert_eq!(back.manifest, sample().manifest);
        assert_eq!(back.labels["createdAt"], "1");

        let c =
            config_map_object("sh.helm.release.v1.demo.v3", &sample(), Stamp::Modified(2)).unwrap();
        assert!(c.get("type").is_none());
        let back = release_from_config_map(&c).unwrap();
        assert_eq!(back.status(), Status::Deployed);
        assert_eq!(back.labels["modifiedAt"], "2");
    }

    #[test]
    fn objects_without_release_data_are_reported_by_name() {
        let err = release_from_secret(&json!({"metadata": {"name": "x"}, "data": {}})).unwrap_err();
        assert!(
            err.to_string().contains("\"x\"") && err.to_string().contains("data.release"),
            "{err}"
        );
    }

    #[test]
    fn object_kinds_build_and_read_their_objects() {
        for kind in [ObjectKind::Secret, ObjectKind::ConfigMap] {
            let obj = kind
                .build("sh.helm.release.v1.demo.v3", &sample(), Stamp::Created(5))
                .unwrap();
            assert_eq!(obj["kind"], kind.driver_name());
            assert_eq!(kind.read(&obj).unwrap().manifest, sample().manifest);
            let broken = json!({"metadata": {"name": "bad"}, "data": {"release": "%%%"}});
            let read = kind.read_all([&obj, &broken]);
            assert_eq!(read.len(), 1, "{kind:?}");
        }
    }

    #[test]
    fn label_values_are_validated() {
        assert!(validate_label_value("").is_ok());
        assert!(validate_label_value("pending-install").is_ok());
        assert!(validate_label_value("a b").is_err());
        assert!(validate_label_value("-a").is_err());
        assert!(validate_label_value(&"a".repeat(64)).is_err());
        let sel = BTreeMap::from([
            ("owner".to_string(), "helm".to_string()),
            ("name".to_string(), "demo".to_string()),
        ]);
        assert_eq!(label_selector(&sel).unwrap(), "name=demo,owner=helm");
    }

    #[test]
    fn system_labels_are_recognised() {
        let l = BTreeMap::from([
            ("team".to_string(), "a".to_string()),
            ("createdAt".to_string(), "1".to_string()),
        ]);
        assert!(contains_system_labels(&l));
        assert_eq!(
            filter_system_labels(&l).keys().collect::<Vec<_>>(),
            ["team"]
        );
    }
}
