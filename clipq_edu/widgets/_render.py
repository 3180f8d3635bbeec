"""The drawing half of an explorer: one figure, updated in place, blitted, sent as PNG bytes.

:class:`FigureRenderer` knows nothing about controls. It is given two functions, ``build``
(make the axes and artists once) and ``draw`` (update them from a data dict), and turns a
setting's data into a PNG:

- **In place.** The artists are made once by ``build``; each new setting only updates them
  (``set_data``, ``set_height``, text) in ``draw``. The layout (constrained) is computed once,
  after the first draw, and then frozen.
- **Blitting.** Artists marked ``animated`` are the ones that change from one setting to the
  next. Everything else (axes, ticks, labels) is rendered once into a background that later
  renders paste and draw only the animated artists on, until the axes limits, scales or
  :attr:`FigureRenderer.background_key` change.
- **Legend pixels.** An opaque animated legend is drawn once per set of texts; later renders
  paste its pixels back and draw only its frame.
- **A picture cache.** PNGs are kept per setting key in a bounded LRU (:attr:`pngs`).

Without ``build`` (``None``) the renderer falls back to the simple way: the figure is cleared,
``draw`` makes it from scratch and the whole figure is rendered (constrained layout each time).
The controller, :class:`clipq_edu.widgets.Explorer`, owns one renderer.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from PIL import Image

from clipq_edu._lru import LRU

__all__ = ["PNG_DPI", "FigureRenderer"]

#: Resolution of the picture sent to the browser: 6.4 x 4 inches -> 512 x 320 pixels.
PNG_DPI = 80


class FigureRenderer:
    """One matplotlib figure drawn in place and rendered to PNG bytes, with a picture cache.

    Args:
      figsize: figure size in inches (rendered at :data:`PNG_DPI`).
      build: ``build(figure)`` makes the axes and artists once; ``None`` for a figure redrawn
        from scratch by ``draw`` on every setting.
      draw: ``draw(figure, data)`` shows ``data``.
      png_cache_size: pictures kept in :attr:`pngs`.

    Attributes:
      figure, canvas: the figure and its Agg canvas.
      pngs: PNG bytes by setting key (an LRU).
      renders: how many PNGs were rendered (cache hits do not count).
      background_key: anything ``draw`` changes outside the animated artists and the axes
        limits; a new value renders the background again.
      animated: the animated artists, in drawing order (known after the first draw).
      legend_pixels: remembered pixels of opaque legends, by their texts.
    """

    def __init__(
        self,
        figsize: tuple[float, float],
        build: Callable[[Figure], None] | None,
        draw: Callable[[Figure, Mapping[str, Any]], None],
        png_cache_size: int = 64,
    ) -> None:
        self._build, self._draw = build, draw
        self.in_place = build is not None
        self.figure = Figure(figsize=figsize, dpi=PNG_DPI,
                             layout=None if self.in_place else "constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        self.pngs = LRU(png_cache_size)
        self.renders = 0
        self.background_key: Hashable = None
        self.animated: list[Any] = []
        self.legend_pixels = LRU(32)
        self._built = False
        self._layout_done = False
        self._shown: Hashable = None  # the setting key the figure's artists show
        self._background: Any = None
        self._background_sig: Hashable = None

    def show(self, data: Mapping[str, Any], key: Hashable) -> None:
        """Make the figure's artists show ``data`` (nothing to do if they show ``key``)."""
        if self._built and self._shown == key:
            return
        if not self.in_place:
            self.figure.clear()
        elif not self._built:
            self._build(self.figure)
            self.animated = sorted(self.figure.findobj(lambda a: a.get_animated()),
                                   key=lambda a: a.get_zorder())
        self._built = True
        self._draw(self.figure, data)
        self._shown = key
        if self.in_place and not self._layout_done:  # the figure is laid out before any use
            self._freeze_layout()

    def png(self, data: Mapping[str, Any], key: Hashable) -> bytes:
        """Render ``data`` (the setting ``key``) to PNG bytes, without the cache.

        One Agg draw and fast PNG compression: ``savefig`` would draw the figure twice, and
        the picture is replaced on every slider move, so speed beats file size.
        """
        self.show(data, key)
        if self.in_place and not self._layout_done:
            self._freeze_layout()
        self._render()
        self.renders += 1
        width, height = self.canvas.get_width_height()
        rgba = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba())
        buf = io.BytesIO()
        rgba.convert("RGB").save(buf, format="png", compress_level=1)
        return buf.getvalue()

    def cached_png(self, data: Mapping[str, Any], key: Hashable) -> bytes:
        """The PNG of setting ``key`` from :attr:`pngs`, rendered and stored on a miss."""
        return self.pngs.get_or_compute(key, lambda: self.png(data, key))

    def _freeze_layout(self) -> None:
        """Lay the figure out once (constrained layout), then keep those positions."""
        self.figure.set_layout_engine("constrained", h_pad=0.06, w_pad=0.06)
        self.figure.get_layout_engine().execute(self.figure)
        self.figure.set_layout_engine("none")
        self._layout_done = True

    def _render(self) -> None:
        """Render into the canvas: the background (reused if unchanged), then the artists."""
        canvas, figure = self.canvas, self.figure
        if not self.in_place:
            canvas.draw()
            return
        sig = (self.background_key, tuple(
            (ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale())
            for ax in figure.axes))
        if self._background is not None and sig == self._background_sig:
            canvas.restore_region(self._background)
        else:
            canvas.draw()  # everything that is not animated
            self._background = canvas.copy_from_bbox(figure.bbox)
            self._background_sig = sig
        renderer = canvas.get_renderer()
        for artist in self.animated:
            if isinstance(artist, Legend) and artist.get_frame().get_alpha() == 1:
                self._draw_legend(artist, renderer, sig)
            else:
                artist.draw(renderer)

    def _draw_legend(self, legend: Legend, renderer: Any, sig: Hashable) -> None:
        """Draw an opaque legend, reusing its pixels when its texts were drawn before.

        Laying out and rasterising a legend's texts is the dearest part of a render. An opaque
        legend hides what lies under it, so once drawn, its inside can be copied and pasted
        back; only the frame (a rectangle, at the remembered place) is drawn again.
        """
        key = (id(legend), sig, tuple(t.get_text() for t in legend.get_texts()))
        sprite = self.legend_pixels.get(key)
        if sprite is None:
            legend.draw(renderer)
            bounds = legend.get_frame().get_bbox().bounds
            inside = legend.get_window_extent(renderer).padded(-3)
            self.legend_pixels.put(key, (bounds, self.canvas.copy_from_bbox(inside)))
            return
        bounds, pixels = sprite
        legend.get_frame().set_bounds(*bounds)
        legend.get_frame().draw(renderer)
        self.canvas.restore_region(pixels)
