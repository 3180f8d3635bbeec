"""Classical toy landscapes and plain versus clipped gradient descent (chapters 01 and 02).

Taught in chapter 01 (the x**4 landscape, gradient descent) and chapter 02 (Keras' clipping).

The steep toy of chapter 01 is f(x) = x**4 started at x0 = 10. Its curvature f''(x) = 12 x**2
is 1200 at the start and tiny near the minimum, so a fixed step that is safe at the start
(lr < 1 / (2 x0**2) = 0.005) crawls near the minimum, while a larger step overshoots at the
start and explodes. Clipping the gradient bounds the first steps and lets the large step do
its work near the minimum.

>>> res = gradient_descent(quartic_grad, 10.0, learning_rate=0.01, steps=100)
>>> res.converged, res.diverged
(False, True)
>>> res = gradient_descent(quartic_grad, 10.0, learning_rate=0.01, steps=100_000, clip=1.0)
>>> res.converged, res.iterations < 20_000
(True, True)

``keras_clipped_update`` (chapter 02) applies tf-keras' own ``clipvalue`` / ``clipnorm`` /
``global_clipnorm`` to given gradients; it imports TensorFlow only when called.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from clipq_edu._validate import (
    _show,
    as_float_array,
    check_finite,
    check_int,
    check_positive_float,
    check_real,
)
from clipq_edu.i18n import tr

__all__ = [
    "GDResult",
    "best_plain_step",
    "gradient_descent",
    "keras_clipped_update",
    "max_stable_step",
    "quartic",
    "quartic_grad",
    "quartic_hessian",
    "quartic_tail_iterations",
    "step_size_scan",
]

#: |x| beyond which a run counts as diverged (and stops before floats overflow).
DIVERGE_AT = 1e8


# --------------------------------------------------------------------------------------------
# The steep landscape
# --------------------------------------------------------------------------------------------
def _number_or_array(x: Any) -> float | np.ndarray:
    """``x`` as a float (a real number) or a float64 array; overflow gives ±inf, not an error."""
    if isinstance(x, numbers.Real):
        return float(x)
    return as_float_array("x", x)


def quartic(x: Any) -> Any:
    """Return f(x) = x**4 (elementwise; summed over entries for a vector).

    Args:
      x: a number or an array of real numbers.

    Returns:
      x**4 for a number, sum(x**4) for an array (inf when it overflows a float).

    Taught in chapter 01.

    >>> quartic(2.0), quartic([1.0, 2.0])
    (16.0, 17.0)
    """
    v = _number_or_array(x)
    if isinstance(v, float):
        return v * v * v * v  # multiplication overflows to inf; float ** 4 would raise
    with np.errstate(over="ignore"):
        return float(np.sum(v**4))


def quartic_grad(x: Any) -> Any:
    """Return the gradient f'(x) = 4 x**3 of :func:`quartic`.

    Args:
      x: a number or an array.

    Returns:
      4 x**3, with the type of ``x`` (float for a number, array for an array).

    Taught in chapter 01.

    >>> quartic_grad(-1.5)
    -13.5
    """
    v = _number_or_array(x)
    if isinstance(v, float):
        return 4.0 * v * v * v
    with np.errstate(over="ignore"):
        return 4.0 * v**3


def quartic_hessian(x: Any) -> Any:
    """Return the curvature f''(x) = 12 x**2 of :func:`quartic` (the local smoothness L).

    Args:
      x: a number or an array.

    Returns:
      12 x**2.

    Taught in chapter 01.

    >>> quartic_hessian(10.0)
    1200.0
    """
    v = _number_or_array(x)
    if isinstance(v, float):
        return 12.0 * v * v
    with np.errstate(over="ignore"):
        return 12.0 * v**2


def max_stable_step(x0: float) -> float:
    """Return the largest plain-GD step that does not move away from 0 on x**4 from ``x0``.

    The first step maps x0 to x0 (1 - 4 lr x0**2); it stays in [-|x0|, |x0|] only when
    4 lr x0**2 <= 2, i.e. lr <= 1 / (2 x0**2). Above it, |x| grows and every later step is
    worse: plain gradient descent explodes.

    Args:
      x0: the starting point, a finite non-zero number (not so close to 0 that 1 / (2 x0**2)
        overflows).

    Returns:
      1 / (2 x0**2).

    Taught in chapter 01.

    >>> max_stable_step(10.0)
    0.005
    """
    x0 = check_real("x0", x0)
    step = 1.0 / (2.0 * x0 * x0) if x0 * x0 > 0 else math.inf
    if not math.isfinite(step):
        raise ValueError(f"x0 must be a non-zero number whose 1 / (2 x0**2) is finite, got {x0!r}")
    return step


def quartic_tail_iterations(learning_rate: float, tol: float, x_start: float = math.inf) -> float:
    """Predict how many small steps plain GD needs on x**4 to reach |f'(x)| <= tol.

    Near the minimum GD on x**4 obeys x_{k+1} = x_k - 4 lr x_k**3. Treating k as continuous,
    dx/dk = -4 lr x**3 integrates to 1/x_k**2 = 1/x_start**2 + 8 lr k, so reaching |x| = x_tol
    (where 4 x_tol**3 = tol) takes k = (1/x_tol**2 - 1/x_start**2) / (8 lr) steps. The count
    is proportional to 1/lr: the larger the step one can afford, the faster.

    Args:
      learning_rate: the step size lr (> 0).
      tol: gradient tolerance (> 0).
      x_start: where the smooth phase starts, a number or ±inf (default: far away,
        1/x_start**2 = 0). Starting at or inside the tolerance needs 0 steps.

    Returns:
      The predicted number of iterations (a float, 0 when no step is needed). Raises
      ValueError when the count overflows a float (a step size near zero).

    Taught in chapter 01.

    >>> round(quartic_tail_iterations(0.01, 1e-3))
    3150
    """
    lr = check_positive_float("learning_rate", learning_rate)
    tol = check_positive_float("tol", tol)
    if not (isinstance(x_start, numbers.Real) and math.isinf(x_start)):
        x_start = check_real("x_start", x_start)
    x_tol = (tol / 4.0) ** (1.0 / 3.0)
    if math.isinf(x_start):
        start = 0.0
    elif x_start == 0:
        return 0.0  # already at the minimum
    else:
        inv = 1.0 / abs(x_start)  # finite: |x_start| >= 5e-324
        start = inv * inv  # may overflow to inf: then x_start is inside the tolerance
    remaining = 1.0 / (x_tol * x_tol) - start
    if remaining <= 0:
        return 0.0
    count = remaining / (8.0 * lr)
    if not math.isfinite(count):
        raise ValueError(f"learning_rate={lr!r} is so small that the step count overflows a "
                         "float")
    return count


# --------------------------------------------------------------------------------------------
# Gradient descent
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GDResult:
    """What one gradient-descent run did.

    Attributes:
      trajectory: the iterates x_0, x_1, ... (1-D for a scalar problem, 2-D [k, dim] else),
        ending at the point where the run stopped.
      iterations: steps taken until ‖f'(x)‖ <= tol, or ``None`` if that never happened.
      diverged: ``True`` when |x| passed ``DIVERGE_AT`` (or became non-finite).
      learning_rate, clip, tol: the settings used (the repr writes the step size as ``lr``).
    """

    trajectory: np.ndarray
    iterations: int | None
    diverged: bool
    learning_rate: float
    clip: float | None
    tol: float

    @property
    def converged(self) -> bool:
        """``True`` when the gradient tolerance was reached."""
        return self.iterations is not None

    @property
    def final(self) -> Any:
        """The last iterate."""
        return self.trajectory[-1]

    def __repr__(self) -> str:
        done = len(self.trajectory) - 1
        if self.converged:
            outcome = tr(f"converged in {self.iterations} iterations",
                         f"{self.iterations} 次迭代后收敛")
        elif self.diverged:
            outcome = tr(f"diverged after {done} iterations", f"{done} 次迭代后发散")
        else:
            outcome = tr(f"not converged after {done} iterations", f"{done} 次迭代后仍未收敛")
        return f"GDResult(lr={self.learning_rate:g}, clip={self.clip}, {outcome})"


def _scalar_descent(
    grad_fn: Callable[[float], float], x: float, lr: float, steps: int,
    clip: float | None, tol: float,
) -> tuple[list[float], int | None, bool]:
    path = [x]
    for k in range(steps + 1):
        try:
            g = float(grad_fn(x))
        except OverflowError:
            return path, None, True
        if not math.isfinite(g):
            return path, None, True
        if abs(g) <= tol:
            return path, k, False
        if k == steps:
            break
        if clip is not None and abs(g) > clip:
            g = math.copysign(clip, g)
        x = x - lr * g
        path.append(x)
        if not math.isfinite(x) or abs(x) > DIVERGE_AT:
            return path, None, True
    return path, None, False


def _vector_descent(
    grad_fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray, lr: float, steps: int,
    clip: float | None, tol: float,
) -> tuple[list[np.ndarray], int | None, bool]:
    path = [x.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps + 1):
            g = np.asarray(grad_fn(x), dtype=float)
            if g.shape != x.shape:
                raise ValueError(
                    f"grad_fn returned shape {g.shape}, expected the shape of x0 {x.shape}"
                )
            if not np.all(np.isfinite(g)):
                return path, None, True
            norm = float(np.linalg.norm(g))
            if norm <= tol:
                return path, k, False
            if k == steps:
                break
            if clip is not None and norm > clip:
                g = g * (clip / norm)
            x = x - lr * g
            path.append(x.copy())
            if not np.all(np.isfinite(x)) or float(np.max(np.abs(x))) > DIVERGE_AT:
                return path, None, True
    return path, None, False


def gradient_descent(
    grad_fn: Callable[[Any], Any],
    x0: Any,
    learning_rate: float,
    steps: int,
    clip: float | None = None,
    tol: float = 1e-4,
) -> GDResult:
    """Run plain (``clip=None``) or norm-clipped gradient descent and count iterations.

    Each step is x <- x - lr * clip(f'(x)), with clip(g) = g * min(1, c / ‖g‖) (for one
    coordinate that is sign(g) * min(|g|, c)). The run stops when ‖f'(x)‖ <= ``tol``
    (converged), when |x| exceeds ``DIVERGE_AT`` or turns non-finite (diverged, stopped
    before any overflow warning), or after ``steps`` steps.

    Args:
      grad_fn: the gradient, x -> f'(x) (a float for scalar x0, an array for array x0).
      x0: the starting point, a number or a 1-D array.
      learning_rate: the step size lr, > 0.
      steps: the maximal number of steps (>= 0).
      clip: the clipping bound c > 0, or ``None`` for plain gradient descent.
      tol: stop when the gradient norm is at most this (> 0).

    Returns:
      A :class:`GDResult` with the trajectory and ``iterations`` (``None`` when the tolerance
      was not reached).

    References:
      Zhang, He, Sra, Jadbabaie (2020), "Why gradient clipping accelerates training: a
      theoretical justification for adaptivity", ICLR, https://arxiv.org/abs/1905.11881.

    Taught in chapter 01.

    >>> gradient_descent(quartic_grad, 10.0, learning_rate=0.01, steps=100_000, clip=1.0)
    GDResult(lr=0.01, clip=1.0, converged in 15521 iterations)
    """
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be callable (x -> gradient), got {_show(grad_fn)}")
    lr = check_positive_float("learning_rate", learning_rate)
    steps = check_int("steps", steps, minimum=0, maximum=10**8)
    tol = check_positive_float("tol", tol)
    if clip is not None:
        clip = check_positive_float("clip", clip)
    if isinstance(x0, numbers.Real) and not isinstance(x0, bool):
        x = float(x0)
        if not math.isfinite(x):
            raise ValueError(f"x0 must be finite, got {x0!r}")
        path, its, div = _scalar_descent(grad_fn, x, lr, steps, clip, tol)
    else:
        x = as_float_array("x0", x0, ndim=1)
        if not np.all(np.isfinite(x)):
            raise ValueError(f"x0 must be finite, got {_show(x0)}")
        path, its, div = _vector_descent(grad_fn, x, lr, steps, clip, tol)
    return GDResult(np.asarray(path), its, div, lr, clip, tol)


def step_size_scan(
    grad_fn: Callable[[Any], Any],
    x0: Any,
    learning_rates: Sequence[float],
    steps: int,
    clip: float | None = None,
    tol: float = 1e-4,
) -> np.ndarray:
    """Return the iterations to reach ``tol`` for each step size in ``learning_rates`` (NaN: never).

    Args:
      grad_fn, x0, steps, clip, tol: as in :func:`gradient_descent`.
      learning_rates: step sizes to try (each > 0).

    Returns:
      float array of iteration counts, NaN where the run diverged or ran out of steps.

    Taught in chapter 01.

    >>> step_size_scan(quartic_grad, 1.0, [0.1, 1.0], steps=10_000)
    array([1455.,   nan])
    """
    lrs = as_float_array("learning_rates", learning_rates, ndim=1)
    if lrs.size == 0:
        raise ValueError("learning_rates must hold at least one step size, got an empty sequence")
    out = np.full(lrs.shape, np.nan)
    for i, lr in enumerate(lrs):
        res = gradient_descent(grad_fn, x0, float(lr), steps, clip=clip, tol=tol)
        if res.converged:
            out[i] = res.iterations
    return out


def best_plain_step(
    grad_fn: Callable[[Any], Any],
    x0: Any,
    learning_rates: Sequence[float],
    steps: int,
    tol: float = 1e-4,
) -> tuple[float, int]:
    """Scan step sizes for plain gradient descent and return the fastest one.

    This is the fair baseline for "clipping is faster": plain GD gets its own best step size
    from the grid, not an arbitrary one.

    Args:
      grad_fn, x0, steps, tol: as in :func:`gradient_descent`.
      learning_rates: the grid of step sizes.

    Returns:
      ``(learning_rate, iterations)`` of the step size that reached ``tol`` in the fewest
      iterations.

    Raises:
      ValueError: when no step size in the grid converges within ``steps``.

    Taught in chapter 01.

    >>> best_plain_step(quartic_grad, 1.0, [0.01, 0.1, 0.2], steps=10_000)
    (0.2, 714)
    """
    its = step_size_scan(grad_fn, x0, learning_rates, steps, clip=None, tol=tol)
    lrs = np.asarray(learning_rates, dtype=float)
    if np.all(np.isnan(its)):
        raise ValueError(
            f"no step size in learning_rates (from {lrs.min():g} to {lrs.max():g}) reached "
            f"tol={tol:g} "
            f"within steps={steps}; try smaller step sizes or more steps"
        )
    i = int(np.nanargmin(its))
    return float(lrs[i]), int(its[i])


# --------------------------------------------------------------------------------------------
# Keras' own clipping, applied to given gradients (chapter 02)
# --------------------------------------------------------------------------------------------
_KERAS_CLIP_ARGS = ("clipvalue", "clipnorm", "global_clipnorm")


def keras_clipped_update(grads: Sequence[Any], **clip_kwargs: float) -> list[np.ndarray]:
    """Return the update tf-keras' SGD really applies for ``grads`` with the given clipping.

    One ``SGD(learning_rate=1, **clip_kwargs)`` step is taken on variables that start at 0,
    so the weight change is exactly minus the clipped gradient; that is what Keras' optimizer
    did to ``grads``, read back from the weights rather than assumed.

    Args:
      grads: a list of gradients, one per weight tensor (arrays of any shape).
      **clip_kwargs: any of ``clipvalue``, ``clipnorm``, ``global_clipnorm`` (tf-keras
        rejects ``clipnorm`` together with ``global_clipnorm``).

    Returns:
      The clipped gradients (float32 arrays, shapes of ``grads``).

    Taught in chapter 02.

    >>> keras_clipped_update([[3.0, 4.0]], clipnorm=1.0)  # doctest: +SKIP
    [array([0.6, 0.8], dtype=float32)]
    """
    unknown = set(clip_kwargs) - set(_KERAS_CLIP_ARGS)
    if unknown:
        raise ValueError(
            f"unknown clipping argument(s) {sorted(unknown)}; allowed: {list(_KERAS_CLIP_ARGS)}"
        )
    for key, value in clip_kwargs.items():
        if value is not None:
            check_positive_float(key, value)
    if isinstance(grads, np.ndarray) or not isinstance(grads, (list, tuple)) or not grads:
        raise TypeError(
            f"grads must be a non-empty list of arrays (one per weight tensor), got {_show(grads)}"
        )
    arrays = [check_finite(f"grads[{i}]", as_float_array(f"grads[{i}]", g)).astype(np.float32)
              for i, g in enumerate(grads)]
    from clipq_edu._tf import tf

    variables = [tf.Variable(tf.zeros(a.shape, tf.float32)) for a in arrays]
    opt = tf.keras.optimizers.SGD(learning_rate=1.0, **clip_kwargs)
    opt.apply_gradients(zip([tf.constant(a) for a in arrays], variables, strict=True))
    return [-v.numpy() for v in variables]
