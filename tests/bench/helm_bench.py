#!/usr/bin/env python3
"""Times real Helm v4 in-process, for tests/bench/release.sh.

Helm's Go library is loaded ONCE through ctypes (the helm-sdkpy shared
object that /work/shared/tools/helm-oracle.py uses, cached in
~/.cache/helm-oracle/), and only the ctypes call of each action is timed
with time.perf_counter: Helm is measured without process start-up, Go
runtime initialisation or kubeconfig loading, and it keeps its client (and
discovery cache) across calls. That favours Helm; hoist is timed as a whole
CLI process.

Usage:
  helm_bench.py install KUBECONFIG NS CHART PREFIX N
      installs PREFIX-0 .. PREFIX-(N-1)
  helm_bench.py upgrade KUBECONFIG NS CHART PREFIX N VALUES_JSON
      upgrades each of them once with VALUES_JSON
  helm_bench.py list KUBECONFIG NS RUNS ALL EXPECTED
      runs Helm's List RUNS times (ALL=1: --all) and checks that every run
      returns EXPECTED releases
  helm_bench.py list-pair KUBECONFIG NS RUNS ALL EXPECTED HOIST_BINARY [HOIST_FLAGS...]
      alternates `hoist list [HOIST_FLAGS]` (a whole process, timed from
      here) and Helm's List, RUNS times each; prints Helm's times and
      "hoist_times"
Prints one JSON object: {"op", "times": [seconds...], "count"}.
HELM_OPTS (JSON) as in the oracle; default: no wait, OpenAPI validation off.
"""
import ctypes
import json
import os
import subprocess
import sys
import time

DEFAULT_OPTS = '{"wait": false, "timeout_seconds": 60, "disable_openapi_validation": true}'


def load():
    path = os.environ.get("HELM_SO") or os.path.expanduser("~/.cache/helm-oracle/libhelm_sdkpy.so")
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: run /work/shared/tools/helm-oracle.py once to fetch it")
    lib = ctypes.CDLL(path)
    lib.helm_sdkpy_last_error.restype = ctypes.c_char_p
    lib.helm_sdkpy_free.argtypes = [ctypes.c_void_p]
    return lib


def handle(lib, kubeconfig, namespace):
    h = ctypes.c_ulonglong()
    if lib.helm_sdkpy_config_create(namespace.encode(), kubeconfig.encode(), None, b"{}", ctypes.byref(h)) != 0:
        sys.exit(f"helm config: {lib.helm_sdkpy_last_error()}")
    return h


def call(lib, fn, *args):
    """Runs one Helm action; returns (seconds, result text)."""
    out = ctypes.c_void_p()
    start = time.perf_counter()
    rc = fn(*args, ctypes.byref(out))
    elapsed = time.perf_counter() - start
    if rc != 0:
        sys.exit(f"helm error: {(lib.helm_sdkpy_last_error() or b'').decode()}")
    text = ctypes.string_at(out.value).decode() if out.value else ""
    if out.value:
        lib.helm_sdkpy_free(out)
    return elapsed, text


def main():
    verb, kubeconfig, namespace, *rest = sys.argv[1:]
    lib = load()
    h = handle(lib, kubeconfig, namespace)
    opts = os.environ.get("HELM_OPTS", DEFAULT_OPTS).encode()
    times, count = [], None
    if verb in ("install", "upgrade"):
        chart, prefix, n = rest[0], rest[1], int(rest[2])
        values = (rest[3] if len(rest) > 3 else "{}").encode()
        fn = getattr(lib, "helm_sdkpy_" + verb)
        for i in range(n):
            name = f"{prefix}-{i}".encode()
            elapsed, text = call(lib, fn, h, name, chart.encode(), values, None, opts)
            release = json.loads(text)
            want = "deployed"
            got = release.get("info", {}).get("status")
            if got != want:
                sys.exit(f"helm {verb} {name.decode()}: status {got}, expected {want}")
            times.append(elapsed)
        count = n
    elif verb == "list":
        runs, all_flag, expected = int(rest[0]), int(rest[1]), int(rest[2])
        for _ in range(runs):
            elapsed, text = call(lib, lib.helm_sdkpy_list, h, all_flag)
            count = len(json.loads(text) or [])
            if count != expected:
                sys.exit(f"helm list returned {count} releases, expected {expected}")
            times.append(elapsed)
    elif verb == "list-pair":
        # Alternates one hoist CLI process and one Helm library call, so
        # both tools see the same moments of a noisy machine; each run
        # swaps which goes first.
        runs, all_flag, expected, hoist = int(rest[0]), int(rest[1]), int(rest[2]), rest[3]
        command = [hoist, "list", "-n", namespace, "--max", "0"] + (["--all"] if all_flag else []) + rest[4:]
        env = dict(os.environ, KUBECONFIG=kubeconfig)
        hoist_times = []

        def run_hoist():
            start = time.perf_counter()
            subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
            hoist_times.append(time.perf_counter() - start)

        def run_helm():
            elapsed, text = call(lib, lib.helm_sdkpy_list, h, all_flag)
            got = len(json.loads(text) or [])
            if got != expected:
                sys.exit(f"helm list returned {got} releases, expected {expected}")
            times.append(elapsed)

        # The same pause before every run of either tool: Helm's Go runtime
        # (in this process) and the API server both collect garbage for a
        # while after a list of every record, which would otherwise fall on
        # whichever tool runs next.
        pause = float(os.environ.get("BENCH_PAUSE_SECONDS", "0.5"))
        for i in range(runs):
            for step in (run_hoist, run_helm) if i % 2 == 0 else (run_helm, run_hoist):
                time.sleep(pause)
                step()
        print(json.dumps({"op": verb, "times": times, "hoist_times": hoist_times, "count": expected}))
        return
    else:
        sys.exit(f"unknown verb {verb}")
    print(json.dumps({"op": verb, "times": times, "count": count}))


main()
