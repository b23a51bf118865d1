//! Helpers shared by the end-to-end tests: locating the built binaries and
//! the repository's charts, and running `hoist` as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod cluster;
mod sandbox;

pub use sandbox::Sandbox;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// A first-party chart under `charts/`.
pub fn chart(name: &str) -> PathBuf {
    workspace_root().join("charts").join(name)
}

/// A fixture under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    workspace_root().join("tests").join("fixtures").join(rel)
}

/// The `hoist` binary of this build, beside the test executable's `deps/`.
/// `cargo test` does not build other packages' binaries, so the test command
/// (`tests/run.sh`) runs `cargo build --workspace` first.
pub fn hoist_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target profile folder");
    let bin = dir.join(format!("hoist{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --workspace` before the tests (tests/run.sh does)",
        bin.display()
    );
    bin
}

/// The result of one `hoist` run.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output as text.
    pub stdout: String,
    /// Standard error as text.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Runs `hoist ARGS...` in `cwd` with no standard input.
pub fn hoist_in(cwd: &Path, args: &[&str]) -> Run {
    Command::new(hoist_bin())
        .args(args)
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .env_remove("HOIST_NAMESPACE")
        // hoist honours Helm's variables too; a developer's shell may set them.
        .env_remove("HELM_NAMESPACE")
        .env_remove("HELM_KUBECONTEXT")
        .env_remove("HELM_DRIVER")
        .env_remove("HELM_MAX_HISTORY")
        .env_remove("HELM_QPS")
        .output()
        .expect("run hoist")
        .into()
}

/// Runs `hoist ARGS...` from the workspace root.
pub fn hoist(args: &[&str]) -> Run {
    hoist_in(&workspace_root(), args)
}

/// Whether the external `tool` a test needs (gpg, git...) can run. When it
/// cannot, the test says so and skips, unless `HOIST_TEST_REQUIRE_TOOLS=1`
/// (set by tests/run.sh, which installs them): then a missing tool fails
/// the test instead of letting it pass without checking anything.
pub fn tool_available(tool: &str) -> bool {
    if std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok()
    {
        return true;
    }
    assert!(
        std::env::var("HOIST_TEST_REQUIRE_TOOLS").as_deref() != Ok("1"),
        "{tool} is not installed, and HOIST_TEST_REQUIRE_TOOLS=1 requires it"
    );
    eprintln!("{tool} is not installed: skipping");
    false
}
