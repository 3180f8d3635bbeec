"""The library speaks both languages (issue 17): every text a learner reads exists in English
and 中文, follows ``cq.set_language``, and uses the glossary's terms."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

import clipq_edu as cq
from clipq_edu import glossary, i18n
from clipq_edu.exercises import ChoiceExercise, FunctionExercise, NumericExercise, all_exercises
from clipq_edu.i18n import Text, has_chinese

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = all_exercises()
IDS = sorted(EXERCISES)

#: Modules whose strings a learner reads. Their string literals with three or more English
#: words must sit in ``tr(...)``/``Text(...)``, an exception (API errors stay English), a
#: docstring, or a line marked ``# not for learners``.
LEARNER_MODULES = sorted(
    [*ROOT.glob("clipq_edu/exercises/*.py"), *ROOT.glob("clipq_edu/widgets/*.py"),
     ROOT / "clipq_edu/course/lab.py", ROOT / "clipq_edu/course/article.py",
     ROOT / "clipq_edu/glossary.py", ROOT / "clipq_edu/_setup.py", ROOT / "clipq_edu/_tf.py"],
)
_WORDS = re.compile(r"[A-Za-z]{2,}[ ,]+[A-Za-z]{2,} +[A-Za-z]{2,}")
_BILINGUAL = {"tr", "Text"}
_ENGLISH_OK = {"ValueError", "TypeError", "KeyError", "RuntimeError", "IndexError",
               "NotImplementedError", "AttributeError", "warn", "ImportError",
               "ModuleNotFoundError", "OSError", "FileNotFoundError", "AssertionError",
               "debug", "info", "warning"}


@pytest.fixture
def zh():
    with i18n.language("zh"):
        yield


def test_set_language_validates_and_restores():
    assert cq.get_language() == "en"
    with pytest.raises(ValueError, match="language='fr'"):
        cq.set_language("fr")
    with pytest.raises(TypeError, match="language must be a string"):
        cq.set_language(None)
    old = cq.set_language("zh-CN")
    try:
        assert cq.get_language() == "zh"
    finally:
        cq.set_language(old)
    assert cq.get_language() == "en"


def test_text_renders_in_the_current_language():
    t = Text("Norm", "范数")
    assert t == "Norm" and f"{t}" == "Norm" and str(t) == "Norm"
    with i18n.language("zh"):
        assert f"[{t}]" == "[范数]" and str(t) == "范数" and t.en == "Norm"
    with pytest.raises(ValueError, match="no Chinese"):
        Text("x", " ")


def _texts(ex) -> list[tuple[str, object]]:
    out = [("prompt", ex.prompt), ("solution_text", ex.solution_text)]
    out += [(f"hints[{i}]", h) for i, h in enumerate(ex.hints)]
    if isinstance(ex, ChoiceExercise):
        out += [(f"options[{k}]", v) for k, v in ex.options.items()]
        out += [(f"explanations[{k}]", v) for k, v in ex.explanations.items()]
    return out


@pytest.mark.parametrize("ex_id", IDS)
def test_every_exercise_text_has_both_languages(ex_id):
    for field, value in _texts(EXERCISES[ex_id]):
        assert isinstance(value, Text), f"{ex_id}.{field} is a plain string: use Text(en, zh)"
        assert has_chinese(value.zh), f"{ex_id}.{field}: the Chinese text has no Chinese"


@pytest.mark.parametrize("ex_id", IDS)
def test_exercise_texts_follow_the_glossary(ex_id):
    for field, value in _texts(EXERCISES[ex_id]):
        problems = glossary.check_translation(value.en, value.zh)
        assert not problems, f"{ex_id}.{field}: {problems}"


def _answers(ex) -> list[object]:
    """Right and wrong answers of every kind, to see every message a learner can get."""
    if isinstance(ex, NumericExercise):
        want = np.asarray(ex.expected(), dtype=float)
        return [None, "text", want, want * 10 + 1, np.zeros(want.shape + (2,)), want * np.nan]
    if isinstance(ex, ChoiceExercise):
        return [None, "zz", *ex.options]
    answers: list[object] = [None, 42, lambda *a, **k: None, lambda *a, **k: 1 / 0,
                             lambda *a, **k: 7.0, lambda *a, **k: [np.nan]]
    if ex.solution_text.startswith("def "):
        namespace = {"np": np}
        exec(str(ex.solution_text), namespace)  # our own reference text
        answers += [v for k, v in namespace.items() if callable(v) and k != "np"]
    return answers


@pytest.mark.parametrize("ex_id", IDS)
def test_feedback_hints_and_solutions_speak_chinese(zh, ex_id):
    ex = EXERCISES[ex_id]
    for answer in _answers(ex):
        fb = ex.check(answer)
        assert has_chinese(fb.message) and has_chinese(str(fb)), (ex_id, answer, fb.message)
    assert has_chinese(repr(ex)) and has_chinese(ex.hint()) and has_chinese(ex.solution())


@pytest.mark.parametrize("ex_id", [i for i in IDS if isinstance(EXERCISES[i], FunctionExercise)
                                   and EXERCISES[i].solution_text.startswith("def ")])
def test_the_chinese_code_solution_passes_its_own_check(zh, ex_id):
    ex = EXERCISES[ex_id]
    namespace = {"np": np}
    exec(ex.solution_text.zh, namespace)
    (fn,) = [v for k, v in namespace.items() if callable(v) and k != "np"]
    assert ex.check(fn), f"{ex_id}: the Chinese solution fails its own check"


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        f = node.func
        return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
    return ""


def _exempt(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        name = _call_name(node)
        if name in _BILINGUAL or name in _ENGLISH_OK or isinstance(node, (ast.Raise, ast.Assert)):
            return True
        if name.endswith("Error") and name != "StudentError":
            return True
    return False


def _untranslated(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    parents = _parents(tree)
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef,
                                    ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr)
                  and isinstance(n.body[0].value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if id(node) in docstrings or not _WORDS.search(node.value):
            continue
        if "# not for learners" in lines[node.lineno - 1] or _exempt(node, parents):
            continue
        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}")
    return found


@pytest.mark.parametrize("path", LEARNER_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_learner_facing_strings_are_bilingual(path):
    found = _untranslated(path)
    assert not found, "English-only text a learner reads (wrap it in tr(en, zh)):\n" + "\n".join(
        found)
