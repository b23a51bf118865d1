//! Acceptance tests of issue 6 over real HTTP on 127.0.0.1: concurrency,
//! crash safety, multitenancy, bearer auth, metrics, TLS and replicas
//! sharing a folder.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use common::*;
use reqwest::{Client, StatusCode};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_distinct_uploads_and_twenty_of_one_version() {
    let dir = tempfile::tempdir().unwrap();
    let base = start_app(local_args(dir.path(), &[])).await;
    let c = Client::new();
    let mut tasks = Vec::new();
    for i in 0..100 {
        let (c, url) = (c.clone(), format!("{base}/api/charts"));
        tasks.push(tokio::spawn(async move {
            (
                false,
                upload_to(&c, &url, chart(&format!("app{i}"), "1.0.0")).await,
            )
        }));
    }
    let dup = chart("dup", "1.0.0");
    for _ in 0..20 {
        let (c, url, d) = (c.clone(), format!("{base}/api/charts"), dup.clone());
        tasks.push(tokio::spawn(
            async move { (true, upload_to(&c, &url, d).await) },
        ));
    }
    let (mut distinct_ok, mut dup_created, mut dup_conflict) = (0, 0, 0);
    for t in tasks {
        match t.await.unwrap() {
            (false, StatusCode::CREATED) => distinct_ok += 1,
            (true, StatusCode::CREATED) => dup_created += 1,
            (true, StatusCode::CONFLICT) => dup_conflict += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((distinct_ok, dup_created, dup_conflict), (100, 1, 19));
    let (_, index) = get(&c, &format!("{base}/index.yaml")).await;
    for i in 0..100 {
        assert!(index.contains(&format!("\n  app{i}:\n")), "app{i} missing");
    }
    let (_, body) = get(&c, &format!("{base}/api/charts")).await;
    assert_eq!(versions_of(&body, "dup"), 1);
}

/// A server killed (SIGKILL) while a slow upload streams in leaves nothing
/// a reader can see, and the next start removes its staging files.
#[tokio::test]
async fn killed_mid_upload_leaves_no_partial_chart() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let args = local_args(
        dir.path(),
        &["--port", &port.to_string(), "--listen-host", "127.0.0.1"],
    );
    let mut child = spawn_binary(&args);
    let c = Client::new();
    let base = format!("http://127.0.0.1:{port}");
    wait_up(&c, &format!("{base}/health")).await;
    let data = chart("half", "1.0.0");
    let mut sock = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        sock,
        "POST /api/charts HTTP/1.1\r\nHost: x\r\nContent-Type: application/gzip\r\nContent-Length: {}\r\n\r\n",
        data.len()
    )
    .unwrap();
    sock.write_all(&data[..data.len() / 2]).unwrap();
    sock.flush().unwrap();
    // Wait until the server is staging what it got.
    let staging = dir.path().join(".hoist-staging");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut staged_files = walk(&staging);
    while !staged_files.iter().any(|f| f.contains(".upload-")) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        staged_files = walk(&staging);
    }
    assert!(
        staged_files.iter().any(|f| f.contains(".upload-")),
        "upload was not being staged: {staged_files:?}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    drop(sock);
    let visible: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert!(visible.is_empty(), "{visible:?}");
    let mut child = spawn_binary(&args);
    wait_up(&c, &format!("{base}/health")).await;
    let (_, index) = get(&c, &format!("{base}/index.yaml")).await;
    let leftovers = walk(&staging);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!index.contains("half"), "{index}");
    assert!(
        !leftovers.iter().any(|f| f.contains(".upload-")),
        "{leftovers:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p.to_string_lossy().into_owned());
            }
        }
    }
    out
}

