"""The capstone lab (chapter 07): a hybrid model that misbehaves, and the tools to diagnose it.

The story: a colleague hands you a hybrid classical → quantum classifier for two concentric
circles, trained on the circuit's probability p = (1 + ⟨Z₀⟩)/2, that trains but does not learn.
What is wrong depends on the lab seed (:data:`SEED_ENV`); the instructor guide
(``docs/capstone.md``) lists what each seed hands out. Students read the telemetry, try
clipping methods and thresholds, test hypotheses one change at a time over seeds, and write
the fix; clipping alone bounds the steps but does not make the model learn
(``tests/test_lab_faults.py`` checks every seed's model).

The model is deliberately small (2 qubits, 2 re-uploading layers, a linear classical layer
computing the encoding angles) so that one run of 36 steps takes about a second. Runs are
cached by their settings (:class:`LabSettings` is hashable), so a later cell or an exercise
check that asks for the same run gets it for free. The caches are bounded (least recently
used runs are dropped first) and what they hand out is read-only: every caller shares the
same object, so nobody can change another caller's numbers.

Nothing here imports TensorFlow until a model is built or trained.

Taught in chapter 07.
"""

from __future__ import annotations

import math
import types
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from typing import Any

import numpy as np

from clipq_edu._validate import (
    MAX_SEED_32,
    as_float_array,
    check_axes,
    check_bool,
    check_choice,
    check_finite,
    check_int,
    check_positive_float,
    check_seed,
)
from clipq_edu.data import Dataset, circles, standardize
from clipq_edu.i18n import display_width, pad, tr

__all__ = [
    "DATA_CACHE_SIZE",
    "FAULTS",
    "HELD_OUT_SEEDS",
    "LOSSES",
    "SEED_ENV",
    "TARGET_ACCURACY",
    "RAW_SCALE",
    "RUN_CACHE_SIZE",
    "Diagnosis",
    "ResultsTable",
    "LabRun",
    "LabSettings",
    "cache_info",
    "delivered",
    "delivered_data",
    "delivered_model",
    "diagnose",
    "fault_name",
    "fix_reaches_target",
    "healthy_run",
    "lab_data",
    "lab_model",
    "loss_slope",
    "naive_bce",
    "plot_loss_slopes",
    "plot_runs",
    "results_table",
    "run_lab",
    "seed_spread",
    "spike_ratio",
    "SeedSpread",
]

#: How much larger than sensible the raw features are (the "wrong units").
RAW_SCALE = 30.0
#: Losses the lab offers: the hand-written cross-entropy, Keras' own (clipped) one, and MSE.
LOSSES = ("naive_bce", "bce", "mse")
#: tf-keras' ``backend.epsilon()``: ``BinaryCrossentropy`` clips p to [ε, 1 − ε], then logs p + ε.
_KERAS_EPSILON = 1e-7


# --------------------------------------------------------------------------------------------
# Data and model
# --------------------------------------------------------------------------------------------
#: How many lab runs (and data sets) the caches keep; the least recently used go first.
RUN_CACHE_SIZE = 64
DATA_CACHE_SIZE = 8


