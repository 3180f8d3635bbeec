"""Grade a folder of submitted notebooks into a gradebook (``make collect``).

Usage (from the repository root, inside the project's virtual environment)::

    python tools/collect.py submissions/                    # -> _build/grades.csv + wide + feedback
    python tools/collect.py submissions/ --jobs 2 --points grading/points.toml \\
        --manual grading/manual.csv --time-limit 300 --memory-limit 2G
    make collect SUBMISSIONS=submissions/ GRADES=grades.csv COLLECT_ARGS="--jobs 2"

Layout of the folder: one notebook per student (``alice.ipynb``: the student is the file
name), or one folder per student (``alice/02_core_concepts.ipynb``: the student is the
folder). Folders whose name starts with a dot are ignored.

**Verdicts are decided here, never in the student's kernel.** Each notebook runs top to
bottom in a fresh kernel inside a sandbox (``tools/grade_sandbox.py``: no network, a throwaway
HOME and working directory holding only the notebook, the user ``nobody`` when run as root,
a time and a memory limit enforced by a watchdog). The grader reads the notebook's source
itself and finds every ``ex.qN.check(arg)``; after each such cell it runs a capture cell that
sends back the *value* of ``arg`` (numbers, text, arrays, the course's dataclasses) and checks
that value in this process against the exercise's own answer. For a code answer (``arg`` is a
function the notebook defines) it takes the function's source from the notebook (the cell
that defines it, plus the notebook's imports) and checks it in a separate, clean, sandboxed
process against the exercise's checks, hidden cases included. Whatever the kernel prints,
records or patches does not change a verdict.

The ``integrity`` column names every cell that touches the grading machinery: reading an
exercise's ``expected``, ``correct``, ``solution_text``, ``_check`` or ``checker``; the results
channel (``CLIPQ_EDU_RESULTS``, ``_record``); importing ``clipq_edu.exercises._core``;
assigning to attributes of clipq_edu objects, ``setattr``/``delattr`` on them, ``type(ex.qN)``
patches, ``sys.modules``. The kernel's ``CLIPQ_EDU_RESULTS`` points to a decoy file (checks do
not record during grading): any line found there was written by the notebook and is flagged.

Outputs (``--out grades.csv``):

* ``grades.csv``: one row per student and exercise: ``student, notebook, exercise, status,
  points, max_points, value, message, integrity, note``; ``status`` is ``correct``,
  ``incorrect``, ``not attempted``, ``needs TFQ`` or ``manual`` (an answer that cannot be
  checked outside the kernel, e.g. a Keras layer: grade it by hand);
* ``grades_wide.csv``: one row per student, one column per exercise (points earned), the
  manual items (``--manual``), ``total``, ``max_total``, ``flags``: the shape an LMS imports;
* ``feedback/<student>.md``: what to hand back, one line per exercise.

Points come from each exercise's ``points`` (default 1), overridden by ``--points FILE`` (a
TOML table ``[points]`` of ``"02.1" = 2``). Manual items (the capstone report, open answers)
come from ``--manual FILE``: a CSV ``student, item, points, max_points, comment``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import csv
import dataclasses
import importlib
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import psutil
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from clipq_edu.doctor import process_tree_rss

sys.path.insert(0, str(Path(__file__).resolve().parent))
import grade_sandbox  # noqa: E402  (a sibling script, not a package)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "_build" / "grades.csv"
DEFAULT_SANDBOX = ROOT / "_build" / "sandbox"
COLUMNS = ("student", "notebook", "exercise", "status", "points", "max_points", "value",
           "message", "integrity", "note")
STATUSES = ("correct", "incorrect", "not attempted", "needs TFQ", "manual")
MIME = "application/x-clipq-answer+json"
_CHAPTER_NAME = re.compile(r"\b(ch\d\d[a-z]?)\b")
#: Attributes of an exercise that hold or compute its answer, or decide a verdict.
_KEY_ATTRS = {"expected", "solution_text", "_check", "checker", "explanations", "mistakes",
              "_record"}
_CHANNEL_WORDS = ("CLIPQ_EDU_RESULTS", "RESULTS_ENV", "CLIPQ_EDU_GRADING", "GRADING_ENV",
                  "_record", "results.jsonl")
_CHECK_LOCK = threading.Lock()


# ------------------------------------------------------------------ submissions, chapters
def parse_size(text: str) -> int:
    """``"2G"``, ``"1.5GB"``, ``"800M"``, ``"123456"`` -> bytes (decimal units)."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kKmMgG]?)[bB]?\s*", str(text))
    if not match:
        raise ValueError(f"memory limit must look like 2G, 800M or a byte count, got {text!r}")
    scale = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}[match[2].lower()]
    value = int(float(match[1]) * scale)
    if value <= 0:
        raise ValueError(f"memory limit must be positive, got {text!r}")
    return value


