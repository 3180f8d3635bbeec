"""Explorer: pick a clipping method and bound, watch the training telemetry (chapter 04).

The model is the article's ``Dense(10, relu) -> Dense(1, sigmoid)`` on the 8-feature task of
:func:`clipq_edu.data.article_task`, written out in NumPy (forward pass, backward pass,
SGD or Adam) so that a new setting trains in a few milliseconds and the widget never waits
for TensorFlow. Every run starts from the same seeded initial weights and sees the batches
in the same seeded order, so two settings differ only by what you changed. Runs are cached by
setting: moving back to a setting you have seen redraws from the cache.

The clipping is THE clipper of :mod:`clipq_edu.clipping` (``from_spec``, as the Keras training
loop of :mod:`clipq_edu.training` uses it), the Adam step is THE one of
:mod:`clipq_edu.training.optim`, and each run is recorded as THE
:class:`clipq_edu.training.Telemetry`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from clipq_edu import clipping
from clipq_edu.data import article_task
from clipq_edu.i18n import Text, tr
from clipq_edu.training.optim import adam_init, adam_update
from clipq_edu.training.telemetry import Telemetry, TelemetryRecorder
from clipq_edu.widgets._base import LRU, Explorer

__all__ = ["METHODS", "SCALES", "TrainingTelemetryExplorer", "train_tiny", "training_telemetry"]

#: Clipping methods offered: label -> name used by :func:`train_tiny` (each label is a
#: :class:`~clipq_edu.i18n.Text`: it equals the English label and shows in either language).
METHODS = {
    Text("no clipping", "不裁剪"): "none",
    Text("by value (clipvalue)", "按值裁剪（clipvalue）"): "value",
    Text("by norm, per tensor (clipnorm)", "按范数裁剪，逐张量（clipnorm）"): "norm",
    Text("by global norm (global_clipnorm)", "按全局范数裁剪（global_clipnorm）"): "global_norm",
}
#: Input scales offered: 1 = standardised features, larger = features in "wrong units".
SCALES = (1.0, 10.0, 30.0)
#: Learning rates used for each optimiser (fixed, so the controls stay few).
LEARNING_RATES = {"sgd": 0.1, "adam": 0.01}
BOUND_RANGE = (0.01, 100.0)
#: Fixed y ranges of the two panels: all settings' norms lie in [0.01, 45], the bound in
#: [0.01, 100], batch losses in [0.02, 20].
NORM_RANGE = (5e-3, 2e2)
LOSS_RANGE = (1e-2, 1e2)

#: Finished runs by (method, bound, input_scale, optimizer, seed), least recently used out
#: first: redraws come from here.
_CACHE = LRU(128)

_HIDDEN = 10
_EPOCHS = 8
_BATCH = 32


@lru_cache(maxsize=1)
def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    d = article_task(n_samples=320, seed=seed)
    return d.x_train.astype(np.float64), d.y_train.astype(np.float64)


def _init(seed: int, n_in: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    lim1 = math.sqrt(6 / (n_in + _HIDDEN))
    lim2 = math.sqrt(6 / (_HIDDEN + 1))
    return [rng.uniform(-lim1, lim1, (n_in, _HIDDEN)), np.zeros(_HIDDEN),
            rng.uniform(-lim2, lim2, (_HIDDEN, 1)), np.zeros(1)]


def _loss_and_grads(w: list[np.ndarray], x: np.ndarray, y: np.ndarray
                    ) -> tuple[float, list[np.ndarray]]:
    """Binary cross-entropy of the article model and its gradient (backprop written out)."""
    w1, b1, w2, b2 = w
    z1 = x @ w1 + b1
    h = np.maximum(z1, 0.0)
    z2 = (h @ w2 + b2).ravel()
    # BCE on the logit, stable form: softplus(z) - y z.
    loss = float(np.mean(np.logaddexp(0.0, z2) - y * z2))
    dz2 = (1.0 / (1.0 + np.exp(-z2)) - y)[:, None] / len(y)
    dh = dz2 @ w2.T
    dz1 = dh * (z1 > 0)
    return loss, [x.T @ dz1, dz1.sum(0), h.T @ dz2, dz2.sum(0)]


def _clipper(method: str, bound: float) -> clipping.Clipper:
    """THE clipper of :mod:`clipq_edu.clipping` for a method name of :data:`METHODS`."""
    return clipping.from_spec(None if method == "none" else (method, bound))


def _flat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([a.ravel() for a in arrays])


def _unflat(vector: np.ndarray, like: list[np.ndarray]) -> list[np.ndarray]:
    out, start = [], 0
    for a in like:
        out.append(vector[start:start + a.size].reshape(a.shape))
        start += a.size
    return out


def _accuracy(w: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    z = np.maximum(x @ w[0] + w[1], 0) @ w[2] + w[3]
    return float(np.mean((z.ravel() > 0) == (y > 0.5)))


def train_tiny(method: str, bound: float, input_scale: float, optimizer: str,
               seed: int = 0) -> Telemetry:
    """Train the article's model in NumPy under one clipping setting; return its telemetry.

    Each step clips the batch gradient with :func:`clipq_edu.clipping.from_spec` and applies
    it with plain SGD (w ← w − lr·g) or with THE Adam step
    (:func:`clipq_edu.training.optim.adam_update`, all weights as one vector).

    Args:
      method: ``"none"``, ``"value"``, ``"norm"`` or ``"global_norm"``.
      bound: the clip bound (ignored for ``"none"``), finite and > 0.
      input_scale: factor applied to the standardised features, > 0.
      optimizer: ``"sgd"`` or ``"adam"`` (learning rates in :data:`LEARNING_RATES`).
      seed: seed for the data, the initial weights and the batch order.

    Returns:
      A :class:`clipq_edu.training.Telemetry` (read-only per-step ``loss``,
      ``norm_before``, ``norm_after``, ``clipped``, ``epoch``; ``summary()`` gives
      ``clipped_fraction`` and ``final_loss``, the mean loss of the last epoch) whose
      ``metrics`` hold ``accuracy`` (training set, final weights; NaN when diverged),
      ``diverged`` (loss or gradient went non-finite; training stops there) and
      ``steps_per_epoch``.

    Taught in chapter 04.

    >>> tel = train_tiny("global_norm", 1.0, 30.0, "sgd")
    >>> tel.steps, bool(tel.clipped.any()), tel.metrics["diverged"]
    (64, True, False)
    """
    if method not in METHODS.values():
        raise ValueError(f"method must be one of {sorted(METHODS.values())}, got {method!r}")
    if optimizer not in LEARNING_RATES:
        raise ValueError(f"optimizer must be one of {sorted(LEARNING_RATES)}, got {optimizer!r}")
    x, y = _data(seed)
    x = x * float(input_scale)
    w = _init(seed, x.shape[1])
    clipper, lr = _clipper(method, bound), LEARNING_RATES[optimizer]
    adam = adam_init(_flat(w))
    rng = np.random.default_rng(seed + 1)
    rec = TelemetryRecorder(clip=f"{method} {bound:g}" if method != "none" else "no clipping")
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(_EPOCHS):
            order = rng.permutation(len(y))
            for start in range(0, len(y), _BATCH):
                idx = order[start:start + _BATCH]
                loss, grads = _loss_and_grads(w, x[idx], y[idx])
                if not (math.isfinite(loss) and math.isfinite(clipping.global_norm(grads))):
                    diverged = True
                    break
                applied, info = clipper(grads)
                rec.record(loss, info, epoch=epoch)
                if optimizer == "sgd":
                    w = [a - lr * g for a, g in zip(w, applied, strict=True)]
                else:
                    updates, adam = adam_update(_flat(applied), adam, learning_rate=lr)
                    w = _unflat(_flat(w) + updates, w)
            if diverged:
                break
        final, _ = _loss_and_grads(w, x, y)
        accuracy = _accuracy(w, x, y)
    diverged = bool(diverged or not math.isfinite(final))
    return rec.finish(metrics={
        "accuracy": accuracy if math.isfinite(final) else math.nan, "diverged": diverged,
        "steps_per_epoch": math.ceil(len(y) / _BATCH)})


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
                                            "梯度裁剪下的训练遥测"),
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
        self._before = ax_norm.semilogy([], [], lw=1, label="‖g‖ before clipping")[0]
        self._after = ax_norm.semilogy([], [], lw=1, ls="--", label="‖g‖ applied")[0]
        self._bound = ax_norm.axhline(1.0, color="k", lw=0.8, ls=":", label="bound c")
        self._loss = ax_loss.semilogy([], [], lw=1, color="tab:green",
                                      label="batch loss (BCE)")[0]
        steps = _EPOCHS * math.ceil(_data(self.seed)[1].size / _BATCH)
        for ax in (ax_norm, ax_loss):
            ax.set_xlim(0, steps)
            ax.set_xlabel("step")
        ax_norm.set_ylabel("global gradient norm (log scale)")  # not for learners to translate: figure text (no CJK font)
        ax_loss.set_ylabel("binary cross-entropy (log scale)")
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
        """Update the three curves, the bound line and the titles (the axes stay fixed)."""
        ax_norm, ax_loss = self._axes
        steps = np.arange(len(data["loss"]))
        self._before.set_data(steps, data["norm_before"])
        self._after.set_data(steps, data["norm_after"])
        self._loss.set_data(steps, data["loss"])
        clipping_on = data["method"] != "none"
        self._bound.set_ydata([data["bound"]] * 2)
        self._bound.set_visible(clipping_on)
        ax_norm.set_title(f"clipped in {100 * data['clipped_fraction']:.0f}% of steps")
        verdict = "diverged" if data["diverged"] else f"train accuracy {data['accuracy']:.2f}"
        ax_loss.set_title(f"{data['optimizer'].upper()}, inputs x{data['input_scale']:g}: "
                          f"{verdict}")


def training_telemetry(method: str = "global_norm", bound: float = 1.0,
                       input_scale: float = 1.0, optimizer: str = "sgd", *,
                       seed: int = 0) -> TrainingTelemetryExplorer:
    """Explore how a clipping method and bound change training, step by step.

    Trains the article's 8 -> 10 -> 1 model (NumPy, binary cross-entropy) for 8 epochs on
    :func:`clipq_edu.data.article_task` and plots the global gradient norm before and after
    clipping and the batch loss. Try: SGD with inputs x30 and no clipping (the norm spikes
    and training is erratic), then clip by global norm; then the same with Adam, which
    normalises step sizes itself, so clipping changes much less; then inputs x1 (standardised),
    where the gradient rarely reaches any sensible bound at all.

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
