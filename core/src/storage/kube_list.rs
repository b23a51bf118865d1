//! The fast path of `list` over Secret and ConfigMap storage: which
//! records to read and how to read only what `list` prints.
//!
//! Helm's `List` reads every record of the namespace and keeps the newest
//! revision of each release. Helm's own list action relies on the newest
//! revision never being `superseded` (its comment: "by definition,
//! superseded releases are never shown if only the latest releases are
//! returned"), and the state machine guarantees it: install, upgrade and
//! rollback create the new revision in a pending state and only then mark
//! the previous one `superseded`. So the newest revisions are among the
//! records labelled `status!=superseded`, a tenth of a typical history.
//!
//! That read is consistent (quorum). To notice histories where the rule
//! does not hold (a record edited by hand, a tool with another state
//! machine), the names of *every* record are read at the same time from
//! the API server's watch cache (`resourceVersion=0`, cheap but possibly a
//! little stale; as a `Table` with no objects, a sixth of the metadata
//! list) and used only as a hint: a release whose newest revision
//! in the hint is not the newest one of the consistent read is read again
//! on its own, consistently and completely ([`reconcile`]); when there are
//! many such releases, or a record cannot be placed from its labels, the
//! caller reads everything as Helm does.
//!
//! The wire types decode only what this needs (names, labels, the record),
//! skipping `managedFields` and the rest of each object; [`decode_summary`]
//! reads from a record only the fields `list` shows.

use crate::json::bytes::GO_STD_BASE64;
use crate::release::record::{ChartMetadata, Info, Release, ReleaseChart};
use crate::storage::codec::ObjectKind;
use crate::storage::error::StorageError;
use base64::Engine as _;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A list response (`SecretList`, `ConfigMapList` or
/// `PartialObjectMetadataList`), reduced to what the list path reads.
#[derive(Debug, Default, Deserialize)]
pub struct WireList {
    /// The objects.
    #[serde(default)]
    pub items: Vec<WireObject>,
}

/// One listed object: its metadata and, for full objects, its data.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireObject {
    /// Name, namespace and labels.
    #[serde(default)]
    pub metadata: WireMeta,
    /// `data` (absent in metadata lists).
    #[serde(default)]
    pub data: Option<WireData>,
}

/// The object metadata the list path reads.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireMeta {
    /// Object name (`sh.helm.release.v1.NAME.vREV`).
    #[serde(default)]
    pub name: String,
    /// Object namespace.
    #[serde(default)]
    pub namespace: String,
    /// Labels (Helm's `name`, `owner`, `status`, `version`...).
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
}

/// The `data` of a release object: only `release` matters.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireData {
    /// The record as JSON carries it: Helm's `base64(gzip(json))`,
    /// base64-encoded once more in a Secret.
    #[serde(default)]
    pub release: Option<String>,
    /// The record as protobuf carries a Secret's data: Helm's
    /// `base64(gzip(json))` itself.
    #[serde(skip)]
    pub raw: Option<Vec<u8>>,
}

/// A release as an object's labels place it: namespace, name, revision.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReleaseKey {
    /// The object's namespace.
    pub namespace: String,
    /// The `name` label.
    pub name: String,
}

/// The release and revision an object name stands for
/// (`sh.helm.release.v1.NAME.vREV`), `None` for other names.
pub fn name_placement(object_name: &str) -> Option<(&str, i64)> {
    let rest = object_name.strip_prefix("sh.helm.release.v1.")?;
    let (name, version) = rest.rsplit_once(".v")?;
    Some((name, version.parse().ok()?))
}

/// Where an object belongs: the release and revision its `name` and
/// `version` labels give, `None` when a label is missing, the version is
/// not a number, or the object's name says otherwise (so that the names
/// of the hint and the labels of the bodies place records alike).
pub fn placement(meta: &WireMeta) -> Option<(ReleaseKey, i64)> {
    let labels = meta.labels.as_ref()?;
    let name = labels.get("name")?;
    let version: i64 = labels.get("version")?.parse().ok()?;
    if name_placement(&meta.name) != Some((name.as_str(), version)) {
        return None;
    }
    Some((
        ReleaseKey {
            namespace: meta.namespace.clone(),
            name: name.clone(),
        },
        version,
    ))
}

