"""Grades a teacher can trust (issue 28): verdicts decided by the grader, forgery flagged,
students' code sandboxed, a gradebook (wide CSV, feedback files) from ``make collect``.

The submissions are built here (chapter 02's exercises, no TensorFlow): blank, a key reader
(``answer = ex.qN.expected()`` / ``ex.qN.correct``), a forger (writes the results channel,
patches ``type(ex.q2)._check``, writes into $HOME and the grader's home), and honest ones
with a right and a wrong code answer. Answers come from the exercises themselves, so the
chapter can change.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from clipq_edu.exercises import ch02 as ex

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
_spec = importlib.util.spec_from_file_location("collect", ROOT / "tools" / "collect.py")
collect = importlib.util.module_from_spec(_spec)
sys.modules["collect"] = collect
_spec.loader.exec_module(collect)

RIGHT_1 = [float(v) for v in np.ravel(ex.q1.expected())]
WRONG_1 = [3 * v + 1 for v in RIGHT_1]
RIGHT_3 = ex.q3.correct
CODE_RIGHT = str(ex.q6.solution_text)  # `def clip_each(grads, c): ...`
CODE_WRONG = "def clip_each(grads, c):\n    return [g for g in grads]  # never clips\n"


def _nb(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Chapter 02 exercises"),
                nbformat.v4.new_code_cell("import numpy as np\n"
                                          "from clipq_edu.exercises import ch02 as ex")]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def blank() -> nbformat.NotebookNode:
    return _nb("answer = None  # your answer here\nex.q1.check(answer)",
               "answer = None  # your answer here\nex.q3.check(answer)",
               "def clip_each(grads, c):\n    return None  # your code here\n\n\n"
               "ex.q6.check(clip_each)")


def key_reader() -> nbformat.NotebookNode:
    return _nb("answer = ex.q1.expected()\nex.q1.check(answer)",
               "answer = ex.q3.correct\nex.q3.check(answer)")


def forger(grader_home: Path) -> nbformat.NotebookNode:
    forge = (
        "import json, os\n"
        "with open(os.environ['CLIPQ_EDU_RESULTS'], 'a') as fh:\n"
        "    for k in range(1, 9):\n"
        "        fh.write(json.dumps({'exercise': f'02.{k}', 'status': 'correct'}) + '\\n')\n"
        "type(ex.q2)._check = lambda self, answer: (True, 'ok')\n"
        "open(os.path.expanduser('~/forged.txt'), 'w').write('x')\n"
        "for target in (TARGET, '/root/forged.txt'):\n"
        "    try:\n"
        "        open(target, 'w').write('x')\n"
        "    except OSError:\n"
        "        pass\n").replace("TARGET", repr(str(grader_home / "forged.txt")))
    return _nb(forge, "answer = 1.0\nex.q2.check(answer)",
               f"answer = {WRONG_1!r}\nex.q1.check(answer)",
               "def clip_each(grads, c):\n    return 0\n\n\nex.q6.check(clip_each)")


def honest(answer_1: list | None, code: str | None) -> nbformat.NotebookNode:
    cells = [f"answer = {answer_1!r}\nex.q1.check(answer)",
             f"answer = {RIGHT_3!r}\nex.q3.check(answer)"]
    if code:
        cells.append(code + "\n\nex.q6.check(clip_each)")
    return _nb(*cells)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------ fast: reading notebooks
def test_scan_finds_checks_code_answers_and_key_readers() -> None:
    sites, findings = collect.scan(key_reader())
    assert [(s.exercise, s.arg) for s in sites] == [("02.1", "answer"), ("02.3", "answer")]
    assert {f.exercise for f in findings} == {"02.1", "02.3"}
    assert any("ex.q1.expected" in f.what for f in findings)
    assert any("ex.q3.correct" in f.what for f in findings)
    sites, findings = collect.scan(honest(RIGHT_1, CODE_RIGHT))
    assert findings == [], [str(f) for f in findings]
    code = [s for s in sites if s.code_source]
    assert [s.exercise for s in code] == ["02.6"] and code[0].code_name == "clip_each"
    assert "import numpy as np" in code[0].code_source
    assert "ex.q6.check" not in code[0].code_source  # only the definition, not the call


def test_scan_flags_every_way_into_the_grading_machinery(tmp_path: Path) -> None:
    _, findings = collect.scan(forger(tmp_path))
    text = " | ".join(str(f) for f in findings)
    assert "type(ex.q2)._check" in text and "CLIPQ_EDU_RESULTS" in text
    assert all(f.exercise is None for f in findings)  # concerns every row
    for cell in ("setattr(type(ex.q1), 'checker', None)",
                 "import clipq_edu.exercises._core as core",
                 "getattr(ex.q4, 'solution_text')",
                 "import clipq_edu as cq\ncq.exercises.ch02.q5.expected()",
                 "import sys\nsys.modules['clipq_edu'].x = 1",
                 "%time x = ex.q2.expected()"):
        _, found = collect.scan(_nb(cell))
        assert found, f"not flagged: {cell}"
    # the feedback of a check is not the key: reading it is fine
    _, found = collect.scan(_nb("f = ex.q1.check([1.0, 2.0, 3.0])\nprint(f.correct, f.message)"))
    assert found == []


def test_answers_travel_as_data_only() -> None:
    """The capture cell's encoder (run here) and the grader's decoder agree; nothing else
    crosses: an unknown object becomes 'grade by hand', a forged class name is refused."""
    namespace: dict = {}
    exec(collect._ENCODER, namespace)
    enc = namespace["_clipq_enc"]
    from clipq_edu.course.lab import LabSettings

    for value in (1.5, -3, "b", None, True, [1.0, float("nan")], (2, 3.5),
                  np.arange(6.0).reshape(2, 3), np.float32(0.25), {"a": [1, 2]},
                  1 + 2j, LabSettings()):
        back = collect.decode(enc(value))
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(back, value)
        elif isinstance(value, list):
            assert back[0] == value[0] and np.isnan(back[1])
        else:
            assert back == value and type(back) is type(value) or back == value
    with pytest.raises(collect.Opaque):
        collect.decode(enc(object()))
    with pytest.raises(collect.Opaque):
        collect.decode({"t": "dc", "cls": "os:system", "v": {}})
    with pytest.raises(collect.Opaque):
        collect.decode({"t": "n", "dtype": "|O", "shape": [1], "v": ""})


def test_points_file_and_manual_grades(tmp_path: Path) -> None:
    points = tmp_path / "points.toml"
    points.write_text('[points]\n"02.1" = 2\n"02.6" = 3.5\n', encoding="utf-8")
    assert collect.read_points(points) == {"02.1": 2.0, "02.6": 3.5}
    points.write_text('[points]\n"99.1" = 2\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown exercises"):
        collect.read_points(points)
    manual = tmp_path / "manual.csv"
    manual.write_text("student,item,points,max_points,comment\n"
                      "alice,capstone report,7,10,clear figure\n", encoding="utf-8")
    rows = [{"student": "alice", "notebook": "a.ipynb", "exercise": "02.1",
             "status": "correct", "points": "2", "max_points": "2", "value": "", "message": "ok",
             "integrity": "", "note": ""}]
    wide, feedback = collect.write_gradebook(rows, collect.read_manual(manual),
                                             tmp_path / "g.csv")
    table = _read(wide)
    assert table[0]["02.1"] == "2" and table[0]["capstone report"] == "7"
    assert table[0]["total"] == "9" and table[0]["max_total"] == "12"
    assert "clear figure" in (feedback / "alice.md").read_text(encoding="utf-8")


def test_the_grading_kernel_records_nothing(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    """Under CLIPQ_EDU_GRADING=1 a check writes nothing: every decoy line is the notebook's."""
    decoy = tmp_path / "results.jsonl"
    monkeypatch.setenv("CLIPQ_EDU_RESULTS", str(decoy))
    monkeypatch.setenv("CLIPQ_EDU_GRADING", "1")
    assert ex.q1.check(RIGHT_1)
    assert not decoy.exists()


