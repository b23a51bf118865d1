//! OCI registries: `helm push`/`helm pull oci://...` over the distribution
//! v2 HTTP API, with Helm's media types so that charts pushed by either tool
//! are pulled by the other.
//!
//! - [`push`] uploads an archive (and its `.prov`) as
//!   `oci://HOST/PATH/NAME:VERSION`, `+` in the version becoming `_`.
//! - [`pull`] resolves a tag, digest, exact version or version constraint,
//!   checks every digest, and returns the archive (and `.prov`).
//! - [`tags`] lists the semver tags of a chart, newest first.
//! - [`login`]/[`logout`] keep credentials in Docker's `config.json` format,
//!   or in the Docker credential helper it names (`credHelpers`, `credsStore`).

mod client;
mod credentials;
mod error;
mod helper;
pub mod manifest;
mod reference;

pub use client::ClientOptions;
pub use credentials::{
    CredentialStore, Credentials, config_home, default_credentials_path, docker_config_path,
    server_address,
};
pub use error::RegistryError;
pub use helper::HELPER_TIMEOUT;
pub use reference::{OCI_SCHEME, Reference};

use client::{CredentialSource, HostClient, Reply, snippet};
use manifest::{
    CHART_LAYER_MEDIA_TYPE, CONFIG_MEDIA_TYPE, Descriptor, INDEX_MEDIA_TYPE,
    LEGACY_CHART_LAYER_MEDIA_TYPE, MANIFEST_MEDIA_TYPE, Manifest, PROV_LAYER_MEDIA_TYPE, digest_of,
};
use reqwest::{Method, StatusCode, header};

/// What [`push`] uploaded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PushResult {
    /// `HOST/PATH/NAME:TAG`.
    pub reference: String,
    /// Digest of the manifest.
    pub manifest_digest: String,
    /// Digest of the chart layer.
    pub chart_digest: String,
    /// Digest of the provenance layer, when one was pushed.
    pub prov_digest: Option<String>,
}

/// What [`pull`] downloaded.
#[derive(Debug, Clone)]
pub struct PullResult {
    /// `HOST/PATH/NAME:TAG` (or `@DIGEST`) that was fetched.
    pub reference: String,
    /// Digest of the manifest.
    pub manifest_digest: String,
    /// The chart name from the config blob.
    pub name: String,
    /// The chart version from the config blob.
    pub version: String,
    /// The chart archive, its digest verified.
    pub chart: Vec<u8>,
    /// Digest of the chart layer.
    pub chart_digest: String,
    /// The provenance file, when the manifest has one.
    pub prov: Option<Vec<u8>>,
}

impl PullResult {
    /// The archive file name Helm saves it as: `NAME-VERSION.tgz`.
    pub fn file_name(&self) -> String {
        format!("{}-{}.tgz", self.name, self.version)
    }
}

/// A client for the reference's registry. Stored credentials are looked up
/// only when the registry asks for some (see [`CredentialSource::Stored`]).
fn host_client(reference: &Reference, opts: &ClientOptions) -> Result<HostClient, RegistryError> {
    let source = match &opts.credentials {
        Some(c) => CredentialSource::Given(Some(c.clone())),
        None => CredentialSource::Stored(
            opts.credentials_file
                .clone()
                .unwrap_or_else(default_credentials_path),
        ),
    };
    HostClient::new(&reference.registry, opts, source)
}

/// Pushes the chart archive `archive` (and its provenance file) to
/// `remote` (`oci://HOST/PATH`): the result is `HOST/PATH/NAME:VERSION`.
/// The manifest's creation annotation is now; see [`push_created`].
pub async fn push(
    archive: &[u8],
    prov: Option<&[u8]>,
    remote: &str,
    opts: &ClientOptions,
) -> Result<PushResult, RegistryError> {
    let created = rfc3339(std::time::SystemTime::now());
    push_created(archive, prov, remote, &created, opts).await
}

