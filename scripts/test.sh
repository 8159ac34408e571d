#!/usr/bin/env bash
# The project's single test command (README "Run the tests"): builds and runs every test on a
# fresh machine. Later steps add the services the tests need (moto, a tmux session) here, so
# CI and a newcomer run exactly the same thing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null; then
    echo "cargo is required: install Rust from https://rustup.rs" >&2
    exit 2
fi

cargo test --no-fail-fast "$@"
