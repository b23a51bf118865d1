#!/usr/bin/env bash
# hoist quickstart: builds hoist and walks through what it can do today:
# offline (create a chart, lint it, render the bundled charts, package one),
# then against a cluster (install, list, status, history, uninstall).
# Without KUBECONFIG it starts the project's local cluster (etcd +
# kube-apiserver on 127.0.0.1; the API server is built once, ~6 minutes).
# Later stages add upgrades, rollbacks and the repository server.
set -euo pipefail
cd "$(dirname "$0")"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Building hoist (release mode; the first build takes a few minutes)"
cargo build --release --locked -p hoist
HOIST=${CARGO_TARGET_DIR:-target}/release/hoist
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

step "hoist version"
"$HOIST" version

step "Creating a chart: hoist create $WORK/web"
"$HOIST" create "$WORK/web"
find "$WORK/web" -type f | sed "s|$WORK/||" | sort

step "Linting it: hoist lint --strict"
"$HOIST" lint --strict "$WORK/web"

step "Rendering the bundled handlebars chart: hoist template demo charts/hello --set replicas=3"
"$HOIST" template demo charts/hello --set replicas=3

step "Rendering the starter chart with overrides: hoist template web $WORK/web --set service.port=8080"
"$HOIST" template web "$WORK/web" --set service.port=8080 -s templates/service.yaml

step "Packaging it twice: the archive is reproducible"
"$HOIST" package "$WORK/web" -d "$WORK/a" >/dev/null
"$HOIST" package "$WORK/web" -d "$WORK/b" >/dev/null
sha256sum "$WORK/a/web-0.1.0.tgz" "$WORK/b/web-0.1.0.tgz"

step "Showing the packaged chart's metadata: hoist show chart"
"$HOIST" show chart "$WORK/a/web-0.1.0.tgz"

if [ -z "${KUBECONFIG:-}" ]; then
  step "Starting the local cluster: tests/cluster/up.sh"
  eval "$(bash tests/cluster/up.sh)"
fi
NS=quickstart-$(date +%s)
step "Installing charts/hello as release demo in namespace $NS"
"$HOIST" install demo charts/hello -n "$NS" --create-namespace --set replicas=2

step "hoist list -n $NS"
"$HOIST" list -n "$NS"

step "hoist status demo -n $NS"
"$HOIST" status demo -n "$NS"

step "hoist history demo -n $NS"
"$HOIST" history demo -n "$NS"

step "hoist get values demo -n $NS"
"$HOIST" get values demo -n "$NS"

echo "(This cluster runs no controllers or nodes, so pods never start: the"
echo " release is recorded and its objects exist, but nothing becomes Ready.)"

step "hoist uninstall demo -n $NS"
"$HOIST" uninstall demo -n "$NS"

step "Done"
