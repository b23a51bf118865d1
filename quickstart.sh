#!/usr/bin/env bash
# hoist quickstart: the whole story on a fresh machine. Builds hoist and
# hoist-repo-server, starts the local cluster (unless KUBECONFIG points at
# one) and a private chart repository serving charts/, adds the repository,
# searches it, installs the Redis stack, shows the diff of an upgrade that
# enables metrics, upgrades, shows history and status, rolls back and
# uninstalls, printing each command before running it.
#
# HOIST_QUICKSTART_PROFILE=debug uses a debug build (the test suite runs the
# quickstart that way, reusing its build); the default is a release build.
set -euo pipefail
cd "$(dirname "$0")"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

PROFILE=${HOIST_QUICKSTART_PROFILE:-release}
step "Building hoist and hoist-repo-server ($PROFILE; the first build takes a few minutes)"
if [ "$PROFILE" = release ]; then
  cargo build --release --locked -p hoist -p hoist-repo-server
else
  cargo build --locked -p hoist -p hoist-repo-server
fi
BIN=${CARGO_TARGET_DIR:-target}/$PROFILE
HOIST=$BIN/hoist
SERVER=$BIN/hoist-repo-server
hoist() { printf '$ hoist %s\n' "$*"; "$HOIST" "$@"; }

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# hoist's own folders for this run, so the user's repositories are untouched.
export HOIST_CONFIG_HOME=$WORK/config HOIST_CACHE_HOME=$WORK/cache HOIST_DATA_HOME=$WORK/data

step "A chart of your own: create, lint, render"
hoist create "$WORK/web" >/dev/null
hoist lint --strict "$WORK/web"
hoist template web "$WORK/web" --set service.port=8080 -s templates/service.yaml
echo "(charts/hello uses the handlebars engine instead of Go templates:)"
hoist template demo charts/hello --set replicas=3 | head -n 12

step "Packaging the bundled charts into a repository folder"
mkdir -p "$WORK/repo"
for chart in redis prometheus efk hello; do
  hoist package "charts/$chart" -d "$WORK/repo"
done

step "Starting hoist-repo-server (ChartMuseum API) on 127.0.0.1"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$SERVER" --port "$PORT" --listen-host 127.0.0.1 --storage local \
  --storage-local-rootdir "$WORK/repo" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
  sleep 0.1
done
run curl -fsS "http://127.0.0.1:$PORT/api/charts/redis"
echo

step "Adding the repository and searching it"
hoist repo add local "http://127.0.0.1:$PORT"
hoist search repo local/

if [ -z "${KUBECONFIG:-}" ]; then
  step "Starting the local cluster: tests/cluster/up.sh (etcd + kube-apiserver)"
  eval "$(bash tests/cluster/up.sh)"
fi
NS=quickstart-$(date +%s)
echo "(This cluster runs no controllers or nodes: objects are created and"
echo " recorded, but pods never start, so nothing here uses --wait.)"

step "Installing the Redis stack from the repository"
hoist install cache local/redis -n "$NS" --create-namespace

step "What an upgrade enabling metrics would change (secrets masked)"
set +e
hoist diff upgrade cache local/redis -n "$NS" --set metrics.enabled=true --detailed-exitcode --no-color
code=$?
set -e
echo "(diff exit code $code: 2 means there are changes)"

step "Upgrading with metrics enabled"
hoist upgrade cache local/redis -n "$NS" --set metrics.enabled=true

step "The same upgrade again changes nothing: no new revision"
hoist upgrade --install cache local/redis -n "$NS" --reuse-values

step "History and status"
hoist history cache -n "$NS"
hoist status cache -n "$NS"

step "Rolling back to revision 1"
hoist rollback cache 1 -n "$NS"
hoist history cache -n "$NS"

step "Uninstalling"
hoist uninstall cache -n "$NS"

step "Done"
