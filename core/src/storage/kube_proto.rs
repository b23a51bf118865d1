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

/// The envelope, for tests that build responses (the reader walks it
/// field by field instead).
#[cfg(test)]
#[derive(Clone, PartialEq, Message)]
struct Unknown {
    #[prost(bytes = "vec", tag = "2")]
    raw: Vec<u8>,
}

#[cfg(test)]
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

/// Decodes a whole protobuf `SecretList` response body into the list
/// path's wire types.
pub fn decode_secret_list(body: &[u8]) -> Result<WireList, String> {
    let mut reader = SecretListReader::default();
    let mut items = Vec::new();
    reader.push(body, &mut |object| items.push(object))?;
    reader.finish()?;
    Ok(WireList { items })
}

/// Where a [`SecretListReader`] is in the response.
#[derive(Debug, Default, Clone, Copy)]
enum ReadState {
    /// Before the 4-byte magic.
    #[default]
    Magic,
    /// Between the fields of the `runtime.Unknown` envelope.
    Envelope,
    /// Inside the envelope's `raw` field (the `SecretList`), with this
    /// many of its bytes still to read.
    List { remaining: usize },
}

/// Reads a protobuf `SecretList` response as it arrives and hands over
/// each Secret as soon as its bytes are complete, so that the records of
/// a long list are decoded while the rest is still on the wire.
///
/// Only what it needs is buffered: the unread tail of the chunks (at most
/// one Secret plus a chunk).
#[derive(Debug, Default)]
pub struct SecretListReader {
    buf: Vec<u8>,
    pos: usize,
    state: ReadState,
}

/// Protobuf wire types.
const VARINT: u64 = 0;
const FIXED64: u64 = 1;
const LEN: u64 = 2;
const FIXED32: u64 = 5;

impl SecretListReader {
    /// Takes the next chunk of the body and passes every Secret it
    /// completes to `item`, in the list's order.
    pub fn push(&mut self, chunk: &[u8], item: &mut dyn FnMut(WireObject)) -> Result<(), String> {
        if self.pos > 0 && self.pos * 2 >= self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(chunk);
        loop {
            let unread = &self.buf[self.pos..];
            match self.state {
                ReadState::Magic => {
                    if unread.len() < MAGIC.len() {
                        // A shorter body that already differs is no protobuf.
                        if !MAGIC.starts_with(unread) {
                            return Err(NOT_PROTOBUF.into());
                        }
                        return Ok(());
                    }
                    if !unread.starts_with(MAGIC) {
                        return Err(NOT_PROTOBUF.into());
                    }
                    self.pos += MAGIC.len();
                    self.state = ReadState::Envelope;
                }
                ReadState::Envelope => {
                    let Some((field, wire, key_len)) = read_key(unread)? else {
                        return Ok(());
                    };
                    if field == 2 && wire == LEN {
                        let Some((len, len_len)) = read_varint(&unread[key_len..])? else {
                            return Ok(());
                        };
                        let remaining = usize::try_from(len)
                            .map_err(|_| "invalid envelope: the list is too long".to_string())?;
                        self.pos += key_len + len_len;
                        self.state = ReadState::List { remaining };
                    } else {
                        let Some(size) = value_size(wire, &unread[key_len..])? else {
                            return Ok(());
                        };
                        self.pos += key_len + size;
                    }
                }
                ReadState::List { remaining: 0 } => self.state = ReadState::Envelope,
                ReadState::List { remaining } => {
                    let Some((field, wire, key_len)) = read_key(unread)? else {
                        return Ok(());
                    };
                    // Checked against the list as soon as the length prefix
                    // is in, so that a bogus length cannot make the reader
                    // buffer the rest of the body waiting for the field.
                    let Some(size) = declared_size(wire, &unread[key_len..])? else {
                        return Ok(());
                    };
                    let total = key_len
                        .checked_add(size)
                        .filter(|&total| total <= remaining)
                        .ok_or("invalid SecretList: a field overruns the list")?;
                    if unread.len() < total {
                        return Ok(());
                    }
                    if field == 2 && wire == LEN {
                        // value_size has checked that the length and the
                        // bytes are all there.
                        let (len, len_len) = read_varint(&unread[key_len..])?
                            .ok_or("invalid SecretList: a truncated item")?;
                        let start = key_len + len_len;
                        let bytes = unread
                            .get(start..start + len as usize)
                            .ok_or("invalid SecretList: a truncated item")?;
                        item(decode_secret(bytes)?);
                    }
                    self.pos += total;
                    self.state = ReadState::List {
                        remaining: remaining - total,
                    };
                }
            }
        }
    }

