#!/usr/bin/env python3
"""Decodes the base64 ConfigMap entries of helm-release.json into a readable dump (for humans; tests read the JSON)."""
import base64, json, re, sys
r = json.load(open(sys.argv[1]))
out = []
for doc in r["manifest"].split("\n---\n"):
    m = re.search(r"name: (\S+)\ndata:\n", doc)
    if not m: continue
    for k, v in re.findall(r'^  (\S+): "([^"]*)"$', doc, re.M):
        out.append("=== %s/%s\n%s\n" % (m.group(1), k, base64.b64decode(v).decode("utf-8", "replace")))
sys.stdout.write("".join(out))
