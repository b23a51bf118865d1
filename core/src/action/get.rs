//! `hoist get values|manifest|notes|hooks|metadata|all`: parts of a
//! release's last revision.

use std::collections::BTreeMap;

use super::ActionError;
use crate::release::record::{ChartDependency, GoTime, Release};
use crate::values::{Map, Value};

/// The values `get values` prints: the user-supplied ones, or with `all`
/// the chart's stored defaults coalesced with them (Helm's
/// `CoalesceValues(rel.Chart, rel.Config)`).
pub fn release_values(rel: &Release, all: bool) -> Result<Value, ActionError> {
    let config = Value::Map(rel.config.clone());
    if !all {
        return Ok(config);
    }
    let mut chart = crate::chart::Chart::default();
    if let Some(stored) = &rel.chart {
        chart.values = Value::Map(stored.values.clone().unwrap_or_else(Map::new));
        if let Some(m) = &stored.metadata {
            chart.metadata.name = m.name.clone();
        }
    }
    Ok(crate::values::coalesce::coalesce_values(&chart, &config)?)
}

/// `get values` in table form: a heading, then YAML.
pub fn values_text(values: &Value, all: bool) -> String {
    let heading = if all {
        "COMPUTED VALUES:"
    } else {
        "USER-SUPPLIED VALUES:"
    };
    let body = match values {
        Value::Map(m) if m.is_empty() => "null\n".to_string(),
        v => crate::yaml::to_string(v),
    };
    format!("{heading}\n{body}")
}

/// `get notes` text: `NOTES:` then the notes, nothing without notes.
pub fn notes_text(rel: &Release) -> String {
    match rel.info.as_ref().map(|i| i.notes.as_str()) {
        Some(n) if !n.is_empty() => format!("NOTES:\n{n}\n"),
        _ => String::new(),
    }
}

/// `get hooks` text: each hook as `---`, `# Source: PATH`, its manifest
/// (Helm's format).
pub fn hooks_text(rel: &Release) -> String {
    rel.hooks
        .iter()
        .map(|h| format!("---\n# Source: {}\n{}\n", h.path, h.manifest))
        .collect()
}

/// What `get metadata` reports; the field names are Helm's `action.Metadata`
/// JSON (`-o json|yaml` output).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseMetadata {
    /// Release name.
    pub name: String,
    /// Chart name.
    pub chart: String,
    /// Chart version.
    pub version: String,
    /// Chart appVersion.
    pub app_version: String,
    /// The chart's Chart.yaml annotations.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The release's labels.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// The chart's dependencies as declared in Chart.yaml.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<ChartDependency>,
    /// Release namespace.
    pub namespace: String,
    /// Revision number.
    pub revision: i64,
    /// Status (`deployed`, `failed`...).
    pub status: String,
    /// When the revision was deployed, RFC 3339 in seconds.
    pub deployed_at: String,
    /// `ssa` or `csa`; absent for records written before Helm v4.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub apply_method: String,
}

/// Helm's `GetMetadata.Run` over a stored revision.
pub fn release_metadata(rel: &Release) -> ReleaseMetadata {
    let md = rel
        .chart
        .as_ref()
        .and_then(|c| c.metadata.clone())
        .unwrap_or_default();
    let info = rel.info.clone().unwrap_or_default();
    ReleaseMetadata {
        name: rel.name.clone(),
        chart: md.name,
        version: md.version,
        app_version: md.app_version,
        annotations: md.annotations,
        labels: rel.labels.clone(),
        dependencies: md.dependencies,
        namespace: rel.namespace.clone(),
        revision: rel.version,
        status: info.status.as_str().to_string(),
        deployed_at: rfc3339_seconds(&info.last_deployed),
        apply_method: rel.apply_method.clone(),
    }
}