/// `time` as RFC 3339 UTC (`2026-01-02T03:04:05Z`), for [`push_created`]:
/// Helm stamps a pushed manifest with its archive's modification time.
pub fn rfc3339(time: std::time::SystemTime) -> String {
    jiff::Timestamp::try_from(time)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The blobs and manifest of one chart push.
pub(crate) struct Upload {
    pub name: String,
    pub version: String,
    pub config: Vec<u8>,
    pub config_desc: Descriptor,
    pub chart_desc: Descriptor,
    pub prov_desc: Option<Descriptor>,
    pub manifest: Vec<u8>,
}

/// Builds what Helm uploads for `archive`: config blob, layers sorted by
/// digest, and the manifest with `created` as its creation annotation.
pub(crate) fn build_upload(
    archive: &[u8],
    prov: Option<&[u8]>,
    created: &str,
) -> Result<Upload, RegistryError> {
    let chart = crate::chart::load_archive_bytes(archive).map_err(|e| RegistryError::Chart {
        archive: "chart archive".into(),
        message: e.to_string(),
    })?;
    let md = &chart.metadata;
    let chart_err = |message: String| RegistryError::Chart {
        archive: md.name.clone(),
        message,
    };
    let config = manifest::config_json(md).map_err(chart_err)?;
    let config_desc = Descriptor::of(CONFIG_MEDIA_TYPE, &config);
    let chart_desc = Descriptor::of(CHART_LAYER_MEDIA_TYPE, archive);
    let prov_desc = prov.map(|p| Descriptor::of(PROV_LAYER_MEDIA_TYPE, p));
    let mut layers = vec![chart_desc.clone()];
    layers.extend(prov_desc.clone());
    layers.sort_by(|a, b| a.digest.cmp(&b.digest));
    let manifest = Manifest {
        schema_version: 2,
        media_type: None,
        config: config_desc.clone(),
        layers,
        annotations: manifest::annotations(md, created),
    };
    let manifest = manifest::manifest_json(&manifest).map_err(chart_err)?;
    Ok(Upload {
        name: md.name.clone(),
        version: md.version.clone(),
        config,
        config_desc,
        chart_desc,
        prov_desc,
        manifest,
    })
}

/// [`push`] with the `org.opencontainers.image.created` annotation given;
/// Helm uses the archive file's modification time (RFC 3339).
pub async fn push_created(
    archive: &[u8],
    prov: Option<&[u8]>,
    remote: &str,
    created: &str,
    opts: &ClientOptions,
) -> Result<PushResult, RegistryError> {
    if !remote.starts_with(OCI_SCHEME) {
        return Err(RegistryError::InvalidReference {
            reference: remote.into(),
            message: "the push destination must start with oci://".into(),
        });
    }
    let base = Reference::parse(remote)?;
    if base.tag.is_some() || base.digest.is_some() {
        return Err(RegistryError::InvalidReference {
            reference: remote.into(),
            message: "give the destination without a tag or digest: the chart's name and version make them".into(),
        });
    }
    let up = build_upload(archive, prov, created)?;
    let reference = Reference::parse(&format!(
        "{}/{}/{}:{}",
        base.registry, base.repository, up.name, up.version
    ))?;
    let tag = reference.tag.clone().unwrap_or_default();
    let client = host_client(&reference, opts)?;
    let scope = format!("repository:{}:pull,push", reference.repository);

    let mut blobs: Vec<(&Descriptor, &[u8])> =
        vec![(&up.config_desc, &up.config), (&up.chart_desc, archive)];
    if let (Some(d), Some(p)) = (&up.prov_desc, prov) {
        blobs.push((d, p));
    }
    for (desc, data) in &blobs {
        upload_blob(&client, &reference, &scope, desc, data).await?;
    }
    let path = format!("/v2/{}/manifests/{}", reference.repository, tag);
    let reply = client
        .send(
            Method::PUT,
            &path,
            Some(&scope),
            &[(header::CONTENT_TYPE, MANIFEST_MEDIA_TYPE.to_string())],
            Some(&up.manifest),
        )
        .await?;
    expect_success(&client, Method::PUT, &path, &reply)?;
    Ok(PushResult {
        reference: reference.to_string(),
        manifest_digest: digest_of(&up.manifest),
        chart_digest: up.chart_desc.digest,
        prov_digest: up.prov_desc.map(|d| d.digest),
    })
}

async fn upload_blob(
    client: &HostClient,
    reference: &Reference,
    scope: &str,
    desc: &Descriptor,
    data: &[u8],
) -> Result<(), RegistryError> {
    let repo = &reference.repository;
    let head_path = format!("/v2/{repo}/blobs/{}", desc.digest);
    let head = client
        .send(Method::HEAD, &head_path, Some(scope), &[], None)
        .await?;
    if head.status.is_success() {
        return Ok(());
    }
    let start_path = format!("/v2/{repo}/blobs/uploads/");
    let start = client
        .send(Method::POST, &start_path, Some(scope), &[], Some(&[]))
        .await?;
    expect_success(client, Method::POST, &start_path, &start)?;
    let location = start
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| RegistryError::Status {
            method: "POST".into(),
            url: client.url(&start_path),
            status: start.status.as_u16(),
            body: "no Location header for the upload".into(),
        })?;
    let sep = if location.contains('?') { '&' } else { '?' };
    let put_path = format!("{location}{sep}digest={}", desc.digest.replace(':', "%3A"));
    let put = client
        .send(
            Method::PUT,
            &put_path,
            Some(scope),
            &[(header::CONTENT_TYPE, "application/octet-stream".to_string())],
            Some(data),
        )
        .await?;
    expect_success(client, Method::PUT, &put_path, &put)
}

