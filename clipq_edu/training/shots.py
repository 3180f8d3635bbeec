"""Training a circuit from measurement counts: small pieces, each passed in.

What the source article's imaginary ``QuantumAdam.update(counts)`` was reaching for, built
from the library's one home for each calculation:

* :class:`ShotEstimator` estimates the loss gradient from shots with THE parameter-shift rule
  (:func:`clipq_edu.quantum.gradients.parameter_shift_gradient` with ``shots=``) and the loss
  with THE shot expectation (:func:`clipq_edu.quantum.sampling.sample_expectation`); it owns
  the seeded random stream, nothing else.
* :class:`ShotBasedOptimizer` clips a gradient with a :class:`~clipq_edu.clipping.Clipper`,
  applies the non-finite policy, and takes one step of an
  :class:`~clipq_edu.training.optim.Optimizer` (THE Adam by default,
  ``optim.optimizer("adam")``) with an explicit state.
* :func:`train_circuit_from_shots` runs the two in a loop and records the telemetry.

Seeded: same seed, same trajectory, in any process. Taught in chapter 04.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
from clipq_edu.i18n import tr
from clipq_edu.training import optim
from clipq_edu.training.loop import ClipSpec, NonFiniteGradientError, describe_clip
from clipq_edu.training.optim import ADAM_EPS, Optimizer
from clipq_edu.training.telemetry import Telemetry, TelemetryRecorder

__all__ = [
    "NONFINITE_SHOT_POLICIES",
    "ShotBasedOptimizer",
    "ShotEstimator",
    "ShotTrainingResult",
    "train_circuit_from_shots",
]

#: What :class:`ShotBasedOptimizer` does with a NaN/Inf gradient.
NONFINITE_SHOT_POLICIES = ("raise", "skip")


def _check_target(target: Any) -> float | None:
    if target is None:
        return None
    return float(check_finite("target", as_float_array("target", target, ndim=0)))


# --------------------------------------------------------------------------------------------
# Estimation: the seeded stream, THE shift rule and THE shot expectation
# --------------------------------------------------------------------------------------------
class ShotEstimator:
    """Estimate a circuit's loss, its gradient and ⟨O⟩ from shots, from one seeded stream.

    The loss is ⟨O⟩ (minimised) when ``target`` is ``None``, else (⟨O⟩ − target)². Each call
    draws two seeds from ``np.random.default_rng(seed)``: one for the gradient of ⟨O⟩
    (``gradient``, THE parameter-shift rule with ``shots`` shots per evaluation and Pauli
    term: 2P circuit evaluations) and one for ⟨O⟩ itself (``expectation``, THE shot
    expectation), so the two estimates are independent and the chain rule
    ∂L/∂θ = 2(⟨O⟩ − target)·∂⟨O⟩/∂θ stays unbiased. Cost per call: 2P + 1 evaluations.

    Args:
      shots: measurements per Pauli term per circuit evaluation, a positive integer.
      seed: seed of the stream (``None``: fresh entropy).
      gradient: ``gradient(circuit, symbols, values, observable, shots=, seed=, backend=)``;
        default :func:`clipq_edu.quantum.gradients.parameter_shift_gradient`.
      expectation: ``expectation(circuit, observable, shots, symbols, values, seed=,
        backend=)``; default :func:`clipq_edu.quantum.sampling.sample_expectation`.
      backend: ``"cirq"`` (default, no TensorFlow) or ``"tfq"`` for the exact expectations.

    Taught in chapter 04.

    >>> import cirq, sympy
    >>> q, a = cirq.LineQubit(0), sympy.Symbol("a")
    >>> est = ShotEstimator(shots=1000, seed=0)
    >>> grad, loss, value = est(cirq.Circuit(cirq.ry(a)(q)), [a], [0.0], cirq.Z(q))
    >>> grad.shape, value        # ⟨Z⟩ = cos 0 = 1 exactly: every shot gives +1
    ((1,), 1.0)
    """

    def __init__(
        self,
        shots: int = 1000,
        seed: int | None = 0,
        *,
        gradient: Callable[..., Any] | None = None,
        expectation: Callable[..., Any] | None = None,
        backend: str = "cirq",
    ) -> None:
        self.shots = check_shots("shots", shots)
        self.seed = check_seed("seed", seed)
        self.backend = check_choice("backend", backend, ("cirq", "tfq"))
        for name, fn in (("gradient", gradient), ("expectation", expectation)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{name} must be callable or None, got {fn!r}")
        self._gradient = gradient
        self._expectation = expectation
        self.rng = np.random.default_rng(self.seed)

    def reset(self) -> None:
        """Restart the random stream from ``seed``."""
        self.rng = np.random.default_rng(self.seed)

    def __call__(
        self,
        circuit: Any,
        symbols: Sequence[Any],
        params: Any,
        observable: Any,
        *,
        target: float | None = None,
    ) -> tuple[np.ndarray, float, float]:
        """Return ``(gradient (P,), loss, expectation)`` estimated from shots at ``params``."""
        from clipq_edu.quantum.gradients import parameter_shift_gradient  # loads Cirq
        from clipq_edu.quantum.sampling import sample_expectation

        theta = check_finite("params", as_float_array("params", params, ndim=1))
        target = _check_target(target)
        gradient = self._gradient or parameter_shift_gradient
        expectation = self._expectation or sample_expectation
        seed_grad, seed_value = (int(s) for s in self.rng.integers(0, 2**63 - 1, size=2))
        grad_o = np.asarray(gradient(circuit, symbols, theta, observable, shots=self.shots,
                                     seed=seed_grad, backend=self.backend), dtype=np.float64)
        value = float(expectation(circuit, observable, self.shots, symbols, theta,
                                  seed=seed_value, backend=self.backend))
        if target is None:
            return grad_o, value, value
        return 2.0 * (value - target) * grad_o, (value - target) ** 2, value


# --------------------------------------------------------------------------------------------
# The update: a Clipper, the non-finite policy, an Optimizer
# --------------------------------------------------------------------------------------------
def _check_decay(name: str, value: Any) -> float:
    b = check_positive_float(name, value, allow_zero=True)
    if b >= 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return b


def _make_clipper(clip: ClipSpec) -> clipping.Clipper:
    clipper = clipping.from_spec(clip)  # a copy: the caller's clipper is never changed
    if isinstance(clipper, clipping.KerasClip):
        raise ValueError("clip=('keras', ...) needs a Keras optimizer; use ('value', c) etc.")
    clipper.reset()
    return clipper


class ShotBasedOptimizer:
    """Clip a (shot-estimated) gradient, then take one optimiser step; NaN/Inf never applied.

    :meth:`update` clips the gradient with the :class:`~clipq_edu.clipping.Clipper` and takes
    one step of the :class:`~clipq_edu.training.optim.Optimizer` (THE Adam by default, Kingma
    & Ba 2015, Algorithm 1)::

        g ← clip(g)
        t ← t + 1;  m ← b1·m + (1−b1)g;  v ← b2·v + (1−b2)g²
        θ ← θ − α · (m / (1−b1ᵗ)) / (√(v / (1−b2ᵗ)) + ε)

    :meth:`step` first asks the :class:`ShotEstimator` for the gradient from shots. The
    optimiser state lives in :attr:`state` (``None`` before the first step).

    Args:
      learning_rate: α, > 0.
      b1, b2: Adam's moment decay rates in [0, 1).
      eps: Adam's ε, > 0 (default 1e-7, tf.keras' Adam default; see
        :mod:`clipq_edu.training.optim`).
      clip: clipping spec (``("value", c)``, ``("norm", c)``, ``("global_norm", c)``,
        ``("autoclip", p)``, ``("agc", λ)``), a Clipper (copied), a callable, or ``None``.
      optimizer: an :class:`~clipq_edu.training.optim.Optimizer`; default
        ``optim.optimizer("adam")``. ``b1``, ``b2``, ``eps`` are passed to Adam only.
      estimator: the :class:`ShotEstimator` :meth:`step` uses; default
        ``ShotEstimator(shots, seed)``.
      shots, seed: for the default estimator (ignored when ``estimator`` is given).
      nonfinite: what a NaN/Inf gradient does: ``"raise"`` (a
        :class:`~clipq_edu.training.NonFiniteGradientError`, which is a ``ValueError``) or
        ``"skip"`` (parameters and state unchanged, counted in :attr:`skipped_steps` and
        ``last["skipped"]``).

    References:
      Kingma, Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR,
      https://arxiv.org/abs/1412.6980.

    Taught in chapter 04.

    >>> import numpy as np
    >>> opt = ShotBasedOptimizer(0.1, clip=("global_norm", 1.0), nonfinite="skip")
    >>> theta = opt.update(np.zeros(2), np.array([30.0, 40.0]))
    >>> np.round(theta, 4).tolist(), opt.last["norm_before"], opt.last["clipped"]
    ([-0.1, -0.1], 50.0, True)
    >>> opt.update(theta, np.array([np.nan, 1.0])).tolist() == theta.tolist(), opt.skipped_steps
    (True, 1)
    """

    def __init__(
        self,
        learning_rate: float = 0.1,
        *,
        b1: float = 0.9,
        b2: float = 0.999,
        eps: float = ADAM_EPS,
        clip: ClipSpec = None,
        optimizer: Optimizer | None = None,
        estimator: ShotEstimator | None = None,
        shots: int = 1000,
        seed: int | None = 0,
        nonfinite: str = "raise",
    ) -> None:
        self.nonfinite = check_choice("nonfinite", nonfinite, NONFINITE_SHOT_POLICIES)
        self.learning_rate = check_positive_float("learning_rate", learning_rate)
        self.optimizer = optim.optimizer("adam") if optimizer is None else optimizer
        if not isinstance(self.optimizer, Optimizer):
            raise TypeError(f"optimizer must be an Optimizer (e.g. optimizer('adam')), got "
                            f"{type(self.optimizer).__name__}")
        self.b1, self.b2 = _check_decay("b1", b1), _check_decay("b2", b2)
        self.eps = check_positive_float("eps", eps)
        self.clip = clip
        self._clipper = _make_clipper(clip)
        if estimator is not None and not isinstance(estimator, ShotEstimator):
            raise TypeError(f"estimator must be a ShotEstimator or None, got "
                            f"{type(estimator).__name__}")
        self.estimator = ShotEstimator(shots, seed) if estimator is None else estimator
        self.state: Any = None
        self.skipped_steps = 0
        self.last: dict[str, Any] = {}

    @property
    def clipper(self) -> clipping.Clipper:
        """The :class:`~clipq_edu.clipping.Clipper` in use (AutoClip's history lives here)."""
        return self._clipper

    def reset(self) -> None:
        """Forget the optimiser's and the clipper's state; restart the estimator's stream."""
        self.state = None
        self.skipped_steps = 0
        self.estimator.reset()
        self._clipper = _make_clipper(self.clip)

    def _hyperparameters(self) -> dict[str, float]:
        if self.optimizer.name == "adam":
            return {"learning_rate": self.learning_rate, "b1": self.b1, "b2": self.b2,
                    "eps": self.eps}
        return {"learning_rate": self.learning_rate}

    def update(self, params: Any, grads: Any) -> np.ndarray:
        """Clip ``grads`` and take one optimiser step from ``params``; return the new parameters.

        ``self.last`` records ``norm_before``, ``norm_after``, ``clipped``, ``threshold`` and
        ``skipped``. A NaN/Inf gradient is never applied (see ``nonfinite``).
        """
        theta = check_finite("params", as_float_array("params", params, ndim=1))
        g = as_float_array("grads", grads, ndim=1)
        if g.shape != theta.shape:
            raise ValueError(f"grads has shape {g.shape} but params has shape {theta.shape}")
        if not np.isfinite(g).all():
            return self._skip_nonfinite(theta, g)
        clipped, info = self._clipper(g, theta)
        if self.state is None:
            self.state = self.optimizer.init(theta)
        updates, self.state = self.optimizer.update(
            np.asarray(clipped, dtype=np.float64), self.state, **self._hyperparameters())
        self.last = {"norm_before": info.norm_before, "norm_after": info.norm_after,
                     "clipped": info.clipped, "threshold": info.threshold, "skipped": False}
        return theta + updates

    def _skip_nonfinite(self, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        """The non-finite policy: raise, or keep ``theta`` and count the skipped step."""
        if self.nonfinite == "raise":
            bad = int((~np.isfinite(g)).sum())
            raise NonFiniteGradientError(
                f"grads holds {bad} NaN/Inf value(s) ({g.tolist()}); nothing was applied. "
                f"Pass nonfinite='skip' to skip such steps"
            )
        self.skipped_steps += 1
        self.last = {"norm_before": clipping.global_norm(g), "norm_after": math.nan,
                     "clipped": False, "threshold": math.nan, "skipped": True}
        return theta.copy()

    def step(
        self,
        circuit: Any,
        symbols: Sequence[Any],
        params: Any,
        observable: Any,
        *,
        target: float | None = None,
    ) -> np.ndarray:
        """Estimate the gradient from shots (:attr:`estimator`), then :meth:`update`.

        ``self.last`` also records the estimated ``loss`` and ``expectation``.
        """
        grad, loss, value = self.estimator(circuit, symbols, params, observable, target=target)
        new = self.update(params, grad)
        self.last["loss"] = loss
        self.last["expectation"] = value
        return new


# --------------------------------------------------------------------------------------------
# The loop
# --------------------------------------------------------------------------------------------
@dataclass
class ShotTrainingResult(Telemetry):
    """Trajectory of :func:`train_circuit_from_shots`: a :class:`Telemetry` plus parameters.

    Attributes (besides the :class:`Telemetry` columns, one row a step):
      params: ``(steps + 1, P)`` parameters, starting with ``init``.
      exact_loss: ``(steps + 1,)`` loss computed exactly (no shots) along the trajectory.

    ``loss`` is the loss estimated from shots at each step's start.
    """

    params: Any = None
    exact_loss: Any = None

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("params", "exact_loss"):
            arr = np.array(getattr(self, name), dtype=np.float64)
            arr.setflags(write=False)
            setattr(self, name, arr)

    def plot(self, ax: Any = None) -> Any:
        """Plot the shot-estimated and exact loss per step; return the ``Axes``."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(self.loss, lw=1, alpha=0.7, label=tr("loss from shots", "由测量结果估计的损失"))
        ax.plot(self.exact_loss, lw=1.5, label=tr("exact loss", "精确损失"))
        ax.set_xlabel(tr("step", "步数"))
        ax.set_ylabel(tr("loss", "损失"))
        ax.set_title(tr("Training a circuit from measured counts", "用测量计数训练线路"))
        ax.legend()
        return ax


def _exact_loss(circuit: Any, names: list[str], params: np.ndarray, psum: Any,
                target: float | None) -> np.ndarray:
    """The loss along the trajectory from THE simulator (Cirq backend), term by term."""
    import cirq

    from clipq_edu.quantum.simulate import expectation

    terms = list(psum)
    coeffs = np.array([complex(t.coefficient).real for t in terms])
    per_term = np.ones((len(params), len(terms)))  # identity terms: exactly 1
    idx = [k for k, t in enumerate(terms) if len(t)]
    if idx:
        unit = [cirq.PauliString(dict(terms[k].items())) for k in idx]
        per_term[:, idx] = np.asarray(expectation(circuit, unit, symbols=names, values=params,
                                                  backend="cirq")).reshape(len(params), len(idx))
    exact_o = per_term @ coeffs
    return exact_o if target is None else (exact_o - target) ** 2


def _prepare_problem(circuit: Any, symbols: Any, observable: Any, init: Any
                     ) -> tuple[Any, list[str], Any, np.ndarray]:
    """Check the circuit, symbols, observable and ``init`` with the quantum package's checks."""
    from clipq_edu.quantum._core import (
        check_resolvable,
        prepare_circuit,
        prepare_observables,
        symbol_names,
    )

    circ = prepare_circuit(circuit)
    sums, single = prepare_observables(circ, observable)
    if not single:
        raise TypeError(f"observable must be ONE cirq.PauliSum or PauliString, got a list of "
                        f"{len(sums)}")
    names = symbol_names("symbols", symbols)
    if not names:
        raise ValueError("symbols is empty: a circuit without parameters has no gradient")
    theta = check_finite("init", as_float_array("init", init, ndim=1))
    if len(theta) != len(names):
        raise ValueError(f"init must have {len(names)} entries (one per symbol), got "
                         f"{len(theta)}")
    check_resolvable(circ, names)
    return circ, names, sums[0], theta


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
    nonfinite: str = "raise",
    grad_hook: Callable[[int, np.ndarray], Any] | None = None,
) -> ShotTrainingResult:
    """Train a circuit's parameters from shots: :class:`ShotEstimator` + :class:`ShotBasedOptimizer`.

    Args:
      circuit: a Cirq circuit whose symbols are all in ``symbols`` (any gate
        :func:`~clipq_edu.quantum.gradients.parameter_shift_gradient` supports).
      symbols: the symbols, in the order of ``init``.
      observable: ``cirq.PauliSum`` / ``PauliString``.
      target: desired ⟨O⟩ (squared loss), or ``None`` to minimise ⟨O⟩.
      init: initial parameters ``(P,)``.
      steps: optimisation steps, >= 1.
      shots: shots per Pauli term per circuit evaluation.
      clip: clipping spec for the estimated gradient.
      seed: seed for every shot draw.
      learning_rate: Adam's step size.
      nonfinite: ``"raise"`` or ``"skip"`` (a skipped step keeps the parameters and is
        marked in ``skipped``).
      grad_hook: optional ``hook(step, grad) -> grad`` applied to each estimated gradient
        (to inject faults when teaching).

    Returns:
      A :class:`ShotTrainingResult` (a :class:`Telemetry` with ``params`` and
      ``exact_loss``).

    Taught in chapter 04.
    """
    steps = check_int("steps", steps, minimum=1, maximum=100_000)
    target = _check_target(target)
    opt = ShotBasedOptimizer(learning_rate, clip=clip, nonfinite=nonfinite,
                             estimator=ShotEstimator(shots, seed))
    if grad_hook is not None and not callable(grad_hook):
        raise TypeError(f"grad_hook must be callable(step, grad) -> grad, got {grad_hook!r}")
    circuit, names, psum, theta = _prepare_problem(circuit, symbols, observable, init)
    traj = [theta]
    rec = TelemetryRecorder(clip=describe_clip(clip))
    for k in range(steps):
        grad, loss, _ = opt.estimator(circuit, names, theta, psum, target=target)
        if grad_hook is not None:
            grad = grad_hook(k, grad.copy())
        theta = opt.update(theta, grad)
        traj.append(theta)
        last = opt.last
        rec.record(loss, norm_before=last["norm_before"], norm_after=last["norm_after"],
                   clipped=last["clipped"], skipped=last["skipped"],
                   threshold=last["threshold"])
    tel = rec.finish()
    params = np.array(traj)
    return ShotTrainingResult(
        **{name: getattr(tel, name) for name in ("loss", "norm_before", "norm_after",
                                                 "clipped", "skipped", "threshold", "epoch",
                                                 "clip", "epoch_loss")},
        params=params, exact_loss=_exact_loss(circuit, names, params, psum, target),
    )
