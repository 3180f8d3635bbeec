"""The controller of every explorer widget: controls, validation, coalescing, caches, prefetch.

An explorer separates *computing* (``compute``, cached, may be slow) from *drawing*
(``build`` once, then ``draw`` per setting). This module is the control half:
:class:`Explorer` reads the controls, validates the values, computes the data and hands it to
its :class:`~clipq_edu.widgets._render.FigureRenderer` (:attr:`Explorer.renderer`), which
updates the figure in place, blits it and turns it into PNG bytes (see ``_render.py``).
Invalid values never raise into the notebook: ``validate`` returns a message that the widget
shows, and the last good picture stays. Tests drive an explorer without a browser through
:meth:`Explorer.set` and read :attr:`Explorer.state` and :attr:`Explorer.message`.

In a kernel, three more things keep a slider responsive:

- **Coalescing.** A slider drag sends many changes. A change that comes from the front end only
  marks the explorer dirty and schedules one render on the kernel's event loop a few
  milliseconds later; changes that arrive before it runs are folded into it, so the render
  shows the latest value and intermediate values are skipped. Changes made from Python
  (:meth:`Explorer.set`, ``control.value = ...`` in a cell) render at once, so code and tests
  see the result synchronously.
- **A picture cache.** Rendered PNGs are kept per setting in the renderer's bounded LRU
  (:attr:`Explorer.png_cache_size`); going back to a setting shows its picture without drawing.
- **Prefetching.** While the kernel is idle after such a render, the pictures one slider notch
  away are rendered into the cache (when their data is ready), so the next key press finds
  its picture waiting.
- **"computing…".** When a setting needs a new computation (``is_cached`` is false), the message
  line says so at once and the last picture stays until the new one is ready.

When no widget front end is present (nbval, a static HTML page) the explorer still displays a
PNG of its current figure, because its MIME bundle carries one next to the widget view.

ipywidgets gives a control's description an 80 px box and a control 300 px, and cuts what does
not fit. :func:`fit_labels` (called for every explorer) estimates each label's width in the
current language and widens only the boxes a label would overflow (see :func:`text_width_px`).
"""

from __future__ import annotations

import base64
import math
import time
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from clipq_edu.i18n import Text, tr
from clipq_edu.widgets._render import PNG_DPI, FigureRenderer

#: Delay before a render that front-end changes asked for; changes arriving meanwhile join it.
COALESCE_S = 0.004
#: Text of the message line while a new setting is computed.
COMPUTING = Text("computing…", "计算中…")

#: ipywidgets 8 in JupyterLab (13 px UI font): the box of a control's description, in pixels.
DESCRIPTION_WIDTH_PX = 80
#: ... the whole control (description + gap + slider/select), in pixels.
CONTROL_WIDTH_PX = 300
#: ... the gap between the description and its input, in pixels.
LABEL_GAP_PX = 8
#: A dropdown's select around its text: 8 px padding, a 20 px arrow, 2 px of borders.
SELECT_CHROME_PX = 30
#: Character classes of :func:`text_width_px` and their widths in pixels (13 px font).
_CHAR_PX = (
    (frozenset(" .,:;!|'ijl"), 4.0),
    (frozenset("()[]{}-/trfI"), 5.5),
    (frozenset("mwMW@%"), 12.5),
)


def text_width_px(text: str) -> int:
    """An upper estimate of ``text``'s width in pixels at JupyterLab's 13 px UI font.

    A CJK or full-width character is 1 em (13 px; counted 14); a Latin lowercase letter or
    digit 8.5, a capital 10, ``i``/``l``/space/``.`` 4, ``t``/``r``/brackets 5.5, ``m``/``w``
    12.5. Measured in Chromium (Noto Sans CJK SC and DejaVu Sans, the fonts JupyterLab falls
    back to on Linux), every explorer label was at most this wide (within 0-12 % of it).

    >>> text_width_px("阈值 c"), text_width_px("input scale")
    (41, 77)
    """
    width = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":
            width += 14
            continue
        for chars, px in _CHAR_PX:
            if ch in chars:
                width += px
                break
        else:
            width += 10 if ch.isupper() else 8.5
    return math.ceil(width)