fn expect_success(
    client: &HostClient,
    method: Method,
    path: &str,
    reply: &Reply,
) -> Result<(), RegistryError> {
    if reply.status.is_success() {
        return Ok(());
    }
    Err(RegistryError::Status {
        method: method.to_string(),
        url: client.url(path),
        status: reply.status.as_u16(),
        body: snippet(&reply.body),
    })
}

/// Pulls a chart. `reference` is `oci://HOST/PATH/NAME[:TAG][@DIGEST]`;
/// `version` is an exact version, a tag, or a constraint (`^1.2`, `>=1 <2`)
/// resolved against the repository's tags like Helm does. With neither a
/// tag, a digest nor a version, the newest stable version is pulled.
pub async fn pull(
    reference: &str,
    version: Option<&str>,
    opts: &ClientOptions,
) -> Result<PullResult, RegistryError> {
    let mut r = Reference::parse(reference)?;
    let version = version.filter(|v| !v.is_empty());
    if let (Some(v), Some(t)) = (version, &r.tag)
        && v.replace('+', "_") != *t
    {
        return Err(RegistryError::InvalidReference {
            reference: reference.into(),
            message: format!("chart reference and version mismatch: {v} is not {t}"),
        });
    }
    let client = host_client(&r, opts)?;
    let scope = format!("repository:{}:pull", r.repository);
    if r.tag.is_none() && r.digest.is_none() {
        r.tag = Some(resolve_version(&client, &r, &scope, version).await?);
    }
    fetch_chart(&client, &r, &scope).await
}

/// The tag for `version`: itself when it is an exact version, else the
/// newest tag the constraint accepts (Helm's GetTagMatchingVersionOrConstraint).
async fn resolve_version(
    client: &HostClient,
    r: &Reference,
    scope: &str,
    version: Option<&str>,
) -> Result<String, RegistryError> {
    if let Some(v) = version
        && crate::chart::constraint::parse_version(v).is_ok()
    {
        return Ok(v.replace('+', "_"));
    }
    let tags = list_tags(client, r, scope).await?;
    let text = version.unwrap_or("");
    if tags.iter().any(|t| t == text) {
        return Ok(text.replace('+', "_"));
    }
    let constraint =
        crate::chart::constraint::Constraint::parse(if text.is_empty() { "*" } else { text })
            .map_err(|e| RegistryError::InvalidReference {
                reference: r.to_string(),
                message: format!("invalid version constraint {text:?}: {e}"),
            })?;
    for t in &tags {
        if let Ok(v) = crate::chart::constraint::parse_version(t)
            && constraint.matches(&v)
        {
            return Ok(t.replace('+', "_"));
        }
    }
    Err(RegistryError::NoMatchingVersion {
        reference: r.to_string(),
        constraint: text.to_string(),
        tags: if tags.is_empty() {
            "none".to_string()
        } else {
            tags.join(", ")
        },
    })
}

