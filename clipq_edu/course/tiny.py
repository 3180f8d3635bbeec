"""The article's tiny model in NumPy, trained under one clipping setting (chapter 04).

The model is the article's ``Dense(10, relu) -> Dense(1, sigmoid)`` on the 8-feature task of
:func:`clipq_edu.data.article_task`, written out in NumPy (forward pass, backward pass, SGD
or Adam) so that a new setting trains in a few milliseconds without TensorFlow. Every run
starts from the same seeded initial weights and sees the batches in the same seeded order,
so two settings differ only by what was changed.

The clipping is THE clipper of :mod:`clipq_edu.clipping` (``from_spec``, as the Keras training
loop of :mod:`clipq_edu.training` uses it), the optimiser is THE one of
:func:`clipq_edu.training.optim.optimizer` (SGD or Adam, all weights as one vector), and each
run is recorded as THE :class:`clipq_edu.training.Telemetry`. The chapter 04 explorer
(:func:`clipq_edu.widgets.training_telemetry`) draws these runs.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from clipq_edu import clipping
from clipq_edu.data import article_task
from clipq_edu.training.optim import optimizer as get_optimizer
from clipq_edu.training.telemetry import Telemetry, TelemetryRecorder

__all__ = ["CLIP_METHODS", "EPOCHS", "LEARNING_RATES", "train_tiny"]

#: Clipping methods :func:`train_tiny` accepts (``"none"``: no clipping).
CLIP_METHODS = ("none", "value", "norm", "global_norm")
#: Learning rate used with each optimiser (fixed, so a run has few knobs).
LEARNING_RATES = {"sgd": 0.1, "adam": 0.01}
#: Passes over the 320 training samples, in batches of :data:`BATCH`.
EPOCHS = 8
BATCH = 32
_HIDDEN = 10


@lru_cache(maxsize=1)
def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    d = article_task(n_samples=320, seed=seed)
    return d.x_train.astype(np.float64), d.y_train.astype(np.float64)


def steps_per_run(seed: int = 0) -> int:
    """Training steps of one full run: :data:`EPOCHS` times the batches per epoch."""
    return EPOCHS * math.ceil(_data(seed)[1].size / BATCH)


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
    """THE clipper of :mod:`clipq_edu.clipping` for a name of :data:`CLIP_METHODS`."""
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
    it with THE optimiser :func:`clipq_edu.training.optim.optimizer` (``optimizer``): plain
    SGD (w ← w − η·g) or Adam, all weights as one vector.

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
    if method not in CLIP_METHODS:
        raise ValueError(f"method must be one of {sorted(CLIP_METHODS)}, got {method!r}")
    if optimizer not in LEARNING_RATES:
        raise ValueError(f"optimizer must be one of {sorted(LEARNING_RATES)}, got {optimizer!r}")
    x, y = _data(seed)
    x = x * float(input_scale)
    w = _init(seed, x.shape[1])
    clipper, learning_rate = _clipper(method, bound), LEARNING_RATES[optimizer]
    opt = get_optimizer(optimizer)
    state = opt.init(_flat(w))
    rng = np.random.default_rng(seed + 1)
    rec = TelemetryRecorder(clip=f"{method} {bound:g}" if method != "none" else "no clipping")
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(EPOCHS):
            order = rng.permutation(len(y))
            for start in range(0, len(y), BATCH):
                idx = order[start:start + BATCH]
                loss, grads = _loss_and_grads(w, x[idx], y[idx])
                if not (math.isfinite(loss) and math.isfinite(clipping.global_norm(grads))):
                    diverged = True
                    break
                applied, info = clipper(grads)
                rec.record(loss, info, epoch=epoch)
                updates, state = opt.update(_flat(applied), state, learning_rate=learning_rate)
                w = _unflat(_flat(w) + updates, w)
            if diverged:
                break
        final, _ = _loss_and_grads(w, x, y)
        accuracy = _accuracy(w, x, y)
    diverged = bool(diverged or not math.isfinite(final))
    return rec.finish(metrics={
        "accuracy": accuracy if math.isfinite(final) else math.nan, "diverged": diverged,
        "steps_per_epoch": math.ceil(len(y) / BATCH)})
