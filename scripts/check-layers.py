#!/usr/bin/env python3
"""Checks that imports run one way between the concepts of `crates/ironsession/src`.

A concept is a folder of `src/` or a file left at its top (`config.rs`); `lib.rs` is the root
that re-exports, not a concept. Every `crate::`/`super::`/`self::` path in the crate's code
(`use` trees with their `{...}` groups, and paths written inline) is resolved to the module that
defines its item, following the re-exports of `lib.rs` (`crate::Ttl` counts as the module that
defines `Ttl`, never as `lib.rs`). Test code (`#[cfg(test)]` modules, inline or in their own
file) is left out: tests may drive a low module through the whole crate.

The check fails, naming the files and lines, when
- the concepts import each other in a circle,
- a concept imports one declared above it in `LAYERS`, or
- a concept is missing from `LAYERS` (a new folder must be given its place).

Inside a concept, files may import each other freely.

Usage: scripts/check-layers.py [SRC_DIR]   (default: crates/ironsession/src)
"""

import os
import re
import sys
from collections import defaultdict

# The concepts from the bottom up: each may import only those before it. docs/architecture.md
# shows the same order and says what each concept owns.
LAYERS = [
    "metrics",
    "lifetime",
    "envelope",
    "revocation",
    "seal",
    "cookie",
    "header",
    "config",
    "request",
    "session",
    "adapters",
    "fuzzing",
]

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_code(text):
    """`text` with comments, strings and char literals blanked out (line breaks kept)."""
    out = []
    i, n = 0, len(text)

    def blank(segment):
        return "".join("\n" if c == "\n" else " " for c in segment)

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(blank(text[i:end]))
            i = end
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(blank(text[i:j]))
            i = j
        elif re.match(r'(?:b|c)?r#*"', text[i:i + 260]) and (i == 0 or not re.match(r"\w", text[i - 1])):
            m = re.match(r'(?:b|c)?r(#*)"', text[i:])
            closing = '"' + m.group(1)
            end = text.find(closing, i + m.end())
            end = n if end < 0 else end + len(closing)
            out.append(blank(text[i:end]))
            i = end
        elif c == '"' or (text.startswith('b"', i) and (i == 0 or not re.match(r"\w", text[i - 1]))):
            j = i + (2 if c == "b" else 1)
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(blank(text[i:j + 1]))
            i = j + 1
        elif c == "'" or (text.startswith("b'", i) and (i == 0 or not re.match(r"\w", text[i - 1]))):
            start = i + (1 if c == "'" else 2)
            m = re.match(r"(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'\n])'", text[start:])
            if m:
                end = start + m.end()
                out.append(blank(text[i:end]))
                i = end
            else:  # a lifetime or a label
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching_brace(code, open_at):
    depth = 0
    for j in range(open_at, len(code)):
        if code[j] == "{":
            depth += 1
        elif code[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(code) - 1


CFG_TEST = re.compile(r"#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]\s*(?:#\s*\[[^\]]*\]\s*)*")
MOD_DECL = re.compile(r"(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*(;|\{)")


def module_parts(code):
    """The child modules a file declares ({name: is_test}) and its code without test blocks."""
    children = {}
    spans = []
    for m in MOD_DECL.finditer(code):
        before = code[:m.start()]
        is_test = bool(re.search(CFG_TEST.pattern + r"(?:pub(?:\s*\([^)]*\))?\s+)?$", before))
        if m.group(2) == ";":
            children[m.group(1)] = is_test
        elif is_test:
            spans.append((m.start(), matching_brace(code, m.end() - 1)))
    kept = code
    for start, end in reversed(spans):
        kept = kept[:start] + "".join("\n" if c == "\n" else " " for c in kept[start:end + 1]) + kept[end + 1:]
    return children, kept


def split_top(text, sep=","):
    parts, depth, current = [], 0, []
    for c in text:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if c == sep and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def expand_use_tree(tree, prefix=()):
    """[(path segments, alias)] of a `use` tree such as `crate::{a, b::{c as d, *}}`."""
    tree = re.sub(r"\s+", " ", tree).strip()
    brace = tree.find("{")
    if brace >= 0 and tree.endswith("}"):
        head = [s.strip() for s in tree[:brace].split("::") if s.strip()]
        results = []
        for part in split_top(tree[brace + 1:-1]):
            results.extend(expand_use_tree(part, prefix + tuple(head)))
        return results
    alias = None
    m = re.match(r"(.*?)\s+as\s+(" + IDENT + r")$", tree)
    if m:
        tree, alias = m.group(1), m.group(2)
    segments = [s.strip() for s in tree.split("::") if s.strip()]
    path = prefix + tuple(segments)
    if path and path[-1] == "self":
        path = path[:-1]
    return [(path, alias or (path[-1] if path else None))]


USE = re.compile(r"\buse\s+([^;]*);")
INLINE = re.compile(r"\b(crate|super|self)((?:\s*::\s*" + IDENT + r")+)")


class Crate:
    def __init__(self, src):
        self.src = src
        self.files = {}  # module path (tuple) -> (relative file name, code without test blocks)
        self.children = defaultdict(set)  # module path -> child module names
        self._load((), "lib.rs")
        self.reexports = self._root_reexports()

    def _load(self, module, relative):
        with open(os.path.join(self.src, relative), encoding="utf-8") as f:
            children, code = module_parts(strip_code(f.read()))
        self.files[module] = (relative, code)
        base = os.path.dirname(relative)
        if relative != "lib.rs" and os.path.basename(relative) != "mod.rs":
            base = relative[:-len(".rs")]
        for name, is_test in children.items():
            self.children[module].add(name)
            if is_test:
                continue
            for candidate in (os.path.join(base, name + ".rs"), os.path.join(base, name, "mod.rs")):
                if os.path.exists(os.path.join(self.src, candidate)):
                    self._load(module + (name,), candidate)
                    break

    def _root_reexports(self):
        """{name: absolute path} of every `use` at the crate root."""
        names = {}
        for m in USE.finditer(self.files[()][1]):
            for path, alias in expand_use_tree(m.group(1)):
                if alias and alias != "*":
                    names[alias] = self.absolute((), path) or path
        return names

    def absolute(self, module, path):
        """The absolute path of `path` written in `module`, or None for another crate's."""
        if not path:
            return None
        if path[0] == "crate":
            return tuple(path[1:])
        if path[0] == "super" or path[0] == "self":
            base = list(module)
            rest = list(path)
            while rest and rest[0] in ("super", "self"):
                if rest.pop(0) == "super":
                    if not base:
                        return None
                    base.pop()
            return tuple(base + rest)
        if path[0] in self.children[module]:
            return tuple(module) + tuple(path)
        return None

    def concept(self, path, seen=()):
        """The concept (first module) that defines the item at absolute `path`, or None."""
        if not path:
            return None
        if path[0] in self.children[()]:
            return path[0]
        target = self.reexports.get(path[0])
        if target is None or path[0] in seen:
            return None
        return self.concept(tuple(target) + tuple(path[1:]), seen + (path[0],))

    def imports(self, module):
        """[(line, path as written, absolute path)] of the crate paths `module` uses."""
        relative, code = self.files[module]
        found = []
        line_of = lambda at: code.count("\n", 0, at) + 1
        for m in USE.finditer(code):
            for path, _ in expand_use_tree(m.group(1)):
                target = self.absolute(module, path)
                if target is not None:
                    found.append((line_of(m.start()), "::".join(path), target))
        without_uses = USE.sub(lambda m: " " * len(m.group(0)), code)
        for m in INLINE.finditer(without_uses):
            path = (m.group(1),) + tuple(s.strip() for s in m.group(2).split("::") if s.strip())
            target = self.absolute(module, path)
            if target is not None:
                found.append((line_of(m.start()), "::".join(path), target))
        return found


def find_cycle(graph, nodes):
    """One circle through the strongly connected `nodes`, as a list of nodes."""
    start = sorted(nodes)[0]
    previous, queue = {start: None}, [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node]):
            if nxt == start:
                path = [node]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])
                return list(reversed(path)) + [start]
            if nxt in nodes and nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return [start]


