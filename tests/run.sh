#!/usr/bin/env bash
# The project's test command (README.md): formatting, lints, then every test
# of the workspace, with the cluster tests running against a real
# kube-apiserver.
#
# The cluster: if KUBECONFIG is already set, the tests use that cluster
# (kind, k3s, a cloud cluster...). Otherwise tests/cluster/up.sh starts a
# local etcd + kube-apiserver on 127.0.0.1 (building the API server once per
# machine, about 6 minutes, cached under ~/.cache/hoist-cluster) and leaves
# it running for the next run; tests/cluster/down.sh stops it.
# HOIST_SKIP_CLUSTER=1 runs without a cluster (cluster tests then skip).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
if [ -z "${KUBECONFIG:-}" ] && [ "${HOIST_SKIP_CLUSTER:-0}" != 1 ]; then
  echo "== local cluster (tests/cluster/up.sh)"
  # Assigned first: a failing script then stops the run (set -e), where
  # `eval "$(...)"` alone would carry on without a cluster.
  cluster_env=$(bash tests/cluster/up.sh)
  eval "$cluster_env"
  # A second API server with server-side apply off, for the client-side
  # apply fallback tests (HOIST_NOSSA_KUBECONFIG; they skip without it).
  nossa_env=$(bash tests/cluster/up-nossa.sh)
  eval "$nossa_env"
fi
echo "== test tools: OCI registry, gpg, openssl (tests/oci/setup.sh, tests/repo/setup.sh)"
bash tests/oci/setup.sh
bash tests/repo/setup.sh
bash tests/server/setup.sh >/dev/null
echo "== cargo build (the end-to-end tests run the real binaries)"
cargo build --workspace --locked
echo "== cargo test (KUBECONFIG=${KUBECONFIG:-none})"
# The tools installed above are required: a test that needs one fails
# instead of skipping (tests/src/lib.rs tool_available).
export HOIST_TEST_REQUIRE_TOOLS=1
cargo test --workspace --locked