def _round_up(px: float, step: int = 4) -> int:
    return step * math.ceil(px / step)


def fit_labels(controls: Iterable[widgets.Widget]) -> None:
    """Widen the description boxes and dropdowns of ``controls`` that would cut their text.

    When one description is wider than ipywidgets' default box, every description of the group
    gets the same fixed ``description_width`` (so the sliders stay aligned), sized to the longest;
    a dropdown whose longest option would not fit in its select gets a wider ``layout.width``.
    Labels that fit keep the default look (nothing is set), so the English explorers, whose
    descriptions all fit, look as before.
    """
    controls = list(controls)
    described = [c for c in controls if getattr(c, "description", "")]
    longest = max((text_width_px(c.description) for c in described), default=0)
    label_px = DESCRIPTION_WIDTH_PX
    if longest > DESCRIPTION_WIDTH_PX:
        label_px = _round_up(longest + 4)
        for control in described:
            control.style.description_width = f"{label_px}px"
    for control in controls:
        if type(control).__name__ != "Dropdown" or not control._options_labels:
            continue
        text_px = max(text_width_px(label) for label in control._options_labels)
        label_box = label_px + LABEL_GAP_PX if control.description else 0
        needed = label_box + SELECT_CHROME_PX + text_px
        if needed > CONTROL_WIDTH_PX:
            control.layout.width = f"{_round_up(needed + 4)}px"


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _kernel_scheduler(callback: Callable[[], None]) -> None:
    """Run ``callback`` on the kernel's event loop after :data:`COALESCE_S` seconds."""
    from tornado.ioloop import IOLoop

    IOLoop.current().call_later(COALESCE_S, callback)


def _slider_neighbours(control: Any) -> list[Any]:
    """The values one notch below and above a slider's value (none for other controls)."""
    kind = type(control).__name__
    if kind == "SelectionSlider":
        options, i = list(getattr(control, "_options_values", ())), control.index
        return [options[j] for j in (i - 1, i + 1) if i is not None and 0 <= j < len(options)]
    if kind == "FloatLogSlider":
        exponent = math.log(control.value, control.base)
        return [control.base**e for e in (exponent - control.step, exponent + control.step)
                if control.min - 1e-9 <= e <= control.max + 1e-9]
    if kind in ("IntSlider", "FloatSlider"):
        return [v for v in (control.value - control.step, control.value + control.step)
                if control.min <= v <= control.max]
    return []


