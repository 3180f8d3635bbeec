"""clipq_edu._figcheck: overlapping text in figures is found, readable figures pass."""

from __future__ import annotations

import os
import subprocess
import sys

import matplotlib.pyplot as plt

from clipq_edu import _figcheck


def test_overlapping_titles_are_found():
    fig, axes = plt.subplots(1, 3, figsize=(4, 2))
    for i, ax in enumerate(axes):
        ax.set_title(f"a rather long title number {i}")
    pairs = _figcheck.text_overlaps(fig)
    plt.close(fig)
    assert ("a rather long title number 0", "a rather long title number 1") in pairs


def test_a_tidy_figure_has_no_overlaps():
    fig, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
    ax.plot([0, 1], [0, 1], label="line")
    ax.set(xlabel="x (units)", ylabel="y (units)", title="Tidy")
    ax.legend()
    assert _figcheck.text_overlaps(fig) == []
    plt.close(fig)


def test_watch_figure_reports_on_draw_only_when_enabled():
    code = (
        "import matplotlib; matplotlib.use('Agg')\n"
        "import clipq_edu, matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots(); ax.text(.5, .5, 'one'); ax.text(.5, .5, 'two')\n"
        "fig.canvas.draw(); fig.canvas.draw()\n"
    )
    env = {**os.environ, "CLIPQ_EDU_CHECK_FIGURES": "1", "MPLBACKEND": "Agg"}
    on = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    env["CLIPQ_EDU_CHECK_FIGURES"] = "0"
    off = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert on.returncode == 0 and off.returncode == 0, on.stderr + off.stderr
    assert on.stdout.count(_figcheck.MARKER) == 1  # once per figure, however often drawn
    assert _figcheck.MARKER not in off.stdout


def test_twin_axes_and_hidden_ticks_are_not_counted_twice():
    fig, ax = plt.subplots(figsize=(5, 3), layout="constrained")
    ax.plot([0, 10], [0, 1])
    ax.twinx().plot([0, 10], [5, 1])
    ax.set_xlim(0.5, 9.5)  # ticks at 0 and 10 exist but are not drawn
    assert _figcheck.text_overlaps(fig) == []
    plt.close(fig)


def test_the_watch_leaves_saved_figures_intact(monkeypatch):
    """The draw-time check must not blank the image being saved (it did: asking the canvas
    for its renderer inside print_figure swapped in a new, empty Agg renderer)."""
    import io

    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from clipq_edu import _figcheck

    monkeypatch.setenv("CLIPQ_EDU_CHECK_FIGURES", "1")
    fig, ax = plt.subplots(figsize=(3, 2), dpi=100)
    _figcheck.watch_figure(fig)
    ax.plot([0, 1, 2], [0, 1, 4], lw=3)
    ax.set_title("a title")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=72, bbox_inches="tight")  # as the inline backend does
    plt.close(fig)
    pixels = np.asarray(Image.open(buf).convert("RGBA"))
    assert pixels[..., 3].max() == 255 and pixels[..., :3].min() < 100, "the saved figure is blank"


def test_tick_labels_running_into_the_neighbouring_panel_are_found():
    """07's "Did it learn?" bars: long run names left of the bars reached into the left panel
    without touching any other text (issue 26, item 12)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 2.5))
    left.plot([0, 1], [0, 1])
    right.barh(["standardised + lr 0.03 and a long name", "no clipping"], [0.9, 0.5])
    fig.subplots_adjust(wspace=0.05)
    found = _figcheck.text_overlaps(fig)
    plt.close(fig)
    assert any(a == "standardised + lr 0.03 and a long name" and "axes 0" in b
               for a, b in found), found


def test_a_legend_drawn_over_the_next_panel_is_found():
    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 2.5))
    left.plot([0, 1], [0, 1], label="a legend entry")
    right.plot([0, 1], [1, 0])
    fig.subplots_adjust(wspace=0.3)
    left.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
    found = _figcheck.text_overlaps(fig)
    plt.close(fig)
    assert ("a legend entry", "the plotting area of axes 1") in found, found


def test_twins_insets_and_side_by_side_panels_pass():
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3), layout="constrained")
    left.plot([0, 1], [0, 1])
    left.twinx().set_ylabel("right axis (units)")
    inset = left.inset_axes([0.6, 0.6, 0.35, 0.35])
    inset.plot([0, 1], [1, 0])
    inset.set_title("inset", fontsize="small")
    right.barh(["a", "b"], [0.5, 0.7])
    right.set(xlabel="x (units)", title="bars")
    fig.suptitle("a figure title")
    assert _figcheck.text_overlaps(fig) == []
    plt.close(fig)


def test_text_in_another_panel_is_reported_as_its_own_warning_category():
    code = (
        "import matplotlib; matplotlib.use('Agg')\n"
        "import clipq_edu, matplotlib.pyplot as plt\n"
        "fig, (a, b) = plt.subplots(1, 2, figsize=(6, 2.5)); a.plot([0, 1])\n"
        "b.barh(['a very long run name here', 'b'], [0.9, 0.5]); fig.subplots_adjust(wspace=0.05)\n"
        "fig.canvas.draw()\n"
    )
    env = {**os.environ, "CLIPQ_EDU_CHECK_FIGURES": "1", "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert _figcheck.PANEL_MARKER in out.stdout and "'a very long run name here'" in out.stdout
    assert _figcheck.MARKER not in _figcheck.PANEL_MARKER  # the static notebook test's marker
