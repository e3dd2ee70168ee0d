#!/usr/bin/env python3
"""Writes the committed seed corpus of every fuzz target into fuzz/seeds/<target>/.

Sources: the seals the real iron-session made (crates/iron-seal/tests/data/iron-vectors.json), the
fixed tickets of @hapi/iron's test suite (crates/iron-seal/tests/hapi_suite.rs), and cookies built
from them as browsers send them: whole, chunked (`s.0=…; s.1=…`), quoted, percent-encoded, among
other cookies and across several `Cookie` headers. Run it again after the vectors change:

    python3 fuzz/seeds/make_seeds.py
"""
import json
import pathlib
import re
import shutil

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEEDS = ROOT / "fuzz" / "seeds"

vectors = json.loads((ROOT / "crates/iron-seal/tests/data/iron-vectors.json").read_text())
hapi = re.findall(r'"(Fe26\.2\*[^"]*)"', (ROOT / "crates/iron-seal/tests/hapi_suite.rs").read_text())
seals = [v["seal"] for v in vectors]  # with iron-session's ~2 suffix
bare = [s.split("~")[0] for s in seals] + hapi


def chunks(value, count):
    size = -(-len(value) // count)
    parts = [value[i : i + size] for i in range(0, len(value), size)]
    return "; ".join(f"s.{i}={part}" for i, part in enumerate(parts))


cookies = []
for seal in seals:
    cookies += [
        f"s={seal}",
        f'theme=dark; s="{seal}"; other=1',
        f"s={seal.replace('~', '%7E').replace('*', '%2A')}",
        chunks(seal, 2),
        chunks(seal, 3) + "; s.3=",
        f"s.1={seal[len(seal) // 2:]}\ns.0={seal[: len(seal) // 2]}",
    ]
cookies += [f"s={ticket}" for ticket in hapi]
cookies += ["s=", "s", "s=%", "s=%FF", "s=\"\"", "a=1;;; s = x ;", "s.0=a; s.2=b", "s.4=x; s.01=y"]
# The whole cookie beside chunks (cookie tossing), in either order and across headers: ambiguous.
cookies += [f"s={seals[0]}; {chunks(seals[1], 2)}", f"{chunks(seals[0], 2)}\ns={seals[1]}", "s=x; s.3=y", "s=; s.0=a; s.0=; s=b"]

passwords = [
    "complex_password_at_least_32_characters_long",
    json.dumps({"1": "password-one-at-least-32-characters-long!!", "2": "password-two-at-least-32-characters-long!!"}),
    '{"01":"x"}',
    '{"1":"short"}',
]
# Random-looking passwords the strength rule accepts, and the staged JSON form.
password_seeds = passwords + [
    "ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg",
    json.dumps({"1": "iXx0hZMbVTsIYfa36UXOaYpgdzq9Su1y0PRd5dw8GRE",
                "2": {"password": "oynVmcJKmN8fYxyN4K2BWfyg_f8QnBmW0W9i5OuksYI",
                      "notBefore": "2027-01-01T00:00:00Z"}}),
    json.dumps({"3": {"password": "mHGSO0mBoKhgLwLgiRQqNara4cApm1oN_FgA5ZHYlD4",
                      "retiredAfter": "2026-01-01T00:00:00Z"}}),
]
payloads = [v["payload_json"] for v in vectors] + ['{"name":"\\ud83c"}', "[" * 130 + "]" * 130]

targets = {
    "unseal": bare,
    "cookie_header": cookies,
    "load": cookies,
    "passwords": password_seeds,
    # The CLI is pasted cookies and Cookie headers too.
    "cli": [f"{s}\n" for s in seals] + [f"  {s}\r\n" for s in bare[:3]] + passwords + payloads
    + cookies + [f"Cookie: {c}\n" for c in cookies[:6]],
}
for target, inputs in targets.items():
    directory = SEEDS / target
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    for index, text in enumerate(inputs):
        (directory / f"seed-{index:03}").write_text(text, encoding="utf-8")
    print(f"{target}: {len(inputs)} seeds")
