"""Gradients of expectation values: parameter shift, finite differences, SPSA (chapter 03).

All estimators here evaluate the circuit at shifted parameter values in ONE batched TFQ call
(analytic), or draw seeded shots with ``clipq_edu.measurement``'s sampler (``shots=N``), so
the same seed gives the same gradient in every process. ``compare_differentiators`` puts them
beside TensorFlow Quantum's own differentiators.

The parameter-shift rule. A gate ``exp(-i x G)`` whose generator G has two eigenvalues
+-r gives an expectation f(x) = a + b cos(2 r x) + c sin(2 r x), so

    df/dx = r [f(x + pi/(4r)) - f(x - pi/(4r))]        (exact, not an approximation).

For ``rx(theta) = exp(-i theta X/2)``: r = 1/2, shift pi/2, factor 1/2. Cirq's exponent form
``X**t`` equals ``exp(-i (pi t/2) X)`` up to a global phase, so r = pi/2 per unit of t: shift
1/2, factor pi/2; its derivative carries the factor pi that the radian form hides.

>>> import cirq, sympy, numpy as np
>>> from clipq_edu.gradients import parameter_shift_gradient
>>> q, t = cirq.LineQubit(0), sympy.Symbol("t")
>>> c = cirq.Circuit(cirq.X(q) ** t)              # <Z> = cos(pi t)
>>> g = parameter_shift_gradient(c, [t], [0.25], cirq.Z(q), backend="cirq")
>>> round(float(g[0]), 6), round(float(-np.pi * np.sin(np.pi * 0.25)), 6)
(-2.221441, -2.221441)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cirq
import numpy as np
import sympy

from clipq_edu._validate import (
    check_choice,
    check_int,
    check_positive_float,
    check_seed,
    check_shots,
)
from clipq_edu.circuits import circuit_symbols
from clipq_edu.measurement import (
    BACKENDS,
    _expect,
    _prepare_circuit,
    _prepare_observables,
    _prepare_values,
    _sample,
    _variance,
)

__all__ = [
    "SUPPORTED_GATES",
    "compare_differentiators",
    "finite_difference_gradient",
    "gradient_shot_variance",
    "parameter_shift_gradient",
    "spsa_gradient",
]

#: Gate families whose exponent may hold a symbol. Each has exactly two eigenvalues of its
#: exponent generator, pi * t * {0, 1} (plus a global phase), so one shift rule covers them:
#: shift 1/2 in the exponent, factor pi/2. ``cirq.rx/ry/rz`` are X/Y/ZPowGates with
#: global_shift=-0.5 and exponent theta/pi, which makes that the familiar pi/2 and 1/2.
SUPPORTED_GATES: tuple[type, ...] = (
    cirq.XPowGate,
    cirq.YPowGate,
    cirq.ZPowGate,
    cirq.HPowGate,
    cirq.CZPowGate,
    cirq.CXPowGate,
    cirq.XXPowGate,
    cirq.YYPowGate,
    cirq.ZZPowGate,
    cirq.SwapPowGate,
)
_EXPONENT_SHIFT = 0.5
_EXPONENT_FACTOR = np.pi / 2


# --------------------------------------------------------------------------------------------
# How symbols enter the circuit: one fresh "exponent symbol" per parameterised gate
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _ShiftPlan:
    """The circuit with every parameterised gate's exponent replaced by its own symbol e_k,
    and the affine map exponents = values @ jac.T + offset (shapes [K, S] and [K])."""

    circuit: cirq.Circuit
    names: list[str]
    jac: np.ndarray
    offset: np.ndarray


def _unsupported(op: cirq.Operation, why: str) -> ValueError:
    kinds = ", ".join(g.__name__ for g in SUPPORTED_GATES)
    return ValueError(
        f"parameter shift cannot differentiate {op!r}: {why}. Supported: a symbol in the "
        f"exponent of {kinds} (including cirq.rx/ry/rz), entering linearly (e.g. theta, "
        f"2*theta, theta + phi, t/2 + 0.1). A symbol may appear in several gates."
    )


def _shift_plan(circuit: cirq.Circuit, names: list[str]) -> _ShiftPlan:
    index = {n: i for i, n in enumerate(names)}
    ops: list[cirq.Moment] = []
    rows: list[np.ndarray] = []
    offsets: list[float] = []
    new_names: list[str] = []
    for moment in circuit:
        new_ops = []
        for op in moment:
            if not cirq.is_parameterized(op):
                new_ops.append(op)
                continue
            gate = op.gate
            base = next((g for g in SUPPORTED_GATES if isinstance(gate, g)), None)
            if base is None or isinstance(op, cirq.ControlledOperation):
                raise _unsupported(op, f"gate type {type(gate).__name__} is not supported")
            if cirq.is_parameterized(gate.global_shift):
                raise _unsupported(op, "its global_shift is symbolic")
            expr = sympy.sympify(gate.exponent)
            row = np.zeros(len(names))
            for sym in expr.free_symbols:
                coef = sympy.diff(expr, sym)
                if coef.free_symbols:
                    raise _unsupported(op, f"symbol {sym} enters nonlinearly ({expr})")
                row[index[sym.name]] = float(coef)
            offset = float(expr.subs({s: 0 for s in expr.free_symbols}))
            e_sym = sympy.Symbol(f"_ps_e{len(new_names)}")
            new_names.append(e_sym.name)
            rows.append(row)
            offsets.append(offset)
            new_ops.append(base(exponent=e_sym, global_shift=gate.global_shift).on(*op.qubits))
        ops.append(cirq.Moment(new_ops))
    return _ShiftPlan(cirq.Circuit(ops), new_names, np.array(rows), np.array(offsets))


_PLAN_CACHE: dict[tuple[int, tuple[str, ...]], tuple[cirq.FrozenCircuit, _ShiftPlan]] = {}


def _cached_plan(circuit: cirq.Circuit, names: list[str]) -> _ShiftPlan:
    key = (id(circuit), tuple(names))
    hit = _PLAN_CACHE.get(key)
    if hit is not None and tuple(hit[0].moments) == tuple(circuit.moments):
        return hit[1]
    plan = _shift_plan(circuit, names)
    if len(_PLAN_CACHE) > 32:
        _PLAN_CACHE.clear()
    _PLAN_CACHE[key] = (cirq.FrozenCircuit(circuit), plan)
    return plan


def _prepare(circuit, symbols, values, observable, backend):
    check_choice("backend", backend, BACKENDS)
    circuit = _prepare_circuit(circuit)
    if not circuit_symbols(circuit):
        raise ValueError(
            "the circuit has no parameters (no sympy symbols), so there is no gradient to "
            "compute; build it with symbols, e.g. cirq.rx(sympy.Symbol('theta'))"
        )
    if symbols is None:
        raise ValueError(f"symbols must list the circuit's symbols, got None (circuit has "
                         f"{[s.name for s in circuit_symbols(circuit)]})")
    sums, single = _prepare_observables(circuit, observable)
    if not single and len(sums) != 1:
        raise ValueError(f"observable must be ONE observable for a gradient, got a list of "
                         f"{len(sums)}; sum them into one cirq.PauliSum if that is the cost")
    names, vals, batched = _prepare_values(circuit, symbols, values)
    return circuit, sums, names, vals, batched


def _evaluate(circuit, names, rows, sums, shots, rng, backend) -> np.ndarray:
    """f at every row of ``rows`` (analytic or seeded shots): shape [rows]."""
    if shots is None:
        return _expect(circuit, names, rows, sums, backend)[:, 0]
    return _sample(circuit, names, rows, sums, shots, rng, backend)[:, 0]


def _finish(grad: np.ndarray, batched: bool) -> np.ndarray:
    return grad if batched else grad[0]


def _check_optional_shots(shots: Any) -> int | None:
    return None if shots is None else check_shots("shots", shots)


# --------------------------------------------------------------------------------------------
# Public estimators
# --------------------------------------------------------------------------------------------
def parameter_shift_gradient(
    circuit: cirq.AbstractCircuit,
    symbols: Sequence[Any],
    values: Any,
    observable: Any,
    shots: int | None = None,
    seed: int | None = None,
    backend: str = "tfq",
) -> np.ndarray:
    """Return d<observable>/d(symbols) at ``values`` by the exact parameter-shift rule.

    Every parameterised gate k gets its own exponent e_k (an affine function of the symbols:
    ``cirq.rx(2*a + b)`` has e = (2a + b)/pi). The rule gives df/de_k = (pi/2) [f(e_k + 1/2) -
    f(e_k - 1/2)], and the chain rule sums over gates: df/ds_i = sum_k (de_k/ds_i) df/de_k. So
    a symbol used in several gates (data re-uploading) is handled, and rx/ry/rz (radians) and
    ``X**t`` (Cirq exponents, factor pi) come out right. All 2K shifted circuits of the whole
    batch are evaluated in one call.

    Supported: symbols entering linearly the exponent of ``SUPPORTED_GATES`` (X/Y/Z/H/CZ/CX/
    XX/YY/ZZ/SWAP power gates, including rx/ry/rz). Anything else (PhasedXPowGate, a
    nonlinear expression such as ``rx(theta**2)``, controlled gates) raises ``ValueError``.

    Shot noise (``shots=N``): each of the 2K evaluations is an independent seeded estimate
    with variance v_k+- = sum_t c_t^2 (1 - mu_t^2)/N, so
    Var[g_i] = sum_k (de_k/ds_i)^2 (pi/2)^2 (v_k+ + v_k-); see ``gradient_shot_variance``.

    Args:
        circuit: a parameterised Cirq circuit.
        symbols: all of its symbols (sympy or names); the gradient follows this order.
        values: ``[n_symbols]`` or ``[batch, n_symbols]``.
        observable: one Pauli observable (``PauliString`` or ``PauliSum``).
        shots: ``None`` for exact expectations, or shots per evaluation and Pauli term.
        seed: seed of the shot sampler (``np.random.default_rng``).
        backend: ``"tfq"`` or ``"cirq"``.

    Returns:
        The gradient: ``[n_symbols]`` for 1-D values, ``[batch, n_symbols]`` for 2-D.

    References:
        Mitarai, Negoro, Kitagawa, Fujii, "Quantum circuit learning", Phys. Rev. A 98, 032309
        (2018), https://arxiv.org/abs/1803.00745; Schuld, Bergholm, Gogolin, Izaac, Killoran,
        "Evaluating analytic gradients on quantum hardware", Phys. Rev. A 99, 032331 (2019),
        https://arxiv.org/abs/1811.11184

    Taught in chapter 03.
    """
    shots = _check_optional_shots(shots)
    seed = check_seed("seed", seed)
    circuit, sums, names, vals, batched = _prepare(circuit, symbols, values, observable, backend)
    plan = _cached_plan(circuit, names)
    grad_e = _exponent_gradient(plan, vals, sums, shots, seed, backend)
    return _finish(grad_e @ plan.jac, batched)


def _exponent_gradient(plan, vals, sums, shots, seed, backend) -> np.ndarray:
    """df/de_k for every gate k: [batch, K]."""
    exps = vals @ plan.jac.T + plan.offset  # [B, K]
    n_b, n_k = exps.shape
    eye = np.eye(n_k) * _EXPONENT_SHIFT
    rows = np.concatenate([exps[:, None, :] + eye, exps[:, None, :] - eye], axis=1)
    f = _evaluate(plan.circuit, plan.names, rows.reshape(-1, n_k), sums, shots,
                  np.random.default_rng(seed), backend).reshape(n_b, 2, n_k)
    return _EXPONENT_FACTOR * (f[:, 0] - f[:, 1])


def finite_difference_gradient(
    circuit: cirq.AbstractCircuit,
    symbols: Sequence[Any],
    values: Any,
    observable: Any,
    method: str = "central",
    h: float = 1e-3,
    shots: int | None = None,
    seed: int | None = None,
    backend: str = "tfq",
) -> np.ndarray:
    """Return a finite-difference estimate of d<observable>/d(symbols).

    ``"forward"``: g_i = [f(x + h e_i) - f(x)] / h, bias O(h).
    ``"central"``: g_i = [f(x + h e_i) - f(x - h e_i)] / (2h), bias O(h^2).

    Shot noise (``shots=N``, each evaluation an independent estimate with variance v):
    forward Var[g_i] = (v(x + h e_i) + v(x)) / h^2, central Var[g_i] = (v+ + v-) / (4 h^2),
    with v <= sum_t c_t^2 / N. The 1/h^2 is why small steps drown in shot noise: for
    h = 1e-3 and N = 1000 a Pauli expectation gives a gradient standard deviation of about
    sqrt(2/1000)/2e-3 = 22, against gradients bounded by 1. Parameter shift has no such
    blow-up (its "step" is pi/2).

    Args:
        circuit: a parameterised Cirq circuit.
        symbols: all of its symbols.
        values: ``[n_symbols]`` or ``[batch, n_symbols]``.
        observable: one Pauli observable.
        method: ``"forward"`` or ``"central"``.
        h: step in the symbols' units (> 0).
        shots: ``None`` (exact) or shots per evaluation and term.
        seed: seed of the shot sampler.
        backend: ``"tfq"`` or ``"cirq"``.

    Returns:
        ``[n_symbols]`` or ``[batch, n_symbols]``.

    Taught in chapter 03.
    """
    check_choice("method", method, ("forward", "central"))
    h = check_positive_float("h", h)
    shots = _check_optional_shots(shots)
    seed = check_seed("seed", seed)
    circuit, sums, names, vals, batched = _prepare(circuit, symbols, values, observable, backend)
    n_b, n_s = vals.shape
    eye = np.eye(n_s) * h
    if method == "forward":
        rows = np.concatenate([vals[:, None, :], vals[:, None, :] + eye], axis=1)
    else:
        rows = np.concatenate([vals[:, None, :] + eye, vals[:, None, :] - eye], axis=1)
    f = _evaluate(circuit, names, rows.reshape(-1, n_s), sums, shots,
                  np.random.default_rng(seed), backend)
    if method == "forward":
        f = f.reshape(n_b, n_s + 1)
        grad = (f[:, 1:] - f[:, :1]) / h
    else:
        f = f.reshape(n_b, 2, n_s)
        grad = (f[:, 0] - f[:, 1]) / (2 * h)
    return _finish(grad, batched)


def spsa_gradient(
    circuit: cirq.AbstractCircuit,
    symbols: Sequence[Any],
    values: Any,
    observable: Any,
    perturbation: float = 0.1,
    n_samples: int = 1,
    shots: int | None = None,
    seed: int | None = None,
    backend: str = "tfq",
) -> np.ndarray:
    """Return an SPSA estimate of the gradient: two evaluations per sample, any number of symbols.

    Each sample draws a random direction Delta with entries +-1 (seeded) and uses
    g = [f(x + c Delta) - f(x - c Delta)] / (2c) * Delta; the result averages ``n_samples``
    such estimates. Its mean is the gradient up to O(c^2); every component picks up the
    other components through Delta, so its variance (without shots) is about
    (|grad|^2 - g_i^2) / n_samples. Shot noise adds, per component,
    (1 / n_samples^2) sum_m (v_m+ + v_m-) / (4 c^2) with v = sum_t c_t^2 (1 - mu_t^2) / N.

    Args:
        circuit: a parameterised Cirq circuit.
        symbols: all of its symbols.
        values: ``[n_symbols]`` or ``[batch, n_symbols]``.
        observable: one Pauli observable.
        perturbation: c > 0, in the symbols' units.
        n_samples: random directions averaged (>= 1).
        shots: ``None`` (exact) or shots per evaluation and term.
        seed: seed of the directions and of the shot sampler.
        backend: ``"tfq"`` or ``"cirq"``.

    Returns:
        ``[n_symbols]`` or ``[batch, n_symbols]``.

    References:
        Spall, "Multivariate stochastic approximation using a simultaneous perturbation
        gradient approximation", IEEE Trans. Autom. Control 37(3), 332-341 (1992),
        https://doi.org/10.1109/9.119632

    Taught in chapter 03.
    """
    c = check_positive_float("perturbation", perturbation)
    n_samples = check_int("n_samples", n_samples, minimum=1)
    shots = _check_optional_shots(shots)
    seed = check_seed("seed", seed)
    circuit, sums, names, vals, batched = _prepare(circuit, symbols, values, observable, backend)
    rng = np.random.default_rng(seed)
    n_b, n_s = vals.shape
    delta = rng.choice(np.array([-1.0, 1.0]), size=(n_b, n_samples, n_s))
    rows = np.concatenate([vals[:, None, :] + c * delta, vals[:, None, :] - c * delta], axis=1)
    f = _evaluate(circuit, names, rows.reshape(-1, n_s), sums, shots, rng, backend)
    f = f.reshape(n_b, 2, n_samples)
    diff = (f[:, 0] - f[:, 1]) / (2 * c)  # [B, M]
    grad = (diff[:, :, None] * delta).mean(axis=1)
    return _finish(grad, batched)


def gradient_shot_variance(
    circuit: cirq.AbstractCircuit,
    symbols: Sequence[Any],
    values: Any,
    observable: Any,
    shots: int,
    method: str = "parameter_shift",
    h: float = 1e-3,
    backend: str = "tfq",
) -> np.ndarray:
    """Return the exact shot-noise variance of each gradient component for a given estimator.

    ``parameter_shift``: sum_k (de_k/ds_i)^2 (pi/2)^2 (v_k+ + v_k-);
    ``central``: (v(x + h e_i) + v(x - h e_i)) / (4 h^2);
    ``forward``: (v(x + h e_i) + v(x)) / h^2,
    where v = sum_t c_t^2 (1 - mu_t^2) / N is the variance of one evaluation.

    Args:
        circuit: a parameterised Cirq circuit.
        symbols: all of its symbols.
        values: ``[n_symbols]`` or ``[batch, n_symbols]``.
        observable: one Pauli observable.
        shots: shots N per evaluation and term.
        method: ``"parameter_shift"``, ``"forward"`` or ``"central"``.
        h: finite-difference step.
        backend: ``"tfq"`` or ``"cirq"``.

    Returns:
        ``[n_symbols]`` or ``[batch, n_symbols]`` variances.

    Taught in chapter 03.
    """
    shots = check_shots("shots", shots)
    check_choice("method", method, ("parameter_shift", "forward", "central"))
    h = check_positive_float("h", h)
    circuit, sums, names, vals, batched = _prepare(circuit, symbols, values, observable, backend)
    n_b, n_s = vals.shape
    if method == "parameter_shift":
        plan = _cached_plan(circuit, names)
        exps = vals @ plan.jac.T + plan.offset
        n_k = exps.shape[1]
        eye = np.eye(n_k) * _EXPONENT_SHIFT
        rows = np.concatenate([exps[:, None, :] + eye, exps[:, None, :] - eye], axis=1)
        v = _variance(plan.circuit, plan.names, rows.reshape(-1, n_k), sums, shots, backend)
        v = v[:, 0].reshape(n_b, 2, n_k).sum(axis=1) * _EXPONENT_FACTOR**2
        return _finish(v @ plan.jac**2, batched)
    eye = np.eye(n_s) * h
    if method == "forward":
        rows = np.concatenate([vals[:, None, :], vals[:, None, :] + eye], axis=1)
        v = _variance(circuit, names, rows.reshape(-1, n_s), sums, shots, backend)[:, 0]
        v = v.reshape(n_b, n_s + 1)
        return _finish((v[:, 1:] + v[:, :1]) / h**2, batched)
    rows = np.concatenate([vals[:, None, :] + eye, vals[:, None, :] - eye], axis=1)
    v = _variance(circuit, names, rows.reshape(-1, n_s), sums, shots, backend)[:, 0]
    v = v.reshape(n_b, 2, n_s)
    return _finish((v[:, 0] + v[:, 1]) / (4 * h**2), batched)


def compare_differentiators(
    circuit: cirq.AbstractCircuit,
    symbols: Sequence[Any],
    values: Any,
    observable: Any,
    shots: int | None = None,
    h: float = 0.01,
) -> dict[str, np.ndarray]:
    """Return the gradient from each of TFQ's differentiators and from clipq_edu, side by side.

    Analytic (``shots=None``): TFQ ``Adjoint``, ``ParameterShift``, ``ForwardDifference`` and
    ``CentralDifference`` through ``tfq.layers.Expectation`` and a ``GradientTape``, plus
    ``clipq_edu parameter shift``. With ``shots``: the last three run through
    ``tfq.layers.SampledExpectation(repetitions=shots)`` and are NOT seeded (TFQ's sampling
    ignores seeds: they change from run to run); Adjoint cannot use samples, so it is reported
    analytically as the reference, and clipq_edu's entry uses the seeded sampler (seed 0).

    Args:
        circuit: a parameterised Cirq circuit (symbols may appear as c * symbol only, as TFQ
            requires).
        symbols: all of its symbols.
        values: ``[n_symbols]`` or ``[batch, n_symbols]``.
        observable: one Pauli observable.
        shots: ``None`` or repetitions for the sampled differentiators.
        h: grid spacing of TFQ's finite-difference differentiators.

    Returns:
        ``{name: gradient}``, each shaped like ``values``.

    References:
        TFQ differentiators, https://www.tensorflow.org/quantum/api_docs/python/tfq/differentiators

    Taught in chapter 03.
    """
    from clipq_edu._tf import tf, tfq

    shots = _check_optional_shots(shots)
    h = check_positive_float("h", h)
    circ, sums, names, vals, batched = _prepare(circuit, symbols, values, observable, "tfq")
    batch = vals.shape[0]
    programs = tfq.convert_to_tensor([circ] * batch)
    ops = tfq.convert_to_tensor([sums] * batch)

    def tape_grad(layer: Any, **kwargs: Any) -> np.ndarray:
        var = tf.Variable(vals.astype(np.float32))
        with tf.GradientTape() as tape:
            out = layer(programs, symbol_names=names, symbol_values=var, operators=ops, **kwargs)
        return _finish(tape.gradient(out, var).numpy().astype(np.float64), batched)

    diffs = tfq.differentiators
    result = {"Adjoint": tape_grad(tfq.layers.Expectation(differentiator=diffs.Adjoint()))}
    others = {
        "ParameterShift": diffs.ParameterShift(),
        "ForwardDifference": diffs.ForwardDifference(grid_spacing=h),
        "CentralDifference": diffs.CentralDifference(grid_spacing=h),
    }
    for name, diff in others.items():
        if shots is None:
            result[name] = tape_grad(tfq.layers.Expectation(differentiator=diff))
        else:
            layer = tfq.layers.SampledExpectation(differentiator=diff)
            result[name] = tape_grad(layer, repetitions=shots)
    result["clipq_edu parameter shift"] = parameter_shift_gradient(
        circ, names, vals if batched else vals[0], sums[0], shots=shots,
        seed=None if shots is None else 0,
    )
    return result
