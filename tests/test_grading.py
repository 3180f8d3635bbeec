"""Graded sessions: ``solution()`` switched off, checks recorded, ``make collect`` grades a folder.

(The forgery, sandbox and gradebook acceptance tests are in ``test_grading_integrity.py``.)

The submissions are generated here (a few cells importing chapter 02's exercises, no
TensorFlow): one right, one wrong, one left empty, plus two that hit the time and memory
limits.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from clipq_edu.exercises import RESULTS_ENV, SOLUTIONS_ENV, Exercise, solutions_enabled
from clipq_edu.exercises import ch02 as ex

ROOT = Path(__file__).resolve().parents[1]

_spec = importlib.util.spec_from_file_location("collect", ROOT / "tools" / "collect.py")
collect = importlib.util.module_from_spec(_spec)
sys.modules["collect"] = collect
_spec.loader.exec_module(collect)

# Right and wrong answers come from the exercises themselves, so the chapter can change.
RIGHT_1 = [float(v) for v in np.ravel(ex.q1.expected())]
WRONG_1 = [3 * v + 1 for v in RIGHT_1]
RIGHT_3 = ex.q3.correct
WRONG_3 = next(k for k in ex.q3.options if k != ex.q3.correct)
CH02_IDS = [v.id for v in vars(ex).values() if isinstance(v, Exercise)]


# ---------------------------------------------------------------- the exercise side
@pytest.mark.parametrize("value", ["off", "0", "false", "No", " OFF "])
def test_solutions_can_be_switched_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(SOLUTIONS_ENV, value)
    text = ex.q1.solution()
    assert "switched off" in text and ex.q1.solution_text not in text
    assert not solutions_enabled()


def test_solutions_are_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SOLUTIONS_ENV, raising=False)
    assert ex.q1.solution_text
    assert solutions_enabled() and ex.q1.solution_text in ex.q1.solution()
    monkeypatch.setenv(SOLUTIONS_ENV, "on")
    assert ex.q1.solution_text in ex.q1.solution()


def test_checks_are_recorded_when_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "results.jsonl"
    monkeypatch.delenv("CLIPQ_EDU_GRADING", raising=False)
    monkeypatch.setenv(RESULTS_ENV, str(target))
    assert ex.q1.check(RIGHT_1)
    assert not ex.q1.check(WRONG_1)
    assert not ex.q3.check(None)
    assert not ex.q3.check("z")  # not an option: incorrect, with the reason
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [(r["exercise"], r["status"]) for r in rows] == [
        ("02.1", "correct"), ("02.1", "incorrect"), ("02.3", "not attempted"),
        ("02.3", "incorrect"),
    ]
    assert rows[0]["value"] == repr(RIGHT_1) and rows[2]["value"] == ""
    assert "choose one of" in rows[3]["message"]


def test_recording_is_off_by_default_and_never_breaks_a_check(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(RESULTS_ENV, raising=False)
    assert ex.q1.check(RIGHT_1)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv(RESULTS_ENV, str(tmp_path / "missing" / "dir" / "r.jsonl"))
    assert ex.q1.check(RIGHT_1)  # unwritable target: the student still gets feedback


def test_recorded_values_are_short_one_liners(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    def my_clip(g):
        return g

    target = tmp_path / "results.jsonl"
    monkeypatch.delenv("CLIPQ_EDU_GRADING", raising=False)
    monkeypatch.setenv(RESULTS_ENV, str(target))
    for answer in (my_clip, list(range(1000)), "a\nb"):
        ex.q1.check(answer)
    values = [json.loads(line)["value"]
              for line in target.read_text(encoding="utf-8").splitlines()]
    assert values[0] == "<function my_clip>"
    assert len(values[1]) == 200 and values[1].endswith("…")
    assert values[2] == "'a\\nb'"  # one line: the newline is escaped


# ---------------------------------------------------------------- the collector
def _submission(answer_1: list | None, answer_3: str | None,
                extra: str = "") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Chapter 02 exercises"),
        nbformat.v4.new_code_cell("from clipq_edu.exercises import ch02 as ex"),
        nbformat.v4.new_code_cell(f"answer = {answer_1!r}\nex.q1.check(answer)"),
        nbformat.v4.new_code_cell("ex.q1.solution()"),
        nbformat.v4.new_code_cell(f"answer = {answer_3!r}\nex.q3.check(answer)"),
    ]
    if extra:
        nb.cells.insert(3, nbformat.v4.new_code_cell(extra))
    return nb


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_find_submissions_and_chapters(tmp_path: Path) -> None:
    (tmp_path / "bob").mkdir()
    (tmp_path / ".ipynb_checkpoints").mkdir()
    for path in (tmp_path / "alice.ipynb", tmp_path / "bob" / "02.ipynb",
                 tmp_path / ".ipynb_checkpoints" / "alice-checkpoint.ipynb"):
        nbformat.write(_submission(None, None), path)
    found = collect.find_submissions(tmp_path)
    assert [(s, p.name) for s, p in found] == [("alice", "alice.ipynb"), ("bob", "02.ipynb")]
    nb = _submission(None, None)
    nb.cells.append(nbformat.v4.new_code_cell("import clipq_edu as cq\ncq.exercises.ch05.q1"))
    assert collect.chapters_of(nb) == ["ch02", "ch05"]
    assert collect.expected_exercises(["ch02"]) == CH02_IDS
    assert CH02_IDS[:3] == ["02.1", "02.2", "02.3"]
    assert collect.parse_size("2G") == 2 * 10**9 and collect.parse_size("800MB") == 8 * 10**8
    with pytest.raises(ValueError, match="memory limit"):
        collect.parse_size("lots")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no .ipynb"):
        collect.find_submissions(tmp_path / "empty")
    with pytest.raises(ValueError, match="must be a folder"):
        collect.find_submissions(tmp_path / "missing")


@pytest.mark.slow
def test_collect_right_wrong_empty(tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    nbformat.write(_submission(RIGHT_1, RIGHT_3), folder / "right.ipynb")
    nbformat.write(_submission(WRONG_1, WRONG_3), folder / "wrong.ipynb")
    nbformat.write(_submission(None, None), folder / "empty.ipynb")
    out = tmp_path / "grades.csv"
    assert collect.main([str(folder), "--out", str(out), "--time-limit", "120"]) == 0
    rows = _read_csv(out)
    assert tuple(rows[0]) == collect.COLUMNS
    table = {(r["student"], r["exercise"]): (r["status"], r["value"]) for r in rows}
    assert len(rows) == 3 * len(CH02_IDS), "one row per student and chapter-02 exercise"
    assert table[("right", "02.1")] == ("correct", repr(RIGHT_1))
    assert table[("right", "02.3")] == ("correct", repr(RIGHT_3))
    assert table[("wrong", "02.1")] == ("incorrect", repr(WRONG_1))
    assert table[("wrong", "02.3")] == ("incorrect", repr(WRONG_3))
    assert table[("empty", "02.1")] == ("not attempted", "")
    assert table[("empty", "02.3")] == ("not attempted", "")
    for student in ("right", "wrong", "empty"):  # never checked at all
        assert table[(student, "02.2")] == ("not attempted", "")
    assert all(r["note"] == "" for r in rows), [r["note"] for r in rows]


@pytest.mark.slow
def test_collect_enforces_time_and_memory_limits(tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    nbformat.write(_submission(RIGHT_1, RIGHT_3, extra="import time\ntime.sleep(60)"),
                   folder / "slow.ipynb")
    hog = "import numpy as np\nblock = np.ones(80_000_000)\nimport time\ntime.sleep(60)"
    nbformat.write(_submission(RIGHT_1, RIGHT_3, extra=hog), folder / "hog.ipynb")
    rows = collect.collect(folder, tmp_path / "g.csv", time_limit=8,
                           memory_limit=collect.parse_size("400M"), jobs=2,
                           sandbox=tmp_path / "sandbox")
    by = {(r["student"], r["exercise"]): r for r in rows}
    assert "time limit" in by[("slow", "02.1")]["note"]
    assert "memory limit" in by[("hog", "02.1")]["note"]
    for student in ("slow", "hog"):  # checked before the stop: kept; after it: not attempted
        assert by[(student, "02.1")]["status"] == "correct"
        assert by[(student, "02.3")]["status"] == "not attempted"


def test_a_code_exercise_left_as_the_stub_is_not_attempted(tmp_path, monkeypatch):
    """The notebooks' stubs return None: graded "not attempted", not "incorrect"."""
    import json

    from clipq_edu.exercises import all_exercises

    results = tmp_path / "results.jsonl"
    monkeypatch.delenv("CLIPQ_EDU_GRADING", raising=False)
    monkeypatch.setenv("CLIPQ_EDU_RESULTS", str(results))
    code = {k: e for k, e in all_exercises().items()
            if str(e.solution_text).startswith("def ")}
    assert len(code) >= 7
    for exercise in code.values():
        assert not exercise.check(lambda *args: None)
        assert not exercise.check(lambda *args: 1 / 0)
    rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    assert [r["status"] for r in rows] == ["not attempted", "incorrect"] * len(code), rows
