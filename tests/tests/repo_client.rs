//! End-to-end tests of the chart repository client (`repo`, `search`,
//! `pull`, `dependency`, and `REPO/CHART` in template/show) against real
//! HTTP servers on 127.0.0.1: small servers written here (so misbehaviour
//! can be staged and every request is logged), hoist-repo-server for basic
//! auth, and `openssl s_server` for TLS with a self-signed CA.

use hoist_e2e::{Sandbox, fixture, hoist_bin};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- servers

/// One request as the test server saw it.
#[derive(Clone, Debug)]
struct Logged {
    path: String,
    status: u16,
    body_bytes: usize,
    authorization: Option<String>,
}

/// How the server answers one request.
enum Reply {
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Accept and never answer.
    Hang,
    /// Announce `declared` bytes, send `body`, close.
    Truncated { declared: usize, body: Vec<u8> },
    /// Announce 2 GiB and stream zeros until the client goes away.
    Huge { chunked: bool },
}

impl Reply {
    /// `status` with `body` and no extra headers.
    fn with(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status,
            headers: vec![],
            body: body.into(),
        }
    }
}

type Handler = dyn Fn(&str, &HashMap<String, String>) -> Reply + Send + Sync;

struct TestServer {
    url: String,
    log: Arc<Mutex<Vec<Logged>>>,
}

impl TestServer {
    fn start(handler: Box<Handler>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::from(handler);
        let log2 = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = handler.clone();
                let log = log2.clone();
                std::thread::spawn(move || serve_one(stream, &*handler, &log));
            }
        });
        TestServer { url, log }
    }

    fn requests(&self, path: &str) -> Vec<Logged> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.path == path)
            .cloned()
            .collect()
    }
}

fn serve_one(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Logged>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let mut out = stream;
    let authorization = headers.get("authorization").cloned();
    let record = |status: u16, body_bytes: usize| {
        log.lock().unwrap().push(Logged {
            path: path.clone(),
            status,
            body_bytes,
            authorization: authorization.clone(),
        })
    };
    match handler(&path, &headers) {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            record(status, body.len());
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = out.write_all(head.as_bytes());
            let _ = out.write_all(&body);
        }
        Reply::Hang => {
            record(0, 0);
            std::thread::sleep(Duration::from_secs(30));
        }
        Reply::Truncated { declared, body } => {
            record(200, body.len());
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\n\r\n");
            let _ = out.write_all(head.as_bytes());
            let _ = out.write_all(&body);
            let _ = out.flush();
        }
        Reply::Huge { chunked } => {
            record(200, 0);
            let head = if chunked {
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_string()
            } else {
                format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", 2u64 << 30)
            };
            let _ = out.write_all(head.as_bytes());
            let zeros = vec![b'0'; 64 * 1024];
            for _ in 0..(2 << 30) / zeros.len() {
                let ok = if chunked {
                    out.write_all(format!("{:x}\r\n", zeros.len()).as_bytes())
                        .and_then(|_| out.write_all(&zeros))
                        .and_then(|_| out.write_all(b"\r\n"))
                } else {
                    out.write_all(&zeros)
                };
                if ok.is_err() {
                    break;
                }
            }
        }
    }
}

fn etag_of(data: &[u8]) -> String {
    format!("\"{}\"", hoist_core::chart::package::sha256_hex(data))
}

/// Serves the files of `dir` with ETags, answering 304 to a matching
/// `If-None-Match`.
fn static_server(dir: &Path) -> TestServer {
    let dir = dir.to_path_buf();
    TestServer::start(Box::new(move |path, headers| {
        let rel = path.trim_start_matches('/').split('?').next().unwrap_or("");
        match std::fs::read(dir.join(rel)) {
            Ok(body) => {
                let etag = etag_of(&body);
                if headers.get("if-none-match") == Some(&etag) {
                    return Reply::Full {
                        status: 304,
                        headers: vec![("ETag".into(), etag)],
                        body: Vec::new(),
                    };
                }
                Reply::Full {
                    status: 200,
                    headers: vec![("ETag".into(), etag)],
                    body,
                }
            }
            Err(_) => Reply::Full {
                status: 404,
                headers: vec![],
                body: b"not found".to_vec(),
            },
        }
    }))
}

/// A child process killed when the test ends.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "server on {port} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---------------------------------------------------------------- hoist

/// A [`Sandbox`] whose `fails` gives the error text.
struct Env(Sandbox);

impl std::ops::Deref for Env {
    type Target = Sandbox;
    fn deref(&self) -> &Sandbox {
        &self.0
    }
}

impl std::ops::DerefMut for Env {
    fn deref_mut(&mut self) -> &mut Sandbox {
        &mut self.0
    }
}

impl Env {
    fn new() -> Env {
        Env(Sandbox::new())
    }

    fn fails(&self, args: &[&str]) -> String {
        self.0.fails(args).stderr
    }

    fn cache_files(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["cache/repository", "cache/charts"] {
            if let Ok(rd) = std::fs::read_dir(self.path(sub)) {
                out.extend(
                    rd.flatten()
                        .map(|e| format!("{sub}/{}", e.file_name().to_string_lossy())),
                );
            }
        }
        out.sort();
        out
    }
}

