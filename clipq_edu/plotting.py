"""Matplotlib helpers shared by the chapters: clip geometry, descent paths, power laws.

Every function takes an optional ``ax``, labels its axes, title and legend, returns the
``Axes`` and never calls ``plt.show()`` (the notebook does).

Taught in chapters 01 and 02 (clip geometry, descent paths, power laws); used by later chapters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu._validate import (
    as_float_array,
    check_axes,
    check_choice,
    check_finite,
    check_positive_float,
)
from clipq_edu.i18n import tr

__all__ = [
    "CLIP_METHODS",
    "angle_between",
    "clip_2d",
    "plot_clip_geometry",
    "plot_descent",
    "plot_power_law",
]

#: The clipping methods the 2-D picture knows.
CLIP_METHODS = ("value", "norm", "global_norm")
#: What :func:`plot_descent` reads from each run (the fields of ``course.toys.GDResult``).
_DESCENT_FIELDS = ("trajectory", "iterations", "converged", "diverged")


def _axes(ax: Any, figsize: tuple[float, float] = (5.0, 4.0)) -> Any:
    """``ax`` after checking it is a matplotlib Axes, or a new figure's Axes for ``None``."""
    if check_axes("ax", ax) is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def clip_2d(g: Any, bound: float, method: str) -> np.ndarray:
    """Clip one 2-D gradient (one weight tensor with two entries) by ``method``.

    ``"value"`` clips each entry to [-bound, bound] (the clip region is a square);
    ``"norm"`` and ``"global_norm"`` rescale to length at most ``bound`` (a circle). For a
    single tensor the two norm methods coincide; they differ once there are several tensors.

    Args:
      g: the gradient, two numbers.
      bound: the clipping bound (> 0).
      method: ``"value"``, ``"norm"`` or ``"global_norm"``.

    Returns:
      The clipped gradient as a float array of shape (2,).

    Taught in chapter 02.

    >>> clip_2d([3.0, 4.0], 1.0, "norm").round(6).tolist(), clip_2d([3.0, 0.5], 1.0, "value")
    ([0.6, 0.8], array([1. , 0.5]))
    """
    from clipq_edu import clipping

    g = as_float_array("g", g, ndim=1)
    if g.shape != (2,):
        raise ValueError(f"g must hold exactly 2 numbers, got shape {g.shape}")
    bound = check_positive_float("bound", bound)
    method = check_choice("method", method, CLIP_METHODS)
    if method == "value":
        return clipping.clip_by_value(g, bound)
    if method == "norm":
        return clipping.clip_by_norm(g, bound)
    return clipping.clip_by_global_norm(g, bound)[0]


def angle_between(a: Any, b: Any) -> float:
    """Return the angle in degrees between two vectors (0 when either is zero).

    Args:
      a, b: vectors of the same length (any shapes; they are flattened and concatenated if
        given as lists of arrays).

    Returns:
      The angle in degrees, in [0, 180]: 2·atan2(‖â − b̂‖, ‖â + b̂‖) of the unit vectors â, b̂,
      which stays accurate near 0° and 180° (arccos of the cosine does not).

    Taught in chapter 02.

    >>> round(angle_between([1.0, 0.0], [1.0, 1.0]), 6)
    45.0
    >>> angle_between([3.0, 4.0], [0.0, 0.0])
    0.0
    """
    u, v = _flat("a", a), _flat("b", b)
    if u.shape != v.shape:
        raise ValueError(f"a and b must have the same size, got {u.size} and {v.size}")
    with np.errstate(invalid="ignore"):  # NaN/Inf in, NaN out
        su, sv = np.max(np.abs(u), initial=0.0), np.max(np.abs(v), initial=0.0)
        if su == 0 or sv == 0:
            return 0.0
        u, v = u / su, v / sv  # scaled first: the norms of tiny or huge vectors stay finite
        ua, vb = u / np.linalg.norm(u), v / np.linalg.norm(v)
        return float(np.degrees(2 * np.arctan2(np.linalg.norm(ua - vb), np.linalg.norm(ua + vb))))


def _flat(name: str, x: Any) -> np.ndarray:
    """``x`` flattened to a float64 vector; a list of arrays is concatenated (one per tensor)."""
    if isinstance(x, (list, tuple)) and x and not np.isscalar(x[0]):
        return np.concatenate([as_float_array(f"{name}[{i}]", t).ravel()
                               for i, t in enumerate(x)])
    return as_float_array(name, x).ravel()


