//! Repository index benchmark: a synthetic index of 15,000 charts with two
//! versions each (about 27 MB, the size of Bitnami's), then
//!
//! 1. first parse of index.yaml plus writing the cache (what the first
//!    `repo update` does after the download), and
//! 2. `search repo` from the cache,
//!
//! each in a fresh child process so its wall time and peak RSS (VmHWM) are
//! its own. `cargo bench -p hoist-core --bench repo_index`;
//! `HOIST_BENCH_PHASES=parse,search,stages` picks the phases (`stages` times
//! the steps of the first parse separately).
//! Targets: search < 50 ms; first parse < 0.5 s and < 150 MB peak RSS.
//! Figures, with the load they were taken at: RESULTS-index.md.

use hoist_core::repo::IndexFile;
use hoist_core::repo::cache::{self, CacheFiles};
use hoist_core::repo::http::Validators;
use hoist_core::repo::search::{SearchOptions, search};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

const CHARTS: usize = 15_000;

/// One entry laid out as sigs.k8s.io/yaml writes Helm's index (keys
/// sorted), with the metadata real charts carry.
fn entry(out: &mut String, i: usize, version: &str) {
    let _ = write!(
        out,
        "  - annotations:\n      category: Infrastructure\n      images: |\n        - name: app-{i}\n          image: docker.io/example/app-{i}:{version}-debian-12-r0\n      licenses: Apache-2.0\n    apiVersion: v2\n    appVersion: {version}\n    created: \"2026-11-{day:02}T10:{min:02}:00.123456789Z\"\n    dependencies:\n    - name: common\n      repository: oci://registry-1.docker.io/examplecharts\n      tags:\n      - example-common\n      version: 2.x.x\n    description: Chart {i} of the synthetic repository, a web application.\n    digest: {digest:064x}\n    home: https://example.com/charts/app-{i}\n    icon: https://example.com/icons/app-{i}.svg\n    keywords:\n    - app-{i}\n    - web\n    - http\n    maintainers:\n    - name: Example Inc.\n      url: https://github.com/example/charts\n    name: app-{i}\n    sources:\n    - https://github.com/example/charts/tree/main/example/app-{i}\n    urls:\n    - https://charts.example.com/app-{i}-{version}.tgz\n    version: {version}\n",
        day = i % 28 + 1,
        min = i % 60,
        digest = i as u128 * 0x9e37_79b9_7f4a_7c15,
    );
}

fn generate(path: &Path) {
    let mut s = String::with_capacity(28 << 20);
    s.push_str("apiVersion: v1\nentries:\n");
    for i in 0..CHARTS {
        let _ = writeln!(s, "  app-{i}:");
        entry(&mut s, i, &format!("{}.{}.1", i % 20 + 1, i % 7));
        entry(&mut s, i, &format!("{}.{}.0", i % 20 + 1, i % 7));
    }
    s.push_str("generated: \"2026-11-27T10:00:00Z\"\n");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, s).unwrap();
}

/// Peak resident set size of this process, in MB (Linux).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// CPU time (user + system) this process has used, in ms (Linux, 10 ms
/// ticks). Shared CI machines are often oversubscribed, so wall time alone
/// overstates the cost.
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks * 10.0)
        })
        .unwrap_or(f64::NAN)
}

fn phase(name: &str, dir: &Path) {
    let cache_dir = dir.join("repository");
    match name {
        "parse" => {
            let files = CacheFiles::new(&cache_dir, "bench");
            let t = Instant::now();
            let data = std::fs::read(&files.yaml).unwrap();
            let index =
                cache::parse_and_store(&files, &data, &Validators::default(), "bench").unwrap();
            let ms = t.elapsed().as_secs_f64() * 1e3;
            assert_eq!(index.entries.len(), CHARTS);
            println!(
                "first parse + cache write: {ms:.0} ms wall, {:.0} ms CPU, peak RSS {:.0} MB ({} charts)",
                cpu_ms(),
                peak_rss_mb(),
                index.entries.len()
            );
        }
        "search" => {
            let t = Instant::now();
            let index = cache::load(&cache_dir, "bench").unwrap();
            let res = search(
                &[("bench".to_string(), index)],
                Some("app-1234"),
                &SearchOptions::default(),
            )
            .unwrap();
            let ms = t.elapsed().as_secs_f64() * 1e3;
            assert!(!res.is_empty());
            println!(
                "search from cache: {ms:.1} ms wall, {:.0} ms CPU, peak RSS {:.0} MB ({} hits)",
                cpu_ms(),
                peak_rss_mb(),
                res.len()
            );
        }
        "stages" => stages(&cache_dir),
        "json" => json(),
        _ => panic!("unknown phase {name}"),
    }
}

