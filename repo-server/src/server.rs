//! The HTTP API: ChartMuseum's routes, status codes and JSON bodies.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{
    DefaultBodyLimit, Extension, FromRequest, MatchedPath, Multipart, Path, Request, State,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::archive::{self, ChartMetadata, is_safe_file_component, package_file_name};
use crate::auth::{Action, Auth, AuthError};
use crate::config::{Config, ConfigError, StorageKind};
use crate::index::{Index, IndexEntry};
use crate::metrics::Metrics;
use crate::object::{ObjectStorage, S3Options};
use crate::repo::Repo;
use crate::storage::{LocalStorage, Staged, Storage, StorageError};

/// What ChartMuseum serves at `/`.
const WELCOME_HTML: &str = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to hoist-repo-server!</title>\n</head>\n<body>\n<h1>Welcome to hoist-repo-server!</h1>\n<p>A ChartMuseum-compatible Helm chart repository. The index is at <a href=\"index.yaml\">index.yaml</a>.</p>\n</body>\n</html>\n";

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Bad flags.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Storage could not be opened or listed.
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    /// Authentication settings are unusable.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// TLS settings are unusable.
    #[error("TLS: {0}")]
    Tls(String),
    /// The listening socket could not be opened or served.
    #[error("listening on {addr}: {source}")]
    Listen {
        /// Address.
        addr: String,
        /// Cause.
        source: std::io::Error,
    },
}

/// A failed request: status and the `{"error": ...}` message.
#[derive(Debug)]
pub struct ApiError(StatusCode, String);

impl ApiError {
    fn new(status: StatusCode, msg: impl Into<String>) -> Self {
        Self(status, msg.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.0, serde_json::json!({ "error": self.1 }).to_string())
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        let status = match &e {
            StorageError::NotFound(_) => StatusCode::NOT_FOUND,
            StorageError::AlreadyExists => StatusCode::CONFLICT,
            StorageError::BadName(_) => StatusCode::BAD_REQUEST,
            StorageError::Io { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "storage failure");
        }
        Self(status, e.to_string())
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

fn too_large() -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "request too large")
}

/// The repository path of a request (`org/repo` with `--depth 2`, else
/// empty), set by [`rewrite`] before routing.
#[derive(Clone, Debug, Default)]
pub struct Tenant(pub String);

/// Shared server state.
pub struct AppState {
    config: Config,
    context_path: String,
    chart_url: String,
    auth: Auth,
    metrics: Option<Metrics>,
    storage: Arc<dyn Storage>,
    /// Repositories by tenant path (just `""` without multitenancy), each
    /// opened (indexed) once on first use.
    repos: std::sync::Mutex<HashMap<String, Arc<tokio::sync::OnceCell<Arc<Repo>>>>>,
}

impl AppState {
    /// The repository of `tenant`, indexing it on first use.
    async fn repo(&self, tenant: &str) -> Result<Arc<Repo>, ApiError> {
        let cell = {
            let mut repos = self.repos.lock().unwrap_or_else(|p| p.into_inner());
            repos.entry(tenant.to_string()).or_default().clone()
        };
        let repo = cell
            .get_or_try_init(|| async {
                let storage = if tenant.is_empty() {
                    self.storage.clone()
                } else {
                    self.storage.sub(tenant)?
                };
                let url = if self.chart_url.is_empty() || tenant.is_empty() {
                    self.chart_url.clone()
                } else {
                    format!("{}/{tenant}", self.chart_url)
                };
                let repo =
                    Repo::open(tenant.to_string(), storage, &url, &self.context_path).await?;
                if let Some(every) = self.config.refresh_interval() {
                    repo.spawn_sync(every);
                }
                Ok::<_, StorageError>(repo)
            })
            .await?;
        Ok(repo.clone())
    }

    /// Chart names and versions of every opened repository.
    fn counts(&self) -> (usize, usize) {
        let repos = self.repos.lock().unwrap_or_else(|p| p.into_inner());
        repos
            .values()
            .filter_map(|c| c.get())
            .map(|r| r.read_index(|i| (i.chart_count(), i.version_count())))
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d))
    }
}

