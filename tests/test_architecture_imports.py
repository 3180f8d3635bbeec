"""The import graph of clipq_edu, read from the source: no cycles, and no layer reaching up.

The layers (docs/developing.md, "Architecture"): the private infrastructure modules
(``clipq_edu._*``) and the topic modules (clipping, quantum, training, models, data, plotting,
i18n) are the library; :mod:`clipq_edu.course`, :mod:`clipq_edu.widgets` and
:mod:`clipq_edu.exercises` are built on it. A library module never imports them.

Every ``import`` statement counts, at module level or inside a function (a lazy import is still
a dependency), absolute or relative; ``from package import name`` is an edge to the submodule
``package.name`` when that is a module, else to ``package`` itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "clipq_edu"

#: The library: these modules (and their submodules) must not import from UPPER.
LOWER = ("clipq_edu.clipping", "clipq_edu.quantum", "clipq_edu.training", "clipq_edu.models",
         "clipq_edu.data", "clipq_edu.plotting", "clipq_edu.i18n", "clipq_edu._")
#: Built on the library.
UPPER = ("clipq_edu.course", "clipq_edu.widgets", "clipq_edu.exercises")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_sources() -> dict[str, str]:
    """``{module name: source text}`` for every module of clipq_edu."""
    return {_module_name(p): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def import_from_base(node: ast.ImportFrom, package: str) -> str:
    """The absolute module a ``from ... import`` statement reads from, written in ``package``
    (``from .x import y`` in clipq_edu.quantum is clipq_edu.quantum.x)."""
    if not node.level:
        return node.module or ""
    base = package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, source: str, modules: set[str]) -> set[str]:
    """The clipq_edu modules that ``module`` imports anywhere in ``source``.

    ``modules`` is the set of all module names, used to tell ``from pkg import submodule``
    from ``from pkg import name``.
    """
    is_package = any(m.startswith(module + ".") for m in modules)
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            prefix = import_from_base(node, package)
            targets = []
            for alias in node.names:
                sub = f"{prefix}.{alias.name}"
                targets.append(sub if sub in modules else prefix)
        else:
            continue
        for target in targets:
            # ``import a.b.c`` runs a.b.c; keep the longest name that is one of ours
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != module:
                found.add(target)
    return found


def import_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    modules = set(sources)
    return {name: imports_of(name, text, modules) for name, text in sources.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path that returns to its start) per strongly connected component."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm; the graph is small, recursion is fine
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_cycle_in(c, graph) for c in components]


def _cycle_in(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A path start -> ... -> start inside one strongly connected component."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:  # breadth-first back to start
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & members):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if v != start else [start, start]
                if w not in previous:
                    previous[w] = v
                    nxt.append(w)
        frontier = nxt
    raise AssertionError("not a cycle")  # pragma: no cover


def _in(module: str, layer: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p if p.endswith("_") else p + ".")
               for p in layer)


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """``"lower -> upper"`` for every library module that imports course/widgets/exercises."""
    return sorted(f"{a} -> {b}" for a, deps in graph.items() if _in(a, LOWER)
                  for b in deps if _in(b, UPPER))


# --------------------------------------------------------------------------------------------
def test_the_package_import_graph_has_no_cycle() -> None:
    graph = import_graph(package_sources())
    assert len(graph) > 40 and graph["clipq_edu.quantum.resources"]  # the graph was built
    cycles = find_cycles(graph)
    assert not cycles, "import cycles (break them):\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_library_never_imports_the_course_layers() -> None:
    bad = layer_violations(import_graph(package_sources()))
    assert not bad, ("library modules importing course/widgets/exercises (move the shared "
                     "code down):\n" + "\n".join(bad))


def test_the_graph_sees_every_kind_of_import() -> None:
    """Module- and function-level, absolute and relative, ``from pkg import submodule``."""
    modules = {"clipq_edu", "clipq_edu.a", "clipq_edu.pkg", "clipq_edu.pkg.sub",
               "clipq_edu.pkg.other", "clipq_edu.b"}
    source = (
        "import clipq_edu.a\n"
        "from . import other\n"                # relative, a submodule
        "from clipq_edu.pkg import sub as s\n"  # a submodule, renamed
        "def f():\n"
        "    from ..b import NAME\n"            # function-level, relative, a name
        "    import numpy\n"                    # not ours
    )
    assert imports_of("clipq_edu.pkg.sub", source, modules) == {
        "clipq_edu.a", "clipq_edu.pkg.other", "clipq_edu.b"}
    assert imports_of("clipq_edu.x", "from clipq_edu.pkg import helper", modules) == {
        "clipq_edu.pkg"}


def test_the_checks_can_fail() -> None:
    """A synthetic graph with a cycle and a library module reaching up into the course."""
    graph = {
        "clipq_edu._validate": {"clipq_edu.quantum.resources"},
        "clipq_edu.quantum.resources": {"clipq_edu._validate"},
        "clipq_edu.plotting": {"clipq_edu.course.toys"},
        "clipq_edu.course.toys": {"clipq_edu.clipping"},
        "clipq_edu.clipping": set(),
        "clipq_edu.widgets.x": {"clipq_edu.plotting"},  # upper -> lower is fine
    }
    assert find_cycles(graph) == [
        ["clipq_edu._validate", "clipq_edu.quantum.resources", "clipq_edu._validate"]]
    assert layer_violations(graph) == ["clipq_edu.plotting -> clipq_edu.course.toys"]
    assert find_cycles({"a": {"a"}}) == [["a", "a"]]
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
