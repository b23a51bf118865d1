//! The first-party stacks (charts/redis, charts/prometheus, charts/efk) end
//! to end: byte-for-byte rendering against goldens produced by real Helm v4,
//! `lint --strict`, schema errors, the generated Redis password, and (when
//! KUBECONFIG is set) install and uninstall on a real kube-apiserver.
//!
//! Goldens live in tests/fixtures/stacks/CHART/: `CASE.values.json` is the
//! input, `CASE.manifest.txt` what `helm template` prints for it (release name
//! and namespace from CHART/release, Kubernetes 1.33), `CASE.notes.txt` the
//! rendered NOTES.txt. When `CASE.crds.json` exists, Helm rendered with those
//! CRDs installed, so their API versions are passed as `--api-versions`.
//! tests/fixtures/stacks/regen.sh rebuilds them with real Helm.

use hoist_core::kube::{ClientOptions, KubeClient, ManifestObject, ResourceClient};
use hoist_e2e::{Run, chart, fixture, hoist};
use serde_json::{Value as Json, json};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

const STACKS: [&str; 3] = ["redis", "prometheus", "efk"];

/// One golden case of a chart.
struct Case {
    name: String,
    values: PathBuf,
    /// `--api-versions` Helm saw beyond the built-in ones (from CASE.crds.json).
    api_versions: Vec<String>,
}

impl Case {
    fn golden(&self, ext: &str) -> String {
        let path = self.values.with_file_name(format!("{}.{ext}", self.name));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

/// The release name and namespace the goldens of `stack` were rendered with.
fn release_of(stack: &str) -> (String, String) {
    let text = std::fs::read_to_string(fixture(&format!("stacks/{stack}/release"))).unwrap();
    let mut words = text.split_whitespace();
    (
        words.next().unwrap().to_string(),
        words.next().unwrap().to_string(),
    )
}

fn cases(stack: &str) -> Vec<Case> {
    let dir = fixture(&format!("stacks/{stack}"));
    let mut found: Vec<Case> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            let name = path
                .file_name()?
                .to_str()?
                .strip_suffix(".values.json")?
                .to_string();
            let crds = dir.join(format!("{name}.crds.json"));
            let api_versions = if crds.exists() {
                crd_api_versions(&crds)
            } else {
                Vec::new()
            };
            Some(Case {
                name,
                values: path,
                api_versions,
            })
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        found.len() >= 3,
        "{stack}: expected at least 3 golden cases"
    );
    found
}

/// GROUP/VERSION of every served version of the CRDs in `path`.
fn crd_api_versions(path: &Path) -> Vec<String> {
    let crds: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for crd in crds.as_array().unwrap() {
        let group = crd["spec"]["group"].as_str().unwrap();
        for v in crd["spec"]["versions"].as_array().unwrap() {
            out.push(format!("{group}/{}", v["name"].as_str().unwrap()));
        }
    }
    out
}

/// `hoist template` the way the goldens were rendered, plus `extra` flags.
fn template(stack: &str, case: &Case, extra: &[&str]) -> Run {
    let (name, ns) = release_of(stack);
    let chart_dir = chart(stack);
    let mut args = vec![
        "template",
        name.as_str(),
        chart_dir.to_str().unwrap(),
        "-n",
        ns.as_str(),
        "--kube-version",
        "1.33",
        "-f",
        case.values.to_str().unwrap(),
    ];
    for api in &case.api_versions {
        args.extend(["--api-versions", api.as_str()]);
    }
    args.extend_from_slice(extra);
    hoist(&args)
}

fn assert_renders_like_helm(stack: &str) {
    for case in cases(stack) {
        let r = template(stack, &case, &[]);
        assert_eq!(r.code, 0, "{stack}/{}: {}", case.name, r.stderr);
        let golden = case.golden("manifest.txt");
        if r.stdout != golden {
            let line = r
                .stdout
                .lines()
                .zip(golden.lines())
                .position(|(a, b)| a != b)
                .map_or_else(|| "length".to_string(), |i| format!("line {}", i + 1));
            panic!(
                "{stack}/{}: hoist differs from Helm at {line}\n--- hoist\n{}\n--- helm\n{}",
                case.name, r.stdout, golden
            );
        }
    }
}

fn sources(out: &str) -> Vec<&str> {
    out.lines()
        .filter_map(|l| l.strip_prefix("# Source: "))
        .collect()
}

#[test]
fn redis_renders_like_helm() {
    assert_renders_like_helm("redis");
}

#[test]
fn prometheus_renders_like_helm() {
    assert_renders_like_helm("prometheus");
}

#[test]
fn efk_renders_like_helm() {
    assert_renders_like_helm("efk");
}

fn case(stack: &str, name: &str) -> Case {
    cases(stack)
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {stack}/{name}"))
}

#[test]
fn redis_service_monitor_needs_the_api_or_the_force_flag() {
    let with_api = case("redis", "replication-metrics");
    let golden = with_api.golden("manifest.txt");
    assert!(golden.contains("kind: ServiceMonitor\n"));
    let without_api = Case {
        api_versions: Vec::new(),
        ..with_api
    };
    let r = template("redis", &without_api, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("ServiceMonitor"), "{}", r.stdout);
    assert!(!sources(&r.stdout).contains(&"redis/templates/servicemonitor.yaml"));
    // Forcing it renders exactly what Helm rendered with the CRD present.
    let forced = template(
        "redis",
        &without_api,
        &["--set", "metrics.serviceMonitor.ignoreApiCheck=true"],
    );
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(forced.stdout, golden);
}

/// Standard base64 (with padding), enough to read a Secret's data.
fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET
            .iter()
            .position(|&a| a == c)
            .unwrap_or_else(|| panic!("not base64: {text:?}")) as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn rendered_password(out: &str) -> String {
    let line = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("redis-password: "))
        .unwrap_or_else(|| panic!("no redis-password in\n{out}"));
    let b64 = line.trim_matches('"');
    String::from_utf8(base64_decode(b64)).unwrap()
}

