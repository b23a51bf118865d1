//! README's first command, end to end: `quickstart.sh` runs against the
//! cluster at KUBECONFIG with the debug build the test suite already made
//! (HOIST_QUICKSTART_PROFILE=debug). Skipped, with a note, without a cluster.

use hoist_e2e::cluster::cluster;
use hoist_e2e::workspace_root;
use std::process::Command;

#[test]
fn quickstart_runs_green() {
    if cluster("quickstart_runs_green").is_none() {
        return;
    }
    let out = Command::new("bash")
        .arg(workspace_root().join("quickstart.sh"))
        .env("HOIST_QUICKSTART_PROFILE", "debug")
        .output()
        .expect("run quickstart.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "quickstart failed:\n{stdout}\n{stderr}"
    );
    for expected in [
        "$ hoist repo add local",
        "local/redis",
        "STATUS: deployed",
        "has been upgraded",
        "is unchanged",
        "Rollback was a success",
        "release \"cache\" uninstalled",
        "==> Done",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}