/// A `Table` list response (`Accept: ...;as=Table`, `includeObject=None`):
/// one row of printed columns per object, the name first.
#[derive(Debug, Default, Deserialize)]
pub struct WireTable {
    /// The columns.
    #[serde(default, rename = "columnDefinitions")]
    pub column_definitions: Vec<WireColumn>,
    /// The rows.
    #[serde(default)]
    pub rows: Vec<WireRow>,
}

/// A column of a [`WireTable`].
#[derive(Debug, Default, Deserialize)]
pub struct WireColumn {
    /// Its title (`Name`, `Type`...).
    #[serde(default)]
    pub name: String,
}

/// A row of a [`WireTable`].
#[derive(Debug, Default, Deserialize)]
pub struct WireRow {
    /// The printed cells, in column order.
    #[serde(default)]
    pub cells: Vec<serde_json::Value>,
}

/// Release and revision of every row of a table listed in `namespace`,
/// from the object names; `None` if the first column is not the name or a
/// name is not a release object's.
pub fn table_hint(namespace: &str, table: &WireTable) -> Option<Vec<(ReleaseKey, i64)>> {
    if table.column_definitions.first()?.name != "Name" {
        return None;
    }
    table
        .rows
        .iter()
        .map(|row| {
            let (name, version) = name_placement(row.cells.first()?.as_str()?)?;
            Some((
                ReleaseKey {
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                },
                version,
            ))
        })
        .collect()
}

/// Release and revision of every object of a metadata list; `None` if
/// one cannot be placed.
pub fn metadata_hint(list: &WireList) -> Option<Vec<(ReleaseKey, i64)>> {
    list.items.iter().map(|o| placement(&o.metadata)).collect()
}

/// What to do after comparing the hint with the consistent read.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// Show these objects of the consistent read (indexes into it), and
    /// read these releases again on their own.
    Use {
        /// The newest revision of every release the two reads agree on.
        accepted: Vec<usize>,
        /// Releases to read again, consistently and completely.
        recheck: BTreeSet<ReleaseKey>,
    },
    /// Read everything, as Helm does.
    ReadAll,
}

/// Compares `hint` (release and revision of every record, possibly stale) with
/// `bodies` (every non-superseded record, consistent). A release is
/// accepted when both agree on its newest revision, and rechecked when
/// they do not: a newest revision labelled `superseded` (the hint has a
/// revision the bodies lack) or a hint that is out of date (the bodies
/// have a newer revision, or a release the hint lacks). More than
/// `max_rechecks` rechecks, or a body that cannot be placed, give
/// [`Plan::ReadAll`].
pub fn reconcile(hint: &[(ReleaseKey, i64)], bodies: &[WireObject], max_rechecks: usize) -> Plan {
    let mut hinted: HashMap<&ReleaseKey, i64> = HashMap::new();
    for (key, version) in hint {
        let newest = hinted.entry(key).or_insert(*version);
        *newest = (*newest).max(*version);
    }
    let mut found: HashMap<ReleaseKey, (i64, usize)> = HashMap::new();
    for (index, object) in bodies.iter().enumerate() {
        let Some((key, version)) = placement(&object.metadata) else {
            return Plan::ReadAll;
        };
        let newest = found.entry(key).or_insert((version, index));
        if newest.0 < version {
            *newest = (version, index);
        }
    }
    let mut recheck = BTreeSet::new();
    for (&key, version) in &hinted {
        if found.get(key).map(|(v, _)| v) != Some(version) {
            recheck.insert(key.clone());
        }
    }
    let mut accepted = Vec::with_capacity(found.len());
    for (key, (version, index)) in found {
        if hinted.get(&key) == Some(&version) {
            accepted.push(index);
        } else {
            recheck.insert(key);
        }
    }
    if recheck.len() > max_rechecks {
        return Plan::ReadAll;
    }
    accepted.sort_unstable();
    Plan::Use { accepted, recheck }
}

