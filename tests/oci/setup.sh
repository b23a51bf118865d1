#!/usr/bin/env bash
# Installs what the OCI and provenance tests need: Debian's distribution
# registry (v2) binary, htpasswd for the basic-auth test, and gpg for the
# provenance interop test. Idempotent: does nothing when all are present.
set -euo pipefail
need=()
[ -x /usr/bin/docker-registry ] || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v gpg >/dev/null 2>&1 || need+=(gnupg)
if [ ${#need[@]} -gt 0 ]; then
    stamp="${HOME}/.cache/hoist-oci-apt-updated"
    mkdir -p "$(dirname "$stamp")"
    if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then
        apt-get update -qq
        touch "$stamp"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The package starts a system service listening on :5000; the tests start
# their own registries on free ports, so the packaged one is not needed.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
    systemctl stop docker-registry || true
fi
