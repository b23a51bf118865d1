#!/bin/sh
# Regenerates the Helm goldens (needs /work/shared/tools/helm-render, i.e. real Helm v4).
cd "$(dirname "$0")"
/work/shared/tools/helm-render charts/yamljson rel default "$(cat charts/yamljson-config.json)" > helm-release.json
python3 decode_goldens.py helm-release.json > helm-decoded.txt
