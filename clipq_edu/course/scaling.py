"""Does clipping rescue badly scaled inputs? A controlled experiment over seeds (chapter 03c).

The model is the smallest hybrid one: a trainable classical weight feeds a rotation angle,
``θ = w·(s·x) + b``, and the qubit's ``⟨Z⟩ = cos θ`` is the prediction (labels ±1, squared
error). ``s`` is the input scale: ``s = 1`` for standardised features, ``s = 30`` for features
left 30x too large. The gradient is exact (a single rotation, so the parameter-shift rule and
the formula agree) and the loop is NumPy, so every condition runs over several seeds in well
under a second.

The controls the question needs (one factor changed at a time, same seeds, same data):

* the optimiser: plain SGD, where a norm clip shortens the step, and Adam, whose step length
  is set by its learning rate: a clip active on every step turns it into Adam on unit-norm
  gradients (steps no shorter, weighted differently), one active on some steps shortens those;
* clipping off and on (global norm);
* the learning rate: the chapter's value, and for scaled inputs that value divided by ``s²``
  (SGD) or ``s`` (Adam), the factor each optimiser needs;
* the reparametrisation itself: with ``u = s·w`` the scaled model *is* the standardised one,
  so drawing the initial ``w`` and dividing it by ``s`` and scaling ``w``'s learning rate by
  ``1/s²`` (SGD: the gradient in ``w`` is ``s`` times the one in ``u``, and so is the step's
  effect) or ``1/s`` (Adam: its step length does not depend on the gradient's scale) makes the
  scaled run follow the standardised run step for step; ``b``'s rate stays as it is;
* several seeds, a test set of its own, and the spread over seeds reported beside each mean.

Taught in chapter 03c (and used again in 06 and 07).

>>> r = scaling_run(scale=1.0, optimizer="sgd", clip=None, seed=0)
>>> bool(r.metrics["test_accuracy"] > 0.9), r.steps
(True, 300)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from clipq_edu import clipping
from clipq_edu._validate import check_choice, check_int, check_positive_float, check_seed
from clipq_edu.course import _angle_model
from clipq_edu.i18n import pad, tr
from clipq_edu.training import optim
from clipq_edu.training.loop import describe_clip
from clipq_edu.training.telemetry import Telemetry, TelemetryRecorder

__all__ = ["Condition", "ScalingTable", "matched_rate_factor", "scaling_run", "scaling_table"]

#: The optimisers compared (:func:`clipq_edu.training.optim.optimizer` builds each).
OPTIMIZERS = ("sgd", "adam")
#: Largest input scale and learning rate accepted (beyond it the angles wrap so fast that
#: float64 loses the phase, and a typo such as 1e300 would give NaN).
MAX_SCALE = 1e3
LEARNING_RATES = {"sgd": 0.5, "adam": 0.05}
#: The power of ``s`` by which each optimiser's learning rate must shrink when the inputs grow
#: by ``s`` (SGD: the gradient grows by ``s`` and so does the step's effect; Adam: only the
#: step's effect, its length being set by the learning rate).
RATE_POWERS = {"sgd": 2, "adam": 1}


def matched_rate_factor(scale: float, optimizer: str) -> float:
    """The factor for ``w``'s learning rate that undoes an input scale ``s``: 1/s² or 1/s.

    With inputs ``s·x`` and ``u = s·w``, a step of size ``η`` in ``w`` moves ``u`` by ``s``
    times as much; SGD's gradient in ``w`` is also ``s`` times larger, so SGD needs
    ``η/s²``, while Adam's step length does not depend on the gradient's scale and needs
    ``η/s``.

    Args:
      scale: the input scale s, > 0.
      optimizer: ``"sgd"`` or ``"adam"``.

    Returns:
      ``s**-2`` for SGD, ``s**-1`` for Adam.

    Taught in chapter 03c.

    >>> matched_rate_factor(10.0, "sgd"), matched_rate_factor(10.0, "adam")
    (0.01, 0.1)
    """
    scale = check_positive_float("scale", scale, maximum=MAX_SCALE)
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    return float(scale) ** -RATE_POWERS[optimizer]


def scaling_run(
    scale: float = 1.0,
    optimizer: str = "sgd",
    clip: float | None = None,
    learning_rate: float | None = None,
    *,
    init_divisor: float = 1.0,
    w_rate_factor: float = 1.0,
    n_steps: int = 300,
    n_train: int = 200,
    n_test: int = 2000,
    seed: int | None = 0,
) -> Telemetry:
    """Train ``⟨Z⟩ = cos(w·s·x + b)`` once; return its telemetry and test accuracy.

    Args:
      scale: input scale s, > 0 and at most :data:`MAX_SCALE` (1 = standardised).
      optimizer: ``"sgd"`` or ``"adam"``.
      clip: global-norm bound c > 0 for (∂w, ∂b), or ``None``.
      learning_rate: > 0 and at most :data:`MAX_SCALE`; ``None`` takes 0.5 for SGD and 0.05
        for Adam.
      init_divisor: the initial ``w`` (uniform in [-1, 1]) is divided by this, > 0 (``scale``
        undoes the input scale at the start).
      w_rate_factor: ``w``'s learning rate is ``learning_rate`` times this, > 0; ``b``'s is
        ``learning_rate`` (:func:`matched_rate_factor` undoes the input scale for the steps).
      n_steps: full-batch steps, >= 1.
      n_train: training points, >= 2.
      n_test: independent test points, >= 2.
      seed: seed of the data and of the initial (w, b), uniform in [-1, 1] (before
        ``init_divisor``).

    Returns:
      A :class:`~clipq_edu.training.telemetry.Telemetry`: ``loss`` is the full-batch training
      loss before each step, ``norm_before``/``norm_after``/``clipped`` what the clip did
      (``summary()["clipped_fraction"]`` is the share of steps it fired), and
      ``metrics["test_accuracy"]`` the accuracy on the test set.

    Taught in chapter 03c.
    """
    scale = check_positive_float("scale", scale, maximum=MAX_SCALE)
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    lr = LEARNING_RATES[optimizer] if learning_rate is None else \
        check_positive_float("learning_rate", learning_rate, maximum=MAX_SCALE)
    clipper = clipping.from_spec(None if clip is None
                                 else ("global_norm", check_positive_float("clip", clip)))
    init_divisor = check_positive_float("init_divisor", init_divisor, maximum=MAX_SCALE)
    rates = np.array([check_positive_float("w_rate_factor", w_rate_factor, maximum=MAX_SCALE), 1.0])
    n_steps = check_int("n_steps", n_steps, minimum=1, maximum=100_000)
    rng = np.random.default_rng(check_seed("seed", seed))
    n_train = check_int("n_train", n_train, minimum=2, maximum=1_000_000)
    n_test = check_int("n_test", n_test, minimum=2, maximum=1_000_000)
    x, y = _angle_model.data(n_train, scale, rng)
    x_test, y_test = _angle_model.data(n_test, scale, rng)
    p = rng.uniform(-1.0, 1.0, size=2) / np.array([init_divisor, 1.0])
    opt = optim.optimizer(optimizer)
    state = opt.init(p)
    rec = TelemetryRecorder(clip=describe_clip(None if clip is None else ("global_norm", clip)))
    for _ in range(n_steps):
        loss, g = _angle_model.loss_and_grad(p, x, y)
        g, info = clipper(g)
        rec.record(loss, info)
        update, state = opt.update(g, state, learning_rate=lr)
        p = p + update * rates  # per-parameter learning rates: w's scaled, b's as given
    accuracy = float(np.mean(np.sign(np.cos(p[0] * x_test + p[1])) == y_test))
    return rec.finish(metrics={"test_accuracy": accuracy})


@dataclass(frozen=True)
class Condition:
    """One row of the experiment: what was changed, and the test accuracy over seeds."""

    scale: float
    optimizer: str
    clip: float | None
    learning_rate: float
    accuracies: tuple[float, ...]
    clipped_fraction: float
    #: The initial ``w`` was divided by this (1: drawn as for standardised inputs).
    init_divisor: float = 1.0
    #: ``w``'s learning rate was ``learning_rate`` times this (``b``'s was ``learning_rate``).
    w_rate_factor: float = 1.0

    @property
    def mean(self) -> float:
        """Mean test accuracy over the seeds."""
        return float(np.mean(self.accuracies))

    @property
    def sd(self) -> float:
        """Standard deviation of the test accuracy over the seeds (ddof = 1)."""
        return float(np.std(self.accuracies, ddof=1))

    @property
    def matched(self) -> bool:
        """True when init and ``w``'s rate undo the input scale (the standardised run, reparametrised)."""
        return (self.scale != 1.0 and self.init_divisor == self.scale
                and self.w_rate_factor == matched_rate_factor(self.scale, self.optimizer))

    def _describe(self, clip_off: str, clip_on: str) -> str:
        clip = clip_off if self.clip is None else clip_on.format(self.clip)
        text = f"s={self.scale:g} {self.optimizer} {clip} lr={self.learning_rate:.3g}"
        if self.init_divisor != 1.0:
            text += f" w0/{self.init_divisor:g}"
        if self.w_rate_factor != 1.0:
            text += f" lr_w×{self.w_rate_factor:.3g}"
        return text

    @property
    def label(self) -> str:
        """A short description, e.g. ``"s=30 sgd clip=1 lr=0.000556 w0/30"``."""
        return self._describe("clip=off", "clip={:g}")

    @property
    def shown_label(self) -> str:
        """:attr:`label` in the learner's language (as the printed table shows it)."""
        return self._describe(tr("clip=off", "不裁剪"), tr("clip={:g}", "裁剪={:g}"))


