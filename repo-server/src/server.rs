//! The HTTP API: ChartMuseum's routes, status codes and JSON bodies.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::archive::{self, ChartMetadata, is_safe_file_component, package_file_name};
use crate::config::{Config, ConfigError, StorageKind};
use crate::index::{Index, IndexEntry};
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

/// Shared server state.
pub struct AppState {
    config: Config,
    context_path: String,
    storage: Arc<dyn Storage>,
    index: RwLock<Index>,
    /// Serializes store-then-index mutations so the index always matches
    /// storage and an existence check cannot race a commit.
    write_lock: tokio::sync::Mutex<()>,
}

impl AppState {
    fn read_index<T>(&self, f: impl FnOnce(&Index) -> T) -> T {
        match self.index.read() {
            Ok(g) => f(&g),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    fn write_index<T>(&self, f: impl FnOnce(&mut Index) -> T) -> T {
        match self.index.write() {
            Ok(mut g) => f(&mut g),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }
}

/// Opens storage, indexes the charts already there and returns the router.
pub async fn app(config: Config) -> Result<Router, ServerError> {
    let storage: Arc<dyn Storage> = match config.storage {
        StorageKind::Local => {
            let root = config
                .storage_local_rootdir
                .clone()
                .ok_or(ConfigError::MissingRootDir)?;
            Arc::new(LocalStorage::new(root)?)
        }
    };
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
    let mut index = Index::new(&chart_url, &context_path);
    scan_storage(storage.as_ref(), &mut index).await?;
    index.publish();
    tracing::info!(charts = index.chart_count(), "index loaded from storage");
    let state = Arc::new(AppState {
        config,
        context_path,
        storage,
        index: RwLock::new(index),
        write_lock: tokio::sync::Mutex::new(()),
    });
    Ok(router(state))
}

/// Reads every package in storage into the index; unreadable packages are
/// logged and skipped, as ChartMuseum does.
async fn scan_storage(storage: &dyn Storage, index: &mut Index) -> Result<(), StorageError> {
    for obj in storage.list().await? {
        if !obj.name.ends_with(".tgz") {
            continue;
        }
        let data = match storage.get(&obj.name).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(file = %obj.name, error = %e, "skipping unreadable package");
                continue;
            }
        };
        let digest = hex::encode(Sha256::digest(&data));
        let parsed = tokio::task::spawn_blocking(move || archive::chart_meta_from_archive(&data))
            .await
            .map_err(|e| StorageError::Io {
                context: "indexing task".into(),
                source: std::io::Error::other(e),
            })?;
        match parsed {
            Ok(meta) => index.insert_quiet(IndexEntry {
                meta,
                file_name: obj.name.clone(),
                digest,
                created: jiff::Timestamp::try_from(obj.modified)
                    .unwrap_or_else(|_| jiff::Timestamp::now()),
            }),
            Err(e) => {
                tracing::warn!(file = %obj.name, error = %e, "skipping invalid chart package")
            }
        }
    }
    Ok(())
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
    let r = r
        .route_layer(middleware::from_fn_with_state(state.clone(), auth))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state.clone());
    let r = if state.context_path.is_empty() {
        r
    } else {
        Router::new()
            .nest(&state.context_path, r)
            .fallback(not_found)
    };
    // One INFO line per request, as ChartMuseum logs them.
    r.layer(
        tower_http::trace::TraceLayer::new_for_http()
            .make_span_with(tower_http::trace::DefaultMakeSpan::new().level(tracing::Level::INFO))
            .on_request(tower_http::trace::DefaultOnRequest::new().level(tracing::Level::DEBUG))
            .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
    )
}

/// Binds `--listen-host:--port` and serves until the process is stopped.
pub async fn serve(config: Config) -> Result<(), ServerError> {
    let addr = format!("{}:{}", config.listen_host, config.port);
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
    tracing::info!(%local, "hoist-repo-server listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|source| ServerError::Listen { addr, source })
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not found")
}

/// Basic auth as ChartMuseum applies it: /health and /info are open; reads
/// are open with --auth-anonymous-get; everything else needs credentials.
async fn auth(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let cfg = &st.config;
    if !cfg.auth_enabled() {
        return next.run(req).await;
    }
    let path = req.uri().path();
    let path = path.strip_prefix(st.context_path.as_str()).unwrap_or(path);
    if path == "/health" || path == "/info" {
        return next.run(req).await;
    }
    let is_read = req.method() == Method::GET || req.method() == Method::HEAD;
    if is_read && cfg.auth_anonymous_get {
        return next.run(req).await;
    }
    if credentials_match(req.headers(), &cfg.basic_auth_user, &cfg.basic_auth_pass) {
        return next.run(req).await;
    }
    let mut r = ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized").into_response();
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"ChartMuseum\""),
    );
    r
}

fn credentials_match(headers: &HeaderMap, user: &str, pass: &str) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, encoded)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let expected = format!("{user}:{pass}");
    constant_time_eq(&decoded, expected.as_bytes())
}