def _read_only(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


@lru_cache(maxsize=DATA_CACHE_SIZE)
def _raw_data(seed: int) -> Dataset:
    """The raw data of ``seed``, cached: its arrays are read-only because callers share them."""
    data = circles(n_samples=160, noise=0.1, seed=seed).scaled(RAW_SCALE)
    for arr in (data.x_train, data.y_train, data.x_test, data.y_test):
        _read_only(arr)
    return data


def lab_data(standardized: bool = False, seed: int = 0) -> Dataset:
    """The lab's data: two noisy concentric circles, as the data pipeline delivers them.

    Args:
      standardized: return the features standardised on the training split instead of as
        the pipeline delivers them.
      seed: seed for generating and splitting the points.

    Returns:
      A :class:`clipq_edu.data.Dataset` with 120 training and 40 test points, 2 features.
      The raw data are cached and shared, so their arrays are read-only (copy them to edit).

    Taught in chapter 07.

    >>> d = lab_data(seed=0)
    >>> d.x_train.shape, d.x_test.shape, d.x_train.flags.writeable
    ((120, 2), (40, 2), False)
    """
    check_bool("standardized", standardized)
    seed = check_seed("seed", seed, maximum=MAX_SEED_32)  # scikit-learn's limit
    raw = _raw_data(0 if seed is None else seed)
    return standardize(raw) if standardized else raw


def lab_model(seed: int = 0, *, n_qubits: int = 2, layers: int = 2,
              angle_scale: float = 1.0) -> Any:
    """The lab's hybrid classifier: features → Dense(n_qubits) angles → circuit → p.

    A linear ``Dense`` layer turns the features into one rotation angle per qubit; the
    circuit (:func:`clipq_edu.models.encoding_ansatz_circuit`, the angles re-uploaded before
    each of ``layers`` trainable ry/rz + CZ layers) returns ⟨Z₀⟩, and p = (1 + ⟨Z₀⟩)/2.

    Args:
      seed: seed for every initial weight.
      n_qubits: qubits (1..4).
      layers: circuit layers (1..4).
      angle_scale: a fixed factor between the ``Dense`` angles and the circuit (the
        ``"encoding"`` layer).

    Returns:
      An uncompiled ``tf.keras.Model`` mapping ``(batch, 2)`` features to ``(batch, 1)``
      probabilities.

    Taught in chapter 07.

    >>> lab_model(seed=0).output_shape  # doctest: +SKIP
    (None, 1)
    """
    import cirq

    from clipq_edu import models
    from clipq_edu._tf import tf

    seed = check_seed("seed", seed) or 0
    n = check_int("n_qubits", n_qubits, minimum=1, maximum=4)
    n_layers = check_int("layers", layers, minimum=1, maximum=4)
    scale = check_positive_float("angle_scale", angle_scale)
    circuit, data, weights = models.encoding_ansatz_circuit(n, n_layers, reupload=True)
    index = [int(str(s).split("_")[1]) for s in data]
    inp = tf.keras.Input(shape=(2,))
    angles = tf.keras.layers.Dense(
        n, kernel_initializer=tf.keras.initializers.GlorotUniform(seed=seed), name="angles"
    )(inp)
    angles = tf.keras.layers.Rescaling(scale, name="encoding")(angles)
    z = models.EncodedPQC(
        circuit, data, weights, [cirq.Z(cirq.LineQubit(0)) * 1.0],
        feature_index=index, seed=seed + 1, name="pqc",
    )(angles)
    p = tf.keras.layers.Rescaling(0.5, offset=0.5, name="probability")(z)
    return tf.keras.Model(inp, p, name="lab_hybrid")


def naive_bce(y_true: Any, p: Any) -> Any:
    """Cross-entropy written out by hand, −mean[y log p + (1 − y) log(1 − p)], no safeguards.

    Its slope in p is −1/p for y = 1 (and 1/(1 − p) for y = 0): unbounded as a confidently
    wrong prediction approaches 0 (or 1). Keras' ``BinaryCrossentropy`` clips p to
    [1e-7, 1 − 1e-7] instead.

    Args:
      y_true: labels in [0, 1] (0/1 for classes), a tensor or array-like.
      p: predicted probabilities, a tensor or array-like broadcastable with ``y_true``.
        Tensors (what Keras passes during training) go through unchecked, as in any
        hand-written training loss (p = 0 or 1 would give an infinite loss). Array-likes (a
        call by hand) are checked (p strictly between 0 and 1) and computed in float64.

    Returns:
      The mean loss, a scalar tensor.

    Taught in chapter 07.

    >>> round(float(naive_bce([1.0, 0.0], [0.5, 0.5])), 6)  # doctest: +SKIP
    0.693147
    """
    from clipq_edu._tf import tf

    by_hand = not (tf.is_tensor(p) and tf.is_tensor(y_true))
    if not tf.is_tensor(p):
        p = tf.constant(_check_probabilities("p", p, strict=True))
    if not tf.is_tensor(y_true):
        y_true = _check_probabilities("y_true", y_true, strict=False)
    shapes = (tuple(y_true.shape), tuple(p.shape))
    if by_hand and None not in shapes[0] + shapes[1]:
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise ValueError(f"y_true (shape {shapes[0]}) and p (shape {shapes[1]}) must have "
                             f"broadcastable shapes") from None
    y = tf.cast(y_true, p.dtype)
    return -tf.reduce_mean(y * tf.math.log(p) + (1.0 - y) * tf.math.log(1.0 - p))


def _check_probabilities(name: str, value: Any, *, strict: bool) -> np.ndarray:
    """``value`` as finite float64 in (0, 1) (``strict``) or [0, 1], else a named error."""
    arr = check_finite(name, as_float_array(name, value))
    bad = (arr <= 0) | (arr >= 1) if strict else (arr < 0) | (arr > 1)
    if bad.any():
        where = "strictly between 0 and 1" if strict else "in [0, 1]"
        raise ValueError(f"{name} must lie {where}, got {arr[bad].ravel()[0]!r}")
    return arr


naive_bce.name = "naive_binary_crossentropy"  # train() reads it to report accuracy


def loss_slope(loss: str, p: Any, y: int = 1) -> np.ndarray:
    """|dL/dp| of one example's loss at predicted probability ``p`` (closed forms).

    ``"naive_bce"``: 1/p for y = 1, 1/(1 − p) for y = 0. ``"bce"`` (tf-keras'
    ``BinaryCrossentropy``): it clips p to [1e-7, 1 − 1e-7] and then takes log(p + 1e-7), so
    its slope is 1/(q + 1e-7) with q = p (y = 1) or 1 − p (y = 0): finite, 5·10⁶ at the clip,
    and zero beyond it.
    ``"mse"``: 2|p − y|, at most 2.

    Args:
      loss: one of :data:`LOSSES`.
      p: probabilities in (0, 1) (array-like).
      y: the label, 0 or 1.

    Returns:
      The slopes, same shape as ``p``.

    Taught in chapter 07.

    >>> loss_slope("naive_bce", [0.5, 0.01]).tolist(), loss_slope("mse", [0.5, 0.01]).tolist()
    ([2.0, 100.0], [1.0, 1.98])
    """
    check_choice("loss", loss, LOSSES)
    if isinstance(y, bool) or not isinstance(y, (int, np.integer)) or y not in (0, 1):
        raise ValueError(f"y must be 0 or 1, got {y!r}")
    arr = _check_probabilities("p", p, strict=True)
    if loss == "mse":
        return 2.0 * np.abs(arr - y)
    q = arr if y == 1 else 1.0 - arr
    if loss == "naive_bce":
        return 1.0 / q
    return np.where(q < _KERAS_EPSILON, 0.0, 1.0 / (q + _KERAS_EPSILON))


def plot_loss_slopes(ax: Any = None) -> Any:
    """Plot |dL/dp| for y = 1 of cross-entropy and MSE against p (log scale); return the Axes.

    Args:
      ax: a matplotlib ``Axes`` (a new figure when ``None``).

    Taught in chapter 07.

    >>> plot_loss_slopes().get_xscale()
    'log'
    """
    import matplotlib.pyplot as plt

    if check_axes("ax", ax) is None:
        _, ax = plt.subplots(figsize=(6, 3.6))
    p = np.logspace(-4, np.log10(0.999), 300)
    ax.loglog(p, loss_slope("naive_bce", p),
              label=tr("cross-entropy: 1/p (unbounded)", "交叉熵：1/p（无界）"))
    ax.loglog(p, loss_slope("mse", p), label=tr("MSE: 2(1 − p) (at most 2)", "MSE：2(1 − p)（至多为 2）"))
    ax.set_xlabel(tr("predicted probability p of the true class (y = 1)",
                     "预测为真实类别（y = 1）的概率 p"))
    ax.set_ylabel("|dL/dp|")
    ax.set_title(tr("A confidently wrong prediction: slope of the loss",
                    "自信的错误预测：损失的斜率"))
    ax.legend()
    return ax


# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LabSettings:
    """Everything that defines one lab run (hashable, so runs are cached by it).

    Attributes:
      standardized: standardise the features on the training split (``False``: use them as
        the data pipeline delivers them).
      loss: one of :data:`LOSSES`.
      learning_rate: Adam's step size, > 0.
      clip: a clipping spec for :func:`clipq_edu.training.train` (``None``, ``("value", c)``,
        ``("norm", c)``, ``("global_norm", c)``, ``("autoclip", percentile)`` ...).
      epochs: passes over the 120 training points (1..30).
      batch_size: examples per step.
      seed: seed for the data, the initial weights and the batch order.
      angle_scale: fixed factor between the ``Dense`` angles and the circuit (1: none).
      signed_labels: how the labels are passed to the loss: ``True`` as −1/+1, ``False`` as
        0/1 (accuracy is always measured against the 0/1 classes).

    Taught in chapter 07.

    >>> s = LabSettings(clip=("global_norm", 1.0))
    >>> s.but(standardized=True).standardized, s.standardized, s == LabSettings(s.standardized,
    ...                                                                          clip=s.clip)
    (True, False, True)
    """

    standardized: bool = False
    loss: str = "naive_bce"
    learning_rate: float = 0.1
    clip: Any = None
    epochs: int = 6
    batch_size: int = 20
    seed: int = 0
    angle_scale: float = 1.0
    signed_labels: bool = False
    #: ``True`` for the delivered model (and copies of it): its repr does not show the fields.
    _sealed: bool = field(default=False, repr=False, compare=False)
    #: Fields a learner changed on a sealed copy with :meth:`but` (its repr shows them).
    _changed: tuple[str, ...] = field(default=(), repr=False, compare=False)
    #: ``True`` for the instructor's fix (:func:`healthy_run`), sealed as well.
    _reference: bool = field(default=False, repr=False, compare=False)

    def __repr__(self) -> str:
        if self._sealed:
            known = f"seed={self.seed}, clip={self.clip!r}, epochs={self.epochs}"
            known += "".join(f", {name}={getattr(self, name)!r}" for name in self._changed
                             if name not in ("seed", "clip", "epochs"))
            if self._reference:
                return tr(f"LabSettings(<the instructor's fix of the delivered model, {known}: "
                          "other fields not shown>)",
                          f"LabSettings(<教师对交付模型的修复，{known}：其余字段不显示>)")
            if set(self._changed) - {"seed", "clip", "epochs"}:
                return tr(f"LabSettings(<the delivered model as you changed it, {known}: other "
                          "fields not shown>)",
                          f"LabSettings(<经你改动后的交付模型，{known}：其余字段不显示>)")
            return tr(f"LabSettings(<the delivered model, {known}: other fields not shown; "
                      "read the telemetry>)",
                      f"LabSettings(<交付的模型，{known}：其余字段不显示；请阅读训练监控数据>)")
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)
                          if f.repr)
        return f"LabSettings({shown})"

    def __post_init__(self) -> None:
        if not isinstance(self.standardized, bool):
            raise TypeError(f"standardized must be True or False, got {self.standardized!r}")
        check_choice("loss", self.loss, LOSSES)
        check_positive_float("learning_rate", self.learning_rate)
        check_int("epochs", self.epochs, minimum=1, maximum=30)
        check_int("batch_size", self.batch_size, minimum=1, maximum=120)
        check_seed("seed", self.seed, maximum=MAX_SEED_32)
        check_positive_float("angle_scale", self.angle_scale)
        if not isinstance(self.signed_labels, bool):
            raise TypeError(f"signed_labels must be True or False, got {self.signed_labels!r}")
        try:
            hash(self.clip)
        except TypeError:
            raise TypeError(f"clip must be None or a tuple such as ('global_norm', 1.0), got "
                            f"{self.clip!r}") from None
        from clipq_edu import clipping

        clipping.from_spec(self.clip)  # a bad spec (NaN bound, unknown method) fails here

    def but(self, **changes: Any) -> LabSettings:
        """A copy with some settings changed, e.g. ``settings.but(standardized=True)``.

        On the delivered model the copy stays sealed, and its repr shows what you changed.
        """
        out = replace(self, **changes)
        if out._sealed and not out._reference:
            new = tuple(name for name, value in changes.items() if not name.startswith("_")
                        and value != getattr(self, name) and name not in self._changed)
            out = replace(out, _changed=self._changed + new)
        return out


