"""The library's figures, tables and listings speak the learner's language (issue 29).

Built after ``set_language("zh")``, a course figure has Chinese title, axis labels and legend;
the scaling and results tables print Chinese headers; ``show_source`` shows the Chinese docstring
and exactly the same code lines; constant help texts (``KERAS3_HELP``) follow the language. In
English everything reads as before.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import clipq_edu as cq  # noqa: E402
from clipq_edu import _display, plotting  # noqa: E402
from clipq_edu._docs_zh import DOCS_ZH  # noqa: E402
from clipq_edu.course import lab, scaling, toys  # noqa: E402
from clipq_edu.i18n import has_chinese, language  # noqa: E402
from clipq_edu.quantum import sampling  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _texts(ax) -> dict[str, object]:
    legend = ax.get_legend()
    return {"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
            "legend": [t.get_text() for t in legend.get_texts()] if legend else []}


def _all_chinese(texts: dict[str, object], skip: tuple[str, ...] = ()) -> None:
    for key, value in texts.items():
        if key in skip:
            continue
        for text in value if isinstance(value, list) else [value]:
            assert has_chinese(text), (key, text)


def _fake_run(name_seed: int, accuracy: float) -> lab.LabRun:
    """A LabRun with a stand-in telemetry (no TensorFlow): enough for tables and plots."""
    norms = np.random.default_rng(name_seed).uniform(0.5, 5.0, size=12)
    telemetry = SimpleNamespace(norm_before=norms, summary=lambda: {"clipped_fraction": 0.25})
    return lab.LabRun(lab.LabSettings(), telemetry, accuracy, accuracy + 0.01)


def test_lab_figures_in_chinese_and_english():
    with language("zh"):
        _all_chinese(_texts(lab.plot_loss_slopes()), skip=("ylabel",))  # ylabel: |dL/dp|
        fig = lab.plot_runs({"a": _fake_run(0, 0.5), "b": _fake_run(1, 0.9)})
        norm_ax, acc_ax = fig.axes
        _all_chinese({k: v for k, v in _texts(norm_ax).items() if k != "legend"})
        assert has_chinese(acc_ax.get_title()) and has_chinese(acc_ax.get_xlabel())
    plt.close("all")
    english = _texts(lab.plot_loss_slopes())
    assert english["title"] == "A confidently wrong prediction: slope of the loss"
    assert not any(has_chinese(t) for t in [english["title"], english["xlabel"], *english["legend"]])
    plt.close("all")


def test_plotting_and_sampling_figures_in_chinese():
    with language("zh"):
        _, axes = plt.subplots(1, 2)
        plotting.plot_clip_geometry([3.0, 1.0], 1.0, "value", ax=axes[0])
        _all_chinese(_texts(axes[0]))
        runs = {"clip 1": toys.gradient_descent(toys.quartic_grad, 10.0, 0.01, 2_000, clip=1.0)}
        _all_chinese(_texts(plotting.plot_descent(runs)), skip=("legend",))
        ax = sampling.plot_counts({"00": 48, "11": 52})
        _all_chinese(_texts(ax))
    plt.close("all")


def test_shot_training_plot_in_chinese():
    from clipq_edu.training.shots import ShotTrainingResult

    fake = SimpleNamespace(loss=[1.0, 0.5, 0.2], exact_loss=[0.9, 0.4, 0.1])
    with language("zh"):
        ax = ShotTrainingResult.plot(fake)
        _all_chinese(_texts(ax))
    plt.close("all")


def test_scaling_table_in_chinese():
    table = scaling.ScalingTable([
        scaling.Condition(30.0, "sgd", None, 0.5, (0.5, 0.51), 0.0, 30.0, 0.001),
        scaling.Condition(1.0, "adam", 1.0, 0.05, (0.99, 0.98), 0.04),
    ])
    english = str(table).splitlines()
    assert english[0].startswith("condition") and table[0].label in english[1]
    with language("zh"):
        lines = str(table).splitlines()
    assert lines[0].startswith("条件") and "测试准确率" in lines[0] and "被裁剪" in lines[0]
    assert "不裁剪" in lines[1] and "裁剪=1" in lines[2]
    # the numbers end in the same column as in English (a Chinese character is two columns)
    assert [_display_width(line) for line in lines] == [_display_width(line) for line in english]


def test_results_table_headers_in_chinese():
    table = lab.results_table({"no clipping": _fake_run(0, 0.5), "fixed": _fake_run(1, 0.9)})
    assert list(table[0]) == ["run", "clip", "spike_ratio", "clipped_fraction",
                              "train_accuracy", "test_accuracy"]  # code reads English keys
    assert table[0]["clip"] == "none"
    assert str(table).splitlines()[0].split()[:2] == ["run", "clip"]
    with language("zh"):
        md = table._repr_markdown_().splitlines()
        text = str(table).splitlines()
    assert md[0] == "| 运行 | 裁剪 | 尖峰比 | 被裁剪的比例 | 训练准确率 | 测试准确率 |"
    assert "| 无 |" in md[2] and text[0].startswith("运行")
    assert len(text) == 3


def test_gdresult_repr_in_chinese():
    run = toys.gradient_descent(toys.quartic_grad, 10.0, 0.2, 100_000, clip=1.0)
    assert "converged in" in repr(run)
    with language("zh"):
        assert re.search(r"\d+ 次迭代后收敛", repr(run)), repr(run)


def test_keras3_help_follows_the_language():
    assert str(cq.KERAS3_HELP).startswith("tf.keras is Keras 3 here")
    with language("zh"):
        shown = str(cq.KERAS3_HELP)
        assert has_chinese(shown) and "TF_USE_LEGACY_KERAS=1" in shown
        assert "重启内核" in f"{cq.KERAS3_HELP}"
    assert cq.KERAS3_HELP.en.startswith("tf.keras is Keras 3 here")  # what the error carries


def _resolve(key: str):
    parts = key.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise LookupError(key)


def _shown_functions() -> set[str]:
    """The ``show_source(...)`` arguments of the English notebooks."""
    found = set()
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        found |= set(re.findall(r"show_source\(([\w.]+)\)", path.read_text(encoding="utf-8")))
    return found


def test_every_shown_function_with_a_docstring_has_a_chinese_one():
    shown = _shown_functions()
    assert len(shown) >= 10
    have = {".".join(k.split(".")[-2:]) for k in DOCS_ZH}
    for name in shown:
        if ".".join(name.split(".")[-2:]) in have:
            continue
        # allowed only for a function without a docstring of its own (AutoClip.apply)
        assert name == "clipping.AutoClip.apply", name
        code = cq.show_source(cq.clipping.AutoClip.apply).code
        assert ast.get_docstring(ast.parse(_display.textwrap.dedent(code)).body[0]) is None


@pytest.mark.parametrize("key", sorted(DOCS_ZH))
def test_show_source_in_chinese_keeps_the_code(key):
    obj = _resolve(key)
    listing = cq.show_source(obj)
    english = repr(listing).splitlines()
    assert english[0].startswith("# source of " + key)
    assert english[1:] == listing.code.splitlines()
    with language("zh"):
        chinese = repr(listing).splitlines()
        markdown = listing._repr_markdown_()
    assert chinese[0].startswith(f"# {key} 的源代码") and markdown.startswith("```python")
    assert has_chinese("\n".join(chinese[1:]))
    # the same code: both parse, and the ASTs agree once docstrings are set aside
    tree_en = ast.parse(_display.textwrap.dedent("\n".join(english[1:])))
    tree_zh = ast.parse(_display.textwrap.dedent("\n".join(chinese[1:])))
    node_en, node_zh = tree_en.body[0], tree_zh.body[0]
    assert ast.get_docstring(node_zh, clean=True) == DOCS_ZH[key]
    node_en.body, node_zh.body = node_en.body[1:], node_zh.body[1:]
    assert ast.dump(tree_en) == ast.dump(tree_zh)
    # and the very same lines after the docstring
    after = len(english) - node_en.body[0].lineno  # lines from the first statement on
    assert english[len(english) - after:] == chinese[len(chinese) - after:]
    assert len(english) - after > 2 and len(chinese) - after > 2
    # doctest examples copied unchanged
    doc_en = ast.get_docstring(ast.parse(_display.textwrap.dedent(listing.code)).body[0])
    examples = [ln for ln in doc_en.splitlines() if ln.startswith(">>>")]
    assert examples == [ln for ln in DOCS_ZH[key].splitlines() if ln.startswith(">>>")]


def test_chinese_docstrings_use_the_course_terms():
    retired = ("单次测量", "特征值", "上界", "批次", "对数刻度", "遥测")
    for key, doc in DOCS_ZH.items():
        assert not any(word in doc for word in retired), key
        assert not re.search(r"单元(?!格)", doc), key


#: Files this round made bilingual: none of their Chinese strings may use a retired rendering.
_OWNED = [p for p in (ROOT / "clipq_edu").rglob("*.py")
          if not {"exercises", "widgets", "messages"} & set(p.relative_to(ROOT).parts)
          and p.name not in ("glossary.py", "i18n.py")]


@pytest.mark.parametrize("path", _OWNED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_library_strings_use_the_course_terms(path):
    chinese = [node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)
               and has_chinese(node.value)]
    for text in chinese:
        for word in ("单次测量", "特征值", "批次", "对数刻度", "遥测"):
            assert word not in text, (word, text)
        assert not re.search(r"单元(?!格)", text), text
        assert "上界" not in text, text  # the clipping bound is 阈值


def test_doctor_lines_in_chinese():
    import io

    from clipq_edu import doctor

    def low_memory() -> doctor.Check:
        return doctor.check_memory(Path("/nonexistent"), Path("/nonexistent"), host_available=1)

    with language("zh"):
        line = low_memory().line()
        out = io.StringIO()
        assert doctor.run(checks=(low_memory,), out=out) == 1
    assert "内存" in line and "修复：" in line and "关闭其他笔记本的内核" in line, line
    assert "1 项检查未通过：内存" in out.getvalue()
    assert "close other notebooks' kernels" in low_memory().line()


def test_dataset_repr_in_chinese():
    from clipq_edu import data

    task = data.article_task()
    assert repr(task).startswith("Dataset('article task: 8 features'")
    assert task.description == "article task: 8 features"  # the value compares as English
    with language("zh"):
        assert repr(task).startswith("Dataset('文章中的任务：8 个特征'")
        assert "（特征 ×30）" in repr(task.scaled(30))


def _code_tokens(source: str) -> list[tuple[int, str]]:
    import io
    import textwrap
    import tokenize

    return [(t.type, t.string) for t in
            tokenize.generate_tokens(io.StringIO(textwrap.dedent(source)).readline)
            if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.STRING)]


def test_show_source_comments_in_chinese_code_unchanged():
    from clipq_edu._docs_zh import COMMENTS_ZH

    listing = cq.show_source(cq.clipping.AutoClip.apply)
    with language("zh"):
        shown = repr(listing)
    assert all(zh in shown for zh in COMMENTS_ZH.values())
    assert not any(f"# {en}" in shown for en in COMMENTS_ZH)
    assert _code_tokens(shown.split("\n", 1)[1]) == _code_tokens(listing.code)
    # every translated comment is one that a shown function really has
    codes = "\n".join(cq.show_source(_resolve("clipq_edu." + name)).code
                      for name in _shown_functions() if name.startswith("clipping."))
    codes += "\n".join(cq.show_source(_resolve(k)).code for k in DOCS_ZH)
    assert all(f"# {en}" in codes for en in COMMENTS_ZH)


def test_no_clipping_label_follows_the_language():
    from clipq_edu.training.loop import describe_clip

    label = describe_clip(None)
    assert label == "no clipping" and f"{label}" == "no clipping"
    with language("zh"):
        assert f"({label})" == "(不裁剪)"


def test_telemetry_plot_in_chinese():
    from clipq_edu.training.loop import describe_clip
    from clipq_edu.training.telemetry import Telemetry

    norms = np.array([1.0, 3.0, 2.0])
    tel = Telemetry(loss=[0.7, 0.6, 0.5], norm_before=norms, norm_after=norms,
                    clip=describe_clip(None))
    with language("zh"):
        ax = tel.plot()
        _all_chinese(_texts(ax))
        assert ax.get_title() == "训练监控：梯度范数（不裁剪）"
    assert tel.plot().get_title() == "Gradient telemetry (no clipping)"
    plt.close("all")
