#!/usr/bin/env bash
# Installs what the repo-server tests need beyond cargo: moto's S3 server
# (PyPI `moto[server]`, which honours `If-None-Match: *` on PutObject) in a
# virtualenv cached under ~/.cache. Idempotent; prints the moto_server path.
# The S3 tests find it through HOIST_MOTO_SERVER or this default location.
set -euo pipefail
venv="${XDG_CACHE_HOME:-$HOME/.cache}/hoist/moto-venv"
if [ ! -x "$venv/bin/moto_server" ]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]>=5.1' >&2
fi
echo "$venv/bin/moto_server"
