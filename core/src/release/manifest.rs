//! Rendered templates → release manifests and hooks, as Helm's
//! `pkg/release/v1/util` (manifest.go, manifest_sorter.go, kind_sorter.go)
//! and `pkg/action` (NOTES extraction, manifest text) do it.

use super::hook::{
    HOOK_ANNOTATION, HOOK_DELETE_ANNOTATION, HOOK_OUTPUT_LOG_ANNOTATION, HOOK_WEIGHT_ANNOTATION,
    Hook, HookDeletePolicy, HookEvent, HookOutputLogPolicy,
};
use crate::values::Value;
use std::collections::BTreeMap;

/// Helm's `InstallOrder`: kinds created first come first. Kinds not listed
/// go last, alphabetically by kind.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Helm's `UninstallOrder`: the kinds of [`INSTALL_ORDER`] in the order they
/// are deleted. Not simply the reverse: Service is deleted before the
/// workloads (Helm lists it right after IngressClass).
pub const UNINSTALL_ORDER: &[&str] = &[
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "Ingress",
    "IngressClass",
    "Service",
    "CronJob",
    "Job",
    "StatefulSet",
    "HorizontalPodAutoscaler",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "Pod",
    "DaemonSet",
    "RoleBindingList",
    "RoleBinding",
    "RoleList",
    "Role",
    "ClusterRoleBindingList",
    "ClusterRoleBinding",
    "ClusterRoleList",
    "ClusterRole",
    "CustomResourceDefinition",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StorageClass",
    "ConfigMap",
    "SecretList",
    "Secret",
    "ServiceAccount",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "LimitRange",
    "ResourceQuota",
    "NetworkPolicy",
    "Namespace",
    "PriorityClass",
];

/// The file-name suffix Helm treats as release notes (any template whose
/// path ends with it is removed from the manifests).
pub const NOTES_SUFFIX: &str = "NOTES.txt";

/// The part of a document Helm reads to classify it (`SimpleHead`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    /// `apiVersion`, empty when absent.
    pub api_version: String,
    /// `kind`, empty when absent.
    pub kind: String,
    /// `metadata`, `None` when absent or null.
    pub metadata: Option<HeadMetadata>,
}

/// `metadata.name` and `metadata.annotations` of a document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeadMetadata {
    /// `metadata.name`, empty when absent.
    pub name: String,
    /// `metadata.annotations` (string values only, as Helm requires).
    pub annotations: BTreeMap<String, String>,
}

/// One non-hook YAML document of a release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The template path it came from, e.g. `mychart/templates/svc.yaml`.
    pub name: String,
    /// The document text (leading whitespace removed, trailing kept).
    pub content: String,
    /// Its kind, name and annotations.
    pub head: Head,
}

/// Why rendered output could not be turned into manifests.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// A document is not YAML, or its head has the wrong shape.
    #[error("YAML parse error on {template}: {message}")]
    Parse {
        /// Template path.
        template: String,
        /// What is wrong.
        message: String,
    },
}

/// Helm's `SplitManifests`: cuts a rendered file into YAML documents at
/// every line starting with `---` (plus any spaces or tabs after it; the rest
/// of that line stays with the next document, so `---foo` still splits).
/// Documents that are empty or whitespace lose their place; the others lose
/// their leading whitespace and keep their trailing whitespace.
pub fn split_manifests(text: &str) -> Vec<String> {
    split_at_separators(text.trim_start())
        .into_iter()
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.trim_start().to_string())
        .collect()
}

/// Go's `regexp.MustCompile("(?m)^---[ \t]*").Split(text, -1)`: a match is
/// `---` at the start of a line plus the spaces and tabs after it.
fn split_at_separators(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut line_start = 0;
    loop {
        let line = &text[line_start..];
        if let Some(rest) = line.strip_prefix("---") {
            pieces.push(&text[piece_start..line_start]);
            let blanks = rest
                .bytes()
                .take_while(|b| *b == b' ' || *b == b'\t')
                .count();
            piece_start = line_start + 3 + blanks;
        }
        match line.find('\n') {
            Some(i) => line_start += i + 1,
            None => break,
        }
    }
    pieces.push(&text[piece_start..]);
    pieces
}

