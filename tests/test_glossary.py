"""clipq_edu.glossary: enough terms, one rendering each, and every chapter uses it consistently."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from clipq_edu import glossary

_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted([*(_ROOT / "notebooks").glob("*.ipynb"), *(_ROOT / "notebooks/zh").glob("*.ipynb")])


def test_at_least_forty_complete_terms():
    assert len(glossary.TERMS) >= 40
    for term in glossary.TERMS:
        assert term.english and term.meaning
        assert re.search(r"[\u4e00-\u9fff]", term.chinese), term


def test_one_rendering_per_term_and_no_duplicates():
    english = [t.english.lower() for t in glossary.TERMS]
    chinese = [t.chinese for t in glossary.TERMS]
    assert len(set(english)) == len(english)
    assert len(set(chinese)) == len(chinese)


def test_lookup_and_display():
    assert glossary.lookup("Shot noise").chinese == "散粒噪声"
    with pytest.raises(KeyError, match="not in the glossary"):
        glossary.lookup("quantum supremacy")
    table = glossary.show()._repr_markdown_()
    assert table.count("\n") == len(glossary.TERMS) + 1


# Renderings that the glossary replaced: a chapter must not use them for these terms.
RETIRED = {"测量噪声": "shot noise", "量子电路": "quantum circuit", "量子位": "qubit"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(_ROOT)))
def test_notebook_chinese_follows_the_glossary(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for old, english in RETIRED.items():
        assert old not in text, (f"{path.name} writes {old} for {english!r}; the glossary says "
                                 f"{glossary.lookup(english).chinese}")
