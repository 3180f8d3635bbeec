"""Training a circuit from measurement counts: shot estimates and a clipped, seeded Adam.

:class:`ShotBasedOptimizer` and :func:`train_circuit_from_shots` do what the source article's
imaginary ``QuantumAdam.update(counts)`` was reaching for: parameter-shift gradients
estimated from measurement counts, clipped by any :class:`~clipq_edu.clipping.Clipper`,
then one step of THE Adam (:func:`clipq_edu.training.optim.adam_update`) with an explicit
state. Seeded: same seed, same trajectory, in any process.

Taught in chapter 04.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
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
from clipq_edu.training.loop import ClipSpec, NonFiniteGradientError, describe_clip
from clipq_edu.training.optim import ADAM_EPS, AdamState, adam_init, adam_update
from clipq_edu.training.telemetry import Telemetry, TelemetryRecorder

__all__ = [
    "ShotBasedOptimizer",
    "ShotTrainingResult",
    "shot_expectation",
    "shot_parameter_shift",
    "train_circuit_from_shots",
]

_SHIFT_GATES = ("Rx", "Ry", "Rz")


def _as_symbols(symbols: Any) -> list[Any]:
    """``symbols`` as a list of sympy symbols (names or symbols accepted)."""
    import sympy

    if isinstance(symbols, (str, bytes)) or not isinstance(symbols, Iterable):
        raise TypeError(f"symbols must be a list of sympy symbols or names, got "
                        f"{type(symbols).__name__}")
    return [sympy.Symbol(str(s)) for s in symbols]


def _check_circuit(circuit: Any) -> None:
    import cirq

    if not isinstance(circuit, cirq.Circuit):
        raise TypeError(f"circuit must be a cirq.Circuit, got {type(circuit).__name__}")


def _check_symbols(circuit: Any, symbols: Sequence[Any]) -> list[Any]:
    """Check ``symbols`` are exactly the circuit's symbols; return them as sympy symbols."""
    import cirq

    _check_circuit(circuit)
    syms = _as_symbols(symbols)
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
    """⟨P_k⟩ for every parameter row ``(rows, terms)``, exact (the simulator's Cirq backend)."""
    import cirq

    from clipq_edu.quantum.simulate import expectation

    out = np.ones((len(values), len(terms)))  # identity terms: exactly 1
    idx = [k for k, t in enumerate(terms) if len(t)]
    if idx:
        unit = [cirq.PauliString(dict(terms[k].items())) for k in idx]
        out[:, idx] = np.asarray(expectation(circuit, unit, symbols=syms, values=values,
                                             backend="cirq")).reshape(len(values), len(idx))
    return out


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
    cₖ²(1 − ⟨P⟩²)/N. Exact expectations come from
    :func:`clipq_edu.quantum.simulate.expectation` (Cirq backend), the draws from THE
    sampler, :func:`clipq_edu.quantum.sampling.sample_pauli_means` (seeded; identity terms
    are not drawn).

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

    shots = check_shots("shots", shots)
    seed = check_seed("seed", seed)
    _check_circuit(circuit)
    syms = _as_symbols(symbols)
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
    from clipq_edu.quantum.sampling import sample_pauli_means  # THE sampler (loads Cirq)

    means, counts = sample_pauli_means(exact, shots, seed=seed, identity=identity[None, :],
                                       return_counts=True)
    est = (coeffs * means).sum(axis=1)
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
    The shifted rows and their combination are THE rule of
    :mod:`clipq_edu.quantum.gradients` (:func:`~clipq_edu.quantum.gradients.shifted_parameters`,
    :func:`~clipq_edu.quantum.gradients.combine_shifted`). Cost: 2P + 1 circuit evaluations;
    each of the 2P shifted expectations and the unshifted one is estimated by
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
    from clipq_edu.quantum.gradients import combine_shifted, shifted_parameters  # loads Cirq

    p = len(syms)
    # THE shift rule: the 2P shifted rows (all "+" rows, then all "-" rows), and their
    # combination (f+ - f-)/2; the unshifted row goes first, in the same shot batch.
    rows = np.vstack([vals[None, :], shifted_parameters(vals).reshape(-1, p)])
    est = shot_expectation(circuit, syms, rows, observable, shots, seed)
    return combine_shifted(est[1:].reshape(2, p)), float(est[0])


