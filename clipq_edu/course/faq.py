"""Small, fast experiments behind the answers of chapter 06 (FAQ). NumPy only, no TensorFlow.

* :func:`logistic_sgd`: minibatch SGD on logistic regression whose data hold a few outliers,
  so the gradient norm has rare spikes; optional clipping by norm. It produces real
  gradient-norm telemetry for choosing a threshold, and shows what a bound costs.
* :func:`angle_classifier`: a one-qubit classifier ⟨Z⟩ = cos(w·s·x + b) trained with or
  without clipping, for inputs scaled by s: what clipping does *not* fix.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu import clipping
from clipq_edu._validate import check_int, check_positive_float, check_seed

__all__ = ["angle_classifier", "logistic_sgd"]


def _logistic_data(n: int, rng: np.random.Generator, outlier_rate: float) -> tuple[Any, Any]:
    y = rng.integers(0, 2, size=n)
    x = rng.normal(0.0, 1.0, size=(n, 5)) + (2 * y[:, None] - 1) * 0.8
    outliers = rng.random(n) < outlier_rate
    x[outliers] *= 40.0  # a few corrupted rows with huge features
    return x, y


def logistic_sgd(
    clip: float | None = None,
    lr: float = 1.0,
    n_steps: int = 300,
    batch_size: int = 16,
    outlier_rate: float = 0.01,
    seed: int | None = 0,
) -> dict[str, np.ndarray]:
    """Train logistic regression by minibatch SGD and record the gradient norm of every step.

    The 5-feature data set (2000 rows) is two Gaussian classes, and a fraction ``outlier_rate``
    of the rows is multiplied by 40: when one of them lands in a batch the gradient norm
    spikes, as in real telemetry. With ``clip`` the gradient is clipped by norm
    (:func:`clipq_edu.clipping.clip_by_norm`) before the step.

    Args:
      clip: the norm bound c > 0, or ``None`` for plain SGD.
      lr: learning rate > 0.
      n_steps: number of steps >= 1.
      batch_size: rows per batch >= 1.
      outlier_rate: fraction of outlier rows in [0, 1).
      seed: seed of the data and the batches.

    Returns:
      ``{"norms": gradient norm before clipping per step, "loss": full-data mean
      cross-entropy on the clean rows after each step, "step": norm of each update}``.

    References:
      Pascanu, Mikolov, Bengio (2013), "On the difficulty of training recurrent neural
      networks", ICML, https://arxiv.org/abs/1211.5063.

    Taught in chapter 06.
    """
    if clip is not None:
        clip = check_positive_float("clip", clip)
    lr = check_positive_float("lr", lr)
    n_steps = check_int("n_steps", n_steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    outlier_rate = check_positive_float("outlier_rate", outlier_rate, allow_zero=True)
    if outlier_rate >= 1:
        raise ValueError(f"outlier_rate must be in [0, 1), got {outlier_rate}")
    rng = np.random.default_rng(check_seed("seed", seed))
    x, y = _logistic_data(2000, rng, outlier_rate)
    clean = np.abs(x).max(axis=1) < 20
    w = np.zeros(x.shape[1])
    norms, losses, steps = [], [], []
    for _ in range(n_steps):
        idx = rng.integers(0, len(y), size=batch_size)
        p = 1.0 / (1.0 + np.exp(-np.clip(x[idx] @ w, -500, 500)))
        g = x[idx].T @ (p - y[idx]) / batch_size
        norms.append(float(np.linalg.norm(g)))
        if clip is not None:
            g = clipping.clip_by_norm(g, clip)
        w = w - lr * g
        steps.append(float(lr * np.linalg.norm(g)))
        z = np.clip(x[clean] @ w, -500, 500)
        losses.append(float(np.mean(np.logaddexp(0.0, z) - y[clean] * z)))
    return {"norms": np.array(norms), "loss": np.array(losses), "step": np.array(steps)}


def angle_classifier(
    scale: float = 1.0,
    clip: float | None = None,
    lr: float = 0.5,
    n_steps: int = 300,
    seed: int | None = 0,
) -> dict[str, Any]:
    """Train a one-qubit classifier ⟨Z⟩ = cos(w·(scale·x) + b) by gradient descent on MSE.

    The feature x is standardised (two classes around ±1, labels ±1): with ``scale = 1`` a
    good (w, b) exists near (π/2, −π/2) and the landscape is smooth; ``scale = 30`` is the
    same data left unscaled 30x, and the angle wraps around many times: the loss becomes
    a fast oscillation in w with gradients about 30x larger. Clipping bounds each step but
    cannot make that landscape benign. The gradient is exact (the parameter-shift rule gives
    the same value as the formula for a single rotation).

    Args:
      scale: input scale s > 0.
      clip: global-norm bound c > 0 for (∂w, ∂b), or ``None``.
      lr: learning rate > 0.
      n_steps: steps >= 1.
      seed: seed of the data and of the initial (w, b), uniform in [-1, 1].

    Returns:
      ``{"accuracy": final training accuracy, "loss": loss per step, "norms": gradient norm
      per step}``.

    Taught in chapter 06.
    """
    scale = check_positive_float("scale", scale)
    if clip is not None:
        clip = check_positive_float("clip", clip)
    lr = check_positive_float("lr", lr)
    n_steps = check_int("n_steps", n_steps, minimum=1)
    rng = np.random.default_rng(check_seed("seed", seed))
    y = rng.choice([-1.0, 1.0], size=200)
    x = scale * (y + 0.4 * rng.normal(size=200))
    w, b = rng.uniform(-1.0, 1.0, size=2)
    losses, norms = [], []
    for _ in range(n_steps):
        z = np.cos(w * x + b)
        losses.append(float(np.mean((z - y) ** 2)))
        dz = -np.sin(w * x + b) * 2.0 * (z - y) / len(y)
        g = np.array([np.sum(dz * x), np.sum(dz)])
        norms.append(float(np.linalg.norm(g)))
        if clip is not None:
            g, _ = clipping.clip_by_global_norm(g, clip)
        w, b = w - lr * g[0], b - lr * g[1]
    accuracy = float(np.mean(np.sign(np.cos(w * x + b)) == y))
    return {"accuracy": accuracy, "loss": np.array(losses), "norms": np.array(norms)}