/// [`split_manifests`] keyed as Helm's `SplitManifests` keys them
/// (`manifest-0`, `manifest-1`...). Feeding this map to [`sort_manifests`]
/// reproduces Helm's uninstall quirk: keys sort as strings, so among
/// resources of one kind `manifest-10` comes before `manifest-2`.
pub fn split_manifests_keyed(text: &str) -> BTreeMap<String, String> {
    split_manifests(text)
        .into_iter()
        .enumerate()
        .map(|(i, d)| (format!("manifest-{i}"), d))
        .collect()
}

/// The annotation that keeps a resource on uninstall.
pub const RESOURCE_POLICY_ANNOTATION: &str = "helm.sh/resource-policy";

/// The resources of a stored release manifest in the order Helm's uninstall
/// deletes them ([`UNINSTALL_ORDER`]), split into those kept by
/// `helm.sh/resource-policy: keep` and those to delete. As in Helm, a
/// resource whose policy annotation holds any other value is in neither list.
pub fn uninstall_manifests(
    release_manifest: &str,
) -> Result<(Vec<Manifest>, Vec<Manifest>), ManifestError> {
    let sorted = sort_manifests(&split_manifests_keyed(release_manifest), UNINSTALL_ORDER)?;
    let mut keep = Vec::new();
    let mut delete = Vec::new();
    for m in sorted.manifests {
        let policy = m
            .head
            .metadata
            .as_ref()
            .and_then(|meta| meta.annotations.get(RESOURCE_POLICY_ANNOTATION));
        match policy {
            None => delete.push(m),
            Some(p) if p.trim().to_lowercase() == "keep" => keep.push(m),
            Some(_) => {}
        }
    }
    Ok((keep, delete))
}

/// Reads a document's head the way Helm does (sigs.k8s.io/yaml into
/// `SimpleHead`):
///
/// - a null document has an empty head; any other non-map document is an error;
/// - fields match exactly or, failing that, case-insensitively (Go's JSON decoding);
/// - numbers and booleans where a string is expected (`apiVersion`, `kind`,
///   `metadata.name`, annotation values) become their text, so an unquoted
///   `helm.sh/hook-weight: 5` is the weight 5;
/// - a list or map where a string is expected is an error.
pub fn parse_head(doc: &str) -> Result<Head, String> {
    let value = crate::yaml::parse(doc).map_err(|e| e.message)?;
    let map = match &value {
        Value::Null => return Ok(Head::default()),
        Value::Map(m) => m,
        other => {
            return Err(format!(
                "cannot unmarshal {} into a Kubernetes object",
                json_kind(other)
            ));
        }
    };
    let mut head = Head {
        api_version: string_field(field(map, "apiVersion"), "apiVersion")?,
        kind: string_field(field(map, "kind"), "kind")?,
        metadata: None,
    };
    match field(map, "metadata") {
        None | Some(Value::Null) => {}
        Some(Value::Map(meta)) => {
            let mut hm = HeadMetadata {
                name: string_field(field(meta, "name"), "metadata.name")?,
                annotations: BTreeMap::new(),
            };
            match field(meta, "annotations") {
                None | Some(Value::Null) => {}
                Some(Value::Map(ann)) => {
                    for (k, v) in ann {
                        let name = format!("metadata.annotations.{k}");
                        hm.annotations
                            .insert(k.clone(), string_field(Some(v), &name)?);
                    }
                }
                Some(other) => {
                    return Err(format!(
                        "cannot unmarshal {} into field metadata.annotations of type map[string]string",
                        json_kind(other)
                    ));
                }
            }
            head.metadata = Some(hm);
        }
        Some(other) => {
            return Err(format!(
                "cannot unmarshal {} into field metadata of type struct",
                json_kind(other)
            ));
        }
    }
    Ok(head)
}

/// A struct field as Go's JSON decoder finds it: the exact key, else a key
/// equal under case folding.
fn field<'v>(map: &'v crate::values::Map, name: &str) -> Option<&'v Value> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A string field with sigs.k8s.io/yaml's coercion of scalars.
fn string_field(v: Option<&Value>, field: &str) -> Result<String, String> {
    match v {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        Some(Value::Int(i)) => Ok(i.to_string()),
        // YAML integers arrive as floats; an integral one was (almost surely)
        // written as an integer, which Go formats in decimal.
        Some(Value::Float(x)) if x.fract() == 0.0 && x.abs() < 9.2e18 => {
            Ok((*x as i64).to_string())
        }
        // Other floats: sigs.k8s.io/yaml's `strconv.FormatFloat(f, 'g', -1, 32)`.
        Some(Value::Float(x)) => Ok(crate::strconv::format_float_bits(*x, 'g', -1, 32)),
        Some(other) => Err(format!(
            "cannot unmarshal {} into field {field} of type string",
            json_kind(other)
        )),
    }
}

