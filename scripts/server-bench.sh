#!/usr/bin/env bash
# The whole-server benchmark (BENCHMARKS.md, "Whole server"): builds bench-server in release
# twice (typed-cookies' default RustCrypto backend, then `--features aws-lc`), then
# scripts/server_bench.py serves each variant on a loopback port, loads it with wrk from a
# second process and prints the table. Not part of the test run (.ci/run only type-checks
# bench-server). Needs wrk (Debian: apt-get install -y wrk) and python3.
#
#   scripts/server-bench.sh [--rounds 3] [--duration 10] [--connections 64] [--idle 1000]
#
# Arguments are passed to server_bench.py (--help lists them).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { echo "wrk not found (Debian: apt-get install -y wrk)" >&2; exit 1; }

target="${CARGO_TARGET_DIR:-target}"
bin_dir="$(mktemp -d)"
trap 'rm -rf "$bin_dir"' EXIT

cargo build --release -p bench-server
cp "$target/release/bench-server" "$bin_dir/bench-server-rustcrypto"
cargo build --release -p bench-server --features aws-lc
cp "$target/release/bench-server" "$bin_dir/bench-server-aws-lc"

python3 scripts/server_bench.py \
    --rustcrypto "$bin_dir/bench-server-rustcrypto" \
    --aws-lc "$bin_dir/bench-server-aws-lc" \
    "$@"
