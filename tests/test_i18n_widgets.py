"""What a learner reads from the explorers, the lab, the article, the glossary and setup()
follows ``cq.set_language`` (issue 17): Chinese in ``zh``, and English exactly as before.

The AST scan of ``tests/test_i18n.py`` sees only strings of three or more words; widget labels
are often one or two, so here every explorer is built in ``zh`` and its widget tree is walked.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import clipq_edu as cq  # noqa: E402
from clipq_edu import glossary  # noqa: E402
from clipq_edu.course import article, lab  # noqa: E402
from clipq_edu.i18n import has_chinese, language  # noqa: E402
from clipq_edu.widgets import _base  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

#: Cheap arguments for each explorer (small runs; the defaults for the rest).
ARGS: dict[str, dict] = {
    "barren_plateau": {"qubits": 2, "depth": 4},
    "clip_geometry": {},
    "gradient_estimators": {"n_repeats": 20},
    "quartic_descent": {},
    "shots_histogram": {},
    "training_telemetry": {},
}
#: The English titles, exactly as the English notebooks show them.
TITLES = {
    "barren_plateau": "Barren plateau: gradient variance vs qubits",
    "clip_geometry": "Clip a 2-D gradient",
    "gradient_estimators": "Gradient estimators under a shot budget",
    "quartic_descent": "Gradient descent on x⁴ from x₀ = 10",
    "shots_histogram": "Counts from shots",
    "training_telemetry": "Training telemetry under gradient clipping",
}
#: Texts that may stay without Chinese: symbols of the maths, not words.
WHITELIST = {
    "g₁", "g₂",  # clip_geometry: the gradient's components
}
#: Input scales of training_telemetry ("x1", "x10", "x30"): a factor, not a word.
_FACTOR = re.compile(r"x\d+(\.\d+)?")
_TAG = re.compile(r"<[^>]*>")


def test_every_explorer_is_covered():
    assert set(cq.widgets.explorer_names()) == set(ARGS) == set(TITLES)


def _build(name: str):
    return getattr(cq.widgets, name)(**ARGS[name])


_BUILT: dict[tuple[str, str], object] = {}


def _explorer(name: str, lang: str):
    """One explorer per (name, language), shared by the tests that only read it (the
    barren-plateau explorer simulates in a background thread: build it twice, not ten times)."""
    if (name, lang) not in _BUILT:
        with language(lang):
            _BUILT[name, lang] = _build(name)
    return _BUILT[name, lang]


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _texts(widget) -> list[tuple[str, str]]:
    """(where, text) of everything a learner reads on one widget."""
    kind = type(widget).__name__
    out = []
    if getattr(widget, "description", ""):
        out.append((f"{kind}.description", widget.description))
    for attr in ("tooltip", "placeholder"):
        if getattr(widget, attr, None):
            out.append((f"{kind}.{attr}", getattr(widget, attr)))
    if kind in ("Label", "HTML", "HTMLMath") and widget.value:
        out.append((f"{kind}.value", _TAG.sub("", widget.value)))
    if hasattr(widget, "_options_labels") and kind != "SelectionSlider":
        out += [(f"{kind} option", label) for label in widget._options_labels]
    if kind == "SelectionSlider":  # its labels are the shot counts: numbers only
        assert all(label.replace("_", "").isdigit() for label in widget._options_labels)
    return out


def _needs_chinese(text: str) -> bool:
    text = text.strip()
    if text in WHITELIST or _FACTOR.fullmatch(text):
        return False
    return bool(re.search(r"[A-Za-z]", text))


@pytest.mark.parametrize("name", sorted(ARGS))
def test_every_label_of_an_explorer_is_chinese_in_zh(name):
    explorer = _explorer(name, "zh")
    with language("zh"):
        texts = [t for w in _walk(explorer.widget) for t in _texts(w)]
        title = explorer._repr_mimebundle_()["text/plain"]
    assert len(texts) >= 4, texts
    missing = [(where, text) for where, text in texts
               if _needs_chinese(text) and not has_chinese(text)]
    assert not missing, f"{name}: English-only text in zh: {missing}"
    assert has_chinese(explorer.title) and title.startswith(f"{explorer.title}（") and title.endswith("）")
    assert not title.startswith(TITLES[name])


@pytest.mark.parametrize("name", sorted(ARGS))
def test_english_explorers_are_unchanged(name):
    explorer = _explorer(name, "en")
    assert explorer.title == TITLES[name]
    settings = ", ".join(f"{k}={v!r}" for k, v in explorer.values().items())
    assert explorer._repr_mimebundle_()["text/plain"] == f"{TITLES[name]} ({settings})"
    texts = [text for w in _walk(explorer.widget) for _, text in _texts(w)]
    assert not any(has_chinese(text) for text in texts), texts


def test_english_controls_keep_their_labels():
    clip = _explorer("clip_geometry", "en")
    assert [c.description for c in clip.controls.values()] == ["method", "bound c", "g₁", "g₂"]
    assert list(clip.controls["method"]._options_labels) == ["value", "norm", "global_norm"]
    tel = _explorer("training_telemetry", "en")
    assert [c.description for c in tel.controls.values()] == [
        "clipping", "bound c", "input scale", "optimiser"]
    assert list(tel.controls["method"]._options_labels) == [
        "no clipping", "by value (clipvalue)", "by norm, per tensor (clipnorm)",
        "by global norm (global_clipnorm)"]
    assert list(tel.controls["optimizer"]._options_labels) == ["SGD (lr 0.1)", "Adam (lr 0.01)"]
    shots = _explorer("shots_histogram", "en")
    assert [c.description for c in shots.controls.values()] == ["circuit", "shots N", "seed"]
    assert list(shots.controls["circuit"]._options_labels) == ["bell", "ghz3", "plus2"]



# ------------------------------------------------------------------ labels fit their boxes
#: Widths in px of some labels as Chromium renders them at JupyterLab's 13 px UI font (Noto
#: Sans CJK SC, DejaVu Sans), measured on 2026-11-30: the estimate must not be below them.
MEASURED_PX = {
    "量子比特数 n": 77.4, "测量次数 N": 65.9, "阈值 c": 37.3, "input scale": 71.1,
    "optimiser": 61.3, "method": 50.2, "depth": 37.8, "SGD (lr 0.1)": 76.4,
    "by norm, per tensor (clipnorm)": 200.3, "by global norm (global_clipnorm)": 214.9,
    "按全局范数裁剪（global_clipnorm）": 219.8, "global_norm（按全局范数裁剪）": 197.1,
    "ghz3（3 量子比特 GHZ 态）": 172.0, "Adam（学习率 0.01）": 135.6,
}


def test_width_estimate_is_an_upper_bound_of_the_rendered_width():
    for text, px in MEASURED_PX.items():
        assert px <= _base.text_width_px(text) <= 1.25 * px + 4, text


def _px(width: str, default: float) -> float:
    """A CSS width as pixels: "" is ipywidgets' default, "initial" fits any label."""
    if width in ("", None):
        return default
    if width == "initial":
        return float("inf")
    assert width.endswith("px"), width
    return float(width[:-2])


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", sorted(ARGS))
def test_every_label_fits_its_box(name, lang):
    """By the estimate of ``_base.text_width_px``, no description and no dropdown option is
    cut: each fits the default box or its box was widened (aligned within an explorer)."""
    explorer = _explorer(name, lang)
    described = [w for w in _walk(explorer.widget) if getattr(w, "description", "")]
    assert len(described) >= 2
    widths = set()
    for w in described:
        box = _px(w.style.description_width, _base.DESCRIPTION_WIDTH_PX)
        widths.add(w.style.description_width)
        assert _base.text_width_px(w.description) <= box, (name, lang, w.description, box)
        if type(w).__name__ == "Dropdown":
            label_box = box if box != float("inf") else _base.text_width_px(w.description)
            room = (_px(w.layout.width, _base.CONTROL_WIDTH_PX) - label_box
                    - _base.LABEL_GAP_PX - _base.SELECT_CHROME_PX)
            for label in w._options_labels:
                assert _base.text_width_px(label) <= room, (name, lang, label, room)
    assert len(widths) == 1, f"{name} ({lang}): descriptions not aligned: {widths}"


