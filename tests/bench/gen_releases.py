#!/usr/bin/env python3
"""Fills a namespace with Helm release Secrets for the list benchmark.

Takes ONE real release Secret (as `kubectl get secret -o json` prints it,
written by hoist) and POSTs clones of it: RELEASES releases named
PREFIX-0000.. with REVISIONS revisions each, the last one `deployed` and
the earlier ones `superseded`. Each clone's record is decoded as Helm stores
it (Secret data base64 -> Helm's base64 -> gzip -> JSON), its name,
namespace, version and info.status changed, and re-encoded the same way;
the Secret carries Helm's name/owner/status/version labels.

Usage: gen_releases.py KUBECONFIG NAMESPACE TEMPLATE_JSON PREFIX RELEASES REVISIONS [WORKERS]
Requests go in parallel over keep-alive connections with the kubeconfig's
bearer token (the local cluster's admin).
"""
import base64
import copy
import gzip
import http.client
import json
import re
import ssl
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor


def kube_access(path):
    """Server URL, CA file and token of the kubeconfig's only user."""
    text = open(path).read()

    def field(name):
        m = re.search(rf"^\s*{name}:\s*(\S+)\s*$", text, re.M)
        if not m:
            sys.exit(f"{path}: no {name} (this generator needs a token kubeconfig)")
        return m.group(1).strip("\"'")

    return field("server"), field("certificate-authority"), field("token")


def decode_record(secret):
    raw = base64.b64decode(secret["data"]["release"])
    return json.loads(gzip.decompress(base64.b64decode(raw)))


def encode_record(release):
    body = gzip.compress(json.dumps(release, separators=(",", ":")).encode(), mtime=0)
    return base64.b64encode(base64.b64encode(body)).decode()


def main():
    kubeconfig, namespace, template_path, prefix, releases, revisions, *rest = sys.argv[1:]
    releases, revisions = int(releases), int(revisions)
    workers = int(rest[0]) if rest else 16
    server, ca, token = kube_access(kubeconfig)
    url = urllib.parse.urlparse(server)
    context = ssl.create_default_context(cafile=ca)
    template = json.load(open(template_path))
    record = decode_record(template)
    base_labels = dict(template["metadata"].get("labels", {}))
    path = f"/api/v1/namespaces/{namespace}/secrets"
    local = threading.local()

    def connection():
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPSConnection(url.hostname, url.port or 443, context=context, timeout=60)
        return local.conn

    def post(job):
        r, v = job
        name = f"{prefix}-{r:04d}"
        status = "deployed" if v == revisions else "superseded"
        rel = copy.copy(record)
        rel["name"], rel["namespace"], rel["version"] = name, namespace, v
        rel["info"] = dict(record["info"], status=status)
        labels = dict(base_labels, name=name, owner="helm", status=status, version=str(v))
        secret = {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "helm.sh/release.v1",
            "metadata": {"name": f"sh.helm.release.v1.{name}.v{v}", "labels": labels},
            "data": {"release": encode_record(rel)},
        }
        body = json.dumps(secret).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for attempt in range(5):
            try:
                conn = connection()
                conn.request("POST", path, body, headers)
                resp = conn.getresponse()
                data = resp.read()
                if resp.status in (200, 201, 409):
                    return
                if resp.status in (429, 500, 503, 504):
                    time.sleep(0.2 * (attempt + 1))
                    continue
                raise RuntimeError(f"POST {secret['metadata']['name']}: HTTP {resp.status}: {data[:300]!r}")
            except (http.client.HTTPException, OSError):
                local.__dict__.pop("conn", None)
                time.sleep(0.2 * (attempt + 1))
        raise RuntimeError(f"POST {secret['metadata']['name']}: gave up after 5 attempts")

    jobs = [(r, v) for r in range(releases) for v in range(1, revisions + 1)]
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        for _ in pool.map(post, jobs):
            pass
    print(f"created {len(jobs)} release Secrets in {namespace} in {time.perf_counter() - start:.1f}s", file=sys.stderr)


main()
