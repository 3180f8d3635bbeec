"""Explorer: plain versus clipped gradient descent on f(x) = x**4 from x0 = 10 (chapter 01)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from clipq_edu._lru import LRU
from clipq_edu.course import toys
from clipq_edu.i18n import tr
from clipq_edu.widgets._base import Explorer

__all__ = ["QuarticDescent", "quartic_descent"]

#: Step cap per run: enough for learning rates >= 1e-3 to converge.
MAX_STEPS = 20_000
X0 = 10.0
#: The fixed |x| range shown: converged runs reach the floor, diverged ones leave the top.
Y_RANGE = (1e-3, 1e4)


#: Finished runs by (learning_rate, clip), least recently used out first.
_RUNS = LRU(256)


def _quartic_grad_of_float(x: float) -> float:
    """:func:`clipq_edu.course.toys.quartic_grad` for a float, the same expression, minus the
    type dispatch: the descent calls it up to 20 000 times per run, and the dispatch was
    60 % of a run's time."""
    return 4.0 * x * x * x


def _descend(learning_rate: float, clip: float | None) -> toys.GDResult:
    result = toys.gradient_descent(_quartic_grad_of_float, X0, learning_rate, MAX_STEPS,
                                   clip=clip, tol=1e-4)
    np.asarray(result.trajectory).setflags(write=False)  # shared through the cache
    return result


def _run(learning_rate: float, clip: float | None) -> toys.GDResult:
    return _RUNS.get_or_compute((learning_rate, clip), lambda: _descend(learning_rate, clip))


class QuarticDescent(Explorer):
    """Step size and clip bound -> plain and clipped descent paths and iteration counts."""

    def __init__(self, learning_rate: float, clip: float) -> None:
        controls = {
            "learning_rate": widgets.FloatLogSlider(
                value=learning_rate, base=10, min=-4, max=0, step=0.1,
                description=tr("step size η", "步长 η"), readout_format=".4f"),
            "clip": widgets.FloatLogSlider(value=clip, base=10, min=-1, max=2, step=0.1,
                                           description=tr("clip c", "阈值 c"),
                                           readout_format=".2f"),
        }
        super().__init__(controls, title=tr("Gradient descent on x⁴ from x₀ = 10",
                                            "从 x₀ = 10 出发，在 x⁴ 上做梯度下降"),
                         figsize=(6.4, 4.0))

    def validate(self, **values: Any) -> str | None:
        for name in ("learning_rate", "clip"):
            v = values[name]
            if not np.isfinite(v) or v <= 0:
                return tr(f"{name} must be a positive number, got {v!r}",
                          f"{name} 必须是正数，而不是 {v!r}")
        return None

    def is_cached(self, **values: Any) -> bool:
        lr, clip = float(values["learning_rate"]), float(values["clip"])
        return (lr, None) in _RUNS and (lr, clip) in _RUNS

    def compute(self, **values: Any) -> dict[str, Any]:
        lr, clip = float(values["learning_rate"]), float(values["clip"])
        plain, clipped = _run(lr, None), _run(lr, clip)
        return {
            "learning_rate": lr, "clip": clip, "plain": plain, "clipped": clipped,
            "plain_iterations": plain.iterations, "clipped_iterations": clipped.iterations,
            "plain_diverged": plain.diverged, "clipped_diverged": clipped.diverged,
            "max_stable_step": toys.max_stable_step(X0),
        }

    def build(self, figure: Figure) -> None:
        """Log-log axes with fixed limits, one line per run, a legend and a title."""
        ax = figure.add_subplot()
        self._lines = [ax.plot([], [])[0] for _ in range(2)]
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(1, 1.2 * (MAX_STEPS + 1))
        ax.set_ylim(*Y_RANGE)
        ax.set_xlabel(tr("iteration k + 1 (log scale)", "迭代次数 k + 1（对数坐标）"))
        ax.set_ylabel(tr("distance to the minimum |x_k| (log scale)", "到极小值的距离 |x_k|（对数坐标）"))
        self._legend = ax.legend(self._lines, ["", ""], fontsize=8, loc="lower left",
                                 framealpha=1)
        for artist in (*self._lines, self._legend, ax.title):
            artist.set_animated(True)
        self._ax = ax

    def draw(self, figure: Figure, data: Mapping[str, Any]) -> None:
        """Put each run's |x_k| on its line and rewrite the legend and the title."""
        runs = {tr("plain GD", "普通梯度下降"): data["plain"],
                tr(f"clipped GD (c={data['clip']:.2g})", f"裁剪后的梯度下降（c={data['clip']:.2g}）"):
                data["clipped"]}
        for line, text, (label, res) in zip(self._lines, self._legend.get_texts(), runs.items(),
                                            strict=True):
            line.set_data(*_log_spaced_path(res.trajectory))
            status = tr("diverged", "发散") if res.diverged else (
                tr(f"{res.iterations} its", f"{res.iterations} 步") if res.converged
                else tr("not converged", "未收敛"))
            text.set_text(tr(f"{label} ({status})", f"{label}（{status}）"))
        self._ax.set_title(tr(
            f"x⁴ from x₀ = 10, learning rate {data['learning_rate']:.4g} (plain GD "
            f"is stable only up to {data['max_stable_step']:g})",
            f"x⁴，从 x₀ = 10 出发，学习率 {data['learning_rate']:.4g}（普通梯度下降只在 "
            f"{data['max_stable_step']:g} 以下稳定）"), fontsize=9)


def _log_spaced_path(trajectory: Any, points: int = 800) -> tuple[np.ndarray, np.ndarray]:
    """(k + 1, |x_k|) at about ``points`` log-spaced k: the same curve on log axes, cheaper.

    |x| is floored at the bottom of the axes (a log axis cannot show 0) and capped above its
    top (a diverged run leaves the picture instead of being drawn out to 1e300).
    """
    path = np.abs(np.asarray(trajectory, dtype=float))
    k = np.unique(np.geomspace(1, len(path), points).astype(int))
    with np.errstate(invalid="ignore"):
        y = np.clip(np.nan_to_num(path[k - 1], nan=np.inf), Y_RANGE[0], 1e6 * Y_RANGE[1])
    return k.astype(float), y


def quartic_descent(learning_rate: float = 0.01, clip: float = 1.0) -> QuarticDescent:
    """Return an explorer comparing plain and clipped gradient descent on x**4 from x0 = 10.

    Move the learning rate (step size) η: plain GD explodes above η = 0.005, the clipped run
    keeps converging and gets faster as η grows (until the clipped steps η * c overshoot
    around the minimum). Runs stop after 20 000 steps.

    Args:
      learning_rate: the starting learning rate, in [1e-4, 1].
      clip: the starting clip bound, in [0.1, 100].

    Returns:
      The explorer; ``.state`` holds both results and their iteration counts.

    Taught in chapter 01.
    """
    from clipq_edu._validate import check_positive_float

    learning_rate = check_positive_float("learning_rate", learning_rate)
    clip = check_positive_float("clip", clip)
    if not 1e-4 <= learning_rate <= 1:
        raise ValueError(f"learning_rate must be in [1e-4, 1], got {learning_rate!r}")
    if not 0.1 <= clip <= 100:
        raise ValueError(f"clip must be in [0.1, 100], got {clip!r}")
    return QuarticDescent(learning_rate, clip)
