//! Chart.yaml rules: Helm's `Metadata.Validate` plus the checks Helm leaves
//! to lint or to install time that hoist makes at load time (apiVersion
//! value, dependency names, kubeVersion syntax).

use super::constraint::{Constraint, kube_version_compatible, parse_version};
use super::{Chart, ChartError, Metadata};
use crate::engine::KubeVersion;
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

static ALIAS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("^[a-zA-Z0-9_-]+$").expect("static regex"));

/// Checks a chart's metadata against Helm's rules, normalising text fields
/// first as Helm does (whitespace becomes a space, invisible characters are
/// dropped).
pub fn validate(chart: &mut Chart) -> Result<(), ChartError> {
    validate_metadata(&mut chart.metadata).map_err(|message| ChartError::Validation {
        chart: chart.metadata.name.clone(),
        message,
    })
}

/// Helm's `sanitizeString`: whitespace becomes ` `, characters Go's
/// `unicode.IsPrint` refuses (controls, invisible format characters,
/// private-use and unassigned code points) are removed.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if !crate::strconv::is_print(c) {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

fn sanitize_in_place(s: &mut String) {
    let clean = sanitize(s);
    if clean != *s {
        *s = clean;
    }
}

fn sanitize_opt(s: &mut Option<String>) {
    if let Some(s) = s {
        sanitize_in_place(s);
    }
}

/// True when `version` is strict SemVer 2 (`MAJOR.MINOR.PATCH`, no `v`),
/// which Helm's lint only warns about.
pub fn is_strict_semver(version: &str) -> bool {
    semver::Version::parse(version).is_ok()
}

/// Validates (and sanitises) metadata; the error is the message only, so
/// callers can name the chart.
pub(crate) fn validate_metadata(md: &mut Metadata) -> Result<(), String> {
    sanitize_in_place(&mut md.name);
    sanitize_opt(&mut md.description);
    sanitize_opt(&mut md.home);
    sanitize_opt(&mut md.icon);
    sanitize_opt(&mut md.condition);
    sanitize_opt(&mut md.tags);
    sanitize_opt(&mut md.app_version);
    sanitize_opt(&mut md.kube_version);
    md.sources.iter_mut().for_each(sanitize_in_place);
    md.keywords.iter_mut().for_each(sanitize_in_place);

    if md.api_version.is_empty() {
        return Err("chart.metadata.apiVersion is required".into());
    }
    if md.api_version != "v1" && md.api_version != "v2" {
        return Err(format!(
            "chart.metadata.apiVersion {:?} is not valid. The value must be either \"v1\" or \"v2\"",
            md.api_version
        ));
    }
    if md.name.is_empty() {
        return Err("chart.metadata.name is required".into());
    }
    if md.name == "." || md.name == ".." {
        return Err(format!("chart.metadata.name {:?} is not allowed", md.name));
    }
    // Go's filepath.Base(name) == name: no separator, no trailing slash.
    if md.name.contains('/') {
        return Err(format!("chart.metadata.name {:?} is invalid", md.name));
    }
    if md.version.is_empty() {
        return Err("chart.metadata.version is required".into());
    }
    if parse_version(&md.version).is_err() {
        return Err(format!(
            "chart.metadata.version {:?} is invalid",
            md.version
        ));
    }
    match md.chart_type.as_deref() {
        None | Some("") | Some("application") | Some("library") => {}
        Some(_) => return Err("chart.metadata.type must be application or library".into()),
    }
    if let Some(kv) = md.kube_version.as_deref().filter(|k| !k.is_empty())
        && let Err(e) = Constraint::parse(kv)
    {
        return Err(format!("chart.metadata.kubeVersion {kv:?} is invalid: {e}"));
    }
    for m in &mut md.maintainers {
        sanitize_in_place(&mut m.name);
        sanitize_opt(&mut m.email);
        sanitize_opt(&mut m.url);
    }
    let mut seen = BTreeSet::new();
    for (i, d) in md.dependencies.iter_mut().enumerate() {
        sanitize_in_place(&mut d.name);
        sanitize_in_place(&mut d.version);
        sanitize_in_place(&mut d.repository);
        sanitize_in_place(&mut d.condition);
        d.tags.iter_mut().for_each(sanitize_in_place);
        if d.name.is_empty() {
            return Err(format!("dependencies[{i}]: name is required"));
        }
        if let Some(alias) = d.alias.as_deref()
            && !alias.is_empty()
            && !ALIAS.is_match(alias)
        {
            return Err(format!(
                "dependency {:?} has disallowed characters in the alias",
                d.name
            ));
        }
        let key = d.effective_name().to_string();
        let key = if key.is_empty() { d.name.clone() } else { key };
        if !seen.insert(key.clone()) {
            return Err(format!(
                "more than one dependency with name or alias {key:?}"
            ));
        }
    }
    Ok(())
}

