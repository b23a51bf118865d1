//! Helm's `--kube-*` connection flags against the real API server: a CD
//! job that has only a server address, a token and a CA file (no
//! kubeconfig anywhere), TLS checks, and impersonation. The address,
//! token and CA come from the test cluster's kubeconfig; on clusters whose
//! kubeconfig has no token user (client certificates, exec plugins) the
//! test skips and says so.

use hoist_e2e::cluster::cluster;
use hoist_e2e::{Run, hoist_bin, workspace_root};
use kube::config::Kubeconfig;
use std::path::PathBuf;
use std::process::Command;

/// Server URL, CA file and token of the kubeconfig's current context.
struct Access {
    server: String,
    ca_file: PathBuf,
    token: String,
}

fn access(kubeconfig: &str) -> Option<Access> {
    let file = Kubeconfig::read_from(kubeconfig).ok()?;
    let context_name = file.current_context.clone()?;
    let context = file
        .contexts
        .iter()
        .find(|c| c.name == context_name)?
        .context
        .clone()?;
    let cluster = file
        .clusters
        .iter()
        .find(|c| c.name == context.cluster)?
        .cluster
        .clone()?;
    let user = file
        .auth_infos
        .iter()
        .find(|u| Some(&u.name) == context.user.as_ref())?
        .auth_info
        .clone()?;
    use kube::config::AuthInfo;
    let AuthInfo { token, .. } = user;
    let token = secrecy::ExposeSecret::expose_secret(&token?).to_string();
    Some(Access {
        server: cluster.server?,
        ca_file: PathBuf::from(cluster.certificate_authority?),
        token,
    })
}

/// Runs hoist with `env` and none of the variables these tests are about
/// inherited. With `kubeconfig` `None` there is no kubeconfig at all:
/// KUBECONFIG unset and a HOME without `.kube/config`.
fn hoist_with(kubeconfig: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut command = Command::new(hoist_bin());
    command.args(args).current_dir(workspace_root());
    for inherited in [
        "KUBERNETES_SERVICE_HOST",
        "HOIST_NAMESPACE",
        "HELM_NAMESPACE",
        "NO_COLOR",
        "HOIST_COLOR",
        "HELM_COLOR",
    ] {
        command.env_remove(inherited);
    }
    match kubeconfig {
        Some(path) => command.env("KUBECONFIG", path),
        None => command.env_remove("KUBECONFIG").env("HOME", home.path()),
    };
    command.envs(env.iter().copied());
    command.output().unwrap().into()
}

/// [`hoist_with`] and no kubeconfig.
fn hoist_without_kubeconfig(args: &[&str], env: &[(&str, &str)]) -> Run {
    hoist_with(None, args, env)
}

