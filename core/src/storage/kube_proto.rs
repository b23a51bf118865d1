//! Release Secret lists in the API server's protobuf encoding, which it
//! produces several times faster than JSON and which carries Secret data
//! as raw bytes (no base64 layer to undo). Only the fields the list path
//! reads are declared; prost skips the rest (`managedFields`...).
//!
//! A protobuf response is the 4-byte magic `k8s\0` followed by a
//! `runtime.Unknown` envelope whose `raw` field holds the `SecretList`
//! (field numbers from k8s.io/api/core/v1/generated.proto and
//! k8s.io/apimachinery/pkg/runtime/generated.proto).

use crate::storage::kube_list::{WireData, WireList, WireMeta, WireObject};
use prost::Message;
use std::collections::BTreeMap;

/// The media type to ask for.
pub const PROTOBUF_MIME: &str = "application/vnd.kubernetes.protobuf";

/// The prefix of every protobuf-encoded response.
const MAGIC: &[u8] = b"k8s\0";

#[derive(Clone, PartialEq, Message)]
struct Unknown {
    #[prost(bytes = "vec", tag = "2")]
    raw: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
struct SecretList {
    #[prost(message, repeated, tag = "2")]
    items: Vec<Secret>,
}

#[derive(Clone, PartialEq, Message)]
struct Secret {
    #[prost(message, optional, tag = "1")]
    metadata: Option<ObjectMeta>,
    #[prost(btree_map = "string, bytes", tag = "2")]
    data: BTreeMap<String, Vec<u8>>,
}

#[derive(Clone, PartialEq, Message)]
struct ObjectMeta {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(string, tag = "3")]
    namespace: String,
    #[prost(btree_map = "string, string", tag = "11")]
    labels: BTreeMap<String, String>,
}

/// Decodes a protobuf `SecretList` response body into the list path's
/// wire types.
pub fn decode_secret_list(body: &[u8]) -> Result<WireList, String> {
    let envelope = body
        .strip_prefix(MAGIC)
        .ok_or("the response is not in the Kubernetes protobuf encoding")?;
    let unknown = Unknown::decode(envelope).map_err(|e| format!("invalid envelope: {e}"))?;
    let list = SecretList::decode(unknown.raw.as_slice())
        .map_err(|e| format!("invalid SecretList: {e}"))?;
    Ok(WireList {
        items: list
            .items
            .into_iter()
            .map(|mut secret| {
                let meta = secret.metadata.unwrap_or_default();
                WireObject {
                    metadata: WireMeta {
                        name: meta.name,
                        namespace: meta.namespace,
                        labels: Some(meta.labels),
                    },
                    data: Some(WireData {
                        release: None,
                        raw: secret.data.remove("release"),
                    }),
                }
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(items: Vec<Secret>) -> Vec<u8> {
        let raw = SecretList { items }.encode_to_vec();
        let mut body = MAGIC.to_vec();
        body.extend(Unknown { raw }.encode_to_vec());
        body
    }

    #[test]
    fn secret_lists_decode_to_names_labels_and_raw_data() {
        let secret = Secret {
            metadata: Some(ObjectMeta {
                name: "sh.helm.release.v1.web.v2".into(),
                namespace: "ns".into(),
                labels: [("name".to_string(), "web".to_string())].into(),
            }),
            data: [("release".to_string(), b"H4sI".to_vec())].into(),
        };
        let list = decode_secret_list(&encoded(vec![secret, Secret::default()])).unwrap();
        assert_eq!(list.items.len(), 2);
        let first = &list.items[0];
        assert_eq!(first.metadata.name, "sh.helm.release.v1.web.v2");
        assert_eq!(first.metadata.namespace, "ns");
        assert_eq!(first.metadata.labels.as_ref().unwrap()["name"], "web");
        assert_eq!(
            first.data.as_ref().unwrap().raw.as_deref(),
            Some(&b"H4sI"[..])
        );
        assert!(list.items[1].data.as_ref().unwrap().raw.is_none());
    }

    #[test]
    fn other_bodies_are_errors() {
        assert!(decode_secret_list(b"{\"kind\":\"SecretList\"}").is_err());
        assert!(decode_secret_list(b"k8s\0\xff\xff").is_err());
    }
}
