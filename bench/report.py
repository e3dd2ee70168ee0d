#!/usr/bin/env python3
"""Merges the outputs of one bench/compare run into one table (stdlib only).

    report.py --node node.json --rust rust.json --http http.jsonl --meta meta.json
              [--markdown FILE]

node.json: interop/bench.mjs's object; rust.json: ironsession-micro's object;
http.jsonl: one JSON object per HTTP run (written by bench/compare);
meta.json: {"mode", "loads": [[phase, "loadavg"], ...], "http": {...settings}}.

Prints the text table, the targets, and last the one machine-readable line
"summary seal_small_ratio=... http_ratio=... session_overhead_pct=...".
With --markdown FILE, also writes the table with the machine description
(the content of BENCHMARKS.md).
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

PAYLOADS = ["small", "medium", "large"]
OPS = ["seal", "unseal"]
# The speed-up we aim for, per payload (iron-session sequential / ironsession 1-thread), and for HTTP.
TARGETS = {"small": 150.0, "medium": 40.0, "large": 20.0}
HTTP_TARGET = 10.0
OVERHEAD_TARGET_PCT = 15.0
# The Rust peers: (summary key, peer row, the ironsession row on the same framework, target of
# ironsession req/s / peer req/s).
PEERS = [
    ("peer_private_cookie_jar_ratio", "peer-private-cookie-jar", "axum-ironsession", 0.8),
    ("peer_tower_memory_ratio", "peer-tower-memory", "axum-ironsession", 1.0),
    ("peer_tower_redis_ratio", "peer-tower-redis", "axum-ironsession", 3.0),
    ("peer_tower_cookie_ratio", "peer-tower-cookie", "axum-ironsession", 1.0),
    ("peer_actix_cookie_ratio", "peer-actix-session", "actix-ironsession", 1.0),
]
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


REVOCATION_TARGET = 0.95


def revocation_report(a, off, memory, redis):
    """Lines on revocation: req/s with it on against off, propagation, replica memory."""
    lines = []
    for name, on in (("in memory", memory), ("on Redis", redis)):
        r = ratio(on, off)
        if r is not None:
            verdict = "met" if r >= REVOCATION_TARGET else "MISSED"
            lines.append(f"revocation {name}: {r:.3f}x the req/s of revocation off "
                         f"(target >= {REVOCATION_TARGET}x) {verdict}")
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
    # Several rounds per server and route: the row shows the best (least disturbed) round.
    rounds = {}
    for h in load_lines(a.http):
        rounds.setdefault(h["name"], []).append(h)
    rate = lambda h: h["requests"] / (h["duration_us"] / 1e6)
    http = {name: max(rs, key=rate) for name, rs in rounds.items()}
    res = index(node["results"] + rust["results"])
    value_res = index(load(a.rust_value)["results"]) if a.rust_value else {}
    threads = next((r["threads"] for r in rust["results"] if r["mode"] == "all-cores"), "?")
    nversion = node.get("iron_session", "?")

    micro_header = [
        "payload", "op",
        "ironsession 1-thread", f"ironsession all-cores ({threads} thr)",
        "ironsession 1-thread, serde_json::Value",
        f"iron-session {nversion} sequential", f"iron-session {nversion} 64 in flight",
        f"@hapi/iron {node.get('hapi_iron', '?')} sequential",
        "ratio seq/1-thread", "ratio 64-in-flight/all-cores", "ratio seq/Value",
    ]
    micro_rows, ratios, all_ratios = [], {}, {}
    for payload in PAYLOADS:
        for op in OPS:
            r1 = res.get(("ironsession", op, payload, "1-thread"))
            rn = res.get(("ironsession", op, payload, "all-cores"))
            rv = value_res.get(("ironsession", op, payload, "1-thread"))
            ns = res.get(("iron-session", op, payload, "sequential"))
            n64 = res.get(("iron-session", op, payload, "inflight64"))
            hs = res.get(("@hapi/iron", op, payload, "sequential"))
            rr = ratio(ns and ns["us_per_op"], r1 and r1["us_per_op"])
            ra = ratio(n64 and n64["us_per_op"], rn and rn["us_per_op"])
            ratios[(op, payload)], all_ratios[(op, payload)] = rr, ra
            rvr = ratio(ns and ns["us_per_op"], rv and rv["us_per_op"])
            micro_rows.append([payload, op, cell(r1), cell(rn), cell(rv), cell(ns), cell(n64),
                               cell(hs), fmt_ratio(rr), fmt_ratio(ra), fmt_ratio(rvr)])

    rs, rp, nd = http.get("rust-session"), http.get("rust-plain"), http.get("node-session")
    rps = lambda h: h["requests"] / (h["duration_us"] / 1e6) if h else None
    http_ratio = ratio(rps(rs), rps(nd))
    overhead = None if not rs or not rp else 100.0 * (1.0 - rps(rs) / rps(rp))
    http_header = ["server", "route", "req/s", "p50", "p99", "errors", "server CPU",
                   "wrk CPU", "ratio vs node", "req/s of each round"]
    http_rows = []
    rm, rr = http.get("rust-revocation-memory"), http.get("rust-revocation-redis")
    for h in (rs, rp, rm, rr, nd):
        if not h:
            continue
        errors = sum(h[k] for k in h if k.startswith("errors_"))
        http_rows.append([h["label"], h["route"], f"{rps(h):,.0f}", ms(h["latency_p50_us"]),
                          ms(h["latency_p99_us"]), errors, h.get("server_cpu", "-"),
                          h.get("wrk_cpu", "-"), fmt_ratio(ratio(rps(h), rps(nd))),
                          " / ".join(ops(rate(r)) for r in rounds[h["name"]])])

    hs = meta.get("http", {})
    http_note = (
        f"wrk {hs.get('connections')} connections, 1 thread, {hs.get('rounds', 1)} round(s) of "
        f"{hs.get('duration_s')} s per row after a {hs.get('warmup_s')} s warm-up (best round "
        f"shown), one shared session cookie; servers pinned to "
        f"CPU {hs.get('server_cpu')} (taskset), wrk to CPU {hs.get('wrk_cpu')}; the Rust server "
        f"runs TOKIO_WORKER_THREADS=1; one server at a time."
    )
    loads = meta.get("loads", [])

    lines = [f"== ironsession vs iron-session ({meta.get('mode')} mode) ==", "",
             "Micro benchmark (µs/op, ops/s); ratio = iron-session time / ironsession time:",
             table(micro_header, micro_rows), "",
             "HTTP GET /bench (read session, visits+1, save):",
             table(http_header, http_rows), "", http_note]
    cost_us = None if not rs or not rp else 1e6 / rps(rs) - 1e6 / rps(rp)
    if overhead is not None:
        lines.append(f"session overhead (axum /bench vs /bench/plain): {overhead:.1f}%, "
                     f"{cost_us:.1f} µs of the server's core per request")

    # The Rust peers, each against ironsession on its own framework.
    peer_header = ["server", "req/s", "p50", "p99", "errors", "server CPU", "wrk CPU",
                   "cookie bytes", "ironsession / peer", "target", "req/s of each round"]
    peer_rows, peer_ratios = [], {}
    peer_names = ["axum-ironsession", "actix-ironsession"] + [row for _, row, _, _ in PEERS]
    targets_of = {row: (ours, target) for _, row, ours, target in PEERS}
    for name in peer_names:
        h = http.get(name)
        if not h:
            continue
        errors = sum(h[k] for k in h if k.startswith("errors_"))
        ours, target = targets_of.get(name, (None, None))
        r = ratio(rps(http.get(ours)), rps(h)) if ours else None
        peer_rows.append([h["label"], f"{rps(h):,.0f}", ms(h["latency_p50_us"]),
                          ms(h["latency_p99_us"]), errors, h.get("server_cpu", "-"),
                          h.get("wrk_cpu", "-"), h.get("cookie_bytes", "-"),
                          fmt_ratio2(r) if ours else "(ironsession)",
                          f">= {target}x" if target else "",
                          " / ".join(ops(rate(x)) for x in rounds[name])])
    for key, row, ours, _ in PEERS:
        peer_ratios[key] = ratio(rps(http.get(ours)), rps(http.get(row)))
    if peer_rows:
        lines += ["", "HTTP GET /bench, the Rust peers (same handler, pinning and load):",
                  table(peer_header, peer_rows)]
    revocation_lines = revocation_report(a, rps(rs), rps(rm), rps(rr))
    lines += revocation_lines
    lines.append("load average: " + "; ".join(f"{ph}: {la}" for ph, la in loads))
    lines.append("")
    lines.append("targets:")
    for payload in PAYLOADS:
        for op in OPS:
            got = ratios[(op, payload)]
            ok = got is not None and got >= TARGETS[payload]
            lines.append(f"  {op} {payload}: {fmt_ratio(got)} (target >= {TARGETS[payload]:.0f}x) "
                         f"{'met' if ok else 'MISSED'}")
    ok = http_ratio is not None and http_ratio >= HTTP_TARGET
    lines.append(f"  http: {fmt_ratio(http_ratio)} (target >= {HTTP_TARGET:.0f}x) {'met' if ok else 'MISSED'}")
    ok = overhead is not None and overhead <= OVERHEAD_TARGET_PCT
    ov = "-" if overhead is None else f"{overhead:.1f}%"
    lines.append(f"  session overhead: {ov} (target <= {OVERHEAD_TARGET_PCT:.0f}%) {'met' if ok else 'MISSED'}")
    for key, _, _, target in PEERS:
        got = peer_ratios[key]
        ok = got is not None and got >= target
        lines.append(f"  {key}: {fmt_ratio2(got)} (target >= {target}x) {'met' if ok else 'MISSED'}")

    def num(x, digits=1):
        return "nan" if x is None else f"{x:.{digits}f}"

    summary = (
        f"summary seal_small_ratio={num(ratios[('seal', 'small')])} "
        f"unseal_small_ratio={num(ratios[('unseal', 'small')])} "
        f"seal_large_ratio={num(ratios[('seal', 'large')])} "
        f"unseal_large_ratio={num(ratios[('unseal', 'large')])} "
        f"http_ratio={num(http_ratio)} session_overhead_pct={num(overhead)} "
        + " ".join(f"{key}={num(peer_ratios[key], 2)}" for key, _, _, _ in PEERS)
    )
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
            f"so both servers get exactly one core and the load generator never competes with "
            f"them. Servers are measured one at a time.",
            f"- Load: `wrk -t1 -c{hs.get('connections')} -d{hs.get('duration_s')}s --latency`, "
            f"{hs.get('rounds', 1)} round(s) per row (the Rust routes alternating) after a "
            f"{hs.get('warmup_s')} s warm-up; the row shows the best round (req/s, and its "
            f"latencies). On loopback, the same cookie on every "
            f"request (each request still unseals it and seals a new one). 'server CPU' is the "
            f"server's CPU time over wall time during the measured run (100% = one core busy).",
        ]
        if overhead is not None:
            md.append(f"- Session overhead (1 - `/bench` req/s / `/bench/plain` req/s): "
                      f"{overhead:.1f}%, i.e. {cost_us:.1f} µs of the server's core per request "
                      f"(1/req/s difference). It includes the kernel's share: a response "
                      f"~400 bytes longer (the `Set-Cookie`), and on loopback the server's core "
                      f"also pays for waking the load generator, which idles more when the "
                      f"server is slower.")
        if peer_rows:
            md += [
                "",
                "## Against the Rust session crates",
                "",
                "The same `GET /bench` handler (the demo's session type, `visits += 1`, save, the "
                "number as text) on the session layers a Rust developer would otherwise pick, "
                "served by `bench/peers` (`ironsession-peers`), pinned and loaded exactly as "
                "above, one server at a time. The ratio is ironsession's req/s divided by the "
                "peer's on the same framework: axum + ironsession for the axum peers, actix-web + "
                "ironsession for actix-session, both served by `bench/peers` with the peers' "
                "login (the demo's `/bench` above also carries the session id its login adds).",
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
            "bench/compare                     # full: about 3 minutes after the build",
            "bench/compare --quick             # about 1 minute after the build",
            "bench/compare --markdown BENCHMARKS.md   # rewrite this file",
            "```",
            "",
            "`bench/compare` needs `node`, `cargo`, `python3`, `curl`, `taskset` and `wrk` "
            "(installed with `apt-get install -y wrk` when missing and running as root). "
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