def find_submissions(folder: Path) -> list[tuple[str, Path]]:
    """``[(student, notebook path)]`` in a stable order (see the module docstring)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"submissions must be a folder, got {str(folder)!r}")
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        student = rel.parts[0] if len(rel.parts) > 1 else path.stem
        found.append((student, path))
    if not found:
        raise ValueError(f"no .ipynb files in {str(folder)!r}")
    return found


def chapters_of(nb: nbformat.NotebookNode) -> list[str]:
    """Exercise modules a notebook imports (``["ch02"]``), in order of first use."""
    from clipq_edu.exercises import chapter_modules

    known = set(chapter_modules())
    found: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            if "exercises" in line:
                found += [n for n in _CHAPTER_NAME.findall(line) if n in known and n not in found]
    return found


def exercise_by_id(exercise_id: str) -> Any:
    """The exercise ``"02.1"``, importing only its own chapter module (``ch02``)."""
    return grade_sandbox.exercise_by_id(exercise_id)


def expected_exercises(chapters: list[str]) -> list[str]:
    """Ids of every exercise defined in the given chapter modules, in definition order."""
    from clipq_edu.exercises import Exercise

    ids: list[str] = []
    for name in chapters:
        module = importlib.import_module(f"clipq_edu.exercises.{name}")
        ids += [v.id for v in vars(module).values() if isinstance(v, Exercise) and v.id not in ids]
    return ids


# ------------------------------------------------------------------ reading the notebook
@dataclass
class Site:
    """One ``<exercise>.check(arg)`` call at the top level of a code cell."""

    cell: int
    exercise: str
    arg: str
    code_source: str | None = None  # set for a code answer: what the worker runs
    code_name: str = ""


@dataclass
class Finding:
    """A cell that touches the grading machinery."""

    cell: int
    cell_id: str
    what: str
    exercise: str | None = None  # None: it concerns every row of the notebook

    def __str__(self) -> str:
        if self.cell < 0:
            return f"at run time: {self.what}"
        return f"cell {self.cell + 1} (id {self.cell_id}): {self.what}"


def _python(source: str) -> ast.Module | None:
    """A cell's source as Python (IPython magics turned into calls), or ``None``."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:
        pass
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


