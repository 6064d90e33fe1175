"""The import structure the README promises: apps depend downwards only, and no module
imports itself back through others, neither between apps nor between the modules of one app.

grimp reads every import statement, including those inside functions, so an import hidden in a
function to dodge a loop is still a loop here.
"""

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "config",
    "monitoring",
    "cms",
    "certification",
    "training",
    "courses",
    "imports",
    "accounts",
    "registry",
    "core",
]


def _graph():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return grimp.build_graph(*APPS, cache_dir=None)


def _in_cycle_scope(module):
    # Migrations name functions by dotted path (storage callables, RunPython) and are frozen
    # history: they may import an app's models module that later grows, and are never imported
    # by application code, so they can close no loop that matters at run time.
    return ".migrations." not in module and not module.endswith(".migrations")


def test_import_linter_contract_holds():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / ".importlinter")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _cycles(graph):
    """Each strongly connected group of modules (Tarjan), as sorted tuples, size > 1."""
    modules = sorted(m for m in graph.modules if _in_cycle_scope(m))
    scope = set(modules)
    edges = {
        m: sorted(t for t in graph.find_modules_directly_imported_by(m) if t in scope)
        for m in modules
    }
    index, low, stack, on_stack, groups = {}, {}, [], set(), []
    counter = [0]

    def visit(start):
        # Iterative, so a deep import chain cannot hit Python's recursion limit.
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(tuple(sorted(group)))

    for module in modules:
        if module not in index:
            visit(module)
    return sorted(groups)


def _describe(graph, group):
    members = set(group)
    lines = []
    for importer in group:
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported in members:
                for detail in graph.get_import_details(importer=importer, imported=imported):
                    lines.append(f"  {importer} -> {imported} (l.{detail['line_number']})")
    return "\n".join(lines)


# Loops that remain today (issue 14 is open for them). The list must match exactly: a new loop
# fails, and breaking one of these fails until it is struck off here, so the list only shrinks.
KNOWN_CYCLES = [
    ("certification.services", "certification.tasks"),
    ("cms.forms", "cms.models", "cms.models.classes", "cms.models.home", "cms.models.survey", "cms.services"),
]


def test_no_import_cycle_between_modules():
    graph = _graph()
    groups = _cycles(graph)
    report = "\n\n".join(_describe(graph, g) for g in groups if g not in KNOWN_CYCLES)
    assert groups == KNOWN_CYCLES, f"import cycles (new or broken since KNOWN_CYCLES was written):\n{report}"


def test_cycle_finder_sees_a_loop(tmp_path, monkeypatch):
    # The check above passing must mean "no loop", not "the finder finds nothing": a two-module
    # package whose second module imports the first inside a function is reported.
    package = tmp_path / "loopy"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from loopy import b\n")
    (package / "b.py").write_text("def f():\n    from loopy import a\n    return a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("loopy", cache_dir=None)
    assert _cycles(graph) == [("loopy.a", "loopy.b")]
