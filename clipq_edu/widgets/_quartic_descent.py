"""Explorer: plain versus clipped gradient descent on f(x) = x**4 from x0 = 10 (chapter 01)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from clipq_edu import plotting
from clipq_edu.course import toys
from clipq_edu.widgets._base import Explorer

__all__ = ["QuarticDescent", "quartic_descent"]

#: Step cap per run: enough for lr >= 1e-3 to converge, small enough to answer in < 0.2 s.
MAX_STEPS = 20_000
X0 = 10.0


@functools.lru_cache(maxsize=256)
def _run(lr: float, clip: float | None) -> toys.GDResult:
    return toys.gradient_descent(toys.quartic_grad, X0, lr, MAX_STEPS, clip=clip, tol=1e-4)


class QuarticDescent(Explorer):
    """Step size and clip bound -> plain and clipped descent paths and iteration counts."""

    def __init__(self, lr: float, clip: float) -> None:
        controls = {
            "lr": widgets.FloatLogSlider(value=lr, base=10, min=-4, max=0, step=0.1,
                                         description="step lr", readout_format=".4f"),
            "clip": widgets.FloatLogSlider(value=clip, base=10, min=-1, max=2, step=0.1,
                                           description="clip c", readout_format=".2f"),
        }
        super().__init__(controls, title="Gradient descent on x⁴ from x₀ = 10",
                         figsize=(6.4, 4.0))

    def validate(self, **values: Any) -> str | None:
        for name in ("lr", "clip"):
            v = values[name]
            if not np.isfinite(v) or v <= 0:
                return f"{name} must be a positive number, got {v!r}"
        return None

    def compute(self, **values: Any) -> dict[str, Any]:
        lr, clip = float(values["lr"]), float(values["clip"])
        plain, clipped = _run(lr, None), _run(lr, clip)
        return {
            "lr": lr, "clip": clip, "plain": plain, "clipped": clipped,
            "plain_iterations": plain.iterations, "clipped_iterations": clipped.iterations,
            "plain_diverged": plain.diverged, "clipped_diverged": clipped.diverged,
            "max_stable_step": toys.max_stable_step(X0),
        }

    def draw(self, figure: Figure, data: Mapping[str, Any]) -> None:
        ax = figure.add_subplot()
        plotting.plot_descent({"plain GD": data["plain"],
                               f"clipped GD (c={data['clip']:.2g})": data["clipped"]}, ax=ax)
        ax.set_title(f"x⁴ from x₀ = 10, lr = {data['lr']:.4g} (plain GD is stable only for "
                     f"lr ≤ {data['max_stable_step']:g})", fontsize=9)


def quartic_descent(lr: float = 0.01, clip: float = 1.0) -> QuarticDescent:
    """Return an explorer comparing plain and clipped gradient descent on x**4 from x0 = 10.

    Move the step size: plain GD explodes above lr = 0.005, the clipped run keeps converging
    and gets faster as lr grows (until the clipped steps lr * c overshoot around the minimum).
    Runs stop after 20 000 steps.

    Args:
      lr: the starting step size, in [1e-4, 1].
      clip: the starting clip bound, in [0.1, 100].

    Returns:
      The explorer; ``.state`` holds both results and their iteration counts.

    Taught in chapter 01.
    """
    from clipq_edu._validate import check_positive_float

    lr = check_positive_float("lr", lr)
    clip = check_positive_float("clip", clip)
    if not 1e-4 <= lr <= 1:
        raise ValueError(f"lr must be in [1e-4, 1], got {lr!r}")
    if not 0.1 <= clip <= 100:
        raise ValueError(f"clip must be in [0.1, 100], got {clip!r}")
    return QuarticDescent(lr, clip)
