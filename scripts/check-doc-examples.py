#!/usr/bin/env python3
"""Checks that every public method of the types handlers and set-up code call has a doc example.

The types are those of `TYPES` below: the session a handler holds and the builders an app is
configured with. For each inherent `impl` block of one of them anywhere in
`crates/ironsession/src` (`impl<T> Session<T> {`, `impl SessionConfigBuilder {`; trait impls
such as `impl Deref for Session<T>` are left out), every `pub fn` / `pub async fn` must carry a
doc comment with a code block (a line starting with ```` ``` ````). A method shown by another's
example still needs its own: docs.rs shows each method on its own.

The check fails naming each method without one, as `path:line: Type::method`.

Usage: scripts/check-doc-examples.py [SRC_DIR]   (default: crates/ironsession/src)
"""

import os
import re
import sys

TYPES = ["Session", "SessionConfigBuilder", "RevocationBuilder", "RedisBackendBuilder"]

IMPL = re.compile(r"^impl(?:<[^{]*?>)?\s+(\w+)(?:<[^{]*>)?\s*(?:where\b[^{]*)?\{\s*$")
METHOD = re.compile(r"^\s*pub(?:\([^)]*\))?\s+(?:async\s+)?(?:const\s+)?fn\s+(\w+)")


def methods_without_examples(path):
    """(line, type, method) for each public method of a checked type lacking a doc example."""
    with open(path, encoding="utf-8") as source:
        lines = source.read().split("\n")
    missing = []
    current = None  # the checked type whose top-level impl block we are in
    header = None  # an `impl` header spread over several lines (a `where` clause), so far
    doc = []  # the doc comment lines right above the current line
    for number, line in enumerate(lines, start=1):
        if current is None:
            if line.startswith("impl") or header is not None:
                header = line if header is None else f"{header} {line.strip()}"
                if header.rstrip().endswith("{") or header.rstrip().endswith(";"):
                    match = IMPL.match(header)
                    if match and match.group(1) in TYPES:
                        current = match.group(1)
                    header = None
            doc = []
            continue
        if line.startswith("}"):
            current = None
            continue
        stripped = line.strip()
        if stripped.startswith("///"):
            doc.append(stripped[3:].strip())
            continue
        if stripped.startswith("#["):
            continue  # attributes between the doc comment and the item
        match = METHOD.match(line)
        if match and line.lstrip().startswith("pub ") and not line.lstrip().startswith("pub("):
            if not any(d.startswith("```") for d in doc):
                missing.append((number, current, match.group(1)))
        doc = []
    return missing


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "crates/ironsession/src"
    missing = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".rs"):
                path = os.path.join(root, name)
                missing += [(path, *m) for m in methods_without_examples(path)]
    for path, line, type_name, method in missing:
        print(f"{path}:{line}: {type_name}::{method} has no doc example")
    if missing:
        print(f"error: {len(missing)} public methods without a doc example", file=sys.stderr)
        return 1
    print(f"every public method of {', '.join(TYPES)} has a doc example")
    return 0


if __name__ == "__main__":
    sys.exit(main())
