"""The Chinese edition (issue 17) is generated from the English notebooks and cannot drift.

``tools/zh.py`` builds ``notebooks/zh/`` from the English notebooks and the catalog in
``translations/zh/`` (one entry per markdown cell, keyed by cell id, stamped with the hash of
the English it translates). These tests fail when an English cell changed and its translation
was not updated, when a cell has no translation, when the code of the two editions differs, or
when the generated notebooks are not up to date with the catalog.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clipq_edu.i18n import has_chinese

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("zh_tool", ROOT / "tools" / "zh.py")
zh = importlib.util.module_from_spec(_spec)
sys.modules["zh_tool"] = zh  # dataclasses look their module up there
_spec.loader.exec_module(zh)
NAMES = zh.names()


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _src(cell: dict) -> str:
    return "".join(cell["source"])


def test_every_chapter_has_a_chinese_edition():
    assert len(NAMES) == 10
    assert sorted(p.stem for p in zh.ZH_NOTEBOOKS.glob("*.ipynb")) == NAMES
    assert sorted(p.stem for p in zh.CATALOG.glob("*.md")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_catalog_is_complete_current_and_follows_the_glossary(name):
    problems = zh.problems(name)
    assert not problems, "\n".join(problems) + "\n(run `python tools/zh.py status`)"


@pytest.mark.parametrize("name", NAMES)
def test_generated_notebook_is_up_to_date_with_the_catalog(name):
    built = zh.build_sources(name)
    stored = _nb(zh.ZH_NOTEBOOKS / f"{name}.ipynb")
    assert zh.same_sources(built, stored), f"notebooks/zh/{name}.ipynb is stale: run `make zh`"


@pytest.mark.parametrize("name", NAMES)
def test_code_is_the_english_code(name):
    """Checked here from the notebooks themselves, not through the generator."""
    en = [c for c in _nb(zh.NOTEBOOKS / f"{name}.ipynb")["cells"] if c["cell_type"] == "code"]
    cn = [c for c in _nb(zh.ZH_NOTEBOOKS / f"{name}.ipynb")["cells"] if c["cell_type"] == "code"]
    assert [c["id"] for c in cn] == [c["id"] for c in en]
    first_en, first_cn = _src(en[0]).splitlines(), _src(cn[0]).splitlines()
    assert first_cn.count(zh.LANGUAGE_LINE) == 1
    assert first_cn.index(zh.LANGUAGE_LINE) < next(
        i for i, line in enumerate(first_cn) if "cq.setup" in line)
    assert zh.strip_comments("\n".join(ln for ln in first_cn if ln != zh.LANGUAGE_LINE)) == \
        zh.strip_comments("\n".join(first_en))
    for a, b in zip(en[1:], cn[1:], strict=True):
        assert zh.strip_comments(_src(a)) == zh.strip_comments(_src(b)), (
            f"{name}: code cell {a['id']} differs between the editions (beyond its comments)")
        assert a.get("metadata", {}).get("tags", []) == b.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("name", NAMES)
def test_comments_in_the_chinese_code_are_chinese(name):
    """Every comment with three or more English words reads in Chinese in the zh edition."""
    nb = _nb(zh.ZH_NOTEBOOKS / f"{name}.ipynb")
    english = [(c["id"], t.string) for c in nb["cells"] if c["cell_type"] == "code"
               for t in zh.comment_tokens(_src(c))
               if len(zh._WORD.findall(t.string)) >= 3 and not has_chinese(t.string)]
    assert not english, english


def test_what_the_chinese_notebooks_show_is_chinese():
    """Issue 29: at most 15 English-only output lines and 5 English figures in notebooks/zh."""
    lines = [x for n in NAMES for x in zh.english_lines(n)]
    figures = [x for n in NAMES for x in zh.same_figures(n)]
    assert len(lines) <= zh.MAX_ENGLISH_LINES, "\n".join(lines)
    assert len(figures) <= zh.MAX_SAME_FIGURES, figures


def test_a_comment_is_translated_and_only_the_comment_changes():
    source = "x = 1  # the answer here\ny = '# not a comment'  # noqa: F841\n"
    out, missing = zh.translate_comments(source, {"the answer here": "答案写在这里"})
    assert out == "x = 1  # 答案写在这里\ny = '# not a comment'  # noqa: F841\n"
    assert missing == []
    assert zh.strip_comments(out) == zh.strip_comments(source)
    assert zh.translate_comments(source, {})[1] == ["the answer here"]
    assert zh.strip_comments("x = 2  # the answer here\n") != zh.strip_comments(source)


@pytest.mark.parametrize("name", NAMES)
def test_chinese_notebook_is_executed_and_speaks_chinese(name):
    nb = _nb(zh.ZH_NOTEBOOKS / f"{name}.ipynb")
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["execution_count"] is not None for c in code), (
        f"notebooks/zh/{name}.ipynb holds unexecuted cells: run `make zh`")
    markdown = [_src(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert sum(has_chinese(m) for m in markdown) >= len(markdown) - 2
    exercise_outputs = [
        "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
        for c in code if ".check(" in _src(c) for o in c["outputs"]]
    assert exercise_outputs and all(has_chinese(t) for t in exercise_outputs), (
        f"{name}: an exercise check printed no Chinese in the zh edition")


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A copy of one English notebook and its catalog, with the tool pointed at it."""
    name = "00_start_here"
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "catalog").mkdir()
    shutil.copy(zh.NOTEBOOKS / f"{name}.ipynb", tmp_path / "notebooks")
    shutil.copy(zh.CATALOG / f"{name}.md", tmp_path / "catalog")
    shutil.copy(zh.comments_path(name), tmp_path / "catalog")
    monkeypatch.setattr(zh, "NOTEBOOKS", tmp_path / "notebooks")
    monkeypatch.setattr(zh, "CATALOG", tmp_path / "catalog")
    assert zh.problems(name) == []
    return tmp_path, name