/// Opens the configured storage.
pub fn open_storage(config: &Config) -> Result<Arc<dyn Storage>, ServerError> {
    Ok(match config.storage {
        StorageKind::Local => {
            let root = config
                .storage_local_rootdir
                .clone()
                .ok_or(ConfigError::MissingRootDir)?;
            Arc::new(LocalStorage::new(root)?)
        }
        StorageKind::Amazon => {
            if config.storage_amazon_bucket.is_empty() {
                return Err(ConfigError::MissingBucket.into());
            }
            Arc::new(ObjectStorage::s3(&S3Options {
                bucket: config.storage_amazon_bucket.clone(),
                prefix: config.storage_amazon_prefix.clone(),
                region: config.storage_amazon_region.clone(),
                endpoint: config.storage_amazon_endpoint.clone(),
            })?)
        }
    })
}

/// Opens storage, indexes the charts already there and returns the router.
pub async fn app(config: Config) -> Result<Router, ServerError> {
    let storage = open_storage(&config)?;
    app_with_storage(config, storage).await
}

/// Like [`app`] over a given storage backend.
pub async fn app_with_storage(
    config: Config,
    storage: Arc<dyn Storage>,
) -> Result<Router, ServerError> {
    let context_path = config.normalized_context_path()?;
    let chart_url = if config.chart_url.is_empty() {
        String::new()
    } else {
        format!("{}{}", config.chart_url.trim_end_matches('/'), context_path)
    };
    let auth = Auth::new(&config.auth_options())?;
    let metrics = config.enable_metrics.then(Metrics::new);
    let state = Arc::new(AppState {
        config,
        context_path,
        chart_url,
        auth,
        metrics,
        storage,
        repos: std::sync::Mutex::new(HashMap::new()),
    });
    if state.config.depth == 0 {
        // Index the single repository before serving.
        state.repo("").await?;
    }
    Ok(router(state))
}

impl From<ApiError> for ServerError {
    fn from(e: ApiError) -> Self {
        ServerError::Storage(StorageError::Io {
            context: "opening the repository".into(),
            source: std::io::Error::other(e.1),
        })
    }
}

fn router(state: Arc<AppState>) -> Router {
    let cfg = &state.config;
    let mut r = Router::new()
        .route("/", get(welcome))
        .route("/health", get(health))
        .route("/info", get(info))
        .route("/index.yaml", get(index_yaml))
        .route("/index.json", get(index_json))
        .route("/charts/{file}", get(get_object));
    if cfg.enable_metrics {
        r = r.route("/metrics", get(metrics));
    }
    if !cfg.disable_api {
        r = r
            .route("/api/charts", get(list_charts).post(post_chart))
            .route("/api/prov", post(post_prov))
            .route("/api/charts/{name}", get(get_chart));
        let version_route = if cfg.disable_delete {
            get(get_chart_version)
        } else {
            get(get_chart_version).delete(delete_chart_version)
        };
        r = r.route("/api/charts/{name}/{version}", version_route);
    }
    let limit = usize::try_from(cfg.max_upload_size).unwrap_or(usize::MAX);
    let inner = r
        .route_layer(middleware::from_fn_with_state(state.clone(), auth))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .with_state(state.clone());
    // The context path and the tenant are taken off the URL before routing,
    // so the routes above are written once for every layout.
    Router::new()
        .fallback_service(inner)
        .layer(middleware::from_fn_with_state(state, rewrite))
        // One INFO line per request, as ChartMuseum logs them.
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(
                    tower_http::trace::DefaultMakeSpan::new().level(tracing::Level::INFO),
                )
                .on_request(tower_http::trace::DefaultOnRequest::new().level(tracing::Level::DEBUG))
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
}

