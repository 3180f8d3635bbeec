"""Static checks of every notebook: structure, conventions, and stored outputs nbval needs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
CHAPTERS = [p for p in NOTEBOOKS if re.match(r"0[1-6]", p.name)]
MAX_CODE_LINES = 15


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def src(cell: dict) -> str:
    return "".join(cell["source"])


def test_there_are_notebooks():
    assert any(p.name == "00_start_here.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_stored_and_counted(path):
    cells = code_cells(load(path))
    assert any(c.get("outputs") for c in cells), "no stored outputs: run `make notebooks`"
    for i, c in enumerate(cells):
        if c.get("outputs"):
            assert c.get("execution_count") is not None, f"code cell {i}: outputs, no count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_conventions(path):
    nb = load(path)
    cells = code_cells(nb)
    first = src(cells[0])
    assert "import clipq_edu as cq" in first and "cq.setup(" in first, "first cell sets up"
    for i, c in enumerate(cells):
        s = src(c)
        assert not re.search(r"^\s*[!%]\s*pip\b", s, re.M), f"cell {i} installs packages"
        assert not re.search(r"^\s*!", s, re.M), f"cell {i} runs a shell command"
        assert ".solution()" not in s, f"cell {i} reveals a solution"
        n_lines = len([line for line in s.splitlines() if line.strip()])
        assert n_lines <= MAX_CODE_LINES, f"cell {i} has {n_lines} lines (max {MAX_CODE_LINES})"
        for out in c.get("outputs", []):
            text = "".join(out.get("data", {}).get("text/plain", ""))
            assert not re.search(r" at 0x[0-9a-f]+>", text), f"cell {i} leaks an object repr"
            assert out.get("output_type") != "error", f"cell {i} stored an error"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_structure(path):
    nb = load(path)
    markdown = [src(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert re.search(r"[\u4e00-\u9fff]", markdown[0]), "title shows the article's Chinese title"
    text = "\n".join(markdown).lower()
    assert "learning goals" in text
    assert "summary" in text
    assert "what's next" in text or "what next" in text
    assert any("assert " in src(c) for c in code_cells(nb)), "no claim is asserted"
