//! Helm plugins end to end: the real `hoist` binary installs, lists, runs
//! and uninstalls the shell-script plugins of tests/fixtures/plugins/
//! (both plugin.yaml formats), from folders, local archives, an archive
//! served over HTTP on 127.0.0.1 and a git repository; a downloader plugin
//! serves a chart repository for a made-up `fixture://` scheme; a
//! post-renderer plugin labels `template` output. No cluster is needed.

use hoist_e2e::{Sandbox, chart, fixture, hoist_bin};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A [`Sandbox`] whose plugins live in `data/plugins`.
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
        // No cluster: what plugins are told must not come from the shell.
        let mut sandbox = Sandbox::new();
        sandbox.unset("KUBECONFIG");
        Env(sandbox)
    }

    fn plugins(&self) -> PathBuf {
        self.path("data/plugins")
    }

    /// Everything under the plugin folder, sorted (names only).
    fn plugin_files(&self) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(self.plugins())
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }
}

fn plugin_src(name: &str) -> String {
    fixture(&format!("plugins/{name}"))
        .to_string_lossy()
        .into_owned()
}

/// stderr with miette's margins and line wrapping undone.
fn flat(s: &str) -> String {
    s.replace(['│', '×'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `KEY=value` lines a plugin printed.
fn value<'a>(out: &'a str, key: &str) -> Option<&'a str> {
    out.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}

/// A gzip'd tar of the files of `dir` under `top/`, with their modes.
fn tgz_of_dir(dir: &Path, top: &str) -> Vec<u8> {
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    b.append_dir_all(top, dir).unwrap();
    b.into_inner().unwrap().finish().unwrap()
}

/// A gzip'd tar of raw entries, names unchecked as a hostile archive's:
/// (name, type, data or link target).
fn raw_tgz(entries: &[(&str, tar::EntryType, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for (name, kind, data) in entries {
        let mut h = tar::Header::new_old();
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_entry_type(*kind);
        h.set_mode(0o755);
        if *kind == tar::EntryType::Symlink {
            h.as_old_mut().linkname[..data.len()].copy_from_slice(data.as_bytes());
            h.set_size(0);
            h.set_cksum();
            b.append(&h, std::io::empty()).unwrap();
        } else {
            h.set_size(data.len() as u64);
            h.set_cksum();
            b.append(&h, data.as_bytes()).unwrap();
        }
    }
    b.into_inner().unwrap().finish().unwrap()
}

/// A plugin folder written by the test: plugin.yaml plus one script.
fn write_plugin(dir: &Path, yaml: &str, script: (&str, &str)) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("plugin.yaml"), yaml).unwrap();
    write_script(&dir.join(script.0), script.1);
}

/// Writes an executable script through a child `sh` (so that no other
/// test thread's child inherits it open: "Text file busy").
fn write_script(path: &Path, body: &str) {
    let mut child = Command::new("sh")
        .args(["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh"])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("#!/bin/sh\n{body}\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

/// Serves the files of `dir` over HTTP on 127.0.0.1 until the test ends.
fn static_server(dir: &Path) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or("GET").to_string();
                let path = parts.next().unwrap_or("/").to_string();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                }
                let rel = path.trim_start_matches('/').split('?').next().unwrap_or("");
                let (status, body) = match std::fs::read(dir.join(rel)) {
                    Ok(b) => ("200 OK", b),
                    Err(_) => ("404 Not Found", b"not found".to_vec()),
                };
                let mut out = stream;
                let _ = out.write_all(
                    format!(
                        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/gzip\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .as_bytes(),
                );
                if method != "HEAD" {
                    let _ = out.write_all(&body);
                }
            });
        }
    });
    url
}

// ------------------------------------------------------------------ tests