/// Percent-decodes one path segment; `None` when it is not valid UTF-8.
fn decode_segment(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(v) = u8::from_str_radix(s.get(i + 1..i + 3)?, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Splits a path (context path already removed) into the tenant and the
/// route path, ChartMuseum's multitenant layout: `/<tenant>/index.yaml`,
/// `/<tenant>/charts/<file>`, `/api/<tenant>/charts...`. `Err` is the
/// status to answer.
pub fn split_tenant(path: &str, depth: usize) -> Result<(String, String), StatusCode> {
    if depth == 0 {
        return Ok((String::new(), path.to_string()));
    }
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if segs.len() == 1 && matches!(segs[0], "" | "health" | "info" | "metrics") {
        return Ok((String::new(), path.to_string()));
    }
    let (tenant_segs, rest) = if segs[0] == "api" {
        if segs.len() < depth + 2 {
            return Err(StatusCode::NOT_FOUND);
        }
        let rest = format!("/api/{}", segs[depth + 1..].join("/"));
        (&segs[1..=depth], rest)
    } else {
        if segs.len() < depth + 1 {
            return Err(StatusCode::NOT_FOUND);
        }
        (&segs[..depth], format!("/{}", segs[depth..].join("/")))
    };
    let mut tenant = Vec::with_capacity(depth);
    for seg in tenant_segs {
        let decoded = decode_segment(seg).ok_or(StatusCode::BAD_REQUEST)?;
        if !is_safe_file_component(&decoded) {
            return Err(StatusCode::BAD_REQUEST);
        }
        tenant.push(decoded);
    }
    Ok((tenant.join("/"), rest))
}

/// Removes the context path and the tenant from the URL.
async fn rewrite(State(st): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let rest = if st.context_path.is_empty() {
        Some(path.as_str())
    } else if path == st.context_path {
        Some("/")
    } else {
        path.strip_prefix(st.context_path.as_str())
            .filter(|r| r.starts_with('/'))
    };
    let Some(rest) = rest else {
        return not_found().await.into_response();
    };
    let (tenant, route_path) = match split_tenant(rest, st.config.depth) {
        Ok(x) => x,
        Err(StatusCode::BAD_REQUEST) => return improper(rest).into_response(),
        Err(_) => return not_found().await.into_response(),
    };
    if route_path != path {
        let pq = match req.uri().query() {
            Some(q) => format!("{route_path}?{q}"),
            None => route_path,
        };
        match Uri::builder().path_and_query(pq).build() {
            Ok(uri) => *req.uri_mut() = uri,
            Err(_) => return improper(rest).into_response(),
        }
    }
    req.extensions_mut().insert(Tenant(tenant));
    next.run(req).await
}

/// Counts requests and their latency by route pattern.
async fn track(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let Some(m) = &st.metrics else {
        return next.run(req).await;
    };
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    m.observe(
        &route,
        &method,
        resp.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    resp
}

async fn metrics(State(st): State<Arc<AppState>>) -> Response {
    let (charts, versions) = st.counts();
    let text = st
        .metrics
        .as_ref()
        .map(|m| m.render(charts, versions))
        .unwrap_or_default();
    let mut r = text.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    r
}

/// Binds `--listen-host:--port` and serves (over TLS with `--tls-cert`)
/// until the process is stopped.
pub async fn serve(config: Config) -> Result<(), ServerError> {
    let addr = format!("{}:{}", config.listen_host, config.port);
    let tls = crate::tls::server_config(&config).map_err(ServerError::Tls)?;
    let started = Instant::now();
    let app = app(config).await?;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|source| ServerError::Listen {
            addr: addr.clone(),
            source,
        })?;
    let local: SocketAddr = listener
        .local_addr()
        .map_err(|source| ServerError::Listen {
            addr: addr.clone(),
            source,
        })?;
    tracing::info!(%local, tls = tls.is_some(), startup_ms = started.elapsed().as_millis() as u64, "hoist-repo-server listening");
    match tls {
        None => axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|source| ServerError::Listen { addr, source }),
        Some(tls) => {
            let std_listener = listener.into_std().map_err(|source| ServerError::Listen {
                addr: addr.clone(),
                source,
            })?;
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                stopper.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
            });
            axum_server::from_tcp_rustls(
                std_listener,
                axum_server::tls_rustls::RustlsConfig::from_config(tls),
            )
            .map_err(|source| ServerError::Listen {
                addr: addr.clone(),
                source,
            })?
            .handle(handle)
            .serve(app.into_make_service())
            .await
            .map_err(|source| ServerError::Listen { addr, source })
        }
    }
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not found")
}