/// The JSON type word Go's decoder uses in its messages.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) => "object",
    }
}

/// Hooks and plain manifests of a release, each in Helm's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SortedManifests {
    /// Hook resources sorted by kind (the order Helm stores them in; use
    /// [`super::hook::executing_hooks`] for execution order).
    pub hooks: Vec<Hook>,
    /// Non-hook resources sorted by kind.
    pub manifests: Vec<Manifest>,
}

/// Helm's `SortManifests`: splits every rendered file (in path order,
/// skipping partials `_*` and whitespace-only files) into documents,
/// separates hooks by the `helm.sh/hook` annotation, and sorts both lists by
/// `order` (stable, unknown kinds last and alphabetical).
///
/// A hook naming an unknown event (e.g. Helm 2's `crd-install`) is dropped
/// entirely, as Helm does (it only logs it).
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
    order: &[&str],
) -> Result<SortedManifests, ManifestError> {
    let mut out = SortedManifests::default();
    // BTreeMap iterates in byte order of the keys, which is Go's sort.Strings.
    for (path, content) in files {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for doc in split_manifests(content) {
            let head = parse_head(&doc).map_err(|message| ManifestError::Parse {
                template: path.clone(),
                message,
            })?;
            match hook_of(&head, path, &doc) {
                HookClass::NotAHook => out.manifests.push(Manifest {
                    name: path.clone(),
                    content: doc,
                    head,
                }),
                HookClass::Hook(h) => out.hooks.push(*h),
                HookClass::UnknownEvent(events) => {
                    tracing::info!(template = %path, hook = %events, "skipping unknown hooks");
                }
            }
        }
    }
    sort_by_kind(&mut out.manifests, |m| &m.head.kind, order);
    sort_by_kind(&mut out.hooks, |h| &h.kind, order);
    Ok(out)
}

enum HookClass {
    NotAHook,
    Hook(Box<Hook>),
    UnknownEvent(String),
}

fn hook_of(head: &Head, path: &str, doc: &str) -> HookClass {
    let Some(meta) = &head.metadata else {
        return HookClass::NotAHook;
    };
    let Some(events_text) = meta.annotations.get(HOOK_ANNOTATION) else {
        return HookClass::NotAHook;
    };
    let mut events = Vec::new();
    for word in events_text.split(',') {
        match HookEvent::from_annotation(&word.trim().to_lowercase()) {
            Some(e) => events.push(e),
            None => return HookClass::UnknownEvent(events_text.clone()),
        }
    }
    let words = |key: &str| -> Vec<String> {
        meta.annotations
            .get(key)
            .map(|v| v.split(',').map(|w| w.trim().to_lowercase()).collect())
            .unwrap_or_default()
    };
    HookClass::Hook(Box::new(Hook {
        name: meta.name.clone(),
        kind: head.kind.clone(),
        path: path.to_string(),
        manifest: doc.to_string(),
        events,
        weight: meta
            .annotations
            .get(HOOK_WEIGHT_ANNOTATION)
            .and_then(|w| crate::strconv::atoi(w).ok())
            .unwrap_or(0),
        delete_policies: words(HOOK_DELETE_ANNOTATION)
            .iter()
            .map(|w| HookDeletePolicy::parse(w))
            .collect(),
        output_log_policies: words(HOOK_OUTPUT_LOG_ANNOTATION)
            .iter()
            .map(|w| HookOutputLogPolicy::parse(w))
            .collect(),
        ..Hook::default()
    }))
}

/// Helm's `lessByKind` ordering, applied with a stable sort: listed kinds in
/// list order, then unlisted kinds alphabetically; ties keep their order.
pub fn sort_by_kind<T>(items: &mut [T], kind: impl Fn(&T) -> &str, order: &[&str]) {
    let rank = |k: &str| order.iter().position(|o| *o == k);
    items.sort_by(|a, b| {
        let (ka, kb) = (kind(a), kind(b));
        match (rank(ka), rank(kb)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => ka.cmp(kb),
        }
    });
}

