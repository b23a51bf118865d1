import json, copy
cases = []
def add(name, kind, api, original, modified, current):
    cases.append(dict(name=name, kind=kind, apiVersion=api, original=original, modified=modified, current=current))

def deploy(containers, **extra):
    spec = {"replicas": 1, "selector": {"matchLabels": {"app": "w"}},
            "template": {"metadata": {"labels": {"app": "w"}}, "spec": {"containers": containers}}}
    spec.update(extra.pop("spec", {}))
    d = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "w", "namespace": "ns", "labels": {"app": "w", "tier": "web"}},
         "spec": spec}
    for k, v in extra.items():
        d["metadata"][k] = v
    return d

def live(obj):
    """What the server returns: defaults, status and bookkeeping added."""
    o = copy.deepcopy(obj)
    o["metadata"].update({"uid": "0b5c", "resourceVersion": "42", "generation": 3,
        "creationTimestamp": "2026-11-27T18:00:00Z",
        "managedFields": [{"manager": "hoist", "operation": "Update", "apiVersion": o["apiVersion"]}]})
    if o["kind"] == "Deployment":
        o["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = "3"
        o["spec"]["revisionHistoryLimit"] = 10
        o["spec"]["progressDeadlineSeconds"] = 600
        o["spec"].setdefault("strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
        ps = o["spec"]["template"]["spec"]
        ps.update({"restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                   "terminationGracePeriodSeconds": 30, "securityContext": {}})
        for c in ps["containers"]:
            c.update({"imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log",
                      "terminationMessagePolicy": "File", "resources": {}})
            for p in c.get("ports", []):
                p.setdefault("protocol", "TCP")
        o["status"] = {"replicas": 1, "observedGeneration": 3}
    if o["kind"] == "Service":
        o["spec"]["clusterIP"] = "10.0.0.12"
        o["spec"]["sessionAffinity"] = "None"
        o["spec"].setdefault("type", "ClusterIP")
        for p in o["spec"]["ports"]:
            p.setdefault("protocol", "TCP")
            p.setdefault("targetPort", p["port"])
        o["status"] = {"loadBalancer": {}}
    return o

# 1. Image change, sidecar removed, init container added; live drifts.
o = deploy([{"name": "app", "image": "app:1", "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 9090, "name": "metrics"}]},
            {"name": "sidecar", "image": "side:1"}])
m = deploy([{"name": "init", "image": "init:1"},
            {"name": "app", "image": "app:2", "ports": [{"containerPort": 80, "name": "web"}]}])
c = live(o)
c["spec"]["replicas"] = 4
c["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "INJECTED", "value": "1"}]
add("deployment_containers_merged_by_name", "Deployment", "apps/v1", o, m, c)

# 2. Unchanged chart, live object full of defaults: nothing to send.
o = deploy([{"name": "app", "image": "app:1", "ports": [{"containerPort": 80}]}])
add("deployment_unchanged_gives_empty_patch", "Deployment", "apps/v1", o, copy.deepcopy(o), live(o))

# 3. Strategy switch (retainKeys), labels removed and added, annotations.
o = deploy([{"name": "app", "image": "app:1"}], spec={"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}})
m = deploy([{"name": "app", "image": "app:1"}], spec={"strategy": {"type": "Recreate"}})
del m["metadata"]["labels"]["tier"]
m["metadata"]["labels"]["team"] = "a"
m["metadata"]["annotations"] = {"note": "x"}
add("deployment_strategy_retain_keys_and_labels", "Deployment", "apps/v1", o, m, live(o))

# 4. Volumes (merge by name, retainKeys), volume mounts (by mountPath), env by name.
o = deploy([{"name": "app", "image": "app:1",
             "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
             "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "cfg", "mountPath": "/cfg"}]}],
           spec={"template": {"metadata": {"labels": {"app": "w"}}, "spec": {
               "containers": [{"name": "app", "image": "app:1",
                   "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                   "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "cfg", "mountPath": "/cfg"}]}],
               "volumes": [{"name": "data", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "c1"}}]}}})
m = copy.deepcopy(o)
ms = m["spec"]["template"]["spec"]
ms["containers"][0]["env"] = [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]
ms["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/data", "readOnly": True}]
ms["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": "pvc"}}]
add("pod_template_volumes_env_and_mounts", "Deployment", "apps/v1", o, m, live(o))

# 5. Reordering containers only.
o = deploy([{"name": "a", "image": "a"}, {"name": "b", "image": "b"}])
m = deploy([{"name": "b", "image": "b"}, {"name": "a", "image": "a"}])
add("deployment_containers_reordered", "Deployment", "apps/v1", o, m, live(o))

# 6. Args (a replaced list) changed.
o = deploy([{"name": "app", "image": "app:1", "args": ["--a", "--b"]}])
m = deploy([{"name": "app", "image": "app:1", "args": ["--b", "--c"]}])
add("container_args_replaced", "Deployment", "apps/v1", o, m, live(o))

# 7. Service ports merged by port, selector changed, defaults in live.
so = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "ns"},
      "spec": {"selector": {"app": "w", "old": "x"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}, {"name": "metrics", "port": 9090}]}}
sm = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "ns"},
      "spec": {"selector": {"app": "w"}, "ports": [{"name": "http", "port": 80, "targetPort": 8081}, {"name": "grpc", "port": 9000}]}}