#[test]
fn folders_install_as_links_list_and_refuse_a_second_install() {
    let env = Env::new();
    let r = env.ok(&["plugin", "install", &plugin_src("echo-legacy")]);
    assert_eq!(
        r.stdout,
        "Installing plugin from local directory (development mode)\nInstalled plugin: echo-legacy\n"
    );
    let link = env.plugins().join("echo-legacy");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        fixture("plugins/echo-legacy")
    );
    env.ok(&["plugin", "add", &plugin_src("hello-v1")]);

    let r = env.ok(&["plugin", "list"]);
    let rows: Vec<Vec<&str>> = r
        .stdout
        .lines()
        .map(|l| l.split('\t').map(str::trim).collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec![
                "NAME",
                "VERSION",
                "TYPE",
                "APIVERSION",
                "PROVENANCE",
                "SOURCE"
            ],
            vec![
                "echo-legacy",
                "0.1.0",
                "cli/v1",
                "legacy",
                "local dev",
                "unknown"
            ],
            vec![
                "hello-v1",
                "1.2.0",
                "cli/v1",
                "v1",
                "local dev",
                "https://example.invalid/hoist/hello-v1"
            ],
        ]
    );
    let r = env.ok(&["plugin", "ls", "--type", "getter/v1"]);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    // A type no plugin has: Helm's empty table, not an error.
    let r = env.ok(&["plugin", "ls", "--type", "wasm/v9"]);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert!(r.stdout.starts_with("NAME"), "{}", r.stdout);
    let r = env.ok(&["plugin", "ls", "--type", "cli/v1"]);
    assert_eq!(r.stdout.lines().count(), 3, "{}", r.stdout);

    // The same folder again: Helm's error, nothing changed.
    let r = env.fails(&["plugin", "install", &plugin_src("echo-legacy")]);
    assert!(
        flat(&r.stderr).contains("plugin already exists"),
        "{}",
        r.stderr
    );
    assert_eq!(env.plugin_files(), ["echo-legacy", "hello-v1"]);

    // Uninstalling removes the link, never the linked folder.
    let r = env.ok(&["plugin", "uninstall", "echo-legacy"]);
    assert_eq!(r.stdout, "Uninstalled plugin: echo-legacy\n");
    assert_eq!(env.plugin_files(), ["hello-v1"]);
    assert!(fixture("plugins/echo-legacy/plugin.yaml").exists());
    let r = env.fails(&["plugin", "uninstall", "echo-legacy", "hello-v1"]);
    assert!(
        flat(&r.stderr).contains("plugin: echo-legacy not found"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "Uninstalled plugin: hello-v1\n");
    assert!(env.plugin_files().is_empty());
}

#[test]
fn a_cli_plugin_gets_its_arguments_helms_variables_and_streams() {
    let env = Env::new();
    env.ok(&["plugin", "install", &plugin_src("echo-legacy")]);
    let r = env.ok(&[
        "-n",
        "before",
        "echo-legacy",
        "a b",
        "--namespace",
        "after",
        "--kube-context=prod",
        "--set",
        "x=y",
        "--kube-as-group",
        "g1",
        "--debug",
        "-q",
    ]);
    let out = &r.stdout;
    let args: Vec<&str> = out.lines().filter_map(|l| l.strip_prefix("arg=")).collect();
    // Helm's global flags are read by hoist and not passed on.
    assert_eq!(args, ["a b", "--set", "x=y", "-q"], "{out}");
    assert_eq!(value(out, "HELM_PLUGIN_NAME"), Some("echo-legacy"));
    assert_eq!(
        value(out, "HELM_PLUGIN_DIR").map(PathBuf::from),
        Some(env.plugins().join("echo-legacy"))
    );
    assert_eq!(
        value(out, "HELM_BIN").map(PathBuf::from),
        Some(std::fs::canonicalize(hoist_bin()).unwrap())
    );
    assert_eq!(
        value(out, "HELM_PLUGINS").map(PathBuf::from),
        Some(env.plugins())
    );
    assert_eq!(value(out, "HELM_NAMESPACE"), Some("after"));
    assert_eq!(value(out, "HOIST_NAMESPACE"), Some("after"));
    assert_eq!(value(out, "HELM_KUBECONTEXT"), Some("prod"));
    assert_eq!(value(out, "HELM_KUBEASGROUPS"), Some("g1"));
    assert_eq!(value(out, "HELM_DEBUG"), Some("true"));
    assert_eq!(
        value(out, "HELM_DATA_HOME").map(PathBuf::from),
        Some(env.path("data"))
    );
    assert_eq!(
        value(out, "HELM_REPOSITORY_CONFIG").map(PathBuf::from),
        Some(env.path("config/repositories.yaml"))
    );

    // Without flags: the defaults.
    let r = env.ok(&["echo-legacy"]);
    assert_eq!(value(&r.stdout, "HELM_NAMESPACE"), Some("default"));
    assert_eq!(value(&r.stdout, "HELM_DEBUG"), Some("false"));
    assert!(!r.stdout.contains("arg="), "{}", r.stdout);

    // Standard input goes through.
    let r = env.run_with_stdin(&["echo-legacy", "--read-stdin"], "piped text\n");
    assert_eq!((r.code, r.stdout.as_str()), (0, "piped text\n"));

    // $HELM_BIN is this hoist, and it sees the settings the plugin got.
    let r = env.ok(&[
        "--namespace",
        "web",
        "echo-legacy",
        "--call-bin",
        "env",
        "HELM_NAMESPACE",
    ]);
    assert_eq!(r.stdout, "web\n");
}