/// What a release keeps from a render.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReleaseContent {
    /// Hooks, in stored (kind) order.
    pub hooks: Vec<Hook>,
    /// Plain resources, in install order.
    pub manifests: Vec<Manifest>,
    /// Rendered notes (see [`take_notes`]).
    pub notes: String,
}

/// Helm's steps after the engine ran (`renderResources`): take the notes
/// out, then split and sort the rest in [`INSTALL_ORDER`].
pub fn release_content(
    mut rendered: BTreeMap<String, String>,
    top_chart: &str,
    subchart_notes: bool,
) -> Result<ReleaseContent, ManifestError> {
    let notes = take_notes(&mut rendered, top_chart, subchart_notes);
    let sorted = sort_manifests(&rendered, INSTALL_ORDER)?;
    Ok(ReleaseContent {
        hooks: sorted.hooks,
        manifests: sorted.manifests,
        notes,
    })
}

/// The release manifest text (what `helm template` prints for non-hook
/// resources): `---\n# Source: PATH\n` + document + `\n` for each.
pub fn manifest_text(manifests: &[Manifest]) -> String {
    let mut out = String::new();
    for m in manifests {
        out.push_str(&format!("---\n# Source: {}\n{}\n", m.name, m.content));
    }
    out
}

/// The text Helm's `--hide-secret` puts in place of a Secret.
pub const HIDDEN_SECRET: &str = "# HIDDEN: The Secret output has been suppressed";

/// Whether a YAML document is a core `v1` Secret (what `--hide-secret`
/// hides).
pub fn is_v1_secret(doc: &str) -> bool {
    parse_head(doc).is_ok_and(|head| head.kind == "Secret" && head.api_version == "v1")
}