def plot_clip_geometry(g: Any, bound: float, method: str, ax: Any = None) -> Any:
    """Draw a 2-D gradient, its clipped version and the clip region (square or circle).

    Args:
      g: the raw gradient, two numbers.
      bound: the clipping bound (> 0).
      method: ``"value"`` (square region), ``"norm"`` or ``"global_norm"`` (circle).
      ax: a matplotlib ``Axes`` (a new figure when ``None``).

    Returns:
      The ``Axes``.

    Taught in chapter 02.

    >>> plot_clip_geometry([3.0, 1.0], 1.0, "norm").get_title()
    'clip by norm: direction turned 0.0°'
    """
    from matplotlib.patches import Circle, Rectangle

    clipped = clip_2d(g, bound, method)
    g = check_finite("g", as_float_array("g", g))
    ax = _axes(ax)
    if method == "value":
        region = Rectangle((-bound, -bound), 2 * bound, 2 * bound, alpha=0.15,
                           color="tab:green", label=tr(f"region |g_i| ≤ {bound:g}", f"区域 |g_i| ≤ {bound:g}"))
    else:
        region = Circle((0, 0), bound, alpha=0.15, color="tab:green",
                        label=tr(f"region ‖g‖ ≤ {bound:g}", f"区域 ‖g‖ ≤ {bound:g}"))
    ax.add_patch(region)
    style = {"angles": "xy", "scale_units": "xy", "scale": 1, "width": 0.012}
    ax.quiver(0, 0, g[0], g[1], color="tab:red", label=tr("raw", "原始") + f" g = ({g[0]:.2f}, {g[1]:.2f})",
              **style)
    ax.quiver(0, 0, clipped[0], clipped[1], color="tab:blue",
              label=tr("clipped", "裁剪后") + f" = ({clipped[0]:.2f}, {clipped[1]:.2f})", **style)
    lim = 1.15 * max(float(np.max(np.abs(g))), bound, 1e-9)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.7", lw=0.8)
    ax.axvline(0, color="0.7", lw=0.8)
    ax.set_xlabel(tr("gradient component g₁", "梯度分量 g₁"))
    ax.set_ylabel(tr("gradient component g₂", "梯度分量 g₂"))
    angle = angle_between(g, clipped)
    name = {"value": tr("value", "按值"), "norm": tr("norm", "按范数"),
            "global_norm": tr("global norm", "按全局范数")}[method]
    ax.set_title(tr(f"clip by {name}: direction turned {angle:.1f}°",
                    f"{name}裁剪：方向转过了 {angle:.1f}°"))
    ax.legend(loc="lower left", fontsize=8)
    return ax


def plot_descent(results: dict[str, Any], ax: Any = None, min_abs: float = 1e-3) -> Any:
    """Plot |x_k| against the iteration k for several gradient-descent runs (log-log).

    Args:
      results: ``{label: GDResult}`` from :func:`clipq_edu.course.toys.gradient_descent` (scalar runs).
      ax: a matplotlib ``Axes`` (a new figure when ``None``).
      min_abs: |x| values below this are drawn at this floor (log axes cannot show 0).

    Returns:
      The ``Axes``.

    Taught in chapter 01.

    >>> from clipq_edu.course.toys import gradient_descent, quartic_grad
    >>> runs = {"clip 1": gradient_descent(quartic_grad, 10.0, 0.01, 5_000, clip=1.0)}
    >>> plot_descent(runs).get_xscale()
    'log'
    """
    if not isinstance(results, dict) or not results:
        raise ValueError(f"results must be a non-empty dict {{label: GDResult}}, got "
                         f"{results!r:.80}")
    for label, res in results.items():
        # duck-typed: plotting sits below clipq_edu.course and does not import GDResult
        missing = [a for a in _DESCENT_FIELDS if not hasattr(res, a)]
        if missing:
            raise TypeError(f"results[{label!r}] must be a GDResult (from "
                            f"clipq_edu.course.toys.gradient_descent), got {type(res).__name__} "
                            f"without {', '.join(missing)}")
    min_abs = check_positive_float("min_abs", min_abs)
    ax = _axes(ax, (6.0, 4.0))
    for label, res in results.items():
        path = np.abs(np.asarray(res.trajectory, dtype=float))
        if path.ndim > 1:
            path = np.linalg.norm(path, axis=1)
        k = np.arange(1, len(path) + 1)
        line = tr("diverged", "发散") if res.diverged else (
            tr(f"{res.iterations} its", f"{res.iterations} 步") if res.converged
            else tr("not converged", "未收敛"))
        ax.plot(k, np.maximum(path, min_abs), label=tr(f"{label} ({line})", f"{label}（{line}）"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(tr("iteration k + 1 (log scale)", "迭代次数 k + 1（对数坐标）"))
    ax.set_ylabel(tr("distance to the minimum |x_k| (log scale)", "到极小值的距离 |x_k|（对数坐标）"))
    ax.set_title(tr("Gradient descent on f(x) = x⁴ from x₀ = 10", "从 x₀ = 10 出发，对 f(x) = x⁴ 做梯度下降"))
    ax.legend(fontsize=8)
    return ax


def plot_power_law(
    x: Any, y: Any, predicted: Any = None, ax: Any = None, *,
    xlabel: str = "x", ylabel: str = "y", title: str = "", label: str | None = None,
) -> Any:
    """Plot measured points on log-log axes with an optional predicted curve.

    Args:
      x, y: positive 1-D arrays.
      predicted: values of the prediction at ``x`` (or ``None``).
      ax: a matplotlib ``Axes`` (a new figure when ``None``).
      xlabel, ylabel, title, label: texts for the axes, title and legend (``label=None``:
        "measured" in the current language).

    Returns:
      The ``Axes``.

    Taught in chapters 01 and 02.

    >>> plot_power_law([1.0, 10.0], [1.0, 0.1], predicted=[1.0, 0.1]).get_yscale()
    'log'
    """
    x = as_float_array("x", x, ndim=1)
    y = as_float_array("y", y, ndim=1)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
    if predicted is not None:
        predicted = as_float_array("predicted", predicted, ndim=1)
        if predicted.shape != x.shape:
            raise ValueError(f"predicted must have one value per x ({x.size}), got "
                             f"{predicted.size}")
    ax = _axes(ax, (5.5, 4.0))
    ax.loglog(x, y, "o", label=tr("measured", "测量值") if label is None else label)
    if predicted is not None:
        ax.loglog(x, predicted, "--", label=tr("prediction", "预测"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    return ax