/// The parts of a record `list` prints; serde skips the rest (templates,
/// values, manifest, hooks) without building it.
#[derive(Deserialize)]
struct RecordSummary {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    info: Option<Info>,
    #[serde(default)]
    chart: Option<ChartSummary>,
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    namespace: Option<String>,
}

#[derive(Deserialize)]
struct ChartSummary {
    #[serde(default)]
    metadata: Option<ChartMetadata>,
}

/// The release in `object` with only what `list` shows: name, namespace,
/// revision, `info`, the chart's metadata and the object's labels (the
/// manifest, values, templates and hooks are left empty). The whole record
/// is still decompressed and checked to be valid JSON, so a record that
/// Helm could not decode fails here too.
pub fn decode_summary(kind: ObjectKind, object: &WireObject) -> Result<Release, StorageError> {
    let key = object.metadata.name.as_str();
    let data = object.data.as_ref();
    let helm_base64 = match (
        data.and_then(|d| d.raw.as_ref()),
        data.and_then(|d| d.release.as_deref()),
    ) {
        (Some(raw), _) => raw.clone(),
        (None, Some(text)) => match kind {
            ObjectKind::Secret => GO_STD_BASE64.decode(text.as_bytes()).map_err(|e| {
                StorageError::decode(key, format!("data.release is not base64: {e}"))
            })?,
            ObjectKind::ConfigMap => text.as_bytes().to_vec(),
        },
        (None, None) => {
            return Err(StorageError::MalformedObject {
                key: key.to_string(),
                reason: "no string at data.release".to_string(),
            });
        }
    };
    let json = super::codec::record_json(key, &helm_base64)?;
    let summary: RecordSummary = serde_json::from_slice(&json)
        .map_err(|e| StorageError::decode(key, format!("invalid release JSON: {e}")))?;
    Ok(Release {
        name: summary.name.unwrap_or_default(),
        info: summary.info,
        chart: summary.chart.map(|c| ReleaseChart {
            metadata: c.metadata,
            ..ReleaseChart::default()
        }),
        version: summary.version.unwrap_or_default(),
        namespace: summary.namespace.unwrap_or_default(),
        labels: object.metadata.labels.clone().unwrap_or_default(),
        ..Release::default()
    })
}

