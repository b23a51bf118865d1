//! Helpers shared by the acceptance tests: chart packages built here with
//! tar + flate2, in-process servers on ephemeral ports, and the built binary.

#![allow(dead_code)]

use std::time::Duration;

use flate2::{Compression, write::GzEncoder};
use hoist_repo_server::{Config, app};
use reqwest::{Client, StatusCode};

/// A packaged chart as `helm package` lays it out.
pub fn chart(name: &str, version: &str) -> Vec<u8> {
    let chart_yaml =
        format!("apiVersion: v2\nname: {name}\nversion: {version}\ndescription: A test chart\n");
    let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    let files: [(&str, &[u8]); 2] = [
        ("Chart.yaml", chart_yaml.as_bytes()),
        ("values.yaml", b"replicaCount: 1\n"),
    ];
    for (file, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("{name}/{file}"), data)
            .unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

/// Starts the router for `args` on 127.0.0.1 and returns its base URL.
pub async fn start_app(args: Vec<String>) -> String {
    let config = Config::from_args(args).unwrap();
    let router = app(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

/// Local-storage flags for `dir` plus `extra`.
pub fn local_args(dir: &std::path::Path, extra: &[&str]) -> Vec<String> {
    let mut v = vec![
        "--storage-local-rootdir".to_string(),
        dir.to_str().unwrap().to_string(),
    ];
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

/// POSTs a raw package to `<base>/api/charts` (or another path).
pub async fn upload_to(c: &Client, url: &str, data: Vec<u8>) -> StatusCode {
    c.post(url).body(data).send().await.unwrap().status()
}

/// GET, returning status and body.
pub async fn get(c: &Client, url: &str) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// A free TCP port on 127.0.0.1 (bound then released).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Polls `url` until it answers, for processes started here.
pub async fn wait_up(c: &Client, url: &str) {
    for _ in 0..200 {
        if c.get(url).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} did not come up");
}

/// The built server binary with `args`, quiet.
pub fn spawn_binary(args: &[String]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_hoist-repo-server"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Chart names → version count from a GET /api/charts body.
pub fn versions_of(body: &str, name: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v.get(name)
        .and_then(|a| a.as_array())
        .map(Vec::len)
        .unwrap_or(0)
}

/// GET over a raw socket, so the path reaches the server exactly as written
/// (HTTP clients resolve `..` and `%2e%2e` themselves). Returns the status.
pub async fn raw_status(base: &str, path: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out);
    text.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}