# ------------------------------------------------------------------ slow: the acceptance runs
@pytest.mark.slow
def test_blank_key_reader_and_forger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    grader_home = tmp_path / "grader-home"
    grader_home.mkdir()
    monkeypatch.setenv("HOME", str(grader_home))
    folder = tmp_path / "submissions"
    folder.mkdir()
    nbformat.write(blank(), folder / "blank.ipynb")
    nbformat.write(key_reader(), folder / "reader.ipynb")
    nbformat.write(forger(grader_home), folder / "forger.ipynb")
    sandbox = tmp_path / "sandbox"
    out = tmp_path / "out" / "grades.csv"
    assert collect.main([str(folder), "--out", str(out), "--time-limit", "120", "--jobs", "2",
                         "--sandbox", str(sandbox)]) == 0
    rows = _read(out)
    by = {(r["student"], r["exercise"]): r for r in rows}
    assert all(r["status"] == "not attempted" and not r["integrity"]
               for r in rows if r["student"] == "blank")
    forged = [r for r in rows if r["student"] == "forger"]
    assert forged and not any(r["status"] == "correct" for r in forged)
    assert all("results channel" in r["integrity"] and "_check" in r["integrity"]
               for r in forged)
    assert by[("forger", "02.2")]["status"] == "incorrect"  # the patched check did not count
    assert by[("forger", "02.6")]["status"] == "incorrect"
    for exercise in ("02.1", "02.3"):  # right values, read from the key: graded, and flagged
        assert by[("reader", exercise)]["status"] == "correct"
        assert by[("reader", exercise)]["integrity"]
    # nothing written outside the sandbox, and the sandbox itself is gone
    assert list(grader_home.iterdir()) == []
    assert not any(sandbox.iterdir()) if sandbox.exists() else True
    assert not Path("/root/forged.txt").exists()


