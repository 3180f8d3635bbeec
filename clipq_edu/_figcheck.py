"""Overlapping text in matplotlib figures: found at draw time, for tests and notebook runs.

:func:`text_overlaps` lists the pairs of visible text artists of a figure whose boxes on the
canvas intersect (titles running into each other, a y label over tick labels, ...).
:func:`watch_figure` is a matplotlib ``figure.hooks`` entry: with the environment variable
``CLIPQ_EDU_CHECK_FIGURES=1`` (the notebook tests set it), every figure created through pyplot
reports its overlaps on standard output when it is drawn, so the overlap shows up in the
notebook's output and the notebook test fails on it.
"""

from __future__ import annotations

import os
from typing import Any

#: Pixels two boxes may share before they count as overlapping (anti-aliasing, rounding).
TOLERANCE_PX = 1.5
MARKER = "clipq_edu figure check: overlapping text"


def _drawn_tick_labels(fig: Any) -> tuple[set[int], list[Any]]:
    """Ids of every tick label, and the tick labels matplotlib really draws (inside the view)."""
    every, drawn = set(), []
    for ax in fig.axes:
        for axis in ax._axis_map.values():  # x and y (and z) axes
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                every |= {id(tick.label1), id(tick.label2)}
            if not (axis.get_visible() and ax.get_visible()):
                continue  # e.g. the hidden x axis of a twinx() axes
            for tick in axis._update_ticks():  # the ticks inside the view interval
                drawn += [lab for lab in (tick.label1, tick.label2) if tick.get_visible()
                          and lab.get_visible()]
    return every, drawn


def _texts(fig: Any) -> list[Any]:
    from matplotlib.text import Text

    every_tick_label, drawn_tick_labels = _drawn_tick_labels(fig)
    found = []
    for artist in [t for t in fig.findobj(Text) if id(t) not in every_tick_label] + drawn_tick_labels:
        if not artist.get_visible() or not artist.get_text().strip():
            continue
        axes = artist.axes
        if axes is not None and not axes.get_visible():
            continue
        found.append(artist)
    return found


def _rectangle(text: Any, renderer: Any, tol: float) -> Any:
    """The four corners of a text's own (possibly rotated) box, shrunk by ``tol`` pixels.

    ``get_window_extent`` is the axis-aligned box around a rotated text, far larger than the
    glyphs for oblique tick labels; the rotated rectangle has the same centre, so it is
    rebuilt from the unrotated width and height.
    """
    import numpy as np

    box = text.get_window_extent(renderer)
    angle = np.deg2rad(text.get_rotation())
    if np.isclose(np.sin(2 * angle), 0.0):  # 0, 90, 180, 270 degrees: the box is the text
        w, h = (box.width, box.height) if np.isclose(np.sin(angle), 0.0) else (box.height, box.width)
    else:
        clean, ismath = text._preprocess_math(text.get_text())
        w, h, _ = renderer.get_text_width_height_descent(clean, text.get_fontproperties(), ismath)
    w, h = max(w - 2 * tol, 0.0), max(h - 2 * tol, 0.0)
    c, s = np.cos(angle), np.sin(angle)
    centre = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
    half = np.array([[w / 2, h / 2], [-w / 2, h / 2], [-w / 2, -h / 2], [w / 2, -h / 2]])
    return centre + half @ np.array([[c, s], [-s, c]])


def _overlap(a: Any, b: Any) -> bool:
    """Whether two convex quadrilaterals intersect (separating-axis test)."""
    import numpy as np

    for quad in (a, b):
        for i in range(4):
            edge = quad[(i + 1) % 4] - quad[i]
            normal = np.array([-edge[1], edge[0]])
            if not normal.any():
                continue
            pa, pb = a @ normal, b @ normal
            if pa.max() <= pb.min() or pb.max() <= pa.min():
                return False
    return bool(np.ptp(a[:, 0]) > 0 and np.ptp(b[:, 0]) > 0)


def text_overlaps(fig: Any, *, tolerance: float = TOLERANCE_PX,
                  renderer: Any = None) -> list[tuple[str, str]]:
    """Pairs of visible texts of ``fig`` whose rendered boxes overlap by more than ``tolerance``.

    Args:
      fig: a matplotlib ``Figure``; it is laid out once (without rendering) to measure its
        texts, unless ``renderer`` is given.
      tolerance: pixels of overlap allowed in each direction.
      renderer: the renderer that has just drawn ``fig`` (a draw event's): measure with it
        and lay nothing out again. Asking the canvas for its renderer during a draw can
        replace the renderer being drawn into, and the saved image comes out blank.

    Returns:
      A list of ``(text_a, text_b)`` pairs; empty when no texts collide.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(3, 2))
    >>> _ = ax.text(0.5, 0.5, "left text"); _ = ax.text(0.5, 0.5, "right text")
    >>> text_overlaps(fig)
    [('left text', 'right text')]
    >>> plt.close(fig)
    """
    if renderer is None:
        animated = fig.findobj(lambda a: a.get_animated())  # blitted artists: lay them out too
        for artist in animated:
            artist.set_animated(False)
        try:
            fig.draw_without_rendering()  # lay out every text (tight/constrained layout too)
        finally:
            for artist in animated:
                artist.set_animated(True)
        renderer = fig.canvas.get_renderer()
    texts = _texts(fig)
    boxes = []
    for t in texts:
        try:
            boxes.append(_rectangle(t, renderer, tolerance))
        except (RuntimeError, ValueError):  # texts with no renderer-side size
            boxes.append(None)
    pairs = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if boxes[i] is not None and boxes[j] is not None and _overlap(boxes[i], boxes[j]):
                pairs.append((texts[i].get_text(), texts[j].get_text()))
    return pairs


def _report(event: Any) -> None:
    fig = event.canvas.figure
    if getattr(fig, "_clipq_checking", False):
        return
    fig._clipq_checking = True
    try:
        # the renderer that just drew: fig.canvas.get_renderer() here could swap the Agg
        # renderer that print_figure is about to save for a new, empty one
        pairs = text_overlaps(fig, renderer=getattr(event, "renderer", None))
    finally:
        fig._clipq_checking = False
    reported = fig.__dict__.setdefault("_clipq_reported", set())
    for a, b in pairs:
        if (a, b) not in reported:  # once per figure, however often it is drawn
            reported.add((a, b))
            print(f"{MARKER}: {a!r} and {b!r}", flush=True)


def watch_figure(fig: Any) -> None:
    """matplotlib ``figure.hooks`` entry: report overlapping text whenever ``fig`` is drawn.

    Active only when ``CLIPQ_EDU_CHECK_FIGURES=1``; otherwise it does nothing.
    """
    if os.environ.get("CLIPQ_EDU_CHECK_FIGURES") == "1":
        fig.canvas.mpl_connect("draw_event", _report)