/// Compares without an early exit so timing does not reveal the password.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        diff |= usize::from(x ^ y);
    }
    diff == 0
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

async fn index_yaml(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let snap = st.read_index(Index::snapshot);
    let body = snap.yaml.clone();
    let etag = snap.yaml_etag.clone();
    conditional_gzip(&headers, "application/x-yaml", &etag, body, || {
        snap.yaml_gzip()
    })
}

async fn index_json(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let snap = st.read_index(Index::snapshot);
    let body = snap.json.clone();
    let etag = snap.json_etag.clone();
    conditional_gzip(&headers, "application/json", &etag, body, || {
        snap.json_gzip()
    })
}

/// Serves a cached document with ETag revalidation (304) and gzip when the
/// client accepts it.
fn conditional_gzip(
    headers: &HeaderMap,
    content_type: &'static str,
    etag: &str,
    body: Bytes,
    gz: impl FnOnce() -> Bytes,
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
        gz()
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

async fn get_object(State(st): State<Arc<AppState>>, Path(file): Path<String>) -> Response {
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
    match st.storage.open(&file).await {
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

async fn list_charts(State(st): State<Arc<AppState>>, req: Request) -> Response {
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
    json_response(
        StatusCode::OK,
        st.read_index(|i| i.charts_json(offset, limit)),
    )
}

async fn get_chart(State(st): State<Arc<AppState>>, Path(name): Path<String>) -> Response {
    match st.read_index(|i| i.chart_json(&name)) {
        Some(json) => json_response(StatusCode::OK, json),
        None => ApiError::new(StatusCode::NOT_FOUND, "chart not found").into_response(),
    }
}

async fn get_chart_version(
    State(st): State<Arc<AppState>>,
    Path((name, version)): Path<(String, String)>,
) -> Response {
    let found = st.read_index(|i| i.get(&name, &version).map(|e| i.entry_json(e)));
    match found {
        Ok(json) => json_response(StatusCode::OK, json),
        Err(e) => ApiError::new(StatusCode::NOT_FOUND, e.to_string()).into_response(),
    }
}

async fn delete_chart_version(
    State(st): State<Arc<AppState>>,
    Path((name, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let file = format!("{name}-{version}.tgz");
    if !is_safe_file_component(&name) || !is_safe_file_component(&file) || version.contains('/') {
        return Err(improper(&file));
    }
    let _guard = st.write_lock.lock().await;
    st.storage.delete(&file).await?;
    // A missing provenance file is normal.
    let _ = st.storage.delete(&format!("{file}.prov")).await;
    st.write_index(|i| i.remove(&name, &version));
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
    st: &AppState,
    stream: S,
    limit: u64,
) -> Result<(Staged, String), ApiError>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: std::fmt::Display,
{
    let mut stream = std::pin::pin!(stream);
    let staged = st.storage.stage()?;
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

async fn post_chart(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
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
        let (staged, digest) = stream_to_stage(&st, stream, limit).await?;
        let chart = validate_staged(staged, digest).await?;
        store(&st, Some(chart), None, force, "file already exists").await?;
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
            let (staged, digest) = stream_to_stage(&st, field, limit).await?;
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
    store(&st, chart, prov, force, "chart already exists").await?;
    Ok(saved())
}

async fn post_prov(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
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
    chart: Option<StagedChart>,
    prov: Option<ProvFile>,
    force: bool,
    conflict_msg: &str,
) -> Result<(), ApiError> {
    let overwrite = st.config.may_overwrite(force);
    let conflict = || ApiError::new(StatusCode::CONFLICT, conflict_msg);
    let _guard = st.write_lock.lock().await;
    if !overwrite {
        if let Some(c) = &chart
            && st.storage.exists(&package_file_name(&c.meta)).await?
        {
            return Err(conflict());
        }
        if let Some(p) = &prov
            && st.storage.exists(&p.file_name).await?
        {
            return Err(conflict());
        }
    }
    if let Some(c) = chart {
        let file_name = package_file_name(&c.meta);
        match st.storage.commit(c.staged, &file_name, overwrite).await {
            Err(StorageError::AlreadyExists) => return Err(conflict()),
            other => other?,
        }
        tracing::info!(chart = %c.meta.name, version = %c.meta.version, "chart stored");
        st.write_index(|i| {
            i.upsert(IndexEntry {
                meta: c.meta,
                file_name,
                digest: c.digest,
                created: jiff::Timestamp::now(),
            })
        });
    }
    if let Some(p) = prov {
        let staged = st.storage.stage()?;
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
        match st.storage.commit(staged, &p.file_name, overwrite).await {
            Err(StorageError::AlreadyExists) => return Err(conflict()),
            other => other?,
        }
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

    #[test]
    fn basic_credentials() {
        let mut h = HeaderMap::new();
        assert!(!credentials_match(&h, "u", "p"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic dTpw"),
        );
        assert!(credentials_match(&h, "u", "p"));
        assert!(!credentials_match(&h, "u", "q"));
        assert!(constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abcd"));
    }
}
