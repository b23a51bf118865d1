//! What the cluster tests share: finding the test cluster (or skipping with
//! a note when there is none) and making a fresh namespace per test.
// Each test binary that includes this module uses only part of it.
#![allow(dead_code)]

use hoist_core::kube::{ClientOptions, KubeClient, ManifestObject, ResourceClient};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// Prints a skip note where `cargo test` shows it: libtest captures the
/// print macros, not writes to the stderr handle.
pub fn note(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "note: {text}");
}

/// A client for the test cluster, or `None` (with a printed note) when
/// KUBECONFIG is unset or the server does not answer.
pub async fn cluster(test: &str) -> Option<KubeClient> {
    let Some(path) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) else {
        note(&format!(
            "{test} skipped: KUBECONFIG is not set (start tests/cluster/up.sh)"
        ));
        return None;
    };
    let options = ClientOptions {
        kubeconfig: Some(PathBuf::from(path)),
        ..Default::default()
    };
    let client = match KubeClient::connect(&options).await {
        Ok(c) => c,
        Err(e) => {
            note(&format!("{test} skipped: {e}"));
            return None;
        }
    };
    match client.check_reachable().await {
        Ok(()) => Some(client),
        Err(e) => {
            note(&format!("{test} skipped: {e}"));
            None
        }
    }
}

/// A namespace no other test (or earlier run) used, created on the server.
/// Namespaces are never waited for: without controllers a deleted one stays
/// Terminating forever.
pub async fn fresh_namespace(resources: &ResourceClient, test: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!(
        "hoist-{test}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let ns = ManifestObject::parse(&format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"
    ))
    .unwrap();
    resources.apply(&ns, false).await.unwrap();
    name
}