class _Scope:
    """Names bound by imports from clipq_edu, resolved to chapter modules and exercises."""

    def __init__(self) -> None:
        self.modules: dict[str, str] = {}  # alias -> "ch02"
        self.exercises: dict[str, str] = {}  # name -> "02.1"
        self.course: set[str] = set()  # every name imported from clipq_edu

    def learn(self, node: ast.AST) -> None:
        from clipq_edu.exercises import chapter_modules

        known = set(chapter_modules())
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "clipq_edu":
                    name = a.asname or a.name.split(".")[0]
                    self.course.add(name)
                    last = a.name.split(".")[-1]
                    if a.asname and last in known:
                        self.modules[name] = last
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("clipq_edu"):
            for a in node.names:
                name = a.asname or a.name
                self.course.add(name)
                if a.name in known:
                    self.modules[name] = a.name
                last = (node.module or "").split(".")[-1]
                if last in known and re.fullmatch(r"q\d+", a.name):
                    exercise = getattr(importlib.import_module(
                        f"clipq_edu.exercises.{last}"), a.name, None)
                    if exercise is not None:
                        self.exercises[name] = exercise.id

    def module_of(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.modules.get(node.id)
        if isinstance(node, ast.Attribute) and re.fullmatch(r"ch\d\d[a-z]?", node.attr):
            inner = node.value
            if isinstance(inner, ast.Attribute) and inner.attr == "exercises":
                return node.attr
        return None

    def exercise_of(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.exercises.get(node.id)
        if isinstance(node, ast.Attribute) and re.fullmatch(r"q\d+", node.attr):
            module = self.module_of(node.value)
            if module:
                exercise = getattr(importlib.import_module(f"clipq_edu.exercises.{module}"),
                                   node.attr, None)
                return getattr(exercise, "id", None)
        return None

    def root_is_course(self, node: ast.AST) -> bool:
        """Does an attribute chain start at a clipq_edu name or at ``type(...)``?"""
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "type":
            return True
        return isinstance(node, ast.Name) and node.id in self.course


def _integrity(tree: ast.Module, source: str, scope: _Scope, cell: int,
               cell_id: str) -> list[Finding]:
    """What in one cell touches the grading machinery."""
    found: list[Finding] = []

    def flag(what: str, exercise: str | None = None) -> None:
        if not any(f.what == what for f in found):
            found.append(Finding(cell, cell_id, what, exercise))

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            exercise = scope.exercise_of(node.value)
            if node.attr in _KEY_ATTRS:
                base = ast.unparse(node.value)
                flag(f"reads {base}.{node.attr} (the grading machinery)", exercise)
            elif node.attr == "correct" and exercise:
                flag(f"reads {ast.unparse(node)} (the key of a choice)", exercise)
            elif node.attr == "modules" and ast.unparse(node.value) == "sys":
                flag("reaches into sys.modules")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if any("_core" in n or "_checks" in n for n in names) and \
                    "clipq_edu" in ast.unparse(node):
                flag(f"imports the grading internals ({ast.unparse(node)})")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else \
                [node.target]
            for target in targets:
                for t in ast.walk(target):
                    if isinstance(t, (ast.Attribute, ast.Subscript)) and scope.root_is_course(t):
                        flag(f"patches clipq_edu: {ast.unparse(t)} = ...")
                        break
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("setattr", "delattr", "getattr") and node.args:
                first = node.args[0]
                key = node.args[1] if len(node.args) > 1 else None
                sensitive = isinstance(key, ast.Constant) and str(key.value) in \
                    (_KEY_ATTRS | {"correct"})
                if node.func.id != "getattr" and (scope.root_is_course(first) or
                                                  scope.exercise_of(first)):
                    flag(f"{node.func.id} on a clipq_edu object ({ast.unparse(node)[:60]})")
                elif sensitive or (key is not None and not isinstance(key, ast.Constant)
                                   and scope.exercise_of(first)):
                    flag(f"{node.func.id} of an exercise's key ({ast.unparse(node)[:60]})",
                         scope.exercise_of(first))
    for word in _CHANNEL_WORDS:
        if word in source:
            flag(f"touches the results channel ({word})")
            break
    return found


def _magic_bodies(tree: ast.Module) -> list[ast.Module]:
    """The code inside line and cell magics (``get_ipython().run_line_magic(name, code)``)."""
    bodies = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("run_line_magic", "run_cell_magic")):
            for arg in node.args[1:]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    inner = _python(arg.value)
                    if inner is not None:
                        bodies.append(inner)
    return bodies


def _bindings(trees: list[ast.Module | None], upto: int, name: str) -> tuple[int, ast.AST] | None:
    """The last top-level statement binding ``name`` in cells ``0..upto``."""
    last = None
    for i, tree in enumerate(trees[: upto + 1]):
        for stmt in tree.body if tree else []:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
                last = (i, stmt)
            elif isinstance(stmt, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
                last = (i, stmt)
    return last


def _code_source(trees: list[ast.Module | None], cell: int, stmt: ast.AST, name: str) -> str:
    """What a code answer's worker runs: every import of the notebook, then the defining
    cell's imports and function definitions (or the lambda), nothing else."""
    imports = [ast.unparse(s) for tree in trees if tree for s in tree.body
               if isinstance(s, (ast.Import, ast.ImportFrom))]
    if isinstance(stmt, ast.Assign):
        body = [f"{name} = {ast.unparse(stmt.value)}"]
    else:
        body = [ast.unparse(s) for s in trees[cell].body
                if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return "\n".join(dict.fromkeys(imports)) + "\n\n" + "\n\n".join(body) + "\n"


def scan(nb: nbformat.NotebookNode) -> tuple[list[Site], list[Finding]]:
    """Find the check calls (and code answers) and the integrity findings of a notebook."""
    scope = _Scope()
    trees: list[ast.Module | None] = []
    sites: list[Site] = []
    findings: list[Finding] = []
    for i, cell in enumerate(nb.cells):
        tree = _python(cell.source) if cell.cell_type == "code" else None
        trees.append(tree)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                scope.learn(node)
        findings += _integrity(tree, cell.source, scope, i, str(cell.get("id", "")))
        for inner in _magic_bodies(tree):  # %time ..., %%timeit ...: the code inside
            findings += [f for f in _integrity(inner, "", scope, i, str(cell.get("id", "")))
                         if not any(g.what == f.what and g.cell == i for g in findings)]
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for node in ast.walk(stmt):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "check" and len(node.args) == 1):
                    exercise = scope.exercise_of(node.func.value)
                    if exercise:
                        sites.append(Site(i, exercise, ast.unparse(node.args[0])))
    for site in sites:
        arg = _python(site.arg)
        expr = arg.body[0].value if arg and arg.body and isinstance(arg.body[0], ast.Expr) \
            else None
        if isinstance(expr, ast.Lambda):
            site.code_name = "_answer"
            site.code_source = _code_source(trees, site.cell, ast.Assign(
                targets=[ast.Name("_answer")], value=expr, lineno=0), "_answer")
        elif isinstance(expr, ast.Name):
            bound = _bindings(trees, site.cell, expr.id)
            if bound and (isinstance(bound[1], (ast.FunctionDef, ast.AsyncFunctionDef)) or
                          isinstance(getattr(bound[1], "value", None), ast.Lambda)):
                site.code_name = expr.id
                site.code_source = _code_source(trees, bound[0], bound[1], expr.id)
    return sites, findings


# ------------------------------------------------------------------ answer values
_ENCODER = '''
def _clipq_enc(v, d=0):
    import dataclasses, sys
    if d > 30:
        raise ValueError("nested too deeply")
    np = sys.modules.get("numpy")
    if np is not None and isinstance(v, (np.ndarray, np.generic)):
        a = np.asarray(v)
        if a.dtype.kind in "biufc" and a.size <= 200000:
            return {"t": "n", "dtype": a.dtype.str, "shape": list(a.shape),
                    "v": a.tobytes().hex()}
        return {"t": "o", "v": "numpy array of " + str(a.dtype)}
    if v is None or isinstance(v, (bool, str)):
        return {"t": "a", "v": v}
    if isinstance(v, int):
        return {"t": "i", "v": str(v)}
    if isinstance(v, float):
        return {"t": "f", "v": repr(v)}
    if isinstance(v, complex):
        return {"t": "c", "v": [repr(v.real), repr(v.imag)]}
    if isinstance(v, (list, tuple)):
        return {"t": "l" if isinstance(v, list) else "u", "v": [_clipq_enc(x, d + 1) for x in v]}
    if isinstance(v, dict):
        return {"t": "d", "v": [[_clipq_enc(k, d + 1), _clipq_enc(x, d + 1)] for k, x in v.items()]}
    if type(v).__module__.startswith("tensorflow") and hasattr(v, "numpy"):
        return _clipq_enc(v.numpy(), d + 1)
    if dataclasses.is_dataclass(v) and not isinstance(v, type) and \\
            type(v).__module__.startswith("clipq_edu"):
        return {"t": "dc", "cls": type(v).__module__ + ":" + type(v).__qualname__,
                "v": {f.name: _clipq_enc(getattr(v, f.name), d + 1)
                      for f in dataclasses.fields(v) if f.init}}
    if callable(v):
        return {"t": "fn", "v": str(getattr(v, "__name__", ""))}
    return {"t": "o", "v": type(v).__module__ + "." + type(v).__qualname__}
'''


def capture_cell(sites: list[Site], nonce: str) -> nbformat.NotebookNode:
    """The cell the grader runs after an answer cell: it sends back the answer values."""
    pairs = ", ".join(f"({s.exercise!r}, lambda: ({s.arg}))" for s in sites)
    body = "\n".join("    " + line for line in _ENCODER.strip().splitlines())
    source = (
        "def _clipq_capture_():\n"
        f"{body}\n"
        "    from IPython.display import display\n"
        "    out = {}\n"
        f"    for key, get in ({pairs},):\n"
        "        try:\n"
        "            out[key] = _clipq_enc(get())\n"
        "        except BaseException as exc:\n"
        "            out[key] = {'t': 'error', 'v': (type(exc).__name__ + ': ' + str(exc))[:200]}\n"
        f"    display({{{MIME!r}: {{'nonce': {nonce!r}, 'answers': out}}}}, raw=True)\n"
        "_clipq_capture_()\n"
        "del _clipq_capture_\n")
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["clipq_capture"] = True
    return cell


class Opaque(Exception):
    """An answer that cannot be rebuilt outside the kernel (graded by hand)."""


def decode(obj: Any) -> Any:
    """Rebuild an answer value sent by a capture cell (data only: nothing is executed)."""
    kind, value = obj.get("t"), obj.get("v")
    if kind == "a":
        return value
    if kind == "i":
        return int(value)
    if kind == "f":
        return float(value)
    if kind == "c":
        return complex(float(value[0]), float(value[1]))
    if kind in ("l", "u"):
        items = [decode(x) for x in value]
        return items if kind == "l" else tuple(items)
    if kind == "d":
        return {decode(k): decode(v) for k, v in value}
    if kind == "n":
        dtype = np.dtype(obj["dtype"])
        if dtype.kind not in "biufc":
            raise Opaque(f"an array of {dtype}")
        return np.frombuffer(bytes.fromhex(value), dtype=dtype).reshape(obj["shape"]).copy()
    if kind == "dc":
        module, _, qualname = str(obj["cls"]).partition(":")
        if not module.startswith("clipq_edu"):
            raise Opaque(obj["cls"])
        cls: Any = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise Opaque(obj["cls"])
        return cls(**{k: decode(v) for k, v in value.items()})
    if kind == "error":
        raise ValueError(value)
    raise Opaque(str(value))


# ------------------------------------------------------------------ running one notebook
@dataclass
class RunResult:
    """What running one submission gave: answer values, code sites, findings, a note."""

    answers: dict[str, Any] = field(default_factory=dict)  # exercise -> encoded value
    cell_errors: dict[str, str] = field(default_factory=dict)  # exercise -> error of its cell
    sites: list[Site] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    note: str = ""
    chapters: list[str] = field(default_factory=list)


class _Watchdog(threading.Thread):
    """Stops the kernel when the notebook runs out of time or memory."""

    def __init__(self, client: NotebookClient, time_limit: float, memory_limit: int) -> None:
        super().__init__(daemon=True)
        self.client, self.time_limit, self.memory_limit = client, time_limit, memory_limit
        self.reason = ""
        self.peak = 0
        self._stop_event = threading.Event()

    def _pid(self) -> int | None:
        provisioner = getattr(getattr(self.client, "km", None), "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    def run(self) -> None:
        start = time.monotonic()
        while not self._stop_event.wait(0.2):
            pid = self._pid()
            rss = process_tree_rss(pid) if pid else 0
            self.peak = max(self.peak, rss)
            if rss > self.memory_limit:
                self.reason = f"memory limit {self.memory_limit / 1e9:.2g} GB exceeded"
            elif time.monotonic() - start > self.time_limit:
                self.reason = f"time limit {self.time_limit:g} s exceeded"
            if self.reason and pid:
                try:
                    for p in [*psutil.Process(pid).children(recursive=True),
                              psutil.Process(pid)]:
                        p.kill()
                except psutil.Error:
                    pass
                return

    def stop(self) -> None:
        self._stop_event.set()


def _kernel_manager(box: grade_sandbox.Box, spec_root: Path, name: str):
    """A kernel manager whose kernel runs in ``box`` and talks over Unix sockets."""
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    argv = box.command([sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                        "--IPKernelApp.capture_fd_output=False"])
    spec_dir = spec_root / "kernels" / name
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": "graded", "language": "python"}), encoding="utf-8")
    ksm = KernelSpecManager(kernel_dirs=[str(spec_root / "kernels")])
    # async, as nbclient expects: a blocking client would stall its event loop (and its
    # dead-kernel detection) while waiting for output from a kernel the watchdog stopped
    km = AsyncKernelManager(kernel_name=name, kernel_spec_manager=ksm, transport="ipc",
                       ip=str(box.ipc / "k"))
    km.connection_file = str(box.conn / "kernel.json")
    return km


def _shutdown(km) -> None:
    """Stop a kernel we started (nbclient leaves a kernel manager it was given running)."""
    from jupyter_core.utils import run_sync

    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    except Exception:
        pid = getattr(getattr(getattr(km, "provisioner", None), "process", None), "pid", None)
        if pid:
            try:
                for p in [*psutil.Process(pid).children(recursive=True), psutil.Process(pid)]:
                    p.kill()
            except psutil.Error:
                pass


def _capture_plan(nb: nbformat.NotebookNode, sites: list[Site],
                  nonce: str) -> tuple[nbformat.NotebookNode, dict[int, int]]:
    """The notebook to run: a capture cell after every answer cell; original -> run index."""
    run = copy.deepcopy(nb)
    run.cells = []
    where: dict[int, int] = {}
    for i, cell in enumerate(nb.cells):
        run.cells.append(copy.deepcopy(cell))
        where[i] = len(run.cells) - 1
        here = [s for s in sites if s.cell == i]
        if here:
            run.cells.append(capture_cell(here, nonce))
    return run, where


def run_submission(path: Path, time_limit: float = 300, memory_limit: int = 2 * 10**9,
                   chapters: list[str] | None = None, *,
                   isolation: grade_sandbox.Isolation | None = None,
                   sandbox: Path = DEFAULT_SANDBOX, name: str = "run") -> RunResult:
    """Run one notebook in a sandbox and collect its answer values (never its verdicts).

    Args:
      path: the submitted notebook (never modified).
      time_limit: seconds for the whole notebook.
      memory_limit: bytes of resident memory for the kernel and its children.
      chapters: exercise modules to expect; ``None`` reads them from the notebook.
      isolation: from :func:`grade_sandbox.probe` (probed when ``None``).
      sandbox: folder for the throwaway boxes.
      name: this run's box name (unique among parallel runs).

    Returns:
      A :class:`RunResult`.
    """
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # a broken file is one student's problem, not the whole run's
        return RunResult(note=f"unreadable notebook: {type(exc).__name__}: {exc}"[:200],
                         chapters=list(chapters or []))
    isolation = isolation or grade_sandbox.probe()
    result = RunResult(chapters=list(chapters) if chapters is not None else chapters_of(nb))
    result.sites, result.findings = scan(nb)
    nonce = secrets.token_hex(8)
    run, where = _capture_plan(nb, result.sites, nonce)
    box = grade_sandbox.Box(Path(sandbox), name, isolation)
    spec_root = Path(tempfile.mkdtemp(prefix="clipq-spec-"))
    try:
        nbformat.write(nb, box.work / Path(path).name)
        box.give(box.work / Path(path).name)
        km = _kernel_manager(box, spec_root, f"graded-{name}")
        client = NotebookClient(run, km=km, timeout=int(time_limit) + 5, allow_errors=True,
                                resources={"metadata": {"path": str(box.work)}})
        watchdog = _Watchdog(client, time_limit, memory_limit)
        watchdog.start()
        try:
            client.execute(env=box.env())
        except (DeadKernelError, CellTimeoutError, RuntimeError) as exc:
            result.note = watchdog.reason or f"kernel stopped: {type(exc).__name__}: {exc}"[:200]
        finally:
            watchdog.stop()
            _shutdown(km)
        _read_captures(run, nb, where, result, nonce)
        try:
            lines = box.decoy.read_text(encoding="utf-8").splitlines() \
                if box.decoy.is_file() else []
        except OSError:
            lines = []
        if lines:
            result.findings.append(Finding(-1, "-", f"wrote {len(lines)} line(s) to the results "
                                           "channel (CLIPQ_EDU_RESULTS)"))
    finally:
        box.cleanup()
        shutil.rmtree(spec_root, ignore_errors=True)
    if isolation.note:
        result.note = "; ".join(x for x in (result.note, isolation.note) if x)
    return result


def _read_captures(run: nbformat.NotebookNode, nb: nbformat.NotebookNode,
                   where: dict[int, int], result: RunResult, nonce: str) -> None:
    """Answer values from the grader's own capture cells (only those: it knows which)."""
    errors = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        ran = run.cells[where[i]]
        error = next((o for o in ran.get("outputs", []) if o.get("output_type") == "error"), None)
        errors += error is not None
        here = [s for s in result.sites if s.cell == i]
        if not here:
            continue
        capture = run.cells[where[i] + 1]
        for out in capture.get("outputs", []):
            data = out.get("data", {}).get(MIME) if out.get("output_type") == "display_data" \
                else None
            if isinstance(data, dict) and data.get("nonce") == nonce:
                for key, value in dict(data.get("answers", {})).items():
                    if key in {s.exercise for s in here}:
                        result.answers[key] = value
                        result.cell_errors.pop(key, None)
                        if error is not None:
                            result.cell_errors[key] = f"{error.get('ename')}: " \
                                f"{error.get('evalue')}"[:200]
    if errors and not result.note:
        result.note = f"{errors} cell(s) raised an error"


# ------------------------------------------------------------------ verdicts
def _status_of(exercise: Any, answer: Any) -> tuple[str, str]:
    """The grader's own check of an answer value (in this process)."""
    from clipq_edu.exercises._checks import Unanswered

    if answer is None or answer is Ellipsis:
        return "not attempted", ""
    if exercise.needs_tfq:
        from clipq_edu._backend import has_tfq

        if not has_tfq():
            return "needs TFQ", "TensorFlow Quantum is not installed where the grader runs"
    with _CHECK_LOCK:
        try:
            ok, message = exercise._check(answer)
        except (TypeError, ValueError) as exc:
            ok, message = False, f"could not check this answer: {exc}"
    if ok:
        return "correct", str(message)
    return ("not attempted" if isinstance(message, Unanswered) else "incorrect"), str(message)


def check_code(site: Site, isolation: grade_sandbox.Isolation, sandbox: Path, name: str,
               time_limit: float, memory_limit: int) -> tuple[str, str]:
    """Check one code answer in a clean sandboxed worker process."""
    box = grade_sandbox.Box(Path(sandbox), name, isolation)
    nonce = secrets.token_hex(8)
    job = json.dumps({"exercise": site.exercise, "source": site.code_source,
                      "name": site.code_name, "nonce": nonce})
    try:
        cmd = box.command([sys.executable, str(grade_sandbox.TOOLS / "grade_sandbox.py"),
                           "check-code"])
        code, stdout, reason = grade_sandbox.run_limited(
            cmd, stdin=job, env=box.env(), cwd=box.work, time_limit=time_limit,
            memory_limit=memory_limit)
    finally:
        box.cleanup()
    if reason:
        return "incorrect", f"the check of this function stopped: {reason}"
    verdict = grade_sandbox.parse_verdict(stdout, nonce)
    if verdict is None or verdict.get("status") not in STATUSES:
        return "incorrect", f"the check of this function did not finish (exit code {code})"
    return str(verdict["status"]), str(verdict.get("message", ""))


def grade_rows(student: str, notebook: str, run: RunResult, *, points: dict[str, float],
               isolation: grade_sandbox.Isolation, sandbox: Path, name: str,
               time_limit: float = 120, memory_limit: int = 2 * 10**9) -> list[dict[str, str]]:
    """One row per exercise, every verdict decided here (values) or in a worker (code)."""
    ids = expected_exercises(run.chapters) if run.chapters else []
    ids += [s.exercise for s in run.sites if s.exercise not in ids]
    last_site = {s.exercise: s for s in run.sites}
    rows = []
    for k, exercise_id in enumerate(ids):
        exercise = exercise_by_id(exercise_id)
        site = last_site.get(exercise_id)
        encoded = run.answers.get(exercise_id)
        value, status, message = "", "not attempted", ""
        if site is not None and encoded is not None:
            value = f"<function {site.code_name}>" if site.code_source else \
                "" if encoded.get("t") == "a" and encoded.get("v") is None else _short(encoded)
            if run.cell_errors.get(exercise_id) and not site.code_source:
                status, message = "incorrect", \
                    f"the answer cell raised {run.cell_errors[exercise_id]}"
            elif site.code_source and encoded.get("t") == "fn":
                status, message = check_code(site, isolation, sandbox, f"{name}-c{k}",
                                             time_limit, memory_limit)
            else:
                try:
                    status, message = _status_of(exercise, decode(encoded))
                except Opaque as exc:
                    status, message = "manual", (f"the answer is {exc}: it cannot be checked "
                                                 "outside the notebook; grade it by hand")
                except (ValueError, TypeError, KeyError) as exc:
                    status, message = "incorrect", f"the answer could not be read: {exc}"[:200]
        flags = [str(f) for f in run.findings if f.exercise in (None, exercise_id)]
        worth = float(points.get(exercise_id, getattr(exercise, "points", 1.0)))
        rows.append({
            "student": student, "notebook": notebook, "exercise": exercise_id,
            "status": status, "points": _num(worth if status == "correct" else 0.0),
            "max_points": _num(worth), "value": value, "message": message,
            "integrity": "; ".join(flags), "note": run.note,
        })
    if not rows:
        rows.append({"student": student, "notebook": notebook, "exercise": "",
                     "status": "not attempted", "points": "0", "max_points": "0", "value": "",
                     "message": "", "integrity": "; ".join(str(f) for f in run.findings),
                     "note": run.note or "no exercise found in this notebook"})
    return rows


def _num(x: float) -> str:
    return f"{x:g}"


def _short(encoded: dict) -> str:
    try:
        text = repr(decode(encoded))
    except Exception:
        text = f"<{encoded.get('v', '?')}>"
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199] + "…"


# ------------------------------------------------------------------ gradebook
def read_points(path: Path | None) -> dict[str, float]:
    """An instructor's points file: TOML ``[points]`` table of ``"02.1" = 2``."""
    if path is None:
        return {}
    table = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("points", {})
    unknown = []
    for key in table:
        try:
            exercise_by_id(key)
        except (KeyError, ImportError):
            unknown.append(key)
    if unknown:
        raise ValueError(f"points file {str(path)!r} names unknown exercises: {unknown}")
    out = {}
    for key, value in table.items():
        if not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"points for {key!r} must be a number >= 0, got {value!r}")
        out[key] = float(value)
    return out


def read_manual(path: Path | None) -> list[dict[str, str]]:
    """Hand-graded items: a CSV with ``student, item, points, max_points, comment``."""
    if path is None:
        return []
    with Path(path).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    need = {"student", "item", "points", "max_points"}
    if rows and not need <= set(rows[0]):
        raise ValueError(f"manual grades {str(path)!r} need the columns {sorted(need)}")
    for row in rows:
        float(row["points"]), float(row["max_points"])  # noqa: B018  (validate numbers)
    return rows


def write_gradebook(rows: list[dict[str, str]], manual: list[dict[str, str]],
                    out: Path) -> tuple[Path, Path]:
    """The wide CSV (one row per student) and one feedback file per student."""
    out = Path(out)
    exercises = list(dict.fromkeys(r["exercise"] for r in rows if r["exercise"]))
    items = list(dict.fromkeys(m["item"] for m in manual))
    students = list(dict.fromkeys([r["student"] for r in rows] + [m["student"] for m in manual]))
    wide = out.with_name(out.stem + "_wide.csv")
    feedback_dir = out.parent / "feedback"
    feedback_dir.mkdir(parents=True, exist_ok=True)
    maxima = {r["exercise"]: float(r["max_points"]) for r in rows if r["exercise"]}
    with wide.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", *exercises, *items, "total", "max_total", "flags"])
        for student in students:
            mine = {r["exercise"]: r for r in rows if r["student"] == student}
            hand = {m["item"]: m for m in manual if m["student"] == student}
            earned = [float(mine[e]["points"]) if e in mine else 0.0 for e in exercises]
            hand_pts = [float(hand[i]["points"]) if i in hand else 0.0 for i in items]
            hand_max = sum(max((float(m["max_points"]) for m in manual if m["item"] == i),
                               default=0.0) for i in items)
            flags = sum(bool(r["integrity"]) for r in mine.values())
            writer.writerow([student, *(_num(x) for x in earned), *(_num(x) for x in hand_pts),
                             _num(sum(earned) + sum(hand_pts)),
                             _num(sum(maxima.values()) + hand_max), flags])
            _write_feedback(feedback_dir / f"{_safe(student)}.md", student,
                            [mine[e] for e in exercises if e in mine], list(hand.values()))
    return wide, feedback_dir


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name) or "student"


