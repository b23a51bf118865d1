#!/usr/bin/env bash
# Compare hoist's rendering of real charts with real Helm v4's.
#
# A development tool, not run by CI (it needs ../shared/tools and third-party
# charts, which are not committed). For each case it renders the chart with
# Helm (helm-render: an install against a fake API server) and with hoist
# (`hoist install -o json` against a fresh fake server of the same kind, so
# both see the same Capabilities, CRDs and lookups), then diffs the manifest,
# the hooks (path and text) and the notes, with values that are random by
# design masked (see MASK below); for a chart Helm refuses, it compares the
# error messages. When hoist's install itself fails, it compares
# `hoist template` output with the fake server's API versions instead.
#
# Usage:
#   tests/public-charts/compare.sh CHARTS_DIR [CASES_FILE]
# e.g. tests/public-charts/compare.sh /tmp/engine-charts tests/public-charts/cases.txt
# CHARTS_DIR holds unpacked charts (dependencies copied into each chart's
# charts/ folder). CASES_FILE has one case per line, `CHART|VALUES_JSON|LABEL`
# (`#` starts a comment); without it every chart in CHARTS_DIR is rendered
# with its default values. Results go to $OUT (default /tmp/hoist-compare):
# LABEL.helm.json, LABEL.hoist.json and LABEL.diff. Environment: HOIST (the
# binary, default target/debug/hoist), TOOLS (default ../shared/tools
# relative to the repository), MINOR (Kubernetes minor, default 33), NS
# (namespace, default ns), NAME (release name, default rel), MASK (regex of
# keys whose values are masked; default: passwords, tokens, keys, certs,
# checksums).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CHARTS=$(realpath "${1:?usage: compare.sh CHARTS_DIR [CASES_FILE]}")
CASES=${2:-}
OUT=${OUT:-/tmp/hoist-compare}
HOIST=${HOIST:-$ROOT/target/debug/hoist}
TOOLS=${TOOLS:-$(realpath "$ROOT/../../shared/tools" 2>/dev/null || echo /work/shared/tools)}
MINOR=${MINOR:-33}; NS=${NS:-ns}; NAME=${NAME:-rel}
mkdir -p "$OUT"

# A fresh fake API server per case, as helm-render uses: hoist installs for
# real (CRDs first, then the release), so Capabilities see the chart's CRDs.
start_fake() {
  PORT=$((40000 + RANDOM % 20000))
  python3 "$TOOLS/fake-apiserver.py" $PORT "$MINOR" >/dev/null 2>&1 & FP=$!
  KC="$OUT/kubeconfig"
  printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: f\n  cluster: {server: "http://127.0.0.1:%s"}\nusers:\n- name: u\n  user: {token: x}\ncontexts:\n- name: f\n  context: {cluster: f, user: u, namespace: %s}\ncurrent-context: f\n' $PORT "$NS" > "$KC"
  for _ in $(seq 50); do curl -s -m 1 "http://127.0.0.1:$PORT/version" >/dev/null 2>&1 && break; sleep 0.1; done
}
FP=
trap 'kill $FP 2>/dev/null' EXIT

# Capabilities.APIVersions of the fake server: every group/version and
# group/version/Kind it serves.
APIS=$(python3 - "$TOOLS/fake-apiserver.py" <<'PY'
import sys, re, ast
src = open(sys.argv[1]).read()
body = re.search(r"^RES = (\{.*?^\})", src, re.S | re.M).group(1)
res = eval(body, {"N": True, "C": False})
print(",".join(sorted({gv for gv in res} | {f"{gv}/{k}" for gv, rs in res.items() for _, k, _ in rs})))
PY
)

