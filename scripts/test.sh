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

# The tools the tests run: tmux (the terminal UI end to end), zip/unzip/sha256sum (the release
# packaging test). Installed with apt-get when this runs as root (a fresh CI image); otherwise
# they must already be installed. kubectl is checked below.
# tmux has no Windows build: there the TUI's end-to-end tests are not compiled (tests/tui_tmux.rs
# is unix-only) and tmux is not asked for.
case "$(uname -s)" in
    MINGW* | MSYS* | CYGWIN*) tui_tools=() ;;
    *) tui_tools=(tmux) ;;
esac
need_apt=()
for tool in "${tui_tools[@]}" zip unzip; do
    command -v "$tool" >/dev/null || need_apt+=("$tool")
done
command -v sha256sum >/dev/null || need_apt+=(coreutils)
if [ ${#need_apt[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${need_apt[*]} (apt-get) for the tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y "${need_apt[@]}" >/dev/null 2>&1 ||
        { apt-get update >/dev/null && apt-get install -y "${need_apt[@]}" >/dev/null; } || true
fi
for tool in "${tui_tools[@]}" zip unzip sha256sum; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool is required by the tests: apt-get install $tool / brew install $tool" >&2
        exit 2
    fi
done

# >>> tui test harness
# tests/tui_tmux.rs drives `kubectl irsa demo` in a real terminal: tmux runs it (installed
# above), kubectl finds the plugin.
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

# Formatting and lints are part of the test: a warning fails CI like a failing test.
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings

cargo test --locked --no-fail-fast "$@"
