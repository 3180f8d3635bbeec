"""Write a student copy of the course notebooks without solutions (``make student``).

Usage (from the repository root, inside the project's virtual environment)::

    python tools/make_student_copy.py                    # notebooks/ -> _build/student
    python tools/make_student_copy.py --out handout/     # elsewhere

The full notebooks in ``notebooks/`` stay the nbval references; this only writes copies.
What changes, cell by cell:

* removed: cells tagged ``solution`` (code or Markdown), and code cells that call
  ``.solution()`` (an instructor's worked answer);
* exercise answer cells (tagged ``exercise`` or ``answer``, or calling ``.check(``): outputs
  and execution count cleared, and a line ``answer = <value>  # solution`` becomes
  ``answer = None  # your answer here`` (``# 在这里写你的答案`` in the Chinese edition);
* cells tagged ``seed-dependent`` (chapter 07, whose model depends on the student's lab
  seed): outputs and execution count cleared, so nobody reads the default seed's evidence
  in place of their own;
* everything else is kept as it is, outputs included (students see the figures).

Other files beside the notebooks (data, images) are copied too. The script checks its own
output and fails if a solution survived, including a worked solution of any exercise
(its ``solution_text``, in English or Chinese) in a stored output. The worked solutions
still ship in the installed library: hand the copy out with ``CLIPQ_EDU_SOLUTIONS=off`` in the
students' kernels (``docs/instructors.md``), and grade with ``make collect``, which flags a
notebook that reads them.
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

#: The comment a blanked answer line carries, by the notebook's language (metadata.language).
ANSWER_HERE = {"en": "your answer here", "zh": "在这里写你的答案"}

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "_build" / "student"

SOLUTION_TAG = "solution"
ANSWER_TAGS = frozenset({"exercise", "answer"})
#: Outputs that depend on the lab seed (chapter 07): cleared in the student copy.
SEED_DEPENDENT_TAG = "seed-dependent"
_SOLUTION_CALL = re.compile(r"\.solution\s*\(")
_CHECK_CALL = re.compile(r"\.check\s*\(")
_FILLED_ANSWER = re.compile(r"^(?P<indent>\s*)(?P<name>answer\w*)\s*=.*#\s*solution\b.*$")


@dataclass
class Report:
    """What :func:`student_notebook` changed in one notebook."""

    removed: int = 0
    cleared: int = 0
    blanked: int = 0
    unseeded: int = 0  # seed-dependent outputs cleared


def _tags(cell: nbformat.NotebookNode) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def is_solution_cell(cell: nbformat.NotebookNode) -> bool:
    """True for a cell tagged ``solution`` or a code cell calling ``.solution()``."""
    if SOLUTION_TAG in _tags(cell):
        return True
    return cell.cell_type == "code" and bool(_SOLUTION_CALL.search(cell.source))


def is_answer_cell(cell: nbformat.NotebookNode) -> bool:
    """True for a code cell where the student writes an answer and checks it."""
    if cell.cell_type != "code":
        return False
    return bool(_tags(cell) & ANSWER_TAGS) or bool(_CHECK_CALL.search(cell.source))


def student_notebook(
    nb: nbformat.NotebookNode,
) -> tuple[nbformat.NotebookNode, Report]:
    """Return a copy of ``nb`` without solutions, and what was changed.

    Args:
      nb: a full course notebook (nbformat 4).

    Returns:
      ``(student_nb, report)``; ``nb`` itself is not modified.
    """
    if not isinstance(nb, nbformat.NotebookNode) or "cells" not in nb:
        raise TypeError(f"nb must be an nbformat notebook, got {type(nb).__name__}")
    out = copy.deepcopy(nb)
    report = Report()
    kept = []
    for cell in out.cells:
        if is_solution_cell(cell):
            report.removed += 1
            continue
        if is_answer_cell(cell):
            lines = cell.source.splitlines()
            placeholder = ANSWER_HERE.get(nb.metadata.get("language", "en"), ANSWER_HERE["en"])
            new_lines = [
                f"{m['indent']}{m['name']} = None  # {placeholder}"
                if (m := _FILLED_ANSWER.match(ln)) else ln
                for ln in lines
            ]
            report.blanked += sum(a != b for a, b in zip(lines, new_lines, strict=True))
            cell.source = "\n".join(new_lines)
            if cell.get("outputs") or cell.get("execution_count") is not None:
                report.cleared += 1
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "code" and SEED_DEPENDENT_TAG in _tags(cell):
            if cell.get("outputs") or cell.get("execution_count") is not None:
                report.unseeded += 1
            cell.outputs = []
            cell.execution_count = None
        kept.append(cell)
    out.cells = kept
    out.metadata["clipq_edu"] = {"student_copy": True}
    return out, report


def leftover_solutions(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of cells that still hold a solution (should be empty for a student copy)."""
    return [
        i for i, cell in enumerate(nb.cells)
        if is_solution_cell(cell)
        or (is_answer_cell(cell) and any(_FILLED_ANSWER.match(ln) for ln in cell.source.splitlines()))
    ]


