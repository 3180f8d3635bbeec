"""The library's shape, checked: short public functions, docstring examples that run, a module
map that names every public module, and one home for each shared calculation.

These are the rules of docs/developing.md ("Architecture"), stated as tests so that they hold
as the course grows.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import re
from pathlib import Path

import pytest
from test_architecture_imports import import_from_base

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "clipq_edu"
MAX_CODE_LINES = 60
TF_MODULES = {"tensorflow", "tensorflow_quantum", "tf_keras", "clipq_edu._tf"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_public_module(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split(".")[1:])


def _code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    """Lines of the body that hold code: no docstring, blank lines or comment-only lines."""
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None),
                                                             ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    if not body:
        return 0
    first, last = body[0].lineno, max(n.end_lineno for n in body)
    count = 0
    for text in lines[first - 1:last]:
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            count += 1
    return count


def _public_functions(tree: ast.Module):
    """Module-level public functions and public methods of public classes."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    not item.name.startswith("_") or item.name == "__init__"
                ):
                    yield f"{node.name}.{item.name}", item


def test_no_public_function_is_longer_than_a_screen() -> None:
    """d2l splits train_epoch from train; Optax keeps each transform to a few lines."""
    long = []
    for name, path in _sources().items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for qual, node in _public_functions(ast.parse(text)):
            n = _code_lines(node, lines)
            if n > MAX_CODE_LINES:
                long.append(f"{name}.{qual}: {n} code lines")
    assert not long, f"public functions over {MAX_CODE_LINES} code lines (split them):\n" + \
        "\n".join(long)


def test_code_line_counter_counts_code_only() -> None:
    src = 'def f(x):\n    """Doc.\n\n    More.\n    """\n    # comment\n\n    y = x\n    return y\n'
    node = ast.parse(src).body[0]
    assert _code_lines(node, src.splitlines()) == 2


# --------------------------------------------------------------------------------------------
# Docstring examples
# --------------------------------------------------------------------------------------------
def _import_time_statements(body: list[ast.stmt]):
    """Statements that run when the module is imported: not function bodies, not
    ``if TYPE_CHECKING:`` blocks; ``with``/``try``/``if`` blocks and class bodies do run."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _import_time_statements(node.orelse)
            continue
        yield node
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(node, field, None)
            if isinstance(inner, list):
                yield from _import_time_statements(inner)
        for handler in getattr(node, "handlers", None) or []:
            yield from _import_time_statements(handler.body)


def _top_level_imports(tree: ast.Module, module: str) -> set[str]:
    """Modules imported when ``module`` is imported (function-level imports are lazy)."""
    found: set[str] = set()
    package = module if (PACKAGE / Path(*module.split(".")[1:]) / "__init__.py").exists() \
        else module.rpartition(".")[0]
    for node in _import_time_statements(tree.body):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            prefix = import_from_base(node, package)
            found.add(prefix)
            found |= {f"{prefix}.{alias.name}" for alias in node.names}
    return found


def _modules_importing_tensorflow() -> set[str]:
    sources = _sources()
    imports = {name: _top_level_imports(ast.parse(p.read_text(encoding="utf-8")), name)
               for name, p in sources.items()}
    heavy = set()
    changed = True
    while changed:
        changed = False
        for name, deps in imports.items():
            if name in heavy:
                continue
            roots = {d.split(".")[0] for d in deps}
            if roots & TF_MODULES or deps & (TF_MODULES | heavy):
                heavy.add(name)
                changed = True
    return heavy


def _doctest_modules() -> list[str]:
    heavy = _modules_importing_tensorflow()
    return [name for name, path in _sources().items()
            if name not in heavy and ">>>" in path.read_text(encoding="utf-8")]


def test_tensorflow_free_modules_are_found() -> None:
    heavy = _modules_importing_tensorflow()
    assert "clipq_edu._tf" in heavy
    assert "clipq_edu" not in heavy and "clipq_edu.clipping" not in heavy
    assert len(_doctest_modules()) >= 5


@pytest.mark.parametrize("module", _doctest_modules())
def test_docstring_examples_run(module: str) -> None:
    """Every ``>>>`` example of a module that does not load TensorFlow runs and is right."""
    mod = importlib.import_module(module)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=flags)
    tests = [t for t in finder.find(mod, module) if t.examples]
    report: list[str] = []
    for test in tests:
        if not test.name.startswith(module):
            continue  # objects imported from elsewhere are tested in their own module
        runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(report)


# --------------------------------------------------------------------------------------------
# The module map in docs/developing.md
# --------------------------------------------------------------------------------------------
def test_module_map_names_every_public_module() -> None:
    text = (ROOT / "docs" / "developing.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`(clipq_edu(?:/[\w]+)*(?:\.py|/))`", text))
    missing = []
    for name, path in _sources().items():
        if name == "clipq_edu" or not _is_public_module(name):
            continue
        rel = path.relative_to(ROOT).as_posix()
        shown = rel[: -len("__init__.py")] if rel.endswith("__init__.py") else rel
        if shown not in listed:
            missing.append(shown)
    assert not missing, f"docs/developing.md's module map does not list: {missing}"
