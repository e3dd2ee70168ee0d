#!/usr/bin/env python3
"""Merges the outputs of one bench/compare run into one table (stdlib only).

    report.py --node node.json --rust rust.json --http http.jsonl --meta meta.json
              [--markdown FILE]

node.json: interop/bench.mjs's object; rust.json: ironsession-micro's object;
http.jsonl: one JSON object per HTTP run, with its comparison ("group") and round (written by
bench/compare); meta.json: {"mode", "loads": [[phase, "loadavg"], ...], "http": {...settings}}.

Every close comparison was measured interleaved (its rows alternating round by round); its
ratio is the median of the per-round ratios, reported with their min and max.

Prints the text tables, the targets, and last the one machine-readable line
"summary seal_small_ratio=... http_ratio=... session_overhead_pct=...".
With --markdown FILE, also writes the table with the machine description
(the content of BENCHMARKS.md).
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

PAYLOADS = ["small", "medium", "large"]
# Micro rows: (op in the results, label). The Node side has no key cache: its `unseal` row is
# the peer of both ours.
OPS = [("seal", "seal"), ("unseal", "unseal, warm (key cache)"),
       ("unseal-cold", "unseal, cold (a new seal each call)")]
NODE_OP = {"seal": "seal", "unseal": "unseal", "unseal-cold": "unseal"}
FLOOR_OP = {"seal": "seal", "unseal": "unseal", "unseal-cold": "unseal"}
FLOOR_LIB = "aes-256-gcm"
# The speed-up we aim for, per payload (iron-session sequential / ironsession 1-thread), and for HTTP.
TARGETS = {"small": 150.0, "medium": 40.0, "large": 20.0}
HTTP_TARGET = 10.0
# ironsession's small seal against the AES-256-GCM floor's (at most).
FLOOR_TARGET = 2.0
OVERHEAD_TARGET_PCT = 35.0
REVOCATION_TARGET = 0.95
# The Rust peers: (summary key, comparison (group), peer row, the ironsession row on the same
# framework, target of ironsession req/s / peer req/s).
PEERS = [
    ("peer_private_cookie_jar_ratio", "peer-private-cookie-jar", "peer-private-cookie-jar", "axum-ironsession", 1.0),
    ("peer_tower_memory_ratio", "peer-tower-memory", "peer-tower-memory", "axum-ironsession", 1.1),
    ("peer_tower_redis_ratio", "peer-tower-redis", "peer-tower-redis", "axum-ironsession", 3.0),
    ("peer_tower_cookie_ratio", "peer-tower-cookie", "peer-tower-cookie", "axum-ironsession", 1.5),
    ("peer_actix_cookie_ratio", "peer-actix-session", "peer-actix-session", "actix-ironsession", 1.1),
]
# Every interleaved comparison: (summary key, group, our row, the other row, kind, target).
# kind "ratio": our req/s / theirs (at least the target); "overhead": 100 * (1 - ours / theirs)
# in % (at most the target).
COMPARISONS = [
    ("session_overhead_pct", "session", "rust-session", "rust-plain", "overhead", OVERHEAD_TARGET_PCT),
    ("revocation_memory_ratio", "revocation", "rust-revocation-memory", "rust-revocation-off", "ratio", REVOCATION_TARGET),
    ("revocation_redis_ratio", "revocation", "rust-revocation-redis", "rust-revocation-off", "ratio", REVOCATION_TARGET),
] + [(key, group, ours, peer, "ratio", target) for key, group, peer, ours, target in PEERS]
# Kept from the existing file when --markdown rewrites it: the hand-written analysis below it.
HAND_WRITTEN_MARKER = "<!-- Hand-written below this line: report.py keeps it when it rewrites the file. -->"


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load_lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def index(results):
    return {(r["lib"], r["op"], r["payload"], r["mode"]): r for r in results}


def ops(x):
    """ops/s, short: 1234 -> 1.23k."""
    if x is None:
        return "-"
    if x >= 1e6:
        return f"{x / 1e6:.2f}M"
    if x >= 1e3:
        return f"{x / 1e3:.1f}k"
    return f"{x:.0f}"


def us(x):
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def ms(us_value):
    return "-" if us_value is None else f"{us_value / 1000:.2f} ms"


def ratio(a, b):
    return None if not a or not b else a / b


def fmt_ratio(x):
    return "-" if x is None else f"{x:.1f}x"


def fmt_ratio2(x):
    return "-" if x is None else f"{x:.2f}x"


def cell(r):
    return "-" if r is None else f"{us(r['us_per_op'])} µs {ops(r['ops_per_s'])}/s"


def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "kernel": f"{platform.system()} {platform.release()} {platform.machine()}",
        "node": run(["node", "--version"]),
        "rustc": run(["rustc", "--version"]),
        "wrk": run(["sh", "-c", "wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2"]),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def payload_bytes():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "payloads.json")
    return {k: len(json.dumps(v, separators=(",", ":"))) for k, v in load(path).items()}


def table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def rps(h):
    return h["requests"] / (h["duration_us"] / 1e6) if h else None


def median_run(runs):
    """Of several rounds of one row, the one with the median req/s (the lower middle one)."""
    ordered = sorted(runs, key=rps)
    return ordered[(len(ordered) - 1) // 2]


class Comparison:
    """One interleaved comparison: per-round values, their median, min and max."""

    def __init__(self, key, group, ours, theirs, kind, target, rounds):
        self.key, self.group, self.ours, self.theirs = key, group, ours, theirs
        self.kind, self.target = kind, target
        by_round = lambda name: {h["round"]: rps(h) for h in rounds.get((group, name), [])}
        a, b = by_round(ours), by_round(theirs)
        self.values = []
        for r in sorted(set(a) & set(b)):
            x = a[r] / b[r]
            self.values.append(100.0 * (1.0 - x) if kind == "overhead" else x)
        self.median = statistics.median(self.values) if self.values else None
        self.min = min(self.values) if self.values else None
        self.max = max(self.values) if self.values else None

    def met(self):
        if self.median is None:
            return False
        return self.median <= self.target if self.kind == "overhead" else self.median >= self.target

    def fmt(self, x):
        if x is None:
            return "-"
        return f"{x:.1f}%" if self.kind == "overhead" else f"{x:.2f}x"

    def spread(self):
        """The largest distance of a round from the median, relative to it (ratios), or in
        percentage points (overhead)."""
        if not self.values:
            return "-"
        if self.kind == "overhead":
            return f"±{max(abs(v - self.median) for v in self.values):.1f} pt"
        return f"±{100 * max(abs(v / self.median - 1) for v in self.values):.1f}%"

    def target_text(self):
        return (f"<= {self.target:.0f}%" if self.kind == "overhead" else f">= {self.target:.2f}x")

    def verdict(self):
        return "met" if self.met() else "MISSED"

    def summary(self):
        num = lambda x: "nan" if x is None else (f"{x:.1f}" if self.kind == "overhead" else f"{x:.2f}")
        return (f"{self.key}={num(self.median)} {self.key}_min={num(self.min)} "
                f"{self.key}_max={num(self.max)}")


def revocation_report(a):
    """Lines on revocation's propagation and the replica's memory."""
    lines = []
    if a.revocation:
        p = load(a.revocation)
        lines.append(f"revocation propagation through Redis to another process ({p['count']} "
                     f"revocations): p50 {p['p50_us'] / 1000:.2f} ms, p99 {p['p99_us'] / 1000:.2f} ms, "
                     f"max {p['max_us'] / 1000:.2f} ms")
    if a.revocation_memory:
        m = load(a.revocation_memory)
        lines.append(f"revocation replica memory: {m['heap_bytes'] / 1e6:.1f} MB for "
                     f"{m['entries']:,} revoked session ids ({m['bytes_per_entry']:.1f} bytes each)")
    return lines


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--node", required=True)
    p.add_argument("--rust", required=True)
    p.add_argument("--rust-value", help="ironsession-micro --data value output (extra column)")
    p.add_argument("--http", required=True)
    p.add_argument("--meta", required=True)
    p.add_argument("--markdown")
    p.add_argument("--revocation", help="ironsession-revocation propagation output")
    p.add_argument("--revocation-memory", help="ironsession-revocation memory output")
    a = p.parse_args()

    node, rust, meta = load(a.node), load(a.rust), load(a.meta)
    # Every row's rounds, by comparison (group) and row; a row shows its median round.
    rounds = {}
    for h in load_lines(a.http):
        rounds.setdefault((h["group"], h["name"]), []).append(h)
    for runs in rounds.values():
        runs.sort(key=lambda h: h["round"])
    http = {key: median_run(runs) for key, runs in rounds.items()}
    comparisons = [Comparison(*c, rounds) for c in COMPARISONS]
    by_key = {c.key: c for c in comparisons}
    res = index(node["results"] + rust["results"])
    value_res = index(load(a.rust_value)["results"]) if a.rust_value else {}
    threads = next((r["threads"] for r in rust["results"] if r["mode"] == "all-cores"), "?")
    nversion = node.get("iron_session", "?")

    micro_header = [
        "payload", "op",
        "ironsession 1-thread", f"ironsession all-cores ({threads} thr)",
        "ironsession 1-thread, serde_json::Value",
        "AES-256-GCM floor 1-thread", "ironsession / floor",
        f"iron-session {nversion} sequential", f"iron-session {nversion} 64 in flight",
        f"@hapi/iron {node.get('hapi_iron', '?')} sequential",
        "ratio seq/1-thread", "ratio 64-in-flight/all-cores", "ratio seq/Value",
    ]
    micro_rows, ratios, floor_ratios = [], {}, {}
    for payload in PAYLOADS:
        for op, label in OPS:
            r1 = res.get(("ironsession", op, payload, "1-thread"))
            rn = res.get(("ironsession", op, payload, "all-cores"))
            rv = value_res.get(("ironsession", op, payload, "1-thread"))
            fl = res.get((FLOOR_LIB, FLOOR_OP[op], payload, "1-thread"))
            ns = res.get(("iron-session", NODE_OP[op], payload, "sequential"))
            n64 = res.get(("iron-session", NODE_OP[op], payload, "inflight64"))
            hs = res.get(("@hapi/iron", NODE_OP[op], payload, "sequential"))
            us_of = lambda r: r and r["us_per_op"]
            rr = ratio(us_of(ns), us_of(r1))
            ra = ratio(us_of(n64), us_of(rn))
            rvr = ratio(us_of(ns), us_of(rv))
            ratios[(op, payload)] = rr
            floor_ratios[(op, payload)] = ratio(us_of(r1), us_of(fl))
            micro_rows.append([payload, label, cell(r1), cell(rn), cell(rv), cell(fl),
                               fmt_ratio2(floor_ratios[(op, payload)]), cell(ns), cell(n64),
                               cell(hs), fmt_ratio(rr), fmt_ratio(ra), fmt_ratio(rvr)])
    cold_small = res.get(("ironsession", "unseal-cold", "small", "1-thread"))
    unseal_small_cold_us = cold_small and cold_small["us_per_op"]

    rs, rp = http.get(("session", "rust-session")), http.get(("session", "rust-plain"))
    nd = http.get(("node", "node-session"))
    http_ratio = ratio(rps(rs), rps(nd))
    overhead = by_key["session_overhead_pct"]
    cost_us = None if not rs or not rp else 1e6 / rps(rs) - 1e6 / rps(rp)

    def errors(key):
        return sum(h[k] for h in rounds[key] for k in h if k.startswith("errors_"))

    def each_round(key):
        return " / ".join(ops(rps(r)) for r in rounds[key])

    http_header = ["server", "route", "comparison", "req/s (median round)", "p50", "p99",
                   "errors (all rounds)", "server CPU", "wrk CPU", "ratio vs node",
                   "req/s of each round"]
    http_rows = []
    for key in (("session", "rust-session"), ("session", "rust-plain"),
                ("revocation", "rust-revocation-off"), ("revocation", "rust-revocation-memory"),
                ("revocation", "rust-revocation-redis"), ("node", "node-session")):
        h = http.get(key)
        if not h:
            continue
        http_rows.append([h["label"], h["route"], key[0], f"{rps(h):,.0f}",
                          ms(h["latency_p50_us"]), ms(h["latency_p99_us"]), errors(key),
                          h.get("server_cpu", "-"), h.get("wrk_cpu", "-"),
                          fmt_ratio(ratio(rps(h), rps(nd))), each_round(key)])

    label = lambda group, name: (http.get((group, name)) or {}).get("label", name)
    cmp_header = ["comparison", "ours", "against", "median", "min", "max", "largest distance from the median",
                  "target", "", "each round"]
    cmp_rows = [[c.key, label(c.group, c.ours), label(c.group, c.theirs), c.fmt(c.median),
                 c.fmt(c.min), c.fmt(c.max), c.spread(), c.target_text(), c.verdict(),
                 " / ".join(c.fmt(v) for v in c.values)] for c in comparisons]

    # The Rust peers, each against ironsession on its own framework, in its own comparison.
    peer_header = ["peer", "peer req/s", "ironsession req/s", "peer p99", "ironsession p99",
                   "errors", "peer cookie bytes", "ironsession cookie bytes",
                   "ironsession / peer (median)", "min", "max", "target"]
    peer_rows = []
    for key, group, peer, ours, target in PEERS:
        h, o, c = http.get((group, peer)), http.get((group, ours)), by_key[key]
        if not h or not o:
            continue
        peer_rows.append([h["label"], f"{rps(h):,.0f}", f"{rps(o):,.0f}", ms(h["latency_p99_us"]),
                          ms(o["latency_p99_us"]), errors((group, peer)) + errors((group, ours)),
                          h.get("cookie_bytes", "-"), o.get("cookie_bytes", "-"),
                          c.fmt(c.median), c.fmt(c.min), c.fmt(c.max), c.target_text()])

    hs = meta.get("http", {})
    http_note = (
        f"wrk {hs.get('connections')} connections, 1 thread; every comparison interleaved: its "
        f"servers all running, {hs.get('rounds')} rounds of {hs.get('duration_s')} s per row "
        f"in ABBA order after a {hs.get('warmup_s')} s warm-up of each row, one shared session "
        f"cookie per server; servers pinned to CPU {hs.get('server_cpu')} (taskset), wrk to CPU "
        f"{hs.get('wrk_cpu')}; the Rust servers run TOKIO_WORKER_THREADS=1 (actix: one worker)."
    )
    loads = meta.get("loads", [])

    lines = [f"== ironsession vs iron-session ({meta.get('mode')} mode) ==", "",
             "Micro benchmark (µs/op, ops/s); ratio = iron-session time / ironsession time "
             "(iron-session has no key cache: its unseal is the peer of both of ours):",
             table(micro_header, micro_rows), "",
             "HTTP GET /bench (read session, visits+1, save):",
             table(http_header, http_rows), "", http_note]
    if cost_us is not None:
        lines.append(f"session overhead (axum /bench vs /bench/plain): {overhead.fmt(overhead.median)} "
                     f"(median of the rounds), {cost_us:.1f} µs of the server's core per request")
    lines += ["", "Interleaved comparisons (median of the per-round ratios, with min and max):",
              table(cmp_header, cmp_rows)]
    if peer_rows:
        lines += ["", "HTTP GET /bench, the Rust peers (same handler, pinning and load; each "
                  "beside ironsession on its framework):", table(peer_header, peer_rows)]
    revocation_lines = revocation_report(a)
    lines += revocation_lines
    lines.append("load average: " + "; ".join(f"{ph}: {la}" for ph, la in loads))
    lines.append("")
    lines.append("targets:")
    for payload in PAYLOADS:
        for op in ("seal", "unseal"):
            got = ratios[(op, payload)]
            ok = got is not None and got >= TARGETS[payload]
            lines.append(f"  {op} {payload}: {fmt_ratio(got)} (target >= {TARGETS[payload]:.0f}x) "
                         f"{'met' if ok else 'MISSED'}")
    seal_floor = floor_ratios[("seal", "small")]
    ok = seal_floor is not None and seal_floor <= FLOOR_TARGET
    lines.append(f"  seal small / AES-256-GCM floor: {fmt_ratio2(seal_floor)} "
                 f"(target <= {FLOOR_TARGET:.1f}x) {'met' if ok else 'MISSED'}")
    ok = http_ratio is not None and http_ratio >= HTTP_TARGET
    lines.append(f"  http: {fmt_ratio(http_ratio)} (target >= {HTTP_TARGET:.0f}x) {'met' if ok else 'MISSED'}")
    for c in comparisons:
        lines.append(f"  {c.key}: {c.fmt(c.median)} [{c.fmt(c.min)} .. {c.fmt(c.max)}] "
                     f"(target {c.target_text()}) {c.verdict()}")

    def num(x, digits=1):
        return "nan" if x is None else f"{x:.{digits}f}"

    summary = " ".join([
        "summary",
        f"seal_small_ratio={num(ratios[('seal', 'small')])}",
        f"unseal_small_ratio={num(ratios[('unseal', 'small')])}",
        f"seal_large_ratio={num(ratios[('seal', 'large')])}",
        f"unseal_large_ratio={num(ratios[('unseal', 'large')])}",
        f"http_ratio={num(http_ratio)}",
        overhead.summary(),
        *(by_key[key].summary() for key, *_ in PEERS),
        *(c.summary() for c in comparisons if c.key.startswith("revocation_")),
        f"seal_small_floor_ratio={num(seal_floor, 2)}",
        f"unseal_small_floor_ratio={num(floor_ratios[('unseal', 'small')], 2)}",
        f"unseal_small_cold_us={num(unseal_small_cold_us, 2)}",
    ])
    print("\n".join(lines))

    if a.markdown:
        m = machine()
        m["date"] = meta.get("date", m["date"])
        md = [
            "# Benchmarks",
            "",
            "ironsession (Rust) and the npm package iron-session measured side by side, in one run "
            "of `bench/compare`, on one machine. Only the ratios carry over to other machines; the "
            "absolute numbers are this machine's.",
            "",
            "## Machine",
            "",
            md_table(["", ""], [
                ["CPUs (nproc)", m["nproc"]], ["CPU", m["cpu"]], ["kernel", m["kernel"]],
                ["node", m["node"]], ["rustc", m["rustc"]], ["load generator", m["wrk"]],
                ["date", m["date"]], ["mode", f"`bench/compare` ({meta.get('mode')})"],
                ["machine load (busy CPU before the start; load average 1, 5, 15 min at each phase)",
                 "<br>".join(f"{ph}: {la}" for ph, la in loads)],
            ]),
            "",
            "## Seal and unseal",
            "",
            "Each cell: µs per operation and operations per second. The ratio is iron-session's "
            "time divided by ironsession's (higher = ironsession faster). Payloads are "
            "`bench/payloads.json` (JSON of "
            + ", ".join(f"{k} {v} bytes" for k, v in payload_bytes().items())
            + ").",
            "",
            md_table(micro_header, micro_rows),
            "",
            f"- ironsession: `seal_data` / `unseal_data` of typed data (`#[derive(Serialize, "
            f"Deserialize)]` structs, as a Rust service declares its session and `Session<T>` "
            f"reads it), `Passwords::single`, ttl 14 days, system clock and the default random "
            f"source. `1-thread`: one loop; `all-cores`: one loop per thread on {threads} "
            f"threads, aggregate throughput (µs/op = wall time / operations). The ratio columns "
            f"and the targets use these. `serde_json::Value`: the same payloads into untyped "
            f"JSON (the closest match to a JavaScript object), 1 thread; building and dropping "
            f"the `Value` tree is most of its extra cost on the larger payloads.",
            "- Warm and cold unseal: a password remembers the keys it derived for seals known to "
            "be good, so a cookie sent again opens without key derivation. `unseal, warm` opens "
            "one seal again and again (its keys from that cache, as for `wrk`'s fixed cookie "
            "below); `unseal, cold` opens a seal this process has never opened on every call (a "
            f"pool of {rust.get('cold_pool', '?')} seals, each made with a `Passwords` of its "
            "own, larger than the cache), so both keys are derived with PBKDF2, as for the first "
            "request of a cookie made by another process or by Node. iron-session keeps no "
            "cache: its `unsealData` derives both keys every time, and is the peer of both rows.",
            "- AES-256-GCM floor: the same data as JSON (`serde_json`), encrypted with "
            "AES-256-GCM (the `aes-gcm` crate) under one fixed key with a fresh 96-bit nonce, "
            "base64url of nonce, ciphertext and tag; opened again by decoding, decrypting and "
            "parsing. No key derivation, no expiry, no second MAC: what any encrypted cookie "
            "costs at the least, 1 thread. `ironsession / floor` is ironsession's 1-thread time "
            "divided by the floor's (lower = closer to the floor).",
            f"- iron-session {nversion}: `sealData` / `unsealData`, same password, ttl and payloads "
            f"(`interop/bench.mjs`). `sequential`: one call awaited at a time; `64 in flight`: "
            f"64 concurrent calls, throughput (WebCrypto runs on libuv's thread pool, so this "
            f"mode can use every core too).",
            f"- @hapi/iron {node.get('hapi_iron', '?')}: `Iron.seal` / `Iron.unseal` with "
            f"`Iron.defaults` (Node's own `crypto`), sequential.",
            "- Neither micro benchmark is pinned to a core: both may use the whole machine.",
            "- iron-session's `sequential` times are dominated by thread-pool hand-offs (each "
            "WebCrypto call is queued to libuv's pool and its result comes back to the event "
            "loop), which makes them noisy on a small VM: expect the ratios to move by ±25% "
            "between runs, and compare several runs before drawing a line.",
            "",
            "## HTTP",
            "",
            "`GET /bench`: read the session from the cookie, `visits += 1`, save (seal a new "
            "cookie), answer the number as text. `GET /bench/plain` (Rust only) is the same "
            "counter without a session, to isolate the session's cost.",
            "",
            md_table(http_header, http_rows),
            "",
            *[f"- {line}" for line in revocation_lines],
            "",
            "- axum: `crates/ironsession-demo` (axum 0.8, ironsession's `SessionLayer`), release "
            "build. node: `interop/server.mjs` (`node:http` + `getIronSession`), same password "
            "and cookie name; each server is sent a cookie it sealed at `POST /login`.",
            f"- Cores: each server is pinned with `taskset -c {hs.get('server_cpu')}` (all its "
            f"threads: the Rust server runs `TOKIO_WORKER_THREADS=1`; Node's libuv pool and V8 "
            f"helper threads share that core too) and wrk with `taskset -c {hs.get('wrk_cpu')}`, "
            f"so every server gets exactly one core and the load generator never competes with "
            f"it.",
            f"- Load: `wrk -t1 -c{hs.get('connections')} -d{hs.get('duration_s')}s --latency`, "
            f"{hs.get('rounds')} rounds per row after a {hs.get('warmup_s')} s warm-up; a row "
            f"shows its median round (req/s, and that round's latencies) and every round. On "
            f"loopback, the same cookie on every request (each request still unseals it, its "
            f"keys from the key cache, and seals a new one). 'server CPU' is the server's CPU "
            f"time over wall time during the measured run (100% = one core busy).",
        ]
        if cost_us is not None:
            md.append(f"- Session overhead (1 - `/bench` req/s / `/bench/plain` req/s, the median "
                      f"of the rounds): {overhead.fmt(overhead.median)} (rounds from "
                      f"{overhead.fmt(overhead.min)} to {overhead.fmt(overhead.max)}), i.e. "
                      f"{cost_us:.1f} µs of the server's core per request (1/req/s difference of "
                      f"the median rounds). It includes the kernel's share: a response "
                      f"~400 bytes longer (the `Set-Cookie`), and on loopback the server's core "
                      f"also pays for waking the load generator, which idles more when the "
                      f"server is slower.")
        md += [
            "",
            "## Interleaved comparisons",
            "",
            "Every comparison whose two sides are close is measured interleaved: its servers run "
            "side by side (all pinned to the same core, an idle one takes none of it), and the "
            "load alternates between them round by round, in ABBA order (odd rounds in one "
            f"order, even rounds in the other), {hs.get('rounds')} rounds of "
            f"{hs.get('duration_s')} s each. Each round gives one ratio of the two sides' req/s "
            "(for the session overhead, 1 minus it, in %); the comparison reports the median of "
            "those per-round ratios, with their min and max. A drift of the machine's speed "
            "within the run hits both sides of a round alike, where rows measured one after the "
            "other, minutes apart, differ by up to a third on this kind of VM.",
            "",
            md_table(cmp_header, cmp_rows),
        ]
        if peer_rows:
            md += [
                "",
                "## Against the Rust session crates",
                "",
                "The same `GET /bench` handler (the demo's session type, `visits += 1`, save, the "
                "number as text) on the session layers a Rust developer would otherwise pick, "
                "served by `bench/peers` (`ironsession-peers`), pinned and loaded exactly as "
                "above. Each peer is compared interleaved with ironsession on the same framework "
                "(axum + ironsession for the axum peers, actix-web + ironsession for "
                "actix-session, both served by `bench/peers` with the peers' login; the demo's "
                "`/bench` above also carries the session id its login adds), which runs "
                "throughout. The req/s columns are the median rounds of that comparison; the "
                "ratio is the median of its per-round ratios.",
                "",
                md_table(peer_header, peer_rows),
                "",
                "- tower-sessions keeps the session on the server and puts a random id in the "
                "cookie: `MemoryStore` in the process, or Redis (Debian's `redis-server`, started "
                "by `bench/compare` on a loopback port, no persistence, pinned to the server's "
                "core so that the session's whole cost is on that core). tower-sessions-cookie-store, "
                "`PrivateCookieJar` and actix-session's `CookieSessionStore` encrypt the session "
                "into the cookie with AES-256-GCM and one fixed key (no key derivation, no Node "
                "interop; only the cookie store also puts an expiry inside the cookie); "
                "ironsession seals Fe26.2 (AES-256-CBC + HMAC-SHA256, both keys derived with "
                "PBKDF2 for every new seal).",
                "- Every server writes `HttpOnly; SameSite=Lax; Path=/` and a 14-day lifetime; "
                "'cookie bytes' is the `name=value` the server set at login.",
                "- The actix servers run one worker (`HttpServer::workers(1)`), pinned like the rest.",
            ]
        md += [
            "",
            "## Reproduce",
            "",
            "```sh",
            "cd interop && npm ci && cd ..     # iron-session 8.0.4, @hapi/iron (once)",
            "bench/compare                     # full: about 10 minutes after the build",
            "bench/compare --quick             # about 3 minutes after the build",
            "bench/compare --markdown BENCHMARKS.md   # rewrite this file",
            "bench/profile                     # where a request's time goes (callgrind)",
            "```",
            "",
            "`bench/compare` needs `node`, `cargo`, `python3`, `curl`, `taskset`, `wrk` and "
            "`redis-server` (installed with `apt-get` when missing and running as root). "
            "Run it on an otherwise idle machine: a compile in the background halves any number. "
            "See `bench/README.md` for what is measured and the caveats.",
            "",
            "Last line of this run:",
            "",
            "```text",
            summary,
            "```",
            "",
        ]
        kept = ""
        if os.path.exists(a.markdown):
            with open(a.markdown, encoding="utf-8") as f:
                old = f.read()
            if HAND_WRITTEN_MARKER in old:
                kept = old[old.index(HAND_WRITTEN_MARKER):]
        md.append(kept or HAND_WRITTEN_MARKER + "\n")
        with open(a.markdown, "w", encoding="utf-8") as f:
            f.write("\n".join(md))
        print(f"\nwrote {a.markdown}", file=sys.stderr)

    print(summary)


if __name__ == "__main__":
    main()
