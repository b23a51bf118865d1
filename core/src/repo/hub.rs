//! `search hub`: charts from Artifact Hub, or any hub that serves the
//! Monocular search API Helm speaks (`GET <endpoint>/api/chartsvc/v1/charts/search?q=TERM`).

use super::http::{Getter, HttpOptions};
use super::{RepoEntry, RepoError};
use serde::{Deserialize, Serialize};

/// Helm's default hub (Artifact Hub answers there).
pub const DEFAULT_ENDPOINT: &str = "https://hub.helm.sh";

/// The search API's path under the endpoint.
const SEARCH_PATH: &str = "api/chartsvc/v1/charts/search";

/// One chart the hub found, as `search hub` prints it (Helm's field names
/// in JSON and YAML).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HubChart {
    /// The chart's page on the hub.
    pub url: String,
    /// The newest chart version.
    pub version: String,
    /// Its app version.
    pub app_version: String,
    /// The chart's description.
    pub description: String,
    /// The repository that serves it.
    pub repository: HubRepository,
}

/// The repository of a [`HubChart`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubRepository {
    /// Its URL (what `repo add` takes).
    #[serde(default, deserialize_with = "null_is_default")]
    pub url: String,
    /// Its name on the hub.
    #[serde(default, deserialize_with = "null_is_default")]
    pub name: String,
}

#[derive(Deserialize)]
struct SearchResponse {
    #[serde(default, deserialize_with = "null_is_default")]
    data: Vec<Option<SearchResult>>,
}

/// A JSON `null` read as the field's zero value, as Go's decoder leaves
/// it (hubs other than Artifact Hub send `"description": null`).
fn null_is_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[derive(Deserialize)]
struct SearchResult {
    #[serde(default, deserialize_with = "null_is_default")]
    id: String,
    #[serde(default, rename = "artifactHub", deserialize_with = "null_is_default")]
    artifact_hub: ArtifactHub,
    #[serde(default, deserialize_with = "null_is_default")]
    attributes: Attributes,
    #[serde(default, deserialize_with = "null_is_default")]
    relationships: Relationships,
}

#[derive(Default, Deserialize)]
struct ArtifactHub {
    #[serde(default, rename = "packageUrl", deserialize_with = "null_is_default")]
    package_url: String,
}

#[derive(Default, Deserialize)]
struct Attributes {
    #[serde(default, deserialize_with = "null_is_default")]
    description: String,
    #[serde(default, deserialize_with = "null_is_default")]
    repo: HubRepository,
}

#[derive(Default, Deserialize)]
struct Relationships {
    #[serde(
        default,
        rename = "latestChartVersion",
        deserialize_with = "null_is_default"
    )]
    latest: Latest,
}

#[derive(Default, Deserialize)]
struct Latest {
    #[serde(default, deserialize_with = "null_is_default")]
    data: LatestData,
}

#[derive(Default, Deserialize)]
struct LatestData {
    #[serde(default, deserialize_with = "null_is_default")]
    version: String,
    #[serde(default, deserialize_with = "null_is_default")]
    app_version: String,
}

/// The search URL for `term` at `endpoint`: the API path joined to the
/// endpoint's own path, and the term form-encoded as Go's
/// `url.QueryEscape` encodes it (a space becomes `+`).
pub fn search_url(endpoint: &str, term: &str) -> Result<String, RepoError> {
    let mut url = reqwest::Url::parse(endpoint)
        .map_err(|e| RepoError::Invalid(format!("invalid hub endpoint {endpoint:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(RepoError::Invalid(format!(
            "invalid hub endpoint {endpoint:?}: only http and https are supported"
        )));
    }
    let path = format!("{}/{SEARCH_PATH}", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url.set_query(None);
    url.query_pairs_mut().append_pair("q", term);
    Ok(url.to_string())
}

/// The hub's answer to a search, as the charts `search hub` shows.
pub fn parse_results(endpoint: &str, url: &str, body: &[u8]) -> Result<Vec<HubChart>, RepoError> {
    let response: SearchResponse = serde_json::from_slice(body).map_err(|e| RepoError::Http {
        url: url.to_string(),
        message: format!("the answer is not the hub search API's JSON: {e}"),
    })?;
    Ok(response
        .data
        .into_iter()
        .flatten()
        .map(|r| HubChart {
            url: if r.artifact_hub.package_url.is_empty() {
                format!("{endpoint}/charts/{}", r.id)
            } else {
                r.artifact_hub.package_url
            },
            version: r.relationships.latest.data.version,
            app_version: r.relationships.latest.data.app_version,
            description: r.attributes.description,
            repository: r.attributes.repo,
        })
        .collect())
}

/// Searches the hub at `endpoint` for `term` (every chart for "").
pub async fn search(
    endpoint: &str,
    term: &str,
    opts: &HttpOptions,
) -> Result<Vec<HubChart>, RepoError> {
    let url = search_url(endpoint, term)?;
    let getter = Getter::new(
        &RepoEntry {
            url: endpoint.to_string(),
            ..RepoEntry::default()
        },
        opts,
    )?;
    let body = getter.get(&url).await?;
    parse_results(endpoint, &url, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_url_keeps_the_endpoints_path_and_escapes_as_go() {
        assert_eq!(
            search_url("https://hub.helm.sh", "redis cluster").unwrap(),
            "https://hub.helm.sh/api/chartsvc/v1/charts/search?q=redis+cluster"
        );
        assert_eq!(
            search_url("http://127.0.0.1:9/mirror/", "a&b=c/é").unwrap(),
            "http://127.0.0.1:9/mirror/api/chartsvc/v1/charts/search?q=a%26b%3Dc%2F%C3%A9"
        );
        assert!(search_url("ftp://x", "").is_err());
        assert!(search_url("not a url", "").is_err());
    }

    #[test]
    fn results_take_the_package_url_else_the_endpoints_chart_page() {
        let body = br#"{"data": [
            {"id": "bitnami/redis", "artifactHub": {"packageUrl": "https://artifacthub.io/packages/helm/bitnami/redis"},
             "attributes": {"description": "Redis", "repo": {"name": "bitnami", "url": "https://charts.bitnami.com/bitnami"}},
             "relationships": {"latestChartVersion": {"data": {"version": "20.1.0", "app_version": "7.4.0"}}}},
            {"id": "x/y", "attributes": {"description": "d"}}
        ]}"#;
        let found = parse_results("http://hub.local", "u", body).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].url,
            "https://artifacthub.io/packages/helm/bitnami/redis"
        );
        assert_eq!(found[0].version, "20.1.0");
        assert_eq!(found[0].app_version, "7.4.0");
        assert_eq!(found[0].repository.name, "bitnami");
        assert_eq!(found[1].url, "http://hub.local/charts/x/y");
        assert_eq!(found[1].version, "");
        assert!(parse_results("e", "u", b"<html>").is_err());
        // Nulls are Go's zero values, not errors.
        let nulls = br#"{"data": [null, {"id": "a/b", "artifactHub": null,
            "attributes": {"description": null, "repo": {"name": null, "url": "u"}},
            "relationships": {"latestChartVersion": {"data": {"version": "1", "app_version": null}}}}]}"#;
        let found = parse_results("http://hub.local", "u", nulls).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].url, "http://hub.local/charts/a/b");
        assert_eq!(
            (found[0].description.as_str(), found[0].app_version.as_str()),
            ("", "")
        );
        assert_eq!(found[0].repository.url, "u");
        assert!(
            parse_results("e", "u", br#"{"data": null}"#)
                .unwrap()
                .is_empty()
        );
        assert!(parse_results("e", "u", b"{}").unwrap().is_empty());
    }
}