@dataclass(frozen=True)
class LabRun:
    """One finished lab run.

    Attributes:
      settings: the :class:`LabSettings` it ran with.
      telemetry: the :class:`clipq_edu.training.Telemetry` of every step.
      test_accuracy: accuracy on the 40 held-out points (0.5 is chance here).
      train_accuracy: accuracy on the 120 training points.
    """

    settings: LabSettings
    telemetry: Any = field(repr=False)
    test_accuracy: float
    train_accuracy: float


def _freeze(telemetry: Any) -> Any:
    """Make a cached run's telemetry read-only in place: arrays, dicts and lists of its fields."""
    import dataclasses

    for f in dataclasses.fields(telemetry):
        value = getattr(telemetry, f.name)
        if isinstance(value, np.ndarray):
            _read_only(value)
        elif isinstance(value, dict):
            for v in value.values():
                if isinstance(v, np.ndarray):
                    _read_only(v)
            object.__setattr__(telemetry, f.name, types.MappingProxyType(dict(value)))
        elif isinstance(value, list):
            object.__setattr__(telemetry, f.name, tuple(value))
    return telemetry


def _tensor_labels(loss: Any) -> Any:
    """``loss`` with its labels passed as a tensor (as Keras does), so nothing checks them."""
    from clipq_edu._tf import tf

    def wrapped(y_true: Any, p: Any) -> Any:
        return loss(tf.convert_to_tensor(y_true, dtype=p.dtype), p)

    wrapped.name = getattr(loss, "name", "loss")
    return wrapped


