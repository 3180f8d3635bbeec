"""Gradient clipping, one small function per method (taught in chapters 02 and 03).

Every function takes either one gradient (an array or tensor) or a list of them, one per
weight tensor, exactly as ``tape.gradient`` returns them; ``None`` entries (weights that got no
gradient) pass through untouched, as TensorFlow does. NumPy arrays are clipped with NumPy (the
maths is written out below so you can read it); TensorFlow tensors are clipped with
TensorFlow's own ops, so the functions also run inside a ``tf.function``.

Non-finite values are the trap: TensorFlow's global-norm clipping turns *every* gradient into
NaN when a single entry is NaN or Inf, so clipping is no defence against them. Each function
therefore has a ``nonfinite`` argument:

* ``"error"`` (default): raise ``ValueError`` naming the tensor that holds NaN/Inf;
* ``"propagate"``: behave exactly like TensorFlow (NaN spreads);
* ``"zero"``: replace non-finite entries by 0, then clip.

>>> import numpy as np
>>> from clipq_edu.clipping import clip_by_value, clip_by_norm, clip_by_global_norm
>>> g = [np.array([3.0, 4.0]), np.array([6.0, 8.0])]
>>> [a.tolist() for a in clip_by_norm(g, 1.0)]
[[0.6, 0.8], [0.6, 0.8]]
>>> clipped, norm = clip_by_global_norm(g, 1.0)
>>> np.round(np.concatenate(clipped), 3).tolist(), round(norm, 3)
([0.268, 0.358, 0.537, 0.716], 11.18)
>>> [a.tolist() for a in clip_by_value(g, 1.0)]
[[1.0, 1.0], [1.0, 1.0]]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clipq_edu._validate import _show, check_choice, check_positive_float

NONFINITE_POLICIES = ("error", "propagate", "zero")

__all__ = [
    "AutoClip",
    "NONFINITE_POLICIES",
    "adaptive_grad_clip",
    "clip_by_global_norm",
    "clip_by_norm",
    "clip_by_value",
    "global_norm",
    "unitwise_norm",
]


# --------------------------------------------------------------------------------------------
# Structure and backend helpers (private)
# --------------------------------------------------------------------------------------------
def _is_tf(x: Any) -> bool:
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return False
    return isinstance(x, (tf.Tensor, tf.Variable, tf.IndexedSlices))


def _unpack(name: str, grads: Any) -> tuple[list[Any], bool]:
    """Return (list of gradients, was_single). Lists and tuples are lists of tensors."""
    if isinstance(grads, (list, tuple)):
        items = list(grads)
        if not items:
            raise ValueError(f"{name} is an empty list; pass at least one gradient")
        if all(isinstance(x, (int, float, np.number)) and not isinstance(x, bool) for x in items):
            # A flat list of numbers is one gradient vector, not a list of scalars.
            return [_as_numpy(name, items)], True
        return [x if x is None or _is_tf(x) else _as_numpy(f"{name}[{i}]", x)
                for i, x in enumerate(items)], False
    if grads is None:
        raise TypeError(f"{name} must be an array, a tensor or a list of them, got None")
    return [grads if _is_tf(grads) else _as_numpy(name, grads)], True


def _pack(items: list[Any], single: bool) -> Any:
    return items[0] if single else items


def _as_numpy(name: str, x: Any) -> np.ndarray:
    try:
        arr = np.asarray(x)
    except Exception as exc:
        raise TypeError(f"{name} must be array-like of numbers, got {_show(x)}") from exc
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers, got dtype {arr.dtype} "
            f"(allowed: integer, float; complex, strings and objects are not)"
        )
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return arr


def _handle_nonfinite(items: list[Any], nonfinite: str, name: str) -> list[Any]:
    check_choice("nonfinite", nonfinite, NONFINITE_POLICIES)
    if nonfinite == "propagate":
        return items
    out = []
    for i, g in enumerate(items):
        if g is None:
            out.append(None)
        elif _is_tf(g):
            out.append(_tf_nonfinite(g, nonfinite, f"{name}[{i}]"))
        else:
            finite = np.isfinite(g)
            if finite.all():
                out.append(g)
            elif nonfinite == "zero":
                out.append(np.where(finite, g, np.zeros_like(g)))
            else:
                raise ValueError(_nonfinite_message(name, i, len(items), g))
    return out


def _nonfinite_message(name: str, i: int, n: int, g: np.ndarray) -> str:
    where = f"{name}[{i}]" if n > 1 else name
    n_nan = int(np.isnan(g).sum())
    n_inf = int(np.isinf(g).sum())
    return (
        f"{where} (shape {tuple(np.shape(g))}) holds {n_nan} NaN and {n_inf} Inf value(s). "
        f"Clipping cannot repair non-finite gradients (global-norm clipping would turn every "
        f"gradient into NaN). Find where they come from, or pass nonfinite='zero' to replace "
        f"them by 0 or nonfinite='propagate' to get TensorFlow's behaviour"
    )


def _tf_nonfinite(g: Any, nonfinite: str, where: str) -> Any:
    import tensorflow as tf

    if isinstance(g, tf.IndexedSlices):
        values = _tf_nonfinite(g.values, nonfinite, where)
        return tf.IndexedSlices(values, g.indices, g.dense_shape)
    finite = tf.math.is_finite(g)
    if nonfinite == "zero":
        return tf.where(finite, g, tf.zeros_like(g))
    if tf.executing_eagerly():
        if not bool(tf.reduce_all(finite)):
            raise ValueError(_nonfinite_message(where, 0, 1, g.numpy()))
        return g
    return tf.debugging.assert_all_finite(g, f"{where} holds NaN or Inf")


# --------------------------------------------------------------------------------------------
# Norms
# --------------------------------------------------------------------------------------------
def global_norm(grads: Any) -> float:
    """Return the global L2 norm √(Σₜ ‖gₜ‖²) over all gradients (``None`` entries skipped).

    Args:
      grads: one gradient or a list of them (arrays or tensors).

    Returns:
      The norm as a Python float (a scalar tensor if any input is a TF tensor in graph mode).
    """
    items, _ = _unpack("grads", grads)
    present = [g for g in items if g is not None]
    if any(_is_tf(g) for g in present):
        import tensorflow as tf

        norm = tf.linalg.global_norm(present)
        return float(norm) if tf.executing_eagerly() else norm
    return _l2([np.asarray(g, dtype=np.float64) for g in present])


def _l2(arrays: list[np.ndarray]) -> float:
    """√(Σ x²) over all entries, scaled by the largest |x| so 1e300 does not overflow to inf."""
    if not arrays or all(a.size == 0 for a in arrays):
        return 0.0
    peak = max(float(np.max(np.abs(a))) if a.size else 0.0 for a in arrays)
    if peak == 0.0 or not np.isfinite(peak):
        return float(np.sqrt(sum(float(np.sum(np.square(a))) for a in arrays)))
    return peak * float(np.sqrt(sum(float(np.sum(np.square(a / peak))) for a in arrays)))


# --------------------------------------------------------------------------------------------
# The three classic methods
# --------------------------------------------------------------------------------------------
def clip_by_value(grads: Any, limit: float, *, nonfinite: str = "error") -> Any:
    """Clip every entry to ``[-limit, limit]`` (Keras ``clipvalue``); changes the direction.

    Each coordinate is clipped on its own, so a gradient (3, 0.5) with ``limit=1`` becomes
    (1, 0.5): the arrow turns towards the diagonal. |clip(g)ᵢ| ≤ |gᵢ| for every entry.

    Args:
      grads: one gradient or a list of them (NumPy arrays or TF tensors; ``None`` passes).
      limit: the bound, a finite number > 0.
      nonfinite: ``"error"``, ``"propagate"`` or ``"zero"`` (see the module docstring).

    Returns:
      Clipped gradients in the same structure (a list for list input).
    """
    limit = check_positive_float("limit", limit)
    items, single = _unpack("grads", grads)
    items = _handle_nonfinite(items, nonfinite, "grads")
    out = []
    for g in items:
        if g is None:
            out.append(None)
        elif _is_tf(g):
            import tensorflow as tf

            out.append(tf.clip_by_value(g, -limit, limit))
        else:
            out.append(np.clip(g, -limit, limit).astype(g.dtype, copy=False))
    return _pack(out, single)


def clip_by_norm(grads: Any, max_norm: float, *, nonfinite: str = "error") -> Any:
    """Rescale each tensor separately so its L2 norm is at most ``max_norm`` (Keras ``clipnorm``).

    clip(g) = g · c / max(‖g‖, c): the direction of each tensor is kept and
    ‖clip(g)‖ = min(‖g‖, c), so clipping never enlarges a gradient. Because every tensor is
    scaled by its own factor, the direction of the *whole* gradient can still change when
    several tensors are clipped by different amounts.

    Args:
      grads: one gradient or a list of them (NumPy arrays or TF tensors; ``None`` passes).
      max_norm: the bound c, a finite number > 0.
      nonfinite: ``"error"``, ``"propagate"`` or ``"zero"``.

    Returns:
      Clipped gradients in the same structure.
    """
    max_norm = check_positive_float("max_norm", max_norm)
    items, single = _unpack("grads", grads)
    items = _handle_nonfinite(items, nonfinite, "grads")
    out = []
    for g in items:
        if g is None:
            out.append(None)
        elif _is_tf(g):
            import tensorflow as tf

            out.append(tf.clip_by_norm(g, max_norm))
        else:
            norm = _l2([np.asarray(g, dtype=np.float64)])
            with np.errstate(invalid="ignore", divide="ignore"):
                out.append((g * max_norm / max(norm, max_norm)).astype(g.dtype, copy=False))
    return _pack(out, single)


def clip_by_global_norm(
    grads: Any, max_norm: float, *, nonfinite: str = "error"
) -> tuple[Any, float]:
    """Rescale all tensors by one factor so their global norm is at most ``max_norm``.

    This is Keras ``global_clipnorm`` and ``tf.clip_by_global_norm``: with
    N = √(Σₜ ‖gₜ‖²), every tensor is multiplied by c / max(N, c), so the direction of the
    whole gradient is exactly kept and the global norm becomes min(N, c).

    Args:
      grads: one gradient or a list of them (NumPy arrays or TF tensors; ``None`` passes).
      max_norm: the bound c, a finite number > 0.
      nonfinite: ``"error"``, ``"propagate"`` (NaN everywhere, as TF) or ``"zero"``.

    Returns:
      ``(clipped, norm)``: the clipped gradients in the same structure and the global norm
      *before* clipping.

    References:
      Pascanu, Mikolov, Bengio (2013), "On the difficulty of training recurrent neural
      networks", ICML, https://arxiv.org/abs/1211.5063.
    """
    max_norm = check_positive_float("max_norm", max_norm)
    items, single = _unpack("grads", grads)
    items = _handle_nonfinite(items, nonfinite, "grads")
    if any(_is_tf(g) for g in items if g is not None):
        import tensorflow as tf

        clipped, norm = tf.clip_by_global_norm(items, max_norm)
        if tf.executing_eagerly():
            norm = float(norm)
        return _pack(list(clipped), single), norm
    norm = global_norm([g for g in items if g is not None] or [np.zeros(1)])
    # TensorFlow's formula: scale = c * min(1/N, 1/c), plus (N - N) so a non-finite N gives NaN.
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = max_norm * min(1.0 / norm if norm else np.inf, 1.0 / max_norm) + (norm - norm)
    out = [None if g is None else (g * scale).astype(g.dtype, copy=False) for g in items]
    return _pack(out, single), norm


# --------------------------------------------------------------------------------------------
# Adaptive methods
# --------------------------------------------------------------------------------------------
@dataclass
class AutoClip:
    """Clip at a percentile of all gradient norms seen so far (AutoClip).

    Each call records the global norm of the incoming gradient in :attr:`history`, sets the
    threshold to the ``percentile``-th percentile of the history, and clips by global norm.
    The state is explicit: read :attr:`history` and :attr:`threshold`, or :meth:`reset` it.

    Args:
      percentile: in [0, 100]. Seetharaman et al. found 10 worked well for their audio models;
        lower is more aggressive.

    References:
      Seetharaman, Wichern, Pardo, Le Roux (2020), "AutoClip: Adaptive Gradient Clipping for
      Source Separation Networks", IEEE MLSP, https://arxiv.org/abs/2007.14469.

    >>> import numpy as np
    >>> ac = AutoClip(percentile=50)
    >>> for g in ([3.0, 4.0], [0.6, 0.8], [30.0, 40.0]):
    ...     clipped, norm = ac(np.array(g))
    >>> ac.history, ac.threshold
    ([5.0, 1.0, 50.0], 5.0)
    """

    percentile: float = 10.0
    history: list[float] = field(default_factory=list)
    threshold: float | None = None

    def __post_init__(self) -> None:
        p = check_positive_float("percentile", self.percentile, allow_zero=True)
        if p > 100:
            raise ValueError(f"percentile must be in [0, 100], got {self.percentile!r}")
        self.percentile = p

    def __call__(self, grads: Any, *, nonfinite: str = "error") -> tuple[Any, float]:
        """Record the gradient's global norm, update the threshold, clip; return (clipped, norm)."""
        items, single = _unpack("grads", grads)
        items = _handle_nonfinite(items, nonfinite, "grads")
        norm = global_norm([g for g in items if g is not None])
        if np.isfinite(norm):
            self.history.append(float(norm))
        if not self.history or np.percentile(self.history, self.percentile) == 0:
            return _pack(items, single), norm  # nothing (non-zero) to clip against yet
        self.threshold = float(np.percentile(self.history, self.percentile))
        clipped, _ = clip_by_global_norm(items, self.threshold, nonfinite="propagate")
        return _pack(clipped if isinstance(clipped, list) else [clipped], single), norm

    def reset(self) -> None:
        """Forget the recorded norms."""
        self.history.clear()
        self.threshold = None


