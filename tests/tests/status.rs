//! `hoist status` against a real kube-apiserver: `--revision`, the
//! description, the RESOURCES section (server-side tables) and `-o json`
//! resources (whole objects, compared with real Helm's output in
//! `tests/fixtures/status/helm-status.json`), an object deleted behind the
//! release's back, and a revision that does not exist. Skipped, with a
//! note, when KUBECONFIG is unset.

use hoist_core::kube::{ManifestObject, Propagation};
use hoist_e2e::cluster::{Cluster, cluster, fresh_namespace, ok};
use hoist_e2e::{fixture, hoist};
use serde_json::{Value as Json, json};

/// Replaces the cells of the AGE column (last on every line of these
/// kinds' tables) with `<age>`: the server computes them from the clock.
fn mask_ages(text: &str) -> String {
    let mut in_resources = false;
    let mut out = String::new();
    for line in text.lines() {
        if line == "RESOURCES:" {
            in_resources = true;
        } else if line.starts_with("TEST SUITE:") {
            in_resources = false;
        }
        let is_row = in_resources
            && !line.starts_with("==> ")
            && !line.starts_with("NAME ")
            && line != "RESOURCES:"
            && !line.is_empty();
        match line.rfind(' ') {
            Some(cut) if is_row => {
                out.push_str(&line[..=cut]);
                out.push_str("<age>");
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// Gives the fields that differ from run to run one value, and drops
/// `managedFields` (they record how hoist's install wrote, not status).
fn normalize(value: &mut Json, namespace: &str) {
    match value {
        Json::Object(map) => {
            map.remove("managedFields");
            for (key, v) in map.iter_mut() {
                let volatile = [
                    "uid",
                    "resourceVersion",
                    "creationTimestamp",
                    "first_deployed",
                    "last_deployed",
                    "clusterIP",
                    "clusterIPs",
                ];
                if volatile.contains(&key.as_str()) {
                    *v = json!("<volatile>");
                } else {
                    normalize(v, namespace);
                }
            }
        }
        Json::Array(items) => items.iter_mut().for_each(|v| normalize(v, namespace)),
        Json::String(s) if s == namespace => *s = "<namespace>".to_string(),
        _ => {}
    }
}

fn header(rev: u32, status: &str, description: &str, ns: &str) -> String {
    format!(
        "NAME: demo\nNAMESPACE: {ns}\nSTATUS: {status}\nREVISION: {rev}\nDESCRIPTION: {description}\n"
    )
}

/// The text without its LAST DEPLOYED line (a clock value).
fn without_time(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("LAST DEPLOYED: "))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn status_revisions_description_and_live_resources() {
    if cluster("status_revisions_description_and_live_resources").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-status");
    let chart = fixture("status/chart");
    let chart = chart.to_str().unwrap();
    ok(&["install", "demo", chart, "-n", &ns, "--create-namespace"]);
    ok(&["upgrade", "demo", chart, "-n", &ns, "--set", "greeting=bye"]);
    let c = Cluster::connect(&ns);
    let ip = c
        .get("v1", "Service", "demo-web")
        .and_then(|s| s["spec"]["clusterIP"].as_str().map(str::to_string))
        .expect("service demo-web has a cluster IP");
    // kubectl's tab writer: a column is its widest cell plus 3, at least 6.
    let ip_col = format!("{ip:<w$}", w = ip.len().max("CLUSTER-IP".len()) + 3);
    let head_col = format!("{:<w$}", "CLUSTER-IP", w = ip_col.len());
    let service = format!(
        "==> v1/Service\nNAME       TYPE        {head_col}EXTERNAL-IP   PORT(S)   AGE\n\
         demo-web   ClusterIP   {ip_col}<none>        80/TCP    <age>\n\n"
    );

    // The newest revision: the description, then every object's table;
    // the second ConfigMap shares the first's columns, so it has no header
    // and its own alignment (Helm prints each object separately).
    let out = ok(&["status", "demo", "-n", &ns]);
    assert!(out.starts_with("NAME: demo\nLAST DEPLOYED: "), "{out}");
    let expected = format!(
        "{}RESOURCES:\n==> v1/ConfigMap\nNAME            DATA   AGE\ndemo-settings   1      <age>\n\
         demo-x   2     <age>\n\n==> v1/Deployment\n\
         NAME       READY   UP-TO-DATE   AVAILABLE   AGE\ndemo-web   0/1     0            0           <age>\n\n\
         ==> v1/Pod(related)\n\n{service}\nTEST SUITE: None\nNOTES:\ndemo says bye.\n",
        header(2, "deployed", "Upgrade complete", &ns)
    );
    assert_eq!(mask_ages(&without_time(&out)), expected);

    // Helm 4 dropped --show-desc and --show-resources (both always on);
    // hoist still takes them from Helm 3 scripts and prints the same.
    let flagged = ok(&[
        "status",
        "demo",
        "-n",
        &ns,
        "--show-desc",
        "--show-resources",
    ]);
    assert_eq!(mask_ages(&without_time(&flagged)), expected);

    // An older revision: its own record, the cluster's objects now.
    let first = ok(&["status", "demo", "-n", &ns, "--revision", "1"]);
    let first = without_time(&first);
    assert!(
        first.starts_with(&header(1, "superseded", "Install complete", &ns)),
        "{first}"
    );
    assert!(first.ends_with("NOTES:\ndemo says hello.\n"), "{first}");
    assert!(first.contains("\n==> v1/ConfigMap\n"), "{first}");

    // A revision that was never made: Helm's storage error, exit code 1.
    let missing = hoist(&["status", "demo", "-n", &ns, "--revision", "9"]);
    assert_eq!(missing.code, 1, "{missing:?}");
    assert!(missing.stderr.contains("release: not found"), "{missing:?}");
    assert!(missing.stdout.is_empty(), "{missing:?}");

    // An object deleted from the cluster is left out, as Helm does.
    let gone = ManifestObject::from_json(json!({
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "demo-x"}
    }))
    .unwrap();
    assert!(
        c.rt.block_on(c.resources.delete(&gone, Propagation::Background))
            .unwrap()
    );
    let out = ok(&["status", "demo", "-n", &ns]);
    let masked = mask_ages(&without_time(&out));
    assert!(
        masked.contains(
            "RESOURCES:\n==> v1/ConfigMap\nNAME            DATA   AGE\ndemo-settings   1      <age>\n\n==> v1/Deployment\n"
        ),
        "{masked}"
    );

    // JSON: the whole objects under info.resources, as real Helm printed
    // them for the same scenario (fixtures/status/make-golden.sh).
    let json_out = ok(&["status", "demo", "-n", &ns, "-o", "json"]);
    let mut ours: Json = serde_json::from_str(&json_out).unwrap();
    let golden = std::fs::read_to_string(fixture("status/helm-status.json")).unwrap();
    let mut helm: Json = serde_json::from_str(&golden).unwrap();
    let helm_ns = helm["namespace"].as_str().unwrap().to_string();
    normalize(&mut ours, &ns);
    normalize(&mut helm, &helm_ns);
    // Same fields in the same order: compare the serialized text.
    assert_eq!(
        serde_json::to_string_pretty(&ours).unwrap(),
        serde_json::to_string_pretty(&helm).unwrap()
    );
    let names: Vec<&str> = ours["info"]["resources"]["v1/ConfigMap"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["demo-settings"]);
    assert!(ours.get("chart").is_none());

    // Pods the Deployment's selector matches are listed under
    // v1/Pod(related), one table for all of them. Nothing runs controllers
    // here, so the test makes the pod (and the service account the API
    // server wants for it) itself.
    c.apply(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}}));
    c.apply(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "demo-web-1", "labels": {"app": "demo-web"}},
        "spec": {
            "automountServiceAccountToken": false,
            "containers": [{"name": "web", "image": "nginx:1.27"}]
        }
    }));
    let out = ok(&["status", "demo", "-n", &ns]);
    let masked = mask_ages(&without_time(&out));
    assert!(
        masked.contains(
            "\n==> v1/Pod(related)\nNAME         READY   STATUS    RESTARTS   AGE\n\
             demo-web-1   0/1     Pending   0          <age>\n\n==> v1/Service\n"
        ),
        "{masked}"
    );
    let with_pod: Json =
        serde_json::from_str(&ok(&["status", "demo", "-n", &ns, "-o", "json"])).unwrap();
    let related = &with_pod["info"]["resources"]["v1/Pod(related)"];
    assert_eq!(related[0]["kind"], "PodList", "{related}");
    assert_eq!(related[0]["items"][0]["metadata"]["name"], "demo-web-1");
    // Helm's decoder gives list items their type; the server leaves it out.
    assert_eq!(related[0]["items"][0]["kind"], "Pod");
    assert_eq!(related[0]["items"][0]["apiVersion"], "v1");

    // YAML carries the same resources.
    let yaml = ok(&["status", "demo", "-n", &ns, "-o", "yaml"]);
    assert!(
        yaml.contains("\n  resources:\n    v1/ConfigMap:\n"),
        "{yaml}"
    );
}

#[test]
fn status_of_an_unknown_release_fails_like_helm() {
    if cluster("status_of_an_unknown_release_fails_like_helm").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-status-none");
    let r = hoist(&["status", "nothing-here", "-n", &ns]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("release: not found"), "{r:?}");
    let bad = hoist(&["status", "Bad_Name", "-n", &ns]);
    assert_eq!(bad.code, 1, "{bad:?}");
    assert!(
        bad.stderr
            .contains("releaseContent: Release name is invalid: Bad_Name"),
        "{bad:?}"
    );
}