@lru_cache(maxsize=RUN_CACHE_SIZE)
def _run_cached(settings: LabSettings) -> LabRun:
    """Train once per settings; the result is shared by every caller, so it is frozen."""
    from clipq_edu import training

    data = lab_data(settings.standardized, settings.seed)
    model = lab_model(settings.seed, angle_scale=settings.angle_scale)
    loss = naive_bce if settings.loss == "naive_bce" else settings.loss
    y_train = data.y_train
    if settings.signed_labels:  # −1/+1: the hand-written loss takes them unchecked
        y_train = 2.0 * y_train - 1.0
        loss = _tensor_labels(loss) if callable(loss) else loss
    tel = training.train(
        model, data.x_train, y_train, loss=loss, learning_rate=settings.learning_rate,
        epochs=settings.epochs, batch_size=settings.batch_size, clip=settings.clip,
        seed=settings.seed, progress=False,
    )

    def accuracy(x: np.ndarray, y: np.ndarray) -> float:
        p = np.asarray(model(x, training=False)).reshape(-1)
        return float(np.mean((p > 0.5) == (y > 0.5)))

    return LabRun(settings, _freeze(tel), accuracy(data.x_test, data.y_test),
                  accuracy(data.x_train, data.y_train))


def cache_info() -> dict[str, Any]:
    """How full the lab's caches are: ``{"runs": ..., "data": ...}``.

    Each value is a ``functools`` ``CacheInfo(hits, misses, maxsize, currsize)``: at most
    :data:`RUN_CACHE_SIZE` trained runs (:func:`run_lab`) and :data:`DATA_CACHE_SIZE` raw data
    sets (:func:`lab_data`) are kept, the least recently used dropped first, so re-running a
    cell is instant and memory stays bounded.

    Taught in chapter 07.

    >>> info = cache_info()
    >>> info["runs"].maxsize == RUN_CACHE_SIZE, info["data"].maxsize == DATA_CACHE_SIZE
    (True, True)
    """
    return {"runs": _run_cached.cache_info(), "data": _raw_data.cache_info()}


def run_lab(settings: LabSettings | None = None, **changes: Any) -> LabRun:
    """Train the lab model with ``settings`` (default: the misbehaving baseline); cached.

    Args:
      settings: a :class:`LabSettings` (``None``: ``LabSettings()``, the baseline).
      **changes: fields to change on top, e.g. ``run_lab(standardized=True)``.

    Returns:
      A :class:`LabRun`. The same settings return the same cached object (the
      :data:`RUN_CACHE_SIZE` most recently used runs are kept); its telemetry is read-only
      (arrays, ``metrics`` and ``extra``), so no caller can change what another one sees.

    Taught in chapter 07.

    >>> run = run_lab(standardized=True)  # doctest: +SKIP
    >>> run.test_accuracy > 0.8, run is run_lab(standardized=True)  # doctest: +SKIP
    (True, True)
    """
    if settings is None:
        settings = LabSettings()
    if not isinstance(settings, LabSettings):
        raise TypeError(f"settings must be a LabSettings, got {type(settings).__name__}")
    if changes:
        settings = settings.but(**changes)
    return _run_cached(settings)


# --------------------------------------------------------------------------------------------
# The mystery: one fault per seed
# --------------------------------------------------------------------------------------------
#: The environment variable an instructor sets per student or group to pick the fault.
SEED_ENV = "CLIPQ_EDU_LAB_SEED"
#: What a fix must reach: mean test accuracy over :data:`HELD_OUT_SEEDS`, without relying on
#: clipping.
TARGET_ACCURACY = 0.8
#: Seeds a fix is judged on (data, initial weights and batches the notebook never shows).
HELD_OUT_SEEDS = (5, 6, 7)
_HEALTHY = dict(standardized=True, loss="mse")
#: The faults a delivered model can carry: name -> the settings it arrives with (seed 0).
#: ``"units"`` (the default) is the chapter's stored story.
FAULTS: dict[str, LabSettings] = {
    "units": LabSettings(),
    "learning_rate": LabSettings(**_HEALTHY, learning_rate=3.0),
    "wrap": LabSettings(**_HEALTHY, angle_scale=30.0),
    "labels": LabSettings(standardized=True, signed_labels=True),
}
_REFERENCE_FIXES: dict[str, dict[str, Any]] = {
    "units": {"standardized": True, "epochs": 8},
    "learning_rate": {"learning_rate": 0.1},
    "wrap": {"angle_scale": 1.0},
    "labels": {"signed_labels": False},
}


