#!/usr/bin/env bash
# Starts a local Kubernetes control plane (etcd + kube-apiserver on
# 127.0.0.1, no controllers, no nodes) and writes a kubeconfig.
#
#   tests/cluster/up.sh            # prints: export KUBECONFIG=...
#   eval "$(tests/cluster/up.sh)"
#
# Environment: HOIST_CLUSTER_DIR (state, default /tmp/hoist-cluster),
# HOIST_APISERVER_PORT (default 26443), HOIST_ETCD_PORT (default 23790).
# Idempotent: if the cluster in HOIST_CLUSTER_DIR answers, it is reused.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${HOIST_CLUSTER_DIR:-/tmp/hoist-cluster}
API_PORT=${HOIST_APISERVER_PORT:-26443}
ETCD_PORT=${HOIST_ETCD_PORT:-23790}
PEER_PORT=$((ETCD_PORT + 10))
log() { echo "[cluster] $*" >&2; }
# shellcheck source=apiserver.sh
. "$HERE/apiserver.sh"

mkdir -p "$DIR"
KUBECONFIG_PATH=$DIR/kubeconfig

if [ -f "$KUBECONFIG_PATH" ] && api_ready "$API_PORT"; then
  log "reusing the running cluster in $DIR"
  echo "export KUBECONFIG=$KUBECONFIG_PATH"
  exit 0
fi

APISERVER=$("$HERE/build-apiserver.sh")

# Certificates: a CA, a serving certificate for 127.0.0.1/localhost, and a
# service-account key pair. Regenerated only when missing.
if [ ! -f "$DIR/ca.crt" ]; then
  log "generating certificates in $DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=hoist-local-ca" \
    -keyout "$DIR/ca.key" -out "$DIR/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$DIR/apiserver.key" -out "$DIR/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.0.0.1\n' > "$DIR/san.ext"
  openssl x509 -req -in "$DIR/apiserver.csr" -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" -CAcreateserial \
    -days 3650 -extfile "$DIR/san.ext" -out "$DIR/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$DIR/sa.key" 2048 2>/dev/null
  openssl rsa -in "$DIR/sa.key" -pubout -out "$DIR/sa.pub" 2>/dev/null
fi

# Static tokens: an admin, and users the RBAC tests bind to namespaced Roles.
ADMIN_TOKEN=$(cat "$DIR/admin.token" 2>/dev/null || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$ADMIN_TOKEN" > "$DIR/admin.token"
{
  echo "$ADMIN_TOKEN,admin,admin,system:masters"
  for i in 1 2 3; do echo "ci-token-$i,ci-user-$i,ci-user-$i"; done
} > "$DIR/tokens.csv"

pkill -f "etcd --name hoist-local" 2>/dev/null || true
pkill -f "kube-apiserver.*--secure-port=$API_PORT" 2>/dev/null || true
sleep 0.5

log "starting etcd on 127.0.0.1:$ETCD_PORT"
rm -rf "$DIR/etcd"
nohup etcd --name hoist-local --data-dir "$DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
  --initial-cluster "hoist-local=http://127.0.0.1:$PEER_PORT" \
  > "$DIR/etcd.log" 2>&1 &
echo $! > "$DIR/etcd.pid"
for _ in $(seq 100); do
  curl -s -m 1 "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q true && break
  sleep 0.2
done

log "starting kube-apiserver on https://127.0.0.1:$API_PORT"
start_apiserver "$APISERVER" "$ETCD_PORT" "$API_PORT" "$DIR" "$DIR" 10.0.0.0/24
write_kubeconfig "$KUBECONFIG_PATH" hoist-local "$API_PORT" "$DIR/ca.crt" "$ADMIN_TOKEN"
log "ready"
echo "export KUBECONFIG=$KUBECONFIG_PATH"
