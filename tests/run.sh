#!/usr/bin/env bash
# The project's test command (README.md): formatting, lints and every test
# of the workspace. Later stages start the local cluster here first.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
