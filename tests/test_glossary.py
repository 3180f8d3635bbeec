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
RETIRED = {"测量噪声": "shot noise", "量子电路": "quantum circuit", "量子位": "qubit",
           **{old: english for old, (english, _) in glossary.RETIRED.items()}}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(_ROOT)))
def test_notebook_chinese_follows_the_glossary(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    squeezed = re.sub(r"\s+", "", text)
    for old, english in RETIRED.items():
        better = (glossary.RETIRED[old][1] if old in glossary.RETIRED
                  else glossary.lookup(english).chinese)
        assert old not in squeezed, f"{path.name} writes {old} for {english!r}; write {better}"


# The renderings issue 29 retired, as a reviewer would write them (spaces included).
RETIRED_IN_ISSUE_29 = ["单次测量", "特征值", "批次", "对数刻度", "遥测", "训练遥测", "Schmidt 秩",
                       "Schmidt 系数"]


@pytest.mark.parametrize("old", RETIRED_IN_ISSUE_29)
def test_check_translation_fails_on_each_retired_rendering(old):
    english = "Each shot is one bitstring; read the telemetry on a log scale per batch."
    good = "每一次测量只得到一个比特串；在对数坐标下逐批量读训练监控记录。"
    assert glossary.check_translation(english, good) == []
    problems = glossary.check_translation(english, good + f"（{old}）")
    named = [bad for bad in glossary.RETIRED if bad in old.replace(" ", "")]
    assert named and problems == [p for p in problems if any(bad in p for bad in named)]
    assert problems, old


def test_the_glossary_itself_uses_no_retired_rendering():
    for term in glossary.TERMS:
        for text in (term.chinese, term.meaning_zh):
            squeezed = re.sub(r"\s+", "", text)
            assert not [old for old in glossary.RETIRED if old in squeezed], term
    assert glossary.lookup("telemetry").chinese == "训练监控"
    assert glossary.lookup("shot").chinese == "一次测量"


def _chinese_strings(path):
    """Every string constant of a module that holds Chinese, with its line."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and re.search(r"[\u4e00-\u9fff]", node.value)]


def test_library_and_catalogs_use_no_retired_rendering():
    """What the library prints and draws in Chinese (Text/tr strings, exercise texts, message
    catalogs, comment and markdown catalogs) follows the glossary too."""
    hits = []
    for path in sorted((_ROOT / "clipq_edu").rglob("*.py")):
        if path.name == "glossary.py":  # the list of retired renderings itself
            continue
        for line, value in _chinese_strings(path):
            squeezed = re.sub(r"\s+", "", value)
            hits += [f"{path.relative_to(_ROOT)}:{line}: {old}" for old in glossary.RETIRED
                     if old in squeezed]
    catalogs = [*(_ROOT / "clipq_edu/messages/zh").glob("*.toml"),
                *(_ROOT / "translations/zh").glob("*.md"),
                *(_ROOT / "translations/zh").glob("*.tsv")]
    for path in sorted(catalogs):
        for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            squeezed = re.sub(r"\s+", "", text.split("\t")[-1])
            hits += [f"{path.relative_to(_ROOT)}:{line}: {old}" for old in glossary.RETIRED
                     if old in squeezed]
    assert not hits, "retired renderings (see clipq_edu.glossary.RETIRED):\n" + "\n".join(hits)
