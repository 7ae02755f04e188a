#!/usr/bin/env python3
"""CPU time per seal + open, for a machine shared with other work: runs
`examples/seal_open_loop` for each contender, alternating them, several rounds, and reads the
child's user + system CPU time (wait4), which time spent descheduled does not inflate (wall
clock does). Per round trip = (CPU of ROUNDS iterations - CPU of 0 iterations) / ROUNDS.
Prints the median over rounds, and the ratios the goals use. Standard library only.

    cargo build --release --example seal_open_loop [--features aws-lc]
    python3 benches/cpu_time.py [--rounds 5] [--iterations 300000] CONTENDER...

Contenders are seal_open_loop's names (its source lists them); `NAME@PATH` runs NAME from
another build of seal_open_loop (e.g. the default backend's beside `--features aws-lc`'s, in
the same alternation). Shared caches and a sibling
hyperthread can still slow a run down; alternating spreads that over every contender.
"""

import argparse
import os
import statistics
import subprocess

ap = argparse.ArgumentParser()
ap.add_argument("--binary", default=os.path.join(
    os.environ.get("CARGO_TARGET_DIR", "target"), "release", "examples", "seal_open_loop"))
ap.add_argument("--rounds", type=int, default=5)
ap.add_argument("--iterations", type=int, default=300_000)
ap.add_argument("contenders", nargs="+")
args = ap.parse_args()


def cpu(spec, iterations):
    contender, _, binary = spec.partition("@")
    proc = subprocess.Popen([binary or args.binary, contender, str(iterations)])
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{spec} failed")
    return usage.ru_utime + usage.ru_stime


per = {c: [] for c in args.contenders}
for r in range(args.rounds):
    order = args.contenders[r % len(args.contenders):] + args.contenders[: r % len(args.contenders)]
    for c in order:
        ns = (cpu(c, args.iterations) - cpu(c, 0)) * 1e9 / args.iterations
        per[c].append(ns)
print(f"| contender | CPU ns per seal + open (median of {args.rounds}) | min | max |")
print("|---|---:|---:|---:|")
for c, v in per.items():
    print(f"| {c} | {statistics.median(v):,.0f} | {min(v):,.0f} | {max(v):,.0f} |")
