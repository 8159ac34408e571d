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

# >>> aws test harness
# moto, the AWS API emulator the AWS adapter tests use (DESIGN.md "How it is tested"): installed
# from PyPI into .venv at the versions pinned in scripts/requirements-test.txt, started on a free
# loopback port with a state directory of its own (a moto started by hand is left alone), and
# stopped when this script exits. The tests read its URL from KUBECTL_IRSA_MOTO_URL.
aws_harness_moto_state="$PWD/target/moto/test-sh-$$"
trap 'MOTO_STATE_DIR="$aws_harness_moto_state" ./scripts/moto.sh stop; rm -rf "$aws_harness_moto_state"' EXIT
./scripts/moto.sh install
aws_harness_moto_env="$(MOTO_STATE_DIR="$aws_harness_moto_state" ./scripts/moto.sh start)"
eval "$aws_harness_moto_env"
export KUBECTL_IRSA_MOTO_URL
# <<< aws test harness

cargo test --no-fail-fast "$@"