/// Authentication as ChartMuseum applies it: /health, /info and /metrics
/// are open; reads need `pull` (open with --auth-anonymous-get), writes
/// need `push`, on the request's repository.
async fn auth(
    State(st): State<Arc<AppState>>,
    tenant: Option<Extension<Tenant>>,
    req: Request,
    next: Next,
) -> Response {
    if !st.auth.enabled() {
        return next.run(req).await;
    }
    let path = req.uri().path();
    if path == "/health" || path == "/info" || path == "/metrics" {
        return next.run(req).await;
    }
    let action = if req.method() == Method::GET || req.method() == Method::HEAD {
        Action::Pull
    } else {
        Action::Push
    };
    let namespace = tenant.map(|t| t.0.0).unwrap_or_default();
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match st.auth.check(header, action, &namespace) {
        Ok(()) => next.run(req).await,
        Err(challenge) => {
            let mut r = ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized").into_response();
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            r
        }
    }
}

async fn welcome() -> Response {
    let mut r = WELCOME_HTML.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    r
}

async fn health() -> Response {
    json_response(StatusCode::OK, r#"{"healthy":true}"#.to_string())
}

async fn info() -> Response {
    json_response(
        StatusCode::OK,
        serde_json::json!({ "version": env!("CARGO_PKG_VERSION") }).to_string(),
    )
}

async fn index_yaml(
    State(st): State<Arc<AppState>>,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let repo = st.repo(&tenant.0).await?;
    let snap = repo.read_index(Index::snapshot);
    let (body, etag) = (snap.yaml.clone(), snap.yaml_etag.clone());
    Ok(conditional_gzip(
        &headers,
        "application/x-yaml",
        &etag,
        body,
        snap.yaml_gzip_ready(),
        move || snap.yaml_gzip(),
    )
    .await)
}

async fn index_json(
    State(st): State<Arc<AppState>>,
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let repo = st.repo(&tenant.0).await?;
    let snap = repo.read_index(Index::snapshot);
    let (body, etag) = (snap.json.clone(), snap.json_etag.clone());
    Ok(conditional_gzip(
        &headers,
        "application/json",
        &etag,
        body,
        snap.json_gzip_ready(),
        move || snap.json_gzip(),
    )
    .await)
}

/// Serves a cached document with ETag revalidation (304) and gzip when the
/// client accepts it.
async fn conditional_gzip(
    headers: &HeaderMap,
    content_type: &'static str,
    etag: &str,
    body: Bytes,
    gz_ready: Option<Bytes>,
    gz: impl FnOnce() -> Bytes + Send + 'static,
) -> Response {
    let etag_value = HeaderValue::from_str(etag).unwrap_or(HeaderValue::from_static("\"\""));
    let mut builder = Response::builder()
        .header(header::ETAG, etag_value)
        .header(header::VARY, "Accept-Encoding")
        .header(header::CACHE_CONTROL, "no-cache");
    if if_none_match(headers, etag) {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_default();
    }
    builder = builder.header(header::CONTENT_TYPE, content_type);
    let body = if accepts_gzip(headers) {
        builder = builder.header(header::CONTENT_ENCODING, "gzip");
        match gz_ready {
            Some(b) => b,
            // Compressing a large index takes a while the first time after
            // a change; keep it off the async workers.
            None => match tokio::task::spawn_blocking(gz).await {
                Ok(b) => b,
                Err(_) => {
                    return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "compression failed")
                        .into_response();
                }
            },
        }
    } else {
        body
    };
    builder
        .status(StatusCode::OK)
        .body(Body::from(body))
        .unwrap_or_default()
}

fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let q_zero = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !q_zero
        })
}

fn improper(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        format!("{name} is improperly formatted"),
    )
}

