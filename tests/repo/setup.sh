#!/bin/sh
# Tools the repository client tests need: openssl (a TLS server with a
# self-signed CA). Idempotent; installs only what is missing.
set -e
if ! command -v openssl >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        apt-get install -y -q openssl >/dev/null
    else
        echo "tests/repo/setup.sh: openssl is missing and apt-get is unavailable" >&2
        exit 1
    fi
fi
