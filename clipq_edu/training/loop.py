"""Clipped training with telemetry, clipping comparisons, and a shot-based optimiser.

* :func:`train` is a plain custom training loop (``tf.GradientTape``) that records, for every
  step, the loss, the global gradient norm before and after clipping, the norm of every weight
  tensor's gradient, whether clipping changed the gradient, and whether the step was skipped
  because the gradient held NaN/Inf. It works with every method of :mod:`clipq_edu.clipping`
  and with Keras' own ``clipvalue`` / ``clipnorm`` / ``global_clipnorm``.
* :func:`compare_clipping` trains the same model from the same initial weights under several
  clipping configurations; :func:`plot_comparison` draws the result.
* :class:`ShotBasedOptimizer` and :func:`train_circuit_from_shots` do what the source
  article's imaginary ``QuantumAdam.update(counts)`` was reaching for: parameter-shift
  gradients estimated from measurement counts, clipped, then an Adam step written out in
  NumPy with an explicit state (m, v, t). Seeded: same seed, same trajectory.

Clipping spec (the ``clip`` argument), one of:

=================================  =========================================================
``None``                           no clipping
``("value", c)``                   :func:`~clipq_edu.clipping.clip_by_value`
``("norm", c)``                    :func:`~clipq_edu.clipping.clip_by_norm` (per tensor)
``("global_norm", c)``             :func:`~clipq_edu.clipping.clip_by_global_norm`
``("autoclip", p)``                :class:`~clipq_edu.clipping.AutoClip` at percentile p
``("agc", λ)`` / ``("agc", λ, ε)``  :func:`~clipq_edu.clipping.adaptive_grad_clip`
``("keras", {"clipnorm": c})``     the Keras optimizer clips (keys: ``clipvalue``,
                                   ``clipnorm``, ``global_clipnorm``); only with
                                   :func:`train`
a callable ``grads -> grads``      your own rule
=================================  =========================================================

Taught in chapters 03 and 04.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clipq_edu import clipping
from clipq_edu._validate import (
    as_float_array,
    check_choice,
    check_finite,
    check_int,
    check_positive_float,
    check_seed,
    check_shots,
)

__all__ = [
    "AdamState",
    "ClipSpec",
    "ComparisonResults",
    "NonFiniteGradientError",
    "ShotBasedOptimizer",
    "ShotTrainingResult",
    "Telemetry",
    "compare_clipping",
    "describe_clip",
    "plot_comparison",
    "shot_expectation",
    "shot_parameter_shift",
    "train",
    "train_circuit_from_shots",
]

ClipSpec = Any  # None | tuple | callable; see the module docstring
NONFINITE_CHOICES = ("skip", "raise")
_KERAS_CLIP_KEYS = ("clipvalue", "clipnorm", "global_clipnorm")


class NonFiniteGradientError(FloatingPointError):
    """A gradient held NaN or Inf and the policy was ``nonfinite="raise"``."""


# --------------------------------------------------------------------------------------------
# Clip specs
# --------------------------------------------------------------------------------------------
def describe_clip(clip: ClipSpec) -> str:
    """Short human-readable label for a clipping spec, e.g. ``"global_norm 1"``."""
    if clip is None:
        return "no clipping"
    if callable(clip):
        return getattr(clip, "__name__", type(clip).__name__)
    if isinstance(clip, tuple) and clip and clip[0] == "keras":
        inner = ", ".join(f"{k}={v:g}" for k, v in dict(clip[1]).items())
        return f"keras {inner}"
    if isinstance(clip, tuple):
        return " ".join(str(c) if not isinstance(c, float) else f"{c:g}" for c in clip)
    return repr(clip)


@dataclass
class _Clipper:
    """Parsed clip spec: ``apply(grads, params) -> (clipped, threshold)``."""

    kind: str
    value: float = math.nan
    eps: float = 1e-3
    fn: Callable[..., Any] | None = None
    autoclip: clipping.AutoClip | None = None
    keras: dict[str, float] = field(default_factory=dict)

    def apply(self, grads: list[Any], params: list[Any]) -> tuple[list[Any], float]:
        kw = {"nonfinite": "propagate"}
        if self.kind == "none" or self.kind == "keras":
            return list(grads), math.nan
        if self.kind == "value":
            return list(clipping.clip_by_value(list(grads), self.value, **kw)), self.value
        if self.kind == "norm":
            return list(clipping.clip_by_norm(list(grads), self.value, **kw)), self.value
        if self.kind == "global_norm":
            out, _ = clipping.clip_by_global_norm(list(grads), self.value, **kw)
            return list(out), self.value
        if self.kind == "autoclip":
            assert self.autoclip is not None
            out, _ = self.autoclip(list(grads), **kw)
            th = self.autoclip.threshold
            return list(out), math.nan if th is None else float(th)
        if self.kind == "agc":
            out = clipping.adaptive_grad_clip(list(grads), list(params), self.value, self.eps,
                                              **kw)
            return list(out), self.value
        assert self.fn is not None
        out = self.fn(list(grads))
        if not isinstance(out, (list, tuple)):
            raise TypeError(
                f"a callable clip must return a list of gradients, got {type(out).__name__}"
            )
        return list(out), math.nan


def _parse_clip(clip: ClipSpec, *, allow_keras: bool = True) -> _Clipper:
    allowed = (
        "None, ('value', c), ('norm', c), ('global_norm', c), ('autoclip', percentile), "
        "('agc', lambda[, eps]), ('keras', {'clipnorm'|'clipvalue'|'global_clipnorm': c}) "
        "or a callable grads -> grads"
    )
    if clip is None:
        return _Clipper("none")
    if isinstance(clip, clipping.AutoClip):
        clip.reset()
        return _Clipper("autoclip", autoclip=clip)
    if callable(clip):
        return _Clipper("callable", fn=clip)
    if not isinstance(clip, (tuple, list)) or not clip:
        raise TypeError(f"clip must be one of {allowed}; got {clip!r}")
    kind = clip[0]
    if kind == "keras":
        if not allow_keras:
            raise ValueError("clip=('keras', ...) needs a Keras optimizer; use ('value', c) etc.")
        if len(clip) != 2 or not isinstance(clip[1], Mapping) or not clip[1]:
            raise ValueError(f"clip=('keras', {{...}}) needs one dict of options, got {clip!r}")
        opts = dict(clip[1])
        bad = set(opts) - set(_KERAS_CLIP_KEYS)
        if bad:
            raise ValueError(
                f"clip=('keras', ...) accepts the keys {_KERAS_CLIP_KEYS}, got {sorted(bad)}"
            )
        if "clipnorm" in opts and "global_clipnorm" in opts:
            raise ValueError("Keras refuses clipnorm and global_clipnorm together; pick one")
        return _Clipper("keras", keras={k: check_positive_float(f"clip[1][{k!r}]", v)
                                        for k, v in opts.items()})
    if kind in ("value", "norm", "global_norm") and len(clip) == 2:
        return _Clipper(kind, value=check_positive_float("clip[1]", clip[1]))
    if kind == "autoclip" and len(clip) == 2:
        return _Clipper("autoclip", autoclip=clipping.AutoClip(percentile=clip[1]))
    if kind == "agc" and len(clip) in (2, 3):
        eps = check_positive_float("clip[2]", clip[2]) if len(clip) == 3 else 1e-3
        return _Clipper("agc", value=check_positive_float("clip[1]", clip[1]), eps=eps)
    raise ValueError(f"clip must be one of {allowed}; got {clip!r}")


# --------------------------------------------------------------------------------------------
# Telemetry
# --------------------------------------------------------------------------------------------
@dataclass
class Telemetry:
    """What happened at every optimisation step of :func:`train` (NumPy arrays, one row a step).

    Attributes:
      loss: batch loss before the step.
      norm_before: global L2 norm of the raw gradient (NaN/Inf for non-finite gradients).
      norm_after: global norm of the gradient actually applied (NaN when skipped).
      layer_norms: ``(steps, n_tensors)`` norms of each weight tensor's raw gradient.
      clipped: clipping changed the gradient (relative tolerance 1e-6).
      skipped: the step was not applied because the gradient held NaN/Inf.
      threshold: the clip bound in force (AutoClip's moving threshold; NaN when none).
      epoch: epoch of each step.
      weight_names: names of the weight tensors (columns of ``layer_norms``).
      clip: label of the clipping spec.
      epoch_loss: mean batch loss per epoch (skipped steps excluded).
      metrics: final metrics (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` ...).

    Taught in chapter 04.
    """

    loss: np.ndarray
    norm_before: np.ndarray
    norm_after: np.ndarray
    layer_norms: np.ndarray
    clipped: np.ndarray
    skipped: np.ndarray
    threshold: np.ndarray
    epoch: np.ndarray
    weight_names: list[str]
    clip: str = "no clipping"
    epoch_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """Number of steps attempted (applied + skipped)."""
        return int(len(self.loss))

    def summary(self) -> dict[str, Any]:
        """Headline numbers: steps, clipped fraction, largest norm, final loss, skipped steps."""
        applied = ~self.skipped
        finite = self.norm_before[np.isfinite(self.norm_before)]
        return {
            "clip": self.clip,
            "steps": self.steps,
            "applied_steps": int(applied.sum()),
            "skipped_steps": [int(i) for i in np.flatnonzero(self.skipped)],
            "clipped_fraction": float(self.clipped[applied].mean()) if applied.any() else 0.0,
            "max_norm_before": float(finite.max()) if finite.size else math.nan,
            "median_norm_before": float(np.median(finite)) if finite.size else math.nan,
            "final_loss": float(self.epoch_loss[-1]) if self.epoch_loss.size else math.nan,
            **{f"final_{k}": float(v) for k, v in self.metrics.items()},
        }

    def to_dict(self) -> dict[str, np.ndarray]:
        """Per-step columns as a dict of arrays (one column per weight tensor's norm)."""
        out = {
            "step": np.arange(self.steps),
            "epoch": self.epoch,
            "loss": self.loss,
            "norm_before": self.norm_before,
            "norm_after": self.norm_after,
            "threshold": self.threshold,
            "clipped": self.clipped,
            "skipped": self.skipped,
        }
        for j, name in enumerate(self.weight_names):
            out[f"norm[{name}]"] = self.layer_norms[:, j]
        return out

    def to_dataframe(self) -> Any:
        """The per-step table as a pandas ``DataFrame`` (needs pandas, not a dependency)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is usually present
            raise ImportError("to_dataframe needs pandas; use to_dict() without it") from exc
        return pd.DataFrame(self.to_dict())

    def plot(self, ax: Any = None) -> Any:
        """Plot gradient norm before/after clipping (log scale), the threshold, and the loss.

        Args:
          ax: a matplotlib ``Axes`` for the norms (a new figure when ``None``); the loss goes
            on a twin y-axis.

        Returns:
          The ``Axes`` with the norms.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        steps = np.arange(self.steps)
        ax.semilogy(steps, self.norm_before, lw=1, label="‖g‖ before clipping")
        ax.semilogy(steps, self.norm_after, lw=1, ls="--", label="‖g‖ applied")
        if np.isfinite(self.threshold).any():
            ax.plot(steps, self.threshold, color="k", lw=0.8, ls=":", label="threshold")
        if self.skipped.any():
            for s in np.flatnonzero(self.skipped):
                ax.axvline(s, color="red", lw=0.8, alpha=0.6)
            ax.plot([], [], color="red", label="skipped (NaN/Inf)")
        ax.set_xlabel("step")
        ax.set_ylabel("global gradient norm")
        ax2 = ax.twinx()
        ax2.plot(steps, self.loss, color="tab:green", lw=1, alpha=0.7)
        ax2.set_ylabel("batch loss", color="tab:green")
        ax.set_title(f"Gradient telemetry ({self.clip})")
        ax.legend(loc="upper right", fontsize="small")
        ax.figure.tight_layout()
        return ax


# --------------------------------------------------------------------------------------------
# Training loop
# --------------------------------------------------------------------------------------------
def _make_loss(loss: Any) -> tuple[Any, bool]:
    """Return (Keras loss callable, is_classification)."""
    from clipq_edu._tf import tf

    if isinstance(loss, str):
        name = loss.lower()
        table = {
            "bce": (tf.keras.losses.BinaryCrossentropy, True),
            "binary_crossentropy": (tf.keras.losses.BinaryCrossentropy, True),
            "mse": (tf.keras.losses.MeanSquaredError, False),
            "mean_squared_error": (tf.keras.losses.MeanSquaredError, False),
            "hinge": (tf.keras.losses.Hinge, False),
        }
        if name not in table:
            raise ValueError(f"loss must be one of {sorted(table)} or a callable, got {loss!r}")
        cls, is_cls = table[name]
        return cls(), is_cls
    if callable(loss):
        name = getattr(loss, "name", getattr(loss, "__name__", "")).lower()
        return loss, "binary_crossentropy" in name
    raise TypeError(f"loss must be a string or a callable (y_true, y_pred), got {loss!r}")


def _make_optimizer(optimizer: Any, learning_rate: float, keras_clip: dict[str, float]) -> Any:
    from clipq_edu._tf import tf

    if isinstance(optimizer, str):
        table = {"adam": tf.keras.optimizers.Adam, "sgd": tf.keras.optimizers.SGD,
                 "rmsprop": tf.keras.optimizers.RMSprop}
        if optimizer.lower() not in table:
            raise ValueError(
                f"optimizer must be one of {sorted(table)} or a tf.keras optimizer, "
                f"got {optimizer!r}"
            )
        return table[optimizer.lower()](learning_rate=learning_rate, **keras_clip)
    if not hasattr(optimizer, "apply_gradients"):
        raise TypeError(
            f"optimizer must be a name or a tf.keras optimizer, got {type(optimizer).__name__}"
        )
    if keras_clip:
        raise ValueError(
            "clip=('keras', ...) builds the optimizer itself: pass optimizer as a name "
            "('adam', 'sgd', 'rmsprop'), or create your optimizer with the clip options"
        )
    return optimizer


def _is_finite(grads: list[np.ndarray]) -> bool:
    return all(bool(np.isfinite(g).all()) for g in grads)


def _changed(before: list[np.ndarray], after: list[np.ndarray]) -> bool:
    for a, b in zip(before, after, strict=True):
        scale = float(np.max(np.abs(a))) if a.size else 0.0
        if a.shape != b.shape or float(np.max(np.abs(a - b), initial=0.0)) > 1e-6 * scale:
            return True
    return False


def _norm(g: np.ndarray) -> float:
    return float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))


def _accuracy(y_true: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p.reshape(-1) > 0.5) == (y_true.reshape(-1) > 0.5)))


def train(
    model: Any,
    x: Any,
    y: Any,
    *,
    loss: Any = "bce",
    optimizer: Any = "adam",
    learning_rate: float = 0.01,
    epochs: int = 10,
    batch_size: int = 32,
    clip: ClipSpec = None,
    seed: int = 0,
    nonfinite: str = "skip",
    grad_hook: Callable[[int, list[Any]], list[Any]] | None = None,
    validation_data: tuple[Any, Any] | None = None,
    progress: bool = True,
) -> Telemetry:
    """Train a Keras model with a custom loop that clips gradients and records telemetry.

    Each step: compute the loss and the raw gradients (``tf.GradientTape``), pass them
    through ``grad_hook`` (to inject faults when teaching), check they are finite, clip them
    with ``clip``, record the norms, apply them with the optimizer. A step whose gradient
    holds NaN/Inf is never applied: with ``nonfinite="skip"`` it is skipped (weights and
    optimizer state untouched) and reported in ``Telemetry.skipped``; with ``"raise"`` a
    :class:`NonFiniteGradientError` is raised.

    With ``clip=("keras", {...})`` the optimizer is created with Keras' own ``clipvalue`` /
    ``clipnorm`` / ``global_clipnorm`` and does the clipping; the telemetry records the
    gradient Keras applies by running the optimizer's own clipping code
    (``optimizer._clip_gradients``) on the same gradient.

    Args:
      model: a ``tf.keras`` model (e.g. from :mod:`clipq_edu.models`).
      x, y: training inputs and targets (arrays; ``y`` of shape ``(n,)`` is reshaped to the
        model's output).
      loss: ``"bce"``, ``"mse"``, ``"hinge"`` or a Keras loss / callable ``(y_true, y_pred)``.
      optimizer: ``"adam"``, ``"sgd"``, ``"rmsprop"`` or a ``tf.keras`` optimizer instance.
      learning_rate: for optimizers given by name, > 0.
      epochs: passes over the data, >= 1.
      batch_size: examples per step, >= 1.
      clip: a clipping spec (see the module docstring).
      seed: seed for the shuffling order (the model's initial weights come from its builder).
      nonfinite: ``"skip"`` or ``"raise"``.
      grad_hook: optional ``hook(step, grads) -> grads`` called on the raw gradients.
      validation_data: optional ``(x_val, y_val)`` evaluated at the end.
      progress: show a tqdm progress bar.

    Returns:
      A :class:`Telemetry`.

    References:
      Pascanu, Mikolov, Bengio (2013), https://arxiv.org/abs/1211.5063 (clipping);
      Keras optimizer docs (``clipnorm``, ``global_clipnorm``, ``clipvalue``),
      https://www.tensorflow.org/api_docs/python/tf/keras/optimizers/Optimizer.

    Taught in chapter 04.
    """
    from tqdm.auto import tqdm

    from clipq_edu._tf import tf

    if not hasattr(model, "trainable_variables") or not callable(model):
        raise TypeError(f"model must be a tf.keras model, got {type(model).__name__}")
    learning_rate = check_positive_float("learning_rate", learning_rate)
    epochs = check_int("epochs", epochs, minimum=1, maximum=100_000)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    seed = check_seed("seed", seed)
    check_choice("nonfinite", nonfinite, NONFINITE_CHOICES)
    if grad_hook is not None and not callable(grad_hook):
        raise TypeError(f"grad_hook must be callable(step, grads) -> grads, got {grad_hook!r}")
    xa = (as_float_array("x", x) if not isinstance(x, tf.Tensor) else x.numpy()).astype(
        np.float32)
    ya = check_finite("y", as_float_array("y", y)).astype(np.float32)
    if xa.ndim == 0 or ya.ndim == 0:
        raise ValueError(f"x and y must be arrays with one row per example, got shapes "
                         f"{xa.shape} and {ya.shape}")
    if len(xa) != len(ya):
        raise ValueError(f"x has {len(xa)} examples but y has {len(ya)}")
    if len(xa) == 0:
        raise ValueError("x is empty")
    out_shape = model.output_shape if hasattr(model, "output_shape") else None
    if ya.ndim == 1 and out_shape is not None and len(out_shape) == 2:
        ya = ya.reshape(-1, out_shape[-1])
    clipper = _parse_clip(clip)
    loss_fn, is_cls = _make_loss(loss)
    opt = _make_optimizer(optimizer, learning_rate, clipper.keras)
    variables = list(model.trainable_variables)
    if not variables:
        raise ValueError("model has no trainable weights")
    names = [v.name for v in variables]

    # One trace for every batch size: the batch dimension is left open.
    spec = [tf.TensorSpec([None, *xa.shape[1:]], tf.float32),
            tf.TensorSpec([None, *ya.shape[1:]], tf.float32)]

    @tf.function(input_signature=spec)
    def loss_and_grads(xb: Any, yb: Any) -> Any:
        with tf.GradientTape() as tape:
            value = loss_fn(yb, model(xb, training=True))
        return value, tape.gradient(value, variables)

    # Create the optimizer's slots eagerly, so that the compiled update is traced only once.
    opt.build(variables)

    @tf.function(autograph=False)
    def apply(grads: list[Any]) -> None:
        opt.apply_gradients(zip(grads, variables, strict=True))

    rng = np.random.default_rng(seed)
    n = len(xa)
    steps_per_epoch = math.ceil(n / batch_size)
    rec: dict[str, list[Any]] = {k: [] for k in (
        "loss", "before", "after", "layers", "clipped", "skipped", "threshold", "epoch")}
    epoch_loss = []
    bar = tqdm(total=epochs * steps_per_epoch, disable=not progress, desc=describe_clip(clip),
               leave=False)
    step = 0
    try:
        for ep in range(epochs):
            order = rng.permutation(n)
            losses = []
            for b in range(steps_per_epoch):
                idx = order[b * batch_size:(b + 1) * batch_size]
                value, grads = loss_and_grads(tf.constant(xa[idx]), tf.constant(ya[idx]))
                grads = [tf.zeros_like(v) if g is None else g
                         for g, v in zip(grads, variables, strict=True)]
                if grad_hook is not None:
                    grads = list(grad_hook(step, list(grads)))
                    if len(grads) != len(variables):
                        raise ValueError(
                            f"grad_hook returned {len(grads)} gradients for {len(variables)} "
                            f"weights"
                        )
                raw = [np.asarray(g.numpy() if hasattr(g, "numpy") else g, dtype=np.float32)
                       for g in grads]
                layer = [_norm(g) for g in raw]
                before = float(np.sqrt(np.sum(np.square(layer))))
                rec["loss"].append(float(value))
                rec["before"].append(before)
                rec["layers"].append(layer)
                rec["epoch"].append(ep)
                if not _is_finite(raw):
                    if nonfinite == "raise":
                        raise NonFiniteGradientError(
                            f"step {step} (epoch {ep}): the gradient holds NaN or Inf "
                            f"(per-tensor norms {dict(zip(names, layer, strict=True))}); "
                            f"nothing was applied. Use nonfinite='skip' to skip such steps"
                        )
                    rec["after"].append(math.nan)
                    rec["clipped"].append(False)
                    rec["skipped"].append(True)
                    rec["threshold"].append(math.nan)
                    step += 1
                    bar.update(1)
                    continue
                tensors = [tf.constant(g) for g in raw]
                if clipper.kind == "keras":
                    applied = list(opt._clip_gradients(tensors))
                    threshold = next(iter(clipper.keras.values()))
                    to_apply = tensors  # the optimizer clips them itself
                else:
                    applied, threshold = clipper.apply(tensors, variables)
                    to_apply = applied
                applied_np = [np.asarray(a.numpy() if hasattr(a, "numpy") else a,
                                         dtype=np.float32) for a in applied]
                if not _is_finite(applied_np):
                    raise NonFiniteGradientError(
                        f"step {step}: clipping ({describe_clip(clip)}) produced NaN/Inf from "
                        f"a finite gradient; nothing was applied"
                    )
                apply([tf.convert_to_tensor(a, dtype=v.dtype)
                       for a, v in zip(to_apply, variables, strict=True)])
                rec["after"].append(float(np.sqrt(sum(_norm(a) ** 2 for a in applied_np))))
                rec["clipped"].append(_changed(raw, applied_np))
                rec["skipped"].append(False)
                rec["threshold"].append(float(threshold))
                losses.append(float(value))
                step += 1
                bar.update(1)
                if progress:
                    bar.set_postfix(loss=f"{float(value):.4f}", norm=f"{before:.3g}",
                                    refresh=False)
            epoch_loss.append(float(np.mean(losses)) if losses else math.nan)
    finally:
        bar.close()

    metrics = _evaluate(model, loss_fn, xa, ya, is_cls, "")
    if validation_data is not None:
        xv, yv = validation_data
        yv = np.asarray(yv, dtype=np.float32)
        if yv.ndim == 1 and ya.ndim == 2:
            yv = yv.reshape(-1, ya.shape[1])
        metrics.update(_evaluate(model, loss_fn, np.asarray(xv, np.float32), yv, is_cls, "val_"))
    return Telemetry(
        loss=np.array(rec["loss"]),
        norm_before=np.array(rec["before"]),
        norm_after=np.array(rec["after"]),
        layer_norms=np.array(rec["layers"]).reshape(len(rec["loss"]), len(variables)),
        clipped=np.array(rec["clipped"], dtype=bool),
        skipped=np.array(rec["skipped"], dtype=bool),
        threshold=np.array(rec["threshold"]),
        epoch=np.array(rec["epoch"], dtype=int),
        weight_names=names,
        clip=describe_clip(clip),
        epoch_loss=np.array(epoch_loss),
        metrics=metrics,
    )


def _evaluate(model: Any, loss_fn: Any, x: np.ndarray, y: np.ndarray, is_cls: bool,
              prefix: str) -> dict[str, float]:
    pred = model(x, training=False)
    out = {f"{prefix}loss": float(loss_fn(y, pred))}
    if is_cls:
        out[f"{prefix}accuracy"] = _accuracy(y, np.asarray(pred))
    return out


# --------------------------------------------------------------------------------------------
# Comparing clipping configurations
# --------------------------------------------------------------------------------------------
@dataclass
class ComparisonResults:
    """Results of :func:`compare_clipping`.

    Attributes:
      telemetry: config name → :class:`Telemetry`.
      table: one dict per config (name, final metrics, clipped fraction, skipped steps ...).
      initial_weights: the weights every run started from.

    Taught in chapter 04.
    """

    telemetry: dict[str, Telemetry]
    table: list[dict[str, Any]]
    initial_weights: list[np.ndarray]

    def to_dataframe(self) -> Any:
        """The table as a pandas ``DataFrame`` (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self.table).set_index("config")


def _call_builder(build_model: Callable[..., Any], seed: int) -> Any:
    try:
        params = inspect.signature(build_model).parameters
    except (TypeError, ValueError):
        params = {}
    if "seed" in params:
        return build_model(seed=seed)
    return build_model()


def compare_clipping(
    build_model: Callable[..., Any],
    data: Any,
    configs: Mapping[str, ClipSpec],
    *,
    loss: Any = "bce",
    optimizer: str = "adam",
    learning_rate: float = 0.01,
    epochs: int = 10,
    batch_size: int = 32,
    seed: int = 0,
    nonfinite: str = "skip",
    grad_hook: Callable[[int, list[Any]], list[Any]] | None = None,
    progress: bool = True,
) -> ComparisonResults:
    """Train one model from the same initial weights under several clipping configurations.

    The model is built once (``build_model(seed=seed)`` if the builder takes a ``seed``,
    else ``build_model()``); its initial weights are copied into a fresh build for every
    config, and every run uses the same shuffling seed, so the runs differ only by clipping.

    Args:
      build_model: a function returning a new ``tf.keras`` model.
      data: a :class:`clipq_edu.data.Dataset` or a tuple ``(x_train, y_train[, x_test,
        y_test])``.
      configs: name → clipping spec, e.g. ``{"none": None, "global 1": ("global_norm", 1.0)}``.
      loss, optimizer, learning_rate, epochs, batch_size, nonfinite, grad_hook: as in
        :func:`train` (optimizer by name, so each run gets a fresh one).
      seed: seed for the model and the shuffling.
      progress: show progress bars.

    Returns:
      :class:`ComparisonResults`.

    Taught in chapter 04.
    """
    if not callable(build_model):
        raise TypeError(f"build_model must be callable, got {type(build_model).__name__}")
    if not isinstance(configs, Mapping) or not configs:
        raise ValueError(f"configs must be a non-empty dict name -> clip spec, got {configs!r}")
    if not isinstance(optimizer, str):
        raise TypeError("compare_clipping needs the optimizer by name so each run starts fresh")
    seed = check_seed("seed", seed)
    for name, spec in configs.items():
        _parse_clip(spec)  # validate all before training anything
        if not isinstance(name, str):
            raise TypeError(f"config names must be strings, got {name!r}")
    if hasattr(data, "x_train"):
        x, y, xt, yt = data.x_train, data.y_train, data.x_test, data.y_test
    elif isinstance(data, (tuple, list)) and len(data) in (2, 4):
        x, y = data[0], data[1]
        xt, yt = (data[2], data[3]) if len(data) == 4 else (None, None)
    else:
        raise TypeError("data must be a Dataset or a tuple (x, y) or (x, y, x_test, y_test)")
    first = _call_builder(build_model, seed)
    initial = [w.copy() for w in first.get_weights()]
    telemetry: dict[str, Telemetry] = {}
    table: list[dict[str, Any]] = []
    for i, (name, spec) in enumerate(configs.items()):
        model = first if i == 0 else _call_builder(build_model, seed)
        model.set_weights(initial)
        tel = train(
            model, x, y, loss=loss, optimizer=optimizer, learning_rate=learning_rate,
            epochs=epochs, batch_size=batch_size, clip=spec, seed=seed, nonfinite=nonfinite,
            grad_hook=grad_hook, validation_data=None if xt is None else (xt, yt),
            progress=progress,
        )
        telemetry[name] = tel
        s = tel.summary()
        table.append({"config": name, **{k: v for k, v in s.items() if k != "clip"}})
    return ComparisonResults(telemetry=telemetry, table=table, initial_weights=initial)


def plot_comparison(results: ComparisonResults, axes: Any = None) -> Any:
    """Plot, per config, the raw gradient norm (log scale) and the loss per epoch.

    Args:
      results: from :func:`compare_clipping`.
      axes: two matplotlib ``Axes`` (a new 1x2 figure when ``None``).

    Returns:
      The matplotlib ``Figure``.

    Taught in chapter 04.
    """
    import matplotlib.pyplot as plt

    if not isinstance(results, ComparisonResults):
        raise TypeError(f"results must be ComparisonResults, got {type(results).__name__}")
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    else:
        fig = axes[0].figure
    ax_norm, ax_loss = axes
    for name, tel in results.telemetry.items():
        line, = ax_norm.semilogy(tel.norm_before, lw=1, label=name)
        ax_loss.plot(np.arange(1, len(tel.epoch_loss) + 1), tel.epoch_loss, marker="o", ms=3,
                     color=line.get_color(), label=name)
    ax_norm.set_xlabel("step")
    ax_norm.set_ylabel("raw gradient norm ‖g‖")
    ax_norm.set_title("Gradient norm before clipping")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("mean training loss")
    ax_loss.set_title("Training loss, same initial weights")
    ax_loss.legend(fontsize="small")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Shot-based estimation (seeded) and the shot-based optimiser
# --------------------------------------------------------------------------------------------
_SHIFT_GATES = ("Rx", "Ry", "Rz")


def _check_symbols(circuit: Any, symbols: Sequence[Any]) -> list[Any]:
    """Check ``symbols`` are exactly the circuit's symbols; return them as sympy symbols."""
    import cirq
    import sympy

    if not isinstance(circuit, cirq.Circuit):
        raise TypeError(f"circuit must be a cirq.Circuit, got {type(circuit).__name__}")
    syms = [sympy.Symbol(str(s)) for s in symbols]
    if not syms:
        raise ValueError("symbols is empty: a circuit without parameters has no gradient")
    present = cirq.parameter_symbols(circuit)
    missing = [str(s) for s in syms if s not in present]
    if missing:
        raise ValueError(f"symbols {missing} do not occur in the circuit")
    extra = sorted(str(s) for s in present if s not in syms)
    if extra:
        raise ValueError(f"circuit symbols {extra} are not in symbols: every symbol needs a value")
    return syms


def _check_shiftable(circuit: Any, symbols: Sequence[Any]) -> list[Any]:
    """Check every symbol drives exactly one rx/ry/rz gate with the bare symbol as angle."""
    import cirq

    syms = _check_symbols(circuit, symbols)
    uses = dict.fromkeys(syms, 0)
    for op in circuit.all_operations():
        params = cirq.parameter_symbols(op)
        if not params:
            continue
        gate = op.gate
        if type(gate).__name__ not in _SHIFT_GATES or len(params) != 1 or \
                gate._rads != next(iter(params)):
            raise ValueError(
                f"parameter-shift here needs every symbol to be the bare angle of one "
                f"cirq.rx/ry/rz gate; got {op!r}. Use clipq_edu.gradients for other gates"
            )
        uses[next(iter(params))] += 1
    shared = [str(s) for s, k in uses.items() if k != 1]
    if shared:
        raise ValueError(f"symbols {shared} drive more than one gate; give each gate its own")
    return syms


def _as_pauli_sum(observable: Any) -> Any:
    import cirq

    if isinstance(observable, cirq.PauliSum):
        return observable
    if isinstance(observable, (cirq.PauliString, cirq.GateOperation)):
        return cirq.PauliSum.from_pauli_strings(cirq.PauliString(observable))
    raise TypeError(
        f"observable must be a cirq.PauliSum or PauliString, got {type(observable).__name__}"
    )


def _exact_term_expectations(circuit: Any, syms: list[Any], values: np.ndarray,
                             terms: list[Any]) -> np.ndarray:
    """⟨P_k⟩ for every parameter row (rows, terms), exact, via Cirq's simulator."""
    import cirq

    resolvers = [cirq.ParamResolver(dict(zip(syms, map(float, row), strict=True)))
                 for row in values]
    qubits = sorted(circuit.all_qubits() | {q for t in terms for q in t.qubits})
    sim = cirq.Simulator(dtype=np.complex128)
    unit = [cirq.PauliString(dict(t.items())) for t in terms]
    out = sim.simulate_expectation_values_sweep(
        circuit, observables=unit, params=resolvers, qubit_order=qubits
    )
    return np.real(np.array(out, dtype=np.complex128)).reshape(len(values), len(terms))


def shot_expectation(
    circuit: Any,
    symbols: Sequence[Any],
    values: Any,
    observable: Any,
    shots: int,
    seed: int | None = None,
    *,
    return_counts: bool = False,
) -> Any:
    """Estimate ⟨observable⟩ from ``shots`` measurements per Pauli term, seeded.

    For each Pauli string P (eigenvalues ±1) of the observable Σₖ cₖPₖ, measuring P once gives
    +1 with probability (1 + ⟨P⟩)/2, so the number of +1 outcomes in N shots is
    Binomial(N, (1 + ⟨P⟩)/2) and the estimate is cₖ(2·n₊/N − 1), with variance
    cₖ²(1 − ⟨P⟩²)/N. Exact probabilities come from Cirq's simulator; the draws from
    ``np.random.default_rng(seed)``.

    Args:
      circuit: a Cirq circuit whose symbols are all in ``symbols``.
      symbols: the circuit's symbols.
      values: one parameter vector ``(P,)`` or a batch ``(B, P)``.
      observable: a ``cirq.PauliSum`` or ``cirq.PauliString``.
      shots: measurements per Pauli term, a positive integer.
      seed: seed for the draws.
      return_counts: also return the +1 counts ``(B, terms)``.

    Returns:
      The estimates, a float (single vector) or an array ``(B,)``; with ``return_counts``
      a tuple ``(estimates, counts)``.

    Taught in chapter 04.
    """
    import cirq
    import sympy

    shots = check_shots("shots", shots)
    seed = check_seed("seed", seed)
    syms = [sympy.Symbol(str(s)) for s in symbols]
    vals = check_finite("values", as_float_array("values", values))
    single = vals.ndim == 1
    vals = np.atleast_2d(vals)
    if vals.ndim != 2 or vals.shape[1] != len(syms):
        raise ValueError(
            f"values must have {len(syms)} entries per row (one per symbol), got shape "
            f"{np.shape(values)}"
        )
    missing = sorted(str(s) for s in cirq.parameter_symbols(circuit) if s not in syms)
    if missing:
        raise ValueError(f"circuit symbols {missing} have no value; add them to symbols")
    psum = _as_pauli_sum(observable)
    extra = set(psum.qubits) - set(circuit.all_qubits())
    if extra:
        raise ValueError(f"observable acts on qubits {sorted(extra)} that are not in the circuit")
    terms = list(psum)
    coeffs = np.array([complex(t.coefficient).real for t in terms])
    identity = np.array([len(t) == 0 for t in terms])
    unique, inverse = np.unique(vals, axis=0, return_inverse=True)  # simulate each row once
    exact = _exact_term_expectations(circuit, syms, unique, terms)[inverse.reshape(-1)]
    rng = np.random.default_rng(seed)
    p_plus = np.clip((1.0 + exact) / 2.0, 0.0, 1.0)
    counts = rng.binomial(shots, p_plus)
    counts[:, identity] = shots
    est = (coeffs * (2.0 * counts / shots - 1.0)).sum(axis=1)
    result: Any = float(est[0]) if single else est
    return (result, counts[0] if single else counts) if return_counts else result


def shot_parameter_shift(
    circuit: Any,
    symbols: Sequence[Any],
    values: Any,
    observable: Any,
    shots: int,
    seed: int | None = None,
) -> tuple[np.ndarray, float]:
    """Parameter-shift gradient of ⟨observable⟩ estimated from shots, plus ⟨observable⟩ itself.

    For a gate ``rx/ry/rz(θ)`` = exp(−iθP/2): ∂⟨O⟩/∂θ = [⟨O⟩(θ + π/2) − ⟨O⟩(θ − π/2)]/2.
    Each of the 2P shifted expectations and the unshifted one is estimated by
    :func:`shot_expectation` with ``shots`` shots per Pauli term, independently. Every symbol
    must be the bare angle of exactly one rx/ry/rz gate.

    Args:
      circuit, symbols, values, observable, shots, seed: as in :func:`shot_expectation`
        (``values`` one vector ``(P,)``).

    Returns:
      ``(gradient (P,), expectation)``.

    References:
      Mitarai, Negoro, Kitagawa, Fujii (2018), "Quantum circuit learning", PRA 98, 032309,
      https://arxiv.org/abs/1803.00745; Schuld, Bergholm, Gogolin, Izaac, Killoran (2019),
      "Evaluating analytic gradients on quantum hardware", PRA 99, 032331,
      https://arxiv.org/abs/1811.11184.

    Taught in chapter 04.
    """
    syms = _check_shiftable(circuit, symbols)
    vals = check_finite("values", as_float_array("values", values, ndim=1))
    if len(vals) != len(syms):
        raise ValueError(f"values must have {len(syms)} entries, got {len(vals)}")
    p = len(syms)
    shifts = np.vstack([vals, vals + np.eye(p) * (np.pi / 2), vals - np.eye(p) * (np.pi / 2)])
    est = shot_expectation(circuit, syms, shifts, observable, shots, seed)
    return (est[1:p + 1] - est[p + 1:]) / 2.0, float(est[0])


@dataclass
class AdamState:
    """Adam's explicit state: first moment ``m``, second moment ``v``, step count ``t``."""

    m: np.ndarray
    v: np.ndarray
    t: int = 0


class ShotBasedOptimizer:
    """Adam on gradients estimated from measurement shots, clipped first; seeded.

    :meth:`update` is one Adam step written out (Kingma & Ba 2015, Algorithm 1)::

        g ← clip(g)
        t ← t + 1;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
        θ ← θ − α · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)

    :meth:`step` estimates the gradient of a circuit's loss from shots (parameter shift,
    :func:`shot_parameter_shift`) and calls :meth:`update`. Every random draw comes from the
    optimiser's own ``np.random.default_rng(seed)``, so the same seed gives the same trajectory
    in any process. The state lives in :attr:`state` (an :class:`AdamState`).

    Args:
      learning_rate: α, > 0.
      beta1, beta2: moment decay rates in [0, 1).
      eps: ε, > 0.
      clip: clipping spec (``("value", c)``, ``("norm", c)``, ``("global_norm", c)``,
        ``("autoclip", p)``, ``("agc", λ)``, a callable, or ``None``).
      shots: measurements per Pauli term per circuit evaluation.
      seed: seed for all shot draws.
      estimator: ``"gradients"`` uses :func:`clipq_edu.gradients.parameter_shift_gradient`
        (Cirq backend; any gate it supports), ``"builtin"`` uses :func:`shot_parameter_shift`
        (rx/ry/rz only, a few readable lines). Both are seeded from this optimiser's stream.

    References:
      Kingma, Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR,
      https://arxiv.org/abs/1412.6980.

    Taught in chapter 04.
    """

    def __init__(
        self,
        learning_rate: float = 0.1,
        *,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        clip: ClipSpec = None,
        shots: int = 1000,
        seed: int | None = 0,
        estimator: str = "gradients",
    ) -> None:
        self.estimator = check_choice("estimator", estimator, ("gradients", "builtin"))
        self.learning_rate = check_positive_float("learning_rate", learning_rate)
        for name, b in (("beta1", beta1), ("beta2", beta2)):
            b = check_positive_float(name, b, allow_zero=True)
            if b >= 1:
                raise ValueError(f"{name} must be in [0, 1), got {b!r}")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.eps = check_positive_float("eps", eps)
        self.clip = clip
        self._clipper = _parse_clip(clip, allow_keras=False)
        self.shots = check_shots("shots", shots)
        self.seed = check_seed("seed", seed)
        self.rng = np.random.default_rng(self.seed)
        self.state: AdamState | None = None
        self.last: dict[str, Any] = {}

    def reset(self) -> None:
        """Forget the Adam state and restart the random stream from the seed."""
        self.state = None
        self.rng = np.random.default_rng(self.seed)
        self._clipper = _parse_clip(self.clip, allow_keras=False)

    def update(self, params: Any, grads: Any) -> np.ndarray:
        """Clip ``grads`` and take one Adam step from ``params``; return the new parameters.

        ``self.last`` records ``norm_before``, ``norm_after`` and ``clipped``. Non-finite
        gradients raise ``ValueError`` (nothing is applied).
        """
        theta = check_finite("params", as_float_array("params", params, ndim=1))
        g = as_float_array("grads", grads, ndim=1)
        if g.shape != theta.shape:
            raise ValueError(f"grads has shape {g.shape} but params has shape {theta.shape}")
        check_finite("grads", g)
        clipped, threshold = self._clipper.apply([g], [theta])
        gc = np.asarray(clipped[0], dtype=np.float64)
        if self.state is None or self.state.m.shape != theta.shape:
            self.state = AdamState(m=np.zeros_like(theta), v=np.zeros_like(theta), t=0)
        s = self.state
        s.t += 1
        s.m = self.beta1 * s.m + (1 - self.beta1) * gc
        s.v = self.beta2 * s.v + (1 - self.beta2) * gc**2
        m_hat = s.m / (1 - self.beta1**s.t)
        v_hat = s.v / (1 - self.beta2**s.t)
        self.last = {
            "norm_before": float(np.linalg.norm(g)),
            "norm_after": float(np.linalg.norm(gc)),
            "clipped": bool(_changed([g], [gc])),
            "threshold": float(threshold),
        }
        return theta - self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)

    def step(
        self,
        circuit: Any,
        symbols: Sequence[Any],
        params: Any,
        observable: Any,
        *,
        target: float | None = None,
    ) -> np.ndarray:
        """Estimate the loss gradient from shots and take one clipped Adam step.

        The loss is ⟨O⟩ (minimised) when ``target`` is ``None``, else (⟨O⟩ − target)². For the
        squared loss the chain rule needs ⟨O⟩ itself, estimated from its own shots:
        ∂L/∂θ = 2(⟨O⟩ − target)·∂⟨O⟩/∂θ. ``self.last`` also records the estimated ``loss``.

        Returns:
          The new parameters.
        """
        theta = as_float_array("params", params, ndim=1)
        if target is not None:
            target = float(check_finite("target", as_float_array("target", target, ndim=0)))
        seed_grad, seed_value = (int(s) for s in self.rng.integers(0, 2**63 - 1, size=2))
        if self.estimator == "builtin":
            grad_o, _ = shot_parameter_shift(circuit, symbols, theta, observable,
                                             self.shots, seed_grad)
        else:
            from clipq_edu.gradients import parameter_shift_gradient

            grad_o = np.asarray(parameter_shift_gradient(
                circuit, symbols, theta, observable, shots=self.shots, seed=seed_grad,
                backend="cirq"), dtype=np.float64)
        # ⟨O⟩ from its own shots, independent of the gradient's (the product stays unbiased).
        value = shot_expectation(circuit, symbols, theta, observable, self.shots, seed_value)
        if target is None:
            grad, loss = grad_o, value
        else:
            t = float(target)
            grad, loss = 2.0 * (value - t) * grad_o, (value - t) ** 2
        new = self.update(theta, grad)
        self.last["loss"] = float(loss)
        self.last["expectation"] = float(value)
        return new


@dataclass
class ShotTrainingResult:
    """Trajectory of :func:`train_circuit_from_shots`.

    Attributes:
      params: ``(steps + 1, P)`` parameters, starting with ``init``.
      loss: ``(steps,)`` loss estimated from shots at each step's start.
      exact_loss: ``(steps + 1,)`` loss computed exactly (no shots) along the trajectory.
      norm_before, norm_after: ``(steps,)`` gradient norms before/after clipping.
      clipped: ``(steps,)`` whether clipping changed the gradient.
    """

    params: np.ndarray
    loss: np.ndarray
    exact_loss: np.ndarray
    norm_before: np.ndarray
    norm_after: np.ndarray
    clipped: np.ndarray

    def plot(self, ax: Any = None) -> Any:
        """Plot the shot-estimated and exact loss per step; return the ``Axes``."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(self.loss, lw=1, alpha=0.7, label="loss from shots")
        ax.plot(self.exact_loss, lw=1.5, label="exact loss")
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.set_title("Training a circuit from measured counts")
        ax.legend()
        return ax


def train_circuit_from_shots(
    circuit: Any,
    symbols: Sequence[Any],
    observable: Any,
    target: float | None,
    init: Any,
    steps: int = 50,
    shots: int = 1000,
    clip: ClipSpec = None,
    seed: int | None = 0,
    *,
    learning_rate: float = 0.1,
    estimator: str = "gradients",
) -> ShotTrainingResult:
    """Train a circuit's parameters with :class:`ShotBasedOptimizer`; record the trajectory.

    Args:
      circuit: a Cirq circuit whose symbols each drive one rx/ry/rz gate.
      symbols: the symbols, in the order of ``init``.
      observable: ``cirq.PauliSum`` / ``PauliString``.
      target: desired ⟨O⟩ (squared loss), or ``None`` to minimise ⟨O⟩.
      init: initial parameters ``(P,)``.
      steps: optimisation steps, >= 1.
      shots: shots per Pauli term per circuit evaluation.
      clip: clipping spec for the estimated gradient.
      seed: seed for every shot draw.
      learning_rate: Adam's step size.
      estimator: ``"gradients"`` or ``"builtin"`` (see :class:`ShotBasedOptimizer`).

    Returns:
      A :class:`ShotTrainingResult`.

    Taught in chapter 04.
    """
    import sympy

    steps = check_int("steps", steps, minimum=1, maximum=100_000)
    if target is not None:
        target = float(check_finite("target", as_float_array("target", target, ndim=0)))
    theta = check_finite("init", as_float_array("init", init, ndim=1))
    opt = ShotBasedOptimizer(learning_rate, clip=clip, shots=shots, seed=seed,
                             estimator=estimator)
    syms = _check_symbols(circuit, symbols)
    if estimator == "builtin":
        _check_shiftable(circuit, syms)
    if len(theta) != len(syms):
        raise ValueError(f"init must have {len(syms)} entries (one per symbol), got {len(theta)}")
    psum = _as_pauli_sum(observable)
    traj = [theta]
    rec: dict[str, list[Any]] = {"loss": [], "before": [], "after": [], "clipped": []}
    for _ in range(steps):
        theta = opt.step(circuit, syms, theta, psum, target=target)
        traj.append(theta)
        rec["loss"].append(opt.last["loss"])
        rec["before"].append(opt.last["norm_before"])
        rec["after"].append(opt.last["norm_after"])
        rec["clipped"].append(opt.last["clipped"])
    params = np.array(traj)
    terms = list(psum)
    coeffs = np.array([complex(t.coefficient).real for t in terms])
    exact_o = _exact_term_expectations(circuit, [sympy.Symbol(str(s)) for s in syms], params,
                                       terms) @ coeffs
    exact_loss = exact_o if target is None else (exact_o - float(target)) ** 2
    return ShotTrainingResult(
        params=params,
        loss=np.array(rec["loss"]),
        exact_loss=np.asarray(exact_loss),
        norm_before=np.array(rec["before"]),
        norm_after=np.array(rec["after"]),
        clipped=np.array(rec["clipped"], dtype=bool),
    )
