//! Loading the fixture charts under tests/fixtures/chart and packaging them.
//!
//! The expected file lists, metadata and locks in fixtures/chart/golden were
//! produced by real Helm v4 (`helm-render`, release JSON `chart` section);
//! v2chart was rendered with `packed` archived into its charts/ folder, as
//! the tests below build it.

use hoist_core::chart::{self, Chart, PackageOptions};
use serde_json::Value as J;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chart")
}

fn golden(name: &str) -> J {
    let p = fixtures().join("golden").join(format!("{name}.helm.json"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn names(files: &[chart::ChartFile]) -> Vec<String> {
    files.iter().map(|f| f.name.clone()).collect()
}

fn golden_names(g: &J, key: &str) -> Vec<String> {
    g[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// v2chart with `packed` archived into charts/ by hoist's own packager.
fn v2chart_with_archive(dir: &Path) -> PathBuf {
    let root = dir.join("v2chart");
    copy_dir(&fixtures().join("v2chart"), &root);
    let tgz = chart::package(
        fixtures().join("packed"),
        &PackageOptions {
            destination: root.join("charts"),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(tgz.file_name().unwrap(), "packed-2.0.1.tgz");
    root
}

fn assert_lock_matches(c: &Chart, g: &J) {
    let lock = c.lock.as_ref().expect("lock loaded");
    assert_eq!(lock.digest, g["lock"]["digest"].as_str().unwrap());
    assert_eq!(lock.generated, g["lock"]["generated"].as_str().unwrap());
    let deps: Vec<(String, String, String)> = lock
        .dependencies
        .iter()
        .map(|d| (d.name.clone(), d.version.clone(), d.repository.clone()))
        .collect();
    let want: Vec<(String, String, String)> = g["lock"]["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().into(),
                d["version"].as_str().unwrap().into(),
                d["repository"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(deps, want);
}

#[test]
fn v2_chart_with_folder_and_archived_subcharts_loads_like_helm() {
    let tmp = tempfile::tempdir().unwrap();
    let root = v2chart_with_archive(tmp.path());
    let c = chart::load(&root).unwrap();
    let g = golden("v2chart");
    let gm = &g["metadata"];

    assert_eq!(names(&c.templates), golden_names(&g, "templates"));
    assert_eq!(names(&c.files), golden_names(&g, "files"));
    let md = &c.metadata;
    assert_eq!(md.name, gm["name"].as_str().unwrap());
    assert_eq!(md.version, gm["version"].as_str().unwrap());
    assert_eq!(md.api_version, gm["apiVersion"].as_str().unwrap());
    assert_eq!(md.app_version.as_deref(), gm["appVersion"].as_str());
    assert_eq!(md.kube_version.as_deref(), gm["kubeVersion"].as_str());
    assert_eq!(md.description.as_deref(), gm["description"].as_str());
    assert_eq!(md.keywords, ["demo"]);
    assert_eq!(
        md.maintainers[0].email.as_deref(),
        Some("someone@example.com")
    );
    assert_eq!(
        md.annotations.get("example.com/team").map(String::as_str),
        gm["annotations"]["example.com/team"].as_str()
    );
    // Helm renames aliased dependencies and sets `enabled` while installing;
    // what it read from Chart.yaml is the rest.
    for (d, gd) in md
        .dependencies
        .iter()
        .zip(gm["dependencies"].as_array().unwrap())
    {
        assert_eq!(d.version, gd["version"].as_str().unwrap());
        assert_eq!(d.repository, gd["repository"].as_str().unwrap());
        assert_eq!(d.alias.as_deref(), gd["alias"].as_str());
    }
    assert_lock_matches(&c, &g);

    assert_eq!(
        c.raw_values.as_deref(),
        Some(
            std::fs::read_to_string(root.join("values.yaml"))
                .unwrap()
                .as_str()
        )
    );
    assert_eq!(
        c.values.get_path("image.tag").and_then(|v| v.as_str()),
        Some("1.25")
    );
    assert!(c.schema.is_some());
    assert_eq!(
        c.crd_files()
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["crds/widget.yaml"]
    );

    let deps: Vec<&str> = c.dependencies.iter().map(Chart::name).collect();
    assert_eq!(deps, ["packed", "sub"]);
    let packed = &c.dependencies[0];
    assert_eq!(packed.metadata.version, "2.0.1");
    // The BOM of packed/README.md is gone, as Helm drops it.
    assert_eq!(packed.files[0].data, b"# BOM-prefixed readme\n");
    assert_eq!(names(&c.dependencies[1].templates), ["templates/cm.yaml"]);
}

#[test]
fn v1_chart_reads_requirements_like_helm() {
    let c = chart::load(fixtures().join("v1chart")).unwrap();
    let g = golden("v1chart");
    assert_eq!(c.metadata.api_version, "v1");
    assert_eq!(names(&c.files), golden_names(&g, "files"));
    assert_eq!(names(&c.templates), golden_names(&g, "templates"));
    let gd = &g["metadata"]["dependencies"][0];
    let d = &c.metadata.dependencies[0];
    assert_eq!(d.name, gd["name"].as_str().unwrap());
    assert_eq!(d.version, gd["version"].as_str().unwrap());
    assert_eq!(d.repository, gd["repository"].as_str().unwrap());
    assert_eq!(d.tags, ["backend"]);
    assert_lock_matches(&c, &g);
    assert_eq!(c.dependencies.len(), 1);
    assert_eq!(c.dependencies[0].name(), "dep");
}

#[test]
fn helmignore_and_default_rule_apply_like_helm() {
    let c = chart::load(fixtures().join("ignored")).unwrap();
    let g = golden("ignored");
    assert_eq!(names(&c.templates), golden_names(&g, "templates"));
    assert_eq!(names(&c.files), golden_names(&g, "files"));
}

fn sha256(p: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(p).unwrap()))
}

fn pkg(dir: &Path, dest: &Path) -> PathBuf {
    chart::package(
        dir,
        &PackageOptions {
            destination: dest.to_path_buf(),
            ..Default::default()
        },
    )
    .unwrap()
}

/// Compares everything a chart carries, subcharts included.
fn assert_same_chart(a: &Chart, b: &Chart) {
    assert_eq!(a.metadata, b.metadata, "metadata of {}", a.name());
    assert_eq!(a.lock, b.lock, "lock of {}", a.name());
    assert_eq!(a.templates, b.templates, "templates of {}", a.name());
    assert_eq!(a.files, b.files, "files of {}", a.name());
    assert_eq!(a.values, b.values, "values of {}", a.name());
    assert_eq!(a.raw_values, b.raw_values, "raw values of {}", a.name());
    assert_eq!(a.schema, b.schema, "schema of {}", a.name());
    assert_eq!(a.dependencies.len(), b.dependencies.len());
    for (x, y) in a.dependencies.iter().zip(&b.dependencies) {
        assert_same_chart(x, y);
    }
}

#[test]
fn packaging_is_reproducible_and_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let root = v2chart_with_archive(tmp.path());

    let first = pkg(&root, &tmp.path().join("out1"));
    // Touch every file: modification times must not reach the archive.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for f in ["values.yaml", "templates/cm.yaml", "README.md"] {
        let text = std::fs::read(root.join(f)).unwrap();
        std::fs::write(root.join(f), text).unwrap();
    }
    let second = pkg(&root, &tmp.path().join("out2"));
    assert_eq!(first.file_name().unwrap(), "v2chart-1.2.3.tgz");
    let (h1, h2) = (sha256(&first), sha256(&second));
    eprintln!("v2chart-1.2.3.tgz sha256 {h1}");
    assert_eq!(h1, h2);

    let from_dir = chart::load(&root).unwrap();
    let from_pkg = chart::load(&first).unwrap();
    assert_same_chart(&from_dir, &from_pkg);

    // A package of the package's content is byte-identical again.
    let unpacked = tmp.path().join("unpacked");
    for f in chart::archive::read_archive_bytes(&std::fs::read(&first).unwrap(), "t").unwrap() {
        let p = unpacked.join(&f.name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, f.data).unwrap();
    }
    let third = pkg(&unpacked, &tmp.path().join("out3"));
    assert_eq!(sha256(&third), h1);
}

#[test]
fn packaging_honours_helmignore() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pkg(&fixtures().join("ignored"), tmp.path());
    let c = chart::load(&p).unwrap();
    let g = golden("ignored");
    assert_eq!(names(&c.templates), golden_names(&g, "templates"));
    assert_eq!(names(&c.files), golden_names(&g, "files"));
}

#[test]
fn archive_entries_have_normalized_headers() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pkg(&fixtures().join("packed"), tmp.path());
    let bytes = std::fs::read(&p).unwrap();
    // gzip: no file name flag, zero mtime, Helm's extra field and comment.
    assert_eq!(&bytes[..3], b"\x1f\x8b\x08");
    assert_eq!(bytes[3] & 0x08, 0, "no FNAME");
    assert_eq!(&bytes[4..8], &[0, 0, 0, 0], "no mtime");
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    let mut seen = Vec::new();
    for e in ar.entries().unwrap() {
        let e = e.unwrap();
        let h = e.header();
        assert_eq!(h.mode().unwrap(), 0o644);
        assert_eq!(h.uid().unwrap(), 0);
        assert_eq!(h.gid().unwrap(), 0);
        assert_eq!(h.mtime().unwrap(), 0);
        assert_eq!(h.username().unwrap(), Some(""));
        assert_eq!(h.groupname().unwrap(), Some(""));
        seen.push(e.path().unwrap().display().to_string());
    }
    assert_eq!(
        seen,
        [
            "packed/Chart.yaml",
            "packed/values.yaml",
            "packed/templates/cm.yaml",
            "packed/README.md"
        ]
    );
}