    /// Checks that the body ended where the envelope does.
    pub fn finish(self) -> Result<(), String> {
        match self.state {
            ReadState::Magic => Err(NOT_PROTOBUF.into()),
            ReadState::Envelope if self.pos == self.buf.len() => Ok(()),
            ReadState::Envelope | ReadState::List { .. } => {
                Err("invalid SecretList: the response ended early".into())
            }
        }
    }
}

const NOT_PROTOBUF: &str = "the response is not in the Kubernetes protobuf encoding";

fn decode_secret(bytes: &[u8]) -> Result<WireObject, String> {
    let mut secret =
        Secret::decode(bytes).map_err(|e| format!("invalid Secret in the list: {e}"))?;
    let meta = secret.metadata.unwrap_or_default();
    Ok(WireObject {
        metadata: WireMeta {
            name: meta.name,
            namespace: meta.namespace,
            labels: Some(meta.labels),
        },
        data: Some(WireData {
            release: None,
            raw: secret.data.remove("release"),
        }),
    })
}

/// A varint at the start of `bytes` and its length; `None` when `bytes`
/// ends inside it.
fn read_varint(bytes: &[u8]) -> Result<Option<(u64, usize)>, String> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(Some((value, i + 1)));
        }
    }
    if bytes.len() >= 10 {
        return Err("invalid protobuf: a varint longer than 10 bytes".into());
    }
    Ok(None)
}

/// A field key: field number, wire type and the key's length.
fn read_key(bytes: &[u8]) -> Result<Option<(u64, u64, usize)>, String> {
    Ok(read_varint(bytes)?.map(|(key, len)| (key >> 3, key & 7, len)))
}

/// How many bytes a field's value of `wire` type takes at the start of
/// `bytes`; `None` when they are not all there yet.
fn value_size(wire: u64, bytes: &[u8]) -> Result<Option<usize>, String> {
    Ok(declared_size(wire, bytes)?.filter(|&size| bytes.len() >= size))
}