def fault_name(seed: int | None = None) -> str:
    """The fault the lab model carries for ``seed`` (an instructor's tool).

    Args:
      seed: the lab seed; ``None`` reads the environment variable :data:`SEED_ENV`, and when
        that is unset (or empty) the fault is ``"units"``, the chapter's stored story. Any
        explicit seed draws one of :data:`FAULTS` with a seeded generator, so each seed always
        names the same fault.

    Returns:
      A key of :data:`FAULTS`.

    Taught in chapter 07 (the instructor guide, docs/capstone.md, lists seeds per fault).

    >>> fault_name(None) if not __import__("os").environ.get(SEED_ENV) else "units"
    'units'
    >>> fault_name(3) == fault_name(3)
    True
    """
    if seed is None:
        import os

        text = os.environ.get(SEED_ENV, "").strip()
        if not text:
            return "units"
        try:
            seed = int(text)
        except ValueError:
            raise ValueError(f"{SEED_ENV} must be a whole number, got {text!r}") from None
    seed = check_seed("seed", seed, maximum=MAX_SEED_32) or 0
    names = list(FAULTS)
    return names[int(np.random.default_rng([seed, 7]).integers(len(names)))]


def delivered(seed: int | None = None) -> LabSettings:
    """The settings of the model your colleague hands over: one fault, chosen by ``seed``.

    Args:
      seed: the lab seed (``None``: :data:`SEED_ENV`, else the default fault); see
        :func:`fault_name`.

    Returns:
      A :class:`LabSettings` (data seed 0); train it with :func:`run_lab`. Its repr does not
      show its fields (the telemetry is the evidence, not the settings); it equals the
      corresponding entry of :data:`FAULTS`.

    Taught in chapter 07.

    >>> isinstance(delivered(0), LabSettings), "standardized" in repr(delivered(0))
    (True, False)
    """
    return replace(FAULTS[fault_name(seed)], _sealed=True)


def delivered_model(settings: LabSettings) -> Any:
    """The Keras model of ``settings`` (e.g. the delivered ones), untrained, as training builds it.

    Args:
      settings: a :class:`LabSettings`; its ``seed`` sets the initial weights.

    Returns:
      The uncompiled model :func:`run_lab` would train (see :func:`lab_model`).

    Taught in chapter 07.

    >>> delivered_model(delivered()).name  # doctest: +SKIP
    'lab_hybrid'
    """
    if not isinstance(settings, LabSettings):
        raise TypeError(f"settings must be a LabSettings, got {type(settings).__name__}")
    return lab_model(settings.seed, angle_scale=settings.angle_scale)


def delivered_data(settings: LabSettings) -> Dataset:
    """The data ``settings`` train on (e.g. the delivered ones), as :func:`run_lab` prepares them.

    Args:
      settings: a :class:`LabSettings`; its ``seed`` picks the points.

    Returns:
      The :class:`clipq_edu.data.Dataset` (see :func:`lab_data`; arrays read-only).

    Taught in chapter 07.

    >>> delivered_data(delivered()).x_train.shape
    (120, 2)
    """
    if not isinstance(settings, LabSettings):
        raise TypeError(f"settings must be a LabSettings, got {type(settings).__name__}")
    return lab_data(settings.standardized, settings.seed)


#: Set while an exercise check runs a learner's code: the reference fix is then refused.
_GRADING = False


class _Grading:
    """Context manager: the learner's code runs inside it, so it cannot call the reference fix."""

    def __enter__(self) -> None:
        global _GRADING
        self._before, _GRADING = _GRADING, True

    def __exit__(self, *exc: Any) -> None:
        global _GRADING
        _GRADING = self._before


def _reference_fix(settings: LabSettings) -> LabSettings:
    """The instructor's fix for a delivered model (any seed of it): the grader's reference.

    Refused (``RuntimeError``) while a check runs a learner's code. Instructor material:
    docs/capstone.md.

    >>> _reference_fix(FAULTS["wrap"]).angle_scale
    1.0
    """
    if _GRADING:
        raise RuntimeError("the reference fix is not available while your fix is checked: "
                           "write the change your diagnosis names")
    if not isinstance(settings, LabSettings):
        raise TypeError(f"settings must be a LabSettings, got {type(settings).__name__}")
    for name, faulty in FAULTS.items():
        if settings.but(seed=0, clip=None, _sealed=False) == faulty:
            return replace(settings, **_REFERENCE_FIXES[name], _changed=(), _reference=True)
    raise ValueError(f"settings must be one of the delivered models (lab.FAULTS), got {settings!r}")


def healthy_run(settings: LabSettings, **changes: Any) -> LabRun:
    """Train the instructor's fix of a delivered model (for after the exercises); cached.

    Args:
      settings: the delivered :class:`LabSettings` (any seed).
      **changes: fields to change on top of the fix, e.g. ``clip=("global_norm", 1.0)``.

    Returns:
      The :class:`LabRun`; its settings do not show in its repr. Refused while a check runs
      a learner's code.

    Taught in chapter 07.

    >>> healthy_run(delivered()).test_accuracy > 0.8  # doctest: +SKIP
    True
    """
    return run_lab(_reference_fix(settings), **changes)


