#!/usr/bin/env bash
# Release benchmarks, hoist side by side with real Helm v4 on the same API
# server (GitHub issue 4). Method and figures: tests/bench/RESULTS.md.
#
#   tests/bench/release.sh            # full run
#   BENCH_N=3 BENCH_RELEASES=50 tests/bench/release.sh   # quick check
#
# - hoist: the release binary, timed as a whole CLI process (start-up,
#   kubeconfig loading and discovery included) with bash's EPOCHREALTIME.
# - Helm: its Go library loaded once in Python (tests/bench/helm_bench.py);
#   only the library call is timed (no process start-up).
# - install: BENCH_N releases of tests/fixtures/charts/bench-50 (50 objects)
#   per tool, each in the tool's own fresh namespace; upgrade: each once
#   with rev=2 (every object changes). Neither tool waits for readiness and
#   Helm's OpenAPI validation is off.
# - list: BENCH_RELEASES releases x BENCH_REVISIONS revisions cloned from
#   one hoist-written record (tests/bench/gen_releases.py) in one namespace;
#   after a settling pause and one untimed list per tool, `list`, and
#   `list --all`, BENCH_LIST_RUNS times per tool, the two tools alternating
#   run by run (hoist timed as a process from Python there); Helm's runs
#   must return BENCH_RELEASES releases, and so must hoist's checked run. The Secrets are deleted at the end, and
#   the benchmark releases uninstalled.
# Uses the cluster at $KUBECONFIG (default: the local one of
# tests/cluster/up.sh, which must already be running). Raw timings go to
# target/bench/results-RUN.jsonl, the Markdown table to stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."

export KUBECONFIG="${KUBECONFIG:-/tmp/hoist-cluster/kubeconfig}"
N="${BENCH_N:-10}"
RELEASES="${BENCH_RELEASES:-1000}"
REVISIONS="${BENCH_REVISIONS:-10}"
LIST_RUNS="${BENCH_LIST_RUNS:-10}"
CHART=tests/fixtures/charts/bench-50
BENCH_DIR=tests/bench

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -p hoist >&2
fi
HOIST="${BENCH_HOIST:-$PWD/target/release/hoist}"
[ -x "$HOIST" ] || { echo "missing $HOIST" >&2; exit 1; }
kubectl version >/dev/null 2>&1 || { echo "no API server at KUBECONFIG=$KUBECONFIG" >&2; exit 1; }

RUN="$(date +%s)"
OUT_DIR=target/bench
mkdir -p "$OUT_DIR"
RESULTS="$OUT_DIR/results-$RUN.jsonl"
: >"$RESULTS"
NS_HOIST="bench-hoist-$RUN"
NS_HELM="bench-helm-$RUN"
NS_LIST="bench-list-$RUN"
for ns in "$NS_HOIST" "$NS_HELM" "$NS_LIST"; do
  kubectl create namespace "$ns" >/dev/null
done
echo "run $RUN: namespaces $NS_HOIST $NS_HELM $NS_LIST; load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# Runs "$@" once and appends its wall time in seconds to the array TIMES.
TIMES=()
timed() {
  local start end
  start="$EPOCHREALTIME"
  "$@" >/dev/null
  end="$EPOCHREALTIME"
  TIMES+=("$(python3 -c "print($end - $start)")")
}

# Appends one result line for hoist from TIMES.
record_hoist() {
  local op="$1" joined
  joined="$(IFS=,; echo "${TIMES[*]}")"
  echo "{\"tool\": \"hoist\", \"op\": \"$op\", \"times\": [$joined]}" >>"$RESULTS"
  TIMES=()
}

# Appends one result line for Helm from helm_bench.py's output.
record_helm() {
  local op="$1"
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"tool": "helm", "op": sys.argv[1], "times": d["times"]}))' "$op" >>"$RESULTS"
}

echo "== install ($N releases of bench-50 each)" >&2
for i in $(seq 0 $((N - 1))); do
  timed "$HOIST" install "hb-$i" "$CHART" -n "$NS_HOIST"
done
record_hoist "install (50 objects)"
python3 "$BENCH_DIR/helm_bench.py" install "$KUBECONFIG" "$NS_HELM" "$CHART" hb "$N" | record_helm "install (50 objects)"

