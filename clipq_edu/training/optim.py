"""THE Adam of the library: one pure step, shaped like Optax's ``scale_by_adam``.

:func:`adam_init` makes the state, :func:`adam_update` turns a gradient into an update and a
new state, and nothing is hidden: the state is an explicit :class:`AdamState` (m, v, t) and
the functions never change their arguments. The shot-based optimiser
(:class:`clipq_edu.training.ShotBasedOptimizer`), the chapter 03 analysis
(``adam_updates``) and the telemetry widget all call these two functions.

One step (Kingma & Ba 2015, Algorithm 1)::

    t ← t + 1
    m ← β₁·m + (1 − β₁)·g            (first moment)
    v ← β₂·v + (1 − β₂)·g²           (second moment)
    m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)   (bias corrections)
    update = −α · m̂ / (√v̂ + ε)      (add it to the parameters)

ε defaults to 1e-7, the default of ``tf.keras.optimizers.Adam`` that the chapters train
with (the paper and Optax use 1e-8). It matters only where √v̂ is tiny: with gradients of
size ~1e-7 the update is no longer scale-invariant.

Importing this module does not import TensorFlow. Taught in chapters 03 and 04.

>>> import numpy as np
>>> state = adam_init(np.zeros(2))
>>> updates, state = adam_update(np.array([3.0, -0.2]), state, learning_rate=0.1)
>>> np.round(updates, 6).tolist(), state.t
([-0.1, 0.1], 1)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from clipq_edu._validate import as_float_array, check_finite, check_positive_float

__all__ = ["ADAM_EPS", "OPTIMIZERS", "AdamState", "Optimizer", "SGDState", "adam_init",
           "adam_update", "optimizer", "sgd_init", "sgd_update"]

#: Adam's ε: tf.keras' default, so NumPy and Keras Adam agree in the chapters.
ADAM_EPS = 1e-7


@dataclass(frozen=True)
class AdamState:
    """Adam's explicit state: first moment ``m``, second moment ``v``, step count ``t``.

    Arrays are read-only; :func:`adam_update` returns a new state instead of changing one.
    """

    m: np.ndarray
    v: np.ndarray
    t: int = 0


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def adam_init(params: Any) -> AdamState:
    """Zero moments shaped like ``params`` and step count 0.

    Args:
      params: the parameters (array-like of floats).

    Returns:
      An :class:`AdamState`.

    >>> adam_init([1.0, 2.0])
    AdamState(m=array([0., 0.]), v=array([0., 0.]), t=0)
    """
    p = as_float_array("params", params)
    return AdamState(m=_frozen(np.zeros_like(p)), v=_frozen(np.zeros_like(p)), t=0)


def _check_beta(name: str, value: Any) -> float:
    b = check_positive_float(name, value, allow_zero=True)
    if b >= 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return b


def adam_update(
    grads: Any,
    state: AdamState,
    *,
    learning_rate: float = 1e-3,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = ADAM_EPS,
) -> tuple[np.ndarray, AdamState]:
    """One Adam step: return ``(updates, new_state)``; add ``updates`` to the parameters.

    update = −α · m̂ / (√v̂ + ε) with the bias-corrected moments m̂ = m/(1 − β₁ᵗ) and
    v̂ = v/(1 − β₂ᵗ) (module docstring). Multiplying every gradient by k > 0 multiplies m̂
    by k and √v̂ by k, so the update barely changes: Adam is (almost) scale-invariant.

    Args:
      grads: the gradient, same shape as the state's moments, finite.
      state: from :func:`adam_init` or the previous call (not modified).
      learning_rate: α, > 0.
      b1, b2: decay rates of the moments, in [0, 1).
      eps: ε, > 0 (default :data:`ADAM_EPS` = 1e-7).

    Returns:
      ``(updates, new_state)``; ``updates`` has the shape of ``grads``.

    References:
      Kingma, Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR,
      https://arxiv.org/abs/1412.6980 (Algorithm 1); Optax's ``scale_by_adam``.

    Taught in chapters 03 and 04.

    >>> import numpy as np
    >>> s = adam_init(np.zeros(1))
    >>> u1, s = adam_update(np.array([2.0]), s, learning_rate=0.5)
    >>> u2, s = adam_update(np.array([2000.0]), adam_init(np.zeros(1)), learning_rate=0.5)
    >>> print(f"{u1[0]:.8f} {u2[0]:.8f}")  # 1000x the gradient, the same step (ε aside)
    -0.49999998 -0.50000000
    """
    if not isinstance(state, AdamState):
        raise TypeError(f"state must be an AdamState (from adam_init), got {type(state).__name__}")
    g = check_finite("grads", as_float_array("grads", grads))
    if g.shape != state.m.shape:
        raise ValueError(f"grads has shape {g.shape} but the state was made for "
                         f"{state.m.shape}")
    lr = check_positive_float("learning_rate", learning_rate)
    b1, b2 = _check_beta("b1", b1), _check_beta("b2", b2)
    eps = check_positive_float("eps", eps)
    t = state.t + 1
    m = b1 * state.m + (1 - b1) * g
    with np.errstate(over="ignore"):
        v = b2 * state.v + (1 - b2) * g**2
    if not np.isfinite(v).all():
        raise ValueError(f"grads is too large for Adam in float64: g² overflows (largest |g| "
                         f"= {np.abs(g).max():.3g}); clip or rescale it first")
    m_hat = m / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    updates = -lr * m_hat / (np.sqrt(v_hat) + eps)
    return updates, AdamState(m=_frozen(m), v=_frozen(v), t=t)


# ------------------------------------------------------------------------ SGD and the choice
@dataclass(frozen=True)
class SGDState:
    """Plain gradient descent keeps no moments, only the step count ``t``."""

    t: int = 0


def sgd_init(params: Any) -> SGDState:
    """The (empty) state of plain gradient descent; ``params`` is checked, not kept.

    >>> sgd_init([1.0, 2.0])
    SGDState(t=0)
    """
    as_float_array("params", params)
    return SGDState()


def sgd_update(grads: Any, state: SGDState, *, learning_rate: float = 1e-2
               ) -> tuple[np.ndarray, SGDState]:
    """One step of plain gradient descent: ``updates = −learning_rate · grads``.

    The step is proportional to the gradient, so unlike Adam it shrinks on a plateau and
    grows on a cliff (which is where a norm clip acts). Taught in chapters 01 and 03.

    >>> u, s = sgd_update(np.array([2.0, -4.0]), sgd_init(np.zeros(2)), learning_rate=0.5)
    >>> u.tolist(), s.t
    ([-1.0, 2.0], 1)
    """
    if not isinstance(state, SGDState):
        raise TypeError(f"state must be an SGDState (from sgd_init), got {type(state).__name__}")
    g = check_finite("grads", as_float_array("grads", grads))
    lr = check_positive_float("learning_rate", learning_rate)
    return -lr * g, SGDState(t=state.t + 1)


class Optimizer(NamedTuple):
    """An optimiser as a pair of pure functions, Optax's shape: ``init(params) -> state`` and
    ``update(grads, state, *, learning_rate) -> (updates, state)``."""

    name: str
    init: Callable[..., Any]
    update: Callable[..., tuple[np.ndarray, Any]]


#: The optimisers the chapters compare, by name.
OPTIMIZERS: dict[str, Optimizer] = {
    "sgd": Optimizer("sgd", sgd_init, sgd_update),
    "adam": Optimizer("adam", adam_init, adam_update),
}


def optimizer(name: str) -> Optimizer:
    """The optimiser called ``name`` (``"sgd"`` or ``"adam"``), as init/update functions.

    The one place where the chapters' SGD-or-Adam choice is made.

    >>> opt = optimizer("adam")
    >>> updates, state = opt.update(np.array([3.0]), opt.init(np.zeros(1)), learning_rate=0.1)
    >>> round(float(updates[0]), 6)
    -0.1
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name]
