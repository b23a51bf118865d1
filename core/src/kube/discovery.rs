//! What the server serves: its version and every group/version/resource,
//! fetched once and used both for `.Capabilities` and to find the REST
//! resource of a manifest's apiVersion and kind.

use crate::engine::context::{Capabilities, HELM_COMPAT_VERSION, KubeVersion};
use crate::kube::client::KubeClient;
use crate::kube::error::{KubeError, Operation};
use ::kube::discovery::ApiResource;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;
use std::collections::{BTreeMap, BTreeSet};

/// One REST resource the server serves (subresources excluded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceInfo {
    /// Group, version, kind and plural, as kube-rs addresses dynamic objects.
    pub api_resource: ApiResource,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// The verbs the server allows (`get`, `patch`, ...).
    pub verbs: Vec<String>,
}

impl ResourceInfo {
    /// `plural` for the core group, `plural.group` otherwise: how kubectl
    /// and the API server's own messages name a resource.
    pub fn resource_name(&self) -> String {
        resource_name(&self.api_resource)
    }
}

/// `plural[.group]` of a resource.
pub fn resource_name(resource: &ApiResource) -> String {
    if resource.group.is_empty() {
        resource.plural.clone()
    } else {
        format!("{}.{}", resource.plural, resource.group)
    }
}

/// The result of discovering a server.
#[derive(Clone, Debug)]
pub struct ApiDiscovery {
    /// `/version`.
    pub version: KubeVersion,
    /// Every group/version the server lists (`v1`, `apps/v1`...), including
    /// non-preferred versions.
    pub group_versions: Vec<String>,
    /// `group/version/Kind` of every resource and subresource, as Helm's
    /// `GetVersionSet` collects them.
    pub kinds: Vec<String>,
    /// Resources by `(apiVersion, kind)`.
    resources: BTreeMap<(String, String), ResourceInfo>,
}

