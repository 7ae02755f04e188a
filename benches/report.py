#!/usr/bin/env python3
"""Turns criterion's output of `cargo bench --bench seal_open` into the tables of
BENCHMARKS.md (printed as Markdown) and a bar chart, benches/seal_open.svg.

For every benchmark it reads target/criterion/<suite>_<op>/<id>/new/{estimates,sample}.json:
the median (criterion's estimate) and the fastest sample (time per iteration of the quickest
of the 50 samples, which other processes on a shared machine can only slow down, never
speed up). Ratios are computed within this one run. Standard library only.

    python3 benches/report.py [--into BENCHMARKS.md] [target/criterion]

With --into, the tables replace what stands between the file's `<!-- results:start -->` and
`<!-- results:end -->` lines instead of being printed.
"""

import json
import os
import sys

ARGS = sys.argv[1:]
INTO = None
if ARGS[:1] == ["--into"]:
    INTO, ARGS = ARGS[1], ARGS[2:]
ROOT = ARGS[0] if ARGS else "target/criterion"
HERE = os.path.dirname(os.path.abspath(__file__))

LABELS = {
    "ours-encrypted-json": "typed-cookies encrypted, JSON",
    "ours-encrypted-postcard": "typed-cookies encrypted, postcard",
    "ours-encrypted-json-aws-lc": "typed-cookies encrypted (aws-lc), JSON",
    "ours-encrypted-postcard-aws-lc": "typed-cookies encrypted (aws-lc), postcard",
    "floor-encrypted-json": "floor: serde_json + aes-gcm-siv + base64",
    "floor-encrypted-postcard": "floor: postcard + aes-gcm-siv + base64",
    "cookie-private-jar": "cookie PrivateJar + serde_json",
    "ours-signed-json": "typed-cookies signed, JSON",
    "ours-signed-postcard": "typed-cookies signed, postcard",
    "floor-signed-json": "floor: serde_json + hmac + base64",
    "floor-signed-postcard": "floor: postcard + hmac + base64",
    "cookie-signed-jar": "cookie SignedJar + serde_json",
    "jsonwebtoken-hs256": "jsonwebtoken HS256 (+ exp)",
}
ORDER = list(LABELS)


def load(suite, op):
    results = {}
    folder = os.path.join(ROOT, f"{suite}_{op}")
    for ident in ORDER:
        path = os.path.join(folder, ident, "new")
        if not os.path.isdir(path):
            continue
        with open(os.path.join(path, "estimates.json")) as f:
            median = json.load(f)["median"]["point_estimate"]
        with open(os.path.join(path, "sample.json")) as f:
            sample = json.load(f)
        best = min(t / n for t, n in zip(sample["times"], sample["iters"]))
        results[ident] = (median, best)
    return results