class ShotBasedOptimizer:
    """Adam on gradients estimated from measurement shots, clipped first; seeded.

    :meth:`update` clips the gradient with the optimiser's :class:`~clipq_edu.clipping.Clipper`
    and takes one step of THE Adam, :func:`~clipq_edu.training.optim.adam_update` (Kingma &
    Ba 2015, Algorithm 1)::

        g ← clip(g)
        t ← t + 1;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
        θ ← θ − α · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)

    :meth:`estimate` estimates the gradient of a circuit's loss from shots (parameter shift)
    and :meth:`step` does both. Every random draw comes from the optimiser's own
    ``np.random.default_rng(seed)``, so the same seed gives the same trajectory in any
    process. The Adam state lives in :attr:`state` (an
    :class:`~clipq_edu.training.optim.AdamState`, ``None`` before the first step).

    Args:
      learning_rate: α, > 0.
      beta1, beta2: moment decay rates in [0, 1).
      eps: ε, > 0 (default 1e-7, tf.keras' Adam default; see :mod:`clipq_edu.training.optim`).
      clip: clipping spec (``("value", c)``, ``("norm", c)``, ``("global_norm", c)``,
        ``("autoclip", p)``, ``("agc", λ)``, a Clipper, a callable, or ``None``).
      shots: measurements per Pauli term per circuit evaluation.
      seed: seed for all shot draws.
      estimator: ``"gradients"`` uses
        :func:`clipq_edu.quantum.gradients.parameter_shift_gradient`
        (Cirq backend; any gate it supports), ``"builtin"`` uses :func:`shot_parameter_shift`
        (rx/ry/rz only, a few readable lines). Both are seeded from this optimiser's stream.
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
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = ADAM_EPS,
        clip: ClipSpec = None,
        shots: int = 1000,
        seed: int | None = 0,
        estimator: str = "gradients",
        nonfinite: str = "raise",
    ) -> None:
        self.estimator = check_choice("estimator", estimator, ("gradients", "builtin"))
        self.nonfinite = check_choice("nonfinite", nonfinite, ("raise", "skip"))
        self.learning_rate = check_positive_float("learning_rate", learning_rate)
        for name, b in (("beta1", beta1), ("beta2", beta2)):
            b = check_positive_float(name, b, allow_zero=True)
            if b >= 1:
                raise ValueError(f"{name} must be in [0, 1), got {b!r}")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.eps = check_positive_float("eps", eps)
        self.clip = clip
        self._clipper = self._make_clipper(clip)
        self.shots = check_shots("shots", shots)
        self.seed = check_seed("seed", seed)
        self.rng = np.random.default_rng(self.seed)
        self.state: AdamState | None = None
        self.skipped_steps = 0
        self.last: dict[str, Any] = {}

    @staticmethod
    def _make_clipper(clip: ClipSpec) -> clipping.Clipper:
        clipper = clipping.from_spec(clip)  # a copy: the caller's clipper is never changed
        if isinstance(clipper, clipping.KerasClip):
            raise ValueError("clip=('keras', ...) needs a Keras optimizer; use ('value', c) etc.")
        clipper.reset()
        return clipper

    @property
    def clipper(self) -> clipping.Clipper:
        """The :class:`~clipq_edu.clipping.Clipper` in use (AutoClip's history lives here)."""
        return self._clipper

    def reset(self) -> None:
        """Forget the Adam state and the clipper's state; restart the random stream."""
        self.state = None
        self.skipped_steps = 0
        self.rng = np.random.default_rng(self.seed)
        self._clipper = self._make_clipper(self.clip)

    def update(self, params: Any, grads: Any) -> np.ndarray:
        """Clip ``grads`` and take one Adam step from ``params``; return the new parameters.

        ``self.last`` records ``norm_before``, ``norm_after``, ``clipped``, ``threshold`` and
        ``skipped``. A NaN/Inf gradient is never applied (see ``nonfinite``).
        """
        theta = check_finite("params", as_float_array("params", params, ndim=1))
        g = as_float_array("grads", grads, ndim=1)
        if g.shape != theta.shape:
            raise ValueError(f"grads has shape {g.shape} but params has shape {theta.shape}")
        if not np.isfinite(g).all():
            return self._nonfinite(theta, g)
        clipped, info = self._clipper(g, theta)
        if self.state is None or self.state.m.shape != theta.shape:
            self.state = adam_init(theta)
        updates, self.state = adam_update(
            np.asarray(clipped, dtype=np.float64), self.state, learning_rate=self.learning_rate,
            b1=self.beta1, b2=self.beta2, eps=self.eps)
        self.last = {"norm_before": info.norm_before, "norm_after": info.norm_after,
                     "clipped": info.clipped, "threshold": info.threshold, "skipped": False}
        return theta + updates

    def _nonfinite(self, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        bad = int((~np.isfinite(g)).sum())
        if self.nonfinite == "raise":
            raise NonFiniteGradientError(
                f"grads holds {bad} NaN/Inf value(s) ({g.tolist()}); nothing was applied. "
                f"Pass nonfinite='skip' to skip such steps"
            )
        self.skipped_steps += 1
        self.last = {"norm_before": clipping.global_norm(g), "norm_after": math.nan,
                     "clipped": False, "threshold": math.nan, "skipped": True}
        return theta.copy()

    def estimate(
        self,
        circuit: Any,
        symbols: Sequence[Any],
        params: Any,
        observable: Any,
        *,
        target: float | None = None,
    ) -> tuple[np.ndarray, float, float]:
        """Estimate the loss gradient, the loss and ⟨O⟩ from shots (nothing is applied).

        The loss is ⟨O⟩ (minimised) when ``target`` is ``None``, else (⟨O⟩ − target)². For the
        squared loss the chain rule needs ⟨O⟩ itself, estimated from its own shots:
        ∂L/∂θ = 2(⟨O⟩ − target)·∂⟨O⟩/∂θ.

        Returns:
          ``(gradient (P,), loss, expectation)``.
        """
        theta = as_float_array("params", params, ndim=1)
        if target is not None:
            target = float(check_finite("target", as_float_array("target", target, ndim=0)))
        seed_grad, seed_value = (int(s) for s in self.rng.integers(0, 2**63 - 1, size=2))
        if self.estimator == "builtin":
            grad_o, _ = shot_parameter_shift(circuit, symbols, theta, observable,
                                             self.shots, seed_grad)
        else:
            from clipq_edu.quantum.gradients import parameter_shift_gradient

            grad_o = np.asarray(parameter_shift_gradient(
                circuit, symbols, theta, observable, shots=self.shots, seed=seed_grad,
                backend="cirq"), dtype=np.float64)
        # ⟨O⟩ from its own shots, independent of the gradient's (the product stays unbiased).
        value = shot_expectation(circuit, symbols, theta, observable, self.shots, seed_value)
        if target is None:
            return grad_o, float(value), float(value)
        return 2.0 * (value - target) * grad_o, float((value - target) ** 2), float(value)

    def step(
        self,
        circuit: Any,
        symbols: Sequence[Any],
        params: Any,
        observable: Any,
        *,
        target: float | None = None,
    ) -> np.ndarray:
        """:meth:`estimate` the gradient from shots, then :meth:`update`; return new parameters.

        ``self.last`` also records the estimated ``loss`` and ``expectation``.
        """
        grad, loss, value = self.estimate(circuit, symbols, params, observable, target=target)
        new = self.update(params, grad)
        self.last["loss"] = loss
        self.last["expectation"] = value
        return new


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
        ax.plot(self.loss, lw=1, alpha=0.7, label="loss from shots")
        ax.plot(self.exact_loss, lw=1.5, label="exact loss")
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.set_title("Training a circuit from measured counts")
        ax.legend()
        return ax


def _exact_loss(circuit: Any, syms: list[Any], params: np.ndarray, psum: Any,
                target: float | None) -> np.ndarray:
    import sympy

    terms = list(psum)
    coeffs = np.array([complex(t.coefficient).real for t in terms])
    exact_o = _exact_term_expectations(circuit, [sympy.Symbol(str(s)) for s in syms], params,
                                       terms) @ coeffs
    return exact_o if target is None else (exact_o - float(target)) ** 2


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
    nonfinite: str = "raise",
    grad_hook: Callable[[int, np.ndarray], Any] | None = None,
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
    if target is not None:
        target = float(check_finite("target", as_float_array("target", target, ndim=0)))
    theta = check_finite("init", as_float_array("init", init, ndim=1))
    opt = ShotBasedOptimizer(learning_rate, clip=clip, shots=shots, seed=seed,
                             estimator=estimator, nonfinite=nonfinite)
    if grad_hook is not None and not callable(grad_hook):
        raise TypeError(f"grad_hook must be callable(step, grad) -> grad, got {grad_hook!r}")
    syms = _check_symbols(circuit, symbols)
    if estimator == "builtin":
        _check_shiftable(circuit, syms)
    if len(theta) != len(syms):
        raise ValueError(f"init must have {len(syms)} entries (one per symbol), got {len(theta)}")
    psum = _as_pauli_sum(observable)
    traj = [theta]
    rec = TelemetryRecorder(clip=describe_clip(clip))
    for k in range(steps):
        grad, loss, _ = opt.estimate(circuit, syms, theta, psum, target=target)
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
        params=params, exact_loss=_exact_loss(circuit, syms, params, psum, target),
    )