#[test]
fn the_plugins_exit_code_becomes_hoists() {
    let mut env = Env::new();
    env.ok(&["plugin", "install", &plugin_src("echo-legacy")]);
    env.set("ECHO_EXIT", "7");
    let r = env.run(&["echo-legacy"]);
    assert_eq!(r.code, 7, "{}", r.stderr);
    assert!(r.stdout.contains("HELM_PLUGIN_NAME=echo-legacy"));
    assert_eq!(
        r.stderr,
        "Error: plugin \"echo-legacy\" exited with error\n"
    );
}

#[test]
fn a_v1_plugin_picks_its_platform_command_ignores_flags_and_runs_hooks() {
    let mut env = Env::new();
    let log = env.path("hooks.log");
    env.set("HOOK_LOG", &log);
    let r = env.ok(&["plugin", "install", &plugin_src("hello-v1")]);
    assert!(
        r.stdout.ends_with("Installed plugin: hello-v1\n"),
        "{}",
        r.stdout
    );
    // The install hook ran; its arguments were not expanded (v1), its
    // command was.
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "install $HELM_PLUGIN_NAME hello-v1\n"
    );
    // Not the entries for another OS or an arch without an OS; args
    // expanded; the user's words dropped (ignoreFlags).
    let r = env.ok(&["hello-v1", "--loud", "world"]);
    assert_eq!(r.stdout, "--greeting|hello from hello-v1|\n");
    env.ok(&["plugin", "uninstall", "hello-v1"]);
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "install $HELM_PLUGIN_NAME hello-v1\ndelete\n"
    );
}

