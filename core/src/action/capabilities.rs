//! The Capabilities that offline commands (`template`, `lint`) report, the
//! same defaults Helm v4.3 compiles in, overridable by flags.

use crate::engine::context::HELM_COMPAT_VERSION;
use crate::engine::{Capabilities, KubeVersion};

use super::ActionError;

/// The Kubernetes version Helm v4.3 reports when it has no cluster (its
/// client-go is v0.37, hence v1.37.0).
pub const DEFAULT_KUBE_VERSION: &str = "v1.37.0";

/// The built-in API group versions Helm registers for offline rendering
/// (client-go's scheme plus apiextensions), in the scheme's priority order.
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1beta1",
    "admissionregistration.k8s.io/v1alpha1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta2",
    "apps/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1beta1",
    "authentication.k8s.io/v1alpha1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta2",
    "autoscaling/v2beta1",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1alpha2",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1beta1",
    "node.k8s.io/v1alpha1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1alpha1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1",
    "apiextensions.k8s.io/v1beta1",
];

/// Capabilities for offline rendering: Helm's defaults, with `--kube-version`
/// replacing the version and `--api-versions` added to the set.
pub fn offline_capabilities(
    kube_version: Option<&str>,
    extra_api_versions: &[String],
) -> Result<Capabilities, ActionError> {
    let kube_version = match kube_version {
        Some(v) => KubeVersion::parse(v).ok_or_else(|| {
            ActionError::Invalid(format!(
                "invalid kube version '{v}': expected MAJOR.MINOR[.PATCH]"
            ))
        })?,
        None => KubeVersion::parse(DEFAULT_KUBE_VERSION)
            .ok_or_else(|| ActionError::Invalid("bad built-in kube version".into()))?,
    };
    let mut api_versions: Vec<String> =
        DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect();
    for v in extra_api_versions {
        let v = v.trim();
        if !v.is_empty() && !api_versions.iter().any(|a| a == v) {
            api_versions.push(v.to_string());
        }
    }
    Ok(Capabilities {
        kube_version,
        api_versions,
        helm_version: HELM_COMPAT_VERSION.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_helm_offline() {
        let caps = offline_capabilities(None, &[]).unwrap();
        assert_eq!(caps.kube_version.version, "v1.37.0");
        assert!(caps.has_api_version("apps/v1"));
        assert!(!caps.has_api_version("monitoring.coreos.com/v1"));
    }

    #[test]
    fn flags_override_and_extend() {
        let caps =
            offline_capabilities(Some("1.29.3"), &["monitoring.coreos.com/v1".into()]).unwrap();
        assert_eq!(caps.kube_version.version, "v1.29.3");
        assert_eq!(caps.kube_version.minor, "29");
        assert!(caps.has_api_version("monitoring.coreos.com/v1"));
        assert!(offline_capabilities(Some("banana"), &[]).is_err());
    }
}