@pytest.mark.parametrize("name", sorted(ARGS))
def test_english_descriptions_keep_the_default_box(name):
    """Every English description fits ipywidgets' 80 px box: none is widened."""
    explorer = _explorer(name, "en")
    for w in _walk(explorer.widget):
        if getattr(w, "description", ""):
            assert w.style.description_width == "", (name, w.description)
            assert _base.text_width_px(w.description) <= _base.DESCRIPTION_WIDTH_PX


def test_long_chinese_label_widens_every_box_of_its_explorer():
    plateau = _explorer("barren_plateau", "zh")
    assert plateau.controls["qubits"].description == "量子比特数 n"
    assert {c.style.description_width for c in plateau.controls.values()} == {"88px"}
    controls = [widgets.IntSlider(description="深度"), widgets.Dropdown(options=["a", "b"])]
    _base.fit_labels(controls)
    assert controls[0].style.description_width == "" and controls[1].layout.width is None
    wide = [widgets.IntSlider(description="很长很长的中文标签"), widgets.IntSlider(description="n")]
    _base.fit_labels(wide)
    assert [c.style.description_width for c in wide] == ["132px", "132px"]


#: Values each explorer's ``validate`` refuses, one per message it can give.
BAD = {
    "barren_plateau": [{"qubits": 9, "depth": 4, "init": "random"},
                       {"qubits": 2, "depth": 99, "init": "random"},
                       {"qubits": 2, "depth": 4, "init": "haar"},
                       {"qubits": 2, "depth": 5, "init": "identity"}],
    "clip_geometry": [{"method": "l1", "bound": 1.0, "gx": 1.0, "gy": 1.0},
                      {"method": "norm", "bound": 0.0, "gx": 1.0, "gy": 1.0}],
    "gradient_estimators": [{"shots": 0, "h": 0.1, "component": 0, "bins": 40},
                            {"shots": 10, "h": 9.0, "component": 0, "bins": 40},
                            {"shots": 10, "h": 0.1, "component": 7, "bins": 40},
                            {"shots": 10, "h": 0.1, "component": 0, "bins": 1}],
    "quartic_descent": [{"learning_rate": 0.0, "clip": 1.0}, {"learning_rate": 0.1, "clip": float("nan")}],
    "shots_histogram": [{"circuit": "w", "shots": 100, "seed": 0},
                        {"circuit": "bell", "shots": 7, "seed": 0},
                        {"circuit": "bell", "shots": 100, "seed": -1}],
    "training_telemetry": [{"method": "l1", "bound": 1.0, "input_scale": 1.0, "optimizer": "sgd"},
                           {"method": "none", "bound": "1", "input_scale": 1.0,
                            "optimizer": "sgd"},
                           {"method": "none", "bound": 1e6, "input_scale": 1.0,
                            "optimizer": "sgd"},
                           {"method": "none", "bound": 1.0, "input_scale": 2.0,
                            "optimizer": "sgd"},
                           {"method": "none", "bound": 1.0, "input_scale": 1.0,
                            "optimizer": "rmsprop"}],
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_explorer_messages_follow_the_language(name):
    explorer = _explorer(name, "en")
    for values in BAD[name]:
        english = explorer.validate(**values)
        assert english and not has_chinese(english), (values, english)
        with language("zh"):
            chinese = explorer.validate(**values)
        assert has_chinese(chinese), (values, chinese)


def test_base_messages_follow_the_language():
    explorer = _build("clip_geometry")
    explorer.set(method="l1")  # refused by the dropdown itself
    assert "is not accepted" in explorer.message and not has_chinese(explorer.message)
    with language("zh"):
        explorer.set(method="l1")
        assert has_chinese(explorer.message) and has_chinese(f"{_base.COMPUTING}")

        def broken():
            raise RuntimeError("boom")

        explorer.flush = broken
        explorer._render_pending()
        assert has_chinese(explorer.message) and "boom" in explorer.message
    assert f"{_base.COMPUTING}" == "computing…"


# ------------------------------------------------------------------------------------- lab
def _fake_run(accuracy: float) -> lab.LabRun:
    """A LabRun with hand-made telemetry: diagnose() without TensorFlow."""
    tel = SimpleNamespace(
        norm_before=np.array([1.0, 2.0, 1.5, 40.0, np.nan]),
        layer_norms=np.array([[1.0, 0.1], [2.0, 0.2], [1.5, 0.1], [40.0, 0.3], [np.nan] * 2]),
        weight_names=["angles/kernel:0", "pqc/weights:0"], epoch_loss=np.array([0.9, 0.7]),
        loss=np.array([0.9, 0.8, 0.7, 0.75, np.nan]),
        summary=lambda: {"clipped_fraction": 0.25, "skipped_steps": [4]})
    return lab.LabRun(lab.LabSettings(), tel, accuracy, 0.6)


DIAGNOSIS_EN = """\
• gradient norm: median 1.75, max 40 (22.9x the median: spiky)
• median gradient norm per weight tensor: angles/kernel 1.75, pqc/weights 0.15
• batch loss: lowest 0.7, non-finite in 1 of 5 steps
• clipping changed the gradient in 25% of steps
• mean loss fell by 0.2 from the first to the last epoch (final 0.7; always answering 0.5 gives 0.693)
• test accuracy {accuracy} on 40 points ({verdict}more than two standard errors (0.16) above chance 0.5)
• 1 step(s) skipped for NaN/Inf gradients"""


@pytest.mark.parametrize(("accuracy", "verdict"), [(0.55, "not "), (0.9, "")])
def test_diagnosis_in_both_languages(accuracy, verdict):
    """The diagnosis reports (it names no cause: the capstone's learner judges)."""
    english = str(lab.diagnose(_fake_run(accuracy)))
    assert english == DIAGNOSIS_EN.format(accuracy=f"{accuracy:.2f}", verdict=verdict)
    with language("zh"):
        chinese = lab.diagnose(_fake_run(accuracy))
    assert len(chinese.findings) == 7 and all(has_chinese(line) for line in chinese.findings)
    assert "angles/kernel" in str(chinese) and "22.9" in str(chinese)
    assert ("没有比" in str(chinese)) == (accuracy < 0.66)


def test_seed_table_and_results_table_in_both_languages():
    table = lab.SeedTable({"as delivered": lab.SeedSpread(np.array([0.5, 0.6]),
                                                          np.array([3.0, 9.0]))})
    assert str(table) == ("as delivered             test accuracy 0.55 ± 0.07, spike ratio "
                          "3.0 to 9.0")
    assert lab.ResultsTable()._repr_markdown_() == "(no runs)"
    with language("zh"):
        assert has_chinese(str(table)) and "0.55 ± 0.07" in str(table)
        assert has_chinese(lab.ResultsTable()._repr_markdown_())


# --------------------------------------------------------------------------------- article
def test_article_listing_and_defect_table_in_both_languages():
    caption = "Quoted from the source article, section 4 (not executed: it cannot run)."
    assert article.listing().caption == caption
    md = article.defect_table()._repr_markdown_()
    assert md.splitlines()[0] == "| # | line | code | what is wrong | the fix |"
    assert not has_chinese(md)
    assert repr(article.defect_table()).startswith(
        "1. line 2: from qiskit import QuantumCircuit, Aer, transpile, assemble\n   problem: ")
    with language("zh"):
        assert has_chinese(article.listing().caption)
        assert article.ARTICLE_LISTING in repr(article.listing(numbered=False))
        rows = article.defect_table()._repr_markdown_().splitlines()
        text = repr(article.defect_table())
    assert has_chinese(rows[0]) and len(rows) == len(article.DEFECTS) + 2
    for d, row in zip(article.DEFECTS, rows[2:], strict=True):
        problem, fix = row.split(" | ")[3:5]
        assert has_chinese(problem), d.key
        assert has_chinese(fix) or d.fix.startswith("`"), d.key  # a fix that is code only
        with language("zh"):
            assert has_chinese(f"{d.evidence}"), d.key
    assert "问题：" in text and "修正：" in text


# -------------------------------------------------------------------------------- glossary
def test_glossary_has_a_chinese_meaning_for_every_term():
    for term in glossary.TERMS:
        assert has_chinese(term.meaning_zh), term.english
        assert not has_chinese(term.meaning), term.english
        assert glossary.check_translation(term.meaning, term.meaning_zh) == [], term.english
    old_style = glossary.Term("x", "甲", "a meaning")  # three fields still make a Term
    assert old_style.meaning_zh == "" and old_style.meaning_in("zh") == "a meaning"


def test_glossary_table_in_both_languages():
    md = glossary.show()._repr_markdown_().splitlines()
    assert md[0] == "| English | 中文 | meaning in this course |"
    assert md[2] == ("| gradient clipping | 梯度裁剪 | shrinking a gradient that exceeds a bound "
                     "before the update |")
    with language("zh"):
        md_zh = glossary.show()._repr_markdown_().splitlines()
        text_zh = str(glossary.show()).splitlines()
    assert md_zh[0] == "| English | 中文 | 含义 |"
    for term, row, line in zip(glossary.TERMS, md_zh[2:], text_zh, strict=True):
        assert row == f"| {term.english} | {term.chinese} | {term.meaning_zh} |"
        assert line == f"{term.english} — {term.chinese}：{term.meaning_zh}"


# --------------------------------------------------------------------------- setup and _tf
SETUP_EN = ("clipq_edu ready: seed=0, Python 3.11.7\n"
            "Keras used by TensorFlow: tf-keras 2.x; TensorFlow not loaded yet (loads on first "
            "use)\nCPUs usable: 2; memory limit: none\n"
            "versions: numpy 2.0.2, tensorflow MISSING")


def test_setup_report_in_both_languages():
    report = cq.EnvReport(seed=0, python="3.11.7",
                          versions={"numpy": "2.0.2", "tensorflow": None},
                          keras="tf-keras 2.x", cpus=2)
    assert str(report) == SETUP_EN
    loaded = cq.EnvReport(seed=0, python="3.11.7", cpus=2, memory_limit_gb=4.0,
                          tensorflow_loaded=True)
    assert "TensorFlow loaded" in str(loaded) and "memory limit: 4.0 GB" in str(loaded)
    with language("zh"):
        for r in (report, loaded):
            assert all(has_chinese(line) for line in r.lines())
            assert has_chinese(r._repr_html_())
    assert str(cq.setup()).startswith("clipq_edu ready: seed=0")


def test_tensorflow_loading_lines_are_bilingual():
    """_tf prints only inside a Jupyter kernel (and importing it loads TensorFlow): read it."""
    tree = ast.parse((ROOT / "clipq_edu/_tf.py").read_text(encoding="utf-8"))
    prints = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Name) and n.func.id == "print"]
    assert len(prints) >= 2  # loading, ready (with and without TensorFlow Quantum)
    for call in prints:
        text = call.args[0]
        assert isinstance(text, ast.Call) and text.func.id == "tr"
        assert has_chinese(ast.unparse(text.args[1]))
    assert "Loading TensorFlow and TensorFlow Quantum (once per kernel) ..." in ast.unparse(tree)