#[test]
fn unknown_commands_still_get_clap_errors() {
    let mut env = Env::new();
    env.ok(&["plugin", "install", &plugin_src("echo-legacy")]);
    let r = env.run(&["no-such-command", "x"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("error: unrecognized subcommand 'no-such-command'"),
        "{}",
        r.stderr
    );
    let r = env.run(&["lsit"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("similar subcommand"), "{}", r.stderr);
    // HELM_NO_PLUGINS=1 turns plugins off, as in Helm.
    env.set("HELM_NO_PLUGINS", "1");
    let r = env.run(&["echo-legacy"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("unrecognized subcommand 'echo-legacy'"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_plugin_named_like_a_built_in_command_does_not_replace_it() {
    let env = Env::new();
    let src = env.path("src/version");
    write_plugin(
        &src,
        "name: version\nversion: 0.0.1\ncommand: $HELM_PLUGIN_DIR/run.sh\n",
        ("run.sh", "echo PLUGIN RAN"),
    );
    let r = env.ok(&["plugin", "install", &src.to_string_lossy()]);
    assert!(
        r.stderr.contains("has the name of a built-in command"),
        "{}",
        r.stderr
    );
    let r = env.ok(&["version", "--short"]);
    assert!(!r.stdout.contains("PLUGIN RAN"), "{}", r.stdout);
    assert!(r.stdout.starts_with('v'), "{}", r.stdout);
    assert!(env.ok(&["plugin", "list"]).stdout.contains("\nversion"));
}

#[test]
fn webassembly_and_broken_plugins_are_skipped_with_a_reason() {
    let env = Env::new();
    let wasm = env.plugins().join("wasmy");
    std::fs::create_dir_all(&wasm).unwrap();
    std::fs::write(
        wasm.join("plugin.yaml"),
        "apiVersion: v1\nname: wasmy\ntype: cli/v1\nruntime: extism/v1\nversion: 1.0.0\nruntimeConfig:\n  memory: {}\n",
    )
    .unwrap();
    let r = env.fails(&["wasmy", "arg"]);
    let e = flat(&r.stderr);
    assert!(
        e.contains("plugin \"wasmy\"") && e.contains("extism/v1") && e.contains("not support"),
        "{e}"
    );
    let r = env.ok(&["plugin", "list"]);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert!(r.stderr.contains("failed to load plugin"), "{}", r.stderr);
    assert!(r.stderr.contains("wasmy"), "{}", r.stderr);
}

/// A copy of fixture `name` under `env`, archived as `file` (top folder
/// `top`), returned with its bytes.
fn archive(env: &Env, name: &str, top: &str, file: &str) -> (PathBuf, Vec<u8>) {
    let bytes = tgz_of_dir(&fixture(&format!("plugins/{name}")), top);
    let path = env.path(&format!("dist/{file}"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

#[test]
fn a_local_archive_needs_verify_false_without_provenance_then_installs() {
    let env = Env::new();
    let (tgz, bytes) = archive(&env, "echo-legacy", "echo-legacy", "echo-legacy-0.1.0.tgz");
    let tgz = tgz.to_string_lossy().into_owned();
    // Helm v4 verifies archives by default: no .prov, no install.
    let r = env.fails(&["plugin", "install", &tgz]);
    assert!(
        flat(&r.stderr).contains("plugin verification failed: no provenance file (.prov) found"),
        "{}",
        r.stderr
    );
    assert!(env.plugin_files().is_empty(), "{:?}", env.plugin_files());

    let r = env.ok(&["plugin", "install", &tgz, "--verify=false"]);
    assert_eq!(
        r.stdout,
        "WARNING: Skipping plugin signature verification\nInstalled plugin: echo-legacy\n"
    );
    // A real folder this time (not a link), scripts still executable, and
    // the archive kept beside it as Helm keeps it.
    let dir = env.plugins().join("echo-legacy");
    assert!(std::fs::symlink_metadata(&dir).unwrap().is_dir());
    assert_eq!(
        std::fs::read(env.plugins().join("echo-legacy-0.1.0.tgz")).unwrap(),
        bytes
    );
    let r = env.ok(&["echo-legacy", "z"]);
    assert!(r.stdout.starts_with("arg=z\n"), "{}", r.stdout);
    let list = env.ok(&["plugin", "list"]).stdout;
    assert!(list.contains("unsigned"), "{list}");

    // Updating a plugin that did not come from git: Helm's error.
    let r = env.fails(&["plugin", "update", "echo-legacy"]);
    assert!(
        flat(&r.stderr).contains(
            "failed to update plugin echo-legacy, got error (cannot get information about plugin source)"
        ),
        "{}",
        r.stderr
    );
    env.ok(&["plugin", "uninstall", "echo-legacy"]);
    assert!(env.plugin_files().is_empty(), "{:?}", env.plugin_files());

    // A flat archive (plugin.yaml at the top, no folder), which Helm
    // takes too; no temporary folder is left beside the plugins.
    let (tgz, _) = archive(&env, "echo-legacy", ".", "flat-0.1.0.tgz");
    let r = env.ok(&[
        "plugin",
        "install",
        &tgz.to_string_lossy(),
        "--verify=false",
    ]);
    assert!(
        r.stdout.contains("Installed plugin: echo-legacy"),
        "{}",
        r.stdout
    );
    let r = env.ok(&["echo-legacy", "flat"]);
    assert!(r.stdout.starts_with("arg=flat\n"), "{}", r.stdout);
    assert!(
        !env.plugin_files()
            .iter()
            .any(|f| f.contains(".hoist-plugin")),
        "{:?}",
        env.plugin_files()
    );
}

#[test]
fn hostile_archives_are_refused_and_nothing_is_written() {
    use tar::EntryType::{Regular as F, Symlink as L};
    let env = Env::new();
    let yaml = "name: evil\nversion: 0.1.0\ncommand: x\n";
    for (entries, reason) in [
        (
            vec![
                ("evil/plugin.yaml", F, yaml),
                ("evil/../../escaped", F, "x"),
            ],
            "contains '..'",
        ),
        (
            vec![
                ("evil/plugin.yaml", F, yaml),
                ("/tmp/hoist-escaped-abs", F, "x"),
            ],
            "is absolute",
        ),
        (
            vec![("evil/plugin.yaml", F, yaml), ("evil/etc", L, "/etc")],
            "absolute path",
        ),
        (
            vec![("evil/plugin.yaml", F, yaml), ("evil/up", L, "../../..")],
            "leads outside",
        ),
    ] {
        let path = env.path("evil-0.1.0.tgz");
        std::fs::write(&path, raw_tgz(&entries)).unwrap();
        let r = env.fails(&[
            "plugin",
            "install",
            &path.to_string_lossy(),
            "--verify=false",
        ]);
        let e = flat(&r.stderr);
        assert!(e.contains("refusing plugin archive"), "{e}");
        assert!(e.contains(reason), "{reason}: {e}");
        // Nothing installed, no temporary folder left, nothing outside.
        assert!(env.plugin_files().is_empty(), "{:?}", env.plugin_files());
        assert!(!env.path("escaped").exists());
        assert!(!env.path("data/escaped").exists());
        assert!(!Path::new("/tmp/hoist-escaped-abs").exists());
    }
}

#[test]
fn an_archive_served_over_http_installs() {
    let env = Env::new();
    let www = env.path("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(
        www.join("fixture-getter-0.3.0.tar.gz"),
        tgz_of_dir(&fixture("plugins/fixture-getter"), "fixture-getter"),
    )
    .unwrap();
    // No suffix: the content type says it is an archive.
    std::fs::write(
        www.join("label-download"),
        tgz_of_dir(&fixture("plugins/label-postrenderer"), "label"),
    )
    .unwrap();
    let url = static_server(&www);
    let r = env.fails(&[
        "plugin",
        "install",
        &format!("{url}/fixture-getter-0.3.0.tar.gz"),
    ]);
    assert!(
        flat(&r.stderr).contains("no provenance file"),
        "{}",
        r.stderr
    );
    let r = env.ok(&[
        "plugin",
        "install",
        &format!("{url}/fixture-getter-0.3.0.tar.gz"),
        "--verify=false",
    ]);
    assert!(
        r.stdout.ends_with("Installed plugin: fixture-getter\n"),
        "{}",
        r.stdout
    );
    env.ok(&[
        "plugin",
        "install",
        &format!("{url}/label-download"),
        "--verify=false",
    ]);
    assert_eq!(
        env.plugin_files(),
        [
            "fixture-getter",
            "fixture-getter-0.3.0.tgz",
            "label",
            "label-0.1.0.tgz"
        ]
    );
    let r = env.fails(&[
        "plugin",
        "install",
        &format!("{url}/missing.tgz"),
        "--verify=false",
    ]);
    assert!(flat(&r.stderr).contains("404"), "{}", r.stderr);
}

/// gpg with the fixture signer's key, in a throwaway home; `None` (the
/// test then says so and stops) when gpg is not installed.
fn clearsign(dir: &Path, text: &str) -> Option<String> {
    if !hoist_e2e::tool_available("gpg") {
        return None;
    }
    let home = dir.join("gnupg");
    std::fs::create_dir_all(&home).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&home).unwrap().permissions(),
        0o700,
    );
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg")
            .env("GNUPGHOME", &home)
            .args([
                "--batch",
                "--yes",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let key = fixture("provenance/signer-secring.gpg");
    gpg(&["--import", &key.to_string_lossy()]);
    let msg = dir.join("message.txt");
    std::fs::write(&msg, text).unwrap();
    let signed = dir.join("message.asc");
    gpg(&[
        "--digest-algo",
        "SHA512",
        "--local-user",
        "signer@hoist.test",
        "--output",
        &signed.to_string_lossy(),
        "--clearsign",
        &msg.to_string_lossy(),
    ]);
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", &home)
        .args(["--kill", "all"])
        .output();
    Some(std::fs::read_to_string(signed).unwrap())
}

#[test]
fn a_signed_archive_is_verified_against_the_keyring() {
    let env = Env::new();
    let www = env.path("www");
    std::fs::create_dir_all(&www).unwrap();
    let bytes = tgz_of_dir(&fixture("plugins/echo-legacy"), "echo-legacy");
    let file = "echo-legacy-0.1.0.tgz";
    std::fs::write(www.join(file), &bytes).unwrap();
    let digest = hoist_core::chart::package::sha256_hex(&bytes);
    let message =
        format!("name: echo-legacy\nversion: 0.1.0\n\n...\nfiles:\n  {file}: sha256:{digest}\n");
    let Some(prov) = clearsign(&env.path("sign"), &message) else {
        return;
    };
    std::fs::write(www.join(format!("{file}.prov")), &prov).unwrap();
    let url = static_server(&www);
    let keyring = fixture("provenance/pubring.gpg");
    let r = env.ok(&[
        "plugin",
        "install",
        &format!("{url}/{file}"),
        "--keyring",
        &keyring.to_string_lossy(),
    ]);
    assert!(
        r.stdout.starts_with("Verifying plugin signature...\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Signed by: Hoist Test Signer <signer@hoist.test>\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("Plugin Hash Verified: sha256:{digest}\n")),
        "{}",
        r.stdout
    );
    let list = env.ok(&["plugin", "list"]).stdout;
    assert!(list.contains("\tsigned"), "{list}");
    env.ok(&["plugin", "uninstall", "echo-legacy"]);

    // The same signature over other bytes: refused, nothing written.
    let other = tgz_of_dir(&fixture("plugins/hello-v1"), "echo-legacy");
    std::fs::write(www.join(file), &other).unwrap();
    let r = env.fails(&[
        "plugin",
        "install",
        &format!("{url}/{file}"),
        "--keyring",
        &keyring.to_string_lossy(),
    ]);
    assert!(
        flat(&r.stderr).contains("plugin verification failed"),
        "{}",
        r.stderr
    );
    assert!(env.plugin_files().is_empty(), "{:?}", env.plugin_files());
}

#[test]
fn git_repositories_install_at_a_version_and_update() {
    if !hoist_e2e::tool_available("git") {
        return;
    }
    let env = Env::new();
    let repo = env.path("src/gitplug");
    write_plugin(
        &repo,
        "name: gitplug\nversion: 0.1.0\ncommand: $HELM_PLUGIN_DIR/run.sh\n",
        ("run.sh", "echo gitplug"),
    );
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(&repo)
            .env("HOME", env.path("home"))
            .args(["-c", "user.name=t", "-c", "user.email=t@t.invalid"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "0.1.0"]);
    git(&["tag", "v0.1.0"]);
    std::fs::write(
        repo.join("plugin.yaml"),
        "name: gitplug\nversion: 0.2.0\ncommand: $HELM_PLUGIN_DIR/run.sh\n",
    )
    .unwrap();
    git(&["commit", "-q", "-am", "0.2.0"]);
    git(&["tag", "v0.2.0"]);
    let url = format!("file://{}", repo.display());

    // Git sources cannot be verified: Helm v4 wants --verify=false.
    let r = env.fails(&["plugin", "install", &url]);
    assert!(
        flat(&r.stderr).contains(
            "plugin source does not support verification. Use --verify=false to skip verification"
        ),
        "{}",
        r.stderr
    );
    let r = env.ok(&[
        "plugin",
        "install",
        &url,
        "--version",
        "~0.1",
        "--verify=false",
    ]);
    assert!(
        r.stdout.ends_with("Installed plugin: gitplug\n"),
        "{}",
        r.stdout
    );
    let list = env.ok(&["plugin", "list"]).stdout;
    assert!(list.contains("gitplug\t0.1.0"), "{list}");
    assert_eq!(env.ok(&["gitplug"]).stdout, "gitplug\n");
    env.ok(&["plugin", "uninstall", "gitplug"]);
    let r = env.fails(&[
        "plugin",
        "install",
        &url,
        "--version",
        ">5",
        "--verify=false",
    ]);
    assert!(
        flat(&r.stderr).contains("requested version \">5\" does not exist"),
        "{}",
        r.stderr
    );
    assert!(env.plugin_files().is_empty(), "{:?}", env.plugin_files());

    // On the default branch, `plugin update` pulls new commits.
    env.ok(&["plugin", "install", &url, "--verify=false"]);
    assert!(
        env.ok(&["plugin", "list"])
            .stdout
            .contains("gitplug\t0.2.0")
    );
    std::fs::write(
        repo.join("plugin.yaml"),
        "name: gitplug\nversion: 0.3.0\ncommand: $HELM_PLUGIN_DIR/run.sh\n",
    )
    .unwrap();
    git(&["commit", "-q", "-am", "0.3.0"]);
    let r = env.ok(&["plugin", "update", "gitplug"]);
    assert_eq!(r.stdout, "Updated plugin: gitplug\n");
    assert!(
        env.ok(&["plugin", "list"])
            .stdout
            .contains("gitplug\t0.3.0")
    );
}

#[test]
fn a_downloader_plugin_serves_repositories_and_charts() {
    let mut env = Env::new();
    env.ok(&["plugin", "install", &plugin_src("fixture-getter")]);
    // The repository: hello packaged and indexed under <root>/charts.
    let repo_root = env.path("fixture-files");
    let charts = repo_root.join("charts");
    std::fs::create_dir_all(&charts).unwrap();
    env.ok(&[
        "package",
        &chart("hello").to_string_lossy(),
        "-d",
        &charts.to_string_lossy(),
    ]);
    env.ok(&["repo", "index", &charts.to_string_lossy()]);
    let log = env.path("getter.log");
    env.set("FIXTURE_REPO_DIR", &repo_root);
    env.set("FIXTURE_LOG", &log);

    let r = env.ok(&[
        "repo",
        "add",
        "fx",
        "fixture://charts",
        "--username",
        "me",
        "--password",
        "pw",
    ]);
    assert!(r.stdout.contains("\"fx\" has been added"), "{}", r.stdout);
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        calls,
        "4 cert= key= ca= url=fixture://charts/index.yaml user=me\n"
    );
    let r = env.ok(&["repo", "update"]);
    assert!(
        r.stdout
            .contains("Successfully got an update from the \"fx\""),
        "{}",
        r.stdout
    );
    let r = env.ok(&["search", "repo", "fx/"]);
    assert!(r.stdout.contains("fx/hello"), "{}", r.stdout);

    // pull by REPO/CHART and by URL.
    env.ok(&["pull", "fx/hello", "-d", "pulled"]);
    assert!(env.path("pulled/hello-0.1.0.tgz").is_file());
    env.ok(&["pull", "fixture://charts/hello-0.1.0.tgz", "-d", "by-url"]);
    assert_eq!(
        std::fs::read(env.path("by-url/hello-0.1.0.tgz")).unwrap(),
        std::fs::read(charts.join("hello-0.1.0.tgz")).unwrap()
    );
    // template (the lookup install and upgrade share) of a repository chart.
    let r = env.ok(&["template", "web", "fx/hello"]);
    assert!(r.stdout.contains("name: web-hello"), "{}", r.stdout);
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("url=fixture://charts/hello-0.1.0.tgz"),
    );

    // dependency update of a chart whose dependency lives there.
    let parent = env.path("parent");
    std::fs::create_dir_all(parent.join("templates")).unwrap();
    std::fs::write(
        parent.join("Chart.yaml"),
        "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n- name: hello\n  version: 0.1.0\n  repository: fixture://charts\n",
    )
    .unwrap();
    env.ok(&["dependency", "update", &parent.to_string_lossy()]);
    assert!(parent.join("charts/hello-0.1.0.tgz").is_file());

    // Values files too, as Helm's readFile (helm-secrets' `-f secrets://`).
    std::fs::write(repo_root.join("values.yaml"), "message: from-a-plugin\n").unwrap();
    std::fs::write(repo_root.join("msg.txt"), "set-file-by-plugin").unwrap();
    let hello = chart("hello").to_string_lossy().into_owned();
    for (flags, shown) in [
        (["-f", "fixture://values.yaml"], "from-a-plugin"),
        (
            ["--set-file", "message=fixture://msg.txt"],
            "set-file-by-plugin",
        ),
    ] {
        let r = env.ok(&["template", "web", &hello, flags[0], flags[1]]);
        assert!(r.stdout.contains(shown), "{flags:?}: {}", r.stdout);
    }
    let r = env.fails(&["template", "web", &hello, "-f", "fixture://absent.yaml"]);
    assert!(
        flat(&r.stderr).contains("fixture: no such file: absent.yaml"),
        "{}",
        r.stderr
    );

    // Its `command` still runs as `hoist fixture-getter` (Helm 3 did).
    let r = env.ok(&["fixture-getter", "", "", "", "fixture://charts/index.yaml"]);
    assert!(r.stdout.contains("hello-0.1.0.tgz"), "{}", r.stdout);

    // A failing download: the plugin's stderr in hoist's error.
    let r = env.fails(&["repo", "add", "missing", "fixture://nowhere"]);
    let e = flat(&r.stderr);
    assert!(
        e.contains("fixture: no such file: nowhere/index.yaml"),
        "{e}"
    );
    assert!(
        e.contains("plugin \"fixture-getter\" exited with error"),
        "{e}"
    );
    // Without the plugin, the scheme is unknown again.
    env.ok(&["plugin", "uninstall", "fixture-getter"]);
    let r = env.fails(&["pull", "fixture://charts/hello-0.1.0.tgz"]);
    assert!(!flat(&r.stderr).contains("fixture-getter"), "{}", r.stderr);
}

#[test]
fn a_post_renderer_plugin_labels_template_output() {
    let env = Env::new();
    env.ok(&["plugin", "install", &plugin_src("label-postrenderer")]);
    let hello = chart("hello").to_string_lossy().into_owned();
    let plain = env.ok(&["template", "web", &hello]).stdout;
    let r = env.ok(&[
        "template",
        "web",
        &hello,
        "--post-renderer",
        "label",
        "--post-renderer-args",
        "team-a",
    ]);
    let objects = plain.matches("\nmetadata:\n").count();
    assert!(objects >= 3, "{plain}");
    assert_eq!(
        r.stdout
            .matches("\nmetadata:\n  labels:\n    plugin-label: team-a\n")
            .count(),
        objects,
        "{}",
        r.stdout
    );
    // Without arguments the plugin's default; a name that is no
    // post-renderer plugin is a program path, as before.
    let r = env.ok(&["template", "web", &hello, "--post-renderer", "label"]);
    assert!(r.stdout.contains("plugin-label: set"), "{}", r.stdout);
    let r = env.fails(&[
        "template",
        "web",
        &hello,
        "--post-renderer",
        "no-such-renderer",
    ]);
    assert!(
        flat(&r.stderr).contains("unable to find binary at no-such-renderer"),
        "{}",
        r.stderr
    );
    // Plugin folders that cannot be read (two plugins of one name in one
    // folder): the error says so, not only that no program has the name.
    copy_dir(
        &fixture("plugins/label-postrenderer"),
        &env.plugins().join("label-copy"),
    );
    let r = env.fails(&["template", "web", &hello, "--post-renderer", "label"]);
    let e = flat(&r.stderr);
    assert!(e.contains("unable to find binary at label"), "{e}");
    assert!(e.contains("two plugins claim the name \"label\""), "{e}");
}

/// Copies a folder tree (files and folders only).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
