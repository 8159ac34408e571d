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

# >>> tui test harness
# tests/tui_tmux.rs drives `kubectl irsa demo` in a real terminal: tmux runs it, kubectl finds the
# plugin. tmux is installed when this runs as root with apt-get (a fresh CI image); otherwise
# both must already be installed.
if ! command -v tmux >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing tmux (apt-get) for the terminal UI tests" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y tmux >/dev/null 2>&1 ||
            { apt-get update >/dev/null && apt-get install -y tmux >/dev/null; } || true
    fi
    if ! command -v tmux >/dev/null; then
        echo "tmux is required for the terminal UI tests: apt-get install tmux / brew install tmux" >&2
        exit 2
    fi
fi
if ! command -v kubectl >/dev/null; then
    echo "kubectl is required (the plugin tests run \`kubectl irsa ...\`): https://kubernetes.io/docs/tasks/tools/" >&2
    exit 2
fi
# <<< tui test harness

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