def test_changing_an_english_cell_is_caught(sandbox):
    tmp, name = sandbox
    path = tmp / "notebooks" / f"{name}.ipynb"
    nb = _nb(path)
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    cell["source"] = _src(cell) + "\nOne more English sentence.\n"
    zh.write_notebook(path, nb)
    problems = zh.problems(name)
    assert len(problems) == 1 and "changed in English" in problems[0] and cell["id"] in problems[0]
    with pytest.raises(ValueError, match="changed in English"):
        zh.build_sources(name)


def test_a_missing_or_untranslated_entry_is_caught(sandbox):
    tmp, name = sandbox
    entries = list(zh.load_catalog(name).values())
    dropped, todo = entries[0], entries[1]
    todo.sha = "TODO"
    zh.catalog_path(name).write_text(zh.format_catalog(name, entries[1:]), encoding="utf-8")
    problems = "\n".join(zh.problems(name))
    assert f"cell {dropped.cell_id} has no translation" in problems
    assert f"cell {todo.cell_id} is not translated yet" in problems


def test_an_untranslated_or_unused_comment_is_caught(sandbox):
    tmp, name = sandbox
    table = zh.load_comments(name)
    key = next(iter(table))
    zh.comments_path(name).write_text(f"{key}\tTODO\nno such comment here\t没有这条注释\n",
                                      encoding="utf-8")
    problems = "\n".join(zh.problems(name))
    assert f"comment {key!r} has no translation" in problems
    assert "'no such comment here', which no comment uses" in problems
    with pytest.raises(ValueError, match="has no translation"):
        zh.build_sources(name)


def test_a_translation_off_the_glossary_is_caught(sandbox):
    tmp, name = sandbox
    entries = zh.load_catalog(name)
    nb = _nb(tmp / "notebooks" / f"{name}.ipynb")
    english = {c["id"]: _src(c) for c in nb["cells"] if c["cell_type"] == "markdown"}
    cid = next(i for i, e in entries.items() if "梯度裁剪" in e.text and "gradient clipping" in
               english[i].lower())
    entries[cid].text = entries[cid].text.replace("梯度裁剪", "梯度剪裁")
    zh.catalog_path(name).write_text(zh.format_catalog(name, list(entries.values())),
                                     encoding="utf-8")
    assert any("梯度剪裁" in p for p in zh.problems(name))


def test_make_lab_lang_zh_opens_the_chinese_edition(tmp_path):
    """start_lab.sh hands over to `python -m clipq_edu lab` (a fake Python records the command
    line), and that launcher, with EDITION=zh, points JupyterLab at notebooks/zh/00."""
    fake = tmp_path / "python"
    fake.write_text('#!/bin/sh\necho "$@"\n')
    fake.chmod(0o755)
    env = {**os.environ, "EDITION": "zh", "NO_BROWSER": "1"}
    out = subprocess.run(["bash", str(ROOT / "tools" / "start_lab.sh"), str(fake), "--ip",
                          "127.0.0.1"], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["-m", "clipq_edu", "lab", "--ip", "127.0.0.1"], out
    code = ("import argparse; from clipq_edu import _launch; p = argparse.ArgumentParser(); "
            "_launch.add_arguments(p); cmd, notes = _launch.command(p.parse_args([]), "
            "_launch.course_root()); print(' '.join(cmd)); print(*notes, sep='\\n')")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    assert "--LabApp.default_url=/lab/tree/notebooks/zh/00_start_here.ipynb" in out
    assert "中文版" in out
    dry = subprocess.run(["make", "-n", "lab", "LANG=zh"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert "EDITION=zh" in dry and "LANG=C.UTF-8" in dry
    dry_en = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True,
                            check=True, env={**os.environ, "LANG": "C.UTF-8"}).stdout
    assert "EDITION=en" in dry_en


def test_site_has_both_editions_with_a_language_switch(tmp_path):
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
    site = importlib.util.module_from_spec(spec)
    sys.modules["build_site"] = site
    spec.loader.exec_module(site)
    en_dir, zh_dir = tmp_path / "en", tmp_path / "zh"
    en_dir.mkdir()
    zh_dir.mkdir()
    shutil.copy(zh.NOTEBOOKS / "00_start_here.ipynb", en_dir)
    shutil.copy(zh.ZH_NOTEBOOKS / "00_start_here.ipynb", zh_dir)
    out = tmp_path / "site"
    pages = site.build_site(en_dir, out, repo="alice/course", docs_dir=None,
                            zh_notebooks_dir=zh_dir)
    assert out / "zh" / "00_start_here.html" in pages and out / "zh" / "index.html" in pages
    en_page = (out / "00_start_here.html").read_text(encoding="utf-8")
    zh_page = (out / "zh" / "00_start_here.html").read_text(encoding="utf-8")
    assert 'class="lang-switch" href="zh/00_start_here.html"' in en_page
    assert 'class="lang-switch" href="../00_start_here.html"' in zh_page
    assert '<html lang="zh-Hans">' in zh_page and '<html lang="en">' in en_page
    assert "notebooks/zh/00_start_here.ipynb" in zh_page  # its Binder link opens the zh edition
    assert (out / "zh" / "notebooks" / "00_start_here.ipynb").is_file()
    zh_index = (out / "zh" / "index.html").read_text(encoding="utf-8")
    assert "make lab LANG=zh" in zh_index
    assert re.search(r">(<span[^>]*>)?复制(</span>)?</button>", zh_page)
    assert ">Copy</button>" in en_page
