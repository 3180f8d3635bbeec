"""The base of every explorer widget: controls, a figure redrawn from data, a message line.

An explorer separates *computing* (``compute``, cached, may be slow) from *drawing* (``draw``,
fast, from data only), so moving a slider redraws from cached data. Invalid values never raise
into the notebook: ``validate`` returns a message that the widget shows, and the last good
picture stays. Tests drive an explorer without a browser through :meth:`Explorer.set` and read
:attr:`Explorer.state` and :attr:`Explorer.message`.

When no widget front end is present (nbval, a static HTML page) the explorer still displays a
PNG of its current figure, because its MIME bundle carries one next to the widget view.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

#: Resolution of the picture sent to the browser: 6.4 x 4 inches -> 512 x 320 pixels.
PNG_DPI = 80


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Explorer:
    """Base class for the course's interactive explorers.

    Subclasses implement :meth:`compute` (values -> data dict) and :meth:`draw` (figure, data),
    and may override :meth:`validate` (values -> error message or ``None``).

    Args:
      controls: named ipywidgets value widgets (sliders, dropdowns, text boxes).
      title: shown above the controls.
      figsize: matplotlib figure size in inches.
    """

    def __init__(
        self,
        controls: Mapping[str, widgets.ValueWidget],
        *,
        title: str,
        figsize: tuple[float, float] = (6.4, 4.0),
    ) -> None:
        self.title = title
        self.controls: dict[str, widgets.ValueWidget] = dict(controls)
        self.state: dict[str, Any] = {}
        self.message: str = ""
        self.last_latency_s: float = 0.0
        self.figure = Figure(figsize=figsize, dpi=PNG_DPI, layout="constrained")
        self._canvas = FigureCanvasAgg(self.figure)
        self._batch = False
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

    # -- subclass interface ------------------------------------------------------------------
    def validate(self, **values: Any) -> str | None:
        """Return a message when ``values`` cannot be shown, else ``None``."""
        return None

    def compute(self, **values: Any) -> dict[str, Any]:  # pragma: no cover - abstract
        """Return the data to draw for ``values`` (cache anything expensive)."""
        raise NotImplementedError

    def draw(self, figure: Figure, data: Mapping[str, Any]) -> None:  # pragma: no cover
        """Draw ``data`` on the (cleared) ``figure``."""
        raise NotImplementedError

    # -- machinery ---------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The controls' current values by name."""
        return {name: c.value for name, c in self.controls.items()}

    def set(self, **values: Any) -> Explorer:
        """Set several controls at once (one redraw), as a test or a notebook cell would."""
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
            self._show_message(f"{name} = {value!r} is not accepted: {exc}")
            return self
        finally:
            self._batch = False
        self.refresh()
        return self

    def _on_change(self, change: Mapping[str, Any]) -> None:
        if not self._batch:
            self.refresh()

    def _show_message(self, text: str) -> None:
        self.message = text
        self._message.value = f'<span style="color:#b35900">⚠ {text}</span>' if text else ""

    def refresh(self) -> None:
        """Validate the current values, recompute if needed, redraw, show any message."""
        start = time.perf_counter()
        values = self.values()
        problem = self.validate(**values)
        if problem:
            self._show_message(problem)  # keep the last good picture
            return
        try:
            data = self.compute(**values)
        except (ValueError, TypeError) as exc:
            self._show_message(str(exc))
            return
        self._show_message("")
        self.state = dict(data)
        self.figure.clear()
        self.draw(self.figure, self.state)
        if _in_kernel():  # a front end may be watching: send it the new picture
            self._image.value = self.png()
        self.last_latency_s = time.perf_counter() - start

    # -- display -----------------------------------------------------------------------------
    def png(self) -> bytes:
        """The current figure as PNG bytes.

        Rendered with one Agg draw and fast PNG compression: ``savefig`` would draw the figure
        twice, and the picture is replaced on every slider move, so speed beats file size.
        """
        self._canvas.draw()
        width, height = self._canvas.get_width_height()
        buf = io.BytesIO()
        Image.frombuffer("RGBA", (width, height), self._canvas.buffer_rgba()).save(
            buf, format="png", compress_level=1
        )
        return buf.getvalue()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")
        settings = ", ".join(f"{k}={v!r}" for k, v in self.values().items())
        bundle["text/plain"] = f"{self.title} ({settings})"
        return bundle

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.title}>"