#[tokio::test]
async fn depth_two_multitenancy() {
    let dir = tempfile::tempdir().unwrap();
    let base = start_app(local_args(
        dir.path(),
        &["--depth", "2", "--context-path", "/cm"],
    ))
    .await;
    let c = Client::new();
    let s = upload_to(
        &c,
        &format!("{base}/cm/api/org/team/charts"),
        chart("web", "1.0.0"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, yaml) = get(&c, &format!("{base}/cm/org/team/index.yaml")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        yaml.contains("  web:\n") && yaml.contains("- charts/web-1.0.0.tgz"),
        "{yaml}"
    );
    assert!(
        yaml.ends_with("serverInfo:\n  contextPath: /cm\n"),
        "{yaml}"
    );
    let (_, other) = get(&c, &format!("{base}/cm/org/other/index.yaml")).await;
    assert!(other.contains("entries: {}"), "{other}");
    let r = c
        .get(format!("{base}/cm/org/team/charts/web-1.0.0.tgz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().to_vec(), chart("web", "1.0.0"));
    let (s, body) = get(&c, &format!("{base}/cm/api/org/team/charts/web/latest")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(dir.path().join("org/team/web-1.0.0.tgz").is_file());
    // Too few segments, and traversal in a tenant segment.
    assert_eq!(
        get(&c, &format!("{base}/cm/org/index.yaml")).await.0,
        StatusCode::NOT_FOUND
    );
    for bad in [
        "/cm/api/%2e%2e/team/charts",
        "/cm/api/../team/charts",
        "/cm/.hidden/x/index.yaml",
        "/cm/org/%2e%2e/index.yaml",
        "/cm/org/../charts/web-1.0.0.tgz",
    ] {
        assert_eq!(raw_status(&base, bad).await, 400, "{bad}");
    }
    assert_eq!(
        get(&c, &format!("{base}/cm/health")).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_code() {
    let dir = tempfile::tempdir().unwrap();
    let base = start_app(local_args(dir.path(), &["--enable-metrics"])).await;
    let c = Client::new();
    upload_to(&c, &format!("{base}/api/charts"), chart("m", "1.0.0")).await;
    upload_to(&c, &format!("{base}/api/charts"), chart("m", "1.0.0")).await;
    get(&c, &format!("{base}/index.yaml")).await;
    get(&c, &format!("{base}/api/charts/nope")).await;
    let (s, text) = get(&c, &format!("{base}/metrics")).await;
    assert_eq!(s, StatusCode::OK);
    for needle in [
        "hoist_repo_http_requests_total{route=\"/api/charts\",method=\"POST\",code=\"201\"} 1",
        "hoist_repo_http_requests_total{route=\"/api/charts\",method=\"POST\",code=\"409\"} 1",
        "hoist_repo_http_requests_total{route=\"/index.yaml\",method=\"GET\",code=\"200\"} 1",
        "hoist_repo_http_requests_total{route=\"/api/charts/{name}\",method=\"GET\",code=\"404\"} 1",
        "hoist_repo_http_request_duration_seconds_count{route=\"/index.yaml\"} 1",
        "hoist_repo_charts 1\n",
        "hoist_repo_chart_versions 1\n",
    ] {
        assert!(text.contains(needle), "{needle} not in\n{text}");
    }
    // Off by default.
    let dir2 = tempfile::tempdir().unwrap();
    let base2 = start_app(local_args(dir2.path(), &[])).await;
    assert_eq!(
        get(&c, &format!("{base2}/metrics")).await.0,
        StatusCode::NOT_FOUND
    );
}

fn sign(claims: serde_json::Value) -> String {
    let pem = include_bytes!("fixtures/auth/jwt-private.pem");
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem).unwrap();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &key,
    )
    .unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn bearer_jwt_scopes_like_chartmuseum() {
    let dir = tempfile::tempdir().unwrap();
    let cert = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/auth/jwt-public.pem"
    );
    let base = start_app(local_args(
        dir.path(),
        &[
            "--bearer-auth",
            "--auth-cert-path",
            cert,
            "--auth-realm",
            "https://auth.example/token",
            "--auth-service",
            "hoist",
            "--auth-issuer",
            "issuer-x",
            "--bearer-auth-tokens",
            "ci-static-token",
        ],
    ))
    .await;
    let c = Client::new();
    let access = |actions: &[&str]| serde_json::json!([{"type": "artifact-repository", "name": "repo", "actions": actions}]);
    let push = sign(
        serde_json::json!({"iss": "issuer-x", "exp": now() + 600, "access": access(&["pull", "push"])}),
    );
    let pull_only = sign(
        serde_json::json!({"iss": "issuer-x", "exp": now() + 600, "access": access(&["pull"])}),
    );
    let expired = sign(
        serde_json::json!({"iss": "issuer-x", "exp": now() - 600, "access": access(&["push"])}),
    );
    let wrong_iss =
        sign(serde_json::json!({"iss": "other", "exp": now() + 600, "access": access(&["push"])}));
    let other_repo = sign(
        serde_json::json!({"iss": "issuer-x", "access": [{"type": "artifact-repository", "name": "org/x", "actions": ["push"]}]}),
    );
    let post = |token: String, name: &'static str| {
        let c = c.clone();
        let url = format!("{base}/api/charts");
        async move {
            c.post(url)
                .bearer_auth(token)
                .body(chart(name, "1.0.0"))
                .send()
                .await
                .unwrap()
        }
    };
    let r = post(pull_only.clone(), "a").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.headers()["www-authenticate"],
        "Bearer realm=\"https://auth.example/token\",service=\"hoist\",scope=\"artifact-repository:repo:push\""
    );
    for bad in [expired, wrong_iss, other_repo, "garbage".to_string()] {
        assert_eq!(post(bad, "a").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(post(push, "a").await.status(), StatusCode::CREATED);
    assert_eq!(
        post("ci-static-token".into(), "b").await.status(),
        StatusCode::CREATED
    );
    // Reads need pull.
    assert_eq!(
        get(&c, &format!("{base}/index.yaml")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let r = c
        .get(format!("{base}/index.yaml"))
        .bearer_auth(pull_only)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(get(&c, &format!("{base}/health")).await.0, StatusCode::OK);
}

/// Two servers over one folder converge through `--cache-interval`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_over_one_folder_converge() {
    let dir = tempfile::tempdir().unwrap();
    let args = local_args(dir.path(), &["--cache-interval", "200ms"]);
    let a = start_app(args.clone()).await;
    let b = start_app(args).await;
    let c = Client::new();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let base = if i % 2 == 0 { a.clone() } else { b.clone() };
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            upload_to(
                &c,
                &format!("{base}/api/charts"),
                chart(&format!("r{i}"), "1.0.0"),
            )
            .await
        }));
    }
    // The same version on both replicas: one winner.
    let (c1, c2) = (c.clone(), c.clone());
    let (a1, b1) = (a.clone(), b.clone());
    let d1 = tokio::spawn(async move {
        upload_to(&c1, &format!("{a1}/api/charts"), chart("both", "1.0.0")).await
    });
    let d2 = tokio::spawn(async move {
        upload_to(&c2, &format!("{b1}/api/charts"), chart("both", "1.0.0")).await
    });
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::CREATED);
    }
    let mut dup = [d1.await.unwrap(), d2.await.unwrap()];
    dup.sort();
    assert_eq!(dup, [StatusCode::CREATED, StatusCode::CONFLICT]);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, ja) = get(&c, &format!("{a}/api/charts")).await;
        let (_, jb) = get(&c, &format!("{b}/api/charts")).await;
        let va: serde_json::Value = serde_json::from_str(&ja).unwrap();
        let vb: serde_json::Value = serde_json::from_str(&jb).unwrap();
        if va.as_object().map(|o| o.len()) == Some(21) && va == vb {
            break;
        }
        assert!(Instant::now() < deadline, "not converged:\n{ja}\n{jb}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A delete on one replica disappears from the other.
    let r = c
        .delete(format!("{a}/api/charts/r1/1.0.0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let deadline = Instant::now() + Duration::from_secs(5);
    while get(&c, &format!("{b}/api/charts/r1")).await.0 != StatusCode::NOT_FOUND {
        assert!(
            Instant::now() < deadline,
            "delete did not reach the other replica"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn tls_and_mutual_tls() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let fx = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let args = local_args(
        dir.path(),
        &[
            "--port",
            &port.to_string(),
            "--listen-host",
            "127.0.0.1",
            "--tls-cert",
            &format!("{fx}/server.pem"),
            "--tls-key",
            &format!("{fx}/server.key"),
            "--tls-ca-cert",
            &format!("{fx}/ca.pem"),
        ],
    );
    let mut child = spawn_binary(&args);
    let ca =
        reqwest::Certificate::from_pem(&std::fs::read(format!("{fx}/ca.pem")).unwrap()).unwrap();
    let mut id_pem = std::fs::read(format!("{fx}/client.pem")).unwrap();
    id_pem.extend(std::fs::read(format!("{fx}/client.key")).unwrap());
    let with_cert = Client::builder()
        .tls_certs_only([ca.clone()])
        .identity(reqwest::Identity::from_pem(&id_pem).unwrap())
        .build()
        .unwrap();
    let without_cert = Client::builder().tls_certs_only([ca]).build().unwrap();
    let url = format!("https://localhost:{port}/health");
    let mut ok = None;
    for _ in 0..200 {
        if let Ok(r) = with_cert.get(&url).send().await {
            ok = Some(r.status());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let refused = without_cert.get(&url).send().await;
    let plain = Client::new()
        .get(format!("http://127.0.0.1:{port}/health"))
        .send()
        .await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(ok, Some(StatusCode::OK));
    assert!(refused.is_err(), "a client without a certificate got in");
    assert!(plain.map(|r| r.status() != StatusCode::OK).unwrap_or(true));
}