/// Writes a small chart and packages it into `dest` with hoist.
fn package_chart(env: &Env, name: &str, version: &str, dest: &Path) -> PathBuf {
    let src = env.path(&format!("src/{name}-{version}"));
    std::fs::create_dir_all(src.join("templates")).unwrap();
    std::fs::write(
        src.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"{version}\"\ndescription: The {name} chart\nkeywords: [demo, {name}-kw]\n"),
    )
    .unwrap();
    std::fs::write(
        src.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}\ndata:\n  version: {{ .Chart.Version | quote }}\n",
    )
    .unwrap();
    let d = dest.to_string_lossy().to_string();
    env.ok(&["package", &src.to_string_lossy(), "-d", &d]);
    dest.join(format!("{name}-{version}.tgz"))
}

/// A repository folder with alpha 1.0.0, 1.1.0, 2.0.0-rc.1 and beta 0.1.0,
/// indexed by `hoist repo index`.
fn make_repo(env: &Env) -> PathBuf {
    let repo = env.path("www");
    std::fs::create_dir_all(&repo).unwrap();
    for (n, v) in [
        ("alpha", "1.0.0"),
        ("alpha", "1.1.0"),
        ("alpha", "2.0.0-rc.1"),
        ("beta", "0.1.0"),
    ] {
        package_chart(env, n, v, &repo);
    }
    env.ok(&["repo", "index", &repo.to_string_lossy()]);
    repo
}