/// [`decode_summary`] over many objects on every core (decompressing the
/// records is most of `list`'s own work), skipping the records that do not
/// decode as Helm does. Returns the releases with the index of their object.
pub fn decode_summaries(kind: ObjectKind, objects: &[&WireObject]) -> Vec<(usize, Release)> {
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .clamp(1, 8);
    // Below this, starting threads costs more than it saves.
    const PER_THREAD: usize = 64;
    let decode = |offset: usize, chunk: &[&WireObject]| -> Vec<(usize, Release)> {
        chunk
            .iter()
            .enumerate()
            .filter_map(|(i, object)| match decode_summary(kind, object) {
                Ok(release) => Some((offset + i, release)),
                Err(error) => {
                    tracing::debug!(%error, "failed to decode release");
                    None
                }
            })
            .collect()
    };
    if threads == 1 || objects.len() < 2 * PER_THREAD {
        return decode(0, objects);
    }
    let size = objects.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = objects
            .chunks(size)
            .enumerate()
            .map(|(n, chunk)| scope.spawn(move || decode(n * size, chunk)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Decodes record summaries ([`decode_summary`]) on worker threads, one
/// per core, while the list they come in is still arriving: the records
/// are most of `list`'s own work, and the API server sends a long list
/// over several milliseconds.
pub struct SummaryPrefetch {
    kind: ObjectKind,
    senders: Vec<std::sync::mpsc::Sender<(usize, WireObject)>>,
    results: Vec<tokio::sync::oneshot::Receiver<Vec<(usize, Release)>>>,
    submitted: usize,
    /// Objects no worker took (none could start, or one ended): decoded
    /// by [`SummaryPrefetch::finish`] itself.
    left: Vec<(usize, WireObject)>,
}

impl SummaryPrefetch {
    /// Starts the workers for records stored as `kind`.
    pub fn start(kind: ObjectKind) -> Self {
        let threads = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
            .clamp(1, 8);
        let mut senders = Vec::with_capacity(threads);
        let mut results = Vec::with_capacity(threads);
        for n in 0..threads {
            let (send, receive) = std::sync::mpsc::channel::<(usize, WireObject)>();
            let (done, result) = tokio::sync::oneshot::channel();
            let worker = std::thread::Builder::new()
                .name(format!("list-decode-{n}"))
                .spawn(move || {
                    let decoded: Vec<(usize, Release)> = receive
                        .iter()
                        .filter_map(|(index, object)| match decode_summary(kind, &object) {
                            Ok(release) => Some((index, release)),
                            Err(error) => {
                                tracing::debug!(%error, "failed to decode release");
                                None
                            }
                        })
                        .collect();
                    let _ = done.send(decoded);
                });
            if worker.is_ok() {
                senders.push(send);
                results.push(result);
            }
        }
        Self {
            kind,
            senders,
            results,
            submitted: 0,
            left: Vec::new(),
        }
    }

    /// Hands the list's next object to a worker and returns what the list
    /// keeps of it: its metadata (the record goes to the worker).
    pub fn submit(&mut self, object: WireObject) -> WireObject {
        let index = self.submitted;
        self.submitted += 1;
        let kept = WireObject {
            metadata: object.metadata.clone(),
            data: None,
        };
        let job = (index, object);
        let job = match self.senders.get(index % self.senders.len().max(1)) {
            Some(sender) => match sender.send(job) {
                Ok(()) => return kept,
                Err(std::sync::mpsc::SendError(job)) => job,
            },
            None => job,
        };
        self.left.push(job);
        kept
    }

    /// The summary of every submitted object, by its place in the list;
    /// `None` where the record does not decode (Helm skips those).
    pub async fn finish(self) -> Vec<Option<Release>> {
        let Self {
            kind,
            senders,
            results,
            submitted,
            left,
        } = self;
        drop(senders);
        let mut summaries: Vec<Option<Release>> = (0..submitted).map(|_| None).collect();
        // A worker that died leaves its records as `None`: the caller
        // reads those releases again on their own.
        for result in results {
            for (index, release) in result.await.unwrap_or_default() {
                summaries[index] = Some(release);
            }
        }
        for (index, object) in left {
            summaries[index] = decode_summary(kind, &object).ok();
        }
        summaries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::status::Status;
    use crate::storage::codec::{Stamp, secret_object};
    use serde_json::json;

    fn meta(ns: &str, name: &str, version: &str, status: &str) -> WireMeta {
        WireMeta {
            name: format!("sh.helm.release.v1.{name}.v{version}"),
            namespace: ns.to_string(),
            labels: Some(
                [
                    ("name", name),
                    ("version", version),
                    ("status", status),
                    ("owner", "helm"),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ),
        }
    }

    fn body(ns: &str, name: &str, version: &str, status: &str) -> WireObject {
        WireObject {
            metadata: meta(ns, name, version, status),
            data: None,
        }
    }

    fn hint(metas: &[WireMeta]) -> Vec<(ReleaseKey, i64)> {
        metas.iter().map(|m| placement(m).unwrap()).collect()
    }

    fn key(name: &str) -> ReleaseKey {
        ReleaseKey {
            namespace: "ns".into(),
            name: name.into(),
        }
    }

    #[test]
    fn agreeing_reads_need_no_recheck() {
        let metas = [
            meta("ns", "a", "1", "superseded"),
            meta("ns", "a", "2", "deployed"),
            meta("ns", "b", "1", "failed"),
        ];
        let bodies = [
            body("ns", "b", "1", "failed"),
            body("ns", "a", "2", "deployed"),
        ];
        assert_eq!(
            reconcile(&hint(&metas), &bodies, 4),
            Plan::Use {
                accepted: vec![0, 1],
                recheck: BTreeSet::new()
            }
        );
    }

    #[test]
    fn a_superseded_newest_revision_is_rechecked() {
        // a's newest record says superseded: the bodies only have v2, and
        // c has nothing but superseded records.
        let metas = [
            meta("ns", "a", "2", "deployed"),
            meta("ns", "a", "3", "superseded"),
            meta("ns", "c", "1", "superseded"),
            meta("ns", "d", "1", "deployed"),
        ];
        let bodies = [
            body("ns", "a", "2", "deployed"),
            body("ns", "d", "1", "deployed"),
        ];
        assert_eq!(
            reconcile(&hint(&metas), &bodies, 4),
            Plan::Use {
                accepted: vec![1],
                recheck: [key("a"), key("c")].into_iter().collect()
            }
        );
    }

    #[test]
    fn a_stale_hint_is_rechecked_not_trusted() {
        // Since the hint was taken, a was upgraded to v3 and e installed.
        let metas = [meta("ns", "a", "2", "deployed")];
        let bodies = [
            body("ns", "a", "3", "deployed"),
            body("ns", "e", "1", "pending-install"),
        ];
        assert_eq!(
            reconcile(&hint(&metas), &bodies, 4),
            Plan::Use {
                accepted: vec![],
                recheck: [key("a"), key("e")].into_iter().collect()
            }
        );
    }

    #[test]
    fn releases_are_told_apart_by_namespace_and_versions_compare_as_numbers() {
        let metas = [
            meta("ns", "a", "9", "superseded"),
            meta("ns", "a", "10", "deployed"),
            meta("other", "a", "1", "deployed"),
        ];
        let bodies = [
            body("other", "a", "1", "deployed"),
            body("ns", "a", "10", "deployed"),
        ];
        assert_eq!(
            reconcile(&hint(&metas), &bodies, 0),
            Plan::Use {
                accepted: vec![0, 1],
                recheck: BTreeSet::new()
            }
        );
    }

    #[test]
    fn unplaceable_objects_or_too_many_rechecks_read_everything() {
        let mut no_version = meta("ns", "a", "1", "deployed");
        if let Some(l) = no_version.labels.as_mut() {
            l.remove("version");
        }
        assert!(placement(&no_version).is_none());
        let mut renamed = meta("ns", "a", "1", "deployed");
        renamed.name = "sh.helm.release.v1.a.v2".into();
        assert!(placement(&renamed).is_none(), "name and labels disagree");
        let bad = body("ns", "a", "x", "deployed");
        assert_eq!(reconcile(&[], &[bad], 4), Plan::ReadAll);
        let metas = [
            meta("ns", "a", "1", "superseded"),
            meta("ns", "b", "1", "superseded"),
        ];
        assert_eq!(reconcile(&hint(&metas), &[], 1), Plan::ReadAll);
        let list = WireList {
            items: vec![
                body("ns", "a", "1", "deployed"),
                body("ns", "b", "x", "deployed"),
            ],
        };
        assert!(metadata_hint(&list).is_none());
    }

    #[test]
    fn table_hints_come_from_object_names() {
        let table: WireTable = serde_json::from_value(json!({
            "columnDefinitions": [{"name": "Name"}, {"name": "Type"}],
            "rows": [
                {"cells": ["sh.helm.release.v1.web.v10", "helm.sh/release.v1"]},
                {"cells": ["sh.helm.release.v1.my.v2.app.v3", "helm.sh/release.v1"]},
            ],
        }))
        .unwrap();
        let got = table_hint("ns", &table).unwrap();
        assert_eq!(got, [(key("web"), 10), (key("my.v2.app"), 3)]);
        let other: WireTable = serde_json::from_value(json!({
            "columnDefinitions": [{"name": "Name"}],
            "rows": [{"cells": ["not-a-release"]}],
        }))
        .unwrap();
        assert!(table_hint("ns", &other).is_none());
        let reordered: WireTable =
            serde_json::from_value(json!({"columnDefinitions": [{"name": "Age"}], "rows": []}))
                .unwrap();
        assert!(table_hint("ns", &reordered).is_none());
    }

    fn stored(kind: ObjectKind, release: &Release) -> WireObject {
        let object = match kind {
            ObjectKind::Secret => {
                secret_object("sh.helm.release.v1.web.v3", release, Stamp::Created(1))
            }
            ObjectKind::ConfigMap => {
                kind.build("sh.helm.release.v1.web.v3", release, Stamp::Created(1))
            }
        }
        .unwrap();
        serde_json::from_value(object).unwrap()
    }

    fn sample() -> Release {
        let mut r = Release {
            name: "web".into(),
            namespace: "ns".into(),
            version: 3,
            manifest: "kind: ConfigMap\n".repeat(100),
            chart: Some(ReleaseChart {
                metadata: Some(ChartMetadata {
                    name: "c".into(),
                    version: "1.2.3".into(),
                    app_version: "9".into(),
                    ..ChartMetadata::default()
                }),
                ..ReleaseChart::default()
            }),
            ..Release::default()
        };
        r.set_status(Status::Deployed, "Upgrade complete");
        r
    }

    #[test]
    fn summaries_keep_what_list_prints() {
        for kind in [ObjectKind::Secret, ObjectKind::ConfigMap] {
            let got = decode_summary(kind, &stored(kind, &sample())).unwrap();
            let want = sample();
            assert_eq!(
                (got.name.as_str(), got.namespace.as_str(), got.version),
                ("web", "ns", 3)
            );
            assert_eq!(got.info, want.info);
            assert_eq!(
                got.chart.and_then(|c| c.metadata),
                want.chart.and_then(|c| c.metadata)
            );
            assert!(got.manifest.is_empty(), "{kind:?}");
            assert_eq!(got.labels["status"], "deployed");
        }
    }

    #[test]
    fn broken_records_are_errors_and_skipped_in_bulk() {
        let good = stored(ObjectKind::Secret, &sample());
        let mut truncated = stored(ObjectKind::Secret, &sample());
        if let Some(data) = truncated.data.as_mut().and_then(|d| d.release.as_mut()) {
            // Cut the gzip stream (and its checksum) short.
            let inner = GO_STD_BASE64.decode(data.as_bytes()).unwrap();
            let mut raw = GO_STD_BASE64.decode(&inner).unwrap();
            raw.truncate(raw.len() - 8);
            *data = GO_STD_BASE64.encode(GO_STD_BASE64.encode(raw));
        }
        let err = decode_summary(ObjectKind::Secret, &truncated).unwrap_err();
        assert!(err.to_string().contains("gzip"), "{err}");
        let missing = body("ns", "x", "1", "deployed");
        assert!(decode_summary(ObjectKind::Secret, &missing).is_err());

        // Enough objects to be decoded on several threads: indexes survive.
        let mut objects: Vec<&WireObject> = vec![&good; 300];
        objects[7] = &truncated;
        objects[250] = &missing;
        let decoded = decode_summaries(ObjectKind::Secret, &objects);
        assert_eq!(decoded.len(), 298);
        assert!(decoded.iter().all(|(i, _)| *i != 7 && *i != 250));
        assert_eq!(decoded.last().map(|(i, _)| *i), Some(299));

        // The same records decoded by the prefetch workers, as a list
        // arrives: summaries by list position, broken records `None`, and
        // the list keeps only each object's metadata.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let summaries = runtime.block_on(async {
            let mut prefetch = SummaryPrefetch::start(ObjectKind::Secret);
            for (i, object) in objects.iter().enumerate() {
                let kept = prefetch.submit((*object).clone());
                assert_eq!(kept.metadata.name, object.metadata.name, "{i}");
                assert!(kept.data.is_none());
            }
            prefetch.finish().await
        });
        assert_eq!(summaries.len(), 300);
        assert!(summaries[7].is_none() && summaries[250].is_none());
        assert_eq!(summaries.iter().flatten().count(), 298);
        let expected = decode_summary(ObjectKind::Secret, &good).unwrap();
        assert_eq!(summaries[299].as_ref(), Some(&expected));
    }
}