/// Refuses to go on when the chart's `kubeVersion` constraint excludes the
/// cluster, with Helm's message. Vendor suffixes of the cluster version
/// (`v1.20.0-gke.1`) are dropped before the check, as Helm does, so they do
/// not count as prereleases.
pub fn check_kube_version(chart: &Chart, kube: &KubeVersion) -> Result<(), ChartError> {
    let Some(constraint) = chart
        .metadata
        .kube_version
        .as_deref()
        .filter(|k| !k.is_empty())
    else {
        return Ok(());
    };
    if kube_version_compatible(constraint, &kube.version) {
        Ok(())
    } else {
        Err(ChartError::IncompatibleKubeVersion {
            constraint: constraint.to_string(),
            kube_version: kube.normalized(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Dependency;

    fn md(name: &str, version: &str) -> Metadata {
        Metadata {
            api_version: "v2".into(),
            name: name.into(),
            version: version.into(),
            ..Metadata::default()
        }
    }

    fn err(mut m: Metadata) -> String {
        validate_metadata(&mut m).unwrap_err()
    }

    #[test]
    fn accepts_a_minimal_chart() {
        assert_eq!(validate_metadata(&mut md("a", "1.2.3")), Ok(()));
        // Masterminds' NewVersion is lenient, and so is Helm's Validate.
        assert_eq!(validate_metadata(&mut md("a", "v1.2")), Ok(()));
        assert!(!is_strict_semver("v1.2"));
        assert!(is_strict_semver("1.2.3-rc.1+b"));
    }

    #[test]
    fn name_rules() {
        assert_eq!(err(md("", "1.0.0")), "chart.metadata.name is required");
        assert!(err(md("..", "1.0.0")).contains("is not allowed"));
        assert!(err(md("a/b", "1.0.0")).contains("is invalid"));
    }

    #[test]
    fn version_and_api_version_rules() {
        assert_eq!(err(md("a", "")), "chart.metadata.version is required");
        assert_eq!(
            err(md("a", "one")),
            "chart.metadata.version \"one\" is invalid"
        );
        let mut m = md("a", "1.0.0");
        m.api_version = String::new();
        assert_eq!(err(m), "chart.metadata.apiVersion is required");
        let mut m = md("a", "1.0.0");
        m.api_version = "v3".into();
        assert!(err(m).contains("must be either \"v1\" or \"v2\""));
    }

    #[test]
    fn type_and_kube_version_rules() {
        let mut m = md("a", "1.0.0");
        m.chart_type = Some("plugin".into());
        assert_eq!(err(m), "chart.metadata.type must be application or library");
        let mut m = md("a", "1.0.0");
        m.kube_version = Some(">= banana".into());
        assert!(err(m).contains("kubeVersion"));
    }

    #[test]
    fn dependency_rules() {
        let dep = |name: &str, alias: Option<&str>| Dependency {
            name: name.into(),
            alias: alias.map(String::from),
            ..Dependency::default()
        };
        let mut m = md("a", "1.0.0");
        m.dependencies = vec![dep("x", None), dep("x", None)];
        assert_eq!(err(m), "more than one dependency with name or alias \"x\"");
        let mut m = md("a", "1.0.0");
        m.dependencies = vec![dep("x", Some("y")), dep("y", None)];
        assert!(err(m).contains("\"y\""));
        let mut m = md("a", "1.0.0");
        m.dependencies = vec![dep("x", Some("bad.alias"))];
        assert!(err(m).contains("disallowed characters"));
        let mut m = md("a", "1.0.0");
        m.dependencies = vec![dep("", None)];
        assert!(err(m).contains("name is required"));
        let mut m = md("a", "1.0.0");
        m.dependencies = vec![dep("x", Some("x1")), dep("x", Some("x2"))];
        assert_eq!(validate_metadata(&mut m), Ok(()));
    }

    #[test]
    fn text_is_sanitized() {
        let mut m = md("a", "1.0.0");
        m.description = Some("two\tlines\nhere\u{200B}\u{7}".into());
        validate_metadata(&mut m).unwrap();
        assert_eq!(m.description.as_deref(), Some("two lines here"));
    }

    /// Helm v4 (helm-render, `chart.metadata.description` of the release)
    /// turned this Chart.yaml description into `abcd e`: private-use and
    /// every format character go, any Unicode space becomes ` `.
    #[test]
    fn sanitize_follows_go_is_print() {
        assert_eq!(sanitize("a\u{E000}b\u{110BD}c\u{AD}d\u{2000}e"), "abcd e");
    }

    #[test]
    fn kube_version_check_uses_helms_message() {
        let mut chart = Chart {
            metadata: md("a", "1.0.0"),
            ..Chart::default()
        };
        chart.metadata.kube_version = Some(">=1.30.0".into());
        let kv = KubeVersion::parse("v1.20.0-gke.1").unwrap();
        let e = check_kube_version(&chart, &kv).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "chart requires kubeVersion: >=1.30.0 which is incompatible with Kubernetes {}",
                "v1.20.0"
            )
        );
        chart.metadata.kube_version = Some(">=1.20.0".into());
        assert!(check_kube_version(&chart, &kv).is_ok());
        chart.metadata.kube_version = None;
        assert!(check_kube_version(&chart, &kv).is_ok());
    }

    #[test]
    fn kube_version_outcomes_match_helm() {
        // Observed with Helm v4 against a v1.33.0 cluster.
        let kv = KubeVersion::parse("v1.33.0").unwrap();
        let mut chart = Chart {
            metadata: md("kv", "0.1.0"),
            ..Chart::default()
        };
        chart.metadata.kube_version = Some("<1.33.0".into());
        assert_eq!(
            check_kube_version(&chart, &kv).unwrap_err().to_string(),
            "chart requires kubeVersion: <1.33.0 which is incompatible with Kubernetes v1.33.0"
        );
        chart.metadata.kube_version = Some("~1.33".into());
        assert!(check_kube_version(&chart, &kv).is_ok());
    }
}