#[test]
fn redis_generates_a_password_when_none_is_given() {
    let redis = chart("redis");
    let render = || {
        let r = hoist(&["template", "cache", redis.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        rendered_password(&r.stdout)
    };
    let (a, b) = (render(), render());
    for p in [&a, &b] {
        assert_eq!(p.len(), 24, "{p:?}");
        assert!(p.chars().all(|c| c.is_ascii_alphanumeric()), "{p:?}");
    }
    // Offline there is nothing to look up: every render makes a new one.
    assert_ne!(a, b);
    // A given password is used as is.
    let r = hoist(&[
        "template",
        "cache",
        redis.to_str().unwrap(),
        "--set",
        "auth.password=s3cret",
    ]);
    assert_eq!(rendered_password(&r.stdout), "s3cret");
    // An existing Secret means the chart creates none.
    let r = hoist(&[
        "template",
        "cache",
        redis.to_str().unwrap(),
        "--set",
        "auth.existingSecret=mine",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!sources(&r.stdout).contains(&"redis/templates/secret.yaml"));
    assert!(r.stdout.contains("name: mine\n"));
}

#[test]
fn efk_dependency_conditions_switch_the_subcharts() {
    let only_es = case("efk", "elasticsearch-only").golden("manifest.txt");
    let srcs = sources(&only_es);
    assert!(
        srcs.iter()
            .all(|s| s.starts_with("efk/charts/elasticsearch/"))
    );
    let r = template("efk", &case("efk", "defaults"), &[]);
    let srcs = sources(&r.stdout);
    for part in ["elasticsearch", "fluentd", "kibana"] {
        let prefix = format!("efk/charts/{part}/");
        assert!(
            srcs.iter().any(|s| s.starts_with(&prefix)),
            "{part} missing"
        );
    }
    let r = template(
        "efk",
        &case("efk", "defaults"),
        &["--set", "elasticsearch.enabled=false,fluentd.enabled=false"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        sources(&r.stdout)
            .iter()
            .all(|s| s.starts_with("efk/charts/kibana/"))
    );
}

#[test]
fn every_stack_and_subchart_lints_clean_in_strict_mode() {
    let mut dirs: Vec<PathBuf> = STACKS.iter().map(|s| chart(s)).collect();
    for sub in ["elasticsearch", "fluentd", "kibana"] {
        dirs.push(chart("efk").join("charts").join(sub));
    }
    for dir in dirs {
        let r = hoist(&["lint", "--strict", dir.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}{}", dir.display(), r.stdout, r.stderr);
        assert!(
            r.stdout.contains("1 chart(s) linted, 0 chart(s) failed"),
            "{}",
            r.stdout
        );
        assert!(!r.stdout.contains("[WARNING]"), "{}", r.stdout);
    }
}

#[test]
fn schemas_reject_typos_with_the_path_and_the_key() {
    // Wording as real Helm v4 prints it for the same values (helm-render).
    let cases = [
        (
            "redis",
            "metrics.enabeld=true",
            "redis:\n- at '/metrics': additional properties 'enabeld' not allowed",
        ),
        (
            "redis",
            "architecutre=replication",
            "redis:\n- at '': additional properties 'architecutre' not allowed",
        ),
        (
            "prometheus",
            "server.retension=1d",
            "prometheus:\n- at '/server': additional properties 'retension' not allowed",
        ),
        (
            "efk",
            "kibanna.enabled=true",
            "efk:\n- at '': additional properties 'kibanna' not allowed",
        ),
        (
            "efk",
            "kibana.ingres.enabled=true",
            "kibana:\n- at '': additional properties 'ingres' not allowed",
        ),
    ];
    for (stack, set, message) in cases {
        let r = hoist(&[
            "template",
            "x",
            chart(stack).to_str().unwrap(),
            "--set",
            set,
        ]);
        assert_ne!(r.code, 0, "{stack} accepted {set}");
        assert!(r.stdout.is_empty());
        // miette draws a frame around multi-line errors: compare the text.
        let text: String = r
            .stderr
            .lines()
            .map(|l| l.trim_start_matches([' ', '×', '│']).trim_end())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(text.contains(message), "{stack} {set}:\n{}", r.stderr);
    }
    // Values of the wrong kind are caught too.
    let r = hoist(&[
        "template",
        "x",
        chart("redis").to_str().unwrap(),
        "--set",
        "architecture=cluster",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("/architecture"), "{}", r.stderr);
}

// ---- cluster -------------------------------------------------------------

/// The cluster's kubeconfig, or `None` (and a note) to skip the test.
fn cluster(test: &str) -> Option<String> {
    match std::env::var("KUBECONFIG") {
        Ok(k) if !k.is_empty() => Some(k),
        _ => {
            eprintln!("skipping {test}: KUBECONFIG is unset (run tests/cluster/up.sh)");
            None
        }
    }
}

/// A suffix no earlier run used: namespaces never finish deleting here, and
/// the stacks create cluster-wide RBAC named after the release.
fn unique_suffix() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() % 1_000_000_000)
        .unwrap_or(0);
    format!(
        "{}-{}-{nanos}",
        std::process::id() % 100_000,
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// Reads and writes objects with hoist-core's client.
struct Cluster {
    rt: tokio::runtime::Runtime,
    resources: ResourceClient,
}

impl Cluster {
    fn connect(namespace: &str) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let resources = rt.block_on(async {
            let client = KubeClient::connect(&ClientOptions {
                namespace: Some(namespace.to_string()),
                ..ClientOptions::default()
            })
            .await
            .unwrap();
            ResourceClient::connect(client).await.unwrap()
        });
        Cluster { rt, resources }
    }

    fn object(api_version: &str, kind: &str, name: &str) -> ManifestObject {
        ManifestObject::from_json(json!({
            "apiVersion": api_version, "kind": kind, "metadata": {"name": name}
        }))
        .unwrap()
    }

    fn get(&self, api_version: &str, kind: &str, name: &str) -> Option<Json> {
        let obj = Self::object(api_version, kind, name);
        self.rt.block_on(self.resources.get(&obj)).unwrap()
    }

    fn apply(&self, object: Json) -> Json {
        let obj = ManifestObject::from_json(object).unwrap();
        self.rt.block_on(self.resources.apply(&obj, true)).unwrap()
    }
}

fn assert_owned(object: &Json, release: &str, namespace: &str) {
    let meta = &object["metadata"];
    assert_eq!(meta["labels"]["app.kubernetes.io/managed-by"], "Helm");
    assert_eq!(meta["labels"]["app.kubernetes.io/instance"], release);
    assert_eq!(meta["annotations"]["meta.helm.sh/release-name"], release);
    assert_eq!(
        meta["annotations"]["meta.helm.sh/release-namespace"],
        namespace
    );
}

fn ok(args: &[&str]) -> String {
    let r = hoist(args);
    assert_eq!(r.code, 0, "hoist {args:?} failed: {}", r.stderr);
    r.stdout
}

/// Installs `stack` with its default values as `release` in a fresh
/// namespace, checks that `objects` (api version, kind, name) exist and
/// belong to the release, uninstalls, and checks they are gone.
fn install_check_uninstall(stack: &str, release: &str, ns: &str, objects: &[(&str, &str, String)]) {
    let chart_dir = chart(stack);
    let out = ok(&[
        "install",
        release,
        chart_dir.to_str().unwrap(),
        "-n",
        ns,
        "--create-namespace",
    ]);
    assert!(out.contains("\nSTATUS: deployed\n"), "{out}");
    assert!(out.contains("\nNOTES:\n"), "{out}");
    let c = Cluster::connect(ns);
    for (api, kind, name) in objects {
        let obj = c
            .get(api, kind, name)
            .unwrap_or_else(|| panic!("{stack}: {kind} {name} missing after install"));
        assert_owned(&obj, release, ns);
    }
    let status: Json =
        serde_json::from_str(&ok(&["status", release, "-n", ns, "-o", "json"])).unwrap();
    assert_eq!(status["info"]["status"], "deployed");
    assert_eq!(
        ok(&["uninstall", release, "-n", ns]),
        format!("release \"{release}\" uninstalled\n")
    );
    for (api, kind, name) in objects {
        // Objects with finalizers (PVCs: kubernetes.io/pvc-protection) only
        // get a deletion timestamp here: no controller ever removes them.
        if let Some(left) = c.get(api, kind, name) {
            assert!(
                left["metadata"]["deletionTimestamp"].is_string(),
                "{stack}: {kind} {name} left behind by uninstall"
            );
        }
    }
}

#[test]
fn redis_installs_and_uninstalls_on_the_cluster() {
    if cluster("redis_installs_and_uninstalls_on_the_cluster").is_none() {
        return;
    }
    let ns = format!("hoist-stk-redis-{}", unique_suffix());
    let objects = [
        ("apps/v1", "StatefulSet", "cache-redis-primary".to_string()),
        ("v1", "Service", "cache-redis".to_string()),
        ("v1", "Service", "cache-redis-headless".to_string()),
        ("v1", "ConfigMap", "cache-redis".to_string()),
        ("v1", "Secret", "cache-redis".to_string()),
        ("v1", "ServiceAccount", "cache-redis".to_string()),
    ];
    install_check_uninstall("redis", "cache", &ns, &objects);
}

/// Real Helm v4 passes this too (checked with helm-oracle.py against the
/// local cluster: install adopts the Secret and keeps its password, and so
/// does the next upgrade).
#[test]
fn redis_keeps_an_existing_password_through_lookup() {
    if cluster("redis_keeps_an_existing_password_through_lookup").is_none() {
        return;
    }
    let ns = format!("hoist-stk-lookup-{}", unique_suffix());
    let c = Cluster::connect(&ns);
    c.apply(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
    // A Secret an earlier revision of release `cache` left (ownership
    // metadata included, so install adopts it instead of refusing).
    c.apply(json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "cache-redis",
            "namespace": ns,
            "labels": {"app.kubernetes.io/managed-by": "Helm"},
            "annotations": {
                "meta.helm.sh/release-name": "cache",
                "meta.helm.sh/release-namespace": ns
            }
        },
        "data": {"redis-password": "a2VwdC1hY3Jvc3MtcmV2aXNpb25z"}
    }));
    let chart_dir = chart("redis");
    ok(&["install", "cache", chart_dir.to_str().unwrap(), "-n", &ns]);
    let secret = c.get("v1", "Secret", "cache-redis").unwrap();
    assert_eq!(
        secret["data"]["redis-password"], "a2VwdC1hY3Jvc3MtcmV2aXNpb25z",
        "lookup did not keep the stored password"
    );
    assert_owned(&secret, "cache", &ns);
    ok(&["uninstall", "cache", "-n", &ns]);
}

#[test]
fn prometheus_installs_and_uninstalls_on_the_cluster() {
    if cluster("prometheus_installs_and_uninstalls_on_the_cluster").is_none() {
        return;
    }
    let suffix = unique_suffix();
    let ns = format!("hoist-stk-prom-{suffix}");
    // ClusterRoles are cluster-wide: a unique release name keeps runs apart.
    let release = format!("mon{}", suffix.replace('-', ""));
    let p = format!("{release}-prometheus");
    let rbac = "rbac.authorization.k8s.io/v1";
    let objects = [
        ("apps/v1", "Deployment", format!("{p}-server")),
        ("v1", "ConfigMap", format!("{p}-server")),
        ("v1", "Service", format!("{p}-server")),
        ("v1", "PersistentVolumeClaim", format!("{p}-server")),
        ("v1", "ServiceAccount", format!("{p}-server")),
        (rbac, "ClusterRole", format!("{p}-server")),
        (rbac, "ClusterRoleBinding", format!("{p}-server")),
        ("apps/v1", "DaemonSet", format!("{p}-node-exporter")),
        ("apps/v1", "Deployment", format!("{p}-kube-state-metrics")),
        (rbac, "ClusterRole", format!("{p}-kube-state-metrics")),
    ];
    install_check_uninstall("prometheus", &release, &ns, &objects);
}

#[test]
fn efk_installs_and_uninstalls_on_the_cluster() {
    if cluster("efk_installs_and_uninstalls_on_the_cluster").is_none() {
        return;
    }
    let suffix = unique_suffix();
    let ns = format!("hoist-stk-efk-{suffix}");
    let release = format!("logs{}", suffix.replace('-', ""));
    let objects = [
        ("apps/v1", "StatefulSet", format!("{release}-elasticsearch")),
        ("v1", "Service", format!("{release}-elasticsearch-headless")),
        ("apps/v1", "DaemonSet", format!("{release}-fluentd")),
        ("v1", "ConfigMap", format!("{release}-fluentd")),
        (
            "rbac.authorization.k8s.io/v1",
            "ClusterRole",
            format!("{release}-fluentd"),
        ),
        ("apps/v1", "Deployment", format!("{release}-kibana")),
        ("v1", "Service", format!("{release}-kibana")),
    ];
    install_check_uninstall("efk", &release, &ns, &objects);
}

/// NOTES.txt as hoist renders it against the real cluster (`install
/// --dry-run -o json`) equals Helm's for every golden case whose
/// capabilities the cluster shares (cases with extra CRDs are skipped).
#[test]
fn notes_match_helm_on_a_dry_run() {
    if cluster("notes_match_helm_on_a_dry_run").is_none() {
        return;
    }
    for stack in STACKS {
        let (name, ns) = release_of(stack);
        for case in cases(stack)
            .into_iter()
            .filter(|c| c.api_versions.is_empty())
        {
            let chart_dir = chart(stack);
            let out = ok(&[
                "install",
                &name,
                chart_dir.to_str().unwrap(),
                "-n",
                &ns,
                "--dry-run=server",
                "-o",
                "json",
                "-f",
                case.values.to_str().unwrap(),
            ]);
            let rel: Json = serde_json::from_str(&out).unwrap();
            assert_eq!(
                rel["info"]["notes"].as_str().unwrap_or_default(),
                case.golden("notes.txt"),
                "{stack}/{}",
                case.name
            );
        }
    }
}

/// The Redis stack through its life: install, upgrade to replication with
/// metrics, an idempotent `upgrade --install`, rollback, uninstall. The
/// generated password survives every step through `lookup`.
#[test]
fn redis_upgrades_rolls_back_and_keeps_its_password() {
    if cluster("redis_upgrades_rolls_back_and_keeps_its_password").is_none() {
        return;
    }
    let ns = format!("hoist-stk-life-{}", unique_suffix());
    let chart_dir = chart("redis");
    let chart_dir = chart_dir.to_str().unwrap();
    let c = Cluster::connect(&ns);
    ok(&["install", "kv", chart_dir, "-n", &ns, "--create-namespace"]);
    let password = |c: &Cluster| {
        c.get("v1", "Secret", "kv-redis").unwrap()["data"]["redis-password"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = password(&c);
    assert!(
        c.get("apps/v1", "StatefulSet", "kv-redis-replicas")
            .is_none()
    );

    ok(&[
        "upgrade",
        "kv",
        chart_dir,
        "-n",
        &ns,
        "--set",
        "architecture=replication,metrics.enabled=true",
    ]);
    assert_eq!(password(&c), first, "the upgrade rotated the password");
    assert!(
        c.get("apps/v1", "StatefulSet", "kv-redis-replicas")
            .is_some()
    );
    let primary = c.get("apps/v1", "StatefulSet", "kv-redis-primary").unwrap();
    let containers = primary["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    assert!(
        containers.iter().any(|k| k["name"] == "metrics"),
        "{containers:?}"
    );

    // Same chart, same values: no new revision.
    let out = ok(&[
        "upgrade",
        "--install",
        "kv",
        chart_dir,
        "-n",
        &ns,
        "--reuse-values",
    ]);
    assert!(out.contains("is unchanged"), "{out}");
    let history: Json =
        serde_json::from_str(&ok(&["history", "kv", "-n", &ns, "-o", "json"])).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2, "{history}");

    ok(&["rollback", "kv", "1", "-n", &ns]);
    assert!(
        c.get("apps/v1", "StatefulSet", "kv-redis-replicas")
            .is_none()
    );
    assert_eq!(password(&c), first, "the rollback changed the password");
    ok(&["uninstall", "kv", "-n", &ns]);
    assert!(c.get("v1", "Secret", "kv-redis").is_none());
}

/// Install, upgrade with changed values, rollback and uninstall of one
/// stack: the upgrade with `set` flips whether `object` exists, and the
/// rollback flips it back.
fn lifecycle(stack: &str, release: &str, set: &str, object: (&str, &str, String)) {
    let ns = format!("hoist-stk-{stack}-life-{}", unique_suffix());
    let chart_dir = chart(stack);
    let chart_dir = chart_dir.to_str().unwrap();
    let c = Cluster::connect(&ns);
    let (api, kind, name) = (object.0, object.1, object.2.as_str());
    ok(&[
        "install",
        release,
        chart_dir,
        "-n",
        &ns,
        "--create-namespace",
    ]);
    let before = c.get(api, kind, name).is_some();
    ok(&["upgrade", release, chart_dir, "-n", &ns, "--set", set]);
    assert_eq!(
        c.get(api, kind, name).is_some(),
        !before,
        "{stack}: upgrade with {set} did not change {kind} {name}"
    );
    let history: Json =
        serde_json::from_str(&ok(&["history", release, "-n", &ns, "-o", "json"])).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2, "{history}");
    ok(&["rollback", release, "1", "-n", &ns]);
    assert_eq!(
        c.get(api, kind, name).is_some(),
        before,
        "{stack}: rollback did not restore {kind} {name}"
    );
    ok(&["uninstall", release, "-n", &ns]);
    // Objects with finalizers only get a deletion timestamp here.
    if let Some(left) = c.get(api, kind, name) {
        assert!(left["metadata"]["deletionTimestamp"].is_string(), "{left}");
    }
}

#[test]
fn prometheus_upgrade_adds_alertmanager_and_rollback_removes_it() {
    if cluster("prometheus_upgrade_adds_alertmanager_and_rollback_removes_it").is_none() {
        return;
    }
    // ClusterRoles are cluster-wide: a unique release name keeps runs apart.
    let release = format!("monl{}", unique_suffix().replace('-', ""));
    let name = format!("{release}-prometheus-alertmanager");
    lifecycle(
        "prometheus",
        &release,
        "alertmanager.enabled=true",
        ("apps/v1", "StatefulSet", name),
    );
}

#[test]
fn efk_upgrade_switches_kibana_off_and_rollback_restores_it() {
    if cluster("efk_upgrade_switches_kibana_off_and_rollback_restores_it").is_none() {
        return;
    }
    let release = format!("logl{}", unique_suffix().replace('-', ""));
    let name = format!("{release}-kibana");
    lifecycle(
        "efk",
        &release,
        "kibana.enabled=false",
        ("apps/v1", "Deployment", name),
    );
}
