//! The Helm chart manifest: what `helm push` uploads (pkg/registry Push):
//! a config blob holding Chart.yaml as Go JSON, the archive as a layer, the
//! provenance file as an optional second layer, and OCI annotations taken
//! from the chart's metadata.

use crate::chart::Metadata;
use crate::chart::gojson::ChartMetadata;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Media type of the config blob (the chart's metadata as JSON).
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
/// Media type of the chart archive layer.
pub const CHART_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/// Media type of the provenance layer.
pub const PROV_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";
/// The chart layer media type of Helm 3.0-3.7 pushes, still accepted on pull.
pub const LEGACY_CHART_LAYER_MEDIA_TYPE: &str = "application/tar+gzip";
/// Media type of the manifest itself.
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// Media type of an OCI index (refused: charts are single manifests).
pub const INDEX_MEDIA_TYPE: &str = "application/vnd.oci.image.index.v1+json";

/// An OCI content descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Descriptor {
    /// The content's media type.
    #[serde(rename = "mediaType")]
    pub media_type: String,
    /// `sha256:HEX` of the content.
    pub digest: String,
    /// Size in bytes.
    pub size: u64,
    /// Descriptor annotations (Helm sets none).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    /// The descriptor of `data`.
    pub fn of(media_type: &str, data: &[u8]) -> Descriptor {
        Descriptor {
            media_type: media_type.to_string(),
            digest: digest_of(data),
            size: data.len() as u64,
            annotations: BTreeMap::new(),
        }
    }
}

/// An OCI image manifest, fields in the order Go's `ocispec.Manifest` has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always 2.
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    /// Helm leaves it out; the HTTP Content-Type carries it.
    #[serde(rename = "mediaType", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The config blob.
    pub config: Descriptor,
    /// Chart (and provenance) layers, sorted by digest like Helm does.
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    /// OCI annotations from the chart metadata.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// `sha256:HEX` of `data`.
pub fn digest_of(data: &[u8]) -> String {
    format!("sha256:{}", crate::chart::package::sha256_hex(data))
}

/// Go's `encoding/json` escapes `<`, `>`, `&`, U+2028 and U+2029 inside
/// strings; serde_json does not. Those characters can only occur inside
/// strings in JSON text, so replacing them everywhere is safe.
pub fn go_json_escape(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The config blob: `json.Marshal(chart.Metadata)`.
pub fn config_json(md: &Metadata) -> Result<Vec<u8>, String> {
    let json = serde_json::to_string(&ChartMetadata::from(md))
        .map_err(|e| format!("cannot encode Chart.yaml as JSON: {e}"))?;
    Ok(go_json_escape(&json).into_bytes())
}

/// The manifest annotations Helm derives from the chart metadata
/// (generateOCIAnnotations): the standard `org.opencontainers.image.*` keys,
/// then the chart's own annotations except the two Helm keeps immutable.
pub fn annotations(md: &Metadata, created: &str) -> BTreeMap<String, String> {
    const PREFIX: &str = "org.opencontainers.image.";
    let mut out = BTreeMap::new();
    let mut put = |key: &str, value: &str| {
        if !value.trim().is_empty() {
            out.insert(format!("{PREFIX}{key}"), value.to_string());
        }
    };
    put("description", md.description.as_deref().unwrap_or(""));
    put("title", &md.name);
    put("version", &md.version);
    put("url", md.home.as_deref().unwrap_or(""));
    put("created", created);
    if let Some(source) = md.sources.first() {
        put("source", source);
    }
    if !md.maintainers.is_empty() {
        let authors = md
            .maintainers
            .iter()
            .map(|m| {
                let mut s = m.name.clone();
                if let Some(email) = m.email.as_deref().filter(|e| !e.is_empty()) {
                    s.push_str(&format!(" ({email})"));
                }
                s
            })
            .collect::<Vec<_>>()
            .join(", ");
        put("authors", &authors);
    }
    for (k, v) in &md.annotations {
        if k != "org.opencontainers.image.version" && k != "org.opencontainers.image.title" {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// The manifest JSON bytes, encoded like Go's `json.Marshal(ocispec.Manifest)`.
pub fn manifest_json(manifest: &Manifest) -> Result<Vec<u8>, String> {
    let json =
        serde_json::to_string(manifest).map_err(|e| format!("cannot encode manifest: {e}"))?;
    Ok(go_json_escape(&json).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Maintainer;

    fn md() -> Metadata {
        Metadata {
            name: "app".into(),
            version: "1.0.0".into(),
            description: Some("An <app> & more".into()),
            home: Some("https://app.example".into()),
            sources: vec!["https://src.example".into()],
            maintainers: vec![
                Maintainer {
                    name: "A".into(),
                    email: Some("a@x".into()),
                    ..Default::default()
                },
                Maintainer {
                    name: "B".into(),
                    ..Default::default()
                },
            ],
            annotations: [
                (
                    "org.opencontainers.image.title".to_string(),
                    "nope".to_string(),
                ),
                ("team".to_string(), "core".to_string()),
            ]
            .into_iter()
            .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn annotations_follow_helm() {
        let a = annotations(&md(), "2026-01-02T03:04:05Z");
        assert_eq!(a["org.opencontainers.image.title"], "app");
        assert_eq!(a["org.opencontainers.image.version"], "1.0.0");
        assert_eq!(a["org.opencontainers.image.authors"], "A (a@x), B");
        assert_eq!(a["org.opencontainers.image.source"], "https://src.example");
        assert_eq!(
            a["org.opencontainers.image.created"],
            "2026-01-02T03:04:05Z"
        );
        assert_eq!(a["team"], "core");
    }

    #[test]
    fn config_escapes_html_like_go() {
        let json = String::from_utf8(config_json(&md()).unwrap()).unwrap();
        assert!(
            json.contains(r#""description":"An \u003capp\u003e \u0026 more""#),
            "{json}"
        );
        assert!(json.starts_with(r#"{"name":"app","#), "{json}");
    }

    #[test]
    fn manifest_has_no_media_type_field_and_go_order() {
        let m = Manifest {
            schema_version: 2,
            media_type: None,
            config: Descriptor::of(CONFIG_MEDIA_TYPE, b"{}"),
            layers: vec![Descriptor::of(CHART_LAYER_MEDIA_TYPE, b"x")],
            annotations: BTreeMap::new(),
        };
        let json = String::from_utf8(manifest_json(&m).unwrap()).unwrap();
        assert!(json.starts_with(r#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}"#), "{json}");
    }
}
