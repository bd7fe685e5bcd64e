#!/usr/bin/env python3
"""The workspace's import rules (ARCHITECTURE.md), checked by reading the sources.

Each Rust file is a module; a reference `crate::a::b::…` outside comments is an import of the
longest module it names. Fails (exit 1, naming the files) on an import cycle in any crate, on
a harness room importing a room above it, on a source file longer than 800 lines before its
unit tests, and on a function longer than 80 lines that is not a table. Usage: python3 .ci/imports.py [workspace root]
"""
import re
import sys
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
CRATES = {"harness": "harness/src", "refserver": "refserver/src", "packager": "packager/src",
          "results": "results/src", "untrusted": "untrusted/src", "scimcheck": "src"}
MAX_LINES = 800
MAX_FUNCTION_LINES = 80
# Functions that are a table or a text template, not logic: allowed longer.
TABLES = {"packager/src/template.rs:submission_template"}

# What each harness room may import (besides itself and external crates). `report` is the
# results model; reporters may also use the events trait and the suite model it names.
ROOMS = {
    "http": {"http"},
    "suite": {"suite", "http"},
    "judge": {"judge", "suite", "http", "report"},
    "report": {"report", "http"},
    "run": {"run", "judge", "suite", "http", "report"},
    "reporters": {"reporters", "report", "run::events", "suite"},
}


def module_of(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return "::".join(parts)


def code_lines(text: str):
    """The lines before the first `#[cfg(test)]` module, without comments."""
    for line in text.split("\n"):
        if line.strip().startswith("#[cfg(test)]"):
            break
        yield re.sub(r"//.*", "", line)


def main() -> int:
    self_test()
    problems = check(ROOT)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} import-rule problems")
        return 1
    print("imports: no cycle, every room imports only what it may, every file within 800 lines, every function within 80 (tables aside)")
    return 0


def self_test():
    """The checker catches what it is for: a cycle, a room importing above it, a long file."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        files = {
            "harness/src/lib.rs": "pub mod http;\npub mod run;\n",
            "harness/src/http/mod.rs": "use crate::run::Thing;\n",
            "harness/src/run/mod.rs": "pub mod a;\npub mod b;\n",
            "harness/src/run/a.rs": "use crate::run::b::B;\n",
            "harness/src/run/b.rs": "use crate::run::a::A;\n" + "// x\n" * 10 + "fn f() {}\n" * 801,
            "harness/src/run/c.rs": "fn long() {\n" + "    x();\n" * 80 + "}\n",
        }
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        found = "\n".join(check(root))
        for expected in ["harness::http imports harness::run", "import cycle: harness::run::a, harness::run::b",
                         "b.rs: 813 lines", "c.rs: fn long has 82 lines"]:
            assert expected in found, f"the checker missed: {expected}\n{found}"


def check(root: Path):
    problems = []
    for crate, src in CRATES.items():
        if not (root / src).is_dir():
            continue
        files = sorted((root / src).rglob("*.rs"))
        modules = {module_of(f.relative_to(root / src)): f for f in files}
        edges = {m: set() for m in modules}
        for module, path in modules.items():
            text = path.read_text()
            lines = list(code_lines(text))
            if len(lines) > MAX_LINES:
                problems.append(f"{path.relative_to(root)}: {len(lines)} lines before its tests (at most {MAX_LINES})")
            problems += long_functions(path.relative_to(root), lines)
            children = set(re.findall(r"^\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+([a-z_][a-z0-9_]*)\s*;", text, re.M))
            for line in lines:
                # A child module named by its own name (`use child::X`, `child::f()`).
                if not re.match(r"^\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s", line):
                    for child in re.findall(r"(?<![:\w])([a-z_][a-z0-9_]*)::", line):
                        if child in children:
                            edges[module].add(f"{module}::{child}" if module else child)
                for ref in re.findall(r"\bcrate((?:::[a-z_][a-z0-9_]*)+)", line):
                    names = ref.strip(":").split("::")
                    target = None
                    for n in range(len(names), 0, -1):
                        candidate = "::".join(names[:n])
                        if candidate in modules:
                            target = candidate
                            break
                    if target is None:
                        target = ""  # the crate root
                    if target != module:
                        edges[module].add(target)
        problems += cycles(crate, edges, modules)
        if crate == "harness":
            problems += room_rules(edges)
    return problems


def long_functions(rel: Path, lines):
    """Functions (before the unit tests) longer than MAX_FUNCTION_LINES, from `fn` to the brace
    that closes it at the same indentation."""
    out = []
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(?:pub(?:\([a-z]+\))? )?(?:const )?(?:async )?fn (\w+)", line)
        if not m:
            continue
        for j in range(i + 1, len(lines)):
            if lines[j] == m.group(1) + "}":
                n = j - i + 1
                if n > MAX_FUNCTION_LINES and f"{rel}:{m.group(2)}" not in TABLES:
                    out.append(f"{rel}: fn {m.group(2)} has {n} lines (at most {MAX_FUNCTION_LINES} unless a table)")
                break
    return out


def room(module: str) -> str:
    return module.split("::")[0]


def room_rules(edges):
    out = []
    for source, targets in sorted(edges.items()):
        if not source:
            continue
        allowed = ROOMS.get(room(source))
        if allowed is None:
            out.append(f"harness::{source} is in no room ({', '.join(sorted(ROOMS))})")
            continue
        for target in sorted(targets):
            if not target:
                continue
            if not any(target == a or target.startswith(a + "::") or room(target) == a for a in allowed):
                out.append(f"harness::{source} imports harness::{target}: {room(source)} may import only {', '.join(sorted(allowed))}")
    return out


def cycles(crate, edges, modules):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in modules:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                names = ", ".join(f"{crate}::{c}" if c else f"{crate} (root)" for c in sorted(component))
                out.append(f"import cycle: {names}")

    sys.setrecursionlimit(10000)
    for v in modules:
        if v not in index:
            visit(v)
    return out


if __name__ == "__main__":
    sys.exit(main())
