"""Grade a folder of submitted notebooks headless into one CSV (``make collect``).

Usage (from the repository root, inside the project's virtual environment)::

    python tools/collect.py submissions/                      # -> _build/grades.csv
    python tools/collect.py submissions/ --out grades.csv --time-limit 300 --memory-limit 2G
    make collect SUBMISSIONS=submissions/ GRADES=grades.csv

Layout of the folder: one notebook per student (``alice.ipynb``: the student is the file
name), or one folder per student (``alice/02_core_concepts.ipynb``: the student is the
folder). Folders named ``.ipynb_checkpoints`` are ignored.

Each notebook is copied to a temporary folder and run top to bottom in a fresh kernel of this
Python (cell errors do not stop the run: later exercises are still graded), with

* ``CLIPQ_EDU_RESULTS`` pointing to a file where every ``ex.qN.check(answer)`` records its
  result (see ``clipq_edu/exercises/_core.py``), and ``CLIPQ_EDU_SOLUTIONS=off``;
* a time limit for the whole notebook and a memory limit on the kernel's resident memory
  (with its child processes), both enforced by a watchdog that stops the kernel. Rows of a
  stopped notebook keep what was checked before the stop and say why in ``note``.

The CSV has one row per student and exercise: ``student, notebook, exercise, status, value,
message, note``, where ``status`` is ``correct``, ``incorrect``, ``needs TFQ`` (an exercise
on TensorFlow Quantum's own API graded where TFQ is not installed) or ``not attempted`` (the
check was never run, or was run with the ``None`` placeholder). When an exercise was checked
more than once, the last check counts (the state of the submitted notebook). The exercises
expected of a notebook are those of the chapters it imports (``from clipq_edu.exercises
import ch02 as ex``); ``--chapter ch02`` sets them explicitly.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from clipq_edu.doctor import process_tree_rss

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_notebooks import kernel_dir  # noqa: E402  (a sibling script, not a package)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "_build" / "grades.csv"
COLUMNS = ("student", "notebook", "exercise", "status", "value", "message", "note")
STATUSES = ("correct", "incorrect", "not attempted", "needs TFQ")
_CHAPTER_NAME = re.compile(r"\b(ch\d\d[a-z]?)\b")


@dataclass
class RunResult:
    """What running one submission gave: the recorded checks and a note on the run."""

    checks: list[dict] = field(default_factory=list)
    note: str = ""
    chapters: list[str] = field(default_factory=list)


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
    """Exercise modules a notebook imports (``["ch02"]``), in order of first use.

    Looks at code lines that mention ``exercises`` (``from clipq_edu.exercises import ch02 as
    ex``, ``cq.exercises.ch02``) and keeps the ``chNN`` names that exist.
    """
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


def expected_exercises(chapters: list[str]) -> list[str]:
    """Ids of every exercise defined in the given chapter modules, in definition order."""
    from clipq_edu.exercises import Exercise

    ids: list[str] = []
    for name in chapters:
        module = importlib.import_module(f"clipq_edu.exercises.{name}")
        ids += [v.id for v in vars(module).values() if isinstance(v, Exercise) and v.id not in ids]
    return ids


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


def run_submission(path: Path, time_limit: float = 300, memory_limit: int = 2 * 10**9,
                   chapters: list[str] | None = None) -> RunResult:
    """Run one notebook headless and return the checks it recorded.

    Args:
      path: the submitted notebook (never modified).
      time_limit: seconds for the whole notebook.
      memory_limit: bytes of resident memory for the kernel and its children.
      chapters: exercise modules to expect; ``None`` reads them from the notebook.

    Returns:
      A :class:`RunResult`.
    """
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # a broken file is one student's problem, not the whole run's
        return RunResult(note=f"unreadable notebook: {type(exc).__name__}: {exc}"[:200],
                         chapters=list(chapters or []))
    result = RunResult(chapters=list(chapters) if chapters is not None else chapters_of(nb))
    with tempfile.TemporaryDirectory(prefix="clipq-collect-") as tmp:
        results_file = Path(tmp) / "results.jsonl"
        env = dict(os.environ, CLIPQ_EDU_RESULTS=str(results_file), CLIPQ_EDU_SOLUTIONS="off",
                   MPLBACKEND="Agg", PYTHONHASHSEED="0")
        client = NotebookClient(nb, timeout=int(time_limit) + 5, kernel_name="python3",
                                allow_errors=True, resources={"metadata": {"path": tmp}})
        watchdog = _Watchdog(client, time_limit, memory_limit)
        watchdog.start()
        try:
            client.execute(env=env)
        except (DeadKernelError, CellTimeoutError, RuntimeError) as exc:
            result.note = watchdog.reason or f"kernel stopped: {type(exc).__name__}"
        finally:
            watchdog.stop()
        errors = sum(
            any(o.get("output_type") == "error" for o in c.get("outputs", []))
            for c in nb.cells if c.cell_type == "code"
        )
        if errors and not result.note:
            result.note = f"{errors} cell(s) raised an error"
        if results_file.is_file():
            for line in results_file.read_text(encoding="utf-8").splitlines():
                try:
                    result.checks.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
    return result


def grade_rows(student: str, notebook: str, run: RunResult) -> list[dict[str, str]]:
    """One row per exercise: the last recorded check, or ``not attempted``."""
    last: dict[str, dict] = {}
    for check in run.checks:
        if check.get("status") in STATUSES and check.get("exercise"):
            last[str(check["exercise"])] = check
    ids = expected_exercises(run.chapters) if run.chapters else []
    ids += [i for i in last if i not in ids]
    rows = []
    for exercise in ids:
        check = last.get(exercise, {})
        rows.append({
            "student": student, "notebook": notebook, "exercise": exercise,
            "status": check.get("status", "not attempted"),
            "value": str(check.get("value", "")), "message": str(check.get("message", "")),
            "note": run.note,
        })
    if not rows:
        rows.append({"student": student, "notebook": notebook, "exercise": "",
                     "status": "not attempted", "value": "", "message": "",
                     "note": run.note or "no exercise found in this notebook"})
    return rows


def collect(folder: Path, out: Path, time_limit: float = 300, memory_limit: int = 2 * 10**9,
            chapters: list[str] | None = None, log=None) -> list[dict[str, str]]:
    """Run every submission in ``folder`` and write the grades CSV to ``out``.

    Returns:
      The rows written (dicts keyed by :data:`COLUMNS`).
    """
    if time_limit <= 0:
        raise ValueError(f"time_limit must be positive seconds, got {time_limit!r}")
    submissions = find_submissions(folder)
    jupyter_path = os.environ.get("JUPYTER_PATH", "")
    spec_root = kernel_dir()
    os.environ["JUPYTER_PATH"] = spec_root + os.pathsep + jupyter_path
    rows: list[dict[str, str]] = []
    try:
        for student, path in submissions:
            start = time.perf_counter()
            run = run_submission(path, time_limit, memory_limit, chapters)
            new = grade_rows(student, path.name, run)
            rows += new
            if log is not None:
                done = sum(r["status"] == "correct" for r in new)
                print(f"  {student}/{path.name}: {done}/{len(new)} correct "
                      f"({time.perf_counter() - start:.1f} s){'; ' + run.note if run.note else ''}",
                      file=log, flush=True)
    finally:
        os.environ["JUPYTER_PATH"] = jupyter_path
        shutil.rmtree(spec_root, ignore_errors=True)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
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
    args = parser.parse_args(argv)
    try:
        rows = collect(args.submissions, args.out, args.time_limit,
                       parse_size(args.memory_limit), args.chapter, log=sys.stdout)
    except (ValueError, ModuleNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    students = len({r["student"] for r in rows})
    print(f"{len(rows)} row(s) for {students} student(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
