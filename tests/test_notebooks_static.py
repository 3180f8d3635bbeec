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


# --------------------------------------------------------------------------------------------
# Public API only, readable figures, consistent structure, honest claim checks
# --------------------------------------------------------------------------------------------
PRIVATE_ATTRIBUTE = re.compile(r"(?<![\w.])[A-Za-z_]\w*\._(?!_)[A-Za-z]\w*")
PRIVATE_IMPORT = re.compile(r"^\s*(from\s+clipq_edu(\.\w+)*\._\w+|import\s+clipq_edu(\.\w+)*\._)|"
                            r"^\s*from\s+clipq_edu(\.\w+)*\s+import\s+.*\b_\w+", re.M)
HEADING = re.compile(r"^## (\d+\. .+（[^）]*）|Exercises（练习）|Summary（小结）|What's next（下一步）|"
                     r"Instructor section（教师指南）)$")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_use_only_public_names(path):
    for i, c in enumerate(code_cells(load(path))):
        s = src(c)
        assert not PRIVATE_IMPORT.search(s), f"code cell {i} imports a private name:\n{s}"
        match = PRIVATE_ATTRIBUTE.search(s)
        assert not match, f"code cell {i} uses the private name {match.group(0)!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_figure_has_overlapping_text(path):
    from clipq_edu._figcheck import MARKER

    for i, c in enumerate(code_cells(load(path))):
        for out in c.get("outputs", []):
            text = "".join(out.get("text", ""))
            assert MARKER not in text, f"code cell {i}: {text.strip()}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_section_headings_are_numbered_with_chinese_titles(path):
    for c in load(path)["cells"]:
        if c["cell_type"] != "markdown":
            continue
        for line in src(c).splitlines():
            if line.startswith("## "):
                assert HEADING.match(line), f"heading {line!r}: use '## N. Title（中文）'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_summary_has_a_chinese_summary(path):
    summaries = [src(c) for c in load(path)["cells"]
                 if c["cell_type"] == "markdown" and src(c).startswith("## Summary")]
    assert len(summaries) == 1 and "中文小结" in summaries[0]


@pytest.mark.parametrize("path", CHAPTERS + [p for p in NOTEBOOKS if p.name.startswith("07")],
                         ids=lambda p: p.name)
def test_every_claim_check_is_backed_by_an_independent_comparison(path):
    """Between one claim-check box and the next, an assert compares two independently computed
    quantities, marked ``# claim: A vs B`` (docs/developing.md, "Claim checks"); each box also
    says its verdict in Chinese."""
    cells = load(path)["cells"]
    claims_since_last_box = 0
    boxes = 0
    for c in cells:
        s = src(c)
        if c["cell_type"] == "code":
            claims_since_last_box += len(re.findall(r"assert.*# claim: .+ vs .+", s))
        elif "**Claim check" in s:
            boxes += 1
            box = s[s.index("**Claim check"):]
            assert claims_since_last_box > 0, f"claim check without a '# claim:' assert: {box[:90]}"
            assert CJK.search(box.split("**", 2)[2]), f"claim check without Chinese: {box[:90]}"
            claims_since_last_box = 0
    assert boxes > 0, "every chapter checks at least one claim of the article"
