#!/usr/bin/env python3
"""Drives the whole-server benchmark (run it through scripts/server-bench.sh, which builds the
two bench-server binaries first).

For each round, every variant in turn (the order rotates by one each round): start the server
on a loopback port (pinned to CPU 0 when there are two or more CPUs), seed --sessions
sessions through GET /login, check one request, warm up, then load GET / with wrk from a
second process (pinned to CPU 1): fixed connections and duration, --latency. In the same
round, `bench-server micro` times seal + open of the same session type (per backend). A control
variant seals and opens the session in the handler without reading or writing a cookie: its
gap to the baseline is seal + open as it costs inside the server. After
the rounds, the memory of idle connections: a fresh server per variant, RSS before and after
opening --idle keep-alive connections that each made one request.

Prints the per-round numbers, then the table (medians over rounds) in Markdown.
"""

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection

HERE = os.path.dirname(os.path.abspath(__file__))

# (key, binary, variant argument, label)
VARIANTS = [
    ("none", "aws-lc", "none", "no session (baseline)"),
    ("none-sc", "aws-lc", "none-set-cookie", "control: baseline + a fixed `Set-Cookie` of the same length"),
    ("none-so", "aws-lc", "seal-open-in-handler", "control: baseline + seal + open of the session in the handler (aws-lc; no cookie read or written)"),
    ("tc-rc", "rustcrypto", "typed-cookies", "typed-cookies `Opened<T>`, encrypted (RustCrypto)"),
    ("tc-lc", "aws-lc", "typed-cookies", "typed-cookies `Opened<T>`, encrypted (aws-lc)"),
    ("tc-lc-refresh", "aws-lc", "typed-cookies-refresh", "typed-cookies, aws-lc, + `refresh` middleware"),
    ("jar", "aws-lc", "private-jar", "axum-extra `PrivateCookieJar` + serde_json"),
    ("ts", "aws-lc", "tower-sessions", "tower-sessions, `MemoryStore`"),
    ("tc-lc-redis", "aws-lc", "typed-cookies-revocable-redis", "typed-cookies, aws-lc, revocable (`Guarded<T>`, `RedisStore`)"),
    ("tc-lc-near", "aws-lc", "typed-cookies-revocable-near", "typed-cookies, aws-lc, revocable, `RedisStore` + near cache"),
    ("tc-lc-mem", "aws-lc", "typed-cookies-revocable-memory", "control: typed-cookies, aws-lc, revocable over the in-process `MemoryStore`"),
    ("ts-redis", "aws-lc", "tower-sessions-redis", "tower-sessions, `tower-sessions-redis-store` (fred)"),
]
# the variants that need a redis-server (started on loopback by this script)
REDIS_VARIANTS = {"tc-lc-redis", "tc-lc-near", "ts-redis"}
# which micro-benchmark backend a typed-cookies variant's gap is compared with
MICRO_OF = {"tc-rc": "rustcrypto", "tc-lc": "aws-lc", "tc-lc-refresh": "aws-lc", "tc-lc-redis": "aws-lc", "tc-lc-near": "aws-lc",
           "tc-lc-mem": "aws-lc"}


def pin(cpu):
    """A taskset prefix pinning to `cpu`, or nothing on a single CPU."""
    if (os.cpu_count() or 1) >= 2 and subprocess.run(
        ["sh", "-c", "command -v taskset"], capture_output=True
    ).returncode == 0:
        return ["taskset", "-c", str(cpu)]
    return []


