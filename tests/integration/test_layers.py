"""The source layout keeps its promises: src/ never includes curses, and
dependencies point one way (ui -> wizard/cli -> engine/worker -> AWS/Spot
clients and documents -> net -> util), with no module reaching up."""

import os
import re

import harness

suite = harness.Suite("layers")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Which modules each module may include (itself always allowed).
ALLOWED = {
    "util": set(),
    "net": {"util"},
    "aws": {"net", "util"},
    "spot": {"net", "util"},
    "doc": {"aws", "util"},  # partitions name the ARN prefixes
    "engine": {"aws", "spot", "doc", "net", "util"},
    "worker": {"net", "util"},
    "wizard": {"engine", "worker", "aws", "spot", "doc", "net", "util"},
    "cli": {"engine", "aws", "spot", "doc", "net", "util"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]', re.M)
PROJECT_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
CURSES = re.compile(r"^(n?curses|ncursesw/|panel\.h|menu\.h|form\.h)")


def sources(folder):
    for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
        for name in files:
            if name.endswith((".c", ".h")):
                yield os.path.join(dirpath, name)


def module_of(path):
    rel = os.path.relpath(path, os.path.join(ROOT, "src"))
    return rel.split(os.sep)[0]


def includes(path, pattern=INCLUDE):
    with open(path, encoding="utf-8") as f:
        return pattern.findall(f.read())


@suite.test
def test_core_never_includes_curses():
    bad = [f"{os.path.relpath(p, ROOT)}: {inc}" for p in sources("src")
           for inc in includes(p) if CURSES.match(inc)]
    assert not bad, bad


@suite.test
def test_dependencies_point_one_way():
    bad = []
    for path in sources("src"):
        mod = module_of(path)
        for inc in includes(path, PROJECT_INCLUDE):
            if "/" not in inc:
                continue
            target = inc.split("/")[0]
            if target != mod and target not in ALLOWED.get(mod, set()):
                bad.append(f"{os.path.relpath(path, ROOT)} ({mod}) includes {inc}")
    assert not bad, bad


@suite.test
def test_no_include_cycles():
    src = os.path.join(ROOT, "src")
    graph = {os.path.relpath(p, src): [i for i in includes(p, PROJECT_INCLUDE) if "/" in i]
             for p in sources("src") if p.endswith(".h")}
    state = {}

    def visit(node, trail):
        if state.get(node) == "done":
            return
        assert state.get(node) != "open", " -> ".join(trail + [node])
        state[node] = "open"
        for dep in graph.get(node, []):
            visit(dep, trail + [node])
        state[node] = "done"

    for header in graph:
        visit(header, [])


@suite.test
def test_every_module_is_known():
    mods = {module_of(p) for p in sources("src")}
    assert mods <= set(ALLOWED), mods - set(ALLOWED)


@suite.test
def test_no_locale_character_classes():
    """<ctype.h> follows the locale main sets: in a Latin-1 locale bytes of
    0x80 and above would count as letters (URL encoding, ARN and region
    checks). util/ascii.h has the ASCII-only tests."""
    call = re.compile(r"(?<![\w.>])(?:is(?:alnum|alpha|digit|space|upper|lower|xdigit|print|"
                      r"cntrl|punct|graph|blank)|to(?:lower|upper)|str(?:n?casecmp))\s*\(")
    bad = []
    for folder in ("src", "ui"):
        for path in sources(folder):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            rel = os.path.relpath(path, ROOT)
            if "ctype.h" in includes(path):
                bad.append(f"{rel}: includes <ctype.h>")
            code = re.sub(r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\])*\"", "", text, flags=re.S)
            bad += [f"{rel}: {m.group(0)}" for m in call.finditer(code)]
    assert not bad, bad


if __name__ == "__main__":
    harness.main(suite)