async fn get_object(
    State(st): State<Arc<AppState>>,
    Extension(tenant): Extension<Tenant>,
    Path(file): Path<String>,
) -> Response {
    let content_type = if file.ends_with("tgz") {
        "application/x-tar"
    } else if file.ends_with("tgz.prov") {
        "application/pgp-signature"
    } else {
        return ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "unsupported file extension",
        )
        .into_response();
    };
    if !is_safe_file_component(&file) {
        return improper(&file).into_response();
    }
    let repo = match st.repo(&tenant.0).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    match repo.storage.open(&file).await {
        Ok(obj) => {
            let mut r = Body::from_stream(obj.stream).into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(obj.size));
            r
        }
        Err(StorageError::NotFound(_)) => {
            ApiError::new(StatusCode::NOT_FOUND, "object not found").into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

fn query_params(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (p.to_string(), String::new()),
        })
        .collect()
}

fn first_param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

async fn list_charts(
    State(st): State<Arc<AppState>>,
    Extension(tenant): Extension<Tenant>,
    req: Request,
) -> Response {
    let params = query_params(req.uri().query());
    let offset = match first_param(&params, "offset") {
        None => 0,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => usize::try_from(n).unwrap_or(usize::MAX),
            _ => {
                return ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "offset is not a valid non-negative integer",
                )
                .into_response();
            }
        },
    };
    let limit = match first_param(&params, "limit") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n > 0 => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            _ => {
                return ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "limit is not a valid positive integer",
                )
                .into_response();
            }
        },
    };
    match st.repo(&tenant.0).await {
        Ok(repo) => json_response(
            StatusCode::OK,
            repo.read_index(|i| i.charts_json(offset, limit)),
        ),
        Err(e) => e.into_response(),
    }
}

async fn get_chart(
    State(st): State<Arc<AppState>>,
    Extension(tenant): Extension<Tenant>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let repo = st.repo(&tenant.0).await?;
    match repo.read_index(|i| i.chart_json(&name)) {
        Some(json) => Ok(json_response(StatusCode::OK, json)),
        None => Err(ApiError::new(StatusCode::NOT_FOUND, "chart not found")),
    }
}