async fn fetch_chart(
    client: &HostClient,
    r: &Reference,
    scope: &str,
) -> Result<PullResult, RegistryError> {
    let Some(reference_part) = r.manifest_ref() else {
        return Err(RegistryError::InvalidReference {
            reference: r.to_string(),
            message: "no tag or digest to pull".into(),
        });
    };
    let path = format!("/v2/{}/manifests/{}", r.repository, reference_part);
    let accept = format!("{MANIFEST_MEDIA_TYPE}, {INDEX_MEDIA_TYPE}");
    let reply = client
        .send(
            Method::GET,
            &path,
            Some(scope),
            &[(header::ACCEPT, accept)],
            None,
        )
        .await?;
    if reply.status == StatusCode::NOT_FOUND {
        return Err(RegistryError::NotFound {
            reference: r.to_string(),
            message: format!(
                "no manifest {reference_part} in repository {} ({})",
                r.repository,
                snippet(&reply.body)
            ),
        });
    }
    expect_success(client, Method::GET, &path, &reply)?;
    let manifest_digest = digest_of(&reply.body);
    let expected = r.digest.clone().or_else(|| {
        reply
            .headers
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    if let Some(expected) = expected
        && expected.starts_with("sha256:")
        && expected != manifest_digest
    {
        return Err(RegistryError::DigestMismatch {
            what: format!("manifest of {r}"),
            expected,
            actual: manifest_digest,
        });
    }
    let bad = |message: String| RegistryError::Manifest {
        reference: r.to_string(),
        message,
    };
    let manifest: Manifest = serde_json::from_slice(&reply.body)
        .map_err(|e| bad(format!("not an OCI image manifest: {e}")))?;
    if manifest.media_type.as_deref() == Some(INDEX_MEDIA_TYPE) {
        return Err(bad("the reference names an image index, not a chart".into()));
    }
    if manifest.config.media_type != CONFIG_MEDIA_TYPE {
        return Err(bad(format!(
            "could not load config with mediatype {CONFIG_MEDIA_TYPE} (found {}); is this a Helm chart?",
            manifest.config.media_type
        )));
    }
    let chart_desc = manifest
        .layers
        .iter()
        .find(|l| l.media_type == CHART_LAYER_MEDIA_TYPE)
        .or_else(|| {
            manifest
                .layers
                .iter()
                .find(|l| l.media_type == LEGACY_CHART_LAYER_MEDIA_TYPE)
        })
        .ok_or_else(|| {
            bad(format!(
                "manifest does not contain a layer with mediatype {CHART_LAYER_MEDIA_TYPE}"
            ))
        })?;
    let prov_desc = manifest
        .layers
        .iter()
        .find(|l| l.media_type == PROV_LAYER_MEDIA_TYPE);

    let config = fetch_blob(client, r, scope, &manifest.config).await?;
    let meta: serde_json::Value = serde_json::from_slice(&config)
        .map_err(|e| bad(format!("config blob is not JSON: {e}")))?;
    let field = |k: &str| {
        meta.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let chart = fetch_blob(client, r, scope, chart_desc).await?;
    let prov = match prov_desc {
        Some(d) => Some(fetch_blob(client, r, scope, d).await?),
        None => None,
    };
    Ok(PullResult {
        reference: r.to_string(),
        manifest_digest,
        name: field("name"),
        version: field("version"),
        chart,
        chart_digest: chart_desc.digest.clone(),
        prov,
    })
}

/// The largest blob [`pull`] accepts; chart archives are far smaller, and a
/// manifest announcing more is refused before anything is downloaded.
pub const MAX_BLOB_SIZE: u64 = 256 * 1024 * 1024;

async fn fetch_blob(
    client: &HostClient,
    r: &Reference,
    scope: &str,
    desc: &Descriptor,
) -> Result<Vec<u8>, RegistryError> {
    if desc.size > MAX_BLOB_SIZE {
        return Err(RegistryError::Manifest {
            reference: r.to_string(),
            message: format!(
                "the {} layer is {} bytes, over hoist's limit of {MAX_BLOB_SIZE}",
                desc.media_type, desc.size
            ),
        });
    }
    let path = format!("/v2/{}/blobs/{}", r.repository, desc.digest);
    let reply = client
        .send(Method::GET, &path, Some(scope), &[], None)
        .await?;
    if reply.status == StatusCode::NOT_FOUND {
        return Err(RegistryError::NotFound {
            reference: r.to_string(),
            message: format!("blob {} ({}) is missing", desc.digest, desc.media_type),
        });
    }
    expect_success(client, Method::GET, &path, &reply)?;
    let actual = digest_of(&reply.body);
    if actual != desc.digest || reply.body.len() as u64 != desc.size {
        return Err(RegistryError::DigestMismatch {
            what: format!("{} layer of {r}", desc.media_type),
            expected: format!("{} ({} bytes)", desc.digest, desc.size),
            actual: format!("{actual} ({} bytes)", reply.body.len()),
        });
    }
    Ok(reply.body)
}

/// The semver tags of `oci://HOST/PATH/NAME`, `_` shown as `+`, newest first
/// (Helm's `Client.Tags`): feed them to `chart::constraint`.
pub async fn tags(reference: &str, opts: &ClientOptions) -> Result<Vec<String>, RegistryError> {
    let r = Reference::parse(reference)?;
    let client = host_client(&r, opts)?;
    let scope = format!("repository:{}:pull", r.repository);
    list_tags(&client, &r, &scope).await
}

async fn list_tags(
    client: &HostClient,
    r: &Reference,
    scope: &str,
) -> Result<Vec<String>, RegistryError> {
    let mut raw: Vec<String> = Vec::new();
    let mut path = format!("/v2/{}/tags/list", r.repository);
    // Registries page long lists with `Link: <...>; rel="next"`.
    for _ in 0..1000 {
        let reply = client
            .send(Method::GET, &path, Some(scope), &[], None)
            .await?;
        if reply.status == StatusCode::NOT_FOUND {
            return Err(RegistryError::NotFound {
                reference: r.to_string(),
                message: format!("repository {} does not exist", r.repository),
            });
        }
        expect_success(client, Method::GET, &path, &reply)?;
        let doc: serde_json::Value =
            serde_json::from_slice(&reply.body).map_err(|e| RegistryError::Manifest {
                reference: r.to_string(),
                message: format!("tag list is not JSON: {e}"),
            })?;
        if let Some(list) = doc.get("tags").and_then(|t| t.as_array()) {
            raw.extend(list.iter().filter_map(|t| t.as_str().map(str::to_string)));
        }
        let next = reply
            .headers
            .get(header::LINK)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| {
                let start = l.find('<')? + 1;
                let end = l[start..].find('>')? + start;
                l.contains("rel=\"next\"")
                    .then(|| l[start..end].to_string())
            });
        match next {
            Some(n) => path = n,
            None => break,
        }
    }
    let mut versions: Vec<(semver::Version, String)> = raw
        .iter()
        .filter_map(|t| {
            let text = t.replace('_', "+");
            let v = semver::Version::parse(&text).ok()?;
            Some((v, text))
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(versions.into_iter().map(|(_, t)| t).collect())
}

/// Checks `credentials` against `host` (`GET /v2/`, answering its challenge)
/// and stores them: with the host's credential helper when the credentials
/// file names one, else in the file. Returns the credentials file's path.
pub async fn login(
    host: &str,
    credentials: Credentials,
    opts: &ClientOptions,
) -> Result<std::path::PathBuf, RegistryError> {
    let host = host
        .strip_prefix(OCI_SCHEME)
        .unwrap_or(host)
        .trim_end_matches('/');
    let client = HostClient::new(
        host,
        opts,
        CredentialSource::Given(Some(credentials.clone())),
    )?;
    let reply = client.send(Method::GET, "/v2/", None, &[], None).await?;
    expect_success(&client, Method::GET, "/v2/", &reply)?;
    let path = opts
        .credentials_file
        .clone()
        .unwrap_or_else(default_credentials_path);
    let host = client.host().to_string();
    // Storing may run a credential helper, which blocks.
    let stored = path.clone();
    tokio::task::spawn_blocking(move || CredentialStore::load(&stored)?.put(&host, &credentials))
        .await
        .map_err(|e| RegistryError::Credentials {
            path: path.clone(),
            message: format!("storing the credentials failed: {e}"),
        })??;
    Ok(path)
}

/// Forgets the stored credentials of `host` (through its credential helper
/// when one is configured).
pub fn logout(host: &str, credentials_file: Option<&std::path::Path>) -> Result<(), RegistryError> {
    let host = host
        .strip_prefix(OCI_SCHEME)
        .unwrap_or(host)
        .trim_end_matches('/');
    let path = credentials_file
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(default_credentials_path);
    let mut store = CredentialStore::load(&path)?;
    if !store.erase(host)? {
        return Err(RegistryError::NotLoggedIn { host: host.into() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");

    #[test]
    fn upload_is_byte_identical_to_helms_push() {
        // What real Helm pushed for this archive and .prov (see
        // tests/fixtures/oci/make-helm-push.sh); Helm's created annotation is
        // the archive's mtime, so it is passed in.
        let archive =
            std::fs::read(format!("{FIX}/provenance/helm/signme-1.2.3+build.7.tgz")).unwrap();
        let prov = std::fs::read(format!(
            "{FIX}/provenance/helm/signme-1.2.3+build.7.tgz.prov"
        ))
        .unwrap();
        let helm_manifest = std::fs::read(format!("{FIX}/oci/helm-push/manifest.json")).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&helm_manifest).unwrap();
        let created = doc["annotations"]["org.opencontainers.image.created"]
            .as_str()
            .unwrap();
        let up = build_upload(&archive, Some(&prov), created).unwrap();
        assert_eq!(
            String::from_utf8(up.manifest).unwrap(),
            String::from_utf8(helm_manifest).unwrap()
        );
        let helm_config = std::fs::read(format!(
            "{FIX}/oci/helm-push/{}",
            up.config_desc.digest.replace(':', "-")
        ))
        .unwrap();
        assert_eq!(up.config, helm_config);
    }

    /// A one-thread HTTP server that answers like a registry behind a token
    /// service: 401 with a Bearer challenge unless the request carries the
    /// token, which `/token` hands out for the right Basic credentials.
    fn token_registry() -> (String, std::thread::JoinHandle<Vec<String>>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let realm = format!("http://{host}/token");
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for stream in listener.incoming() {
                let mut stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                let mut auth = String::new();
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("authorization: ") {
                        auth = v.trim().to_string();
                    }
                }
                let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
                if path == "/quit" {
                    break;
                }
                seen.push(format!("{path} [{auth}]"));
                let (status, extra, body) = if path.starts_with("/token") {
                    // base64("u:p")
                    if auth == "Basic dTpw" {
                        ("200 OK", String::new(), r#"{"token":"t0k"}"#.to_string())
                    } else {
                        ("401 Unauthorized", String::new(), "{}".to_string())
                    }
                } else if auth == "Bearer t0k" {
                    (
                        "200 OK",
                        String::new(),
                        r#"{"name":"c/app","tags":["1.0.0","2.0.0_b"]}"#.to_string(),
                    )
                } else {
                    (
                        "401 Unauthorized",
                        format!("WWW-Authenticate: Bearer realm=\"{realm}\",service=\"test\"\r\n"),
                        "{}".to_string(),
                    )
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
            seen
        });
        (host, handle)
    }

    #[test]
    fn bearer_token_flow_with_basic_credentials() {
        let (host, server) = token_registry();
        let dir = tempfile::tempdir().unwrap();
        let opts = ClientOptions {
            plain_http: true,
            credentials: Some(Credentials {
                username: "u".into(),
                password: "p".into(),
            }),
            credentials_file: Some(dir.path().join("config.json")),
            ..Default::default()
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let listed = rt
            .block_on(tags(&format!("oci://{host}/c/app"), &opts))
            .unwrap();
        assert_eq!(listed, ["2.0.0+b", "1.0.0"]);

        let wrong = ClientOptions {
            credentials: Some(Credentials {
                username: "u".into(),
                password: "bad".into(),
            }),
            ..opts.clone()
        };
        let err = rt
            .block_on(tags(&format!("oci://{host}/c/app"), &wrong))
            .unwrap_err();
        assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err}");
        drop(rt);
        let mut quit = std::net::TcpStream::connect(&host).unwrap();
        std::io::Write::write_all(&mut quit, b"GET /quit HTTP/1.0\r\n\r\n").unwrap();
        let seen = server.join().unwrap();
        // The token request carried the scope of the repository.
        assert!(
            seen.iter()
                .any(|l| l.contains("/token?service=test&scope=repository%3Ac%2Fapp%3Apull")),
            "{seen:?}"
        );
    }

    /// A registry that needs no credentials: answers every request with a
    /// tag list until `/quit`, recording the `Authorization` headers seen.
    fn anonymous_registry() -> (String, std::thread::JoinHandle<Vec<String>>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let handle = std::thread::spawn(move || {
            let mut auths = Vec::new();
            for stream in listener.incoming() {
                let mut stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line.trim().is_empty() {
                        break;
                    }
                    if line.to_ascii_lowercase().starts_with("authorization:") {
                        auths.push(line.trim().to_string());
                    }
                }
                if request_line.contains("/quit") {
                    break;
                }
                let body = r#"{"name":"c/app","tags":["1.0.0"]}"#;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
            auths
        });
        (host, handle)
    }

    #[test]
    fn stored_credentials_are_looked_up_only_when_the_registry_asks() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.json");
        // Resolving would fail: the helper is not installed.
        std::fs::write(&file, r#"{"credsStore":"hoist-absent-lazy"}"#).unwrap();
        let opts = ClientOptions {
            plain_http: true,
            credentials_file: Some(file.clone()),
            ..Default::default()
        };
        let (host, server) = anonymous_registry();
        let listed = rt
            .block_on(tags(&format!("oci://{host}/c/app"), &opts))
            .unwrap();
        assert_eq!(listed, ["1.0.0"]);
        let mut quit = std::net::TcpStream::connect(&host).unwrap();
        std::io::Write::write_all(&mut quit, b"GET /quit HTTP/1.0\r\n\r\n").unwrap();
        assert!(server.join().unwrap().is_empty());

        // A registry that asks: the store is read then (on the blocking
        // pool), and its credentials get the token.
        let (host, server) = token_registry();
        let e = rt
            .block_on(tags(&format!("oci://{host}/c/app"), &opts))
            .unwrap_err();
        assert!(matches!(e, RegistryError::HelperNotInstalled { .. }), "{e}");
        std::fs::write(
            &file,
            format!(r#"{{"auths":{{"{host}":{{"auth":"dTpw"}}}}}}"#),
        )
        .unwrap();
        let listed = rt
            .block_on(tags(&format!("oci://{host}/c/app"), &opts))
            .unwrap();
        assert_eq!(listed, ["2.0.0+b", "1.0.0"]);
        drop(rt);
        let mut quit = std::net::TcpStream::connect(&host).unwrap();
        std::io::Write::write_all(&mut quit, b"GET /quit HTTP/1.0\r\n\r\n").unwrap();
        server.join().unwrap();
    }
}