def start_redis(port):
    """A throwaway redis-server on loopback (no persistence), pinned with the load generator
    (CPU 1), or None when redis-server is not installed."""
    if subprocess.run(["sh", "-c", "command -v redis-server"], capture_output=True).returncode != 0:
        return None
    proc = subprocess.Popen(
        pin(1) + ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit(f"redis-server did not listen on {port}")


def start(binary, variant, port, workers):
    """The server, once it listens; stopped again if anything (a SIGTERM too) interrupts."""
    proc = subprocess.Popen(pin(0) + [binary, variant, str(port), str(workers)])
    try:
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return proc
            except OSError:
                if proc.poll() is not None:
                    sys.exit(f"{variant}: server exited with {proc.returncode}")
                time.sleep(0.05)
        sys.exit(f"{variant}: server did not listen on {port}")
    except BaseException:
        proc.kill()
        proc.wait()
        raise


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def seed(port, n, path):
    """n sessions from GET /login, one `name=value` a line in `path`; returns the first."""
    conn = HTTPConnection("127.0.0.1", port, timeout=10)
    cookies = []
    for _ in range(n):
        conn.request("GET", "/login")
        resp = conn.getresponse()
        resp.read()
        set_cookie = resp.getheader("set-cookie")
        if set_cookie is None:
            # the baseline sets nothing: send a cookie of a typed-cookies session's length
            cookies.append("sid=" + "A" * 230)
        else:
            cookies.append(set_cookie.split(";", 1)[0])
    conn.close()
    with open(path, "w") as f:
        f.write("\n".join(cookies) + "\n")
    return cookies[0]


def check(port, cookie, expect_visits):
    conn = HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/", headers={"Cookie": cookie})
    resp = conn.getresponse()
    body = resp.read().decode()
    conn.close()
    if resp.status != 200 or body.strip() != f"visits {expect_visits}":
        sys.exit(f"port {port}: GET / answered {resp.status} {body!r}")


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(port, args, cookies, duration):
    cmd = pin(1) + [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s", "--latency",
        "-s", os.path.join(HERE, "server-bench.lua"), f"http://127.0.0.1:{port}/",
    ]
    out = subprocess.run(
        cmd, env=dict(os.environ, COOKIES=cookies), capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        sys.exit(f"wrk reported errors:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    lat = {
        p: float(v) * UNITS[u]
        for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    }
    return {"rps": rps, "requests": requests, "p50": lat["50"], "p99": lat["99"]}


def micro(binary, rounds, mode="micro"):
    """(wall ns, CPU ns) per seal + open: the binary's own timing, and its CPU time (user +
    system, from wait4) over its rounds (plus a tenth for warm-up), which other processes on
    a shared machine do not inflate the way they inflate wall time."""
    proc = subprocess.Popen(pin(0) + [binary, mode, str(rounds)], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"micro exited with {proc.returncode}")
    cpu = (usage.ru_utime + usage.ru_stime) * 1e9 / (rounds * 1.1)
    return float(out.strip()), cpu


TICK = os.sysconf("SC_CLK_TCK")


def cpu_split(pid):
    """(user, system) CPU time of process `pid` (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICK, int(fields[12]) / TICK


def cpu_seconds(pid):
    """User + system CPU time of process `pid` (all its threads), in seconds."""
    return sum(cpu_split(pid))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def idle_memory(binary, variant, port, args, tmp):
    """KB of RSS per idle keep-alive connection that made one request."""
    proc = start(binary, variant, port, args.workers)
    try:
        cookies = os.path.join(tmp, f"idle-{port}.txt")
        cookie = seed(port, args.sessions, cookies)
        wrk(port, args, cookies, 1)
        time.sleep(0.5)
        before = rss_kb(proc.pid)
        request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n".encode()
        socks = []
        for _ in range(args.idle):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(request)
            got = b""
            while b"visits" not in got:
                chunk = s.recv(65536)
                if not chunk:
                    sys.exit(f"{variant}: connection closed during the idle test")
                got += chunk
            socks.append(s)
        time.sleep(1.0)
        after = rss_kb(proc.pid)
        for s in socks:
            s.close()
        return (after - before) / args.idle
    finally:
        stop(proc)


def main():
    global VARIANTS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rustcrypto", required=True, help="bench-server built without aws-lc")
    ap.add_argument("--aws-lc", required=True, dest="awslc", help="bench-server built with aws-lc")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10, help="seconds of load per variant and round")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of load before each measurement")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1, help="wrk threads")
    ap.add_argument("--workers", type=int, default=1, help="server tokio worker threads")
    ap.add_argument("--sessions", type=int, default=256, help="distinct sessions the load cycles through")
    ap.add_argument("--idle", type=int, default=1000, help="idle connections for the memory test (0: skip)")
    ap.add_argument("--micro-rounds", type=int, default=500_000)
    ap.add_argument("--port", type=int, default=18_080)
    ap.add_argument("--variants", help="comma-separated keys to run (the baseline `none` is always "
                    "run): " + ",".join(key for key, *_ in VARIANTS))
    args = ap.parse_args()
    binaries = {"rustcrypto": args.rustcrypto, "aws-lc": args.awslc}
    if args.variants:
        wanted = {"none", *args.variants.split(",")}
        unknown = wanted - {key for key, *_ in VARIANTS}
        if unknown:
            sys.exit(f"unknown variants: {', '.join(sorted(unknown))}")
        VARIANTS = [v for v in VARIANTS if v[0] in wanted]
    # SIGTERM (a stopped run) unwinds like an exception, so the finally below stops the
    # redis-server and the server of the variant being measured instead of leaving them.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    redis = start_redis(args.port + 50)
    if redis is None:
        print("redis-server not found: the Redis variants are skipped", flush=True)
        VARIANTS = [v for v in VARIANTS if v[0] not in REDIS_VARIANTS]
    else:
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{args.port + 50}"

    print(f"# {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC, load average "
          f"{os.getloadavg()[0]:.2f}; {args.rounds} rounds x {len(VARIANTS)} variants, "
          f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, server workers {args.workers}",
          flush=True)
    results = {key: [] for key, *_ in VARIANTS}
    micros = {b: [] for b in binaries}
    adapters = {b: [] for b in binaries}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(args.rounds):
                order = VARIANTS[r % len(VARIANTS):] + VARIANTS[: r % len(VARIANTS)]
                for backend, binary in binaries.items():
                    wall, cpu = micro(binary, args.micro_rounds)
                    micros[backend].append(cpu)
                    print(f"round {r + 1}  micro seal+open {backend:<10} {wall:8.0f} ns wall, {cpu:8.0f} ns CPU", flush=True)
                    wall, cpu = micro(binary, args.micro_rounds, "micro-adapter")
                    adapters[backend].append(cpu)
                    print(f"round {r + 1}  micro adapter   {backend:<10} {wall:8.0f} ns wall, {cpu:8.0f} ns CPU", flush=True)
                for i, (key, backend, variant, _) in enumerate(order):
                    port = args.port + i
                    proc = start(binaries[backend], variant, port, args.workers)
                    try:
                        cookies = os.path.join(tmp, f"{key}.txt")
                        first = seed(port, args.sessions, cookies)
                        check(port, first, 0 if key.startswith("none") else 1)
                        if args.warmup:
                            wrk(port, args, cookies, args.warmup)
                        user_before, sys_before = cpu_split(proc.pid)
                        redis_before = cpu_seconds(redis.pid) if redis else 0.0
                        res = wrk(port, args, cookies, args.duration)
                        user_after, sys_after = cpu_split(proc.pid)
                        res["user_us"] = (user_after - user_before) * 1e6 / res["requests"]
                        res["cpu_us"] = res["user_us"] + (sys_after - sys_before) * 1e6 / res["requests"]
                        res["redis_us"] = (
                            (cpu_seconds(redis.pid) - redis_before) * 1e6 / res["requests"]
                            if key in REDIS_VARIANTS else None
                        )
                    finally:
                        stop(proc)
                    results[key].append(res)
                    redis_cpu = f"  redis CPU {res['redis_us']:.2f} µs/request" if res["redis_us"] else ""
                    print(f"round {r + 1}  {key:<14} {res['rps']:10.0f} req/s  p50 {res['p50']:.3f} ms"
                          f"  p99 {res['p99']:.3f} ms  server CPU {res['cpu_us']:.2f} µs/request"
                          f" (user {res['user_us']:.2f})"
                          f"{redis_cpu}  (load {os.getloadavg()[0]:.2f})", flush=True)
            idle = {}
            if args.idle:
                for i, (key, backend, variant, _) in enumerate(VARIANTS):
                    idle[key] = idle_memory(binaries[backend], variant, args.port + 20 + i, args, tmp)
                    print(f"idle          {key:<14} {idle[key]:.2f} KB per connection", flush=True)
    finally:
        if redis:
            stop(redis)

    med = lambda xs: statistics.median(xs)  # noqa: E731
    base = med([x["rps"] for x in results["none"]])
    base_cpu = med([x["cpu_us"] for x in results["none"]])
    micro_med = {b: med(v) / 1000 for b, v in micros.items()}
    print()
    def paired_gap(key, field="cpu_us"):
        """The median over rounds of (this variant − the baseline) in the same round: slow
        drifts of the machine between rounds cancel out."""
        return med([x[field] - b[field] for x, b in zip(results[key], results["none"])])

    # seal + open measured inside the server (aws-lc): the `none-so` control's gap
    in_server = paired_gap("none-so") if results.get("none-so") else None
    in_server_user = paired_gap("none-so", "user_us") if results.get("none-so") else None
    print("| server | req/s | ÷ baseline | p50 ms | p99 ms | server CPU µs/request "
          "| CPU gap to baseline µs | gap ÷ seal+open (micro) | gap ÷ seal+open (in server) "
          "| user CPU gap µs | user gap ÷ seal+open (micro) | user gap ÷ in server "
          "| redis CPU µs/request | idle KB/conn |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key, _, _, label in VARIANTS:
        rps = med([x["rps"] for x in results[key]])
        cpu = med([x["cpu_us"] for x in results[key]])
        gap = paired_gap(key)
        user_gap = paired_gap(key, "user_us")
        ratio = f"{gap / micro_med[MICRO_OF[key]]:.2f}" if key in MICRO_OF else ""
        in_ratio = (f"{gap / in_server:.2f}"
                    if in_server and MICRO_OF.get(key) == "aws-lc" else "")
        user_ratio = f"{user_gap / micro_med[MICRO_OF[key]]:.2f}" if key in MICRO_OF else ""
        user_in_ratio = (f"{user_gap / in_server_user:.2f}"
                         if in_server_user and MICRO_OF.get(key) == "aws-lc" else "")
        gap_s = "" if key == "none" else f"{gap:.2f}"
        user_gap_s = "" if key == "none" else f"{user_gap:.2f}"
        redis_s = f"{med([x['redis_us'] for x in results[key]]):.2f}" if key in REDIS_VARIANTS else ""
        print(f"| {label} | {rps:,.0f} | {rps / base:.3f} | {med([x['p50'] for x in results[key]]):.3f} "
              f"| {med([x['p99'] for x in results[key]]):.3f} | {cpu:.2f} | {gap_s} | {ratio} | {in_ratio} "
              f"| {user_gap_s} | {user_ratio} | {user_in_ratio} | {redis_s} | {idle.get(key, float('nan')):.2f} |")
    print()
    for b, v in micro_med.items():
        print(f"micro seal+open ({b}), CPU time, median of {len(micros[b])}: {v * 1000:.0f} ns; "
              f"the handler's typed-cookies work (open from a Cookie header, reseal into a "
              f"Set-Cookie value): {med(adapters[b]):.0f} ns")
    print("medians over rounds; ÷ baseline: req/s ratio; CPU: the server process's user + system"
          " time during the measured load ÷ requests served; a gap is the median over rounds of"
          " the variant's CPU minus the baseline's in the same round; user: user-space CPU only"
          " (the cookie work; the kernel's share is the same for every variant but the bytes sent)")

if __name__ == "__main__":
    main()