def _freeze(values: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """A hashable key for a set of control values (``repr`` keeps 1 and 1.0 apart).

    Floats are rounded to 12 significant digits first: a browser's slider sends values
    computed in JavaScript (1.0000000000000002 for 1.0), which must find the same picture.
    """
    def text(v: Any) -> str:
        return repr(float(f"{v:.12g}")) if isinstance(v, float) else repr(v)

    return tuple(sorted((k, text(v)) for k, v in values.items()))



class Explorer:
    """Base class for the course's interactive explorers (the controller).

    Subclasses implement :meth:`compute` (values -> data dict), :meth:`build` (make the axes
    and artists once) and :meth:`draw` (update those artists from data), and may override
    :meth:`validate` (values -> error message or ``None``) and :meth:`is_cached` (``False``
    when a setting needs a slow computation). A subclass that does not override ``build``
    gets the simple behaviour: the figure is cleared and ``draw`` makes it from scratch.

    Args:
      controls: named ipywidgets value widgets (sliders, dropdowns, text boxes).
      title: shown above the controls.
      figsize: matplotlib figure size in inches.

    Attributes:
      state: the data of the picture on screen (the last valid setting).
      message: the warning shown under the controls, ``""`` when all is well.
      renderer: the :class:`~clipq_edu.widgets._render.FigureRenderer` that draws
        :attr:`state` and keeps the rendered PNGs.
      send_images: whether renders are sent to a widget front end (``True`` in a kernel).
      scheduler: how front-end changes are deferred (``None``: render at once).
      widget: the ipywidgets box (title, controls, message line, picture).
    """

    #: Rendered pictures kept per explorer (LRU); about 10-30 kB each.
    png_cache_size: int = 64
    #: In a kernel, after a front-end change, render the settings one slider notch away while
    #: idle (only those whose data is already computed), so the next key press finds them.
    prefetch_neighbours: bool = True

    def __init__(
        self,
        controls: Mapping[str, widgets.ValueWidget],
        *,
        title: str,
        figsize: tuple[float, float] = (6.4, 4.0),
    ) -> None:
        self.title = title
        self.controls: dict[str, widgets.ValueWidget] = dict(controls)
        fit_labels(self.controls.values())
        in_place = type(self).build is not Explorer.build
        # ``build``/``draw`` are looked up at call time: an instance may wrap them (timing).
        self.renderer = FigureRenderer(
            figsize, (lambda figure: self.build(figure)) if in_place else None,
            lambda figure, data: self.draw(figure, data), self.png_cache_size)
        self.state: dict[str, Any] = {}
        self.message: str = ""
        self.last_latency_s: float = 0.0
        self.send_images = _in_kernel()
        self.scheduler: Callable[[Callable[[], None]], None] | None = (
            _kernel_scheduler if self.send_images else None
        )
        self._batch = False
        self._pending = False
        self._scheduled = False
        self._state_key: Hashable | None = None  # the setting ``state`` belongs to
        self._prefetch_queue: list[dict[str, Any]] = []
        # The picture is an Image widget whose PNG is replaced on each redraw: no output area
        # is cleared and re-filled (no flicker) and the figure is rendered once, at a modest
        # resolution, instead of through IPython's inline formatter (which renders twice).
        self._image = widgets.Image(
            format="png",
            layout=widgets.Layout(width=f"{round(figsize[0] * PNG_DPI)}px", max_width="100%"),
        )
        self._message = widgets.HTML()
        header = widgets.HTML(f"<b>{title}</b>")
        self.widget = widgets.VBox(
            [header, widgets.VBox(list(self.controls.values())), self._message, self._image]
        )
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    # -- what the renderer holds, under the explorer's names ----------------------------------
    @property
    def figure(self) -> Figure:
        """The matplotlib figure (drawn by :attr:`renderer`)."""
        return self.renderer.figure

    @property
    def renders(self) -> int:
        """How many times the figure was rendered to a PNG (cache hits do not count)."""
        return self.renderer.renders

    @property
    def background_key(self) -> Hashable:
        """Anything ``draw`` changes outside the animated artists and the axes limits (a
        subclass sets it in ``draw``; a new value renders the background again)."""
        return self.renderer.background_key

    @background_key.setter
    def background_key(self, value: Hashable) -> None:
        self.renderer.background_key = value

    @property
    def setting_key(self) -> Hashable | None:
        """The hashable key of the setting :attr:`state` shows (the picture cache's key)."""
        return self._state_key

    # -- subclass interface ------------------------------------------------------------------
    def validate(self, **values: Any) -> str | None:
        """Return a message when ``values`` cannot be shown, else ``None``."""
        return None

    def is_cached(self, **values: Any) -> bool:
        """Whether ``compute(**values)`` is fast (cached); ``False`` shows "computing…" first."""
        return True

    def compute(self, **values: Any) -> dict[str, Any]:  # pragma: no cover - abstract
        """Return the data to draw for ``values`` (cache anything expensive)."""
        raise NotImplementedError

    def build(self, figure: Figure) -> None:
        """Make the axes and artists once; ``draw`` then updates them in place."""

    def draw(self, figure: Figure, data: Mapping[str, Any]) -> None:  # pragma: no cover
        """Show ``data``: update the artists made by ``build`` (or draw on a cleared figure)."""
        raise NotImplementedError

    # -- control -----------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The controls' current values by name."""
        return {name: c.value for name, c in self.controls.items()}

    def set(self, **values: Any) -> Explorer:
        """Set several controls at once (one redraw, done before returning), as a test would."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(
                f"unknown control(s) {sorted(unknown)}; this explorer has {sorted(self.controls)}"
            )
        self._batch = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        except Exception as exc:  # traitlets rejects wrong types: show it, do not raise
            self._show_message(tr(f"{name} = {value!r} is not accepted: {exc}",
                                  f"不接受 {name} = {value!r}：{exc}"))
            return self
        finally:
            self._batch = False
        self.refresh()
        return self

    def flush(self) -> None:
        """Render now if front-end changes are waiting for their (coalesced) render."""
        if self._pending:
            self.refresh()

    def refresh(self) -> None:
        """Validate the current values, recompute if needed, redraw, show any message."""
        self._pending = False
        start = time.perf_counter()
        values = self.values()
        problem = self.validate(**values)
        if problem:
            self._show_message(problem)  # keep the last good picture
            return
        if self.send_images and not self.is_cached(**values):
            self._message.value = f"<i>{COMPUTING}</i>"  # sent at once; the picture stays
        try:
            data = self.compute(**values)
        except (ValueError, TypeError) as exc:
            self._show_message(str(exc))
            return
        self._show_message("")
        self.state = dict(data)
        self._state_key = _freeze(values)
        if self.send_images:  # a front end may be watching: send it the new picture
            self.renderer.pngs.maxsize = self.png_cache_size
            self._image.value = self.renderer.cached_png(self.state, self._state_key)
        else:
            self.renderer.show(self.state, self._state_key)
        self.last_latency_s = time.perf_counter() - start

    def _show_message(self, text: str) -> None:
        self.message = text
        self._message.value = f'<span style="color:#b35900">⚠ {text}</span>' if text else ""

    # -- front-end changes: coalescing and prefetching ----------------------------------------
    def _on_change(self, change: Mapping[str, Any]) -> None:
        if self._batch:
            return
        # ipywidgets locks the properties a front-end message sets ("value" for sliders,
        # "index" for selections) while it applies them: that is how we know who changed it.
        from_front_end = bool(getattr(change.get("owner"), "_property_lock", None))
        if from_front_end and self.scheduler is not None:
            self._pending = True
            if not self._scheduled:
                self._scheduled = True
                self.scheduler(self._render_pending)
            return
        self.refresh()

    def _render_pending(self) -> None:
        self._scheduled = False
        try:
            self.flush()
        except Exception as exc:  # noqa: BLE001 - on the event loop nobody would see it
            self._pending = False
            self._show_message(tr(f"could not draw this setting: {type(exc).__name__}: {exc}",
                                  f"无法绘制这个设置：{type(exc).__name__}: {exc}"))
            return
        if self.prefetch_neighbours and self.scheduler is not None:
            self._prefetch_queue = self._neighbour_settings()
            self.scheduler(self._prefetch_step)

    def _neighbour_settings(self) -> list[dict[str, Any]]:
        """The settings one slider notch away from the current one (each slider, both ways)."""
        values = self.values()
        return [{**values, name: v} for name, control in self.controls.items()
                for v in _slider_neighbours(control)]

    def _prefetch_step(self) -> None:
        """Render one neighbouring setting whose data is ready; then yield to the event loop.

        Runs only while the kernel is idle: a change from the front end empties the queue,
        and each callback renders at most one picture, so a key press waits for at most one.
        """
        if self._pending or self._scheduled:
            self._prefetch_queue = []
            return
        while self._prefetch_queue:
            values = self._prefetch_queue.pop(0)
            key = _freeze(values)
            if key in self.renderer.pngs or self.validate(**values) or not self.is_cached(**values):
                continue
            try:
                data = self.compute(**values)
            except (ValueError, TypeError):
                continue
            self.renderer.pngs.put(key, self.renderer.png(dict(data), key))
            if self._prefetch_queue and self.scheduler is not None:
                self.scheduler(self._prefetch_step)
            return

    # -- display -----------------------------------------------------------------------------
    def png(self) -> bytes:
        """The current figure (the setting of :attr:`state`) as PNG bytes, freshly rendered."""
        return self.renderer.png(self.state, self._state_key)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        png = self.renderer.pngs.get(self._state_key) if self._state_key is not None else None
        bundle["image/png"] = base64.b64encode(png or self.png()).decode("ascii")
        settings = ", ".join(f"{k}={v!r}" for k, v in self.values().items())
        bundle["text/plain"] = f"{self.title}{tr(' (', '（')}{settings}{tr(')', '）')}"
        return bundle

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.title}>"