impl ApiDiscovery {
    /// Asks the server for its version and, for every group/version, its
    /// resources. A group/version whose resource list fails (an aggregated
    /// API that is down) is skipped with a warning, as client-go's discovery
    /// reports it as a partial failure that Helm ignores.
    pub async fn run(client: &KubeClient) -> Result<Self, KubeError> {
        // `--qps` leaves these requests alone (`crate::kube::throttle`).
        let raw = client.raw();
        // `/version` alone first: it opens the connection (HTTP/2 when the
        // server offers it), which the parallel requests below then share
        // instead of each opening its own.
        let info = raw
            .apiserver_version()
            .await
            .map_err(|e| client.error(e, Operation::new("get", "/version", "", "")))?;
        let version = KubeVersion {
            version: info.git_version.clone(),
            major: info.major.clone(),
            minor: info.minor.clone(),
        };
        let (core, groups) = tokio::join!(raw.list_core_api_versions(), raw.list_api_groups());

        let mut group_versions = Vec::new();
        let core = core.map_err(|e| client.error(e, Operation::new("get", "/api", "", "")))?;
        group_versions.extend(core.versions.iter().cloned());
        let groups = groups.map_err(|e| client.error(e, Operation::new("get", "/apis", "", "")))?;
        for group in &groups.groups {
            group_versions.extend(group.versions.iter().map(|v| v.group_version.clone()));
        }

        let mut tasks = tokio::task::JoinSet::new();
        for gv in &group_versions {
            let raw = raw.clone();
            let gv = gv.clone();
            tasks.spawn(async move {
                let result = if gv.contains('/') {
                    raw.list_api_group_resources(&gv).await
                } else {
                    raw.list_core_api_resources(&gv).await
                };
                (gv, result)
            });
        }
        let mut lists = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let Ok((gv, result)) = joined else { continue };
            match result {
                Ok(list) => lists.push(list),
                Err(e) => {
                    let e = client.error(e, Operation::new("get", &format!("/apis/{gv}"), "", ""));
                    tracing::warn!(group_version = %gv, error = %e, "API discovery failed for a group version");
                }
            }
        }
        Ok(Self::from_lists(version, group_versions, &lists))
    }

    /// Builds the result from already fetched discovery documents.
    pub fn from_lists(
        version: KubeVersion,
        group_versions: Vec<String>,
        lists: &[APIResourceList],
    ) -> Self {
        let mut kinds = BTreeSet::new();
        let mut resources = BTreeMap::new();
        for list in lists {
            let gv = &list.group_version;
            let (group, ver) = match gv.split_once('/') {
                Some((g, v)) => (g.to_string(), v.to_string()),
                None => (String::new(), gv.clone()),
            };
            for r in &list.resources {
                kinds.insert(format!("{gv}/{}", r.kind));
                if r.name.contains('/') {
                    continue;
                }
                let info = ResourceInfo {
                    api_resource: ApiResource {
                        group: group.clone(),
                        version: ver.clone(),
                        api_version: gv.clone(),
                        kind: r.kind.clone(),
                        plural: r.name.clone(),
                    },
                    namespaced: r.namespaced,
                    verbs: r.verbs.clone(),
                };
                resources
                    .entry((gv.clone(), r.kind.clone()))
                    .or_insert(info);
            }
        }
        let mut group_versions = group_versions;
        group_versions.sort();
        group_versions.dedup();
        ApiDiscovery {
            version,
            group_versions,
            kinds: kinds.into_iter().collect(),
            resources,
        }
    }

    /// `.Capabilities` for templates: the server's version and every
    /// group/version plus group/version/Kind (Helm's `GetVersionSet`), sorted.
    pub fn capabilities(&self) -> Capabilities {
        let mut api_versions: Vec<String> = self
            .group_versions
            .iter()
            .chain(self.kinds.iter())
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        api_versions.shrink_to_fit();
        Capabilities {
            kube_version: self.version.clone(),
            api_versions,
            helm_version: HELM_COMPAT_VERSION.to_string(),
        }
    }

    /// The resource serving `kind` at `api_version`, if the server has it.
    pub fn resolve(&self, api_version: &str, kind: &str) -> Option<&ResourceInfo> {
        self.resources
            .get(&(api_version.to_string(), kind.to_string()))
    }

    /// Every resource, ordered by apiVersion and kind.
    pub fn resources(&self) -> impl Iterator<Item = &ResourceInfo> {
        self.resources.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(gv: &str, entries: &[(&str, &str, bool)]) -> APIResourceList {
        serde_json::from_value(serde_json::json!({
            "groupVersion": gv,
            "resources": entries.iter().map(|(name, kind, namespaced)| serde_json::json!({
                "name": name, "singularName": "", "kind": kind,
                "namespaced": namespaced, "verbs": ["get"],
            })).collect::<Vec<_>>(),
        }))
        .unwrap()
    }

    fn sample() -> ApiDiscovery {
        ApiDiscovery::from_lists(
            KubeVersion::parse("v1.20.2").unwrap(),
            vec!["v1".into(), "apps/v1".into(), "batch/v1beta1".into()],
            &[
                list(
                    "v1",
                    &[
                        ("configmaps", "ConfigMap", true),
                        ("namespaces", "Namespace", false),
                    ],
                ),
                list(
                    "apps/v1",
                    &[
                        ("deployments", "Deployment", true),
                        ("deployments/scale", "Scale", true),
                    ],
                ),
            ],
        )
    }

    #[test]
    fn capabilities_hold_group_versions_and_kinds() {
        let caps = sample().capabilities();
        assert_eq!(
            caps.api_versions,
            [
                "apps/v1",
                "apps/v1/Deployment",
                "apps/v1/Scale",
                "batch/v1beta1",
                "v1",
                "v1/ConfigMap",
                "v1/Namespace"
            ]
        );
        assert_eq!(caps.kube_version.version, "v1.20.2");
        assert_eq!(caps.kube_version.minor, "20");
    }

    #[test]
    fn resolve_skips_subresources_and_knows_scope() {
        let d = sample();
        let deploy = d.resolve("apps/v1", "Deployment").unwrap();
        assert_eq!(deploy.api_resource.plural, "deployments");
        assert!(deploy.namespaced);
        assert_eq!(deploy.resource_name(), "deployments.apps");
        assert!(!d.resolve("v1", "Namespace").unwrap().namespaced);
        assert!(d.resolve("apps/v1", "Scale").is_none());
        assert!(d.resolve("v1", "Deployment").is_none());
    }
}