/// stderr with miette's margins and line wrapping undone, for matching
/// whole phrases.
fn flat(s: &str) -> String {
    s.replace(['│', '×'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------- tests

#[test]
fn helm_location_flags_move_the_repository_file_and_caches() {
    let mut env = Env::new();
    let repo = make_repo(&env);
    let server = static_server(&repo);
    let repos = env.path("ci/repos.yaml");
    let indexes = env.path("ci/indexes");
    let charts = env.path("ci/charts");
    let flags = [
        "--repository-config",
        repos.to_str().unwrap(),
        "--repository-cache",
        indexes.to_str().unwrap(),
        "--content-cache",
        charts.to_str().unwrap(),
    ];
    let with_flags = |args: &[&str]| -> Vec<String> {
        args.iter()
            .chain(flags.iter())
            .map(|a| a.to_string())
            .collect()
    };
    let args = with_flags(&["repo", "add", "r", &server.url]);
    env.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let file = std::fs::read_to_string(&repos).unwrap();
    assert!(file.contains("name: r"), "{file}");
    assert!(indexes.join("r-index.yaml").exists());
    assert!(!env.path("config/repositories.yaml").exists());
    assert!(!env.path("cache/repository").exists());

    let args = with_flags(&["template", "x", "r/alpha"]);
    let rendered = env.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(rendered.stdout.contains("kind:"), "{}", rendered.stdout);
    assert!(charts.join("alpha-1.1.0.tgz").exists());
    assert!(!env.path("cache/charts").exists());

    // Without the flags hoist reads the default file, which has none.
    let e = env.fails(&["search", "repo", "alpha"]);
    assert!(e.contains("no repositories configured"), "{e}");
    // Helm's variables, as a CI job written for helm sets them.
    env.set("HELM_REPOSITORY_CONFIG", repos.display().to_string());
    env.set("HELM_REPOSITORY_CACHE", indexes.display().to_string());
    let found = env.ok(&["search", "repo", "alpha"]).stdout;
    assert!(found.contains("r/alpha"), "{found}");
}

#[test]
fn add_update_search_pull_and_template() {
    let env = Env::new();
    let repo = make_repo(&env);
    let server = static_server(&repo);
    let out = env.ok(&["repo", "add", "r", &server.url]);
    assert!(
        out.stdout.contains("\"r\" has been added"),
        "{}",
        out.stdout
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.path("config/repositories.yaml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The second fetch of an unchanged index transfers no body.
    env.ok(&["repo", "update"]);
    let idx = server.requests("/index.yaml");
    assert_eq!(idx.len(), 2);
    assert_eq!((idx[0].status, idx[1].status), (200, 304));
    assert!(idx[0].body_bytes > 0);
    assert_eq!(idx[1].body_bytes, 0);

    let s = env.ok(&["search", "repo", "alpha"]).stdout;
    let lines: Vec<&str> = s.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{s}");
    assert!(lines[1].starts_with("r/alpha\t1.1.0"), "{s}");
    assert_eq!(lines.len(), 2, "{s}");
    let s = env
        .ok(&["search", "repo", "alpha", "-l", "--version", "^1.0"])
        .stdout;
    assert!(
        s.contains("1.1.0") && s.contains("1.0.0") && !s.contains("rc"),
        "{s}"
    );
    let s = env.ok(&["search", "repo", "alpha", "--devel"]).stdout;
    assert!(s.contains("2.0.0-rc.1"), "{s}");
    let s = env.ok(&["search", "repo", "beta-kw", "-o", "json"]).stdout;
    assert_eq!(
        s.trim(),
        r#"[{"name":"r/beta","version":"0.1.0","app_version":"0.1.0","description":"The beta chart"}]"#
    );
    assert!(
        env.ok(&["search", "repo", "nothing-like-this"])
            .stdout
            .contains("No results found")
    );

    // pull verifies the digest and writes the archive as served.
    env.ok(&["pull", "r/alpha", "--version", "1.0.0", "-d", "out"]);
    assert_eq!(
        std::fs::read(env.path("out/alpha-1.0.0.tgz")).unwrap(),
        std::fs::read(repo.join("alpha-1.0.0.tgz")).unwrap()
    );
    env.ok(&["pull", "r/alpha", "--untar", "-d", "unpacked"]);
    let chart_yaml = std::fs::read_to_string(env.path("unpacked/alpha/Chart.yaml")).unwrap();
    assert!(chart_yaml.contains("version: 1.1.0"), "{chart_yaml}");
    let again = env.fails(&["pull", "r/alpha", "--untar", "-d", "unpacked"]);
    assert!(
        again.contains("failed to untar") && again.contains("unpacked/alpha"),
        "{again}"
    );
    // A URL reference and --repo work too.
    env.ok(&[
        "fetch",
        &format!("{}/beta-0.1.0.tgz", server.url),
        "-d",
        "byurl",
    ]);
    assert!(env.path("byurl/beta-0.1.0.tgz").exists());
    env.ok(&["pull", "beta", "--repo", &server.url, "-d", "byrepo"]);
    assert!(env.path("byrepo/beta-0.1.0.tgz").exists());

    // template and show take REPO/CHART with --version.
    let t = env
        .ok(&["template", "rel", "r/alpha", "--version", "~1.0.0"])
        .stdout;
    assert!(
        t.contains("name: rel-alpha") && t.contains("version: \"1.0.0\""),
        "{t}"
    );
    let c = env.ok(&["show", "chart", "r/alpha", "--devel"]).stdout;
    assert!(c.contains("version: 2.0.0-rc.1"), "{c}");
    let e = env.fails(&["show", "chart", "r/alpha", "--version", "9.9.9"]);
    assert!(e.contains("9.9.9") && e.contains("alpha"), "{e}");

    let l = env.ok(&["repo", "list"]).stdout;
    assert!(l.starts_with("NAME\tURL") && l.contains(&server.url), "{l}");
    let j = env.ok(&["repo", "list", "-o", "json"]).stdout;
    assert!(j.contains("\"name\": \"r\""), "{j}");
    env.ok(&["repo", "remove", "r"]);
    assert!(
        !env.cache_files().iter().any(|f| f.contains("r-index")),
        "{:?}",
        env.cache_files()
    );
    let e = env.fails(&["repo", "remove", "r"]);
    assert!(e.contains("no repo named \"r\""), "{e}");
}

#[test]
fn add_of_an_existing_name_follows_helm() {
    let env = Env::new();
    let repo = make_repo(&env);
    let server = static_server(&repo);
    env.ok(&["repo", "add", "r", &server.url]);
    let same = env.ok(&["repo", "add", "r", &server.url]).stdout;
    assert!(
        same.contains("already exists with the same configuration"),
        "{same}"
    );
    let e = env.fails(&["repo", "add", "r", &format!("{}/other", server.url)]);
    assert!(e.contains("repository name (r) already exists"), "{e}");
}

#[test]
fn digest_mismatch_is_refused_and_nothing_is_written() {
    let env = Env::new();
    let repo = make_repo(&env);
    let index = std::fs::read_to_string(repo.join("index.yaml")).unwrap();
    let real = hoist_core::chart::package::sha256_hex(
        &std::fs::read(repo.join("beta-0.1.0.tgz")).unwrap(),
    );
    let fake = "0".repeat(64);
    std::fs::write(repo.join("index.yaml"), index.replace(&real, &fake)).unwrap();
    let server = static_server(&repo);
    env.ok(&["repo", "add", "r", &server.url]);
    let e = env.fails(&["pull", "r/beta", "-d", "out"]);
    assert!(
        e.contains(&fake) && e.contains(&real) && e.contains("digest mismatch"),
        "{e}"
    );
    assert!(!env.path("out/beta-0.1.0.tgz").exists());
    let e = env.fails(&["template", "r/beta"]);
    assert!(e.contains("digest mismatch"), "{e}");
    assert!(
        !env.cache_files()
            .iter()
            .any(|f| f.starts_with("cache/charts/")),
        "{:?}",
        env.cache_files()
    );
}

#[test]
fn dot_dot_urls_and_malformed_indexes() {
    let env = Env::new();
    let repo = make_repo(&env);
    let index = std::fs::read_to_string(repo.join("index.yaml")).unwrap();
    std::fs::write(
        repo.join("index.yaml"),
        index.replace("- beta-0.1.0.tgz", "- ../../beta-0.1.0.tgz"),
    )
    .unwrap();
    let server = static_server(&repo);
    let r = env.ok(&["repo", "add", "r", &server.url]);
    assert!(
        r.stderr.contains("\"beta\" version \"0.1.0\"") && r.stderr.contains(".."),
        "{}",
        r.stderr
    );
    let e = env.fails(&["pull", "r/beta"]);
    assert!(e.contains("beta"), "{e}");

    // A malformed index is not added, and does not replace a good cache.
    let cached = std::fs::read(env.path("cache/repository/r-index.yaml")).unwrap();
    std::fs::write(
        repo.join("index.yaml"),
        "apiVersion: v1\nentries: [unclosed\n",
    )
    .unwrap();
    let r = env.run(&["repo", "update"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stdout.contains("Unable to get an update") && r.stdout.contains("invalid index"),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read(env.path("cache/repository/r-index.yaml")).unwrap(),
        cached
    );
    let e = env.fails(&["repo", "add", "bad", &server.url]);
    assert!(e.contains("is not a valid chart repository"), "{e}");
    let config = std::fs::read_to_string(env.path("config/repositories.yaml")).unwrap();
    assert!(!config.contains("name: bad"), "{config}");
    assert!(
        !env.cache_files().iter().any(|f| f.contains("bad-")),
        "{:?}",
        env.cache_files()
    );
}

#[test]
fn huge_slow_and_truncated_responses_fail_cleanly() {
    let mut env = Env::new();
    let repo = make_repo(&env);
    let good = static_server(&repo);
    env.ok(&["repo", "add", "r", &good.url]);
    let tgz = std::fs::read(repo.join("beta-0.1.0.tgz")).unwrap();
    let index = std::fs::read(repo.join("index.yaml")).unwrap();
    let tgz2 = tgz.clone();
    let bad = TestServer::start(Box::new(move |path, _| match path {
        "/huge/index.yaml" => Reply::Huge { chunked: false },
        "/chunked/index.yaml" => Reply::Huge { chunked: true },
        "/slow/index.yaml" => Reply::Hang,
        "/cut/index.yaml" => Reply::Full {
            status: 200,
            headers: vec![],
            body: index.clone(),
        },
        p if p.starts_with("/cut/") => Reply::Truncated {
            declared: tgz2.len() + 10_000,
            body: tgz2[..tgz2.len() / 2].to_vec(),
        },
        _ => Reply::Full {
            status: 404,
            headers: vec![],
            body: vec![],
        },
    }));
    env.set("HOIST_HTTP_TIMEOUT", "2");
    env.set("HOIST_MAX_DOWNLOAD_BYTES", (4u64 << 20).to_string());

    let e = env.fails(&["repo", "add", "huge", &format!("{}/huge", bad.url)]);
    assert!(e.contains("larger than the 4194304-byte limit"), "{e}");
    let start = Instant::now();
    let e = env.fails(&["repo", "add", "chunked", &format!("{}/chunked", bad.url)]);
    assert!(e.contains("larger than the 4194304-byte limit"), "{e}");
    assert!(start.elapsed() < Duration::from_secs(20));

    let start = Instant::now();
    let e = env.fails(&["repo", "add", "slow", &format!("{}/slow", bad.url)]);
    assert!(e.contains("timed out"), "{e}");
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );

    env.ok(&["repo", "add", "cut", &format!("{}/cut", bad.url)]);
    let e = env.fails(&["pull", "cut/beta", "-d", "out"]);
    assert!(
        e.contains("fetching") && e.contains("beta-0.1.0.tgz"),
        "{e}"
    );
    assert!(!env.path("out/beta-0.1.0.tgz").exists());
    let e = env.fails(&["template", "cut/beta"]);
    assert!(e.contains("beta-0.1.0.tgz"), "{e}");
    let files = env.cache_files();
    assert!(
        !files.iter().any(|f| f.contains("huge")
            || f.contains("slow")
            || f.contains("chunked")
            || f.starts_with("cache/charts/")),
        "{files:?}"
    );
    assert!(!files.iter().any(|f| f.contains(".tmp")), "{files:?}");
}

#[test]
fn credentials_stay_on_the_repository_host() {
    let env = Env::new();
    let repo = make_repo(&env);
    // Server B hosts the archive; server A (basic auth) hosts an index
    // pointing at B, and redirects one URL to B.
    let b = static_server(&repo);
    let index = std::fs::read_to_string(repo.join("index.yaml")).unwrap();
    let index = index
        .replace("- beta-0.1.0.tgz", &format!("- {}/beta-0.1.0.tgz", b.url))
        .replace("- alpha-1.1.0.tgz", "- redirect/alpha-1.1.0.tgz");
    let b_url = b.url.clone();
    let a = TestServer::start(Box::new(move |path, headers| {
        if headers.get("authorization").map(String::as_str) != Some("Basic dXNlcjpzZWNyZXQ=") {
            return Reply::Full {
                status: 401,
                headers: vec![],
                body: vec![],
            };
        }
        match path {
            "/index.yaml" => Reply::Full {
                status: 200,
                headers: vec![],
                body: index.clone().into_bytes(),
            },
            "/redirect/alpha-1.1.0.tgz" => Reply::Full {
                status: 302,
                headers: vec![("Location".into(), format!("{b_url}/alpha-1.1.0.tgz"))],
                body: vec![],
            },
            _ => Reply::Full {
                status: 404,
                headers: vec![],
                body: vec![],
            },
        }
    }));
    let e = env.fails(&["repo", "add", "a", &a.url]);
    assert!(e.contains("401"), "{e}");
    let r = env.run_with_stdin(
        &[
            "repo",
            "add",
            "a",
            &a.url,
            "--username",
            "user",
            "--password-stdin",
        ],
        "secret\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    env.ok(&["pull", "a/beta", "-d", "out"]);
    env.ok(&["pull", "a/alpha", "-d", "out"]);
    let to_b = b.requests("/beta-0.1.0.tgz");
    assert_eq!(to_b.len(), 1);
    assert_eq!(
        to_b[0].authorization, None,
        "credentials leaked to another host"
    );
    let redirected = b.requests("/alpha-1.1.0.tgz");
    assert_eq!(redirected.len(), 1);
    assert_eq!(
        redirected[0].authorization, None,
        "Authorization kept across a cross-host redirect"
    );

    // --pass-credentials sends them everywhere, as Helm does.
    env.ok(&[
        "repo",
        "add",
        "a",
        &a.url,
        "--username",
        "user",
        "--password",
        "secret",
        "--pass-credentials",
        "--force-update",
    ]);
    env.ok(&["pull", "a/beta", "-d", "out2"]);
    let to_b = b.requests("/beta-0.1.0.tgz");
    assert_eq!(
        to_b[1].authorization.as_deref(),
        Some("Basic dXNlcjpzZWNyZXQ=")
    );
}

#[test]
fn basic_auth_against_hoist_repo_server() {
    let env = Env::new();
    let storage = env.path("storage");
    std::fs::create_dir_all(&storage).unwrap();
    package_chart(&env, "gamma", "3.1.0", &storage);
    let bin =
        hoist_bin().with_file_name(format!("hoist-repo-server{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --workspace` first",
        bin.display()
    );
    let port = free_port();
    let _server = Guard(
        Command::new(bin)
            .args(["--port", &port.to_string(), "--listen-host", "127.0.0.1"])
            .args(["--storage-local-rootdir", &storage.to_string_lossy()])
            .args(["--basic-auth-user", "ci", "--basic-auth-pass", "pw"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port);
    let url = format!("http://127.0.0.1:{port}");
    let e = env.fails(&["repo", "add", "cm", &url]);
    assert!(e.contains("401"), "{e}");
    env.ok(&[
        "repo",
        "add",
        "cm",
        &url,
        "--username",
        "ci",
        "--password",
        "pw",
    ]);
    env.ok(&["repo", "update", "cm"]);
    let s = env.ok(&["search", "repo", "gamma"]).stdout;
    assert!(s.contains("cm/gamma\t3.1.0"), "{s}");
    env.ok(&["pull", "cm/gamma", "-d", "out"]);
    assert_eq!(
        std::fs::read(env.path("out/gamma-3.1.0.tgz")).unwrap(),
        std::fs::read(storage.join("gamma-3.1.0.tgz")).unwrap()
    );
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl (run tests/repo/setup.sh)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn tls_repository_with_a_self_signed_ca() {
    let env = Env::new();
    let repo = make_repo(&env);
    let pki = env.path("pki");
    std::fs::create_dir_all(&pki).unwrap();
    openssl(
        &pki,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=hoist test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    openssl(
        &pki,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "srv.key",
            "-out",
            "srv.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(pki.join("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n").unwrap();
    openssl(
        &pki,
        &[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "srv.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
    let port = free_port();
    let _server = Guard(
        Command::new("openssl")
            .args(["s_server", "-quiet", "-accept", &port.to_string(), "-cert"])
            .arg(pki.join("srv.pem"))
            .arg("-key")
            .arg(pki.join("srv.key"))
            .arg("-WWW")
            .current_dir(&repo)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port);
    let url = format!("https://127.0.0.1:{port}");
    let e = env.fails(&["repo", "add", "tls", &url]);
    assert!(e.to_lowercase().contains("certificate"), "{e}");
    let ca = pki.join("ca.pem").to_string_lossy().to_string();
    env.ok(&["repo", "add", "tls", &url, "--ca-file", &ca]);
    env.ok(&["pull", "tls/alpha", "-d", "out"]);
    assert!(env.path("out/alpha-1.1.0.tgz").exists());
    env.ok(&[
        "repo",
        "add",
        "insecure",
        &url,
        "--insecure-skip-tls-verify",
    ]);
    env.ok(&["pull", "insecure/beta", "-d", "out"]);
    assert!(env.path("out/beta-0.1.0.tgz").exists());
}

#[test]
fn repo_add_timeout_and_deprecated_repositories() {
    let env = Env::new();
    let hanging = TestServer::start(Box::new(|_, _| Reply::Hang));
    // --timeout bounds the index download (the default is two minutes).
    let start = Instant::now();
    let e = env.fails(&["repo", "add", "slow", &hanging.url, "--timeout", "1s"]);
    assert!(e.contains("timed out"), "{e}");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    // The same for repo update, on a repository written in by hand.
    std::fs::create_dir_all(env.path("config")).unwrap();
    std::fs::write(
        env.path("config/repositories.yaml"),
        format!(
            "apiVersion: \"\"\nrepositories:\n- name: slow\n  url: {}\n",
            hanging.url
        ),
    )
    .unwrap();
    let start = Instant::now();
    let out = env.run(&[
        "repo",
        "update",
        "--timeout",
        "1s",
        "--fail-on-repo-update-fail",
    ]);
    assert_ne!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("timed out"), "{}", out.stdout);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    std::fs::remove_file(env.path("config/repositories.yaml")).unwrap();
    let e = env.fails(&["repo", "add", "slow", &hanging.url, "--timeout", "5"]);
    assert!(e.contains("5"), "{e}");
    // Helm 2's official repositories are gone: refused before any request.
    let e = env.fails(&[
        "repo",
        "add",
        "stable",
        "https://kubernetes-charts.storage.googleapis.com",
    ]);
    assert!(
        e.contains("is no longer available; try \"https://charts.helm.sh/stable\" instead"),
        "{e}"
    );
    assert!(!env.path("config/repositories.yaml").exists());
}

#[test]
fn package_dependency_update_fetches_charts_first() {
    let env = Env::new();
    let repo = make_repo(&env);
    let server = static_server(&repo);
    env.ok(&["repo", "add", "r", &server.url]);
    let top = env.path("top");
    std::fs::create_dir_all(&top).unwrap();
    std::fs::write(
        top.join("Chart.yaml"),
        "apiVersion: v2\nname: top\nversion: 0.1.0\ndependencies:\n- name: alpha\n  version: ~1.0.0\n  repository: \"@r\"\n",
    )
    .unwrap();
    // As Helm's: the update's progress is not printed, only the package.
    let out = env.ok(&["package", "-u", "top", "-d", "out"]).stdout;
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("Successfully packaged chart"), "{out}");
    assert!(top.join("charts/alpha-1.0.0.tgz").exists());
    // The archive carries the fetched dependency, unpacked under charts/ as
    // Helm's chartutil.Save writes dependencies.
    let archive = std::fs::File::open(env.path("out/top-0.1.0.tgz")).unwrap();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let names: Vec<String> = tar
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(
        names.iter().any(|n| n == "top/charts/alpha/Chart.yaml"),
        "{names:?}"
    );
    // A dependency that cannot be resolved stops before any archive.
    std::fs::write(
        top.join("Chart.yaml"),
        "apiVersion: v2\nname: top\nversion: 0.2.0\ndependencies:\n- name: nope\n  version: 1.0.0\n  repository: \"@r\"\n",
    )
    .unwrap();
    let e = env.fails(&["package", "--dependency-update", "top", "-d", "out"]);
    assert!(e.contains("nope"), "{e}");
    assert!(!env.path("out/top-0.2.0.tgz").exists());
}

#[test]
fn dependencies_from_a_repository() {
    let env = Env::new();
    let repo = make_repo(&env);
    let server = static_server(&repo);
    env.ok(&["repo", "add", "r", &server.url]);
    let top = env.path("top");
    std::fs::create_dir_all(&top).unwrap();
    std::fs::write(
        top.join("Chart.yaml"),
        format!("apiVersion: v2\nname: top\nversion: 0.1.0\ndependencies:\n- name: alpha\n  version: ~1.0.0\n  repository: \"@r\"\n- name: beta\n  version: \">=0.1.0\"\n  repository: {}/\n", server.url),
    )
    .unwrap();
    // --verify wants URL.prov, which this repository does not have: refused
    // before anything lands in charts/.
    let ring = fixture("provenance/pubring.gpg");
    let e = flat(&env.fails(&[
        "dependency",
        "update",
        "top",
        "--verify",
        "--keyring",
        ring.to_str().unwrap(),
    ]));
    assert!(e.contains("alpha-1.0.0.tgz.prov"), "{e}");
    assert!(!top.join("charts/alpha-1.0.0.tgz").exists());
    let out = env.ok(&["dependency", "update", "top"]).stdout;
    assert!(out.contains("Saving 2 charts"), "{out}");
    assert!(top.join("charts/alpha-1.0.0.tgz").exists());
    assert!(top.join("charts/beta-0.1.0.tgz").exists());
    let lock = std::fs::read_to_string(top.join("Chart.lock")).unwrap();
    assert!(
        lock.starts_with("dependencies:\n- name: alpha\n  repository: '@r'\n  version: 1.0.0\n")
            || lock.starts_with(
                "dependencies:\n- name: alpha\n  repository: \"@r\"\n  version: 1.0.0\n"
            ),
        "{lock}"
    );
    let list = env.ok(&["dep", "list", "top"]).stdout;
    assert!(
        list.contains("alpha\t~1.0.0 ") || list.contains("alpha\t~1.0.0\t"),
        "{list}"
    );
    assert_eq!(list.matches("\tok").count(), 2, "{list}");
    std::fs::remove_dir_all(top.join("charts")).unwrap();
    // build --verify is Helm's VerifyIfPossible: no .prov is a warning.
    let out = env
        .ok(&[
            "dependency",
            "build",
            "top",
            "--skip-refresh",
            "--verify",
            "--keyring",
            ring.to_str().unwrap(),
        ])
        .stdout;
    assert!(
        out.contains(&format!(
            "WARNING: Verification not found for {}/alpha-1.0.0.tgz:",
            server.url
        )),
        "{out}"
    );
    assert!(top.join("charts/alpha-1.0.0.tgz").exists());
    std::fs::remove_dir_all(top.join("charts")).unwrap();
    env.ok(&["dependency", "build", "top", "--skip-refresh"]);
    assert!(top.join("charts/alpha-1.0.0.tgz").exists());
    let t = env.ok(&["template", "x", "top"]).stdout;
    assert!(
        t.contains("name: x-alpha") && t.contains("name: x-beta"),
        "{t}"
    );
    // Changing Chart.yaml makes the lock stale.
    let y = std::fs::read_to_string(top.join("Chart.yaml")).unwrap();
    std::fs::write(top.join("Chart.yaml"), y.replace("~1.0.0", "^1.0.0")).unwrap();
    let e = env.fails(&["dependency", "build", "top"]);
    assert!(e.contains("out of sync"), "{e}");
    env.ok(&["dependency", "update", "top"]);
    assert!(top.join("charts/alpha-1.1.0.tgz").exists());
    assert!(!top.join("charts/alpha-1.0.0.tgz").exists());
}

#[test]
fn helm_written_files_are_read() {
    let env = Env::new();
    // repositories.yaml as real Helm v4 wrote it (`helm repo add`), with
    // the URL pointing at a server started here.
    let repo = make_repo(&env);
    let server = static_server(&repo);
    let helm_home = env.path("helm-config");
    std::fs::create_dir_all(&helm_home).unwrap();
    let text = std::fs::read_to_string(fixture("repos/helm-repositories.yaml")).unwrap();
    std::fs::write(
        helm_home.join("repositories.yaml"),
        text.replace("http://127.0.0.1:18879", &server.url),
    )
    .unwrap();
    let mut env = env;
    env.set("HELM_CONFIG_HOME", &helm_home);
    let out = env.ok(&["repo", "import-helm"]).stdout;
    assert!(out.contains("\"helmrepo\" has been imported"), "{out}");
    env.ok(&["repo", "update"]);
    let s = env.ok(&["search", "repo", "beta"]).stdout;
    assert!(s.contains("helmrepo/beta"), "{s}");

    // An index.yaml served to and cached by real Helm is read as is.
    let idx = std::fs::read(fixture("repos/helm-cached-index.yaml")).unwrap();
    let parsed = hoist_core::repo::IndexFile::parse(&idx, "helm-cached-index.yaml").unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert!(!parsed.entries.is_empty());
}

#[test]
fn repo_add_password_prompt_needs_a_terminal() {
    let env = Env::new();
    // The test's stdin is a pipe, not a terminal: no prompt, a clear error,
    // and nothing is contacted or written.
    let e = flat(&env.fails(&[
        "repo",
        "add",
        "x",
        "http://127.0.0.1:9/",
        "--username",
        "ci",
    ]));
    assert!(
        e.contains("--username ci needs a password, and standard input is not a terminal")
            && e.contains("--password-stdin"),
        "{e}"
    );
    assert!(!env.path("config/repositories.yaml").exists());
}

#[test]
fn lint_accepts_chart_references() {
    let env = Env::new();
    let repo = make_repo(&env);
    let server = static_server(&repo);
    env.ok(&["repo", "add", "r", &server.url]);
    let out = env
        .ok(&["lint", "--strict", "r/alpha", "--version", "1.0.0"])
        .stdout;
    assert!(out.contains("==> Linting r/alpha\n"), "{out}");
    assert!(
        out.contains("1 chart(s) linted, 0 chart(s) failed"),
        "{out}"
    );
    assert!(
        env.cache_files()
            .contains(&"cache/charts/alpha-1.0.0.tgz".to_string()),
        "{:?}",
        env.cache_files()
    );
    // --repo URL with a chart name, newest stable version.
    let out = env.ok(&["lint", "alpha", "--repo", &server.url]).stdout;
    assert!(out.contains("==> Linting alpha\n"), "{out}");
    assert_eq!(server.requests("/alpha-1.1.0.tgz").len(), 1);
    // A version the repository lacks is an error naming it.
    let e = flat(&env.fails(&["lint", "r/alpha", "--version", "9.9.9"]));
    assert!(e.contains("9.9.9"), "{e}");
    // Local paths keep Helm's behaviour: a missing one is a lint error.
    let r = env.run(&["lint", "nope/alpha"]);
    assert_ne!(r.code, 0);
    assert!(r.stdout.contains("==> Linting nope/alpha"), "{}", r.stdout);
    assert!(
        r.stderr.contains("1 chart(s) linted, 1 chart(s) failed"),
        "{}",
        r.stderr
    );
}

#[test]
fn install_and_upgrade_dependency_update() {
    let env = Env::new();
    let repo = make_repo(&env);
    let server = static_server(&repo);
    env.ok(&["repo", "add", "r", &server.url]);
    let top = env.path("top");
    std::fs::create_dir_all(top.join("templates")).unwrap();
    std::fs::write(
        top.join("Chart.yaml"),
        "apiVersion: v2\nname: top\nversion: 0.1.0\ndependencies:\n- name: alpha\n  version: ~1.0.0\n  repository: \"@r\"\n",
    )
    .unwrap();
    // Helm's message (pkg/cmd/install.go, action.CheckDependencies), checked
    // before the cluster is contacted; upgrade does not add "UPGRADE FAILED".
    let missing = "an error occurred while checking for chart dependencies. You may need to run 'hoist dependency build' to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: alpha";
    let e = flat(&env.fails(&["install", "x", "top"]));
    assert!(
        e.contains(&format!("INSTALLATION FAILED: {missing}")),
        "{e}"
    );
    let e = flat(&env.fails(&["upgrade", "x", "top"]));
    assert!(e.contains(missing) && !e.contains("UPGRADE FAILED"), "{e}");
    // template checks the same way (Helm's template runs the install action).
    let e = flat(&env.fails(&["template", "x", "top"]));
    assert!(
        e.contains(missing) && !e.contains("INSTALLATION FAILED"),
        "{e}"
    );
    assert!(!top.join("charts").exists());
    let copy = env.path("top-template");
    std::fs::create_dir_all(copy.join("templates")).unwrap();
    std::fs::copy(top.join("Chart.yaml"), copy.join("Chart.yaml")).unwrap();
    let rendered = env.ok(&["template", "x", "top-template", "--dependency-update"]);
    assert!(
        rendered
            .stdout
            .starts_with("---\n# Source: top/charts/alpha/templates/cm.yaml\n")
            && rendered.stdout.contains("  version: \"1.0.0\"\n"),
        "only the manifest goes to stdout: {}",
        rendered.stdout
    );
    assert!(copy.join("charts/alpha-1.0.0.tgz").exists());

    let Some(_) = hoist_e2e::cluster::cluster("install_and_upgrade_dependency_update") else {
        return;
    };
    let ns = hoist_e2e::cluster::fresh_namespace("deps5");
    let out = env
        .ok(&[
            "install",
            "x",
            "top",
            "--dependency-update",
            "-n",
            &ns,
            "--create-namespace",
        ])
        .stdout;
    assert!(
        out.contains("Saving 1 charts")
            && out.contains("Downloading alpha from repo @r")
            && out.contains("STATUS: deployed"),
        "{out}"
    );
    assert!(top.join("charts/alpha-1.0.0.tgz").exists());
    assert!(top.join("Chart.lock").exists());
    let cluster = hoist_e2e::cluster::Cluster::connect(&ns);
    let cm = cluster
        .get("v1", "ConfigMap", "x-alpha")
        .expect("subchart object");
    assert_eq!(cm["data"]["version"], "1.0.0");

    // Upgrade: the same check, and the same update when asked.
    std::fs::remove_dir_all(top.join("charts")).unwrap();
    let e = flat(&env.fails(&["upgrade", "x", "top", "-n", &ns]));
    assert!(e.contains(missing), "{e}");
    let out = env
        .ok(&[
            "upgrade",
            "x",
            "top",
            "--dependency-update",
            "-n",
            &ns,
            "--set",
            "bump=1",
        ])
        .stdout;
    assert!(
        out.contains("Saving 1 charts") && out.contains("has been upgraded"),
        "{out}"
    );
    assert!(top.join("charts/alpha-1.0.0.tgz").exists());
    // With -o json the progress lines go to stderr: stdout stays JSON.
    std::fs::remove_dir_all(top.join("charts")).unwrap();
    let r = env.run(&[
        "upgrade",
        "x",
        "top",
        "--dependency-update",
        "-n",
        &ns,
        "-o",
        "json",
        "--set",
        "bump=2",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["version"], 3);
    assert!(r.stderr.contains("Saving 1 charts"), "{}", r.stderr);
}

#[test]
fn search_hub_asks_a_monocular_search_api() {
    let results = serde_json::json!({"data": [
        {"id": "stable/redis",
         "artifactHub": {"packageUrl": "https://artifacthub.io/packages/helm/stable/redis"},
         "attributes": {"description": "Open source, advanced key-value store with a very long description that goes on", "repo": {"name": "stable", "url": "https://charts.example.com/stable"}},
         "relationships": {"latestChartVersion": {"data": {"version": "10.5.7", "app_version": "5.0.7"}}}},
        {"id": "local/redis-lite",
         "attributes": {"description": "small", "repo": {"name": "local", "url": "http://charts.local"}},
         "relationships": {"latestChartVersion": {"data": {"version": "0.1.0", "app_version": "1"}}}}
    ]});
    let body = results.to_string().into_bytes();
    let server = TestServer::start(Box::new(move |path, _| {
        if path.starts_with("/hub/api/chartsvc/v1/charts/search?q=") {
            if path.ends_with("q=nothing") {
                Reply::with(200, br#"{"data": []}"#.as_slice())
            } else {
                Reply::with(200, body.clone())
            }
        } else {
            Reply::with(404, "no")
        }
    }));
    let env = Env::new();
    let endpoint = format!("{}/hub", server.url);
    let out = env.ok(&["search", "hub", "redis", "key", "--endpoint", &endpoint]);
    assert_eq!(
        server
            .requests("/hub/api/chartsvc/v1/charts/search?q=redis+key")
            .len(),
        1
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("URL"), "{}", out.stdout);
    assert!(lines[0].contains("CHART VERSION") && !lines[0].contains("REPO URL"));
    assert!(lines[1].contains("https://artifacthub.io/packages/helm/stable/redis"));
    assert!(lines[1].contains("10.5.7") && lines[1].contains("5.0.7"));
    // Long descriptions are cut at --max-col-width as Helm's table does.
    assert!(
        lines[1].contains("Open source, advanced key-value store with a ve..."),
        "{}",
        lines[1]
    );
    // Without a package URL, the endpoint's chart page.
    assert!(lines[2].contains(&format!("{endpoint}/charts/local/redis-lite")));

    let out = env.ok(&[
        "search",
        "hub",
        "redis",
        "--endpoint",
        &endpoint,
        "--list-repo-url",
    ]);
    assert!(out.stdout.lines().next().unwrap().contains("REPO URL"));
    assert!(out.stdout.contains("https://charts.example.com/stable"));

    let out = env.ok(&[
        "search",
        "hub",
        "redis",
        "--endpoint",
        &endpoint,
        "-o",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        json[1]["url"],
        format!("{endpoint}/charts/local/redis-lite")
    );
    assert_eq!(json[0]["repository"]["name"], "stable");
    assert_eq!(json[0]["app_version"], "5.0.7");

    let out = env.ok(&["search", "hub", "nothing", "--endpoint", &endpoint]);
    assert_eq!(out.stdout, "No results found\n");
    let err = env.fails(&[
        "search",
        "hub",
        "nothing",
        "--endpoint",
        &endpoint,
        "--fail-on-no-result",
    ]);
    assert!(err.contains("no results found"), "{err}");
    // A hub that is not there: Helm's message, and why.
    let err = env.fails(&[
        "search",
        "hub",
        "x",
        "--endpoint",
        &format!("{}/elsewhere", server.url),
    ]);
    assert!(err.contains("unable to perform search against"), "{err}");
    assert!(err.contains("404"), "{err}");
}

#[test]
fn values_files_may_be_urls_as_in_helm() {
    let server = TestServer::start(Box::new(|path, _| match path {
        "/values.yaml" => Reply::with(200, "message: from-the-web\n"),
        "/message.txt" => Reply::with(200, "file-from-the-web"),
        _ => Reply::with(404, "no"),
    }));
    let env = Env::new();
    let hello = hoist_e2e::chart("hello");
    let hello = hello.to_str().unwrap();
    let url = format!("{}/values.yaml", server.url);
    let out = env.ok(&["template", "web", hello, "-f", &url]);
    assert!(out.stdout.contains("from-the-web"), "{}", out.stdout);
    assert_eq!(server.requests("/values.yaml").len(), 1);
    let out = env.ok(&[
        "template",
        "web",
        hello,
        "--set-file",
        &format!("message={}/message.txt", server.url),
    ]);
    assert!(out.stdout.contains("file-from-the-web"), "{}", out.stdout);
    let err = env.fails(&[
        "template",
        "web",
        hello,
        "-f",
        &format!("{}/missing.yaml", server.url),
    ]);
    assert!(err.contains("missing.yaml"), "{err}");
    assert!(err.contains("404"), "{err}");
    // A path with a colon that is no scheme is still a file.
    std::fs::write(env.path("odd:name.yaml"), "message: local-colon\n").unwrap();
    let out = env.ok(&["template", "web", hello, "-f", "odd:name.yaml"]);
    assert!(out.stdout.contains("local-colon"), "{}", out.stdout);
}
