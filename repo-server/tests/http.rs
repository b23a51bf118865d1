//! End-to-end tests over real HTTP on 127.0.0.1: the server runs in-process
//! on an ephemeral port (or as the built binary), clients are reqwest and raw
//! sockets, and chart packages are built here with tar + flate2.

use std::io::{Read, Write};

use std::path::Path;

use flate2::{Compression, write::GzEncoder};
use hoist_repo_server::{Config, app};
use reqwest::{Client, StatusCode, multipart};

/// A running server and the folder it stores charts in.
struct Server {
    base: String,
    dir: tempfile::TempDir,
}

async fn start(args: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    start_in(dir, args).await
}

async fn start_in(dir: tempfile::TempDir, args: &[&str]) -> Server {
    let root = dir.path().to_str().unwrap().to_string();
    let mut all = vec!["--storage-local-rootdir".to_string(), root];
    all.extend(args.iter().map(|s| s.to_string()));
    let config = Config::from_args(all).unwrap();
    let router = app(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Server {
        base: format!("http://{addr}"),
        dir,
    }
}

fn chart_yaml(name: &str, version: &str) -> String {
    format!(
        "apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"1.16.0\"\ndescription: A test chart\n"
    )
}

/// A packaged chart as `helm package` lays it out: `<name>/Chart.yaml` etc.
fn tgz(top: &str, chart_yaml: &str) -> Vec<u8> {
    let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    let files: [(&str, &[u8]); 3] = [
        ("Chart.yaml", chart_yaml.as_bytes()),
        ("values.yaml", b"replicaCount: 1\n"),
        (
            "templates/cm.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
        ),
    ];
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("{top}/{name}"), data)
            .unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

fn chart(name: &str, version: &str) -> Vec<u8> {
    tgz(name, &chart_yaml(name, version))
}

fn prov(name: &str, version: &str) -> String {
    format!(
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\napiVersion: v2\nname: {name}\nversion: {version}\n\n...\nfiles:\n  {name}-{version}.tgz: sha256:00\n-----BEGIN PGP SIGNATURE-----\n\nxx\n-----END PGP SIGNATURE-----\n"
    )
}

async fn upload(c: &Client, base: &str, data: Vec<u8>) -> (StatusCode, String) {
    let r = c
        .post(format!("{base}/api/charts"))
        .body(data)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn get(c: &Client, url: &str) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

#[tokio::test]
async fn server_info_routes_and_unknown_paths() {
    let s = start(&[]).await;
    let c = Client::new();
    let (st, body) = get(&c, &format!("{}/health", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(json(&body), serde_json::json!({"healthy": true}));
    let (st, body) = get(&c, &format!("{}/info", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(json(&body)["version"].is_string());
    let (st, body) = get(&c, &format!("{}/", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("<html>"));
    let (st, body) = get(&c, &format!("{}/nope", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(json(&body), serde_json::json!({"error": "not found"}));
    // A known path with a method it does not serve is also a JSON 404.
    let r = c
        .put(format!("{}/index.yaml", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn upload_then_read_through_every_route() {
    let s = start(&[]).await;
    let c = Client::new();
    let data = chart("demo", "0.1.0");
    let (st, body) = upload(&c, &s.base, data.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(json(&body), serde_json::json!({"saved": true}));
    upload(&c, &s.base, chart("demo", "0.2.0")).await;
    upload(&c, &s.base, chart("demo", "0.3.0-rc.1")).await;

    // The package is stored under <name>-<version>.tgz and served back as is.
    assert!(s.dir.path().join("demo-0.1.0.tgz").is_file());
    let r = c
        .get(format!("{}/charts/demo-0.1.0.tgz", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/x-tar");
    assert_eq!(r.bytes().await.unwrap().to_vec(), data);
    let (st, body) = get(&c, &format!("{}/charts/demo-9.9.9.tgz", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["error"], "object not found");

    // index.yaml: newest first, Helm's fields, digest = sha256 of the package.
    let (st, yaml) = get(&c, &format!("{}/index.yaml", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(yaml.starts_with("apiVersion: v1\nentries:\n  demo:\n  - apiVersion: v2\n    appVersion: 1.16.0\n    created: \""), "{yaml}");
    let p3 = yaml.find("version: 0.3.0-rc.1").unwrap();
    let p2 = yaml.find("version: 0.2.0").unwrap();
    let p1 = yaml.find("version: 0.1.0").unwrap();
    assert!(p3 < p2 && p2 < p1, "{yaml}");
    use sha2::Digest;
    let digest = hex::encode(sha2::Sha256::digest(&data));
    assert!(yaml.contains(&format!("    digest: {digest}\n    name: demo\n    urls:\n    - charts/demo-0.1.0.tgz\n    version: 0.1.0\n")), "{yaml}");
    assert!(yaml.contains("\ngenerated: \"") && yaml.ends_with("serverInfo: {}\n"));

    // index.json carries the same entries.
    let (st, body) = get(&c, &format!("{}/index.json", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    let idx = json(&body);
    assert_eq!(idx["apiVersion"], "v1");
    assert_eq!(idx["entries"]["demo"].as_array().map(Vec::len), Some(3));
    assert_eq!(idx["entries"]["demo"][2]["digest"], digest);

    // API reads.
    let (st, body) = get(&c, &format!("{}/api/charts", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(json(&body)["demo"][0]["version"], "0.3.0-rc.1");
    let (st, body) = get(&c, &format!("{}/api/charts/demo", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(json(&body).as_array().map(Vec::len), Some(3));
    let (st, body) = get(&c, &format!("{}/api/charts/demo/0.1.0", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    let v = json(&body);
    assert_eq!(v["name"], "demo");
    assert_eq!(v["urls"][0], "charts/demo-0.1.0.tgz");
    assert_eq!(v["digest"], digest);
    // `latest` is the newest release, skipping pre-releases (Helm's Get).
    let (_, body) = get(&c, &format!("{}/api/charts/demo/latest", s.base)).await;
    assert_eq!(json(&body)["version"], "0.2.0");
    let (st, body) = get(&c, &format!("{}/api/charts/demo/7.7.7", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        json(&body)["error"],
        "no chart version found for demo-7.7.7"
    );
    let (st, body) = get(&c, &format!("{}/api/charts/nope", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["error"], "chart not found");
    // Anything else is a semver constraint, as in Helm's IndexFile.Get.
    for (req, want) in [
        ("~0.1", "0.1.0"),
        ("%3E%3D0.3.0-0", "0.3.0-rc.1"),
        ("0.x", "0.2.0"),
    ] {
        let (st, body) = get(&c, &format!("{}/api/charts/demo/{req}", s.base)).await;
        assert_eq!(st, StatusCode::OK, "{req}: {body}");
        assert_eq!(json(&body)["version"], want, "{req}");
    }
    let (st, body) = get(&c, &format!("{}/api/charts/demo/%5E1", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["error"], "no chart version found for demo-^1");
    let (st, body) = get(&c, &format!("{}/api/charts/demo/banana", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(
        json(&body)["error"]
            .as_str()
            .is_some_and(|e| e.contains("improper constraint")),
        "{body}"
    );

    // HEAD forms.
    for (path, want) in [
        ("/index.yaml", StatusCode::OK),
        ("/api/charts/demo", StatusCode::OK),
        ("/api/charts/nope", StatusCode::NOT_FOUND),
        ("/api/charts/demo/0.2.0", StatusCode::OK),
        ("/api/charts/demo/latest", StatusCode::OK),
        ("/api/charts/demo/5.0.0", StatusCode::NOT_FOUND),
    ] {
        let r = c.head(format!("{}{path}", s.base)).send().await.unwrap();
        assert_eq!(r.status(), want, "HEAD {path}");
    }
}

#[tokio::test]
async fn paging_of_api_charts() {
    let s = start(&[]).await;
    let c = Client::new();
    for n in ["alpha", "bravo", "charlie"] {
        upload(&c, &s.base, chart(n, "1.0.0")).await;
    }
    let (_, body) = get(&c, &format!("{}/api/charts?offset=1&limit=1", s.base)).await;
    let page = json(&body);
    assert_eq!(page.as_object().map(|o| o.len()), Some(1));
    assert!(page.get("bravo").is_some());
    for (q, msg) in [
        ("offset=-1", "offset is not a valid non-negative integer"),
        ("offset=x", "offset is not a valid non-negative integer"),
        ("limit=0", "limit is not a valid positive integer"),
    ] {
        let (st, body) = get(&c, &format!("{}/api/charts?{q}", s.base)).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(json(&body)["error"], msg);
    }
}

#[tokio::test]
async fn conflicts_and_overwrite_rules() {
    let s = start(&[]).await;
    let c = Client::new();
    let (st, _) = upload(&c, &s.base, chart("demo", "1.0.0")).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, body) = upload(&c, &s.base, chart("demo", "1.0.0")).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(
        json(&body),
        serde_json::json!({"error": "file already exists"})
    );
    let r = c
        .post(format!("{}/api/charts?force", s.base))
        .body(chart("demo", "1.0.0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    let s = start(&["--disable-force-overwrite"]).await;
    upload(&c, &s.base, chart("demo", "1.0.0")).await;
    let r = c
        .post(format!("{}/api/charts?force=true", s.base))
        .body(chart("demo", "1.0.0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);

    let s = start(&["--allow-overwrite"]).await;
    upload(&c, &s.base, chart("demo", "1.0.0")).await;
    let (st, _) = upload(
        &c,
        &s.base,
        tgz(
            "demo",
            &format!("{}home: https://x\n", chart_yaml("demo", "1.0.0")),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, body) = get(&c, &format!("{}/api/charts/demo/1.0.0", s.base)).await;
    assert_eq!(json(&body)["home"], "https://x");
    let (_, body) = get(&c, &format!("{}/api/charts/demo", s.base)).await;
    assert_eq!(json(&body).as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn multipart_upload_like_curl_form() {
    let s = start(&[]).await;
    let c = Client::new();
    // curl -F chart=@whatever.tgz -F prov=@whatever.tgz.prov: the file name
    // is irrelevant; name and version come from Chart.yaml.
    let form = multipart::Form::new()
        .part(
            "chart",
            multipart::Part::bytes(chart("demo", "2.0.0")).file_name("other-9.9.9.tgz"),
        )
        .part(
            "prov",
            multipart::Part::bytes(prov("demo", "2.0.0").into_bytes()).file_name("x.prov"),
        );
    let r = c
        .post(format!("{}/api/charts", s.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(json(&r.text().await.unwrap())["saved"], true);
    assert!(s.dir.path().join("demo-2.0.0.tgz").is_file());
    assert!(!s.dir.path().join("other-9.9.9.tgz").exists());
    let r = c
        .get(format!("{}/charts/demo-2.0.0.tgz.prov", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pgp-signature");

    let form = multipart::Form::new().part(
        "chart",
        multipart::Part::bytes(chart("demo", "2.0.0")).file_name("demo-2.0.0.tgz"),
    );
    let r = c
        .post(format!("{}/api/charts", s.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(
        json(&r.text().await.unwrap())["error"],
        "chart already exists"
    );

    let form = multipart::Form::new().text("other", "x");
    let r = c
        .post(format!("{}/api/charts", s.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        json(&r.text().await.unwrap())["error"],
        "no package or provenance file found in form fields chart and prov"
    );
}

#[tokio::test]
async fn provenance_route() {
    let s = start(&[]).await;
    let c = Client::new();
    let r = c
        .post(format!("{}/api/prov", s.base))
        .body(prov("demo", "1.0.0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(s.dir.path().join("demo-1.0.0.tgz.prov").is_file());
    let r = c
        .post(format!("{}/api/prov", s.base))
        .body(prov("demo", "1.0.0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = c
        .post(format!("{}/api/prov", s.base))
        .body("not a signature")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        json(&r.text().await.unwrap())["error"],
        "invalid provenance file"
    );
}

#[tokio::test]
async fn invalid_charts_are_400() {
    let s = start(&[]).await;
    let c = Client::new();
    let cases = [
        b"definitely not a tarball".to_vec(),
        tgz("demo", "apiVersion: v2\nname: demo\n"),
        tgz("demo", "apiVersion: v2\nname: demo\nversion: not-semver\n"),
        tgz("demo", "apiVersion: v2\nname: ../../evil\nversion: 1.0.0\n"),
        tgz("demo", "apiVersion: v2\nname: [unclosed\n"),
    ];
    for data in cases {
        let (st, body) = upload(&c, &s.base, data).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
        assert!(json(&body)["error"].as_str().is_some_and(|e| !e.is_empty()));
        // Errors name the upload `<archive>`, never the server's staging path.
        let root = s.dir.path().to_string_lossy().into_owned();
        assert!(!body.contains(&root), "{body}");
    }
    // Nothing but the staging folder was written.
    let files: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(files.is_empty());
}

#[tokio::test]
async fn uploads_above_the_limit_are_413() {
    let s = start(&["--max-upload-size", "2048"]).await;
    let c = Client::new();
    // Incompressible filler so the package really exceeds the limit.
    let mut noise = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..8192 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        noise.push((x >> 16) as u8);
    }
    let big = tgz(
        "demo",
        &format!("{}# {}\n", chart_yaml("demo", "1.0.0"), hex::encode(&noise)),
    );
    assert!(big.len() > 2048);
    let (st, body) = upload(&c, &s.base, big.clone()).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json(&body)["error"], "request too large");
    // Without a Content-Length (chunked), the cap applies while streaming.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.chunks(512).map(|c| Ok(c.to_vec())).collect();
    let r = c
        .post(format!("{}/api/charts", s.base))
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let form =
        multipart::Form::new().part("chart", multipart::Part::bytes(big).file_name("demo.tgz"));
    let r = c
        .post(format!("{}/api/charts", s.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Small charts still go through.
    let (st, _) = upload(&c, &s.base, chart("demo", "1.0.0")).await;
    assert_eq!(st, StatusCode::CREATED);
}

#[tokio::test]
async fn delete_and_disable_flags() {
    let s = start(&[]).await;
    let c = Client::new();
    upload(&c, &s.base, chart("demo", "1.0.0")).await;
    upload(&c, &s.base, chart("demo", "1.1.0")).await;
    c.post(format!("{}/api/prov", s.base))
        .body(prov("demo", "1.0.0"))
        .send()
        .await
        .unwrap();
    let r = c
        .delete(format!("{}/api/charts/demo/1.0.0", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        json(&r.text().await.unwrap()),
        serde_json::json!({"deleted": true})
    );
    assert!(!s.dir.path().join("demo-1.0.0.tgz").exists());
    assert!(!s.dir.path().join("demo-1.0.0.tgz.prov").exists());
    let (st, _) = get(&c, &format!("{}/api/charts/demo/1.0.0", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, yaml) = get(&c, &format!("{}/index.yaml", s.base)).await;
    assert!(!yaml.contains("version: 1.0.0") && yaml.contains("version: 1.1.0"));
    let r = c
        .delete(format!("{}/api/charts/demo/1.0.0", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Deleting the last version removes the chart.
    c.delete(format!("{}/api/charts/demo/1.1.0", s.base))
        .send()
        .await
        .unwrap();
    let (_, yaml) = get(&c, &format!("{}/index.yaml", s.base)).await;
    assert!(
        yaml.starts_with("apiVersion: v1\nentries: {}\ngenerated: "),
        "{yaml}"
    );

    let s = start(&["--disable-delete"]).await;
    upload(&c, &s.base, chart("demo", "1.0.0")).await;
    let r = c
        .delete(format!("{}/api/charts/demo/1.0.0", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(s.dir.path().join("demo-1.0.0.tgz").exists());

    let s = start(&["--disable-api"]).await;
    let (st, _) = upload(&c, &s.base, chart("demo", "1.0.0")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = get(&c, &format!("{}/api/charts", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = get(&c, &format!("{}/index.yaml", s.base)).await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn basic_auth() {
    let s = start(&["--basic-auth-user", "admin", "--basic-auth-pass", "s3cret"]).await;
    let c = Client::new();
    let (st, _) = get(&c, &format!("{}/health", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    for path in ["/index.yaml", "/api/charts", "/charts/demo-1.0.0.tgz"] {
        let r = c.get(format!("{}{path}", s.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(
            r.headers()["www-authenticate"],
            "Basic realm=\"ChartMuseum\""
        );
        assert_eq!(json(&r.text().await.unwrap())["error"], "unauthorized");
    }
    let (st, _) = upload(&c, &s.base, chart("demo", "1.0.0")).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let r = c
        .post(format!("{}/api/charts", s.base))
        .basic_auth("admin", Some("wrong"))
        .body(chart("demo", "1.0.0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c
        .post(format!("{}/api/charts", s.base))
        .basic_auth("admin", Some("s3cret"))
        .body(chart("demo", "1.0.0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = c
        .get(format!("{}/index.yaml", s.base))
        .basic_auth("admin", Some("s3cret"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let s = start(&[
        "--basic-auth-user",
        "admin",
        "--basic-auth-pass",
        "s3cret",
        "--auth-anonymous-get",
    ])
    .await;
    let (st, _) = get(&c, &format!("{}/index.yaml", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = upload(&c, &s.base, chart("demo", "1.0.0")).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let r = c
        .delete(format!("{}/api/charts/demo/1.0.0", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

/// Sends a request line verbatim (no client-side path normalization).
async fn raw_get(base: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn path_traversal_is_rejected() {
    let outer = tempfile::tempdir().unwrap();
    let inner = tempfile::tempdir_in(outer.path()).unwrap();
    std::fs::write(outer.path().join("secret.tgz"), b"secret").unwrap();
    let s = start_in(inner, &[]).await;
    let c = Client::new();
    for path in [
        "/charts/..%2Fsecret.tgz",
        "/charts/..%5Csecret.tgz",
        "/charts/%2E%2E%2Fsecret.tgz",
    ] {
        let r = c.get(format!("{}{path}", s.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(
            json(&r.text().await.unwrap())["error"]
                .as_str()
                .is_some_and(|e| e.contains("improperly formatted"))
        );
    }
    for path in [
        "/charts/../secret.tgz",
        "/charts/./../secret.tgz",
        "/../secret.tgz",
    ] {
        let resp = raw_get(&s.base, path).await;
        assert!(!resp.starts_with("HTTP/1.1 200"), "{path}: {resp}");
        assert!(!resp.contains("\r\n\r\nsecret"), "{path}");
    }
    let r = c
        .delete(format!("{}/api/charts/..%2F..%2Fsecret/1.0.0", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(outer.path().join("secret.tgz").exists());
    // Hidden files (such as staging files) are never served.
    let r = c
        .get(format!("{}/charts/.hoist-staging.tgz", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicate_uploads_yield_one_201() {
    let s = start(&[]).await;
    let c = Client::new();
    let data = chart("race", "1.0.0");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (c, base, data) = (c.clone(), s.base.clone(), data.clone());
        tasks.push(tokio::spawn(async move { upload(&c, &base, data).await.0 }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, 7), "{statuses:?}");
    let (_, body) = get(&c, &format!("{}/api/charts/race", s.base)).await;
    assert_eq!(json(&body).as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn index_etag_304_and_gzip() {
    let s = start(&[]).await;
    // The raw bytes are checked: no transparent decompression.
    let c = Client::builder().no_gzip().build().unwrap();
    upload(&c, &s.base, chart("demo", "1.0.0")).await;
    let r = c
        .get(format!("{}/index.yaml", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/x-yaml");
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let plain = r.bytes().await.unwrap();
    let r = c
        .get(format!("{}/index.yaml", s.base))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
    assert!(r.bytes().await.unwrap().is_empty());

    let r = c
        .get(format!("{}/index.yaml", s.base))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let gz = r.bytes().await.unwrap();
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain.to_vec());

    // A change gives a new ETag, so the old one no longer matches.
    upload(&c, &s.base, chart("demo", "1.1.0")).await;
    let r = c
        .get(format!("{}/index.yaml", s.base))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_ne!(r.headers()["etag"].to_str().unwrap(), etag);

    let r = c
        .get(format!("{}/index.json", s.base))
        .send()
        .await
        .unwrap();
    let jetag = r.headers()["etag"].to_str().unwrap().to_string();
    let r = c
        .get(format!("{}/index.json", s.base))
        .header("If-None-Match", format!("\"nope\", {jetag}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn context_path_and_chart_url() {
    let s = start(&[
        "--context-path",
        "/repo",
        "--chart-url",
        "https://charts.example.com",
    ])
    .await;
    let c = Client::new();
    let (st, _) = get(&c, &format!("{}/index.yaml", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = upload(&c, &format!("{}/repo", s.base), chart("demo", "1.0.0")).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, yaml) = get(&c, &format!("{}/repo/index.yaml", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        yaml.contains("    - https://charts.example.com/repo/charts/demo-1.0.0.tgz\n"),
        "{yaml}"
    );
    assert!(
        yaml.ends_with("serverInfo:\n  contextPath: /repo\n"),
        "{yaml}"
    );
    let (st, _) = get(&c, &format!("{}/repo/charts/demo-1.0.0.tgz", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = get(&c, &format!("{}/repo/health", s.base)).await;
    assert_eq!(st, StatusCode::OK);
}

fn write_file(path: &Path, data: &[u8]) {
    std::fs::File::create(path)
        .unwrap()
        .write_all(data)
        .unwrap();
}

#[tokio::test]
async fn existing_packages_are_indexed_at_startup() {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("web-1.2.3.tgz"), &chart("web", "1.2.3"));
    // The URL follows the stored file name; name/version follow Chart.yaml.
    write_file(&dir.path().join("renamed.tgz"), &chart("db", "0.0.1"));
    write_file(&dir.path().join("broken.tgz"), b"garbage");
    write_file(&dir.path().join("notes.txt"), b"hello");
    let s = start_in(dir, &[]).await;
    let c = Client::new();
    let (_, body) = get(&c, &format!("{}/api/charts", s.base)).await;
    let all = json(&body);
    assert_eq!(all.as_object().map(|o| o.len()), Some(2), "{all}");
    assert_eq!(all["web"][0]["version"], "1.2.3");
    assert_eq!(all["db"][0]["urls"][0], "charts/renamed.tgz");
    let (_, yaml) = get(&c, &format!("{}/index.yaml", s.base)).await;
    let db = yaml.find("\n  db:\n").unwrap();
    let web = yaml.find("\n  web:\n").unwrap();
    assert!(db < web);
}

/// The built binary with only `--storage-local-rootdir` (and env forms).
#[tokio::test]
async fn binary_serves_a_folder_with_env_config() {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("web-1.2.3.tgz"), &chart("web", "1.2.3"));
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hoist-repo-server"))
        .arg("--storage-local-rootdir")
        .arg(dir.path())
        .env("PORT", port.to_string())
        .env("LISTEN_HOST", "127.0.0.1")
        .env("DISABLE_DELETE", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let c = Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut yaml = None;
    for _ in 0..100 {
        if let Ok(r) = c.get(format!("{base}/index.yaml")).send().await {
            yaml = Some(r.text().await.unwrap());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let r = c
        .delete(format!("{base}/api/charts/web/1.2.3"))
        .send()
        .await
        .map(|r| r.status());
    let _ = child.kill();
    let _ = child.wait();
    let yaml = yaml.expect("server did not come up");
    assert!(
        yaml.contains("  web:\n") && yaml.contains("version: 1.2.3"),
        "{yaml}"
    );
    assert_eq!(r.ok(), Some(StatusCode::NOT_FOUND));
}
