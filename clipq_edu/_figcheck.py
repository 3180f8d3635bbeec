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
#: The second category, texts inside another axes' plotting area: reported as a warning with
#: its own marker, so a chapter whose stored figures predate the check keeps its static test
#: green until the figure is fixed (05's deep-circuit comparison, cell 701d5473, tripped it
#: when the check arrived and now uses constrained layout).
PANEL_MARKER = "clipq_edu figure check (warning): text runs into another panel"
#: How :func:`text_overlaps` names the second member of a cross-panel pair.
_PANEL = "the plotting area of axes "


def _all_axes(fig: Any) -> list[Any]:
    """The figure's axes and the axes inset in them (``inset_axes`` are not in ``fig.axes``)."""
    found, todo = [], list(fig.axes)
    while todo:
        ax = todo.pop(0)
        if ax not in found:
            found.append(ax)
            todo += list(getattr(ax, "child_axes", []))
    return found


def _drawn_tick_labels(fig: Any) -> tuple[set[int], list[Any]]:
    """Ids of every tick label, and the tick labels matplotlib really draws (inside the view)."""
    every, drawn = set(), []
    for ax in _all_axes(fig):
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
    return pairs + _into_other_axes(fig, texts, boxes, renderer, tolerance)


def _axes_label(ax: Any, index: int) -> str:
    title = ax.get_title() or ax.get_title(loc="left") or ax.get_title(loc="right")
    return f"{_PANEL}{index}" + (f" ({title!r})" if title else "")


def _into_other_axes(fig: Any, texts: list[Any], boxes: list[Any], renderer: Any,
                     tolerance: float) -> list[tuple[str, str]]:
    """``(text, "the plotting area of axes N ...")`` for texts inside another axes' area.

    A text is compared with every visible axes except its own, the axes drawn in the same
    place (``twinx``/``twiny``) and axes inset in its own (or its own inset in them): those
    share the area by design. Figure-level texts (``suptitle``, ``fig.text``) are compared
    with every axes.
    """
    import numpy as np

    owners = {}  # tick labels do not know their axes: map them
    for ax in _all_axes(fig):
        for axis in ax._axis_map.values():
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                owners[id(tick.label1)] = owners[id(tick.label2)] = ax
    areas = []
    for k, ax in enumerate(_all_axes(fig)):
        if not ax.get_visible() or not ax.axison and not ax.patch.get_visible():
            continue
        bbox = ax.get_window_extent(renderer)
        if bbox.width <= 2 * tolerance or bbox.height <= 2 * tolerance:
            continue
        x0, y0, x1, y1 = (bbox.x0 + tolerance, bbox.y0 + tolerance, bbox.x1 - tolerance,
                          bbox.y1 - tolerance)
        areas.append((k, ax, bbox, np.array([[x1, y1], [x0, y1], [x0, y0], [x1, y0]])))
    found = []
    for text, box in zip(texts, boxes, strict=True):
        if box is None:
            continue
        own = owners.get(id(text), text.axes)
        own_box = own.get_window_extent(renderer) if own is not None else None
        for k, ax, bbox, quad in areas:
            if ax is own:
                continue
            if own_box is not None and (own_box.contains(bbox.x0 + 1, bbox.y0 + 1) and
                                        own_box.contains(bbox.x1 - 1, bbox.y1 - 1) or
                                        bbox.contains(own_box.x0 + 1, own_box.y0 + 1) and
                                        bbox.contains(own_box.x1 - 1, own_box.y1 - 1)):
                continue  # a twin (same area) or an inset: sharing the area is the design
            if _overlap(box, quad):
                found.append((text.get_text(), _axes_label(ax, k)))
    return found


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
            marker = PANEL_MARKER if b.startswith(_PANEL) else MARKER
            print(f"{marker}: {a!r} and {b!r}", flush=True)


def watch_figure(fig: Any) -> None:
    """matplotlib ``figure.hooks`` entry: report overlapping text whenever ``fig`` is drawn.

    Active only when ``CLIPQ_EDU_CHECK_FIGURES=1``; otherwise it does nothing.
    """
    if os.environ.get("CLIPQ_EDU_CHECK_FIGURES") == "1":
        fig.canvas.mpl_connect("draw_event", _report)