def fix_reaches_target(fixed: list[LabSettings]) -> tuple[bool, float, list[float]]:
    """Train each fixed setting; whether the mean test accuracy reaches :data:`TARGET_ACCURACY`.

    Args:
      fixed: one :class:`LabSettings` per held-out seed.

    Returns:
      ``(reached, mean, accuracies)``.

    Taught in chapter 07.

    >>> fix_reaches_target([FAULTS["wrap"].but(seed=5, angle_scale=1.0)])[0]  # doctest: +SKIP
    True
    """
    if not isinstance(fixed, (list, tuple)) or not fixed:
        raise ValueError(f"fixed must be a non-empty list of LabSettings, got {fixed!r}")
    for s in fixed:
        if not isinstance(s, LabSettings):
            raise TypeError(f"fixed must hold LabSettings, got {type(s).__name__}")
    accuracies = [run_lab(s).test_accuracy for s in fixed]
    mean = float(np.mean(accuracies))
    return mean >= TARGET_ACCURACY, mean, accuracies


# --------------------------------------------------------------------------------------------
# Diagnosis
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeedSpread:
    """One setting over several seeds: test accuracy, spike ratio (and clipped fraction) per seed."""

    accuracy: np.ndarray
    spike_ratio: np.ndarray
    #: share of steps in which clipping changed the gradient, per seed (``None``: not recorded)
    clipped_fraction: np.ndarray | None = None

    @property
    def mean(self) -> float:
        """Mean test accuracy over the seeds."""
        return float(self.accuracy.mean())

    @property
    def sd(self) -> float:
        """Standard deviation of the test accuracy over the seeds (ddof = 1)."""
        return float(self.accuracy.std(ddof=1))


class SeedTable(dict):
    """``name -> SeedSpread``; shows as one line per setting with mean ± sd."""

    def __str__(self) -> str:
        return "\n".join(
            tr(f"{pad(name, 24)} test accuracy {v.mean:.2f} ± {v.sd:.2f}, spike ratio "
               f"{v.spike_ratio.min():.1f} to {v.spike_ratio.max():.1f}",
               f"{pad(name, 24)} 测试准确率 {v.mean:.2f} ± {v.sd:.2f}，尖峰比 "
               f"{v.spike_ratio.min():.1f} 到 {v.spike_ratio.max():.1f}") + self._clipped(v)
            for name, v in self.items())

    @staticmethod
    def _clipped(v: SeedSpread) -> str:
        """The clipped-fraction range, when a clip was set and acted on some seed."""
        c = v.clipped_fraction
        if c is None or not np.any(c > 0):
            return ""
        return tr(f", clipped {c.min():.0%} to {c.max():.0%} of steps",
                  f"，被裁剪的步占 {c.min():.0%} 到 {c.max():.0%}")

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


def seed_spread(settings: dict[str, dict[str, Any]], seeds: int = 5,
                base: LabSettings | None = None) -> SeedTable:
    """Run each named setting (changes to ``base``) with seeds 0..seeds−1; cached runs.

    Args:
      settings: name → changes for :func:`run_lab`, e.g. ``{"standardised": {"standardized":
        True}}`` (``{}`` is the model as delivered).
      seeds: seeds per setting, 2..20.
      base: the settings the changes apply to (``None``: ``LabSettings()``); pass
        :func:`delivered` to experiment on the model you were handed.

    Returns:
      A :class:`SeedTable` of :class:`SeedSpread` (test accuracy, spike ratio and clipped
      fraction per seed).

    Taught in chapter 07.
    """
    seeds = check_int("seeds", seeds, minimum=2, maximum=20)
    if not isinstance(settings, dict) or not settings:
        raise ValueError("settings must be a non-empty dict name -> changes for run_lab")
    if base is None:
        base = LabSettings()
    if not isinstance(base, LabSettings):
        raise TypeError(f"base must be a LabSettings, got {type(base).__name__}")
    table = SeedTable()
    for name, changes in settings.items():
        runs = [run_lab(base, seed=s, **changes) for s in range(seeds)]
        table[name] = SeedSpread(
            np.array([r.test_accuracy for r in runs]),
            np.array([spike_ratio(r.telemetry) for r in runs]),
            np.array([r.telemetry.summary()["clipped_fraction"] for r in runs]))
    return table


def spike_ratio(telemetry: Any) -> float:
    """Largest raw gradient norm divided by the median one (finite steps only).

    A well-behaved run stays within a small factor of its median; spikes show up as a large
    ratio. (Use the median, not the mean: a few spikes drag the mean up.)

    Args:
      telemetry: a :class:`clipq_edu.training.Telemetry` (or anything with ``norm_before``).

    Returns:
      max / median of the finite ``norm_before`` values.

    Taught in chapter 07.

    >>> from types import SimpleNamespace
    >>> spike_ratio(SimpleNamespace(norm_before=[1.0, 2.0, 1.0, 20.0, float("nan")]))
    13.333333333333334
    """
    norms = as_float_array("telemetry.norm_before", getattr(telemetry, "norm_before", None))
    finite = norms[np.isfinite(norms)]
    if finite.size == 0 or np.median(finite) == 0:
        raise ValueError("telemetry has no finite, non-zero gradient norms")
    return float(finite.max() / np.median(finite))