def _write_feedback(path: Path, student: str, rows: list[dict[str, str]],
                    hand: list[dict[str, str]]) -> None:
    lines = [f"# Feedback for {student}", ""]
    total = sum(float(r["points"]) for r in rows) + sum(float(h["points"]) for h in hand)
    top = sum(float(r["max_points"]) for r in rows) + sum(float(h["max_points"]) for h in hand)
    lines += [f"Total: **{_num(total)} / {_num(top)}** points.", "",
              "| exercise | result | points | feedback |", "|---|---|---|---|"]
    for r in rows:
        message = r["message"].replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {r['exercise']} | {r['status']} | {r['points']} / {r['max_points']} | "
                     f"{message} |")
    for h in hand:
        comment = str(h.get("comment", "")).replace("|", "\\|")
        lines.append(f"| {h['item']} | graded by hand | {h['points']} / {h['max_points']} | "
                     f"{comment} |")
    notes = sorted({r["note"] for r in rows if r["note"]})
    flags = sorted({f for r in rows for f in r["integrity"].split("; ") if f})
    if notes:
        lines += ["", "Notes on the run: " + "; ".join(notes)]
    if flags:
        lines += ["", "Cells your instructor will look at (they touch the grading machinery):"]
        lines += [f"- {f}" for f in flags]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ------------------------------------------------------------------ the whole folder
