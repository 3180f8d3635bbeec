"""Explorer: pick a clipping method and bound, watch the training telemetry (chapter 04).

Each setting is one run of :func:`clipq_edu.course.tiny.train_tiny` (the article's model in
NumPy, a few milliseconds per run, under THE clipper and THE optimiser of the library). Every
run starts from the same seeded initial weights and sees the batches in the same seeded
order, so two settings differ only by what you changed. Runs are cached by setting (for the
session, shared by every explorer): moving back to a setting you have seen redraws from the
cache.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from clipq_edu._lru import LRU
from clipq_edu.course.tiny import LEARNING_RATES, steps_per_run, train_tiny
from clipq_edu.i18n import Text, tr
from clipq_edu.widgets._base import Explorer

__all__ = ["METHODS", "SCALES", "TrainingTelemetryExplorer", "training_telemetry"]

#: Clipping methods offered: label -> name used by :func:`~clipq_edu.course.tiny.train_tiny`
#: (each label is a :class:`~clipq_edu.i18n.Text`: it equals the English label and shows in
#: either language).
METHODS = {
    Text("no clipping", "不裁剪"): "none",
    Text("by value (clipvalue)", "按值裁剪（clipvalue）"): "value",
    Text("by norm, per tensor (clipnorm)", "按范数裁剪，逐张量（clipnorm）"): "norm",
    Text("by global norm (global_clipnorm)", "按全局范数裁剪（global_clipnorm）"): "global_norm",
}
#: Input scales offered: 1 = standardised features, larger = features in "wrong units".
SCALES = (1.0, 10.0, 30.0)
BOUND_RANGE = (0.01, 100.0)
#: Fixed y ranges of the two panels: all settings' norms lie in [0.01, 45], the bound in
#: [0.01, 100], batch losses in [0.02, 20].
NORM_RANGE = (5e-3, 2e2)
LOSS_RANGE = (1e-2, 1e2)

#: Finished runs by (method, bound, input_scale, optimizer, seed), least recently used out
#: first: redraws come from here.
_CACHE = LRU(128)


class TrainingTelemetryExplorer(Explorer):
    """Gradient norm before/after clipping and the loss, per step, for one clipping setting.

    Controls: ``method`` (clipping method), ``bound`` (the clip bound, log slider),
    ``input_scale`` (1 = standardised inputs), ``optimizer`` (SGD or Adam).
    """

    def __init__(self, method: str = "global_norm", bound: float = 1.0,
                 input_scale: float = 1.0, optimizer: str = "sgd", seed: int = 0) -> None:
        self.seed = seed
        lo, hi = (math.log10(b) for b in BOUND_RANGE)
        controls = {
            "method": widgets.Dropdown(options=[(str(k), v) for k, v in METHODS.items()],
                                       value=method, description=tr("clipping", "裁剪方法")),
            "bound": widgets.FloatLogSlider(value=bound, base=10, min=lo, max=hi, step=0.25,
                                            description=tr("bound c", "阈值 c"),
                                            readout_format=".3g"),
            "input_scale": widgets.Dropdown(options=[(f"x{s:g}", s) for s in SCALES],
                                            value=input_scale,
                                            description=tr("input scale", "输入缩放")),
            "optimizer": widgets.Dropdown(
                options=[(tr("SGD (lr 0.1)", "SGD（学习率 0.1）"), "sgd"),
                         (tr("Adam (lr 0.01)", "Adam（学习率 0.01）"), "adam")],
                value=optimizer, description=tr("optimiser", "优化器")),
        }
        super().__init__(controls, title=tr("Training telemetry under gradient clipping",
                                            "梯度裁剪下的训练监控"),
                         figsize=(8.0, 3.6))

    def validate(self, *, method: Any, bound: Any, input_scale: Any,
                 optimizer: Any) -> str | None:
        """Return a message for values the explorer cannot show, else ``None``."""
        if method not in METHODS.values():
            return tr(f"clipping method must be one of {sorted(METHODS.values())}, got {method!r}",
                      f"裁剪方法必须是 {sorted(METHODS.values())} 之一，而不是 {method!r}")
        if isinstance(bound, bool) or not isinstance(bound, (int, float, np.floating)):
            return tr(f"bound must be a number, got {bound!r}",
                      f"阈值必须是数，而不是 {bound!r}")
        if not (math.isfinite(bound) and BOUND_RANGE[0] <= bound <= BOUND_RANGE[1]):
            return tr(f"bound must be in [{BOUND_RANGE[0]}, {BOUND_RANGE[1]}], got {bound!r}",
                      f"阈值必须在 [{BOUND_RANGE[0]}, {BOUND_RANGE[1]}] 内，而不是 {bound!r}")
        if input_scale not in SCALES:
            return tr(f"input scale must be one of {SCALES}, got {input_scale!r}",
                      f"输入缩放必须是 {SCALES} 之一，而不是 {input_scale!r}")
        if optimizer not in LEARNING_RATES:
            return tr(f"optimiser must be one of {sorted(LEARNING_RATES)}, got {optimizer!r}",
                      f"优化器必须是 {sorted(LEARNING_RATES)} 之一，而不是 {optimizer!r}")
        return None

    def is_cached(self, *, method: str, bound: float, input_scale: float,
                  optimizer: str) -> bool:
        return self._key(method, bound, input_scale, optimizer) in _CACHE

    def _key(self, method: str, bound: float, input_scale: float,
             optimizer: str) -> tuple[Any, ...]:
        return (method, round(float(bound), 10), float(input_scale), optimizer, self.seed)

    def compute(self, *, method: str, bound: float, input_scale: float,
                optimizer: str) -> dict[str, Any]:
        """One cached NumPy training run per setting (a few ms when new)."""
        key = self._key(method, bound, input_scale, optimizer)
        tel = _CACHE.get_or_compute(key, lambda: train_tiny(*key))
        summary = tel.summary()
        return {"method": method, "bound": float(bound), "input_scale": float(input_scale),
                "optimizer": optimizer, "telemetry": tel, "loss": tel.loss,
                "norm_before": tel.norm_before, "norm_after": tel.norm_after,
                "clipped": tel.clipped, "clipped_fraction": summary["clipped_fraction"],
                "final_loss": summary["final_loss"], **tel.metrics}

    def build(self, figure: Figure) -> None:
        """Left: gradient norms before/after clipping (log); right: the batch loss."""
        ax_norm, ax_loss = figure.subplots(1, 2)
        self._before = ax_norm.semilogy([], [], lw=1, label=tr("‖g‖ before clipping", "裁剪前的 ‖g‖"))[0]
        self._after = ax_norm.semilogy([], [], lw=1, ls="--", label=tr("‖g‖ applied", "实际使用的 ‖g‖"))[0]
        self._bound = ax_norm.axhline(1.0, color="k", lw=0.8, ls=":", label=tr("bound c", "阈值 c"))
        self._loss = ax_loss.semilogy([], [], lw=1, color="tab:green",
                                      label=tr("batch loss (BCE)", "批量损失（BCE）"))[0]
        steps = steps_per_run(self.seed)
        for ax in (ax_norm, ax_loss):
            ax.set_xlim(0, steps)
            ax.set_xlabel(tr("step", "步数"))
        ax_norm.set_ylabel(tr("global gradient norm (log scale)", "全局梯度范数（对数坐标）"))
        ax_loss.set_ylabel(tr("binary cross-entropy (log scale)", "二元交叉熵（对数坐标）"))
        # Fixed ranges (every setting's norms and losses fit; measured over all of them), so
        # settings compare at a glance and the axes are drawn once.
        ax_norm.set_ylim(*NORM_RANGE)
        ax_loss.set_ylim(*LOSS_RANGE)
        norm_legend = ax_norm.legend(fontsize="small", loc="upper right", framealpha=1)
        ax_loss.legend(fontsize="small", loc="upper right")
        for artist in (self._before, self._after, self._bound, self._loss, norm_legend,
                       ax_norm.title, ax_loss.title):
            artist.set_animated(True)
        self._axes = ax_norm, ax_loss

    def draw(self, figure: Figure, data: Mapping[str, Any]) -> None:
        """Update the three curves, the bound line and the titles (the axes stay fixed).

        The loss panel's title gives the train accuracy and the final loss (the mean batch
        loss over the last epoch, ``Telemetry.summary()["final_loss"]``), so two settings can
        be compared by number, as exercise 04.6 asks.
        """
        ax_norm, ax_loss = self._axes
        steps = np.arange(len(data["loss"]))
        self._before.set_data(steps, data["norm_before"])
        self._after.set_data(steps, data["norm_after"])
        self._loss.set_data(steps, data["loss"])
        clipping_on = data["method"] != "none"
        self._bound.set_ydata([data["bound"]] * 2)
        self._bound.set_visible(clipping_on)
        ax_norm.set_title(tr(f"clipped in {100 * data['clipped_fraction']:.0f}% of steps",
                             f"{100 * data['clipped_fraction']:.0f}% 的训练步被裁剪"))
        verdict = tr("diverged", "发散") if data["diverged"] else tr(
            f"accuracy {data['accuracy']:.2f}, final loss {data['final_loss']:.3f}",
            f"准确率 {data['accuracy']:.2f}，最终损失 {data['final_loss']:.3f}")
        ax_loss.set_title(tr(f"{data['optimizer'].upper()}, inputs x{data['input_scale']:g}\n",
                             f"{data['optimizer'].upper()}，输入 ×{data['input_scale']:g}\n")
                          + verdict)


def training_telemetry(method: str = "global_norm", bound: float = 1.0,
                       input_scale: float = 1.0, optimizer: str = "sgd", *,
                       seed: int = 0) -> TrainingTelemetryExplorer:
    """Explore how a clipping method and bound change training, step by step.

    Trains the article's 8 -> 10 -> 1 model (NumPy, binary cross-entropy) for 8 epochs on
    :func:`clipq_edu.data.article_task` and plots the global gradient norm before and after
    clipping and the batch loss. Try: SGD with inputs x30 and no clipping (the norm spikes
    and training is erratic), then clip by global norm; then the same with Adam, which
    normalises step sizes itself, yet still changes, because at x30 the clip fires on most
    steps with varying factors (by how much, against SGD, depends on the seed); then inputs x1
    (standardised), where the gradient rarely reaches any sensible bound at all. The loss
    panel's title gives the train accuracy and the final loss (mean batch loss of the last
    epoch).

    Args:
      method: ``"none"``, ``"value"``, ``"norm"`` or ``"global_norm"``.
      bound: starting clip bound in [0.01, 100].
      input_scale: one of :data:`SCALES`.
      optimizer: ``"sgd"`` or ``"adam"``.
      seed: seed for data, initial weights and batch order.

    Returns:
      The explorer (display it as the last line of a cell).

    References:
      Pascanu, Mikolov, Bengio (2013), "On the difficulty of training recurrent neural
      networks", https://arxiv.org/abs/1211.5063.

    Taught in chapter 04.
    """
    if method not in METHODS.values():
        raise ValueError(f"method must be one of {sorted(METHODS.values())}, got {method!r}")
    b = float(bound)
    if not (math.isfinite(b) and BOUND_RANGE[0] <= b <= BOUND_RANGE[1]):
        raise ValueError(f"bound must be in [{BOUND_RANGE[0]}, {BOUND_RANGE[1]}], got {bound!r}")
    if input_scale not in SCALES:
        raise ValueError(f"input_scale must be one of {SCALES}, got {input_scale!r}")
    if optimizer not in LEARNING_RATES:
        raise ValueError(f"optimizer must be one of {sorted(LEARNING_RATES)}, got {optimizer!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return TrainingTelemetryExplorer(method, b, float(input_scale), optimizer, seed)
