"""Explorer: a 2-D gradient, the clip region and the clipped arrow (chapter 02)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from clipq_edu import plotting
from clipq_edu.i18n import tr
from clipq_edu.widgets._base import Explorer

__all__ = ["ClipGeometry", "clip_geometry"]

#: Half-width of the fixed view: the largest gradient (5, 5) fits, and the scale never jumps.
LIMIT = 5.5


def _method_labels() -> list[tuple[str, str]]:
    """(label, method) pairs for the dropdown: the method's name, explained in Chinese."""
    zh = {"value": "按值裁剪", "norm": "按范数裁剪", "global_norm": "按全局范数裁剪"}
    return [(tr(m, f"{m}（{zh.get(m, m)}）"), m) for m in plotting.CLIP_METHODS]


class ClipGeometry(Explorer):
    """Method, bound and gradient components -> the clipped gradient and its turn angle."""

    def __init__(self, g: tuple[float, float], bound: float, method: str) -> None:
        controls = {
            "method": widgets.Dropdown(options=_method_labels(), value=method,
                                       description=tr("method", "裁剪方法")),
            "bound": widgets.FloatSlider(value=bound, min=0.1, max=5.0, step=0.1,
                                         description=tr("bound c", "阈值 c")),
            "gx": widgets.FloatSlider(value=g[0], min=-5.0, max=5.0, step=0.1,
                                      description="g₁"),
            "gy": widgets.FloatSlider(value=g[1], min=-5.0, max=5.0, step=0.1,
                                      description="g₂"),
        }
        super().__init__(controls, title=tr("Clip a 2-D gradient", "裁剪一个二维梯度"),
                         figsize=(5.0, 4.6))

    def validate(self, **values: Any) -> str | None:
        if values["method"] not in plotting.CLIP_METHODS:
            return tr(f"method must be one of {plotting.CLIP_METHODS}, got {values['method']!r}",
                      f"裁剪方法必须是 {plotting.CLIP_METHODS} 之一，而不是 {values['method']!r}")
        if not np.isfinite(values["bound"]) or values["bound"] <= 0:
            return tr(f"the bound must be > 0, got {values['bound']!r}",
                      f"阈值必须 > 0，而不是 {values['bound']!r}")
        return None

    def compute(self, **values: Any) -> dict[str, Any]:
        g = np.array([values["gx"], values["gy"]], dtype=float)
        clipped = plotting.clip_2d(g, values["bound"], values["method"])
        return {
            "method": values["method"], "bound": float(values["bound"]), "raw": g,
            "clipped": clipped, "raw_norm": float(np.linalg.norm(g)),
            "clipped_norm": float(np.linalg.norm(clipped)),
            "angle_deg": plotting.angle_between(g, clipped),
        }

    def build(self, figure: Figure) -> None:
        """The axes, both regions (one shown at a time), two arrows and a fixed legend."""
        from matplotlib.patches import Circle, Rectangle

        ax = figure.add_subplot()
        region = {"alpha": 0.15, "color": "tab:green"}
        self._square = ax.add_patch(Rectangle((-1, -1), 2, 2, **region))
        self._circle = ax.add_patch(Circle((0, 0), 1, **region))
        style = {"angles": "xy", "scale_units": "xy", "scale": 1, "width": 0.012}
        self._raw = ax.quiver([0], [0], [1], [0], color="tab:red", **style)
        self._clipped = ax.quiver([0], [0], [1], [0], color="tab:blue", **style)
        ax.set_aspect("equal")
        ax.axhline(0, color="0.7", lw=0.8)
        ax.axvline(0, color="0.7", lw=0.8)
        ax.set_xlabel(tr("gradient component g₁", "梯度分量 g₁"))
        ax.set_ylabel(tr("gradient component g₂", "梯度分量 g₂"))
        self._legend = ax.legend([self._square, self._raw, self._clipped], ["", "", ""],
                                 loc="lower left", fontsize=8, framealpha=1)
        ax.set_xlim(-LIMIT, LIMIT)
        ax.set_ylim(-LIMIT, LIMIT)
        for artist in (self._square, self._circle, self._raw, self._clipped, self._legend,
                       ax.title):
            artist.set_animated(True)
        self._ax = ax

    def draw(self, figure: Figure, data: Mapping[str, Any]) -> None:
        """Move the arrows, resize the region and rewrite the texts (the axes stay fixed)."""
        g, clipped, bound = data["raw"], data["clipped"], data["bound"]
        square = data["method"] == "value"
        self._square.set_bounds(-bound, -bound, 2 * bound, 2 * bound)
        self._circle.set_radius(bound)
        self._square.set_visible(square)
        self._circle.set_visible(not square)
        self._raw.set_UVC([g[0]], [g[1]])
        self._clipped.set_UVC([clipped[0]], [clipped[1]])
        region, raw_text, clipped_text = self._legend.get_texts()
        region.set_text(tr("region", "区域") + (f" |g_i| ≤ {bound:g}" if square else f" ‖g‖ ≤ {bound:g}"))
        raw_text.set_text(tr("raw", "原始") + f" g = ({g[0]:.2f}, {g[1]:.2f})")
        clipped_text.set_text(tr("clipped", "裁剪后") + f" = ({clipped[0]:.2f}, {clipped[1]:.2f})")
        name = {"value": tr("value", "按值"), "norm": tr("norm", "按范数"),
                "global_norm": tr("global norm", "按全局范数")}[data["method"]]
        self._ax.set_title(tr(f"clip by {name}: direction turned {data['angle_deg']:.1f}°",
                              f"{name}裁剪：方向转过了 {data['angle_deg']:.1f}°"))


def clip_geometry(
    g: tuple[float, float] = (3.0, 1.0), bound: float = 1.0, method: str = "value"
) -> ClipGeometry:
    """Return an explorer of 2-D clipping: choose the method, the bound and the gradient.

    The picture shows the raw gradient (red), the clipped one (blue) and the region the
    clipped gradient must lie in: a square for clipping by value, a circle for clipping by
    norm. The title reports how many degrees the direction turned.

    Args:
      g: the starting gradient (g₁, g₂), each in [-5, 5].
      bound: the starting bound, in [0.1, 5].
      method: ``"value"``, ``"norm"`` or ``"global_norm"``.

    Returns:
      The explorer; read ``.state`` (``raw``, ``clipped``, ``angle_deg`` ...) after ``.set``.

    Taught in chapter 02.
    """
    from clipq_edu._validate import as_float_array, check_choice, check_positive_float

    g_arr = as_float_array("g", g, ndim=1)
    if g_arr.shape != (2,) or np.any(np.abs(g_arr) > 5):
        raise ValueError(f"g must be two numbers in [-5, 5], got {g!r}")
    bound = check_positive_float("bound", bound)
    if not 0.1 <= bound <= 5:
        raise ValueError(f"bound must be in [0.1, 5], got {bound!r}")
    check_choice("method", method, plotting.CLIP_METHODS)
    return ClipGeometry((float(g_arr[0]), float(g_arr[1])), bound, method)