def strongly_connected(graph):
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "crates", "ironsession", "src")
    crate = Crate(src)
    graph = defaultdict(set)
    evidence = defaultdict(list)
    concepts = set()
    for module, (relative, _) in sorted(crate.files.items()):
        if not module:
            continue
        concept = module[0]
        concepts.add(concept)
        graph[concept]
        for line, written, target in crate.imports(module):
            other = crate.concept(target)
            if other is None or other == concept:
                continue
            graph[concept].add(other)
            evidence[(concept, other)].append(f"{relative}:{line}: {written}")

    errors = []
    for component in strongly_connected(graph):
        if len(component) < 2:
            continue
        cycle = find_cycle(graph, component)
        lines = [f"{len(component)} concepts import each other in a circle: "
                 f"{', '.join(sorted(component))}",
                 f"one circle among them: {' -> '.join(cycle)}"]
        for a, b in zip(cycle, cycle[1:]):
            lines.append(f"  {a} -> {b}: {evidence[(a, b)][0]}")
        errors.append("\n".join(lines))

    rank = {name: i for i, name in enumerate(LAYERS)}
    for concept in sorted(concepts - rank.keys()):
        errors.append(f"concept {concept!r} is not in LAYERS of {os.path.basename(__file__)}: "
                      "give it its place in the order")
    for (a, b), where in sorted(evidence.items()):
        if a in rank and b in rank and rank[b] > rank[a]:
            errors.append(f"{a} imports {b}, which is declared above it:\n  "
                          + "\n  ".join(where))

    if errors:
        print("\n".join(errors), file=sys.stderr)
        print(f"error: {len(errors)} layering problem(s) in {src}", file=sys.stderr)
        return 1
    order = " < ".join(name for name in LAYERS if name in concepts)
    print(f"imports run one way between the {len(concepts)} concepts: {order}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
