//! OCI registry end-to-end tests against a real distribution registry
//! (Debian's `docker-registry`, installed by tests/oci/setup.sh) started on a
//! free port of 127.0.0.1 for each test. Tests skip with a note when the
//! registry binary is missing.

use hoist_core::registry::{self, ClientOptions, Credentials, RegistryError};
use hoist_e2e::{fixture, hoist_bin};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const REGISTRY_BIN: &str = "/usr/bin/docker-registry";
const CHART_TGZ: &str = "signme-1.2.3+build.7.tgz";

/// A registry process that is killed when dropped.
struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts a registry; with `user` it requires htpasswd Basic auth.
fn start_registry(user: Option<(&str, &str)>) -> Option<Registry> {
    if !Path::new(REGISTRY_BIN).exists() {
        eprintln!("note: {REGISTRY_BIN} is missing (run tests/oci/setup.sh); skipping");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut auth = String::new();
    if let Some((u, p)) = user {
        let htpasswd = dir.path().join("htpasswd");
        let out = Command::new("htpasswd")
            .args(["-Bbn", u, p])
            .output()
            .expect("htpasswd (apache2-utils) must be installed: run tests/oci/setup.sh");
        assert!(out.status.success());
        std::fs::write(&htpasswd, &out.stdout).unwrap();
        auth = format!(
            "auth:\n  htpasswd:\n    realm: hoist-test\n    path: {}\n",
            htpasswd.display()
        );
    }
    let config = format!(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n{auth}",
        dir.path().join("data").display()
    );
    let config_path = dir.path().join("config.yml");
    std::fs::write(&config_path, config).unwrap();
    let child = Command::new(REGISTRY_BIN)
        .arg("serve")
        .arg(&config_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let reg = Registry {
        child,
        port,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(reg);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("registry did not start on port {port}");
}

/// A plain HTTP/1.0 GET, returning (status line, body).
fn http_get(host: &str, path: &str, accept: &str) -> (String, Vec<u8>) {
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {host}\r\nAccept: {accept}\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    (
        head.lines().next().unwrap_or_default().to_string(),
        buf[split + 4..].to_vec(),
    )
}

/// A plain HTTP/1.0 request with a body, returning the status line and headers.
fn http_send(host: &str, method: &str, path: &str, ctype: &str, body: &[u8]) -> String {
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    String::from_utf8_lossy(&buf).into_owned()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn run_hoist(config_home: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    run_hoist_env(config_home, args, stdin, &[])
}

/// [`run_hoist`] with more environment variables (PATH for credential
/// helpers, the cache folder).
fn run_hoist_env(
    config_home: &Path,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, String)],
) -> (i32, String, String) {
    let mut cmd = Command::new(hoist_bin());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .args(args)
        .env("HOIST_CONFIG_HOME", config_home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    // miette wraps long messages and draws a margin: undo both so tests can
    // match phrases.
    let stderr = String::from_utf8_lossy(&out.stderr)
        .replace(['│', '×'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

/// Packages and signs the fixture chart into `dir`; returns the archive path.
fn signed_chart(dir: &Path) -> PathBuf {
    let prov = fixture("provenance");
    let (code, out, err) = run_hoist(
        dir,
        &[
            "package",
            prov.join("signme").to_str().unwrap(),
            "-d",
            dir.to_str().unwrap(),
            "--sign",
            "--key",
            "signer@hoist.test",
            "--keyring",
            prov.join("signer-secring.gpg").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    dir.join(CHART_TGZ)
}

fn plain() -> ClientOptions {
    ClientOptions {
        plain_http: true,
        ..Default::default()
    }
}

#[test]
fn push_then_pull_round_trip_keeps_bytes_and_helm_media_types() {
    let Some(reg) = start_registry(None) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let archive = signed_chart(work.path());
    let remote = format!("oci://{}/charts", reg.host());
    let (code, out, err) = run_hoist(
        work.path(),
        &["push", archive.to_str().unwrap(), &remote, "--plain-http"],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "Pushed: {}/charts/signme:1.2.3_build.7",
            reg.host()
        )),
        "{out}"
    );

    // The manifest as stored: Helm's media types and annotations.
    let (status, body) = http_get(
        &reg.host(),
        "/v2/charts/signme/manifests/1.2.3_build.7",
        "application/vnd.oci.image.manifest.v1+json",
    );
    assert!(status.contains("200"), "{status}");
    let m: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(m["schemaVersion"], 2);
    assert_eq!(
        m["config"]["mediaType"],
        "application/vnd.cncf.helm.config.v1+json"
    );
    let mut types: Vec<&str> = m["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["mediaType"].as_str().unwrap())
        .collect();
    types.sort();
    assert_eq!(
        types,
        [
            "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
            "application/vnd.cncf.helm.chart.provenance.v1.prov"
        ]
    );
    assert_eq!(
        m["annotations"]["org.opencontainers.image.version"],
        "1.2.3+build.7"
    );
    assert_eq!(m["annotations"]["org.opencontainers.image.title"], "signme");
    let config_digest = m["config"]["digest"].as_str().unwrap();
    let (_, config) = http_get(
        &reg.host(),
        &format!("/v2/charts/signme/blobs/{config_digest}"),
        "*/*",
    );
    let config: serde_json::Value = serde_json::from_slice(&config).unwrap();
    assert_eq!(config["name"], "signme");
    assert_eq!(config["version"], "1.2.3+build.7");
    assert_eq!(config["apiVersion"], "v2");

    // Pull by exact version, by constraint and by digest.
    let chart_ref = format!("oci://{}/charts/signme", reg.host());
    let bytes = std::fs::read(&archive).unwrap();
    let prov = std::fs::read(work.path().join(format!("{CHART_TGZ}.prov"))).unwrap();
    let by_version = block_on(registry::pull(&chart_ref, Some("1.2.3+build.7"), &plain())).unwrap();
    assert_eq!(by_version.chart, bytes);
    assert_eq!(by_version.prov.as_deref(), Some(prov.as_slice()));
    assert_eq!(by_version.file_name(), CHART_TGZ);
    let by_constraint = block_on(registry::pull(&chart_ref, Some("^1.0.0"), &plain())).unwrap();
    assert_eq!(by_constraint.chart, bytes);
    let pinned = format!("{chart_ref}@{}", by_version.manifest_digest);
    let by_digest = block_on(registry::pull(&pinned, None, &plain())).unwrap();
    assert_eq!(by_digest.chart, bytes);
    let tags = block_on(registry::tags(&chart_ref, &plain())).unwrap();
    assert_eq!(tags, ["1.2.3+build.7"]);
}

#[test]
fn missing_tag_and_unmatched_constraint_are_clear_errors() {
    let Some(reg) = start_registry(None) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let archive = std::fs::read(signed_chart(work.path())).unwrap();
    let remote = format!("oci://{}/charts", reg.host());
    block_on(registry::push(&archive, None, &remote, &plain())).unwrap();
    let chart_ref = format!("oci://{}/charts/signme", reg.host());
    let err = block_on(registry::pull(&chart_ref, Some("9.9.9"), &plain())).unwrap_err();
    assert!(matches!(err, RegistryError::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("no manifest 9.9.9"), "{err}");
    let err = block_on(registry::pull(&chart_ref, Some(">=2.0.0"), &plain())).unwrap_err();
    assert!(
        matches!(err, RegistryError::NoMatchingVersion { .. }),
        "{err}"
    );
    let err = block_on(registry::pull(
        &format!("oci://{}/charts/absent", reg.host()),
        None,
        &plain(),
    ))
    .unwrap_err();
    assert!(matches!(err, RegistryError::NotFound { .. }), "{err}");
}

#[test]
fn a_stale_docker_creds_store_does_not_break_anonymous_pulls() {
    let Some(reg) = start_registry(None) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let archive = std::fs::read(signed_chart(work.path())).unwrap();
    let remote = format!("oci://{}/charts", reg.host());
    block_on(registry::push(&archive, None, &remote, &plain())).unwrap();
    // Docker's config names a helper that is not installed (Docker
    // Desktop uninstalled); the registry never asks for credentials.
    let docker = work.path().join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    std::fs::write(
        docker.join("config.json"),
        r#"{"credsStore":"hoist-absent-desktop"}"#,
    )
    .unwrap();
    let env = [
        ("DOCKER_CONFIG", docker.display().to_string()),
        (
            "HOIST_CACHE_HOME",
            work.path().join("cache").display().to_string(),
        ),
    ];
    let out_dir = work.path().join("out");
    let (code, out, err) = run_hoist_env(
        &work.path().join("config"),
        &[
            "pull",
            &format!("{remote}/signme"),
            "--plain-http",
            "-d",
            out_dir.to_str().unwrap(),
        ],
        None,
        &env,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out_dir.join(CHART_TGZ).exists(), "{out}{err}");
}

#[test]
fn basic_auth_login_push_and_wrong_credentials() {
    let Some(reg) = start_registry(Some(("tester", "right-password"))) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let config_home = work.path().join("config");
    let archive = signed_chart(work.path());
    let remote = format!("oci://{}/charts", reg.host());

    // Anonymous push: refused, with a hint to log in.
    let (code, _, err) = run_hoist(
        &config_home,
        &["push", archive.to_str().unwrap(), &remote, "--plain-http"],
        None,
    );
    assert_ne!(code, 0);
    assert!(err.contains("requires credentials"), "{err}");
    assert!(err.contains("registry login"), "{err}");

    // Wrong password: login fails and stores nothing.
    let host = reg.host();
    let (code, _, err) = run_hoist(
        &config_home,
        &[
            "registry",
            "login",
            &host,
            "-u",
            "tester",
            "-p",
            "wrong",
            "--plain-http",
        ],
        None,
    );
    assert_ne!(code, 0);
    assert!(err.contains("refused the credentials"), "{err}");
    let creds_file = config_home.join("registry/config.json");
    assert!(!creds_file.exists());

    // Right password through stdin: stored 0600, then push works.
    let (code, out, err) = run_hoist(
        &config_home,
        &[
            "registry",
            "login",
            &host,
            "-u",
            "tester",
            "--password-stdin",
            "--plain-http",
        ],
        Some("right-password\n"),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Login Succeeded"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&creds_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (code, out, err) = run_hoist(
        &config_home,
        &["push", archive.to_str().unwrap(), &remote, "--plain-http"],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");

    // Library pull with explicit wrong credentials is refused.
    let bad = ClientOptions {
        plain_http: true,
        credentials: Some(Credentials {
            username: "tester".into(),
            password: "nope".into(),
        }),
        ..Default::default()
    };
    let err = block_on(registry::pull(
        &format!("oci://{host}/charts/signme"),
        Some("1.2.3+build.7"),
        &bad,
    ))
    .unwrap_err();
    assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err}");

    // Logout forgets the host; a second logout says so.
    let (code, _, _) = run_hoist(&config_home, &["registry", "logout", &host], None);
    assert_eq!(code, 0);
    let (code, _, err) = run_hoist(&config_home, &["registry", "logout", &host], None);
    assert_ne!(code, 0);
    assert!(err.contains("not logged in"), "{err}");

    // Helm's --registry-config (and HELM_REGISTRY_CONFIG) put the
    // credentials in another file, which push then reads.
    let elsewhere = work.path().join("ci/registry.json");
    let elsewhere_flag = elsewhere.to_str().unwrap();
    let (code, out, err) = run_hoist(
        &config_home,
        &[
            "registry",
            "login",
            &host,
            "-u",
            "tester",
            "--password-stdin",
            "--plain-http",
            "--registry-config",
            elsewhere_flag,
        ],
        Some("right-password\n"),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(elsewhere.exists());
    // The default file (kept, empty, by the logout above) was not written.
    let default = std::fs::read_to_string(&creds_file).unwrap_or_default();
    assert!(!default.contains(&host), "{default}");
    let (code, out, err) = run_hoist_env(
        &config_home,
        &["push", archive.to_str().unwrap(), &remote, "--plain-http"],
        None,
        &[("HELM_REGISTRY_CONFIG", elsewhere_flag.to_string())],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = run_hoist(
        &config_home,
        &["push", archive.to_str().unwrap(), &remote, "--plain-http"],
        None,
    );
    assert_ne!(code, 0, "pushed without credentials in the default file");
    assert!(err.contains("requires credentials"), "{err}");
}

#[test]
fn chart_pushed_by_helm_is_pulled() {
    // tests/fixtures/oci/helm-push/ holds what real Helm uploaded for the
    // signme chart (manifest, config and layer blobs, captured from a
    // registry after `helm push`); upload the same bytes and pull them.
    let Some(reg) = start_registry(None) else {
        return;
    };
    let dir = fixture("oci/helm-push");
    let manifest = std::fs::read(dir.join("manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    let mut descs = vec![m["config"].clone()];
    descs.extend(m["layers"].as_array().unwrap().iter().cloned());
    for d in &descs {
        let digest = d["digest"].as_str().unwrap();
        let blob = std::fs::read(dir.join(digest.replace(':', "-"))).unwrap();
        let reply = http_send(
            &reg.host(),
            "POST",
            "/v2/helm/signme/blobs/uploads/",
            "application/octet-stream",
            b"",
        );
        let location = reply
            .lines()
            .find_map(|l| l.strip_prefix("Location: "))
            .unwrap()
            .trim()
            .to_string();
        let path = location
            .split_once(&reg.host())
            .map(|(_, p)| p.to_string())
            .unwrap_or(location.clone());
        let sep = if path.contains('?') { '&' } else { '?' };
        let put = http_send(
            &reg.host(),
            "PUT",
            &format!("{path}{sep}digest={digest}"),
            "application/octet-stream",
            &blob,
        );
        assert!(
            put.starts_with("HTTP/1.0 201") || put.starts_with("HTTP/1.1 201"),
            "{put}"
        );
    }
    let put = http_send(
        &reg.host(),
        "PUT",
        "/v2/helm/signme/manifests/1.2.3_build.7",
        "application/vnd.oci.image.manifest.v1+json",
        &manifest,
    );
    assert!(put.contains(" 201 "), "{put}");

    let pulled = block_on(registry::pull(
        &format!("oci://{}/helm/signme:1.2.3+build.7", reg.host()),
        None,
        &plain(),
    ))
    .unwrap();
    let chart_layer = descs
        .iter()
        .find(|d| d["mediaType"] == "application/vnd.cncf.helm.chart.content.v1.tar+gzip")
        .unwrap();
    assert_eq!(pulled.chart_digest, chart_layer["digest"].as_str().unwrap());
    assert_eq!(pulled.file_name(), CHART_TGZ);
    assert!(pulled.prov.is_some());
    let chart = hoist_core::chart::load_archive_bytes(&pulled.chart).unwrap();
    assert_eq!(chart.metadata.version, "1.2.3+build.7");
}

/// Writes a small chart NAME VERSION (one ConfigMap naming its version) and
/// packages it into `dir`; returns the archive's bytes.
fn packaged(dir: &Path, name: &str, version: &str) -> Vec<u8> {
    let src = dir.join("src").join(format!("{name}-{version}"));
    std::fs::create_dir_all(src.join("templates")).unwrap();
    std::fs::write(
        src.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: {version}\ndescription: test chart\n"),
    )
    .unwrap();
    std::fs::write(
        src.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}\ndata:\n  version: {{ .Chart.Version | quote }}\n",
    )
    .unwrap();
    let out = dir.join("pkg");
    let (code, o, e) = run_hoist(
        dir,
        &[
            "package",
            src.to_str().unwrap(),
            "-d",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0, "{o}{e}");
    std::fs::read(out.join(format!("{name}-{version}.tgz"))).unwrap()
}

#[test]
fn oci_dependencies_pick_the_highest_matching_tag_lock_and_build() {
    let Some(reg) = start_registry(None) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("config");
    let env = [(
        "HOIST_CACHE_HOME",
        work.path().join("cache").display().to_string(),
    )];
    let host = reg.host();
    let remote = format!("oci://{host}/charts");
    let mut pushed = std::collections::HashMap::new();
    for (name, version) in [
        ("sub", "1.0.0"),
        ("sub", "1.2.0"),
        ("sub", "1.3.0-rc.1"),
        ("sub", "2.0.0"),
        ("other", "0.5.0+build.1"),
    ] {
        let bytes = packaged(work.path(), name, version);
        block_on(registry::push(&bytes, None, &remote, &plain())).unwrap();
        pushed.insert(format!("{name}-{version}"), bytes);
    }
    let top = work.path().join("top");
    std::fs::create_dir_all(&top).unwrap();
    let write_top = |sub_version: &str| {
        std::fs::write(
            top.join("Chart.yaml"),
            format!(
                "apiVersion: v2\nname: top\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: \"{sub_version}\"\n  repository: {remote}\n- name: other\n  version: 0.5.0+build.1\n  repository: {remote}/\n"
            ),
        )
        .unwrap();
    };
    write_top("^1.0.0");
    let top_s = top.to_str().unwrap();
    let (code, out, err) = run_hoist_env(
        &home,
        &["dependency", "update", top_s, "--plain-http"],
        None,
        &env,
    );
    assert_eq!(code, 0, "{out}{err}");
    // ^1.0.0 passes over 2.0.0 and the prerelease 1.3.0-rc.1.
    for line in [
        "Saving 2 charts",
        &format!("Downloading sub from repo {remote}"),
        &format!("Pulled: {host}/charts/sub:1.2.0"),
        &format!("Pulled: {host}/charts/other:0.5.0_build.1"),
        "Digest: sha256:",
    ] {
        assert!(out.contains(line), "{line:?} missing from:\n{out}");
    }
    let vendored = |file: &str| std::fs::read(top.join("charts").join(file)).unwrap();
    assert_eq!(vendored("sub-1.2.0.tgz"), pushed["sub-1.2.0"]);
    assert_eq!(
        vendored("other-0.5.0+build.1.tgz"),
        pushed["other-0.5.0+build.1"]
    );
    let lock = std::fs::read_to_string(top.join("Chart.lock")).unwrap();
    assert!(
        lock.starts_with(&format!(
            "dependencies:\n- name: sub\n  repository: {remote}\n  version: 1.2.0\n- name: other\n  repository: {remote}/\n  version: 0.5.0+build.1\ndigest: sha256:"
        )),
        "{lock}"
    );
    let (_, list, _) = run_hoist(&home, &["dependency", "list", top_s], None);
    assert_eq!(list.matches("\tok").count(), 2, "{list}");

    // build re-downloads exactly what the lock names.
    std::fs::remove_dir_all(top.join("charts")).unwrap();
    let (code, out, err) = run_hoist_env(
        &home,
        &["dependency", "build", top_s, "--plain-http"],
        None,
        &env,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(vendored("sub-1.2.0.tgz"), pushed["sub-1.2.0"]);
    let (code, out, err) = run_hoist_env(&home, &["template", "x", top_s], None, &env);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("name: x-sub") && out.contains("version: \"1.2.0\""),
        "{out}"
    );

    // A constraint no tag satisfies. Helm's resolver never reports OCI
    // dependencies as missing (it takes them as found and fails later, at
    // download); hoist checks the registry's tags while resolving and
    // reports them in the wording of Helm's resolver for repositories: a
    // deliberate, earlier error.
    write_top("^3.0.0");
    let (code, _, err) = run_hoist_env(
        &home,
        &["dependency", "update", top_s, "--plain-http"],
        None,
        &env,
    );
    assert_ne!(code, 0);
    assert!(
        err.contains(&format!(
            "can't get a valid version for 1 subchart(s): \"sub\" (repository \"{remote}\", version \"^3.0.0\")"
        )),
        "{err}"
    );
    // An exact version is taken without listing tags; a missing chart
    // fails the download, naming it, and charts/ is left as it was.
    std::fs::write(
        top.join("Chart.yaml"),
        format!("apiVersion: v2\nname: top\nversion: 0.1.0\ndependencies:\n- name: absent\n  version: 1.0.0\n  repository: {remote}\n"),
    )
    .unwrap();
    let (code, _, err) = run_hoist_env(
        &home,
        &["dependency", "update", top_s, "--plain-http"],
        None,
        &env,
    );
    assert_ne!(code, 0);
    assert!(
        err.contains(&format!("could not download {remote}/absent:")) && err.contains("not found"),
        "{err}"
    );
    assert!(top.join("charts/sub-1.2.0.tgz").exists());
    // A prerelease constraint admits the prerelease.
    write_top(">=1.3.0-0 <2.0.0");
    let (code, out, err) = run_hoist_env(
        &home,
        &["dependency", "update", top_s, "--plain-http"],
        None,
        &env,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(top.join("charts/sub-1.3.0-rc.1.tgz").exists());
    assert!(!top.join("charts/sub-1.2.0.tgz").exists());

    // lint takes oci:// references too.
    let (code, out, err) = run_hoist_env(
        &home,
        &[
            "lint",
            &format!("{remote}/sub"),
            "--version",
            "~1.0",
            "--plain-http",
        ],
        None,
        &env,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("==> Linting {remote}/sub\n")),
        "{out}"
    );
}

/// Writes `docker-credential-NAME` into `bin` as a shell script that logs
/// each call (action and stdin) to `bin/log`, answers `get` with
/// `tester`/`right-password`, and keeps what `store` receives in
/// `bin/stored`.
fn write_helper(bin: &Path, name: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(bin).unwrap();
    let log = bin.join("log");
    let stored = bin.join("stored");
    let script = format!(
        r#"#!/bin/sh
input=$(cat)
echo "$1 $input" >> '{log}'
case "$1" in
  get) printf '{{"ServerURL":"%s","Username":"tester","Secret":"right-password"}}' "$input" ;;
  store) printf '%s' "$input" > '{stored}' ;;
  erase) ;;
  *) echo "unknown action $1"; exit 1 ;;
esac
"#,
        log = log.display(),
        stored = stored.display()
    );
    let path = bin.join(format!("docker-credential-{name}"));
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn credential_helpers_and_logins_reach_a_basic_auth_registry() {
    let Some(reg) = start_registry(Some(("tester", "right-password"))) else {
        return;
    };
    let host = reg.host();
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("config");
    let bin = work.path().join("bin");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let docker = work.path().join("docker");
    let env = [
        ("PATH", path),
        (
            "HOIST_CACHE_HOME",
            work.path().join("cache").display().to_string(),
        ),
        ("DOCKER_CONFIG", docker.display().to_string()),
    ];
    let remote = format!("oci://{host}/charts");
    let bytes = packaged(work.path(), "locked", "1.4.0");
    let with_password = ClientOptions {
        plain_http: true,
        credentials: Some(Credentials {
            username: "tester".into(),
            password: "right-password".into(),
        }),
        ..Default::default()
    };
    block_on(registry::push(&bytes, None, &remote, &with_password)).unwrap();

    // No terminal to prompt on: a clear error, nothing stored.
    let (code, _, err) = run_hoist_env(
        &home,
        &["registry", "login", &host, "-u", "tester", "--plain-http"],
        None,
        &env,
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("standard input is not a terminal") && err.contains("--password-stdin"),
        "{err}"
    );
    let config = home.join("registry/config.json");
    assert!(!config.exists());

    // Nothing in hoist's file: Docker's config.json (`docker login`) is
    // used, as Helm does; without it the registry refuses.
    let out_dir = work.path().join("out");
    let chart_ref = format!("{remote}/locked");
    let pull_args = [
        "pull",
        chart_ref.as_str(),
        "--version",
        "1.4.0",
        "--plain-http",
        "-d",
        out_dir.to_str().unwrap(),
    ];
    std::fs::create_dir_all(&docker).unwrap();
    // base64("tester:right-password")
    std::fs::write(
        docker.join("config.json"),
        format!(r#"{{"auths":{{"{host}":{{"auth":"dGVzdGVyOnJpZ2h0LXBhc3N3b3Jk"}}}}}}"#),
    )
    .unwrap();
    let (code, out, err) = run_hoist_env(&home, &pull_args, None, &env);
    assert_eq!(code, 0, "{out}{err}");
    std::fs::remove_file(out_dir.join("locked-1.4.0.tgz")).unwrap();
    std::fs::remove_file(docker.join("config.json")).unwrap();
    let (code, _, err) = run_hoist_env(&home, &pull_args, None, &env);
    assert_ne!(code, 0);
    assert!(err.contains("requires credentials"), "{err}");
    // An identity token (here under a URL key, as older Docker wrote) is
    // refused with a hint instead of being sent as a broken Basic login.
    std::fs::write(
        docker.join("config.json"),
        format!(r#"{{"auths":{{"https://{host}/v1/":{{"auth":"dGVzdGVyOg==","identitytoken":"refresh"}}}}}}"#),
    )
    .unwrap();
    let (code, _, err) = run_hoist_env(&home, &pull_args, None, &env);
    assert_ne!(code, 0);
    assert!(
        err.contains(&format!(
            "identity tokens (OAuth2 refresh tokens) are not supported yet for {host}"
        )),
        "{err}"
    );
    std::fs::remove_file(docker.join("config.json")).unwrap();

    // A file login applies to dependency update (tag listing and pull).
    let (code, out, err) = run_hoist_env(
        &home,
        &[
            "registry",
            "login",
            &host,
            "-u",
            "tester",
            "--password-stdin",
            "--plain-http",
        ],
        Some("right-password\n"),
        &env,
    );
    assert_eq!(code, 0, "{out}{err}");
    let top = work.path().join("top");
    std::fs::create_dir_all(&top).unwrap();
    std::fs::write(
        top.join("Chart.yaml"),
        format!("apiVersion: v2\nname: top\nversion: 0.1.0\ndependencies:\n- name: locked\n  version: ~1.4\n  repository: {remote}\n"),
    )
    .unwrap();
    let top_s = top.to_str().unwrap();
    let (code, out, err) = run_hoist_env(
        &home,
        &["dependency", "update", top_s, "--plain-http"],
        None,
        &env,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read(top.join("charts/locked-1.4.0.tgz")).unwrap(),
        bytes
    );

    // credHelpers: the helper, not the file, answers for this host.
    write_helper(&bin, "hoisttest");
    std::fs::write(
        &config,
        format!(r#"{{"credHelpers":{{"{host}":"hoisttest"}}}}"#),
    )
    .unwrap();
    let (code, out, err) = run_hoist_env(&home, &pull_args, None, &env);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read(out_dir.join("locked-1.4.0.tgz")).unwrap(),
        bytes
    );
    let log = std::fs::read_to_string(bin.join("log")).unwrap();
    assert_eq!(
        log.lines().next(),
        Some(format!("get {host}").as_str()),
        "{log}"
    );

    // login stores through the helper; the file gets no password.
    let (code, out, err) = run_hoist_env(
        &home,
        &[
            "registry",
            "login",
            &host,
            "-u",
            "tester",
            "--password-stdin",
            "--plain-http",
        ],
        Some("right-password\n"),
        &env,
    );
    assert_eq!(code, 0, "{out}{err}");
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bin.join("stored")).unwrap()).unwrap();
    assert_eq!(
        stored,
        serde_json::json!({"ServerURL": host, "Username": "tester", "Secret": "right-password"})
    );
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(&config).unwrap()).unwrap();
    assert!(file.get("auths").is_none(), "{file}");
    // logout erases through the helper.
    let (code, out, err) = run_hoist_env(&home, &["registry", "logout", &host], None, &env);
    assert_eq!(code, 0, "{out}{err}");
    let log = std::fs::read_to_string(bin.join("log")).unwrap();
    assert_eq!(
        log.lines().last(),
        Some(format!("erase {host}").as_str()),
        "{log}"
    );

    // credsStore naming a helper that is not installed: the error names it.
    std::fs::write(&config, r#"{"credsStore":"hoist-absent"}"#).unwrap();
    let (code, _, err) = run_hoist_env(&home, &pull_args, None, &env);
    assert_ne!(code, 0);
    assert!(
        err.contains("docker-credential-hoist-absent is not on PATH")
            && err.contains("credsStore of"),
        "{err}"
    );
}

#[test]
fn dependency_verify_checks_the_provenance_layer() {
    let Some(reg) = start_registry(None) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("config");
    let env = [(
        "HOIST_CACHE_HOME",
        work.path().join("cache").display().to_string(),
    )];
    let remote = format!("oci://{}/charts", reg.host());
    let archive = signed_chart(work.path());
    let bytes = std::fs::read(&archive).unwrap();
    let prov = std::fs::read(work.path().join(format!("{CHART_TGZ}.prov"))).unwrap();
    block_on(registry::push(&bytes, Some(&prov), &remote, &plain())).unwrap();
    let unsigned = packaged(work.path(), "plain", "1.0.0");
    block_on(registry::push(&unsigned, None, &remote, &plain())).unwrap();

    let top = work.path().join("top");
    std::fs::create_dir_all(&top).unwrap();
    let ring = fixture("provenance/pubring.gpg");
    let ring = ring.to_str().unwrap();
    let top_s = top.to_str().unwrap();
    let write_top = |name: &str, version: &str| {
        std::fs::write(
            top.join("Chart.yaml"),
            format!("apiVersion: v2\nname: top\nversion: 0.1.0\ndependencies:\n- name: {name}\n  version: {version}\n  repository: {remote}\n"),
        )
        .unwrap();
    };
    write_top("signme", "~1.2");
    let (code, out, err) = run_hoist_env(
        &home,
        &[
            "dependency",
            "update",
            top_s,
            "--plain-http",
            "--verify",
            "--keyring",
            ring,
        ],
        None,
        &env,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(top.join("charts").join(CHART_TGZ).exists());

    // No provenance layer: refused, and charts/ keeps what it had.
    write_top("plain", "1.0.0");
    let (code, _, err) = run_hoist_env(
        &home,
        &[
            "dependency",
            "update",
            top_s,
            "--plain-http",
            "--verify",
            "--keyring",
            ring,
        ],
        None,
        &env,
    );
    assert_ne!(code, 0);
    assert!(err.contains("provenance layer"), "{err}");
    assert!(!top.join("charts/plain-1.0.0.tgz").exists());
    // build --verify (which updates when there is no Chart.lock) only
    // warns, as Helm's VerifyIfPossible does.
    std::fs::remove_file(top.join("Chart.lock")).unwrap();
    let (code, out, err) = run_hoist_env(
        &home,
        &[
            "dependency",
            "build",
            top_s,
            "--plain-http",
            "--verify",
            "--keyring",
            ring,
        ],
        None,
        &env,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("WARNING: Verification not found for oci://")
            && out.contains("plain:1.0.0: the manifest has no provenance layer"),
        "{out}"
    );
    assert!(top.join("charts/plain-1.0.0.tgz").exists());
    std::fs::remove_file(top.join("charts/plain-1.0.0.tgz")).unwrap();
    // Without --verify the same update goes through.
    let (code, out, err) = run_hoist_env(
        &home,
        &["dependency", "update", top_s, "--plain-http"],
        None,
        &env,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(top.join("charts/plain-1.0.0.tgz").exists());
}
