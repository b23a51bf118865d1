//! Helm flags that scripts pass to install, upgrade and uninstall, against
//! the real API server: `--hide-notes`, repeated `-l/--labels`, and
//! `uninstall --wait=STRATEGY`.

use hoist_e2e::cluster::{cluster, fresh_namespace};
use hoist_e2e::{chart, hoist};

#[test]
fn hide_notes_repeated_labels_and_uninstall_wait_strategy() {
    if cluster("hide_notes_repeated_labels_and_uninstall_wait_strategy").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-cliflags");
    let hello = chart("hello");
    let hello = hello.to_str().unwrap();
    let run = hoist(&[
        "install",
        "greet",
        hello,
        "-n",
        &ns,
        "--create-namespace",
        "--hide-notes",
        "-l",
        "team=a",
        "-l",
        "tier=web",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("STATUS: deployed"), "{}", run.stdout);
    assert!(!run.stdout.contains("NOTES:"), "{}", run.stdout);

    // Both -l flags reached the record.
    let run = hoist(&["list", "-n", &ns, "-l", "team=a,tier=web", "-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["name"], "greet");

    // Without --hide-notes the notes are printed; JSON keeps them either way.
    let run = hoist(&["upgrade", "greet", hello, "-n", &ns, "--set", "greeting=hi"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("NOTES:"), "{}", run.stdout);
    let run = hoist(&[
        "upgrade",
        "greet",
        hello,
        "-n",
        &ns,
        "--set",
        "greeting=hey",
        "--hide-notes",
        "-o",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let release: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        release["info"]["notes"]
            .as_str()
            .is_some_and(|n| !n.is_empty()),
        "{release}"
    );

    let run = hoist(&["uninstall", "greet", "-n", &ns, "--wait=soon"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("Valid inputs are watcher, hookOnly, and legacy"),
        "{}",
        run.stderr
    );
    let run = hoist(&[
        "uninstall",
        "greet",
        "-n",
        &ns,
        "--wait=legacy",
        "--timeout",
        "60s",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = hoist(&["list", "-n", &ns, "-a", "-o", "json"]);
    assert_eq!(run.stdout.trim(), "[]", "{}", run.stdout);
}