cases() {
  if [ -n "$CASES" ]; then grep -v '^\s*#' "$CASES" | grep -v '^\s*$'
  else for c in "$CHARTS"/*/; do c=$(basename "$c"); echo "$c|{}|$c"; done; fi
}

fail=0
while IFS='|' read -r chart vals label; do
  label=${label:-$chart}
  vf="$OUT/$label.values.json"; printf '%s' "${vals:-{\}}" > "$vf"
  "$TOOLS/helm-render" "$CHARTS/$chart" "$NAME" "$NS" "${vals:-{\}}" "$MINOR" \
    > "$OUT/$label.helm.json" 2> "$OUT/$label.helm.err"
  start_fake
  "$HOIST" install "$NAME" "$CHARTS/$chart" -n "$NS" --kubeconfig "$KC" \
    -o json -f "$vf" > "$OUT/$label.hoist.json" 2> "$OUT/$label.hoist.err"
  kill $FP 2>/dev/null; wait $FP 2>/dev/null
  if [ ! -s "$OUT/$label.hoist.json" ]; then
    # Installing failed: compare what `hoist template` prints (manifest, then
    # hooks, as `helm template` does) with the API versions the fake server
    # offers, so template bugs still show when install has its own.
    "$HOIST" template "$NAME" "$CHARTS/$chart" -n "$NS" --kube-version "1.$MINOR" \
      -a "$APIS" -f "$vf" > "$OUT/$label.hoist.txt" 2>> "$OUT/$label.hoist.err"
  fi
  if python3 - "$OUT" "$label" > "$OUT/$label.diff" <<'PY'
import json, sys, difflib, re
out, label = sys.argv[1], sys.argv[2]
# Values random by design (generated passwords, keys, certificates and the
# checksums over them) differ on every render: mask the value of any line
# whose key matches $MASK.
mask_re = re.compile(r'^(\s*-?\s*"?[\w./-]*(?:' + (__import__("os").environ.get("MASK") or
    r"password|passwd|checksum/|\.crt|\.key|\.pem|token|secret|cookie|jwt|erlang|mtime") + r')[\w./-]*"?:\s*).+$', re.I | re.M)
def masked(t): return mask_re.sub(r"\1<masked>", t)
def load(side):
    try:
        return json.load(open(f"{out}/{label}.{side}.json")), None
    except Exception:
        return None, open(f"{out}/{label}.{side}.err").read().strip()
h, herr = load("helm"); o, oerr = load("hoist")
import os
tpl = f"{out}/{label}.hoist.txt"
if o is None and h is not None and os.path.exists(tpl) and os.path.getsize(tpl):
    # Fallback: compare with what `helm template` would print.
    # `helm template` prints the trimmed manifest, a newline, then the hooks.
    want = h.get("manifest", "").strip() + "\n" + "".join(
        f"---\n# Source: {k['path']}\n{k['manifest']}\n" for k in h.get("hooks") or [])
    a, b = masked(want), masked(open(tpl).read())
    print(f"(hoist install failed: {oerr.splitlines()[0] if oerr else ''}; compared `hoist template`)")
    if a == b: sys.exit(0)
    sys.stdout.writelines(difflib.unified_diff(a.splitlines(True), b.splitlines(True), "helm/template", "hoist/template", n=2))
    sys.exit(1)
def diff(name, a, b):
    a, b = masked(a), masked(b)
    if a == b: return 0
    sys.stdout.writelines(difflib.unified_diff(
        a.splitlines(True), b.splitlines(True), f"helm/{name}", f"hoist/{name}", n=2))
    print()
    return 1
if h is None or o is None:
    # Helm's message is the last line of its stderr; hoist prints "Error: ...".
    he = (herr or "").splitlines()[-1:] if h is None else ["<rendered>"]
    oe = (oerr or "").splitlines() if o is None else ["<rendered>"]
    he = [re.sub(r"^.*?(Error: |error: )", "", l) for l in he]
    he = [re.sub(r"^(install failed: )", "", l) for l in he]
    oe = [re.sub(r"^(Error: |\s*× )", "", l).strip() for l in oe if l.strip()]
    # hoist's error report wraps long lines (with a `│` gutter): compare
    # without any whitespace.
    squash = lambda t: re.sub(r"[\s│]+", "", t)
    ok = bool(he) and bool(oe) and squash(he[-1]) in squash(" ".join(oe))
    print(f"helm: {he}\nhoist: {oe}")
    sys.exit(0 if ok else 1)
def hooks(r):
    return "".join(f"# Source: {k['path']}\n{k['manifest']}\n---\n" for k in r.get("hooks") or [])
n = diff("manifest", h.get("manifest", ""), o.get("manifest", ""))
n += diff("hooks", hooks(h), hooks(o))
n += diff("notes", h["info"].get("notes", ""), o["info"].get("notes", ""))
sys.exit(1 if n else 0)
PY
  then echo "same     $label"
  else echo "DIFFER   $label ($(wc -l < "$OUT/$label.diff") diff lines: $OUT/$label.diff)"; fail=1
  fi
done < <(cases)
exit $fail
