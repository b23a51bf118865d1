//! What templates see besides `.Values`: Helm's `.Release`, `.Capabilities`
//! and the hook for `lookup`.

use crate::chart::Metadata;
use crate::values::{Map, Value};

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
    /// The version as given, with a leading `v` (`v1.20`, `v1.33.4-gke.1`):
    /// Helm's `.Capabilities.KubeVersion.Version` keeps vendor suffixes.
    pub version: String,
    /// Major version, e.g. `1`.
    pub major: String,
    /// Minor version, e.g. `20`.
    pub minor: String,
}

impl KubeVersion {
    /// Parses what Kubernetes' generic version parser accepts (`1.20`,
    /// `v1.20.2`, `1.20.2-gke.1`); `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let normalized = crate::chart::constraint::normalize_kube_version(text)?;
        let mut parts = normalized.trim_start_matches('v').split('.');
        let major = parts.next()?.to_string();
        let minor = parts.next()?.to_string();
        let version = if text.starts_with('v') {
            text.to_string()
        } else {
            format!("v{text}")
        };
        Some(KubeVersion {
            version,
            major,
            minor,
        })
    }

    /// The version without vendor suffixes and with three components
    /// (`v1.20.0`): what Helm checks `kubeVersion` constraints against and
    /// prints in its incompatibility message (`KubeVersion.String()`).
    pub fn normalized(&self) -> String {
        crate::chart::constraint::normalize_kube_version(&self.version)
            .unwrap_or_else(|| self.version.clone())
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
    /// `getHostByName` asks the resolver (Helm's `--enable-dns`); without
    /// it the function returns "", so a render never depends on DNS.
    pub enable_dns: bool,
}

/// Helm's default `.Capabilities.HelmVersion.Version` reported to charts.
pub const HELM_COMPAT_VERSION: &str = "v4.3.0";

impl ReleaseInfo {
    /// `.Release` as a values tree with Helm's (Go) field names.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("Name".into(), self.name.clone().into());
        m.insert("Namespace".into(), self.namespace.clone().into());
        m.insert("Revision".into(), Value::Int(i64::from(self.revision)));
        m.insert("IsInstall".into(), self.is_install.into());
        m.insert("IsUpgrade".into(), self.is_upgrade.into());
        m.insert("Service".into(), self.service.clone().into());
        Value::Map(m)
    }
}

impl Capabilities {
    /// `.Capabilities` as a values tree with Helm's (Go) field names. The
    /// methods (`APIVersions.Has`, `KubeVersion.Version`...) are each engine's
    /// business; this carries the data they read.
    pub fn to_value(&self) -> Value {
        let mut kv = Map::new();
        kv.insert("Version".into(), self.kube_version.version.clone().into());
        kv.insert("Major".into(), self.kube_version.major.clone().into());
        kv.insert("Minor".into(), self.kube_version.minor.clone().into());
        let mut hv = Map::new();
        hv.insert("Version".into(), self.helm_version.clone().into());
        hv.insert("GitCommit".into(), "".into());
        hv.insert("GitTreeState".into(), "".into());
        hv.insert("GoVersion".into(), "".into());
        let mut m = Map::new();
        m.insert("KubeVersion".into(), Value::Map(kv));
        m.insert(
            "APIVersions".into(),
            Value::List(
                self.api_versions
                    .iter()
                    .cloned()
                    .map(Value::String)
                    .collect(),
            ),
        );
        m.insert("HelmVersion".into(), Value::Map(hv));
        Value::Map(m)
    }
}

/// `.Chart` as a values tree with the Go field names of Helm's
/// `chart.Metadata` (`Name`, `Version`, `AppVersion`, `APIVersion`...).
pub fn metadata_value(meta: &Metadata) -> Value {
    fn strs(v: &[String]) -> Value {
        Value::List(v.iter().cloned().map(Value::String).collect())
    }
    fn opt(v: &Option<String>) -> Value {
        Value::String(v.clone().unwrap_or_default())
    }
    let mut m = Map::new();
    m.insert("Name".into(), meta.name.clone().into());
    m.insert("Home".into(), opt(&meta.home));
    m.insert("Sources".into(), strs(&meta.sources));
    m.insert("Version".into(), meta.version.clone().into());
    m.insert("Description".into(), opt(&meta.description));
    m.insert("Keywords".into(), strs(&meta.keywords));
    m.insert(
        "Maintainers".into(),
        Value::List(
            meta.maintainers
                .iter()
                .map(|mt| {
                    let mut x = Map::new();
                    x.insert("Name".into(), mt.name.clone().into());
                    x.insert("Email".into(), opt(&mt.email));
                    x.insert("URL".into(), opt(&mt.url));
                    Value::Map(x)
                })
                .collect(),
        ),
    );
    m.insert("Icon".into(), opt(&meta.icon));
    m.insert("APIVersion".into(), meta.api_version.clone().into());
    m.insert("Condition".into(), opt(&meta.condition));
    m.insert("Tags".into(), opt(&meta.tags));
    m.insert("AppVersion".into(), opt(&meta.app_version));
    m.insert("Deprecated".into(), meta.deprecated.into());
    // Go's nil map: a chart without annotations shows `null`, not `{}`.
    m.insert(
        "Annotations".into(),
        if meta.annotations.is_empty() {
            Value::Null
        } else {
            Value::Map(
                meta.annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                    .collect(),
            )
        },
    );
    m.insert("KubeVersion".into(), opt(&meta.kube_version));
    m.insert(
        "Dependencies".into(),
        Value::List(
            meta.dependencies
                .iter()
                .map(|d| {
                    let mut x = Map::new();
                    x.insert("Name".into(), d.name.clone().into());
                    x.insert("Version".into(), d.version.clone().into());
                    x.insert("Repository".into(), d.repository.clone().into());
                    x.insert("Condition".into(), d.condition.clone().into());
                    x.insert("Tags".into(), strs(&d.tags));
                    x.insert("Enabled".into(), d.enabled.into());
                    x.insert("Alias".into(), d.alias.clone().unwrap_or_default().into());
                    // Kept as written: a string or a `{child, parent}` map.
                    x.insert(
                        "ImportValues".into(),
                        Value::List(
                            d.import_values
                                .iter()
                                .map(|iv| {
                                    serde_json::to_value(iv)
                                        .map(Value::from)
                                        .unwrap_or_default()
                                })
                                .collect(),
                        ),
                    );
                    Value::Map(x)
                })
                .collect(),
        ),
    );
    m.insert("Type".into(), opt(&meta.chart_type));
    Value::Map(m)
}
