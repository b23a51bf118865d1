#!/usr/bin/env bash
# hoist quickstart: builds hoist and walks through what it can do offline
# today: create a chart, lint it, render the bundled charts, package one.
# Later stages add the local cluster, the repository server and releases.
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

step "Done"
