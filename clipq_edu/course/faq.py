"""Small, fast experiments behind the answers of chapter 06 (FAQ). NumPy only, no TensorFlow.

* :func:`logistic_sgd`: minibatch SGD on logistic regression whose data hold a few outliers,
  so the gradient norm has rare spikes; optional clipping by norm. It produces real
  gradient-norm telemetry for choosing a threshold, and shows what a bound costs.
* :func:`angle_classifier`: a one-qubit classifier ⟨Z⟩ = cos(w·s·x + b) trained with or
  without clipping, for inputs scaled by s: what clipping does *not* fix.
* :func:`adam_spike_recovery_steps`: how long one unclipped gradient spike keeps Adam's steps
  short (a closed form, checked in the chapter against a run of THE Adam).

Both clip with the package's :class:`~clipq_edu.clipping.Clipper` interface and return the
package's one telemetry type, :class:`clipq_edu.training.telemetry.Telemetry`, like every
other training path.

Taught in chapter 06.

>>> tel = logistic_sgd(n_steps=50, seed=0)
>>> tel.steps, bool(tel.norm_before.max() > 5 * np.median(tel.norm_before))
(50, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu import clipping
from clipq_edu._validate import check_int, check_positive_float, check_seed
from clipq_edu.course import _angle_model
from clipq_edu.training.loop import describe_clip

__all__ = ["MAX_STEPS", "N_ROWS", "adam_spike_recovery_steps", "angle_classifier", "logistic_data",
           "logistic_sgd"]

#: Rows of the logistic-regression data set (a batch cannot be larger).
N_ROWS = 2000
#: Most steps either experiment runs (a typo such as 10**12 is refused instead of hanging).
MAX_STEPS = 100_000


def logistic_data(
    n_rows: int, rng: np.random.Generator, outlier_rate: float = 0.01
) -> tuple[np.ndarray, np.ndarray]:
    """The data of :func:`logistic_sgd`: two Gaussian classes in 5 features, a few rows x40.

    Class y ∈ {0, 1} has features N(±0.8, 1) (sign 2y − 1); each row is an outlier with
    probability ``outlier_rate`` and then has all its features multiplied by 40, so a batch
    that draws one has a gradient-norm spike.

    Args:
      n_rows: rows, 1 to :data:`N_ROWS`.
      rng: a NumPy ``Generator``; its stream continues (:func:`logistic_sgd` draws the data
        and then its batches from ``np.random.default_rng(seed)``).
      outlier_rate: fraction of outlier rows in [0, 1).

    Returns:
      ``(x, y)``: features ``(n_rows, 5)`` and labels ``(n_rows,)``.

    Taught in chapter 06.

    >>> x, y = logistic_data(4, np.random.default_rng(0))
    >>> x.shape, y.tolist()
    ((4, 5), [1, 1, 1, 0])
    """
    n = check_int("n_rows", n_rows, minimum=1, maximum=N_ROWS)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got "
                        f"{type(rng).__name__}")
    outlier_rate = check_positive_float("outlier_rate", outlier_rate, allow_zero=True)
    if outlier_rate >= 1:
        raise ValueError(f"outlier_rate must be in [0, 1), got {outlier_rate}")
    y = rng.integers(0, 2, size=n)
    x = rng.normal(0.0, 1.0, size=(n, 5)) + (2 * y[:, None] - 1) * 0.8
    outliers = rng.random(n) < outlier_rate
    x[outliers] *= 40.0  # a few corrupted rows with huge features
    return x, y


def _clipper(spec_name: str, clip: Any) -> tuple[clipping.Clipper, str]:
    """The clipper of ``clip`` and its telemetry label.

    ``None`` means no clipping, a number c means ``(spec_name, c)``, and anything else is a
    clipping spec for :func:`clipq_edu.clipping.from_spec` (e.g. ``("autoclip", 90)``).
    """
    if clip is None:
        return clipping.from_spec(None), "no clipping"
    if isinstance(clip, (tuple, clipping.Clipper)):
        return clipping.from_spec(clip), describe_clip(clip)
    clip = check_positive_float("clip", clip)
    return clipping.from_spec((spec_name, clip)), f"{spec_name} {clip:g}"


def _cross_entropy(z: np.ndarray, y: np.ndarray) -> float:
    """Mean logistic loss log(1 + e^z) − y·z of logits ``z`` (stable for large |z|)."""
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def logistic_sgd(
    clip: float | None = None,
    learning_rate: float = 1.0,
    n_steps: int = 300,
    batch_size: int = 16,
    outlier_rate: float = 0.01,
    seed: int | None = 0,
) -> Any:
    """Train logistic regression by minibatch SGD and record the gradient norm of every step.

    The 5-feature data set (:func:`logistic_data`, :data:`N_ROWS` = 2000 rows) is two Gaussian
    classes, and a fraction ``outlier_rate`` of the rows is multiplied by 40: when one of them
    lands in a batch the gradient norm spikes, as in real telemetry. With ``clip`` the gradient is clipped by norm
    (:class:`clipq_edu.clipping.ClipByNorm`) before the step w ← w − lr·g.

    Args:
      clip: the norm bound c > 0, a clipping spec such as ``("autoclip", 90)`` or
        ``("agc", 0.05)`` (AGC sees the weights w), or ``None`` for plain SGD.
      learning_rate: the step size lr, > 0 and at most 1000.
      n_steps: number of steps, 1 to :data:`MAX_STEPS`.
      batch_size: rows per batch, 1 to :data:`N_ROWS`.
      outlier_rate: fraction of outlier rows in [0, 1).
      seed: seed of the data and the batches.

    Returns:
      A :class:`~clipq_edu.training.telemetry.Telemetry`: ``loss`` is the batch loss before
      each step, ``norm_before``/``norm_after`` the gradient norm before/after clipping,
      ``clipped`` and ``threshold`` what the clipper did; ``extra["clean_loss"]`` is the
      full-data mean cross-entropy on the clean rows after each step and
      ``extra["step_size"]`` the norm of each update.

    References:
      Pascanu, Mikolov, Bengio (2013), "On the difficulty of training recurrent neural
      networks", ICML, https://arxiv.org/abs/1211.5063.

    Taught in chapter 06.

    >>> tel = logistic_sgd(clip=0.2, n_steps=100, seed=0)
    >>> bool(tel.extra["step_size"].max() <= 0.2 + 1e-12), 0 < tel.summary()["clipped_fraction"]
    (True, True)
    """
    from clipq_edu.training.telemetry import TelemetryRecorder

    clipper, label = _clipper("norm", clip)
    lr = check_positive_float("learning_rate", learning_rate, maximum=1000.0)
    n_steps = check_int("n_steps", n_steps, minimum=1, maximum=MAX_STEPS)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=N_ROWS)
    outlier_rate = check_positive_float("outlier_rate", outlier_rate, allow_zero=True)
    if outlier_rate >= 1:
        raise ValueError(f"outlier_rate must be in [0, 1), got {outlier_rate}")
    rng = np.random.default_rng(check_seed("seed", seed))
    x, y = logistic_data(N_ROWS, rng, outlier_rate)
    clean = np.abs(x).max(axis=1) < 20
    w = np.zeros(x.shape[1])
    rec = TelemetryRecorder(clip=label)
    for _ in range(n_steps):
        idx = rng.integers(0, len(y), size=batch_size)
        z = np.clip(x[idx] @ w, -500, 500)
        g = x[idx].T @ (1.0 / (1.0 + np.exp(-z)) - y[idx]) / batch_size
        g, info = clipper(g, params=w)
        w = w - lr * g
        rec.record(_cross_entropy(z, y[idx]), info, step_size=float(lr * np.linalg.norm(g)),
                   clean_loss=_cross_entropy(np.clip(x[clean] @ w, -500, 500), y[clean]))
    return rec.finish()


def angle_classifier(
    scale: float = 1.0,
    clip: float | None = None,
    learning_rate: float = 0.5,
    n_steps: int = 300,
    seed: int | None = 0,
) -> Any:
    """Train a one-qubit classifier ⟨Z⟩ = cos(w·(scale·x) + b) by gradient descent on MSE.

    The feature x is standardised (two classes around ±1, labels ±1): with ``scale = 1`` a
    good (w, b) exists near (π/2, −π/2) and the landscape is smooth; ``scale = 30`` is the
    same data left unscaled 30x, and the angle wraps around many times: the loss becomes
    a fast oscillation in w with gradients about 30x larger. Clipping
    (:class:`clipq_edu.clipping.ClipByGlobalNorm`) bounds each step but cannot make that
    landscape benign. The gradient is exact (the parameter-shift rule gives the same value as
    the formula for a single rotation).

    Args:
      scale: input scale s, > 0 and at most 1000.
      clip: global-norm bound c > 0 for (∂w, ∂b), or ``None``.
      learning_rate: the step size lr, > 0 and at most 1000.
      n_steps: steps, 1 to :data:`MAX_STEPS`.
      seed: seed of the data and of the initial (w, b), uniform in [-1, 1].

    Returns:
      A :class:`~clipq_edu.training.telemetry.Telemetry` with the loss and gradient norms of
      every step; ``metrics["accuracy"]`` is the final training accuracy.

    Taught in chapter 06.

    >>> angle_classifier(1.0, seed=0).metrics["accuracy"] > 0.9
    True
    """
    from clipq_edu.training.telemetry import TelemetryRecorder

    scale = check_positive_float("scale", scale, maximum=1000.0)
    clipper, label = _clipper("global_norm", clip)
    lr = check_positive_float("learning_rate", learning_rate, maximum=1000.0)
    n_steps = check_int("n_steps", n_steps, minimum=1, maximum=MAX_STEPS)
    rng = np.random.default_rng(check_seed("seed", seed))
    x, y = _angle_model.data(200, scale, rng)
    p = rng.uniform(-1.0, 1.0, size=2)  # (w, b)
    rec = TelemetryRecorder(clip=label)
    for _ in range(n_steps):
        loss, g = _angle_model.loss_and_grad(p, x, y)
        g, info = clipper(g)
        rec.record(loss, info)
        p = p - lr * g
    accuracy = float(np.mean(np.sign(np.cos(p[0] * x + p[1])) == y))
    return rec.finish(metrics={"accuracy": accuracy})


def adam_spike_recovery_steps(spike: float, b2: float = 0.999, fraction: float = 0.5) -> float:
    """Steps after one gradient spike until Adam's update is back to ``fraction`` of normal.

    Setting: a steady gradient of size 1 at every step, except one step of size ``spike``.
    Long after the spike Adam's first moment is back to 1 and the bias corrections are ≈ 1,
    while the second moment still remembers the spike:
    v̂ₖ ≈ 1 + (spike² − 1)(1 − β₂)β₂ᵏ, k steps after it. The update is lr·m̂/√v̂ ≈ lr/√v̂, so
    it stays below ``fraction``·lr while v̂ₖ > 1/fraction², that is for

        k* = ln[(spike² − 1)(1 − β₂) / (1/fraction² − 1)] / ln(1/β₂)

    steps (0 when the spike is too small to push it that low). β₂'s memory 1/(1 − β₂) sets
    the time scale (1000 steps for Keras' β₂ = 0.999, per factor e of v̂'s excess), and the
    logarithm of the spike's size multiplies it.

    Args:
      spike: the spike's size relative to the steady gradient, >= 1.
      b2: Adam's β₂ (Optax's name), in (0, 1).
      fraction: the share of the normal update that counts as recovered, in (0, 1).

    Returns:
      k*, a float (steps; may be fractional).

    References:
      Kingma, Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR,
      https://arxiv.org/abs/1412.6980.

    Taught in chapter 06.

    >>> round(adam_spike_recovery_steps(1000.0))
    5806
    >>> adam_spike_recovery_steps(1.0)
    0.0
    """
    spike = check_positive_float("spike", spike, maximum=1e150)
    if spike < 1.0:
        raise ValueError(f"spike must be >= 1 (relative to the steady gradient), got {spike}")
    b2 = check_positive_float("b2", b2)
    if not 0.0 < b2 < 1.0:
        raise ValueError(f"b2 must be in (0, 1), got {b2}")
    fraction = check_positive_float("fraction", fraction)
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    if fraction < 1e-100:
        raise ValueError(f"fraction must be >= 1e-100 (a share of the normal step), got {fraction}")
    excess = (spike**2 - 1.0) * (1.0 - b2) / (1.0 / fraction**2 - 1.0)
    return float(max(0.0, np.log(excess) / np.log(1.0 / b2))) if excess > 0 else 0.0