def table(suite, op, with_best):
    r = load(suite, op)
    if not r:
        return ""
    head = "| library | median ns | ÷ floor¹ | ÷ PrivateJar | ÷ SignedJar | ÷ jsonwebtoken |"
    rule = "|---|---:|---:|---:|---:|---:|"
    if with_best:
        head += " fastest sample ns |"
        rule += "---:|"
    lines = [f"**{suite}, {op}**", "", head, rule]
    for ident, (median, best) in r.items():
        mode = "encrypted" if "encrypted" in ident or "private" in ident else "signed"
        codec = "postcard" if ident.startswith("ours") and "postcard" in ident else "json"
        floor = f"floor-{mode}-{codec}"
        floor = floor if floor in r else f"floor-{mode}-json"
        cells = [LABELS[ident], f"{median:,.0f}"]
        for peer in [floor, "cookie-private-jar", "cookie-signed-jar", "jsonwebtoken-hs256"]:
            cells.append(f"{median / r[peer][0]:.2f}" if peer in r and peer != ident else "")
        if with_best:
            cells.append(f"{best:,.0f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


GOALS = [
    # (suite, description, ours, reference, minimum speed-up reference/ours, or maximum ours/reference)
    ("session", "encrypted JSON within 1.10× of the floor", "ours-encrypted-json", "floor-encrypted-json", "max", 1.10),
    ("session", "encrypted compact ≥ 1.25× faster than PrivateJar + json", "ours-encrypted-postcard", "cookie-private-jar", "min", 1.25),
    ("session", "signed JSON ≥ 1.15× faster than SignedJar + json", "ours-signed-json", "cookie-signed-jar", "min", 1.15),
    ("session", "signed compact ≥ 1.4× faster than SignedJar + json", "ours-signed-postcard", "cookie-signed-jar", "min", 1.4),
    ("session", "signed JSON ≥ 1.8× faster than jsonwebtoken", "ours-signed-json", "jsonwebtoken-hs256", "min", 1.8),
    ("session", "signed compact ≥ 1.8× faster than jsonwebtoken", "ours-signed-postcard", "jsonwebtoken-hs256", "min", 1.8),
    # issue 18: the aws-lc backend (a `--features aws-lc` run), and signed JSON at ~1 KB
    ("session", "encrypted JSON (aws-lc) ≥ 1.5× faster than PrivateJar + json", "ours-encrypted-json-aws-lc", "cookie-private-jar", "min", 1.5),
    ("session", "encrypted compact (aws-lc) ≥ 2.2× faster than PrivateJar + json", "ours-encrypted-postcard-aws-lc", "cookie-private-jar", "min", 2.2),
    ("1kb", "~1 KB signed JSON no slower than SignedJar + json", "ours-signed-json", "cookie-signed-jar", "min", 1.0),
]


def goals():
    lines = [
        "| goal (seal + open) | by median | by fastest sample | met |",
        "|---|---:|---:|:---:|",
    ]
    for suite, text, ours, ref, kind, bound in GOALS:
        r = load(suite, "seal+open")
        if ours not in r or ref not in r:
            continue
        if kind == "max":
            med, best = r[ours][0] / r[ref][0], r[ours][1] / r[ref][1]
            ok = med <= bound
            cells = [f"{med:.2f}× the floor", f"{best:.2f}×"]
        else:
            med, best = r[ref][0] / r[ours][0], r[ref][1] / r[ours][1]
            ok = med >= bound
            cells = [f"{med:.2f}× faster", f"{best:.2f}×"]
        lines.append(f"| {text} | {cells[0]} | {cells[1]} | {'yes' if ok else 'NO'} |")
    return "\n".join(lines) + "\n"


def svg(path):
    r = load("session", "seal+open")
    if not r:
        return
    width, bar_h, gap, left = 760, 22, 8, 300
    top = 40
    height = top + len(r) * (bar_h + gap) + 30
    longest = max(m for m, _ in r.values())
    scale = (width - left - 90) / longest
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="13">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        '<text x="10" y="22" font-size="15" font-weight="bold">'
        "Session struct, seal + open: median ns per operation (shorter is faster)</text>",
    ]
    for i, (ident, (median, _)) in enumerate(r.items()):
        y = top + i * (bar_h + gap)
        colour = "#2b6cb0" if ident.startswith("ours") else "#a0aec0" if ident.startswith("floor") else "#dd6b20"
        out.append(f'<text x="{left - 8}" y="{y + 16}" text-anchor="end">{LABELS[ident]}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{median * scale:.1f}" height="{bar_h}" fill="{colour}"/>')
        out.append(f'<text x="{left + median * scale + 6:.1f}" y="{y + 16}">{median:,.0f} ns</text>')
    out.append(
        f'<text x="10" y="{height - 10}" fill="#555">blue: typed-cookies · grey: hand-composed floor · '
        "orange: peers — from one run of cargo bench --bench seal_open</text>"
    )
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def into(path, text):
    with open(path) as f:
        doc = f.read()
    start, end = "<!-- results:start -->\n", "<!-- results:end -->"
    head, rest = doc.split(start, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + start + "\n" + text + "\n" + end + tail)


if __name__ == "__main__":
    text = "\n".join(
        [
            goals(),
            table("session", "seal+open", True),
            table("session", "seal", True),
            table("session", "open", True),
            table("1kb", "seal+open", True),
            "¹ the floor of the same mode, and of the same codec where the run has it (postcard "
            "floors: session only).\n",
        ]
    )
    svg(os.path.join(HERE, "seal_open.svg"))
    if INTO:
        into(INTO, text)
        print(f"tables written into {INTO}; chart into benches/seal_open.svg")
    else:
        print(text)
