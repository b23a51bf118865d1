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
ready() { curl -sk -m 2 "https://127.0.0.1:$PORT/readyz" 2>/dev/null | grep -q '^ok$'; }

if [ -f "$KUBECONFIG_PATH" ] && ready; then
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
nohup "$APISERVER" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --etcd-prefix=/hoist-nossa \
  --feature-gates=ServerSideApply=false \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$PORT" \
  --tls-cert-file="$MAIN/apiserver.crt" --tls-private-key-file="$MAIN/apiserver.key" \
  --client-ca-file="$MAIN/ca.crt" \
  --token-auth-file="$MAIN/tokens.csv" \
  --authorization-mode=RBAC \
  --service-account-key-file="$MAIN/sa.pub" \
  --service-account-signing-key-file="$MAIN/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range=10.0.1.0/24 \
  --allow-privileged=true \
  --cert-dir="$DIR/certs" \
  > "$DIR/apiserver.log" 2>&1 &
echo $! > "$DIR/apiserver.pid"

for i in $(seq 240); do
  ready && break
  if ! kill -0 "$(cat "$DIR/apiserver.pid")" 2>/dev/null; then
    log "kube-apiserver exited; last log lines:"; tail -20 "$DIR/apiserver.log" >&2; exit 1
  fi
  [ "$i" = 240 ] && { log "kube-apiserver not ready after 120 s"; tail -20 "$DIR/apiserver.log" >&2; exit 1; }
  sleep 0.5
done

cat > "$KUBECONFIG_PATH.tmp" <<KC
apiVersion: v1
kind: Config
clusters:
- name: hoist-nossa
  cluster:
    server: https://127.0.0.1:$PORT
    certificate-authority: $MAIN/ca.crt
users:
- name: admin
  user:
    token: $ADMIN_TOKEN
contexts:
- name: hoist-nossa
  context:
    cluster: hoist-nossa
    user: admin
    namespace: default
current-context: hoist-nossa
KC
mv "$KUBECONFIG_PATH.tmp" "$KUBECONFIG_PATH"
log "ready"
echo "export HOIST_NOSSA_KUBECONFIG=$KUBECONFIG_PATH"