/// The fields `IndexFile` keeps, read by serde-saphyr as hoist did
/// before the direct reader (the reference path it falls back to).
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct SerdeVersion {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default, rename = "appVersion")]
    app_version: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    keywords: Option<Vec<String>>,
    #[serde(default, rename = "apiVersion")]
    api_version: Option<String>,
    #[serde(default, rename = "type")]
    chart_type: Option<String>,
    #[serde(default)]
    deprecated: Option<bool>,
    #[serde(default)]
    urls: Option<Vec<String>>,
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    created: Option<String>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct SerdeIndex {
    #[serde(default, rename = "apiVersion")]
    api_version: Option<String>,
    #[serde(default)]
    entries: Option<std::collections::BTreeMap<String, Option<Vec<Option<SerdeVersion>>>>>,
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Times the steps of the first parse separately, to see where the time
/// goes: reading, the YAML syntax alone (parser events), serde-saphyr's
/// typed read (the previous implementation's core), `IndexFile::parse` on
/// one thread and on all, and the cache writes.
fn stages(cache_dir: &Path) {
    let files = CacheFiles::new(cache_dir, "bench");
    let t = Instant::now();
    let data = std::fs::read(&files.yaml).unwrap();
    let read = t.elapsed();
    let text = std::str::from_utf8(&data).unwrap();
    let t = Instant::now();
    let mut events = 0usize;
    let mut parser = serde_saphyr::granit_parser::Parser::new_from_str(text);
    while let Some(ev) = parser.next_event() {
        ev.unwrap();
        events += 1;
    }
    let syntax = t.elapsed();
    let t = Instant::now();
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = usize::MAX;
    budget.max_nodes = usize::MAX;
    budget.max_total_scalar_bytes = usize::MAX;
    budget.max_reader_input_bytes = None;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    let typed: SerdeIndex = serde_saphyr::from_str_with_options(text, options).unwrap();
    let serde = t.elapsed();
    drop(typed);
    let t = Instant::now();
    let index = IndexFile::parse_with_threads(&data, "bench", 1).unwrap();
    let one = t.elapsed();
    drop(index);
    let t = Instant::now();
    let index = IndexFile::parse(&data, "bench").unwrap();
    let all = t.elapsed();
    let t = Instant::now();
    hoist_core::repo::fsutil::write_atomic(&cache_dir.join("copy.yaml"), &data, 0o644).unwrap();
    let yaml_write = t.elapsed();
    let t = Instant::now();
    cache::store(&files, &data, &index, &Validators::default()).unwrap();
    let store = t.elapsed();
    println!(
        "stages (ms): read {:.0}, parser events only {:.0} ({events} events), serde-saphyr typed {:.0}, IndexFile::parse 1 thread {:.0}, all threads {:.0}, yaml write+fsync {:.0}, cache::store {:.0}",
        ms(read),
        ms(syntax),
        ms(serde),
        ms(one),
        ms(all),
        ms(yaml_write),
        ms(store),
    );
}

/// One entry of the JSON form of the synthetic index: the same fields and
/// values as [`entry`], every scalar a JSON string as Helm writes them.
fn json_entry(i: usize, version: &str) -> serde_json::Value {
    serde_json::json!({
        "annotations": {
            "category": "Infrastructure",
            "images": format!("- name: app-{i}\n  image: docker.io/example/app-{i}:{version}-debian-12-r0\n"),
            "licenses": "Apache-2.0",
        },
        "apiVersion": "v2",
        "appVersion": version,
        "created": format!("2026-11-{:02}T10:{:02}:00.123456789Z", i % 28 + 1, i % 60),
        "dependencies": [{
            "name": "common",
            "repository": "oci://registry-1.docker.io/examplecharts",
            "tags": ["example-common"],
            "version": "2.x.x",
        }],
        "description": format!("Chart {i} of the synthetic repository, a web application."),
        "digest": format!("{:064x}", i as u128 * 0x9e37_79b9_7f4a_7c15),
        "home": format!("https://example.com/charts/app-{i}"),
        "icon": format!("https://example.com/icons/app-{i}.svg"),
        "keywords": [format!("app-{i}"), "web", "http"],
        "maintainers": [{"name": "Example Inc.", "url": "https://github.com/example/charts"}],
        "name": format!("app-{i}"),
        "sources": [format!("https://github.com/example/charts/tree/main/example/app-{i}")],
        "urls": [format!("https://charts.example.com/app-{i}-{version}.tgz")],
        "version": version,
    })
}

/// The same index as JSON (Helm reads both), built outside the timing.
fn json() {
    let mut entries = serde_json::Map::new();
    for i in 0..CHARTS {
        let versions: Vec<_> = [
            format!("{}.{}.1", i % 20 + 1, i % 7),
            format!("{}.{}.0", i % 20 + 1, i % 7),
        ]
        .iter()
        .map(|v| json_entry(i, v))
        .collect();
        entries.insert(format!("app-{i}"), versions.into());
    }
    let doc = serde_json::json!({"apiVersion": "v1", "entries": entries, "generated": "2026-11-27T10:00:00Z"});
    let data = serde_json::to_vec_pretty(&doc).unwrap();
    drop(doc);
    let t = Instant::now();
    let index = IndexFile::parse(&data, "bench.json").unwrap();
    let elapsed = t.elapsed();
    assert_eq!(index.entries.len(), CHARTS);
    println!(
        "JSON index ({:.1} MB): IndexFile::parse {:.0} ms",
        data.len() as f64 / 1e6,
        ms(elapsed)
    );
}

fn main() {
    if let (Ok(p), Ok(dir)) = (
        std::env::var("HOIST_BENCH_PHASE"),
        std::env::var("HOIST_BENCH_DIR"),
    ) {
        phase(&p, Path::new(&dir));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let yaml = CacheFiles::new(&dir.path().join("repository"), "bench").yaml;
    generate(&yaml);
    let size = std::fs::metadata(&yaml).unwrap().len();
    println!(
        "synthetic index: {CHARTS} charts x 2 versions, {:.1} MB",
        size as f64 / 1e6
    );
    let exe = std::env::current_exe().unwrap();
    let phases: Vec<String> = std::env::var("HOIST_BENCH_PHASES")
        .map(|p| p.split(',').map(str::to_string).collect())
        .unwrap_or_else(|_| vec!["parse".into(), "search".into(), "search".into()]);
    for p in &phases {
        let status = std::process::Command::new(&exe)
            .env("HOIST_BENCH_PHASE", p)
            .env("HOIST_BENCH_DIR", dir.path())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let fast = CacheFiles::new(&dir.path().join("repository"), "bench").fast;
    println!(
        "fast cache size: {:.1} MB",
        std::fs::metadata(fast).unwrap().len() as f64 / 1e6
    );
}
