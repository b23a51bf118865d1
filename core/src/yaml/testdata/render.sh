#!/bin/sh
# Regenerates the Helm goldens (needs /work/shared/tools/helm-render, i.e. real Helm v4).
# Each chart prints toYaml/toYamlPretty/toJson/toPrettyJson/toRawJson of its
# values (and fromYaml/fromJson of cases/*) base64-encoded in ConfigMaps;
# helm-*-decoded.txt are human-readable dumps of the same outputs.
set -e
cd "$(dirname "$0")"
/work/shared/tools/helm-render charts/yamljson rel default "$(cat charts/yamljson-config.json)" > helm-release.json
python3 decode_goldens.py helm-release.json > helm-decoded.txt
/work/shared/tools/helm-render charts/yamledge rel default "$(cat charts/yamledge-values.json)" > helm-edge-release.json
python3 decode_goldens.py helm-edge-release.json > helm-edge-decoded.txt