#[test]
fn kube_flags_reach_the_server_without_a_kubeconfig() {
    let Some(kubeconfig) = cluster("kube_flags_reach_the_server_without_a_kubeconfig") else {
        return;
    };
    let Some(a) = access(&kubeconfig) else {
        eprintln!("skipping: the kubeconfig's user has no token or its cluster no CA file");
        return;
    };
    let ca = a.ca_file.to_string_lossy().to_string();
    let base = ["list", "-n", "default", "-o", "json"];
    let server = ["--kube-apiserver", a.server.as_str()];
    let token = ["--kube-token", a.token.as_str()];
    let trust = ["--kube-ca-file", ca.as_str()];
    let with = |parts: &[&[&str]]| {
        let mut args = base.to_vec();
        for part in parts {
            args.extend_from_slice(part);
        }
        hoist_without_kubeconfig(&args, &[])
    };

    // Nothing to go on: the error says which flags would do.
    let none = with(&[]);
    assert_ne!(none.code, 0);
    assert!(none.stderr.contains("--kube-apiserver"), "{}", none.stderr);

    // Server, token and CA: a CD job's whole configuration.
    let run = with(&[&server, &token, &trust]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.trim_start().starts_with('['), "{}", run.stdout);

    // The same from the environment.
    let run = hoist_without_kubeconfig(
        &base,
        &[
            ("HOIST_KUBEAPISERVER", a.server.as_str()),
            ("HOIST_KUBETOKEN", a.token.as_str()),
            ("HOIST_KUBECAFILE", ca.as_str()),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);

    // Without the CA the server's certificate is not trusted...
    let untrusted = with(&[&server, &token]);
    assert_ne!(untrusted.code, 0);
    assert!(
        untrusted.stderr.to_lowercase().contains("certificate"),
        "{}",
        untrusted.stderr
    );
    // ...unless the check is turned off.
    let insecure = with(&[&server, &token, &["--kube-insecure-skip-tls-verify"]]);
    assert_eq!(insecure.code, 0, "{}", insecure.stderr);

    // A name the certificate does not carry fails the check.
    let wrong_name = with(&[
        &server,
        &token,
        &trust,
        &["--kube-tls-server-name", "not-the-api-server.example"],
    ]);
    assert_ne!(wrong_name.code, 0);
    assert!(
        wrong_name.stderr.to_lowercase().contains("certificate"),
        "{}",
        wrong_name.stderr
    );

    // A wrong token is the server's 401, not a crash.
    let wrong_token = with(&[&server, &["--kube-token", "not-a-token"], &trust]);
    assert_ne!(wrong_token.code, 0);
    assert!(
        wrong_token.stderr.contains("Unauthorized") || wrong_token.stderr.contains("401"),
        "{}",
        wrong_token.stderr
    );
}

#[test]
fn kube_as_user_and_group_impersonate() {
    let Some(kubeconfig) = cluster("kube_as_user_and_group_impersonate") else {
        return;
    };
    let user = "hoist-impersonated-nobody";
    let k = Some(kubeconfig.as_str());
    let run = hoist_with(k, &["list", "-n", "default", "--kube-as-user", user], &[]);
    // The server judged the impersonated user, who may not list Secrets.
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains(user) && run.stderr.contains("forbidden"),
        "{}",
        run.stderr
    );
    // With a group that may, the same user can.
    let run = hoist_with(
        k,
        &[
            "list",
            "-n",
            "default",
            "--kube-as-user",
            user,
            "--kube-as-group",
            "system:masters",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn debug_traces_the_steps_of_an_install_on_stderr() {
    let Some(kubeconfig) = cluster("debug_traces_the_steps_of_an_install_on_stderr") else {
        return;
    };
    let ns = hoist_e2e::cluster::fresh_namespace("hoist-debug");
    let chart = hoist_e2e::fixture("charts/upgrade-app");
    let run = hoist_with(
        Some(&kubeconfig),
        &[
            "install",
            "traced",
            chart.to_str().unwrap(),
            "-n",
            &ns,
            "--create-namespace",
            "-o",
            "json",
        ],
        &[("HOIST_DEBUG", "true")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // stdout stays machine-readable; the steps go to stderr.
    let release: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(release["info"]["status"], "deployed");
    for step in [
        "storing a new revision",
        "status=\"pending-install\"",
        "applying",
        "status=\"deployed\"",
    ] {
        assert!(run.stderr.contains(step), "no {step:?} in:\n{}", run.stderr);
    }
}

#[test]
fn helm_environment_variables_apply_when_hoist_ones_are_unset() {
    let Some(kubeconfig) = cluster("helm_environment_variables_apply_when_hoist_ones_are_unset")
    else {
        return;
    };
    let Some(a) = access(&kubeconfig) else {
        eprintln!("skipping: the kubeconfig's user has no token or its cluster no CA file");
        return;
    };
    let ca = a.ca_file.to_string_lossy().to_string();
    let helm_env = [
        ("HELM_KUBEAPISERVER", a.server.as_str()),
        ("HELM_KUBETOKEN", a.token.as_str()),
        ("HELM_KUBECAFILE", ca.as_str()),
        ("HELM_NAMESPACE", "kube-system"),
    ];
    let run = hoist_without_kubeconfig(&["list", "-o", "json"], &helm_env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // HELM_NAMESPACE was taken: an impersonated user is refused there, and
    // the error names that namespace.
    let mut with_user = helm_env.to_vec();
    with_user.push(("HELM_KUBEASUSER", "hoist-env-nobody"));
    let run = hoist_without_kubeconfig(&["list"], &with_user);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("hoist-env-nobody") && run.stderr.contains("kube-system"),
        "{}",
        run.stderr
    );
    // hoist's own variable wins over Helm's.
    with_user.push(("HOIST_NAMESPACE", "default"));
    let run = hoist_without_kubeconfig(&["list"], &with_user);
    assert!(run.stderr.contains("\"default\""), "{}", run.stderr);
}

#[test]
fn color_modes_decide_status_colours_even_in_a_pipe() {
    let Some(kubeconfig) = cluster("color_modes_decide_status_colours_even_in_a_pipe") else {
        return;
    };
    let ns = hoist_e2e::cluster::fresh_namespace("hoist-color");
    let chart = hoist_e2e::fixture("charts/upgrade-app");
    let status = |args: &[&str], env: &[(&str, &str)]| hoist_with(Some(&kubeconfig), args, env);
    let install = status(
        &[
            "install",
            "tinted",
            chart.to_str().unwrap(),
            "-n",
            &ns,
            "--create-namespace",
        ],
        &[],
    );
    assert_eq!(install.code, 0, "{}", install.stderr);
    let base = ["status", "tinted", "-n", ns.as_str()];
    let with = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let run = status(&args, env);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout.contains("\u{1b}[")
    };
    // stdout is a pipe here: auto means no colour.
    assert!(!with(&[], &[]));
    assert!(with(&["--color", "always"], &[]));
    assert!(with(&["--colour", "always"], &[]));
    assert!(!with(&["--color", "never"], &[]));
    assert!(with(&[], &[("HELM_COLOR", "always")]));
    // The flag wins over the environment.
    assert!(!with(&["--color", "never"], &[("HOIST_COLOR", "always")]));
}

#[test]
fn qps_and_burst_limit_throttle_requests_as_helm_flags_do() {
    let Some(kubeconfig) = cluster("qps_and_burst_limit_throttle_requests_as_helm_flags_do") else {
        return;
    };
    let ns = hoist_e2e::cluster::fresh_namespace("hoist-qps");
    // `list` sends two requests (the records and the name hint); with a
    // burst of 1 at 2 per second the second waits half a second.
    let timed = |args: &[&str], env: &[(&str, &str)]| {
        let start = std::time::Instant::now();
        let run = hoist_with(Some(&kubeconfig), args, env);
        (run, start.elapsed())
    };
    let (run, took) = timed(
        &["list", "-n", &ns, "--qps", "2", "--burst-limit", "1"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        took >= std::time::Duration::from_millis(450),
        "not throttled: {took:?}"
    );
    // Helm's variables, as a job written for helm sets them.
    let (run, took) = timed(
        &["list", "-n", &ns],
        &[("HELM_QPS", "2"), ("HELM_BURST_LIMIT", "1")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        took >= std::time::Duration::from_millis(450),
        "not throttled: {took:?}"
    );
    // A burst of 0 is client-go's default of 10: the two requests go at once.
    let (run, took) = timed(
        &["list", "-n", &ns, "--qps", "2", "--burst-limit", "0"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        took < std::time::Duration::from_millis(450),
        "throttled: {took:?}"
    );
    // Discovery has its own bucket (Helm's discovery client: 50 per second,
    // here with the given burst of 1): a server-side dry run makes ~40
    // discovery requests, which at the command's 10 per second would take
    // 4 s, and a handful of throttled ones.
    let (run, took) = timed(
        &[
            "install",
            "probe",
            hoist_e2e::chart("hello").to_str().unwrap(),
            "-n",
            &ns,
            "--dry-run=server",
            "--qps",
            "10",
            "--burst-limit",
            "1",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        took < std::time::Duration::from_millis(3000),
        "discovery throttled: {took:?}"
    );
}

/// A kubeconfig for the test cluster whose user is an exec credential
/// plugin (a shell script) that prints `status` (an ExecCredential's
/// status, as JSON) and counts its runs in `count_file`.
fn exec_plugin_kubeconfig(
    server: &str,
    ca_file: Option<&std::path::Path>,
    dir: &std::path::Path,
    status: &serde_json::Value,
) -> (PathBuf, PathBuf) {
    let count_file = dir.join("runs");
    let credential = dir.join("credential.json");
    let body = serde_json::json!({
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "kind": "ExecCredential",
        "status": status,
    });
    std::fs::write(&credential, body.to_string()).unwrap();
    let plugin = dir.join("credential.sh");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\necho run >> '{}'\ncat '{}'\n",
            count_file.display(),
            credential.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let ca = ca_file
        .map(|ca| format!("    certificate-authority: {}\n", ca.display()))
        .unwrap_or_default();
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: exec\nclusters:\n- name: local\n  cluster:\n    server: {server}\n{ca}contexts:\n- name: exec\n  context:\n    cluster: local\n    user: plugin\nusers:\n- name: plugin\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: {}\n      interactiveMode: Never\n",
            plugin.display()
        ),
    )
    .unwrap();
    (kubeconfig, count_file)
}

#[test]
fn an_exec_credential_plugin_runs_once_per_command_even_when_throttled() {
    let Some(kubeconfig) =
        cluster("an_exec_credential_plugin_runs_once_per_command_even_when_throttled")
    else {
        return;
    };
    let Some(access) = access(&kubeconfig) else {
        eprintln!("skipping: the cluster's kubeconfig has no token user");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (plugin_kubeconfig, count_file) = exec_plugin_kubeconfig(
        &access.server,
        Some(&access.ca_file),
        dir.path(),
        &serde_json::json!({ "token": access.token }),
    );
    let ns = hoist_e2e::cluster::fresh_namespace("hoist-exec");
    let chart = hoist_e2e::chart("hello");
    let runs = || {
        std::fs::read_to_string(&count_file)
            .map(|s| s.lines().count())
            .unwrap_or(0)
    };
    // A server-side dry run discovers the API (dozens of requests) and
    // reads the cluster; with and without --qps, one set of credentials.
    for extra in [&[][..], &["--qps", "50", "--burst-limit", "5"][..]] {
        let before = runs();
        let mut args = vec![
            "install",
            "probe",
            chart.to_str().unwrap(),
            "-n",
            &ns,
            "--dry-run=server",
        ];
        args.extend_from_slice(extra);
        let run = hoist_with(Some(plugin_kubeconfig.to_str().unwrap()), &args, &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(runs() - before, 1, "plugin runs with {extra:?}");
    }
}

#[test]
fn an_exec_credential_plugin_may_hand_out_a_client_certificate() {
    let Some(kubeconfig) = cluster("an_exec_credential_plugin_may_hand_out_a_client_certificate")
    else {
        return;
    };
    let Some(access) = access(&kubeconfig) else {
        eprintln!("skipping: the cluster's kubeconfig has no token user");
        return;
    };
    // The local cluster trusts client certificates of its own CA, whose
    // key lies beside it; other clusters skip.
    let ca_key = access.ca_file.with_file_name("ca.key");
    if !ca_key.exists() {
        eprintln!("skipping: no CA key beside {}", access.ca_file.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("client.key");
    let csr = dir.path().join("client.csr");
    let cert = dir.path().join("client.crt");
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/O=system:masters/CN=hoist-exec-cert",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        csr.to_str().unwrap(),
    ]);
    // Extensions make it a version 3 certificate, the only kind rustls takes.
    let ext = dir.path().join("client.ext");
    std::fs::write(&ext, "extendedKeyUsage=clientAuth\n").unwrap();
    openssl(&[
        "x509",
        "-extfile",
        ext.to_str().unwrap(),
        "-req",
        "-in",
        csr.to_str().unwrap(),
        "-CA",
        access.ca_file.to_str().unwrap(),
        "-CAkey",
        ca_key.to_str().unwrap(),
        "-CAcreateserial",
        "-CAserial",
        dir.path().join("ca.srl").to_str().unwrap(),
        "-days",
        "1",
        "-out",
        cert.to_str().unwrap(),
    ]);
    let status = serde_json::json!({
        "clientCertificateData": std::fs::read_to_string(&cert).unwrap(),
        "clientKeyData": std::fs::read_to_string(&key).unwrap(),
    });
    let (plugin_kubeconfig, count_file) =
        exec_plugin_kubeconfig(&access.server, Some(&access.ca_file), dir.path(), &status);
    let ns = hoist_e2e::cluster::fresh_namespace("hoist-exec-cert");
    let chart = hoist_e2e::chart("hello");
    let run = hoist_with(
        Some(plugin_kubeconfig.to_str().unwrap()),
        &[
            "install",
            "probe",
            chart.to_str().unwrap(),
            "-n",
            &ns,
            "--dry-run=server",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(count_file.exists(), "the plugin never ran");
    // The certificate really authenticated: without it the server says who
    // the request came from (anonymous) and refuses.
    std::fs::write(dir.path().join("credential.json"), r#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{}}"#).unwrap();
    let run = hoist_with(
        Some(plugin_kubeconfig.to_str().unwrap()),
        &["list", "-n", &ns],
        &[],
    );
    assert_ne!(run.code, 0, "{}", run.stdout);
}

#[test]
fn an_exec_credential_plugin_runs_once_even_without_a_server() {
    // No cluster needed: the credentials are built before the first
    // request, which then fails (nothing listens on port 1).
    let dir = tempfile::tempdir().unwrap();
    for server in ["https://127.0.0.1:1", "http://127.0.0.1:1"] {
        let (kubeconfig, count_file) = exec_plugin_kubeconfig(
            server,
            None,
            dir.path(),
            &serde_json::json!({ "token": "t" }),
        );
        let _ = std::fs::remove_file(&count_file);
        let run = hoist_with(
            Some(kubeconfig.to_str().unwrap()),
            &["list", "-n", "default", "--qps", "5"],
            &[],
        );
        assert_ne!(run.code, 0, "{server}: nothing listens there");
        let runs = std::fs::read_to_string(&count_file).unwrap_or_default();
        assert_eq!(runs.lines().count(), 1, "{server}: plugin runs");
    }
}