def worked_solutions(min_chars: int = 40) -> list[str]:
    """Every exercise's worked solution text (both languages), long enough to be telling.

    Read from the exercise objects (chapter modules that fail to import are skipped).
    """
    import importlib
    import pkgutil

    import clipq_edu.exercises as package
    from clipq_edu.exercises import Exercise

    texts: set[str] = set()
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("ch"):
            continue
        try:
            module = importlib.import_module(f"clipq_edu.exercises.{info.name}")
        except Exception:  # another chapter mid-edit: its own tests say so
            continue
        for value in vars(module).values():
            if isinstance(value, Exercise):
                text = value.solution_text
                for variant in {str(text), str(getattr(text, "en", text)),
                                str(getattr(text, "zh", text))}:
                    if len(variant.strip()) >= min_chars:
                        texts.add(variant.strip())
    return sorted(texts)


def leaked_solutions(nb: nbformat.NotebookNode, solutions: list[str]) -> list[int]:
    """Indices of cells whose stored outputs show a worked solution."""
    leaked = []
    for i, cell in enumerate(nb.cells):
        shown = "\n".join(
            str(o.get("text", "")) + "\n".join(str(v) for v in o.get("data", {}).values())
            for o in cell.get("outputs", []))
        if shown and any(text in shown for text in solutions):
            leaked.append(i)
    return leaked


def make_student_copy(notebooks_dir: Path = NOTEBOOKS, out_dir: Path = DEFAULT_OUT) -> dict[
    str, Report
]:
    """Write the student copy of every notebook in ``notebooks_dir`` into ``out_dir``.

    Args:
      notebooks_dir: the full notebooks.
      out_dir: destination; emptied first. Must not be ``notebooks_dir``.

    Returns:
      ``{notebook file name: Report}``.
    """
    notebooks_dir, out_dir = Path(notebooks_dir), Path(out_dir)
    if not notebooks_dir.is_dir():
        raise ValueError(f"notebooks_dir must be a directory, got {str(notebooks_dir)!r}")
    if out_dir.resolve() == notebooks_dir.resolve():
        raise ValueError(f"out_dir must differ from notebooks_dir ({str(out_dir)!r}): "
                         "the full notebooks are the test references")
    paths = sorted(p for p in notebooks_dir.glob("*.ipynb") if not p.name.startswith("."))
    if not paths:
        raise ValueError(f"notebooks_dir {str(notebooks_dir)!r} holds no .ipynb files")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    reports = {}
    for extra in sorted(notebooks_dir.iterdir()):
        if extra.suffix == ".ipynb" or extra.name.startswith((".", "__pycache__")):
            continue
        if extra.is_dir() and any(extra.glob("*.ipynb")):  # another edition (zh/): same rules
            sub = make_student_copy(extra, out_dir / extra.name)
            reports.update({f"{extra.name}/{k}": v for k, v in sub.items()})
        elif extra.is_dir():
            shutil.copytree(extra, out_dir / extra.name)
        else:
            shutil.copy2(extra, out_dir / extra.name)
    solutions = worked_solutions()
    for path in paths:
        student, report = student_notebook(nbformat.read(path, as_version=4))
        left = leftover_solutions(student)
        if left:  # pragma: no cover - a bug in this script
            raise RuntimeError(f"{path.name}: cells {left} still hold a solution")
        shown = leaked_solutions(student, solutions)
        if shown:
            raise RuntimeError(f"{path.name}: the outputs of cells {shown} show a worked "
                               "solution; remove that output from the full notebook")
        nbformat.validate(student)
        nbformat.write(student, out_dir / path.name)
        reports[path.name] = report
    return reports


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``make student``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    try:
        reports = make_student_copy(args.notebooks, args.out)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, r in reports.items():
        print(f"  {name}: {r.removed} solution cell(s) removed, {r.cleared} answer cell(s) "
              f"cleared, {r.blanked} filled answer(s) blanked, {r.unseeded} seed-dependent "
              "output(s) cleared")
    print(f"{len(reports)} student notebook(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