async fn get_chart_version(
    State(st): State<Arc<AppState>>,
    Extension(tenant): Extension<Tenant>,
    Path((name, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let repo = st.repo(&tenant.0).await?;
    let found = repo.read_index(|i| i.get(&name, &version).map(|e| i.entry_json(e)));
    match found {
        Ok(json) => Ok(json_response(StatusCode::OK, json)),
        Err(e) => Err(ApiError::new(StatusCode::NOT_FOUND, e.to_string())),
    }
}

async fn delete_chart_version(
    State(st): State<Arc<AppState>>,
    Extension(tenant): Extension<Tenant>,
    Path((name, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let file = format!("{name}-{version}.tgz");
    if !is_safe_file_component(&name) || !is_safe_file_component(&file) || version.contains('/') {
        return Err(improper(&file));
    }
    let repo = st.repo(&tenant.0).await?;
    let _guard = repo.write_lock.lock().await;
    repo.storage.delete(&file).await?;
    let prov = format!("{file}.prov");
    // A missing provenance file is normal.
    let _ = repo.storage.delete(&prov).await;
    repo.deleted(&name, &version, &[file.clone(), prov]);
    tracing::info!(chart = %name, %version, "chart version deleted");
    Ok(json_response(StatusCode::OK, r#"{"deleted":true}"#.into()))
}

/// A validated chart package waiting in staging.
struct StagedChart {
    staged: Staged,
    meta: ChartMetadata,
    digest: String,
}

/// A validated provenance file.
struct ProvFile {
    file_name: String,
    data: Bytes,
}

/// Streams a body into a staging file, hashing it and enforcing the size cap.
async fn stream_to_stage<S, E>(
    repo: &Repo,
    stream: S,
    limit: u64,
) -> Result<(Staged, String), ApiError>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: std::fmt::Display,
{
    let mut stream = std::pin::pin!(stream);
    let staged = repo.storage.stage()?;
    let mut file = tokio::fs::File::from_std(staged.reopen()?);
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| body_error(&e.to_string()))?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(too_large());
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(|e| {
            ApiError::from(StorageError::Io {
                context: "writing upload".into(),
                source: e,
            })
        })?;
    }
    file.flush().await.map_err(|e| {
        ApiError::from(StorageError::Io {
            context: "writing upload".into(),
            source: e,
        })
    })?;
    Ok((staged, hex::encode(hasher.finalize())))
}

fn body_error(msg: &str) -> ApiError {
    if msg.contains("length limit") || msg.contains("too large") {
        too_large()
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, msg)
    }
}

/// Reads the Chart.yaml of a staged upload; any failure is the client's (400).
async fn validate_staged(staged: Staged, digest: String) -> Result<StagedChart, ApiError> {
    let file = staged.reopen()?;
    let meta = tokio::task::spawn_blocking(move || {
        archive::chart_meta_from_reader(std::io::BufReader::new(file))
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let file_name = package_file_name(&meta);
    if !is_safe_file_component(&file_name) {
        return Err(improper(&file_name));
    }
    Ok(StagedChart {
        staged,
        meta,
        digest,
    })
}

/// ChartMuseum's provenance check: a PGP signed message naming the chart.
fn prov_file_name(data: &[u8]) -> Result<String, ApiError> {
    let invalid = || ApiError::new(StatusCode::BAD_REQUEST, "invalid provenance file");
    let text = std::str::from_utf8(data).map_err(|_| invalid())?;
    if !text.starts_with("-----BEGIN PGP SIGNED MESSAGE-----") {
        return Err(invalid());
    }
    let field = |key: &str| {
        let needle = format!("\n{key}:");
        text.match_indices(&needle).find_map(|(pos, _)| {
            let rest = &text[pos + needle.len()..];
            let mut chars = rest.chars();
            let sep = chars.next()?;
            if sep != ' ' && sep != '*' {
                return None;
            }
            let line = chars.as_str().split('\n').next().unwrap_or("");
            (!line.is_empty()).then(|| line.to_string())
        })
    };
    let (Some(name), Some(version)) = (field("name"), field("version")) else {
        return Err(invalid());
    };
    let file_name = format!("{name}-{version}.tgz.prov");
    if !is_safe_file_component(&file_name) {
        return Err(improper(&file_name));
    }
    Ok(file_name)
}

fn upload_limit_check(st: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > st.config.max_upload_size => Err(too_large()),
        _ => Ok(()),
    }
}

async fn post_chart(
    State(st): State<Arc<AppState>>,
    Extension(tenant): Extension<Tenant>,
    req: Request,
) -> Result<Response, ApiError> {
    let repo = st.repo(&tenant.0).await?;
    upload_limit_check(&st, req.headers())?;
    let force = query_params(req.uri().query())
        .iter()
        .any(|(k, _)| k == "force");
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    let limit = st.config.max_upload_size;
    if !is_multipart {
        let stream = req.into_body().into_data_stream();
        let (staged, digest) = stream_to_stage(&repo, stream, limit).await?;
        let chart = validate_staged(staged, digest).await?;
        store(&st, &repo, Some(chart), None, force, "file already exists").await?;
        return Ok(saved());
    }
    let mut form = Multipart::from_request(req, &())
        .await
        .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let chart_fields = ["chart", st.config.chart_post_form_field_name.as_str()];
    let prov_fields = ["prov", st.config.prov_post_form_field_name.as_str()];
    let mut chart: Option<StagedChart> = None;
    let mut prov: Option<ProvFile> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(ApiError::new(e.status(), e.body_text())),
        };
        let name = field.name().unwrap_or("").to_string();
        if chart.is_none() && chart_fields.contains(&name.as_str()) {
            let (staged, digest) = stream_to_stage(&repo, field, limit).await?;
            chart = Some(validate_staged(staged, digest).await?);
        } else if prov.is_none() && prov_fields.contains(&name.as_str()) {
            let data = field
                .bytes()
                .await
                .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
            let file_name = prov_file_name(&data)?;
            prov = Some(ProvFile { file_name, data });
        }
        // Other fields are ignored, as ChartMuseum does.
    }
    if chart.is_none() && prov.is_none() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "no package or provenance file found in form fields {} and {}",
                st.config.chart_post_form_field_name, st.config.prov_post_form_field_name
            ),
        ));
    }
    store(&st, &repo, chart, prov, force, "chart already exists").await?;
    Ok(saved())
}

