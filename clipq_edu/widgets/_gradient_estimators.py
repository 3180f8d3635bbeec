"""Explorer: parameter shift vs finite differences vs SPSA under a shot budget (chapter 03)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from clipq_edu._lru import LRU
from clipq_edu.course import analysis
from clipq_edu.i18n import Text, tr
from clipq_edu.widgets._base import Explorer

__all__ = ["GradientEstimatorsExplorer", "gradient_estimators"]

#: Shot counts offered by the slider.
SHOT_OPTIONS = (1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000)

_LABELS = {
    "parameter_shift": Text("parameter shift", "参数平移"),
    "finite_difference": Text("finite difference", "有限差分"),
    "spsa": Text("SPSA", "SPSA（同时扰动）"),
}


#: Estimates by (shots, h, component, n_repeats, seed), least recently used out first.
_ESTIMATES = LRU(256)


def _estimates(shots: int, h: float, component: int, n_repeats: int, seed: int) -> dict:
    key = (shots, h, component, n_repeats, seed)
    return _ESTIMATES.get_or_compute(key, lambda: _compute_estimates(*key))


def _compute_estimates(shots: int, h: float, component: int, n_repeats: int,
                       seed: int) -> dict:
    out: dict[str, Any] = {}
    for k, method in enumerate(analysis.ESTIMATORS):
        est = analysis.gradient_estimates(
            method, analysis.TOY_PARAMS, shots, h=h, n_repeats=n_repeats, seed=seed + k
        )[:, component].copy()
        est.setflags(write=False)  # shared by every later visit: read-only
        std = analysis.estimator_std(method, analysis.TOY_PARAMS, shots, h=h)[component]
        out[method] = {"samples": est, "mean": float(est.mean()), "std": float(est.std()),
                       "std_theory": float(std)}
    return out


class GradientEstimatorsExplorer(Explorer):
    """Histograms of shot-based gradient estimates of one component of the chapter-03 circuit.

    Controls: ``shots`` (per circuit evaluation), ``h`` (finite-difference / SPSA step),
    ``component`` (which of the three parameters), ``bins`` (redraw only).
    """

    def __init__(self, shots: int = 100, h: float = 0.1, component: int = 0,
                 bins: int = 40, n_repeats: int = 1000, seed: int = 0) -> None:
        self.n_repeats = n_repeats
        self.seed = seed
        self.exact = analysis.toy_gradient(analysis.TOY_PARAMS)
        controls = {
            "shots": widgets.SelectionSlider(options=SHOT_OPTIONS, value=shots,
                                             description=tr("shots", "测量次数")),
            "h": widgets.FloatLogSlider(value=h, base=10, min=-3, max=math.log10(math.pi),
                                        step=0.05, description=tr("step h", "步长 h"),
                                        readout_format=".3g"),
            "component": widgets.Dropdown(options=[("θ0", 0), ("θ1", 1), ("θ2", 2)],
                                          value=component, description="∂/∂"),
            "bins": widgets.IntSlider(value=bins, min=5, max=100,
                                      description=tr("bins", "分箱数")),
        }
        super().__init__(controls, title=tr("Gradient estimators under a shot budget",
                                            "测量次数有限时的梯度估计器"),
                         figsize=(7.0, 4.2))

    def validate(self, *, shots: Any, h: Any, component: Any, bins: Any) -> str | None:
        """Return a message for values the explorer cannot show, else ``None``."""
        if not isinstance(shots, (int, np.integer)) or shots < 1:
            return tr(f"shots must be a positive integer, got {shots!r}",
                      f"测量次数必须是正整数，而不是 {shots!r}")
        if not isinstance(h, (int, float)) or not (0 < h <= math.pi):
            return tr(f"step h must be in (0, π], got {h!r}",
                      f"步长 h 必须在 (0, π] 内，而不是 {h!r}")
        if component not in (0, 1, 2):
            return tr(f"component must be 0, 1 or 2, got {component!r}",
                      f"分量必须是 0、1 或 2，而不是 {component!r}")
        if not isinstance(bins, (int, np.integer)) or not 2 <= bins <= 500:
            return tr(f"bins must be an integer in [2, 500], got {bins!r}",
                      f"分箱数必须是 [2, 500] 内的整数，而不是 {bins!r}")
        return None

    def _key(self, shots: int, h: float, component: int) -> tuple[Any, ...]:
        h_key = min(round(float(h), 12), math.pi)  # the slider's float can overshoot π
        return int(shots), h_key, int(component), self.n_repeats, self.seed

    def is_cached(self, *, shots: int, h: float, component: int, bins: int) -> bool:
        return self._key(shots, h, component) in _ESTIMATES

    def compute(self, *, shots: int, h: float, component: int, bins: int) -> dict[str, Any]:
        """Estimates for (shots, h, component) come from a cache; ``bins`` only redraws."""
        stats = _estimates(*self._key(shots, h, component))
        return {"shots": int(shots), "h": float(h), "component": int(component),
                "bins": int(bins), "exact": float(self.exact[component]),
                "circuits_per_estimate": {"parameter_shift": 6, "finite_difference": 6,
                                          "spsa": 2},
                **{m: dict(v) for m, v in stats.items()}}

    def build(self, figure: Figure) -> None:
        """One step outline per estimator, the exact-gradient line, legend and labels."""
        ax = figure.add_subplot()
        self._steps = {m: ax.plot([], [], drawstyle="steps-post", linewidth=1.8)[0]
                       for m in analysis.ESTIMATORS}
        self._exact = ax.axvline(0.0, color="black", linestyle="--")
        ax.set_ylabel(tr(f"count (of {self.n_repeats} estimates)", f"次数（共 {self.n_repeats} 个估计）"))
        self._legend = ax.legend([*self._steps.values(), self._exact], [""] * 4, fontsize=8,
                                 framealpha=1, loc="upper left")
        ax.locator_params(nbins=6)  # fewer tick labels: the axes are redrawn when data move
        for artist in (*self._steps.values(), self._exact, self._legend, ax.title):
            artist.set_animated(True)
        self._ax = ax

    def draw(self, figure: Figure, data: Mapping[str, Any]) -> None:
        """Histogram the estimates on shared edges, update the outlines, texts and limits."""
        ax = self._ax
        everything = np.concatenate([data[m]["samples"] for m in analysis.ESTIMATORS])
        lo, hi = np.percentile(everything, [0.5, 99.5])
        pad = 0.05 * (hi - lo + 1e-9)
        edges = np.linspace(lo - pad, hi + pad, data["bins"] + 1)
        texts = self._legend.get_texts()
        top = 1
        for text, m in zip(texts, analysis.ESTIMATORS, strict=False):
            d = data[m]
            counts, _ = np.histogram(d["samples"], bins=edges)
            top = max(top, int(counts.max()))
            # an outline that starts and ends on the axis, like hist(histtype="step")
            self._steps[m].set_data(np.r_[edges[0], edges, edges[-1]], np.r_[0, counts, 0, 0])
            text.set_text(tr(f"{_LABELS[m]}: mean {d['mean']:+.3f}, std {d['std']:.3f}",
                             f"{_LABELS[m]}：均值 {d['mean']:+.3f}，标准差 {d['std']:.3f}"))
        texts[-1].set_text(tr(f"exact {data['exact']:+.3f}", f"精确值 {data['exact']:+.3f}"))
        self._exact.set_xdata([data["exact"]] * 2)
        ax.set_xlim(*_nice_range(edges[0], edges[-1]))
        ax.set_ylim(0, _nice_ceiling(1.25 * top))  # room for the legend above the bars
        if self.background_key != data["component"]:
            ax.set_xlabel(tr(f"estimate of ∂⟨Z⟩/∂θ{data['component']} (dimensionless)",
                             f"∂⟨Z⟩/∂θ{data['component']} 的估计值（无量纲）"))
            self.background_key = data["component"]
        ax.set_title(tr(f"{data['shots']} shots per circuit, h = {data['h']:.3g}",
                        f"每条线路测量 {data['shots']} 次，h = {data['h']:.3g}"))


def _nice_step(span: float) -> float:
    k = math.floor(math.log10(span))
    return next(m * 10.0**k for m in (1, 2, 5, 10) if m * 10.0**k >= span)


def _nice_range(lo: float, hi: float) -> tuple[float, float]:
    """``[lo, hi]`` widened to multiples of a round step (a tenth of the span, rounded up)."""
    step = _nice_step(max(hi - lo, 1e-12) / 10)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step


def _nice_ceiling(top: float) -> float:
    """The smallest of 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k at or above ``top`` (> 0)."""
    k = math.floor(math.log10(top))
    return next(m * 10.0**k for m in (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
                if m * 10.0**k >= top)


def gradient_estimators(
    shots: int = 100, h: float = 0.1, component: int = 0, *, n_repeats: int = 1000,
    seed: int = 0,
) -> GradientEstimatorsExplorer:
    """Explore parameter-shift, finite-difference and SPSA gradient estimates vs shots.

    Each histogram shows ``n_repeats`` estimates of one gradient component of the chapter-03
    two-qubit circuit (:func:`clipq_edu.course.analysis.toy_circuit`) at
    :data:`clipq_edu.course.analysis.TOY_PARAMS`, every circuit evaluation being the mean of
    ``shots`` ±1 outcomes from a seeded sampler. Parameter shift is unbiased with the
    smallest spread; finite differences trade bias (large h) against noise ∝ 1/h (small h);
    SPSA needs 2 circuits instead of 6 but scatters more.

    Args:
      shots: starting shots per circuit (one of ``SHOT_OPTIONS``).
      h: starting step for finite differences and SPSA, in [0.001, π].
      component: which parameter's derivative (0, 1, 2).
      n_repeats: estimates per histogram.
      seed: seed of the sampler.

    Returns:
      The explorer (display it as the last line of a cell).

    Taught in chapter 03.
    """
    if shots not in SHOT_OPTIONS:
        raise ValueError(f"shots must be one of {SHOT_OPTIONS}, got {shots!r}")
    if not 1e-3 <= float(h) <= math.pi:
        raise ValueError(f"h must be in [0.001, π], got {h!r}")
    if component not in (0, 1, 2):
        raise ValueError(f"component must be 0, 1 or 2, got {component!r}")
    if not isinstance(n_repeats, int) or not 10 <= n_repeats <= 100000:
        raise ValueError(f"n_repeats must be an integer in [10, 100000], got {n_repeats!r}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return GradientEstimatorsExplorer(shots, float(h), component, n_repeats=n_repeats,
                                      seed=seed)