add("service_ports_merged_by_port", "Service", "v1", so, sm, live(so))

# 8. ConfigMap data: added, changed, removed; foreign key and drift in live.
co = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ns"}, "data": {"keep": "k", "change": "old", "remove": "r"}}
cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ns"}, "data": {"keep": "k", "change": "new", "added": "a"}}
cc = live(co)
cc["data"]["foreign"] = "f"
cc["data"]["keep"] = "drifted"
add("configmap_three_way", "ConfigMap", "v1", co, cm, cc)

# 9. No original: adopting a live object (original = modified).
cc = live(cm)
cc["data"] = {"keep": "other", "foreign": "f"}
add("configmap_adopted_without_original", "ConfigMap", "v1", cm, cm, cc)

# 10. Pod: finalizers (merged set), tolerations (replaced), imagePullSecrets by name.
po = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns", "finalizers": ["a.io/x", "b.io/y"]},
      "spec": {"containers": [{"name": "c", "image": "i"}], "tolerations": [{"key": "k1", "operator": "Exists"}],
               "imagePullSecrets": [{"name": "s1"}, {"name": "s2"}]}}
pm = copy.deepcopy(po)
pm["metadata"]["finalizers"] = ["b.io/y", "c.io/z"]
pm["spec"]["tolerations"] = [{"key": "k2", "operator": "Exists"}]
pm["spec"]["imagePullSecrets"] = [{"name": "s2"}]
pc = copy.deepcopy(po)
pc["metadata"]["finalizers"] = ["a.io/x", "b.io/y", "controller.io/keep"]
add("pod_finalizers_tolerations_pull_secrets", "Pod", "v1", po, pm, pc)

# 11. Field removed from a container and a whole map removed.
o = deploy([{"name": "app", "image": "app:1", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}, "workingDir": "/w"}])
m = deploy([{"name": "app", "image": "app:1", "resources": {"limits": {"cpu": "2"}}}])
add("container_fields_removed", "Deployment", "apps/v1", o, m, live(o))

with open("cases.jsonl", "w") as f:
    for cse in cases:
        f.write(json.dumps(cse) + "\n")
print(len(cases))

# JSON merge patches (custom resources).
merge_cases = []
wo = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "ns", "labels": {"a": "1"}},
      "spec": {"size": 1, "tags": ["a", "b"], "nested": {"keep": 1, "drop": {"x": 1}}, "old": True}}
wm = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "ns", "labels": {"a": "1", "b": "2"}},
      "spec": {"size": 2, "tags": ["b"], "nested": {"keep": 1}}}
wc = copy.deepcopy(wo)
wc["metadata"]["uid"] = "u"
wc["spec"]["size"] = 7
wc["spec"]["extra"] = "controller"
wc["status"] = {"ready": True}
merge_cases.append(dict(name="custom_resource_two_way", kind="Widget", apiVersion="example.com/v1", mode="merge2", original=wo, modified=wm, current=wc))
unchanged_c = copy.deepcopy(wc)
merge_cases.append(dict(name="custom_resource_unchanged_keeps_drift", kind="Widget", apiVersion="example.com/v1", mode="merge2", original=wo, modified=copy.deepcopy(wo), current=unchanged_c))
merge_cases.append(dict(name="three_way_json_merge", kind="Widget", apiVersion="example.com/v1", mode="merge3", original=wo, modified=wm, current=wc))
with open("merge-cases.jsonl", "w") as f:
    for cse in merge_cases:
        f.write(json.dumps(cse) + "\n")