@pytest.mark.slow
def test_make_collect_six_submissions_two_jobs(tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    subs = {"ana": honest(RIGHT_1, CODE_RIGHT), "ben": honest(WRONG_1, CODE_WRONG),
            "cai": honest(RIGHT_1, None), "dee": blank(), "eli": key_reader(),
            "fay": honest(None, CODE_RIGHT)}
    for name, nb in subs.items():
        (folder / name).mkdir()
        nbformat.write(nb, folder / name / "02_core_concepts.ipynb")
    out = tmp_path / "grades.csv"
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS")}
    done = subprocess.run(["make", "-s", "collect", f"SUBMISSIONS={folder}", f"GRADES={out}",
                           "COLLECT_ARGS=--jobs 2 --time-limit 120"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    wide = {r["student"]: r for r in _read(tmp_path / "grades_wide.csv")}
    assert sorted(wide) == sorted(subs)
    worth = {e: float(getattr(collect.exercise_by_id(e), "points", 1.0))
             for e in ("02.1", "02.3", "02.6")}
    assert float(wide["ana"]["total"]) == sum(worth.values())
    assert float(wide["ben"]["total"]) == worth["02.3"]  # wrong value, wrong code
    assert float(wide["cai"]["02.6"]) == 0 and float(wide["fay"]["02.6"]) == worth["02.6"]
    assert float(wide["dee"]["total"]) == 0 and int(wide["eli"]["flags"]) >= 2
    long = {(r["student"], r["exercise"]): r for r in _read(out)}
    assert long[("ben", "02.6")]["status"] == "incorrect" and long[("ben", "02.6")]["message"]
    assert long[("dee", "02.6")]["status"] == "not attempted"
    for name in subs:
        text = (tmp_path / "feedback" / f"{name}.md").read_text(encoding="utf-8")
        assert text.startswith(f"# Feedback for {name}") and "02.1" in text
