"""No exercise's expected answer is printed above it (issue 13).

Reads the stored notebooks (read-only): for every numeric exercise of the module a notebook
imports (``from clipq_edu.exercises import ch02 as ex``), the answer as the course prints it
(its ``shown`` forms and the exact value at its printed precision) must not appear in the
source or the outputs of the cells before the exercise section.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from clipq_edu.exercises import NumericExercise

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
_IMPORT = re.compile(r"from clipq_edu\.exercises import (ch\w+) as ex")
#: Expected values that need a trained lab model (TensorFlow): checked only in slow runs.
NEEDS_TRAINING = {"07.1", "07.2"}


def _text(cell: dict) -> str:
    parts = ["".join(cell.get("source", ""))]
    for out in cell.get("outputs", []):
        data = out.get("text") or out.get("data", {}).get("text/plain") or ""
        parts.append("".join(data))
    return "\n".join(parts)


def _normalise(text: str) -> str:
    return text.replace("−", "-").replace("\u2009", " ")


def printed_forms(ex: NumericExercise) -> set[str]:
    """How a learner would find the answer printed: its shown forms and its rounded value."""
    forms = {_normalise(s) for s in ex.shown}
    want = np.asarray(ex.expected(), dtype=float)
    if want.ndim == 0 and ex.digits is not None:
        forms.add(f"{float(want):.{ex.digits}g}")
    return {f for f in forms if len(re.sub(r"\D", "", f)) >= 3}  # "2" or "8" are everywhere


def found_in(form: str, text: str) -> bool:
    return re.search(r"(?<![\d.])" + re.escape(form) + r"(?![\d])", text) is not None


def test_found_in():
    assert found_in("0.208", "p90: 0.208  (clips 10%)")
    assert not found_in("0.208", "0.2085") and not found_in("1548", "21548")


def _cases():
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] == "code" and (m := _IMPORT.search("".join(cell["source"]))):
                yield pytest.param(path.name, m.group(1), i, id=f"{path.stem}-{m.group(1)}")
                break


@pytest.mark.parametrize(("notebook", "module", "first"), list(_cases()))
def test_no_answer_is_printed_above_its_exercise(notebook, module, first):
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    above = _normalise("\n".join(_text(c) for c in cells[:first]))
    mod = importlib.import_module(f"clipq_edu.exercises.{module}")
    names = [n for n in dir(mod) if re.fullmatch(r"q\d+", n)]
    exercises = {getattr(mod, n).id: getattr(mod, n) for n in names}
    for ex in exercises.values():
        if not isinstance(ex, NumericExercise) or ex.id in NEEDS_TRAINING:
            continue
        for form in printed_forms(ex):
            assert not found_in(form, above), f"{notebook}: {ex.id}'s answer {form!r} is printed above it"