echo "== upgrade (each once, rev=2)" >&2
for i in $(seq 0 $((N - 1))); do
  timed "$HOIST" upgrade "hb-$i" "$CHART" -n "$NS_HOIST" --set rev=2
done
record_hoist "upgrade (50 objects changed)"
python3 "$BENCH_DIR/helm_bench.py" upgrade "$KUBECONFIG" "$NS_HELM" "$CHART" hb "$N" '{"rev": 2}' | record_helm "upgrade (50 objects changed)"

# Both tools really changed the objects.
for ns in "$NS_HOIST" "$NS_HELM"; do
  rev="$(kubectl get configmap hb-0-cm-0 -n "$ns" -o jsonpath='{.data.rev}')"
  [ "$rev" = 2 ] || { echo "upgrade in $ns left rev=$rev" >&2; exit 1; }
done

echo "== list: generating $RELEASES releases x $REVISIONS revisions" >&2
TEMPLATE="$OUT_DIR/template-$RUN.json"
kubectl get secret -n "$NS_HOIST" sh.helm.release.v1.hb-0.v2 -o json >"$TEMPLATE"
python3 "$BENCH_DIR/gen_releases.py" "$KUBECONFIG" "$NS_LIST" "$TEMPLATE" r "$RELEASES" "$REVISIONS"
rm -f "$TEMPLATE"
# Right after 10,000 creates the API server and etcd stay busy for a few
# seconds (the first reads were up to 3x slower), which would only hit the
# tool timed first. Settle, then one untimed list by each tool.
sleep "${BENCH_SETTLE_SECONDS:-10}"
"$HOIST" list -n "$NS_LIST" -a >/dev/null
python3 "$BENCH_DIR/helm_bench.py" list "$KUBECONFIG" "$NS_LIST" 1 1 "$RELEASES" >/dev/null

# `hoist list` and Helm's List alternate, run by run (helm_bench.py
# list-pair), so that both tools meet the same moments of a noisy machine.
# `--max 0`: the Helm library call has no limit, while the CLIs (hoist's and
# helm's) stop at 256 rows by default; both tools return all releases.
bench_list() {
  local op="$1" all="$2" count pair
  shift 2
  local args=("$@")
  [ "$all" = 1 ] && args+=(--all)
  count="$("$HOIST" list -n "$NS_LIST" --max 0 "${args[@]}" -o json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
  [ "$count" = "$RELEASES" ] || { echo "hoist list ${args[*]} returned $count releases, expected $RELEASES" >&2; exit 1; }
  pair="$(python3 "$BENCH_DIR/helm_bench.py" list-pair "$KUBECONFIG" "$NS_LIST" "$LIST_RUNS" "$all" "$RELEASES" "$HOIST" "$@")"
  python3 -c 'import json,sys; d=json.loads(sys.argv[2]); print(json.dumps({"tool": "hoist", "op": sys.argv[1], "times": d["hoist_times"]})); print(json.dumps({"tool": "helm", "op": sys.argv[1], "times": d["times"]}))' "$op" "$pair" >>"$RESULTS"
}

echo "== list ($LIST_RUNS runs each, alternating)" >&2
bench_list "list ($RELEASES releases x $REVISIONS revisions)" 0
bench_list "list --all" 1
# Opt-in, not Helm's semantics: hoist reads the API server's watch cache
# (may lag the latest writes by a moment); Helm still reads consistently.
bench_list "list --cached (hoist opt-in; Helm consistent)" 0 --cached

echo "== cleanup" >&2
# One deletecollection call: `kubectl delete secrets --all` deletes them one
# by one, which takes minutes for 10,000.
kubectl delete --raw "/api/v1/namespaces/$NS_LIST/secrets" >/dev/null
for i in $(seq 0 $((N - 1))); do
  "$HOIST" uninstall "hb-$i" -n "$NS_HOIST" >/dev/null
  "$HOIST" uninstall "hb-$i" -n "$NS_HELM" >/dev/null
done

echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 "$BENCH_DIR/summarize.py" "$RESULTS"
