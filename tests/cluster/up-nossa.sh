#!/usr/bin/env bash
# Starts a second kube-apiserver (1.20) with server-side apply turned off
# (--feature-gates=ServerSideApply=false), next to the cluster of up.sh:
# same etcd, certificates and tokens, its own --etcd-prefix (so its objects
# never mix with the main cluster's), its own port and kubeconfig. Tests of
# the client-side apply fallback point at it with HOIST_NOSSA_KUBECONFIG.
#
#   tests/cluster/up-nossa.sh      # prints: export HOIST_NOSSA_KUBECONFIG=...
#   tests/cluster/up-nossa.sh down # stops this server (not the main cluster)
#
# Environment: HOIST_CLUSTER_DIR (main cluster state, default
# /tmp/hoist-cluster), HOIST_NOSSA_DIR (default /tmp/hoist-cluster-nossa),
# HOIST_NOSSA_PORT (default 26444), HOIST_ETCD_PORT (default 23790).
# Idempotent: a running server in HOIST_NOSSA_DIR is reused; the main
# cluster is started with up.sh only if it is not running.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
MAIN=${HOIST_CLUSTER_DIR:-/tmp/hoist-cluster}
DIR=${HOIST_NOSSA_DIR:-/tmp/hoist-cluster-nossa}
PORT=${HOIST_NOSSA_PORT:-26444}
ETCD_PORT=${HOIST_ETCD_PORT:-23790}
log() { echo "[cluster-nossa] $*" >&2; }

if [ "${1:-}" = down ]; then
  if [ -f "$DIR/apiserver.pid" ]; then
    kill "$(cat "$DIR/apiserver.pid")" 2>/dev/null || true
    rm -f "$DIR/apiserver.pid" "$DIR/kubeconfig"
    log "stopped"
  fi
  exit 0
fi

mkdir -p "$DIR"
KUBECONFIG_PATH=$DIR/kubeconfig
# shellcheck source=apiserver.sh
. "$HERE/apiserver.sh"


if [ -f "$KUBECONFIG_PATH" ] && api_ready "$PORT"; then
  log "reusing the running server in $DIR"
  echo "export HOIST_NOSSA_KUBECONFIG=$KUBECONFIG_PATH"
  exit 0
fi

# The main cluster provides etcd, the certificates and the tokens.
"$HERE/up.sh" >/dev/null
APISERVER=$("$HERE/build-apiserver.sh")
ADMIN_TOKEN=$(cat "$MAIN/admin.token")

# A server of an earlier run that does not answer any more: stop only that
# process, by the pid this script recorded.
if [ -f "$DIR/apiserver.pid" ]; then
  kill "$(cat "$DIR/apiserver.pid")" 2>/dev/null || true
  sleep 0.5
fi

log "starting kube-apiserver without server-side apply on https://127.0.0.1:$PORT"
start_apiserver "$APISERVER" "$ETCD_PORT" "$PORT" "$MAIN" "$DIR" 10.0.1.0/24 \
  --etcd-prefix=/hoist-nossa --feature-gates=ServerSideApply=false
write_kubeconfig "$KUBECONFIG_PATH" hoist-nossa "$PORT" "$MAIN/ca.crt" "$ADMIN_TOKEN"
log "ready"
echo "export HOIST_NOSSA_KUBECONFIG=$KUBECONFIG_PATH"