# ------------------------------------------------------------------- the glossary's words
MODULES = sorted([*ROOT.glob("clipq_edu/widgets/*.py"), ROOT / "clipq_edu/course/lab.py",
                  ROOT / "clipq_edu/course/article.py", ROOT / "clipq_edu/glossary.py",
                  ROOT / "clipq_edu/_setup.py", ROOT / "clipq_edu/_tf.py"])


def _literal(node: ast.AST) -> str | None:
    """The text of a string literal or f-string (each ``{...}`` as ``{}``), else ``None``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_translations_use_the_glossary(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pairs = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("tr", "Text") and len(node.args) == 2):
            en, zh = (_literal(a) for a in node.args)
            if en is not None and zh is not None:
                pairs.append((en, zh))
    assert pairs or path.name in ("__init__.py", "_render.py")  # _render.py: no words shown
    for en, zh in pairs:
        if re.search("[A-Za-z]", en.replace("{}", "")):
            assert has_chinese(zh), (en, zh)
        assert glossary.check_translation(en, zh) == [], (en, zh)


# ------------------------------------------------------------------ figure text (issue 29)
#: Words that are names or symbols in both languages.
FIGURE_SYMBOLS = {"Var", "SPSA", "BCE", "bell", "ghz3", "plus2", "Wilson", "SGD", "Adam"}


def _figure_texts(explorer) -> list[str]:
    out = []
    for ax in explorer.figure.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), *(t.get_text() for t in ax.texts)]
        if ax.get_legend() is not None:
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    return [t for t in out if t.strip()]


@pytest.mark.parametrize("name", sorted(ARGS))
def test_every_figure_text_of_an_explorer_is_chinese_in_zh(name):
    explorer = _explorer(name, "zh")
    with language("zh"):
        texts = _figure_texts(explorer)
    assert len(texts) >= 3, texts
    english = [t for t in texts if not has_chinese(t)
               and set(re.findall(r"[A-Za-z]{3,}", t)) - FIGURE_SYMBOLS]
    assert not english, f"{name}: English-only figure text in zh: {english}"
    with language("en"):
        en_texts = _figure_texts(_explorer(name, "en"))
    assert not any(has_chinese(t) for t in en_texts), en_texts
