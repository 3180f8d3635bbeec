"""What notebook cells print and label reads in the learner's language (issue 29).

Notebook cells print through ``cq.say(template, **values)`` and label figures with
``cq.msg(template, ...)``; the Chinese templates live in ``clipq_edu/messages/zh/*.toml``. These
tests read every English notebook's code (with ``ast``, not regular expressions), find every
template passed as a literal, and require a Chinese translation with the same format fields;
and they fail on a catalog entry no notebook or library module uses.
"""

from __future__ import annotations

import ast
import json
import string
from pathlib import Path

import pytest

import clipq_edu as cq
from clipq_edu.i18n import has_chinese, language, message_catalog, msg, say

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _templates(source: str) -> list[str]:
    """The literal templates of ``msg(...)``/``say(...)`` calls (any ``x.msg``, ``x.say``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else \
                getattr(node.func, "id", "")
            first = node.args[0]
            if name in {"msg", "say"} and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                found.append(first.value)
    return found


def _notebook_templates() -> dict[str, str]:
    out = {}
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                src = "".join(cell["source"])
                lines = [ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!"))]
                for t in _templates("\n".join(lines)):
                    out.setdefault(t, f"{path.stem} cell {cell['id']}")
    return out


def _library_templates() -> set[str]:
    """Templates the library's modules use, in code or in doctest examples."""
    found: set[str] = set()
    for path in (ROOT / "clipq_edu").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        examples = [ln.strip()[4:] for ln in text.splitlines() if ln.strip().startswith(">>> ")]
        found.update(_templates(text))
        for example in examples:
            try:
                found.update(_templates(example))
            except SyntaxError:
                continue
    return found


def _fields(template: str) -> list[str]:
    return sorted(f"{name}:{spec}!{conv}" for _, name, spec, conv
                  in string.Formatter().parse(template) if name is not None)


USED = _notebook_templates()


@pytest.mark.parametrize("template", sorted(USED), ids=lambda t: t[:40])
def test_every_printed_template_has_a_chinese_translation_with_the_same_fields(template):
    catalog = message_catalog("zh")
    assert template in catalog, (
        f"{USED[template]}: {template!r} has no translation in clipq_edu/messages/zh/")
    zh = catalog[template]
    assert _fields(zh) == _fields(template), (template, zh)
    if any(len(w) >= 3 for w in template.replace("{", " ").split() if w.isalpha()):
        assert has_chinese(zh), (template, zh)


def test_no_catalog_entry_is_unused():
    used = set(USED) | _library_templates()
    unused = [t for t in message_catalog("zh") if t not in used]
    assert not unused, f"translations no notebook or module uses (remove them): {unused}"


def test_msg_formats_in_the_current_language_and_say_prints_it(capsys):
    assert msg("{n} shots", n=3) == "3 shots"
    with language("zh"):
        assert msg("{n} shots", n=3) == "3 次测量"
        assert msg("not in the catalog {x}", x=1) == "not in the catalog 1"  # stays English
        say("{n} shots", n=7)
    assert capsys.readouterr().out == "7 次测量\n"
    assert cq.msg is msg and cq.say is say


def test_a_wrong_field_fails_loudly_not_silently():
    with language("zh"), pytest.raises(KeyError):
        msg("{n} shots", m=3)


def test_the_scanner_finds_templates_in_calls_only():
    src = "cq.say('a {x}', x=1)\nprint(cq.msg('b'))\nmsg = 'c'\nf('d')\n"
    assert _templates(src) == ["a {x}", "b"]