/// How many bytes a field's value of `wire` type takes at the start of
/// `bytes`, as soon as that is known (the length prefix of a
/// length-delimited value is there), whether or not they all are.
fn declared_size(wire: u64, bytes: &[u8]) -> Result<Option<usize>, String> {
    let size = match wire {
        VARINT => return Ok(read_varint(bytes)?.map(|(_, len)| len)),
        FIXED64 => 8,
        FIXED32 => 4,
        LEN => {
            let Some((len, len_len)) = read_varint(bytes)? else {
                return Ok(None);
            };
            usize::try_from(len)
                .ok()
                .and_then(|len| len.checked_add(len_len))
                .ok_or("invalid protobuf: a field too long")?
        }
        other => return Err(format!("invalid protobuf: unexpected wire type {other}")),
    };
    Ok(Some(size))
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

    fn sample(name: &str, release: &[u8]) -> Secret {
        Secret {
            metadata: Some(ObjectMeta {
                name: name.into(),
                namespace: "ns".into(),
                labels: [("status".to_string(), "deployed".to_string())].into(),
            }),
            data: [("release".to_string(), release.to_vec())].into(),
        }
    }

    fn names(list: &WireList) -> Vec<&str> {
        list.items
            .iter()
            .map(|o| o.metadata.name.as_str())
            .collect()
    }

    #[test]
    fn a_body_split_anywhere_reads_the_same() {
        let body = encoded(vec![
            sample("a", b"one"),
            sample("b", &[7u8; 300]),
            sample("c", b""),
        ]);
        let whole = decode_secret_list(&body).unwrap();
        assert_eq!(names(&whole), ["a", "b", "c"]);
        for split in 0..=body.len() {
            let mut reader = SecretListReader::default();
            let mut items = Vec::new();
            reader.push(&body[..split], &mut |o| items.push(o)).unwrap();
            let early = items.len();
            reader.push(&body[split..], &mut |o| items.push(o)).unwrap();
            reader.finish().unwrap();
            assert_eq!(
                names(&WireList { items }),
                ["a", "b", "c"],
                "split at {split}"
            );
            // Items complete before the split are handed over before it.
            assert!(early <= 3);
        }
        let mut reader = SecretListReader::default();
        let mut items = Vec::new();
        for byte in &body {
            reader
                .push(std::slice::from_ref(byte), &mut |o| items.push(o))
                .unwrap();
        }
        reader.finish().unwrap();
        assert_eq!(
            items[1].data.as_ref().unwrap().raw.as_deref(),
            Some(&[7u8; 300][..])
        );
    }

    #[test]
    fn items_arrive_before_the_body_ends() {
        let body = encoded(vec![sample("a", &[1u8; 100]), sample("b", &[2u8; 100])]);
        let mut reader = SecretListReader::default();
        let mut items = Vec::new();
        reader
            .push(&body[..body.len() - 10], &mut |o| items.push(o))
            .unwrap();
        assert_eq!(names(&WireList { items }), ["a"]);
    }

    #[test]
    fn other_envelope_and_list_fields_are_skipped() {
        // Unknown{typeMeta: 1, raw: 2, contentEncoding: 3, contentType: 4}
        // and SecretList{metadata: 1, items: 2}, plus fields of every wire
        // type a newer server might add.
        let mut list = Vec::new();
        list.extend([0x0a, 0x03, b'r', b'v', b'1']); // metadata
        list.push(0x12); // items
        list.extend(sample("a", b"x").encode_length_delimited_to_vec());
        list.extend([0x18, 0x96, 0x01]); // field 3, varint 150
        list.extend([0x21, 0, 0, 0, 0, 0, 0, 0, 0]); // field 4, fixed64
        list.extend([0x2d, 0, 0, 0, 0]); // field 5, fixed32
        let mut body = MAGIC.to_vec();
        body.extend([0x0a, 0x02, 0x08, 0x01]); // typeMeta first
        body.push(0x12);
        prost::encoding::encode_varint(list.len() as u64, &mut body);
        body.extend(&list);
        body.extend([0x1a, 0x00, 0x22, 0x01, b'p']);
        let decoded = decode_secret_list(&body).unwrap();
        assert_eq!(names(&decoded), ["a"]);
    }

    #[test]
    fn truncated_or_malformed_bodies_are_errors() {
        let body = encoded(vec![sample("a", b"one"), sample("b", b"two")]);
        for cut in [0, 3, 5, body.len() - 1] {
            assert!(decode_secret_list(&body[..cut]).is_err(), "cut at {cut}");
        }
        // A list length that runs past an item's end.
        let mut bad = MAGIC.to_vec();
        bad.extend([0x12, 0x03, 0x12, 0x05, 0x00]);
        assert!(decode_secret_list(&bad).is_err());
        // Wire type 3 (groups) is not used by the API server.
        let mut group = MAGIC.to_vec();
        group.extend([0x0b]);
        assert!(decode_secret_list(&group).is_err());
    }

    #[test]
    fn an_item_longer_than_its_list_fails_before_its_bytes_arrive() {
        // The list holds 20 bytes but its first item claims 1 TiB: that is
        // known from the item's length prefix, so the reader must not keep
        // buffering what follows while it waits for the item to end.
        let mut body = MAGIC.to_vec();
        body.extend([0x12, 20]); // Unknown.raw, 20 bytes
        body.push(0x12); // SecretList.items
        prost::encoding::encode_varint(1 << 40, &mut body);
        let mut reader = SecretListReader::default();
        let err = reader.push(&body, &mut |_| {}).unwrap_err();
        assert!(err.contains("overruns the list"), "{err}");
    }

    #[test]
    fn other_bodies_are_errors() {
        assert!(decode_secret_list(b"{\"kind\":\"SecretList\"}").is_err());
        assert!(decode_secret_list(b"k8s\0\xff\xff").is_err());
    }
}