def default_jobs() -> int:
    """Parallel notebooks: one per core, at most one per 2.5 GB of available memory."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)
    memory = psutil.virtual_memory().available // int(2.5 * 10**9)
    return max(1, min(cores, int(memory)))


def collect(folder: Path, out: Path, time_limit: float = 300, memory_limit: int = 2 * 10**9,
            chapters: list[str] | None = None, log=None, *, jobs: int | None = None,
            points: dict[str, float] | None = None, manual: list[dict[str, str]] | None = None,
            sandbox: Path = DEFAULT_SANDBOX) -> list[dict[str, str]]:
    """Grade every submission in ``folder``; write the long CSV, the wide CSV and feedback.

    Returns:
      The rows of the long CSV (dicts keyed by :data:`COLUMNS`).
    """
    if time_limit <= 0:
        raise ValueError(f"time_limit must be positive seconds, got {time_limit!r}")
    jobs = default_jobs() if jobs is None else int(jobs)
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs!r}")
    submissions = find_submissions(folder)
    isolation = grade_sandbox.probe()
    os.environ.pop("CLIPQ_EDU_RESULTS", None)  # the grader's own checks record nothing
    tag = secrets.token_hex(3)

    def one(k: int, student: str, path: Path) -> list[dict[str, str]]:
        start = time.perf_counter()
        name = f"{tag}-{k}"
        run = run_submission(path, time_limit, memory_limit, chapters, isolation=isolation,
                             sandbox=sandbox, name=name)
        new = grade_rows(student, path.name, run, points=points or {}, isolation=isolation,
                         sandbox=sandbox, name=name, time_limit=min(time_limit, 120),
                         memory_limit=memory_limit)
        if log is not None:
            done = sum(r["status"] == "correct" for r in new)
            flagged = sum(bool(r["integrity"]) for r in new)
            print(f"  {student}/{path.name}: {done}/{len(new)} correct, {flagged} flagged "
                  f"({time.perf_counter() - start:.1f} s)"
                  f"{'; ' + run.note if run.note else ''}", file=log, flush=True)
        return new

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda a: one(*a),
                                [(k, s, p) for k, (s, p) in enumerate(submissions)]))
    rows = [row for new in results for row in new]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    write_gradebook(rows, manual or [], out)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``make collect``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, help="folder of submitted notebooks")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="CSV file to write")
    parser.add_argument("--time-limit", type=float, default=300.0,
                        help="seconds per notebook (default 300)")
    parser.add_argument("--memory-limit", default="2G",
                        help="resident memory per notebook's kernel (default 2G)")
    parser.add_argument("--chapter", action="append", default=None,
                        help="exercise module to expect, e.g. ch02 (repeatable)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="notebooks graded at once (default: cores, 2.5 GB each)")
    parser.add_argument("--points", type=Path, default=None,
                        help="TOML file overriding points per exercise ([points] \"02.1\" = 2)")
    parser.add_argument("--manual", type=Path, default=None,
                        help="CSV of hand-graded items: student, item, points, max_points, "
                             "comment")
    parser.add_argument("--sandbox", type=Path, default=DEFAULT_SANDBOX,
                        help="folder for the throwaway sandboxes")
    args = parser.parse_args(argv)
    try:
        rows = collect(args.submissions, args.out, args.time_limit,
                       parse_size(args.memory_limit), args.chapter, log=sys.stdout,
                       jobs=args.jobs, points=read_points(args.points),
                       manual=read_manual(args.manual), sandbox=args.sandbox)
    except (ValueError, ModuleNotFoundError, tomllib.TOMLDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    students = len({r["student"] for r in rows})
    flagged = sum(bool(r["integrity"]) for r in rows)
    print(f"{len(rows)} row(s) for {students} student(s) in {args.out} ({flagged} flagged); "
          f"wide: {Path(args.out).with_name(Path(args.out).stem + '_wide.csv')}, feedback: "
          f"{Path(args.out).parent / 'feedback'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
