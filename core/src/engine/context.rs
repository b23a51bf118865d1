//! What templates see besides `.Values`: Helm's `.Release`, `.Capabilities`
//! and the hook for `lookup`.

use crate::values::Value;

/// `.Release`.
#[derive(Clone, Debug)]
pub struct ReleaseInfo {
    /// Release name.
    pub name: String,
    /// Target namespace.
    pub namespace: String,
    /// Revision being rendered (1 on install).
    pub revision: u32,
    /// True on install.
    pub is_install: bool,
    /// True on upgrade and rollback.
    pub is_upgrade: bool,
    /// Always `"Helm"`, as Helm sets it, so charts that test it keep working.
    pub service: String,
}

impl Default for ReleaseInfo {
    fn default() -> Self {
        ReleaseInfo {
            name: "release-name".into(),
            namespace: "default".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
            service: "Helm".into(),
        }
    }
}

/// `.Capabilities.KubeVersion`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeVersion {
    /// Full version with a leading `v`, e.g. `v1.20.0`.
    pub version: String,
    /// Major version, e.g. `1`.
    pub major: String,
    /// Minor version, e.g. `20`.
    pub minor: String,
}

impl KubeVersion {
    /// Parses `1.20`, `v1.20.2` or `1.20.2-gke.1`; returns `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().trim_start_matches('v');
        let mut parts = t.splitn(3, '.');
        let major = parts.next()?.to_string();
        let minor = parts.next()?.to_string();
        major.parse::<u64>().ok()?;
        let minor_digits: String = minor.chars().take_while(char::is_ascii_digit).collect();
        minor_digits.parse::<u64>().ok()?;
        let patch = parts.next().unwrap_or("0");
        Some(KubeVersion {
            version: format!("v{major}.{minor_digits}.{}", patch),
            major,
            minor: minor_digits,
        })
    }
}

/// `.Capabilities`.
#[derive(Clone, Debug)]
pub struct Capabilities {
    /// The target cluster's version.
    pub kube_version: KubeVersion,
    /// `group/version` and `group/version/Kind` strings the cluster serves.
    pub api_versions: Vec<String>,
    /// `.Capabilities.HelmVersion.Version`, reported as Helm's so charts that
    /// gate on it behave as under Helm.
    pub helm_version: String,
}

impl Capabilities {
    /// `.Capabilities.APIVersions.Has`.
    pub fn has_api_version(&self, v: &str) -> bool {
        self.api_versions.iter().any(|a| a == v)
    }
}

/// Reads live objects for the `lookup` template function. Without a cluster
/// (`template`, client dry-run) there is none and `lookup` yields an empty map.
pub trait Lookup: Send + Sync {
    /// Returns the object (or, with an empty name, a `List` of objects) as a
    /// values tree, or an empty map when not found.
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String>;
}

/// Everything a render needs besides the chart and its values.
#[derive(Clone)]
pub struct RenderContext {
    /// `.Release`.
    pub release: ReleaseInfo,
    /// `.Capabilities`.
    pub capabilities: Capabilities,
    /// `lookup`'s source; `None` renders it as an empty map.
    pub lookup: Option<std::sync::Arc<dyn Lookup>>,
    /// Lint mode: missing `required` values and `fail` are reported but
    /// Helm's lint-mode leniencies apply.
    pub lint_mode: bool,
}
