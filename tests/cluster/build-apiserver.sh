#!/usr/bin/env bash
# Builds kube-apiserver from Debian bookworm's `kubernetes` source package
# (1.20.2) with Debian's Go, once per machine, and caches the binary under
# ${HOIST_CLUSTER_CACHE:-~/.cache/hoist-cluster}. Also installs etcd.
# Prints the path of the binary on stdout.
set -euo pipefail
CACHE=${HOIST_CLUSTER_CACHE:-$HOME/.cache/hoist-cluster}
BIN=$CACHE/bin/kube-apiserver
mkdir -p "$CACHE/bin"
log() { echo "[cluster-build] $*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_pkgs=()
command -v etcd >/dev/null || need_pkgs+=(etcd-server)
command -v openssl >/dev/null || need_pkgs+=(openssl)
command -v curl >/dev/null || need_pkgs+=(curl)
if [ ! -x "$BIN" ]; then
  command -v go >/dev/null || need_pkgs+=(golang-go)
  command -v rsync >/dev/null || need_pkgs+=(rsync)
  command -v dpkg-source >/dev/null || need_pkgs+=(dpkg-dev)
  [ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] || need_pkgs+=(golang-github-modern-go-reflect2-dev)
fi
if [ ${#need_pkgs[@]} -gt 0 ] || { [ ! -x "$BIN" ] && ! ls "$CACHE"/src/kubernetes-*/ >/dev/null 2>&1; }; then
  if [ ! -x "$BIN" ] && ! grep -rqs '^Types: deb deb-src\|^Types: deb-src' /etc/apt/sources.list.d/; then
    log "enabling deb-src for bookworm"
    as_root tee /etc/apt/sources.list.d/hoist-deb-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  log "apt-get update"
  as_root apt-get update -qq >&2
  if [ ${#need_pkgs[@]} -gt 0 ]; then
    log "installing ${need_pkgs[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2
  fi
fi

if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

mkdir -p "$CACHE/src"
cd "$CACHE/src"
if ! ls -d kubernetes-*/ >/dev/null 2>&1; then
  log "fetching the kubernetes source package"
  apt-get source -qq kubernetes >&2
fi
TREE=$(ls -d "$CACHE"/src/kubernetes-*/ | head -n1)
TREE=${TREE%/}
# The tree vendors reflect2 v1.0.1, which crashes the API server (nil
# dereference while decoding maps) when built with Go >= 1.18; Debian's
# reflect2 1.0.2 package fixes that and is API-compatible.
rsync -a --delete /usr/share/gocode/src/github.com/modern-go/reflect2/ "$TREE/vendor/github.com/modern-go/reflect2/"
GOPATH_DIR=$CACHE/gopath
mkdir -p "$GOPATH_DIR/src/k8s.io"
ln -sfn "$TREE" "$GOPATH_DIR/src/k8s.io/kubernetes"
log "building kube-apiserver (about 5 minutes on 2 cores)"
(
  cd "$GOPATH_DIR/src/k8s.io/kubernetes"
  export GOPATH=$GOPATH_DIR GO111MODULE=off CGO_ENABLED=0 GOFLAGS=
  export GOCACHE=$CACHE/gocache
  make WHAT=cmd/kube-apiserver >&2
)
OUT=$(find "$TREE/_output" -type f -name kube-apiserver -perm -u+x | head -n1)
[ -n "$OUT" ] || { log "build finished but no kube-apiserver binary was found"; exit 1; }
cp "$OUT" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
log "cached $BIN"
echo "$BIN"
