"""The clipped training loop: prepare once, then one step at a time, one epoch at a time.

:func:`train` is a plain custom training loop (``tf.GradientTape``), split the way d2l splits
``train_ch8`` into ``train_epoch_ch8``: :func:`_prepare` checks the arguments and builds
everything once (the clipper, the loss, the optimizer, two compiled functions),
:func:`_train_step` does one step (gradient, non-finite check, clip, apply, record) and
:func:`_train_epoch` runs the steps of one shuffled pass. Every step records the loss, the
global gradient norm before and after clipping, the norm of every weight tensor's gradient,
whether clipping fired and whether the step was skipped because the gradient held NaN/Inf,
in a :class:`~clipq_edu.training.telemetry.Telemetry`.

Clipping spec (the ``clip`` argument), anything :func:`clipq_edu.clipping.from_spec` takes:

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
a :class:`~clipq_edu.clipping.Clipper`  used through a copy (yours is never changed)
a callable ``grads -> grads``      your own rule
=================================  =========================================================

Taught in chapters 03 and 04.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from clipq_edu import clipping
from clipq_edu._validate import (
    as_float_array,
    check_bool,
    check_choice,
    check_finite,
    check_int,
    check_positive_float,
    check_seed,
)
from clipq_edu.i18n import Text
from clipq_edu.training.telemetry import Telemetry, TelemetryRecorder

__all__ = ["ClipSpec", "NONFINITE_CHOICES", "NonFiniteGradientError", "describe_clip", "train"]

ClipSpec = Any  # None | tuple | Clipper | callable; see the module docstring
NONFINITE_CHOICES = ("skip", "raise")


class NonFiniteGradientError(FloatingPointError, ValueError):
    """A gradient held NaN or Inf and the policy was ``nonfinite="raise"``.

    It is a ``FloatingPointError`` and, since the reorganisation, also a ``ValueError``, so
    ``except ValueError`` catches it as it catches every other refused input.
    """


def describe_clip(clip: ClipSpec) -> str:
    """Short human-readable label for a clipping spec, e.g. ``"global_norm 1"``."""
    if clip is None:  # a Text: compares as English, shows (figure titles) in the learner's language
        return Text("no clipping", "不裁剪")
    if callable(clip):
        return getattr(clip, "__name__", type(clip).__name__)
    if isinstance(clip, tuple) and clip and clip[0] == "keras":
        inner = ", ".join(f"{k}={v:g}" for k, v in dict(clip[1]).items())
        return f"keras {inner}"
    if isinstance(clip, tuple):
        return " ".join(str(c) if not isinstance(c, float) else f"{c:g}" for c in clip)
    return repr(clip)


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


def _accuracy(y_true: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p.reshape(-1) > 0.5) == (y_true.reshape(-1) > 0.5)))

def _all_finite(grads: list[np.ndarray]) -> bool:
    return all(bool(np.isfinite(g).all()) for g in grads)


@dataclass
class _Run:
    """Everything one training run needs, prepared once by :func:`_prepare`."""

    variables: list[Any]
    clipper: clipping.Clipper
    optimizer: Any
    loss_fn: Any
    is_classification: bool
    x: np.ndarray
    y: np.ndarray
    batch_size: int
    nonfinite: str
    grad_hook: Callable[[int, list[Any]], list[Any]] | None
    loss_and_grads: Any
    apply: Any
    recorder: TelemetryRecorder
    rng: np.random.Generator
    label: str


def _check_data(model: Any, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    from clipq_edu._tf import tf

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
    return xa, ya


def _compile(model: Any, variables: list[Any], opt: Any, loss_fn: Any, xa: np.ndarray,
             ya: np.ndarray) -> tuple[Any, Any]:
    """Two compiled functions: (loss, gradients) of a batch, and the optimizer update."""
    from clipq_edu._tf import tf

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

    return loss_and_grads, apply


def _prepare(model: Any, x: Any, y: Any, *, loss: Any, optimizer: Any, learning_rate: float,
             batch_size: int, clip: ClipSpec, seed: int, nonfinite: str,
             grad_hook: Any) -> _Run:
    """Check every argument and build the run (clipper, loss, optimizer, compiled steps)."""
    if not hasattr(model, "trainable_variables") or not callable(model):
        raise TypeError(f"model must be a tf.keras model, got {type(model).__name__}")
    learning_rate = check_positive_float("learning_rate", learning_rate)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    seed = check_seed("seed", seed)
    check_choice("nonfinite", nonfinite, NONFINITE_CHOICES)
    if grad_hook is not None and not callable(grad_hook):
        raise TypeError(f"grad_hook must be callable(step, grads) -> grads, got {grad_hook!r}")
    xa, ya = _check_data(model, x, y)
    clipper = clipping.from_spec(clip)  # a copy: the caller's clipper is never changed
    clipper.reset()
    keras_opts = clipper.options if isinstance(clipper, clipping.KerasClip) else {}
    loss_fn, is_cls = _make_loss(loss)
    opt = _make_optimizer(optimizer, learning_rate, keras_opts)
    variables = list(model.trainable_variables)
    if not variables:
        raise ValueError("model has no trainable weights")
    loss_and_grads, apply = _compile(model, variables, opt, loss_fn, xa, ya)
    label = describe_clip(clip)
    return _Run(variables=variables, clipper=clipper, optimizer=opt, loss_fn=loss_fn,
                is_classification=is_cls, x=xa, y=ya, batch_size=batch_size,
                nonfinite=nonfinite, grad_hook=grad_hook, loss_and_grads=loss_and_grads,
                apply=apply, rng=np.random.default_rng(seed), label=label,
                recorder=TelemetryRecorder(weight_names=[v.name for v in variables],
                                           clip=label))


def _raw_gradients(run: _Run, xb: np.ndarray, yb: np.ndarray,
                   step: int) -> tuple[float, list[np.ndarray]]:
    """Loss and raw gradients of one batch (after ``grad_hook``), as float32 arrays."""
    from clipq_edu._tf import tf

    value, grads = run.loss_and_grads(tf.constant(xb), tf.constant(yb))
    grads = [tf.zeros_like(v) if g is None else g
             for g, v in zip(grads, run.variables, strict=True)]
    if run.grad_hook is not None:
        grads = list(run.grad_hook(step, list(grads)))
        if len(grads) != len(run.variables):
            raise ValueError(f"grad_hook returned {len(grads)} gradients for "
                             f"{len(run.variables)} weights")
    raw = [np.asarray(g.numpy() if hasattr(g, "numpy") else g, dtype=np.float32)
           for g in grads]
    return float(value), raw


def _train_step(run: _Run, xb: np.ndarray, yb: np.ndarray, step: int, epoch: int) -> bool:
    """One step: gradient, non-finite check, clip, apply, record. Return whether applied.

    A gradient holding NaN/Inf is never applied: the step is recorded as skipped (weights
    and optimizer state untouched), or :class:`NonFiniteGradientError` is raised.
    """
    from clipq_edu._tf import tf

    loss, raw = _raw_gradients(run, xb, yb, step)
    if not _all_finite(raw):
        layer = run.recorder.record_grads(loss, raw, skipped=True, epoch=epoch)
        if run.nonfinite == "raise":
            names = [v.name for v in run.variables]
            raise NonFiniteGradientError(
                f"step {step} (epoch {epoch}): the gradient holds NaN or Inf "
                f"(per-tensor norms {dict(zip(names, layer, strict=True))}); "
                f"nothing was applied. Use nonfinite='skip' to skip such steps"
            )
        return False
    applied, info = run.clipper(raw, [v.numpy() for v in run.variables])
    if not _all_finite([np.asarray(a) for a in applied]):
        raise NonFiniteGradientError(
            f"step {step}: clipping ({run.label}) produced NaN/Inf from a finite gradient; "
            f"nothing was applied"
        )
    # With clip=("keras", ...) the optimizer clips the raw gradient itself.
    to_apply = raw if isinstance(run.clipper, clipping.KerasClip) else applied
    run.apply([tf.convert_to_tensor(a, dtype=v.dtype)
               for a, v in zip(to_apply, run.variables, strict=True)])
    run.recorder.record_grads(loss, raw, epoch=epoch, norm_after=info.norm_after,
                              clipped=info.clipped, threshold=info.threshold)
    return True


def _train_epoch(run: _Run, epoch: int, first_step: int, bar: Any) -> int:
    """One shuffled pass over the data; return the number of the next step."""
    n = len(run.x)
    order = run.rng.permutation(n)
    step = first_step
    for start in range(0, n, run.batch_size):
        idx = order[start:start + run.batch_size]
        applied = _train_step(run, run.x[idx], run.y[idx], step, epoch)
        step += 1
        bar.update(1)
        if applied and not bar.disable:
            bar.set_postfix(loss=f"{run.recorder.last('loss'):.4f}",
                            norm=f"{run.recorder.last('norm_before'):.3g}", refresh=False)
    return step


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
    ``clipnorm`` / ``global_clipnorm`` and does the clipping; the telemetry records what
    Keras applies (:class:`~clipq_edu.clipping.KerasClip` follows Keras' rules). A clipper
    object you pass (e.g. an ``AutoClip``) is copied and starts empty; yours is not changed.

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
      A :class:`~clipq_edu.training.telemetry.Telemetry`.

    References:
      Pascanu, Mikolov, Bengio (2013), https://arxiv.org/abs/1211.5063 (clipping);
      Keras optimizer docs (``clipnorm``, ``global_clipnorm``, ``clipvalue``),
      https://www.tensorflow.org/api_docs/python/tf/keras/optimizers/Optimizer.

    Taught in chapter 04.

    >>> import contextlib, io
    >>> from clipq_edu.testing import tiny_data, tiny_model
    >>> x, y = tiny_data(32)
    >>> with contextlib.redirect_stdout(io.StringIO()):  # hide TensorFlow's one-off load line
    ...     tel = train(tiny_model(), x, y, epochs=2, batch_size=8,
    ...                 clip=("global_norm", 0.05), progress=False)
    >>> tel.steps, bool(tel.clipped.all()), bool((tel.norm_after <= 0.05 + 1e-6).all())
    (8, True, True)
    """
    from tqdm.auto import tqdm

    epochs = check_int("epochs", epochs, minimum=1, maximum=100_000)
    progress = check_bool("progress", progress)
    run = _prepare(model, x, y, loss=loss, optimizer=optimizer, learning_rate=learning_rate,
                   batch_size=batch_size, clip=clip, seed=seed, nonfinite=nonfinite,
                   grad_hook=grad_hook)
    steps_per_epoch = math.ceil(len(run.x) / run.batch_size)
    step = 0
    with tqdm(total=epochs * steps_per_epoch, disable=not progress, desc=run.label,
              leave=False) as bar:
        for epoch in range(epochs):
            step = _train_epoch(run, epoch, step, bar)
    metrics = _evaluate(model, run.loss_fn, run.x, run.y, run.is_classification, "")
    if validation_data is not None:
        xv, yv = validation_data
        yv = np.asarray(yv, dtype=np.float32)
        if yv.ndim == 1 and run.y.ndim == 2:
            yv = yv.reshape(-1, run.y.shape[1])
        metrics.update(_evaluate(model, run.loss_fn, np.asarray(xv, np.float32), yv,
                                 run.is_classification, "val_"))
    return run.recorder.finish(metrics=metrics)


def _evaluate(model: Any, loss_fn: Any, x: np.ndarray, y: np.ndarray, is_cls: bool,
              prefix: str) -> dict[str, float]:
    pred = model(x, training=False)
    out = {f"{prefix}loss": float(loss_fn(y, pred))}
    if is_cls:
        out[f"{prefix}accuracy"] = _accuracy(y, np.asarray(pred))
    return out