@dataclass(frozen=True)
class Diagnosis:
    """What the telemetry of one run says (numbers plus one line of verdict each).

    Attributes:
      spike_ratio: max / median raw gradient norm.
      median_norm: median raw gradient norm.
      dominant_tensor: name of the weight tensor with the largest median gradient norm (the
        one that sets the size of the global norm).
      tensor_medians: median gradient norm per weight tensor.
      tensor_ratios: max / median per weight tensor.
      clipped_fraction: share of steps in which clipping changed the gradient.
      loss_drop: first-epoch mean loss minus last-epoch mean loss (> 0: it learned).
      test_accuracy: accuracy on the held-out points.
      findings: human-readable lines.
    """

    spike_ratio: float
    median_norm: float
    dominant_tensor: str
    tensor_medians: dict[str, float]
    tensor_ratios: dict[str, float]
    clipped_fraction: float
    loss_drop: float
    test_accuracy: float
    findings: tuple[str, ...]

    def __str__(self) -> str:
        return "\n".join(f"• {line}" for line in self.findings)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


def diagnose(run: LabRun, *, spike_threshold: float = 5.0, chance: float = 0.5) -> Diagnosis:
    """Read a run's telemetry: spikes, where they come from, clipping, and whether it learned.

    Args:
      run: a :class:`LabRun`.
      spike_threshold: a max/median ratio above this counts as spiky (> 1).
      chance: accuracy of guessing (0.5 for the balanced circles).

    Returns:
      A :class:`Diagnosis`; ``str()`` of it lists the findings.

    Taught in chapter 07.

    >>> diagnose(run_lab()).dominant_tensor  # doctest: +SKIP
    'angles/kernel'
    """
    if not isinstance(run, LabRun):
        raise TypeError(f"run must be a LabRun (from run_lab), got {type(run).__name__}")
    spike_threshold = check_positive_float("spike_threshold", spike_threshold)
    if spike_threshold <= 1:
        raise ValueError(f"spike_threshold must be > 1, got {spike_threshold!r}")
    tel = run.telemetry
    ratio = spike_ratio(tel)
    norms = tel.norm_before[np.isfinite(tel.norm_before)]
    layer = tel.layer_norms[np.all(np.isfinite(tel.layer_norms), axis=1)]
    med = np.median(layer, axis=0)
    names = [_short(n) for n in tel.weight_names]
    medians = {name: float(med[j]) for j, name in enumerate(names)}
    ratios = {name: float(layer[:, j].max() / med[j]) if med[j] > 0 else math.inf
              for j, name in enumerate(names)}
    dominant = max(medians, key=medians.get)
    summary = tel.summary()
    drop = float(tel.epoch_loss[0] - tel.epoch_loss[-1])
    final = float(tel.epoch_loss[-1])
    # the trivial predictor's loss, the baseline a loss must beat: p = 0.5 for every point
    guess = 0.25 if run.settings.loss == "mse" else math.log(2.0)
    spiky = ratio > spike_threshold
    n_test = len(lab_data(run.settings.standardized, run.settings.seed).y_test)
    se = math.sqrt(chance * (1 - chance) / n_test)  # binomial standard error at chance
    weak = run.test_accuracy < chance + 2 * se
    median, top, clipped = np.median(norms), norms.max(), summary["clipped_fraction"]
    per_tensor = tr(", ", "，").join(f"{name} {m:.3g}" for name, m in medians.items())
    losses = np.asarray(tel.loss, dtype=float)
    bad_loss = int(np.sum(~np.isfinite(losses)))
    low = float(losses[np.isfinite(losses)].min()) if bad_loss < losses.size else math.nan
    lines = [
        tr(f"gradient norm: median {median:.3g}, max {top:.3g} "
           f"({ratio:.1f}x the median: {'spiky' if spiky else 'no big spikes'})",
           f"梯度范数：中位数 {median:.3g}，最大值 {top:.3g}"
           f"（是中位数的 {ratio:.1f} 倍：{'有尖峰' if spiky else '没有大的尖峰'}）"),
        tr("median gradient norm per weight tensor: " + per_tensor,
           "各权重张量的梯度范数中位数：" + per_tensor),
        tr(f"batch loss: lowest {low:.3g}, non-finite in {bad_loss} of {len(tel.loss)} steps",
           f"批量损失：最低 {low:.3g}，{len(tel.loss)} 步中有 {bad_loss} 步为非有限值"),
        tr(f"clipping changed the gradient in {clipped:.0%} of steps",
           f"在 {clipped:.0%} 的步中，裁剪改变了梯度"),
        tr(f"mean loss fell by {drop:.3g} from the first to the last epoch (final "
           f"{final:.3g}; always answering 0.5 gives {guess:.3g})",
           f"从第一轮到最后一轮，平均损失下降了 {drop:.3g}（最后一轮为 {final:.3g}；"
           f"始终回答 0.5 的损失为 {guess:.3g}）"),
        tr(f"test accuracy {run.test_accuracy:.2f} on {n_test} points "
           f"({'not ' if weak else ''}more than two standard errors ({2 * se:.2f}) above "
           f"chance {chance})",
           f"在 {n_test} 个点上的测试准确率为 {run.test_accuracy:.2f}"
           f"（{'没有' if weak else ''}比随机猜测 {chance} 高出两个标准误差（{2 * se:.2f}）以上）"),
    ]
    if summary["skipped_steps"]:
        skipped = len(summary["skipped_steps"])
        lines.append(tr(f"{skipped} step(s) skipped for NaN/Inf gradients",
                        f"有 {skipped} 步因梯度为 NaN/Inf 而被跳过"))
    return Diagnosis(ratio, float(np.median(norms)), dominant, medians, ratios,
                     float(summary["clipped_fraction"]), drop, run.test_accuracy, tuple(lines))


def _short(name: str) -> str:
    """'angles/kernel:0' -> 'angles/kernel' (TensorFlow appends an output index)."""
    return name.split(":")[0]