async fn post_prov(
    State(st): State<Arc<AppState>>,
    Extension(tenant): Extension<Tenant>,
    req: Request,
) -> Result<Response, ApiError> {
    let repo = st.repo(&tenant.0).await?;
    upload_limit_check(&st, req.headers())?;
    let force = query_params(req.uri().query())
        .iter()
        .any(|(k, _)| k == "force");
    let limit = usize::try_from(st.config.max_upload_size).unwrap_or(usize::MAX);
    let data = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|e| body_error(&format!("{e:?}")))?;
    let file_name = prov_file_name(&data)?;
    store(
        &st,
        &repo,
        None,
        Some(ProvFile { file_name, data }),
        force,
        "file already exists",
    )
    .await?;
    Ok(saved())
}

fn saved() -> Response {
    json_response(StatusCode::CREATED, r#"{"saved":true}"#.into())
}

/// Commits a chart and/or provenance file and updates the index, refusing
/// existing names unless overwriting is allowed.
async fn store(
    st: &AppState,
    repo: &Repo,
    chart: Option<StagedChart>,
    prov: Option<ProvFile>,
    force: bool,
    conflict_msg: &str,
) -> Result<(), ApiError> {
    let overwrite = st.config.may_overwrite(force);
    let conflict = || ApiError::new(StatusCode::CONFLICT, conflict_msg);
    let _guard = repo.write_lock.lock().await;
    if !overwrite {
        if let Some(c) = &chart
            && repo.storage.exists(&package_file_name(&c.meta)).await?
        {
            return Err(conflict());
        }
        if let Some(p) = &prov
            && repo.storage.exists(&p.file_name).await?
        {
            return Err(conflict());
        }
    }
    if let Some(c) = chart {
        let file_name = package_file_name(&c.meta);
        match repo.storage.commit(c.staged, &file_name, overwrite).await {
            Err(StorageError::AlreadyExists) => return Err(conflict()),
            other => other?,
        }
        tracing::info!(chart = %c.meta.name, version = %c.meta.version, "chart stored");
        repo.stored(IndexEntry {
            meta: c.meta,
            file_name,
            digest: c.digest,
            created: jiff::Timestamp::now(),
        });
    }
    if let Some(p) = prov {
        let staged = repo.storage.stage()?;
        {
            let mut f = tokio::fs::File::from_std(staged.reopen()?);
            let write = async {
                f.write_all(&p.data).await?;
                f.flush().await
            };
            write.await.map_err(|e| {
                ApiError::from(StorageError::Io {
                    context: "writing provenance file".into(),
                    source: e,
                })
            })?;
        }
        match repo.storage.commit(staged, &p.file_name, overwrite).await {
            Err(StorageError::AlreadyExists) => return Err(conflict()),
            other => other?,
        }
        repo.stored_file(&p.file_name);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prov_names_come_from_the_signed_message() {
        let prov = b"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\napiVersion: v2\nname: demo\nversion: 1.0.0\n";
        assert_eq!(
            prov_file_name(prov).ok().as_deref(),
            Some("demo-1.0.0.tgz.prov")
        );
        assert!(prov_file_name(b"name: demo\nversion: 1\n").is_err());
        let evil = b"-----BEGIN PGP SIGNED MESSAGE-----\nname: ../x\nversion: 1\n";
        assert!(prov_file_name(evil).is_err());
    }

    #[test]
    fn gzip_negotiation() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br, gzip;q=0.5"),
        );
        assert!(accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip;q=0"),
        );
        assert!(!accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("identity"),
        );
        assert!(!accepts_gzip(&h));
    }
}
