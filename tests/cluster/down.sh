#!/usr/bin/env bash
# Stops the local control plane started by up.sh and removes its state.
set -u
DIR=${HOIST_CLUSTER_DIR:-/tmp/hoist-cluster}
# The second API server (up-nossa.sh) uses this cluster's etcd: stop it first.
bash "$(dirname "$0")/up-nossa.sh" down
for p in apiserver etcd; do
  [ -f "$DIR/$p.pid" ] && kill "$(cat "$DIR/$p.pid")" 2>/dev/null
done
sleep 1
rm -rf "$DIR"
echo "[cluster] stopped" >&2