/// Helm's `--hide-secret` for a dry run's output: every `v1` Secret of a
/// manifest in [`manifest_text`]'s form becomes a comment under its
/// `# Source:` line; the other documents are left exactly as they were.
pub fn hide_secrets(text: &str) -> String {
    let mut out = String::new();
    for doc in split_manifests(text) {
        let (source, content) = match doc
            .strip_prefix("# Source: ")
            .and_then(|d| d.split_once('\n'))
        {
            Some((path, content)) => (path, content),
            None => ("", doc.as_str()),
        };
        if is_v1_secret(content) {
            out.push_str(&format!("---\n# Source: {source}\n{HIDDEN_SECRET}\n"));
        } else {
            out.push_str("---\n");
            out.push_str(&doc);
            if !doc.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}

/// Hooks in the same form, as `helm template` appends them after the
/// manifests (it passes its own filter for `--skip-tests`).
pub fn hooks_text<'a>(hooks: impl IntoIterator<Item = &'a Hook>) -> String {
    let mut out = String::new();
    for h in hooks {
        out.push_str(&format!("---\n# Source: {}\n{}\n", h.path, h.manifest));
    }
    out
}

/// Removes every rendered file whose path ends in `NOTES.txt` and returns the
/// notes to show: the top chart's `CHART/templates/NOTES.txt`, and with
/// `subchart_notes` the others too, joined with a newline between non-empty
/// parts. Helm visits them in Go's random map order; hoist puts the top
/// chart's first and the rest in path order.
pub fn take_notes(
    files: &mut BTreeMap<String, String>,
    top_chart: &str,
    subchart_notes: bool,
) -> String {
    let top = format!("{top_chart}/templates/{NOTES_SUFFIX}");
    let paths: Vec<String> = files
        .keys()
        .filter(|k| k.ends_with(NOTES_SUFFIX))
        .cloned()
        .collect();
    let mut parts = Vec::new();
    if let Some(text) = files.remove(&top) {
        parts.push(text);
    }
    for path in paths {
        if let Some(text) = files.remove(&path)
            && subchart_notes
        {
            parts.push(text);
        }
    }
    let mut notes = String::new();
    for p in parts {
        if !notes.is_empty() {
            notes.push('\n');
        }
        notes.push_str(&p);
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_follows_helms_regex() {
        assert_eq!(
            split_manifests("a: 1\n---\nb: 2\n"),
            vec!["a: 1\n", "b: 2\n"]
        );
        // Leading separator and blank documents vanish.
        assert_eq!(split_manifests("\n---\n\n---  \n \na: 1"), vec!["a: 1"]);
        // `---` glued to text still splits; the rest of the line stays.
        assert_eq!(
            split_manifests("---apiVersion: v1\n"),
            vec!["apiVersion: v1\n"]
        );
        assert_eq!(
            split_manifests("a: 1\n--- # c\nb: 2"),
            vec!["a: 1\n", "# c\nb: 2"]
        );
        // Only at line starts.
        assert_eq!(split_manifests("a: |\n  ---\n"), vec!["a: |\n  ---\n"]);
        // `----` also matches (the regex has no end anchor).
        assert_eq!(split_manifests("a: 1\n----\nb"), vec!["a: 1\n", "-\nb"]);
    }

    #[test]
    fn separator_split_agrees_with_the_regex() {
        // Helm's regex, run by the regex crate, against the hand-written split
        // on pseudo-random strings over the characters that matter.
        let re = regex::Regex::new(r"(?m)^---[ \t]*").unwrap();
        let alphabet = ['-', '-', '-', ' ', '\t', '\n', 'a', '\r'];
        let mut seed: u64 = 42;
        for _ in 0..5000 {
            let mut text = String::new();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (seed >> 59) as usize + 1;
            for _ in 0..len {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push(alphabet[(seed >> 61) as usize]);
            }
            let expected: Vec<&str> = re.split(&text).collect();
            assert_eq!(split_at_separators(&text), expected, "{text:?}");
        }
    }

    #[test]
    fn head_parsing() {
        let h = parse_head(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    a: b\n",
        )
        .unwrap();
        assert_eq!(h.kind, "Pod");
        let meta = h.metadata.unwrap();
        assert_eq!(meta.name, "p");
        assert_eq!(meta.annotations.get("a").map(String::as_str), Some("b"));
        assert_eq!(parse_head("# only a comment\n").unwrap(), Head::default());
        assert!(parse_head("- a\n").is_err());
        assert!(parse_head("just text\n").is_err());
        assert!(parse_head("kind: Pod\nmetadata:\n  name: [a]\n").is_err());
        let coerced = parse_head(
            "Kind: Pod\nmetadata:\n  annotations:\n    w: 5\n    b: true\n    r: 0.25\n",
        )
        .unwrap();
        assert_eq!(coerced.kind, "Pod");
        let ann = coerced.metadata.unwrap().annotations;
        assert_eq!(ann["w"], "5");
        assert_eq!(ann["b"], "true");
        assert_eq!(ann["r"], "0.25");
        assert!(parse_head("a: [\n").is_err());
    }

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, String> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn sorting_by_kind_is_stable_with_unknown_kinds_last_alphabetically() {
        let f = files(&[
            (
                "c/templates/a.yaml",
                "kind: Zebra\n---\nkind: Deployment\nmetadata: {name: d1}\n---\nkind: Apple\n",
            ),
            (
                "c/templates/b.yaml",
                "kind: Deployment\nmetadata: {name: d0}\n---\nkind: Namespace\n---\nkind: Apple\nmetadata: {name: second}\n",
            ),
        ]);
        let s = sort_manifests(&f, INSTALL_ORDER).unwrap();
        let got: Vec<_> = s
            .manifests
            .iter()
            .map(|m| {
                let n = m
                    .head
                    .metadata
                    .as_ref()
                    .map(|x| x.name.as_str())
                    .unwrap_or("");
                format!("{}:{}", m.head.kind, n)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                "Namespace:",
                "Deployment:d1",
                "Deployment:d0",
                "Apple:",
                "Apple:second",
                "Zebra:"
            ]
        );
    }

    #[test]
    fn partials_and_blank_files_are_skipped_errors_name_the_template() {
        let f = files(&[
            ("c/templates/_h.tpl", "kind: Pod\n"),
            ("c/templates/blank.yaml", "  \n\n"),
        ]);
        assert!(
            sort_manifests(&f, INSTALL_ORDER)
                .unwrap()
                .manifests
                .is_empty()
        );
        let bad = files(&[("c/templates/bad.yaml", "a: [\n")]);
        let err = sort_manifests(&bad, INSTALL_ORDER).unwrap_err().to_string();
        assert!(
            err.starts_with("YAML parse error on c/templates/bad.yaml: "),
            "{err}"
        );
    }

    #[test]
    fn hooks_are_separated_and_parsed() {
        let f = files(&[(
            "c/templates/h.yaml",
            "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: ' Pre-Install , test-success'\n    helm.sh/hook-weight: \"-3\"\n    helm.sh/hook-delete-policy: Hook-Succeeded,before-hook-creation\n---\nkind: Job\nmetadata:\n  name: old\n  annotations:\n    helm.sh/hook: crd-install\n---\nkind: Pod\nmetadata:\n  name: w\n  annotations:\n    helm.sh/hook: post-install\n    helm.sh/hook-weight: \"1.5\"\n---\nkind: Pod\nmetadata:\n  name: plain\n  annotations:\n    other: x\n",
        )]);
        let s = sort_manifests(&f, INSTALL_ORDER).unwrap();
        assert_eq!(s.manifests.len(), 1);
        assert_eq!(s.manifests[0].head.kind, "Pod");
        assert_eq!(s.hooks.len(), 2);
        // Sorted by kind: Pod before Job.
        assert_eq!(s.hooks[0].name, "w");
        assert_eq!(s.hooks[0].weight, 0);
        let j = &s.hooks[1];
        assert_eq!(j.events, vec![HookEvent::PreInstall, HookEvent::Test]);
        assert_eq!(j.weight, -3);
        assert_eq!(
            j.delete_policies,
            vec![
                HookDeletePolicy::HookSucceeded,
                HookDeletePolicy::BeforeHookCreation
            ]
        );
        assert_eq!(j.path, "c/templates/h.yaml");
        assert!(j.manifest.starts_with("kind: Job\n"));
    }

    #[test]
    fn uninstall_order_and_keep_policy() {
        let mut text = String::new();
        for i in 0..11 {
            text.push_str(&format!("---\nkind: ConfigMap\nmetadata:\n  name: c{i}\n"));
        }
        text.push_str("---\nkind: Service\nmetadata:\n  name: s\n");
        text.push_str("---\nkind: Secret\nmetadata:\n  name: kept\n  annotations:\n    helm.sh/resource-policy: \" Keep\"\n");
        text.push_str("---\nkind: Secret\nmetadata:\n  name: odd\n  annotations:\n    helm.sh/resource-policy: other\n");
        let (keep, delete) = uninstall_manifests(&text).unwrap();
        let name = |m: &Manifest| m.head.metadata.as_ref().unwrap().name.clone();
        assert_eq!(keep.iter().map(name).collect::<Vec<_>>(), vec!["kept"]);
        let order: Vec<String> = delete.iter().map(name).collect();
        // Service first; ConfigMaps in string order of their keys.
        assert_eq!(
            order,
            vec![
                "s", "c0", "c1", "c10", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"
            ]
        );
    }

    #[test]
    fn text_and_notes() {
        let m = Manifest {
            name: "c/templates/a.yaml".into(),
            content: "kind: A\n".into(),
            head: Head::default(),
        };
        assert_eq!(
            manifest_text(&[m]),
            "---\n# Source: c/templates/a.yaml\nkind: A\n\n"
        );
        let mut f = files(&[
            ("c/templates/NOTES.txt", "top"),
            ("c/charts/s/templates/NOTES.txt", "sub"),
            ("c/templates/MYNOTES.txt", "odd"),
            ("c/templates/a.yaml", "kind: A"),
        ]);
        let mut g = f.clone();
        assert_eq!(take_notes(&mut f, "c", false), "top");
        assert_eq!(f.len(), 1);
        assert_eq!(take_notes(&mut g, "c", true), "top\nsub\nodd");
        let mut h = files(&[
            ("c/templates/NOTES.txt", ""),
            ("c/charts/s/templates/NOTES.txt", "sub"),
        ]);
        assert_eq!(take_notes(&mut h, "c", true), "sub");
    }

    #[test]
    fn hide_secrets_replaces_only_v1_secrets() {
        let text = "---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n\
                    ---\n# Source: c/templates/s.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  pw: hunter2\n\
                    ---\n# Source: c/templates/x.yaml\napiVersion: example.com/v1\nkind: Secret\nmetadata:\n  name: x\n";
        let hidden = hide_secrets(text);
        assert!(!hidden.contains("hunter2"), "{hidden}");
        assert!(hidden.contains(
            "---\n# Source: c/templates/s.yaml\n# HIDDEN: The Secret output has been suppressed\n"
        ));
        assert!(hidden.contains("kind: ConfigMap"));
        assert!(hidden.contains("apiVersion: example.com/v1\nkind: Secret"));
        // Nothing to hide: the text is unchanged.
        let plain = "---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\n";
        assert_eq!(hide_secrets(plain), plain);
    }
}