/// `get metadata` in table form, as Helm prints it.
pub fn metadata_text(m: &ReleaseMetadata) -> String {
    let pairs = |map: &BTreeMap<String, String>| {
        map.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut deps: Vec<&str> = m.dependencies.iter().map(|d| d.name.as_str()).collect();
    deps.sort_unstable();
    let apply = match m.apply_method.as_str() {
        "" => "client-side apply (defaulted)".to_string(),
        "csa" => "client-side apply".to_string(),
        "ssa" => "server-side apply".to_string(),
        other => format!("unknown ({other:?})"),
    };
    format!(
        "NAME: {}\nCHART: {}\nVERSION: {}\nAPP_VERSION: {}\nANNOTATIONS: {}\nLABELS: {}\nDEPENDENCIES: {}\nNAMESPACE: {}\nREVISION: {}\nSTATUS: {}\nDEPLOYED_AT: {}\nAPPLY_METHOD: {}\n",
        m.name,
        m.chart,
        m.version,
        m.app_version,
        pairs(&m.annotations),
        pairs(&m.labels),
        deps.join(","),
        m.namespace,
        m.revision,
        m.status,
        m.deployed_at,
        apply
    )
}

/// `get all` in table form, in the order of Helm's status printer with
/// metadata and debug sections: status lines with CHART, VERSION and
/// APP_VERSION after REVISION, the user-supplied and computed values, the
/// hooks, the manifest, then the notes.
pub fn all_text(rel: &Release) -> Result<String, ActionError> {
    let mut quiet = rel.clone();
    let notes = quiet
        .info
        .as_mut()
        .map(|i| std::mem::take(&mut i.notes))
        .unwrap_or_default();
    let dry_run = quiet
        .info
        .as_ref()
        .is_some_and(|i| i.description.eq_ignore_ascii_case("Dry run complete"));
    let status = super::status::status_text(&quiet);
    let md = rel
        .chart
        .as_ref()
        .and_then(|c| c.metadata.clone())
        .unwrap_or_default();
    let revision_line = format!("REVISION: {}\n", rel.version);
    let chart_lines = format!(
        "CHART: {}\nVERSION: {}\nAPP_VERSION: {}\n",
        md.name, md.version, md.app_version
    );
    let mut out = match status.find(&revision_line) {
        Some(at) => {
            let end = at + revision_line.len();
            format!("{}{chart_lines}{}", &status[..end], &status[end..])
        }
        None => format!("{status}{chart_lines}"),
    };
    let yaml = |v: &Value| match v {
        Value::Map(m) if m.is_empty() => "{}\n".to_string(),
        v => crate::yaml::to_string(v),
    };
    out.push_str("USER-SUPPLIED VALUES:\n");
    out.push_str(&yaml(&release_values(rel, false)?));
    out.push_str("\nCOMPUTED VALUES:\n");
    out.push_str(&yaml(&release_values(rel, true)?));
    out.push('\n');
    if !dry_run {
        out.push_str("HOOKS:\n");
        out.push_str(&hooks_text(rel));
        out.push_str(&format!("MANIFEST:\n{}\n", rel.manifest));
    }
    if !notes.is_empty() {
        out.push_str(&format!("NOTES:\n{}\n", notes.trim()));
    }
    Ok(out)
}

/// Go's `time.RFC3339` layout: seconds, `Z` for UTC, else `+hh:mm`.
fn rfc3339_seconds(t: &GoTime) -> String {
    let offset = t.offset();
    let zoned = t
        .timestamp()
        .to_zoned_datetime(jiff::tz::TimeZone::fixed(offset));
    let zone = if offset.seconds() == 0 {
        "Z".to_string()
    } else {
        zoned.strftime("%:z").to_string()
    };
    format!("{}{zone}", zoned.strftime("%Y-%m-%dT%H:%M:%S"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::record::{ChartMetadata, Hook, ReleaseChart};

    #[test]
    fn metadata_follows_helms_fields() {
        let rel = Release {
            name: "web".into(),
            namespace: "team".into(),
            version: 3,
            apply_method: "ssa".into(),
            chart: Some(ReleaseChart {
                metadata: Some(ChartMetadata {
                    name: "app".into(),
                    version: "1.2.3".into(),
                    app_version: "4".into(),
                    ..ChartMetadata::default()
                }),
                ..ReleaseChart::default()
            }),
            info: Some(crate::release::record::Info {
                last_deployed: GoTime::parse("2024-05-06T07:08:09.123+02:00").unwrap(),
                ..Default::default()
            }),
            ..Release::default()
        };
        let m = release_metadata(&rel);
        assert_eq!(m.deployed_at, "2024-05-06T07:08:09+02:00");
        let json = serde_json::to_value(&m).unwrap();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "name",
                "chart",
                "version",
                "appVersion",
                "namespace",
                "revision",
                "status",
                "deployedAt",
                "applyMethod"
            ]
        );
        let text = metadata_text(&m);
        assert!(
            text.contains("\nAPPLY_METHOD: server-side apply\n"),
            "{text}"
        );
        assert!(
            text.starts_with("NAME: web\nCHART: app\nVERSION: 1.2.3\n"),
            "{text}"
        );
    }

    #[test]
    fn all_text_has_every_section_in_order() {
        let rel = Release {
            name: "web".into(),
            version: 2,
            manifest: "---\nkind: ConfigMap\n".into(),
            config: Map::from([("a".to_string(), Value::from("x"))]),
            info: Some(crate::release::record::Info {
                notes: "hello\n".into(),
                description: "Upgrade complete".into(),
                ..Default::default()
            }),
            ..Release::default()
        };
        let text = all_text(&rel).unwrap();
        let order = [
            "NAME: web\n",
            "REVISION: 2\nCHART: \n",
            "DESCRIPTION: Upgrade complete\n",
            "USER-SUPPLIED VALUES:\na: x\n",
            "COMPUTED VALUES:\n",
            "HOOKS:\nMANIFEST:\n---\nkind: ConfigMap\n",
            "NOTES:\nhello\n",
        ];
        let mut at = 0;
        for part in order {
            let found = text[at..]
                .find(part)
                .unwrap_or_else(|| panic!("{part:?} not after {at} in {text}"));
            at += found + part.len();
        }
        assert_eq!(text.matches("NOTES:").count(), 1);
    }

    #[test]
    fn utc_times_end_in_z() {
        let t = GoTime::parse("2024-05-06T07:08:09Z").unwrap();
        assert_eq!(rfc3339_seconds(&t), "2024-05-06T07:08:09Z");
    }

    #[test]
    fn hooks_are_listed_with_their_source() {
        let rel = Release {
            hooks: vec![Hook {
                path: "app/templates/job.yaml".into(),
                manifest: "kind: Job".into(),
                ..Hook::default()
            }],
            ..Release::default()
        };
        assert_eq!(
            hooks_text(&rel),
            "---\n# Source: app/templates/job.yaml\nkind: Job\n"
        );
    }

    #[test]
    fn all_values_coalesce_chart_defaults_under_user_values() {
        let rel = Release {
            config: Map::from([("a".to_string(), Value::Float(2.0))]),
            chart: Some(ReleaseChart {
                values: Some(Map::from([
                    ("a".to_string(), Value::Float(1.0)),
                    ("b".to_string(), Value::from("x")),
                ])),
                ..ReleaseChart::default()
            }),
            ..Release::default()
        };
        let user = release_values(&rel, false).unwrap();
        assert_eq!(values_text(&user, false), "USER-SUPPLIED VALUES:\na: 2\n");
        let all = release_values(&rel, true).unwrap();
        assert_eq!(all.get_path("b"), Some(&Value::from("x")));
        assert_eq!(all.get_path("a"), Some(&Value::Float(2.0)));
        assert_eq!(
            values_text(&Value::empty_map(), false),
            "USER-SUPPLIED VALUES:\nnull\n"
        );
    }
}
