#!/usr/bin/env python3
"""Instructions per request of the whole-server benchmark's servers, under valgrind's
callgrind: deterministic (the same count whatever else the machine runs), user space only
(the kernel's share is not counted), and not time (no cache misses, no SHA-NI or AVX-512).

For each variant: start `bench-server VARIANT PORT` under callgrind, sign in once, then make
N requests with one session cookie over one keep-alive connection, for two values of N; the
difference divided by the difference of N is the instructions one more request costs (the
start-up and sign-in cancel out). Then the same for `bench-server micro` and `micro-adapter`
(seal + open of the same session type, and the handler's typed-cookies work, in-process) and
`micro-guard` (`Guard::open` of the revocable session type over a `MemoryStore`).

    scripts/server_instructions.py target/release/bench-server [VARIANT ...]

Default variants: none, none-set-cookie, seal-open-in-handler, typed-cookies,
typed-cookies-guarded, typed-cookies-guarded-fn, layer-control, private-jar. Needs valgrind. The two goals it prints (issue 30):
typed-cookies' gap to the baseline against the hot loop's seal + open (with and without the
cost of sending a `Set-Cookie`, the `none-set-cookie` control), and `typed-cookies-guarded`'s
gap against the hot loop's `Guard::open`, and that gap less `layer-control`'s (axum's share of
the guarded path's shape: a layer handing a value to the handler's extractor, no cookie work).
"""

import re
import socket
import subprocess
import sys
import tempfile
import time

DEFAULT = ["none", "none-set-cookie", "seal-open-in-handler", "typed-cookies",
           "typed-cookies-guarded", "typed-cookies-guarded-fn", "layer-control", "private-jar"]
# What each variant's gap to the baseline is compared with: the in-process loop of the same work.
AGAINST = {"typed-cookies-guarded": "micro-guard", "typed-cookies-guarded-fn": "micro-guard",
           "layer-control": "micro-guard"}
FEW, MANY = 500, 2500


def total(path):
    with open(path) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError(f"no total in {path}")


def request(sock, path, cookie=None):
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if cookie:
        head += f"Cookie: {cookie}\r\n"
    sock.sendall((head + "\r\n").encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))
    while len(body) < length:
        body += sock.recv(65536)
    if not head.startswith(b"HTTP/1.1 200"):
        sys.exit(f"{path}: {head.splitlines()[0].decode()}")
    return head


def server(binary, variant, n, port, tmp):
    out = f"{tmp}/{variant}.{n}.callgrind"
    proc = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, variant,
         str(port), "1"],
        stderr=subprocess.DEVNULL,
    )
    for _ in range(600):
        try:
            sock = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        sys.exit(f"{variant}: no server on {port}")
    head = request(sock, "/login")
    found = re.search(rb"set-cookie: ([^;\r]*)", head, re.I)
    # the baseline sets nothing: a cookie of a typed-cookies session's length
    cookie = found.group(1).decode() if found else "sid=" + "A" * 230
    for _ in range(n):
        request(sock, "/", cookie)
    sock.close()
    proc.terminate()
    proc.wait()
    return total(out)


def in_process(binary, mode, n, tmp):
    out = f"{tmp}/{mode}.{n}.callgrind"
    subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, mode, str(n)],
        check=True, capture_output=True,
    )
    return total(out)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary, variants = sys.argv[1], sys.argv[2:] or DEFAULT
    with tempfile.TemporaryDirectory() as tmp:
        per = {}
        for i, variant in enumerate(variants):
            few = server(binary, variant, FEW, 19_300 + 2 * i, tmp)
            many = server(binary, variant, MANY, 19_301 + 2 * i, tmp)
            per[variant] = (many - few) / (MANY - FEW)
            print(f"{variant:<30} {per[variant]:9,.0f} instructions per request", flush=True)
        # micro runs its rounds plus a tenth as warm-up
        for mode in ("micro", "micro-adapter", "micro-guard"):
            few, many = in_process(binary, mode, 1000, tmp), in_process(binary, mode, 5000, tmp)
            per[mode] = (many - few) / (4000 * 1.1)
            print(f"{mode:<30} {per[mode]:9,.0f} instructions per round trip", flush=True)
    if "none" in per:
        print()
        for variant in variants[1:] if variants[0] == "none" else variants:
            gap = per[variant] - per["none"]
            against = AGAINST.get(variant, "micro")
            what = "Guard::open" if against == "micro-guard" else "seal + open"
            print(f"{variant:<30} gap to the baseline {gap:9,.0f} = {gap / per[against]:.2f}x {what}")
        if "typed-cookies" in per and "none-set-cookie" in per:
            header = per["none-set-cookie"] - per["none"]
            gap = per["typed-cookies"] - per["none"] - header
            print(f"{'typed-cookies - Set-Cookie':<30} gap to the control  {gap:9,.0f} = "
                  f"{gap / per['micro']:.2f}x seal + open")
        if "typed-cookies-guarded" in per and "layer-control" in per:
            gap = per["typed-cookies-guarded"] - per["layer-control"]
            print(f"{'typed-cookies-guarded - layer':<30} gap to the control  {gap:9,.0f} = "
                  f"{gap / per['micro-guard']:.2f}x Guard::open")


if __name__ == "__main__":
    main()
