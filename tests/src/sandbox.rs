//! A test's own hoist folders (config, cache, data, HOME) in a temporary
//! folder, and hoist run with them and none of the developer's settings.

use crate::{Run, hoist_bin};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Variables of the developer's shell that would change what hoist does
/// (`KUBECONFIG` stays: tests against the cluster need it).
const INHERITED: &[&str] = &[
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "HELM_CONFIG_HOME",
    "HOIST_PLUGINS",
    "HELM_PLUGINS",
    "HOIST_NO_PLUGINS",
    "HELM_NO_PLUGINS",
    "HOIST_NAMESPACE",
    "HELM_NAMESPACE",
    "HOIST_KUBECONTEXT",
    "HELM_KUBECONTEXT",
    "HOIST_DEBUG",
    "HELM_DEBUG",
    "HOIST_REPOSITORY_CONFIG",
    "HELM_REPOSITORY_CONFIG",
    "HOIST_REPOSITORY_CACHE",
    "HELM_REPOSITORY_CACHE",
    "HOIST_CONTENT_CACHE",
    "HELM_CONTENT_CACHE",
];

/// hoist's folders for one test: `config/`, `cache/`, `data/` and `home/`
/// under a temporary folder, which is also the working directory.
pub struct Sandbox {
    root: tempfile::TempDir,
    extra: Vec<(String, String)>,
    unset: Vec<String>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A fresh, empty sandbox.
    pub fn new() -> Sandbox {
        Sandbox {
            root: tempfile::tempdir().expect("a temporary folder"),
            extra: Vec::new(),
            unset: Vec::new(),
        }
    }

    /// `rel` under the sandbox.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// Sets a variable for every later run.
    pub fn set(&mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) {
        self.extra
            .push((k.to_string(), v.as_ref().to_string_lossy().into_owned()));
    }

    /// Leaves the variable `k` out of every later run.
    pub fn unset(&mut self, k: &str) {
        self.unset.push(k.to_string());
    }

    /// `hoist ARGS...` ready to run in the sandbox.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(hoist_bin());
        cmd.args(args)
            .current_dir(self.root.path())
            .env("HOIST_CONFIG_HOME", self.path("config"))
            .env("HOIST_CACHE_HOME", self.path("cache"))
            .env("HOIST_DATA_HOME", self.path("data"))
            .env("HOME", self.path("home"))
            .env("GIT_CONFIG_NOSYSTEM", "1");
        for k in INHERITED
            .iter()
            .copied()
            .chain(self.unset.iter().map(String::as_str))
        {
            cmd.env_remove(k);
        }
        for (k, v) in &self.extra {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs `hoist ARGS...` with `stdin` on its standard input.
    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run hoist");
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
        child.wait_with_output().expect("run hoist").into()
    }

    /// Runs `hoist ARGS...`.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, "")
    }

    /// Runs `hoist ARGS...`, which must succeed.
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "hoist {args:?} failed:\n{}\n{}",
            r.stdout, r.stderr
        );
        r
    }

    /// Runs `hoist ARGS...`, which must fail.
    pub fn fails(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_ne!(r.code, 0, "hoist {args:?} should fail:\n{}", r.stdout);
        r
    }
}