def unitwise_norm(x: Any) -> Any:
    """L2 norm per output unit: over all axes but the last (Keras kernels are (in, out)).

    Scalars and vectors (biases) are treated one entry per unit, so their norm is ``|x|``.
    The result broadcasts against ``x``.
    """
    if _is_tf(x):
        import tensorflow as tf

        if len(x.shape) <= 1:
            return tf.abs(x)
        axes = list(range(len(x.shape) - 1))
        return tf.sqrt(tf.reduce_sum(tf.square(x), axis=axes, keepdims=True))
    x = np.asarray(x)
    if x.ndim <= 1:
        return np.abs(x)
    return np.sqrt(np.sum(np.square(x), axis=tuple(range(x.ndim - 1)), keepdims=True))


def adaptive_grad_clip(
    grads: Any,
    params: Any,
    clipping: float,
    eps: float = 1e-3,
    *,
    nonfinite: str = "error",
) -> Any:
    """Unit-wise adaptive gradient clipping (AGC): bound ‖G_u‖ / max(‖W_u‖, eps) by λ.

    For each output unit u of each weight tensor W with gradient G, when
    ‖G_u‖ > λ · max(‖W_u‖, eps) the unit's gradient is rescaled to that bound; otherwise it
    is left alone. Large weights tolerate large gradients, tiny weights do not.

    Args:
      grads: a gradient or a list of them, one per weight tensor.
      params: the weights, in the same structure and shapes as ``grads``.
      clipping: λ, a finite number > 0 (Brock et al. use 0.01-0.16).
      eps: floor for weight norms so zero-initialised weights can still move, > 0.
      nonfinite: ``"error"``, ``"propagate"`` or ``"zero"``.

    Returns:
      Clipped gradients in the same structure as ``grads``.

    References:
      Brock, De, Smith, Simonyan (2021), "High-Performance Large-Scale Image Recognition
      Without Normalization", ICML, https://arxiv.org/abs/2102.06171.
    """
    clipping = check_positive_float("clipping", clipping)
    eps = check_positive_float("eps", eps)
    items, single = _unpack("grads", grads)
    weights, single_w = _unpack("params", params)
    if single != single_w or len(items) != len(weights):
        raise ValueError(
            f"grads and params must have the same structure: got {len(items)} gradient(s) "
            f"({'single' if single else 'list'}) and {len(weights)} parameter(s) "
            f"({'single' if single_w else 'list'})"
        )
    items = _handle_nonfinite(items, nonfinite, "grads")
    out = []
    for i, (g, w) in enumerate(zip(items, weights, strict=True)):
        if g is None:
            out.append(None)
            continue
        if tuple(g.shape) != tuple(w.shape):
            raise ValueError(
                f"grads[{i}] has shape {tuple(g.shape)} but params[{i}] has shape "
                f"{tuple(w.shape)}; each gradient must match its weight"
            )
        if _is_tf(g) or _is_tf(w):
            import tensorflow as tf

            g = tf.convert_to_tensor(g)
            w = tf.cast(tf.convert_to_tensor(w), g.dtype)
            max_norm = tf.maximum(unitwise_norm(w), eps) * clipping
            g_norm = unitwise_norm(g)
            scaled = g * (max_norm / tf.maximum(g_norm, 1e-6))
            out.append(tf.where(g_norm > max_norm, scaled, g))
        else:
            max_norm = np.maximum(unitwise_norm(w), eps) * clipping
            g_norm = unitwise_norm(g)
            with np.errstate(invalid="ignore", divide="ignore"):
                scaled = g * (max_norm / np.maximum(g_norm, 1e-6))
            out.append(np.where(g_norm > max_norm, scaled, g).astype(g.dtype, copy=False))
    return _pack(out, single)
