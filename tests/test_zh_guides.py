"""The Chinese guides (README.zh.md, docs/zh/*.md) are complete and in step with the English ones.

The mechanism is ``tools/zh_docs.py`` (its docstring): every ``## `` section of a Chinese guide
carries the SHA-256 stamp of the English section it translates, generated blocks are
byte-identical copies, and a changed English section makes these tests fail by name.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import zh_docs  # noqa: E402

from clipq_edu.glossary import check_translation  # noqa: E402

ZH_GUIDES = sorted(zh_docs.PAIRS)
FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.S | re.M)
LINK = re.compile(r"\]\(([^)\s]+)\)")
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')
#: Renderings the course retired (issue 29): never in a Chinese guide.
RETIRED = {"单次测量": "shot: 一次测量（shot）, shots: 测量次数", "特征值": "eigenvalue: 本征值",
           "批次": "batch: 批量", "遥测": "telemetry: 训练监控", "对数刻度": "log scale: 对数坐标",
           "上界": "the clipping bound: 阈值"}


def _read(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def _prose(text: str) -> str:
    """Text without generated blocks, fenced code and inline code."""
    text = FENCE.sub(" ", zh_docs.BLOCK.sub(" ", text))
    return re.sub(r"`[^`\n]*`", " ", text)


@pytest.mark.parametrize("zh_path", ZH_GUIDES)
def test_chinese_guide_is_in_step_with_english(zh_path):
    problems = zh_docs.check(zh_path)
    assert not problems, ("the Chinese guide is out of step with the English one "
                          "(see tools/zh_docs.py):\n" + "\n".join(problems))


def _copy_pair(tmp_path: Path, zh_path: str) -> tuple[Path, Path]:
    for path in (zh_path, zh_docs.PAIRS[zh_path]):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, tmp_path / path)
    return tmp_path / zh_path, tmp_path / zh_docs.PAIRS[zh_path]


def test_changed_english_section_is_named_until_restamped(tmp_path):
    zh_path = "docs/zh/troubleshooting.md"
    zh_file, en_file = _copy_pair(tmp_path, zh_path)
    en_sections = zh_docs.split_sections(en_file.read_text(encoding="utf-8"))
    changed = en_sections[2]
    changed.text += "\nOne more English sentence.\n"
    en_file.write_text("\n".join(s.text for s in en_sections), encoding="utf-8")
    problems = zh_docs.check(zh_path, tmp_path)
    assert len(problems) == 1, problems
    assert "STALE" in problems[0] and f"(English '{changed.title}')" in problems[0]
    pairs, _ = zh_docs.paired(zh_file.read_text(encoding="utf-8"),
                              en_file.read_text(encoding="utf-8"))
    index = next(zh.index for zh, en in pairs if en.index == changed.index)
    assert f"--section {index}" in problems[0]
    assert zh_docs.stamp(zh_path, [index], tmp_path) == [index]
    assert zh_docs.check(zh_path, tmp_path) == []


def test_sections_must_correspond_one_to_one(tmp_path):
    zh_path = "docs/zh/troubleshooting.md"
    _, en_file = _copy_pair(tmp_path, zh_path)
    en_file.write_text(en_file.read_text(encoding="utf-8") + "\n## A new section\n\nText.\n",
                       encoding="utf-8")
    problems = zh_docs.check(zh_path, tmp_path)
    assert problems and "correspond one to one" in problems[0]
    assert "A new section" in problems[0]


def test_regenerated_block_is_not_stale_but_must_be_copied(tmp_path):
    zh_path = "docs/zh/instructors.md"
    zh_file, en_file = _copy_pair(tmp_path, zh_path)
    en = en_file.read_text(encoding="utf-8")
    assert "<!-- timings:begin -->" in en
    en_file.write_text(en.replace("| `06_faq` |", "| `06_faq` (regenerated) |"),
                       encoding="utf-8")
    problems = zh_docs.check(zh_path, tmp_path)
    assert len(problems) == 1 and "'timings' differs" in problems[0], problems
    assert "STALE" not in problems[0]
    assert zh_docs.sync(tmp_path) == [zh_path]
    assert zh_docs.check(zh_path, tmp_path) == []
    assert "(regenerated)" in zh_file.read_text(encoding="utf-8")


def test_instructor_guide_carries_the_generated_blocks_verbatim():
    en, zh = zh_docs.blocks(_read("docs/instructors.md")), zh_docs.blocks(
        _read("docs/zh/instructors.md"))
    assert {"answer-key", "timings", "hub-sizing"} <= set(en)
    for name in ("answer-key", "timings", "hub-sizing", "links"):
        if name in en:
            assert zh.get(name) == en[name], f"block {name}: run `python tools/zh_docs.py sync`"


def test_readme_zh_names_every_make_target_of_readme():
    targets = set(re.findall(r"\bmake ([a-z][a-z0-9-]*)", _read("README.md")))
    assert {"lab", "test", "collect", "bench", "lock", "lint", "student"} <= targets
    zh = _read("README.zh.md")
    missing = sorted(t for t in targets if not re.search(rf"\bmake {re.escape(t)}\b", zh))
    assert not missing, f"README.zh.md does not name: {', '.join('make ' + t for t in missing)}"


def test_readme_zh_links_the_chinese_guides_and_china_notes():
    links = set(LINK.findall(_read("README.zh.md")))
    for guide in ("docs/zh/instructors.md", "docs/zh/troubleshooting.md"):
        assert any(link.split("#")[0] == guide for link in links), f"no link to {guide}"
    zh = _read("README.zh.md")
    assert "PIP_INDEX_URL" in zh and "index-url" in zh and "pypi.tuna.tsinghua.edu.cn" in zh
    assert 'id="mainland-china"' in zh and "Binder" in zh


@pytest.mark.parametrize("zh_path", ZH_GUIDES)
def test_links_of_chinese_guides_resolve(zh_path):
    """Relative links point at existing files; fragments into Chinese guides exist there."""
    text = zh_docs.BLOCK.sub(" ", FENCE.sub(" ", _read(zh_path)))  # generated: English copies
    here = (ROOT / zh_path).parent
    bad = []
    for link in LINK.findall(text):
        if re.match(r"[a-z]+:", link):
            continue
        path, _, fragment = link.partition("#")
        target = (here / path).resolve() if path else ROOT / zh_path
        if not target.exists():
            bad.append(f"{link}: no such file")
            continue
        rel = target.relative_to(ROOT).as_posix()
        if fragment and rel in zh_docs.PAIRS:
            if fragment not in ANCHOR.findall(_read(rel)):
                bad.append(f"{link}: no <a id=\"{fragment}\"> in {rel}")
    assert not bad, f"{zh_path}: broken links:\n" + "\n".join(bad)


@pytest.mark.parametrize("zh_path", ZH_GUIDES)
def test_chinese_guide_keeps_the_english_anchors(zh_path):
    """Links written for the English guide (``#containers``) work in the Chinese one."""
    missing = set(ANCHOR.findall(_read(zh_docs.PAIRS[zh_path]))) - set(
        ANCHOR.findall(_read(zh_path)))
    assert not missing, f"{zh_path} lacks the anchors {sorted(missing)}"


@pytest.mark.parametrize("zh_path", ZH_GUIDES)
def test_chinese_guide_uses_the_course_terms(zh_path):
    zh_text, en_text = _read(zh_path), _read(zh_docs.PAIRS[zh_path])
    prose = _prose(zh_text)
    found = [f"{bad} (use {use})" for bad, use in RETIRED.items() if bad in prose]
    found += [f"单元 without 格: ...{m.string[m.start() - 10:m.end() + 5]}..."
              for m in re.finditer(r"单元(?!格|测试)", prose)]
    found += [f"ASCII colon after Chinese: ...{m.string[m.start() - 10:m.end() + 5]}..."
              for m in re.finditer(r"[\u4e00-\u9fff）][:;]", prose)]
    pairs, _ = zh_docs.paired(zh_text, en_text)
    for zh, en in pairs:
        found += [f"section '{en.title}': {p}"
                  for p in check_translation(_prose(en.text), _prose(zh.text))
                  if not any(bad in p.split("rendered")[-1] for bad in RETIRED)]
    assert not found, f"{zh_path}:\n" + "\n".join(found)
