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

Every method is also a :class:`Clipper`, one calling convention for the training loop, the
shot-based optimiser, the widgets and the FAQ: ``clipper(grads, params=None) -> (grads,
info)``, where ``info`` (a :class:`ClipInfo`) holds the global norm before and after and
whether the method fired. :func:`from_spec` turns the short specs of
``clipq_edu.training.train(clip=...)`` (``("global_norm", 1.0)`` ...) into a clipper, and
:func:`global_norm` (overflow-safe) is the one global norm of the library.

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

import abc
import copy
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from clipq_edu._validate import _show, as_float_array, check_choice, check_positive_float

NONFINITE_POLICIES = ("error", "propagate", "zero")

__all__ = [
    "AdaptiveGradClip",
    "AutoClip",
    "ClipByGlobalNorm",
    "ClipByNorm",
    "ClipByValue",
    "ClipInfo",
    "Clipper",
    "FunctionClipper",
    "KERAS_CLIP_KEYS",
    "KerasClip",
    "NONFINITE_POLICIES",
    "NoClip",
    "adaptive_grad_clip",
    "clip_by_global_norm",
    "clip_by_norm",
    "clip_by_value",
    "from_spec",
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

    The sum is scaled by the largest entry, so gradients of size 1e200 give their true norm
    instead of overflowing to inf (TensorFlow's ``tf.linalg.global_norm`` overflows; it is
    used only inside a ``tf.function``). This is the library's one global norm: the training
    loop, the telemetry and every :class:`Clipper` call it.

    Returns:
      The norm as a Python float (a scalar tensor if any input is a TF tensor in graph mode).

    Taught in chapter 03.

    >>> global_norm([[3.0, 4.0], None, [1e200, 1e200]]) / 1e200
    1.4142135623730951
    """
    items, _ = _unpack("grads", grads)
    present = [g for g in items if g is not None]
    if any(_is_tf(g) for g in present):
        import tensorflow as tf

        if not tf.executing_eagerly():  # inside a tf.function: TensorFlow's own formula
            return tf.linalg.global_norm(present)
        present = [g.values if isinstance(g, tf.IndexedSlices) else g for g in present]
        present = [g.numpy() if hasattr(g, "numpy") else g for g in present]
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
def unitwise_norm(x: Any) -> Any:
    """L2 norm per output unit: over all axes but the last (Keras kernels are (in, out)).

    A scalar or a vector (a bias, a layer of angles) is ONE unit, as in the NFNets reference
    and Optax's ``unitwise_norm``: its norm is the L2 norm of the whole tensor. The result
    broadcasts against ``x``.

    References:
      Brock, De, Smith, Simonyan (2021), "High-Performance Large-Scale Image Recognition
      Without Normalization", https://arxiv.org/abs/2102.06171 (Section 4.1); Optax's
      ``optax.adaptive_grad_clip``.

    >>> unitwise_norm(np.array([3.0, -4.0])).tolist()  # a vector is one unit
    [5.0]
    >>> unitwise_norm(np.array([[3.0, 1.0], [4.0, 0.0]])).tolist()  # a kernel: per column
    [[5.0, 1.0]]
    """
    if _is_tf(x):
        import tensorflow as tf

        axes = list(range(len(x.shape) - 1)) if len(x.shape) > 1 else None
        return tf.sqrt(tf.reduce_sum(tf.square(x), axis=axes, keepdims=True))
    arr = as_float_array("x", x)  # names x for strings, ragged lists, complex numbers
    kind = np.asarray(x).dtype
    out_dtype = kind if kind.kind == "f" else np.float64
    axes = tuple(range(arr.ndim - 1)) if arr.ndim > 1 else None
    # scaled by the largest entry of each unit, so 1e200 does not overflow when squared
    peak = np.max(np.abs(arr), axis=axes, keepdims=True)
    with np.errstate(invalid="ignore"):  # inf / inf: NaN/Inf in, NaN/Inf out
        scale = np.where((peak > 0) & np.isfinite(peak), peak, 1.0)
        norm = scale * np.sqrt(np.sum(np.square(arr / scale), axis=axes, keepdims=True))
    return np.where(np.isfinite(peak), norm, peak).astype(out_dtype)


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
    is left alone. Large weights tolerate large gradients, tiny weights do not. A unit is a
    column of a kernel (all axes but the last); a scalar or a vector (a bias) is one unit
    (:func:`unitwise_norm`), as in the reference and in Optax.

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


# --------------------------------------------------------------------------------------------
# One calling convention for every method: clipper(grads, params=None) -> (grads, info)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClipInfo:
    """What one call of a :class:`Clipper` did.

    Attributes:
      norm_before: global norm of the gradient the clipper received (after its non-finite
        policy: with ``nonfinite="zero"`` the norm of the zeroed gradient); NaN/Inf when it
        holds NaN/Inf and the policy is ``"propagate"``.
      norm_after: global norm of the gradient it returned.
      clipped: whether the method fired (some entry, tensor, unit or the whole gradient was
        above its bound); when ``False`` the gradient is returned unchanged.
      threshold: the bound in force (AutoClip's moving percentile, AGC's λ; NaN when none).
    """

    norm_before: float
    norm_after: float
    clipped: bool
    threshold: float = math.nan


class Clipper(abc.ABC):
    """Base of every clipping method: ``clipper(grads, params=None) -> (grads, info)``.

    ``grads`` is one gradient or a list of them (NumPy arrays or eager TF tensors; ``None``
    entries pass through), ``params`` the weights in the same structure (only AGC reads
    them), and ``info`` a :class:`ClipInfo`. Non-finite entries are handled first, by the
    clipper's ``nonfinite`` policy (``"error"``, ``"propagate"`` or ``"zero"``). Clippers run
    eagerly; inside a ``tf.function`` call the functions (:func:`clip_by_global_norm` ...).

    :attr:`keeps_direction` says which direction the method keeps: ``"global"`` (the whole
    gradient is scaled by one factor in [0, 1]), ``"per_tensor"``, ``"per_unit"`` (AGC) or
    ``None`` (value clipping and user functions may turn it). :func:`from_spec` builds a
    clipper from the short specs ``train(clip=...)`` accepts. Subclass this and implement
    :meth:`apply` to add a method.

    Taught in chapters 03 and 04.

    >>> import numpy as np
    >>> clipper = from_spec(("global_norm", 1.0))
    >>> clipped, info = clipper([np.array([3.0, 4.0]), np.array([6.0, 8.0])])
    >>> round(info.norm_before, 3), round(info.norm_after, 3), info.clipped
    (11.18, 1.0, True)
    """

    keeps_direction: ClassVar[str | None] = None
    nonfinite: str = "error"

    def __call__(self, grads: Any, params: Any = None) -> tuple[Any, ClipInfo]:
        items, single = _unpack("grads", grads)
        items = _handle_nonfinite(items, self.nonfinite, "grads")
        weights = None
        if params is not None:
            weights, single_w = _unpack("params", params)
            if single != single_w or len(weights) != len(items):
                raise ValueError(
                    f"grads and params must have the same structure: got {len(items)} "
                    f"gradient(s) and {len(weights)} parameter(s)"
                )
        before = global_norm([g for g in items if g is not None] or [np.zeros(1)])
        out, fired, threshold = self.apply(items, weights, before)
        if not fired:
            out = items
        after = global_norm([g for g in out if g is not None] or [np.zeros(1)])
        return _pack(list(out), single), ClipInfo(float(before), float(after), bool(fired),
                                                  float(threshold))

    @abc.abstractmethod
    def apply(self, items: list[Any], params: list[Any] | None,
              norm: float) -> tuple[list[Any], bool, float]:
        """The method's rule on a checked list: return ``(clipped, fired, threshold)``.

        ``items`` holds the gradients (``None`` entries kept in place) after the non-finite
        policy, ``params`` the weights or ``None``, ``norm`` their global norm. When
        ``fired`` is ``False``, :meth:`__call__` returns ``items`` unchanged.
        """

    def reset(self) -> None:  # noqa: B027 - stateless clippers have nothing to forget
        """Forget any state (stateless clippers have none)."""


def _numpy(g: Any) -> np.ndarray:
    return np.asarray(g.numpy() if hasattr(g, "numpy") else g)


def _peak(items: list[Any]) -> float:
    return max((float(np.max(np.abs(_numpy(g)))) for g in items
                if g is not None and np.size(_numpy(g))), default=0.0)


def _frozen_set(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class NoClip(Clipper):
    """The identity: returns the gradient unchanged (the spec ``None``).

    >>> import numpy as np
    >>> NoClip()(np.array([3.0, 4.0]))[1].norm_before
    5.0
    """

    nonfinite: str = "error"
    keeps_direction: ClassVar[str | None] = "global"

    def __post_init__(self) -> None:
        check_choice("nonfinite", self.nonfinite, NONFINITE_POLICIES)

    def apply(self, items: list[Any], params: Any, norm: float) -> tuple[list[Any], bool, float]:
        return items, False, math.nan


@dataclass(frozen=True)
class ClipByValue(Clipper):
    """:func:`clip_by_value` as a :class:`Clipper` (the spec ``("value", limit)``).

    >>> import numpy as np
    >>> clipped, info = ClipByValue(1.0)(np.array([3.0, 0.5]))
    >>> clipped.tolist(), info.clipped
    ([1.0, 0.5], True)
    """

    limit: float
    nonfinite: str = field(default="error", kw_only=True)

    def __post_init__(self) -> None:
        _frozen_set(self, "limit", check_positive_float("limit", self.limit))
        check_choice("nonfinite", self.nonfinite, NONFINITE_POLICIES)

    def apply(self, items: list[Any], params: Any, norm: float) -> tuple[list[Any], bool, float]:
        fired = _peak(items) > self.limit
        out = clip_by_value(items, self.limit, nonfinite="propagate") if fired else items
        return out, fired, self.limit


@dataclass(frozen=True)
class ClipByNorm(Clipper):
    """:func:`clip_by_norm` (per tensor) as a :class:`Clipper` (the spec ``("norm", c)``).

    >>> import numpy as np
    >>> clipped, info = ClipByNorm(1.0)([np.array([3.0, 4.0]), np.array([0.3, 0.4])])
    >>> [a.tolist() for a in clipped], info.clipped
    ([[0.6, 0.8], [0.3, 0.4]], True)
    """

    max_norm: float
    nonfinite: str = field(default="error", kw_only=True)
    keeps_direction: ClassVar[str | None] = "per_tensor"

    def __post_init__(self) -> None:
        _frozen_set(self, "max_norm", check_positive_float("max_norm", self.max_norm))
        check_choice("nonfinite", self.nonfinite, NONFINITE_POLICIES)

    def apply(self, items: list[Any], params: Any, norm: float) -> tuple[list[Any], bool, float]:
        over = [g is not None and _l2([_numpy(g).astype(np.float64)]) > self.max_norm
                for g in items]
        if not any(over):
            return items, False, self.max_norm
        clipped = clip_by_norm(items, self.max_norm, nonfinite="propagate")
        return [c if o else g for g, c, o in zip(items, clipped, over, strict=True)], True, \
            self.max_norm


@dataclass(frozen=True)
class ClipByGlobalNorm(Clipper):
    """:func:`clip_by_global_norm` as a :class:`Clipper` (the spec ``("global_norm", c)``).

    >>> import numpy as np
    >>> clipped, info = ClipByGlobalNorm(1.0)(np.array([30.0, 40.0]))
    >>> clipped.tolist(), info.norm_before, info.norm_after
    ([0.6, 0.8], 50.0, 1.0)
    """

    max_norm: float
    nonfinite: str = field(default="error", kw_only=True)
    keeps_direction: ClassVar[str | None] = "global"

    def __post_init__(self) -> None:
        _frozen_set(self, "max_norm", check_positive_float("max_norm", self.max_norm))
        check_choice("nonfinite", self.nonfinite, NONFINITE_POLICIES)

    def apply(self, items: list[Any], params: Any, norm: float) -> tuple[list[Any], bool, float]:
        fired = not norm <= self.max_norm  # a NaN norm "fires": TF semantics, NaN everywhere
        if not fired:
            return items, False, self.max_norm
        out, _ = clip_by_global_norm(items, self.max_norm, nonfinite="propagate")
        return out, True, self.max_norm


@dataclass
class AutoClip(Clipper):
    """Clip at a percentile of all gradient norms seen so far (AutoClip), as a :class:`Clipper`.

    Each call records the global norm of the incoming gradient in :attr:`history` (finite
    norms only), sets :attr:`threshold` to the ``percentile``-th percentile of the history,
    and clips by global norm at it. The state is explicit: read :attr:`history` and
    :attr:`threshold`, or :meth:`reset` it. :func:`clipq_edu.training.train` works on a copy,
    so an ``AutoClip`` you pass it is never changed.

    Args:
      percentile: in [0, 100]. Seetharaman et al. found 10 worked well for their audio models;
        lower is more aggressive.
      nonfinite: ``"error"``, ``"propagate"`` or ``"zero"`` (keyword only).

    References:
      Seetharaman, Wichern, Pardo, Le Roux (2020), "AutoClip: Adaptive Gradient Clipping for
      Source Separation Networks", IEEE MLSP, https://arxiv.org/abs/2007.14469.

    Taught in chapter 03.

    >>> import numpy as np
    >>> ac = AutoClip(percentile=50)
    >>> for g in ([3.0, 4.0], [0.6, 0.8], [30.0, 40.0]):
    ...     clipped, info = ac(np.array(g))
    >>> ac.history, ac.threshold, info.norm_after
    ([5.0, 1.0, 50.0], 5.0, 5.0)
    """

    percentile: float = 10.0
    history: list[float] = field(default_factory=list)
    threshold: float | None = None
    nonfinite: str = field(default="error", kw_only=True)
    keeps_direction: ClassVar[str | None] = "global"

    def __post_init__(self) -> None:
        p = check_positive_float("percentile", self.percentile, allow_zero=True)
        if p > 100:
            raise ValueError(f"percentile must be in [0, 100], got {self.percentile!r}")
        self.percentile = p
        check_choice("nonfinite", self.nonfinite, NONFINITE_POLICIES)

    def apply(self, items: list[Any], params: Any, norm: float) -> tuple[list[Any], bool, float]:
        if np.isfinite(norm):
            self.history.append(float(norm))
        if not self.history or np.percentile(self.history, self.percentile) == 0:
            return items, False, math.nan  # nothing (non-zero) to clip against yet
        self.threshold = float(np.percentile(self.history, self.percentile))
        if norm <= self.threshold:
            return items, False, self.threshold
        out, _ = clip_by_global_norm(items, self.threshold, nonfinite="propagate")
        return out, True, self.threshold

    def reset(self) -> None:
        """Forget the recorded norms."""
        self.history.clear()
        self.threshold = None


@dataclass(frozen=True)
class AdaptiveGradClip(Clipper):
    """:func:`adaptive_grad_clip` (AGC) as a :class:`Clipper` (the spec ``("agc", λ[, ε])``).

    Needs ``params``: ``clipper(grads, params)``.

    >>> import numpy as np
    >>> clipped, info = AdaptiveGradClip(0.1)(np.array([5.0, 0.01]), np.array([1.0, 1.0]))
    >>> np.round(clipped, 5).tolist(), info.clipped  # one unit: ‖g‖ → 0.1·‖w‖ = 0.1·√2
    ([0.14142, 0.00028], True)
    """

    clipping: float
    eps: float = 1e-3
    nonfinite: str = field(default="error", kw_only=True)
    keeps_direction: ClassVar[str | None] = "per_unit"

    def __post_init__(self) -> None:
        _frozen_set(self, "clipping", check_positive_float("clipping", self.clipping))
        _frozen_set(self, "eps", check_positive_float("eps", self.eps))
        check_choice("nonfinite", self.nonfinite, NONFINITE_POLICIES)

    def apply(self, items: list[Any], params: list[Any] | None,
              norm: float) -> tuple[list[Any], bool, float]:
        if params is None:
            raise TypeError("AGC clips relative to the weights: call clipper(grads, params)")
        out = adaptive_grad_clip(items, params, self.clipping, self.eps, nonfinite="propagate")
        fired = False
        for g, w in zip(items, params, strict=True):
            if g is None:
                continue
            bound = np.maximum(unitwise_norm(_numpy(w).astype(np.float64)), self.eps)
            fired |= bool(np.any(unitwise_norm(_numpy(g).astype(np.float64))
                                 > bound * self.clipping))
        return out, fired, self.clipping


@dataclass(frozen=True)
class FunctionClipper(Clipper):
    """Your own rule ``fn(list_of_grads) -> list_of_grads`` as a :class:`Clipper`.

    ``clipped`` in the info is "the function changed some entry by more than 1e-6 of the
    tensor's largest entry".

    >>> import numpy as np
    >>> halve = FunctionClipper(lambda gs: [g / 2 for g in gs])
    >>> halve([np.array([2.0])])[0][0].tolist()
    [1.0]
    """

    fn: Any
    nonfinite: str = field(default="error", kw_only=True)

    def __post_init__(self) -> None:
        if not callable(self.fn):
            raise TypeError(f"fn must be callable(list of grads) -> list, got {self.fn!r}")
        check_choice("nonfinite", self.nonfinite, NONFINITE_POLICIES)

    def apply(self, items: list[Any], params: Any, norm: float) -> tuple[list[Any], bool, float]:
        out = self.fn(list(items))
        if not isinstance(out, (list, tuple)) or len(out) != len(items):
            raise TypeError(
                f"a clip function must return a list of {len(items)} gradients, got "
                f"{type(out).__name__}"
            )
        out = list(out)
        return out, _changed(items, out), math.nan


def _changed(before: list[Any], after: list[Any]) -> bool:
    for a, b in zip(before, after, strict=True):
        if a is None or b is None:
            if (a is None) != (b is None):
                return True
            continue
        a, b = _numpy(a), _numpy(b)
        scale = float(np.max(np.abs(a))) if a.size else 0.0
        if a.shape != b.shape or float(np.max(np.abs(a - b), initial=0.0)) > 1e-6 * scale:
            return True
    return False


KERAS_CLIP_KEYS = ("clipvalue", "clipnorm", "global_clipnorm")


@dataclass(frozen=True)
class KerasClip(Clipper):
    """What a ``tf.keras`` optimizer built with ``clipvalue``/``clipnorm``/``global_clipnorm``
    does to a gradient (the spec ``("keras", {...})``).

    tf-keras checks the options in the order ``clipnorm``, ``global_clipnorm``,
    ``clipvalue`` and applies only the first one set, so ``clipvalue`` next to ``clipnorm`` is
    silently ignored; this clipper does the same. :func:`clipq_edu.training.train` builds the
    optimizer with :attr:`options` and lets it clip; this clipper computes the telemetry.

    >>> import numpy as np
    >>> kc = KerasClip({"clipnorm": 1.0, "clipvalue": 1e-4})
    >>> kc(np.array([3.0, 4.0]))[0].tolist()
    [0.6, 0.8]
    """

    options: Any
    nonfinite: str = field(default="error", kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.options, Mapping) or not self.options:
            raise ValueError(f"clip=('keras', options) needs one non-empty dict of options, got "
                             f"{_show(self.options)}")
        bad = set(self.options) - set(KERAS_CLIP_KEYS)
        if bad:
            raise ValueError(f"clip=('keras', options) accepts the keys {KERAS_CLIP_KEYS} in "
                             f"options, got {sorted(map(str, bad))}")
        if "clipnorm" in self.options and "global_clipnorm" in self.options:
            raise ValueError("Keras refuses clipnorm and global_clipnorm together in options; "
                             "pick one")
        _frozen_set(self, "options", {k: check_positive_float(f"clip[1][{k!r}]", v)
                                      for k, v in self.options.items()})
        check_choice("nonfinite", self.nonfinite, NONFINITE_POLICIES)

    @property
    def active(self) -> Clipper:
        """The one clipper Keras applies (its precedence: clipnorm, global_clipnorm, value)."""
        for key, cls in (("clipnorm", ClipByNorm), ("global_clipnorm", ClipByGlobalNorm),
                         ("clipvalue", ClipByValue)):
            if key in self.options:
                return cls(self.options[key], nonfinite="propagate")
        raise AssertionError("unreachable: options is never empty")

    def apply(self, items: list[Any], params: Any, norm: float) -> tuple[list[Any], bool, float]:
        return self.active.apply(items, params, norm)


def from_spec(spec: Any) -> Clipper:
    """Turn a clipping spec into a :class:`Clipper`.

    =================================  ==========================================
    ``None``                           :class:`NoClip`
    ``("value", c)``                   :class:`ClipByValue`
    ``("norm", c)``                    :class:`ClipByNorm` (per tensor)
    ``("global_norm", c)``             :class:`ClipByGlobalNorm`
    ``("autoclip", p)``                :class:`AutoClip` at percentile p
    ``("agc", λ)`` / ``("agc", λ, ε)``  :class:`AdaptiveGradClip`
    ``("keras", {"clipnorm": c})``     :class:`KerasClip` (keys ``clipvalue``,
                                       ``clipnorm``, ``global_clipnorm``)
    a :class:`Clipper`                 a deep copy (your object is never changed)
    a callable ``grads -> grads``      :class:`FunctionClipper`
    =================================  ==========================================

    Args:
      spec: one of the forms above (a list works like a tuple).

    Returns:
      A new :class:`Clipper` with the ``"error"`` non-finite policy (a copied clipper keeps
      its own).

    Raises:
      TypeError, ValueError: naming ``clip`` and listing the forms allowed.

    Taught in chapters 03 and 04.

    >>> from_spec(("global_norm", 1.0))
    ClipByGlobalNorm(max_norm=1.0, nonfinite='error')
    >>> from_spec(None)
    NoClip(nonfinite='error')
    """
    allowed = (
        "None, ('value', c), ('norm', c), ('global_norm', c), ('autoclip', percentile), "
        "('agc', lambda[, eps]), ('keras', {'clipnorm'|'clipvalue'|'global_clipnorm': c}), "
        "a Clipper or a callable grads -> grads"
    )
    if spec is None:
        return NoClip()
    if isinstance(spec, Clipper):
        return copy.deepcopy(spec)
    if callable(spec):
        return FunctionClipper(spec)
    if not isinstance(spec, (tuple, list)) or not spec:
        raise TypeError(f"clip must be one of {allowed}; got {spec!r}")
    kind, args = spec[0], tuple(spec[1:])
    if not isinstance(kind, str):
        raise TypeError(f"clip must be one of {allowed}; its first entry must name the method, "
                        f"got {spec!r}")
    if kind == "keras":
        if len(args) != 1:
            raise ValueError(f"clip=('keras', options) needs one dict of options, got {spec!r}")
        return KerasClip(args[0])
    simple = {"value": (ClipByValue, "limit"), "norm": (ClipByNorm, "max_norm"),
              "global_norm": (ClipByGlobalNorm, "max_norm")}
    if kind in simple and len(args) == 1:
        return simple[kind][0](check_positive_float("clip[1]", args[0]))
    if kind == "autoclip" and len(args) == 1:
        return AutoClip(percentile=args[0])
    if kind == "agc" and len(args) in (1, 2):
        eps = check_positive_float("clip[2]", args[1]) if len(args) == 2 else 1e-3
        return AdaptiveGradClip(check_positive_float("clip[1]", args[0]), eps)
    raise ValueError(f"clip must be one of {allowed}; got {spec!r}")