#: Column headers of :class:`ResultsTable` as shown (the row dicts keep their English keys).
_RESULT_HEADERS = {
    "run": ("run", "运行"),
    "clip": ("clip", "裁剪"),
    "spike_ratio": ("spike ratio", "尖峰比"),
    "clipped_fraction": ("clipped fraction", "被裁剪的比例"),
    "train_accuracy": ("train accuracy", "训练准确率"),
    "test_accuracy": ("test accuracy", "测试准确率"),
}


class ResultsTable(list):
    """A list of row dicts that displays as a table in the learner's language.

    The rows keep their English keys (code reads them); only the headers shown are translated.
    Jupyter shows a Markdown table, a console an aligned text table.
    """

    def _header(self, key: str) -> str:
        en, zh = _RESULT_HEADERS.get(key, (key, key))
        return tr(en, zh)

    @staticmethod
    def _cell(key: str, value: Any) -> str:
        return tr("none", "无") if key == "clip" and value == "none" else str(value)

    def _repr_markdown_(self) -> str:
        if not self:
            return tr("(no runs)", "（没有运行记录）")
        keys = list(self[0])
        lines = ["| " + " | ".join(self._header(k) for k in keys) + " |", "|" + "---|" * len(keys)]
        lines += ["| " + " | ".join(self._cell(k, row[k]) for k in keys) + " |" for row in self]
        return "\n".join(lines)

    def __str__(self) -> str:
        if not self:
            return tr("(no runs)", "（没有运行记录）")
        keys = list(self[0])
        rows = [[self._header(k) for k in keys]]
        rows += [[self._cell(k, row[k]) for k in keys] for row in self]
        widths = [max(display_width(r[j]) for r in rows) for j in range(len(keys))]
        return "\n".join(
            "  ".join(pad(text, w) for text, w in zip(r, widths, strict=True))
            .rstrip() for r in rows)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


def results_table(runs: dict[str, LabRun]) -> ResultsTable:
    """One row per named run: its settings that matter and its outcome.

    Args:
      runs: name → :class:`LabRun`.

    Returns:
      A :class:`ResultsTable` (a list of dicts, shown as a table) with ``run``, ``clip``,
      ``spike_ratio``, ``clipped_fraction``, ``train_accuracy``, ``test_accuracy``. The
      settings that define the run are not repeated (they are in ``run.settings``): in the
      capstone they would name the delivered model's fault before the learner has found it.

    Taught in chapter 07.

    >>> results_table({"baseline": run_lab()})[0]["clip"]  # doctest: +SKIP
    'none'
    """
    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs must be a non-empty dict name -> LabRun")
    rows = ResultsTable()
    for name, run in runs.items():
        if not isinstance(run, LabRun):
            raise TypeError(f"runs[{name!r}] must be a LabRun, got {type(run).__name__}")
        s = run.settings
        rows.append({
            "run": name,
            "clip": "none" if s.clip is None else str(s.clip),
            "spike_ratio": round(spike_ratio(run.telemetry), 2),
            "clipped_fraction": round(run.telemetry.summary()["clipped_fraction"], 2),
            "train_accuracy": round(run.train_accuracy, 3),
            "test_accuracy": round(run.test_accuracy, 3),
        })
    return rows


def plot_runs(runs: dict[str, LabRun], axes: Any = None) -> Any:
    """Left: raw gradient norm per step of each run (log scale); right: test accuracy bars.

    Args:
      runs: name → :class:`LabRun`.
      axes: two matplotlib ``Axes`` (a new 1x2 figure when ``None``).

    Returns:
      The matplotlib ``Figure``.

    Taught in chapter 07.

    >>> len(plot_runs({"baseline": run_lab()}).axes)  # doctest: +SKIP
    2
    """
    import matplotlib.pyplot as plt

    rows = results_table(runs)
    if axes is None:
        # the run names sit inside their bars, so no label can run into the telemetry panel
        fig, axes = plt.subplots(1, 2, figsize=(12, max(3.8, 0.45 * len(runs) + 1.8)),
                                 gridspec_kw={"width_ratios": [3, 2]}, layout="constrained")
    else:
        fig = axes[0].figure
    ax_norm, ax_acc = axes
    colours = []
    for name, run in runs.items():
        line, = ax_norm.semilogy(run.telemetry.norm_before, lw=1.2, label=name)
        colours.append(line.get_color())
    ax_norm.set_xlabel(tr("step", "步数"))
    ax_norm.set_ylabel(tr("raw global gradient norm", "原始全局梯度范数"))
    ax_norm.set_title(tr("Gradient telemetry", "训练监控：梯度范数"))
    ax_norm.legend(fontsize="small")
    positions = np.arange(len(rows))
    ax_acc.barh(positions, [r["test_accuracy"] for r in rows], color=colours, alpha=0.35)
    for y, row in zip(positions, rows, strict=True):  # the run's name inside its bar: no tick labels
        ax_acc.text(0.02, y, f"{row['run']}{tr(': ', '：')}{row['test_accuracy']:.2f}", va="center",
                    ha="left", fontsize="small")
    ax_acc.set_yticks([])
    ax_acc.axvline(0.5, color="k", ls=":", lw=0.8)
    ax_acc.set_xlim(0, 1)
    ax_acc.set_ylim(len(rows) - 0.5, -0.5)
    ax_acc.set_xlabel(tr("test accuracy", "测试准确率"))
    ax_acc.set_title(tr("Did it learn? (dotted: chance 0.5)", "学到东西了吗？（点线：随机猜测 0.5）"))
    return fig
