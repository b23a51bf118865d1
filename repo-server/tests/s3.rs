//! The S3 backend against a real S3-compatible server started here on
//! 127.0.0.1: moto in server mode (PyPI `moto[server]`, installed by
//! tests/server/setup.sh), which implements conditional PUT
//! (`If-None-Match: *` → 412). Two replicas over one bucket take
//! concurrent uploads and must serve the same index within the sync bound.
//!
//! Skipped with a note when moto_server is not installed.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use reqwest::{Client, StatusCode};

fn moto_server() -> Option<String> {
    if let Ok(p) = std::env::var("HOIST_MOTO_SERVER") {
        return Some(p);
    }
    let home = std::env::var("XDG_CACHE_HOME")
        .ok()
        .or_else(|| std::env::var("HOME").ok().map(|h| format!("{h}/.cache")))?;
    let p = format!("{home}/hoist/moto-venv/bin/moto_server");
    std::path::Path::new(&p).is_file().then_some(p)
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn replica(endpoint: &str, port: u16) -> Kill {
    Kill(
        Command::new(env!("CARGO_BIN_EXE_hoist-repo-server"))
            .args([
                "--storage",
                "amazon",
                "--storage-amazon-bucket",
                "charts",
                "--storage-amazon-prefix",
                "team/repo",
                "--storage-amazon-region",
                "us-east-1",
                "--storage-amazon-endpoint",
                endpoint,
                "--cache-interval",
                "300ms",
                "--listen-host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
            ])
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_over_one_bucket_converge() {
    let Some(moto) = moto_server() else {
        eprintln!("note: moto_server not installed (run tests/server/setup.sh); skipping");
        return;
    };
    let s3_port = free_port();
    let _moto = Kill(
        Command::new(moto)
            .args(["-H", "127.0.0.1", "-p", &s3_port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let endpoint = format!("http://127.0.0.1:{s3_port}");
    let c = Client::new();
    wait_up(&c, &endpoint).await;
    let r = c.put(format!("{endpoint}/charts")).send().await.unwrap();
    assert!(r.status().is_success(), "create bucket: {}", r.status());

    let (pa, pb) = (free_port(), free_port());
    let _a = replica(&endpoint, pa);
    let _b = replica(&endpoint, pb);
    let (a, b) = (
        format!("http://127.0.0.1:{pa}"),
        format!("http://127.0.0.1:{pb}"),
    );
    wait_up(&c, &format!("{a}/health")).await;
    wait_up(&c, &format!("{b}/health")).await;

    let mut tasks = Vec::new();
    for i in 0..30 {
        let base = if i % 2 == 0 { a.clone() } else { b.clone() };
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            (
                false,
                upload_to(
                    &c,
                    &format!("{base}/api/charts"),
                    chart(&format!("s{i}"), "1.0.0"),
                )
                .await,
            )
        }));
    }
    for i in 0..10 {
        let base = if i % 2 == 0 { a.clone() } else { b.clone() };
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            (
                true,
                upload_to(&c, &format!("{base}/api/charts"), chart("same", "1.0.0")).await,
            )
        }));
    }
    let (mut ok, mut created, mut conflict) = (0, 0, 0);
    for t in tasks {
        match t.await.unwrap() {
            (false, StatusCode::CREATED) => ok += 1,
            (true, StatusCode::CREATED) => created += 1,
            (true, StatusCode::CONFLICT) => conflict += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((ok, created, conflict), (30, 1, 9));

    // Both replicas list the same 31 charts within the bound (sync every
    // 300 ms plus a listing).
    let start = Instant::now();
    loop {
        let (_, ja) = get(&c, &format!("{a}/api/charts")).await;
        let (_, jb) = get(&c, &format!("{b}/api/charts")).await;
        let va: serde_json::Value = serde_json::from_str(&ja).unwrap();
        let vb: serde_json::Value = serde_json::from_str(&jb).unwrap();
        let names = |v: &serde_json::Value| v.as_object().map(|o| o.len());
        if names(&va) == Some(31) && names(&vb) == Some(31) {
            // Same versions and digests on both sides.
            let digests = |v: &serde_json::Value| {
                let mut d: Vec<String> = v
                    .as_object()
                    .unwrap()
                    .values()
                    .flat_map(|a| a.as_array().unwrap().iter())
                    .map(|e| e["digest"].as_str().unwrap().to_string())
                    .collect();
                d.sort();
                d
            };
            assert_eq!(digests(&va), digests(&vb));
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "replicas did not converge:\n{ja}\n{jb}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Downloads come from the bucket through either replica.
    let r = c
        .get(format!("{b}/charts/s0-1.0.0.tgz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().to_vec(), chart("s0", "1.0.0"));
    // A delete through one replica reaches the other.
    let r = c
        .delete(format!("{a}/api/charts/s1/1.0.0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let start = Instant::now();
    while get(&c, &format!("{b}/api/charts/s1")).await.0 != StatusCode::NOT_FOUND {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "delete not seen by replica b"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