class ScalingTable(list):
    """The conditions of :func:`scaling_table`; prints as a table of mean ± sd."""

    def find(self, **match: Any) -> Condition:
        """The one condition whose fields equal ``match`` (e.g. ``scale=30, clip=None``)."""
        hits = [c for c in self if all(getattr(c, k) == v for k, v in match.items())]
        if len(hits) != 1:
            raise ValueError(f"match {match!r} selects {len(hits)} conditions, expected 1")
        return hits[0]

    def __str__(self) -> str:
        # pad by display width: a Chinese character takes two columns
        rows = [f"{pad(tr('condition', '条件'), 50)} "
                f"{pad(tr('test accuracy (mean ± sd)', '测试准确率（均值±标准差）'), 26, right=True)} "
                f"{pad(tr('clipped', '被裁剪'), 8, right=True)}"]
        rows += [f"{pad(c.shown_label, 50)} {c.mean:>18.3f} ± {c.sd:.3f} {c.clipped_fraction:>8.0%}"
                 for c in self]
        return "\n".join(rows)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


def scaling_table(
    scales: tuple[float, ...] = (1.0, 30.0),
    clip: float = 1.0,
    seeds: int = 5,
    **kwargs: Any,
) -> ScalingTable:
    """Every control of the input-scale question, over ``seeds`` seeds (0, 1, ...).

    For each scale, optimiser (SGD, Adam) and clipping (off, global norm ``clip``): the
    default learning rate; for each scale s above 1 also (i) every learning rate times
    :func:`matched_rate_factor` (1/s² for SGD, 1/s for Adam), (ii) that and the initial ``w``
    divided by s, and (iii) the matched reparametrisation: initial ``w`` divided by s and only
    ``w``'s rate times the factor, which makes the run the standardised one in the variable
    ``u = s·w``.

    Args:
      scales: input scales to compare, each > 0 and at most :data:`MAX_SCALE`.
      clip: the global-norm bound used when clipping is on, > 0.
      seeds: number of seeds, 2..50.
      **kwargs: passed to :func:`scaling_run` (``n_steps``, ``n_train``, ``n_test``).

    Returns:
      A :class:`ScalingTable` of :class:`Condition` rows.

    Taught in chapter 03c.
    """
    seeds = check_int("seeds", seeds, minimum=2, maximum=50)
    clip = check_positive_float("clip", clip)
    if isinstance(scales, (str, bytes, dict)) or not np.iterable(scales):
        raise TypeError(f"scales must be a sequence of input scales, got {scales!r:.80}")
    scales = [check_positive_float(f"scales[{i}]", s, maximum=MAX_SCALE)
              for i, s in enumerate(scales)]
    table = ScalingTable()
    for scale in scales:
        for optimizer in OPTIMIZERS:
            lr, f = LEARNING_RATES[optimizer], matched_rate_factor(scale, optimizer)
            # (learning rate, init divisor, w's rate factor)
            settings = [(lr, 1.0, 1.0)]
            if scale > 1:
                settings += [(lr * f, 1.0, 1.0), (lr * f, scale, 1.0), (lr, scale, f)]
            for rate, divisor, factor in settings:
                for c in (None, clip):
                    runs = [scaling_run(scale, optimizer, c, rate, init_divisor=divisor,
                                        w_rate_factor=factor, seed=k, **kwargs)
                            for k in range(seeds)]
                    table.append(Condition(
                        float(scale), optimizer, c, rate,
                        tuple(r.metrics["test_accuracy"] for r in runs),
                        float(np.mean([r.summary()["clipped_fraction"] for r in runs])),
                        divisor, factor))
    return table
