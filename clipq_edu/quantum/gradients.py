"""Gradients of expectation values: THE parameter-shift rule, finite differences, SPSA (chapter 03).

The parameter-shift rule. A gate ``exp(-i x G)`` whose generator G has two eigenvalues
+-r gives an expectation f(x) = a + b cos(2 r x) + c sin(2 r x), so for any shift s

    df/dx = r [f(x + s/(2r)) - f(x - s/(2r))] / sin(s)        (exact, not an approximation).

Write the gate angle as theta = scale * x (so the rotation is exp(-i theta P/2) with P^2 = 1):
then df/dx = scale * [f(x + s/scale) - f(x - s/scale)] / (2 sin s). For ``rx(theta)``:
scale 1, s = pi/2, so df/dtheta = [f(theta + pi/2) - f(theta - pi/2)] / 2. Cirq's exponent form
``X**t`` equals ``rx(pi t)`` up to a global phase: scale pi, shift 1/2 in t, factor pi/2; its
derivative carries the factor pi that the radian form hides.

As PennyLane's ``param_shift`` does, the rule is split in two steps: build the shifted
parameters (:func:`shifted_parameters`, 2 rows per differentiated parameter: N parameters
cost 2N circuit evaluations), evaluate them all in ONE batched call, then combine the results
(:func:`combine_shifted`). :func:`parameter_shift` does both for any function of the
parameters; :func:`parameter_shift_gradient` does it for a Cirq circuit, with the chain rule
over every gate a symbol enters. Every path of the package (chapter 03's estimator studies,
chapter 05's barren plateaus, the shot-based optimiser) calls these.

All estimators evaluate the circuit at the shifted parameter values in ONE batched call
(analytic), or draw seeded shots with :func:`clipq_edu.quantum.sampling.sample_pauli_means`
(``shots=N``), so the same seed gives the same gradient in every process.
``compare_differentiators`` puts them beside TensorFlow Quantum's own differentiators.

>>> import cirq, sympy, numpy as np
>>> from clipq_edu.quantum.gradients import parameter_shift_gradient
>>> q, t = cirq.LineQubit(0), sympy.Symbol("t")
>>> c = cirq.Circuit(cirq.X(q) ** t)              # <Z> = cos(pi t)
>>> g = parameter_shift_gradient(c, [t], [0.25], cirq.Z(q), backend="cirq")
>>> round(float(g[0]), 6), round(float(-np.pi * np.sin(np.pi * 0.25)), 6)
(-2.221441, -2.221441)

References:
    Mitarai, Negoro, Kitagawa, Fujii, "Quantum circuit learning", Phys. Rev. A 98, 032309
    (2018), https://arxiv.org/abs/1803.00745; Schuld, Bergholm, Gogolin, Izaac, Killoran,
    "Evaluating analytic gradients on quantum hardware", Phys. Rev. A 99, 032331 (2019),
    https://arxiv.org/abs/1811.11184; PennyLane ``qml.gradients.param_shift``,
    https://docs.pennylane.ai/en/stable/code/api/pennylane.gradients.param_shift.html
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cirq
import numpy as np
import sympy

from clipq_edu._lru import CircuitLRU
from clipq_edu._validate import (
    _show,
    as_float_array,
    check_choice,
    check_finite,
    check_int,
    check_positive_float,
    check_real,
    check_seed,
    check_shots,
)
from clipq_edu.quantum._core import (
    CIRCUIT_BACKENDS,
    expect_rows,
    prepare_circuit,
    prepare_observables,
    prepare_values,
)
from clipq_edu.quantum.circuits import circuit_symbols
from clipq_edu.quantum.sampling import sample_rows, variance_rows

__all__ = [
    "SUPPORTED_GATES",
    "combine_differences",
    "combine_shifted",
    "combine_spsa",
    "compare_differentiators",
    "difference_parameters",
    "finite_difference_gradient",
    "gradient_shot_variance",
    "parameter_shift",
    "parameter_shift_gradient",
    "shifted_parameters",
    "spsa_directions",
    "spsa_gradient",
    "spsa_parameters",
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
#: Angle per unit of a Cirq exponent: ``X**t`` is ``rx(pi t)`` up to a global phase.
EXPONENT_SCALE = np.pi


# --------------------------------------------------------------------------------------------
# THE parameter-shift rule: build the shifted parameters, then combine the results
# --------------------------------------------------------------------------------------------
def _check_shift(shift: Any, scale: Any) -> tuple[float, float]:
    s = check_positive_float("shift", shift)
    if s >= math.pi:
        raise ValueError(f"shift must be in (0, pi) (sin(shift) is the denominator), got {shift!r}")
    return s, check_positive_float("scale", scale)


def _shift_factor(shift: float, scale: float) -> float:
    """The rule's coefficient: df/dx = factor * (f+ - f-), factor = scale / (2 sin s)."""
    return scale / (2.0 * math.sin(shift))


def _columns(columns: Any, batch_shape: tuple[int, ...], n: int) -> np.ndarray:
    if columns is None:
        return np.broadcast_to(np.arange(n), (*batch_shape, n))
    try:
        cols = np.asarray(columns)
    except ValueError:  # ragged lists
        raise TypeError(f"columns must be an array of ints, got {_show(columns)}") from None
    if cols.dtype.kind not in "iu" or cols.ndim == 0 or cols.size == 0:
        raise TypeError(f"columns must be a non-empty array of ints, got {_show(columns)}")
    if cols.min() < 0 or cols.max() >= n:
        raise ValueError(f"columns must lie in [0, {n}) (one per parameter), got {cols.tolist()}")
    try:
        return np.broadcast_to(cols, (*batch_shape, cols.shape[-1]))
    except ValueError:
        raise ValueError(f"columns of shape {cols.shape} must be (K,) or match the batch shape "
                         f"{batch_shape} + (K,)") from None


def shifted_parameters(
    params: Any, *, shift: float = np.pi / 2, scale: float = 1.0, columns: Any = None
) -> np.ndarray:
    """Build the 2K parameter rows the parameter-shift rule evaluates (step 1 of 2).

    Row ``[..., 0, k]`` is ``params + (shift/scale) e_c`` and row ``[..., 1, k]`` is
    ``params - (shift/scale) e_c`` for the k-th differentiated column c. Evaluate all rows in
    one batched call, then pass the results to :func:`combine_shifted`. Flattened with
    ``reshape(-1, N)``, the rows of each parameter vector are all "+" rows, then all "-" rows.

    Args:
        params: ``[N]`` or ``[..., N]`` parameter values (finite).
        shift: s in (0, pi), in units of the gate angle; pi/2 is the usual choice.
        scale: angle per unit of parameter (1 for rx/ry/rz angles, pi for Cirq exponents).
        columns: which parameters to differentiate: ``None`` (all, K = N), ints of shape
            ``(K,)``, or ints of shape ``[..., K]`` (a different column per row, as for the
            first rotation of each McClean circuit).

    Returns:
        float64 array ``[..., 2, K, N]``.

    Taught in chapter 03.

    >>> shifted_parameters([0.0, 1.0], shift=np.pi / 2) / np.pi
    array([[[ 0.5       ,  0.31830989],
            [ 0.        ,  0.81830989]],
    <BLANKLINE>
           [[-0.5       ,  0.31830989],
            [ 0.        , -0.18169011]]])
    """
    s, scale = _check_shift(shift, scale)
    p = check_finite("params", as_float_array("params", params))
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"params must have at least one entry on its last axis, got shape "
                         f"{p.shape}")
    cols = _columns(columns, p.shape[:-1], p.shape[-1])
    k = cols.shape[-1]
    if not math.isfinite(s / scale):
        raise ValueError(f"shift / scale must be finite, got shift={s!r}, scale={scale!r}")
    rows = np.repeat(np.repeat(p[..., None, None, :], 2, axis=-3), k, axis=-2)
    step = np.zeros(rows.shape)
    np.put_along_axis(step, cols[..., None, :, None], s / scale, axis=-1)
    step[..., 1, :, :] *= -1.0
    with np.errstate(over="ignore"):
        out = rows + step
    if not np.all(np.isfinite(out)):
        raise ValueError("params +- shift/scale overflows: params or shift/scale are too large "
                         f"(shift={s!r}, scale={scale!r})")
    return out


def combine_shifted(values: Any, *, shift: float = np.pi / 2, scale: float = 1.0) -> np.ndarray:
    """Combine f at the rows of :func:`shifted_parameters` into the gradient (step 2 of 2).

    df/dx_k = scale * [f(x + (s/scale) e_k) - f(x - (s/scale) e_k)] / (2 sin s); for rx/ry/rz
    angles and s = pi/2 that is [f(theta + pi/2) - f(theta - pi/2)] / 2.

    Args:
        values: f at the shifted rows, shape ``[..., 2, K]`` (axis -2: plus, minus).
        shift: the shift s used to build the rows.
        scale: the scale used to build the rows.

    Returns:
        The gradient ``[..., K]``.

    Taught in chapter 03.

    >>> x = shifted_parameters([1.1])                       # f = cos(x), f' = -sin(x)
    >>> combine_shifted(np.cos(x[..., 0])).round(6), round(float(-np.sin(1.1)), 6)
    (array([-0.891207]), -0.891207)
    """
    s, scale = _check_shift(shift, scale)
    f = check_finite("values", as_float_array("values", values))
    if f.ndim < 2 or f.shape[-2] != 2:
        raise ValueError(f"values must have shape [..., 2, K] (plus and minus rows), got "
                         f"{f.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        grad = _shift_factor(s, scale) * (f[..., 0, :] - f[..., 1, :])
    if not np.all(np.isfinite(grad)):
        raise ValueError("values are so large that the gradient overflows (with this scale "
                         "and shift); an expectation value is bounded by the observable's norm")
    return grad


def _combine_shifted_variance(var: np.ndarray, shift: float, scale: float) -> np.ndarray:
    """Variance of :func:`combine_shifted` for independent evaluations: factor^2 (v+ + v-)."""
    return _shift_factor(shift, scale) ** 2 * (var[..., 0, :] + var[..., 1, :])


def parameter_shift(
    fn: Any, params: Any, *, shift: float = np.pi / 2, scale: float = 1.0, columns: Any = None
) -> np.ndarray:
    """Return the parameter-shift gradient of any function of rotation angles.

    grad_k = scale * [f(x + (s/scale) e_k) - f(x - (s/scale) e_k)] / (2 sin s), exact for any
    f in which x_k enters through one gate exp(-i scale x_k P/2) with P^2 = 1 (Pauli rotations).
    Cost: 2K evaluations of f (K differentiated parameters), all passed to ``fn`` in ONE call.

    Args:
        fn: maps a ``[M, N]`` array of parameter rows to ``[M]`` values.
        params: ``[N]`` or ``[B, N]`` parameters.
        shift: s in (0, pi).
        scale: angle per unit of parameter (1 for radians).
        columns: parameters to differentiate (see :func:`shifted_parameters`).

    Returns:
        ``[K]`` for 1-D params, ``[B, K]`` for 2-D.

    Taught in chapter 03.

    >>> parameter_shift(lambda x: np.cos(x[:, 0]) * np.cos(x[:, 1]), [0.0, np.pi / 2]).round(6)
    array([ 0., -1.])
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    rows = shifted_parameters(params, shift=shift, scale=scale, columns=columns)
    f = np.asarray(fn(rows.reshape(-1, rows.shape[-1])), dtype=np.float64)
    if f.size != rows[..., 0].size:
        raise ValueError(f"fn must return one value per row ({rows[..., 0].size} rows), got "
                         f"shape {f.shape}")
    if not np.all(np.isfinite(f)):
        raise ValueError(f"fn returned non-finite values at the shifted params (shift={shift!r}, "
                         f"scale={scale!r})")
    return combine_shifted(f.reshape(rows.shape[:-1]), shift=shift, scale=scale)


# --------------------------------------------------------------------------------------------
# Finite differences and SPSA, split the same way: build the rows, then combine the results
# --------------------------------------------------------------------------------------------
DIFFERENCE_METHODS = ("forward", "central")


def _check_params(params: Any) -> np.ndarray:
    p = check_finite("params", as_float_array("params", params))
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"params must have at least one entry on its last axis, got shape "
                         f"{p.shape}")
    return p


def difference_parameters(params: Any, h: float, *, method: str = "central") -> np.ndarray:
    """Build the parameter rows a finite difference evaluates (step 1 of 2).

    ``"central"``: rows ``[..., 0, i] = x + h e_i`` and ``[..., 1, i] = x - h e_i`` (the
    layout of :func:`shifted_parameters`), 2N evaluations. ``"forward"``: row ``[..., 0]`` is
    x itself and row ``[..., 1 + i]`` is ``x + h e_i``, N + 1 evaluations. Evaluate all rows in
    one batched call, then pass the results to :func:`combine_differences`.

    Args:
        params: ``[N]`` or ``[..., N]`` parameter values (finite).
        h: the step, > 0, in the parameters' units.
        method: ``"central"`` or ``"forward"``.

    Returns:
        float64 ``[..., 2, N, N]`` (central) or ``[..., N + 1, N]`` (forward).

    Taught in chapter 03.

    >>> difference_parameters([0.0, 1.0], 0.5)
    array([[[ 0.5,  1. ],
            [ 0. ,  1.5]],
    <BLANKLINE>
           [[-0.5,  1. ],
            [ 0. ,  0.5]]])
    """
    check_choice("method", method, DIFFERENCE_METHODS)
    h = check_positive_float("h", h)
    p = _check_params(params)
    step = np.eye(p.shape[-1]) * h
    if method == "forward":
        return np.concatenate([p[..., None, :], p[..., None, :] + step], axis=-2)
    return np.stack([p[..., None, :] + step, p[..., None, :] - step], axis=-3)


def combine_differences(values: Any, h: float, *, method: str = "central") -> np.ndarray:
    """Combine f at the rows of :func:`difference_parameters` into the gradient (step 2 of 2).

    ``"central"``: g_i = [f(x + h e_i) - f(x - h e_i)] / (2h), bias O(h^2);
    ``"forward"``: g_i = [f(x + h e_i) - f(x)] / h, bias O(h).

    Args:
        values: f at the rows: ``[..., 2, N]`` (central) or ``[..., N + 1]`` (forward).
        h: the step used to build the rows.
        method: ``"central"`` or ``"forward"``.

    Returns:
        The gradient ``[..., N]``.

    Taught in chapter 03.

    >>> x = difference_parameters([1.1], 1e-4)                # f = cos(x), f' = -sin(x)
    >>> round(float(combine_differences(np.cos(x[..., 0]), 1e-4)[0]), 6)
    -0.891207
    """
    check_choice("method", method, DIFFERENCE_METHODS)
    h = check_positive_float("h", h)
    f = check_finite("values", as_float_array("values", values))
    if method == "forward":
        if f.ndim < 1 or f.shape[-1] < 2:
            raise ValueError(f"values must have shape [..., N + 1] (f(x) first), got {f.shape}")
        return (f[..., 1:] - f[..., :1]) / h
    if f.ndim < 2 or f.shape[-2] != 2:
        raise ValueError(f"values must have shape [..., 2, N] (plus and minus rows), got "
                         f"{f.shape}")
    return (f[..., 0, :] - f[..., 1, :]) / (2 * h)


def spsa_directions(shape: Any, seed: int | np.random.Generator | None = None) -> np.ndarray:
    """Draw SPSA's random directions: entries +1 or -1 with probability 1/2 each, seeded.

    Args:
        shape: ``(..., M, N)``: M directions of N parameters.
        seed: an int or ``None`` for ``np.random.default_rng``, or a ``np.random.Generator``
            (used as is, so its stream continues).

    Returns:
        float64 array of ``shape`` with entries in {-1, +1}.

    Taught in chapter 03.

    >>> spsa_directions((2, 3), seed=0).tolist()
    [[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]]
    """
    rng = seed if isinstance(seed, np.random.Generator) else \
        np.random.default_rng(check_seed("seed", seed))
    return rng.choice(np.array([-1.0, 1.0]), size=shape)


def _check_directions(directions: Any, n: int) -> np.ndarray:
    d = as_float_array("directions", directions)
    if d.ndim < 2 or d.shape[-1] != n or not np.all(np.abs(d) == 1.0):
        raise ValueError(f"directions must be an array [..., M, {n}] of +-1 (from "
                         f"spsa_directions), got shape {d.shape}")
    return d


def spsa_parameters(params: Any, directions: Any, perturbation: float) -> np.ndarray:
    """Build the 2M rows SPSA evaluates: x + c Delta_m and x - c Delta_m (step 1 of 2).

    Args:
        params: ``[N]`` or ``[..., N]`` parameter values (finite).
        directions: ``[..., M, N]`` directions of +-1 (:func:`spsa_directions`).
        perturbation: c > 0, in the parameters' units.

    Returns:
        float64 ``[..., 2, M, N]`` (axis -3: plus, minus).

    Taught in chapter 03.

    >>> spsa_parameters([0.0, 1.0], [[1.0, -1.0]], 0.5).tolist()
    [[[0.5, 0.5]], [[-0.5, 1.5]]]
    """
    c = check_positive_float("perturbation", perturbation)
    p = _check_params(params)
    step = c * _check_directions(directions, p.shape[-1])
    return np.stack([p[..., None, :] + step, p[..., None, :] - step], axis=-3)


def combine_spsa(values: Any, directions: Any, perturbation: float) -> np.ndarray:
    """Combine f at the rows of :func:`spsa_parameters` into one estimate per direction.

    g_m = [f(x + c Delta_m) - f(x - c Delta_m)] / (2c) * Delta_m: two evaluations for all N
    components; average over m (axis -2) for the SPSA gradient of Spall (1992).

    Args:
        values: f at the rows, ``[..., 2, M]``.
        directions: the ``[..., M, N]`` directions used to build the rows.
        perturbation: the c used to build the rows.

    Returns:
        ``[..., M, N]``: one gradient estimate per direction.

    References:
        Spall, "Multivariate stochastic approximation using a simultaneous perturbation
        gradient approximation", IEEE Trans. Autom. Control 37(3), 332-341 (1992),
        https://doi.org/10.1109/9.119632

    Taught in chapter 03.

    >>> d = np.array([[1.0, -1.0]])                # f = x0 + 2 x1, gradient (1, 2)
    >>> rows = spsa_parameters([0.0, 0.0], d, 0.1)
    >>> combine_spsa(rows @ [1.0, 2.0], d, 0.1).round(6).tolist()
    [[-1.0, 1.0]]
    """
    c = check_positive_float("perturbation", perturbation)
    f = check_finite("values", as_float_array("values", values))
    if f.ndim < 2 or f.shape[-2] != 2:
        raise ValueError(f"values must have shape [..., 2, M] (plus and minus rows), got "
                         f"{f.shape}")
    d = as_float_array("directions", directions)
    d = _check_directions(d, d.shape[-1] if d.ndim else 0)
    if d.shape[:-1] != f.shape[:-2] + f.shape[-1:]:
        raise ValueError(f"directions of shape {d.shape} do not match values of shape "
                         f"{f.shape} (expected [..., {f.shape[-1]}, N])")
    return ((f[..., 0, :] - f[..., 1, :]) / (2 * c))[..., None] * d


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


_PLANS = CircuitLRU(32)


def _cached_plan(circuit: cirq.Circuit, names: list[str]) -> _ShiftPlan:
    def build() -> _ShiftPlan:
        plan = _shift_plan(circuit, names)
        plan.jac.setflags(write=False)
        plan.offset.setflags(write=False)
        return plan

    return _PLANS.get_or_build(circuit, build, extra=tuple(names))


def _prepare(circuit, symbols, values, observable, backend):
    check_choice("backend", backend, CIRCUIT_BACKENDS)
    circuit = prepare_circuit(circuit)
    if not circuit_symbols(circuit):
        raise ValueError(
            "the circuit has no parameters (no sympy symbols), so there is no gradient to "
            "compute; build it with symbols, e.g. cirq.rx(sympy.Symbol('theta'))"
        )
    if symbols is None:
        raise ValueError(f"symbols must list the circuit's symbols, got None (circuit has "
                         f"{[s.name for s in circuit_symbols(circuit)]})")
    sums, single = prepare_observables(circuit, observable)
    if not single and len(sums) != 1:
        raise ValueError(f"observable must be ONE observable for a gradient, got a list of "
                         f"{len(sums)}; sum them into one cirq.PauliSum if that is the cost")
    names, vals, batched = prepare_values(circuit, symbols, values)
    return circuit, sums, names, vals, batched


def _evaluate(circuit, names, rows, sums, shots, rng, backend) -> np.ndarray:
    """f at every row of ``rows`` (analytic or seeded shots): shape [rows]."""
    if shots is None:
        return expect_rows(circuit, names, rows, sums, backend)[:, 0]
    return sample_rows(circuit, names, rows, sums, shots, rng, backend)[:, 0]


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
    backend: str = "auto",
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
        backend: ``"auto"`` (default: TensorFlow Quantum where installed, else ``"numpy"``), ``"tfq"``, ``"cirq"`` or ``"numpy"`` (the library's exact simulator, complex128).

    Returns:
        The gradient: ``[n_symbols]`` for 1-D values, ``[batch, n_symbols]`` for 2-D.

    References:
        Mitarai, Negoro, Kitagawa, Fujii, "Quantum circuit learning", Phys. Rev. A 98, 032309
        (2018), https://arxiv.org/abs/1803.00745; Schuld, Bergholm, Gogolin, Izaac, Killoran,
        "Evaluating analytic gradients on quantum hardware", Phys. Rev. A 99, 032331 (2019),
        https://arxiv.org/abs/1811.11184

    Taught in chapter 03.

    >>> import cirq, sympy
    >>> q, t = cirq.LineQubit(0), sympy.Symbol("t")
    >>> c = cirq.Circuit(cirq.rx(t)(q))                    # <Z> = cos t
    >>> g = parameter_shift_gradient(c, [t], [[0.5], [1.0]], cirq.Z(q), backend="cirq")
    >>> g.round(6).ravel().tolist(), [round(-float(np.sin(x)), 6) for x in (0.5, 1.0)]
    ([-0.479426, -0.841471], [-0.479426, -0.841471])
    """
    shots = _check_optional_shots(shots)
    seed = check_seed("seed", seed)
    circuit, sums, names, vals, batched = _prepare(circuit, symbols, values, observable, backend)
    plan = _cached_plan(circuit, names)
    grad_e = _exponent_gradient(plan, vals, sums, shots, seed, backend)
    return _finish(grad_e @ plan.jac, batched)


def _exponent_gradient(plan, vals, sums, shots, seed, backend) -> np.ndarray:
    """df/de_k for every gate k: [batch, K] (THE rule, in exponent units: scale pi)."""
    exps = vals @ plan.jac.T + plan.offset  # [B, K]
    rows = shifted_parameters(exps, scale=EXPONENT_SCALE)  # [B, 2, K, K]
    f = _evaluate(plan.circuit, plan.names, rows.reshape(-1, exps.shape[1]), sums, shots,
                  np.random.default_rng(seed), backend)
    return combine_shifted(f.reshape(rows.shape[:-1]), scale=EXPONENT_SCALE)


def finite_difference_gradient(
    circuit: cirq.AbstractCircuit,
    symbols: Sequence[Any],
    values: Any,
    observable: Any,
    method: str = "central",
    h: float = 1e-3,
    shots: int | None = None,
    seed: int | None = None,
    backend: str = "auto",
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
        backend: ``"auto"`` (default: TensorFlow Quantum where installed, else ``"numpy"``), ``"tfq"``, ``"cirq"`` or ``"numpy"`` (the library's exact simulator, complex128).

    Returns:
        ``[n_symbols]`` or ``[batch, n_symbols]``.

    Taught in chapter 03.

    >>> import cirq, sympy
    >>> q, t = cirq.LineQubit(0), sympy.Symbol("t")
    >>> c = cirq.Circuit(cirq.rx(t)(q))                    # <Z> = cos t
    >>> g = finite_difference_gradient(c, [t], [0.5], cirq.Z(q), h=1e-4, backend="cirq")
    >>> round(float(g[0]), 6)
    -0.479426
    """
    check_choice("method", method, DIFFERENCE_METHODS)
    h = check_positive_float("h", h)
    shots = _check_optional_shots(shots)
    seed = check_seed("seed", seed)
    circuit, sums, names, vals, batched = _prepare(circuit, symbols, values, observable, backend)
    rows = difference_parameters(vals, h, method=method)
    f = _evaluate(circuit, names, rows.reshape(-1, vals.shape[1]), sums, shots,
                  np.random.default_rng(seed), backend)
    grad = combine_differences(f.reshape(rows.shape[:-1]), h, method=method)
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
    backend: str = "auto",
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
        backend: ``"auto"`` (default: TensorFlow Quantum where installed, else ``"numpy"``), ``"tfq"``, ``"cirq"`` or ``"numpy"`` (the library's exact simulator, complex128).

    Returns:
        ``[n_symbols]`` or ``[batch, n_symbols]``.

    References:
        Spall, "Multivariate stochastic approximation using a simultaneous perturbation
        gradient approximation", IEEE Trans. Autom. Control 37(3), 332-341 (1992),
        https://doi.org/10.1109/9.119632

    Taught in chapter 03.

    >>> import cirq, sympy
    >>> q, t = cirq.LineQubit(0), sympy.Symbol("t")
    >>> c = cirq.Circuit(cirq.rx(t)(q))                    # <Z> = cos t
    >>> g = spsa_gradient(c, [t], [0.5], cirq.Z(q), perturbation=1e-3, seed=0, backend="cirq")
    >>> round(float(g[0]), 4)          # one parameter: SPSA is a central difference
    -0.4794
    """
    c = check_positive_float("perturbation", perturbation)
    n_samples = check_int("n_samples", n_samples, minimum=1)
    shots = _check_optional_shots(shots)
    seed = check_seed("seed", seed)
    circuit, sums, names, vals, batched = _prepare(circuit, symbols, values, observable, backend)
    rng = np.random.default_rng(seed)
    n_b, n_s = vals.shape
    delta = spsa_directions((n_b, n_samples, n_s), rng)
    rows = spsa_parameters(vals, delta, c)  # [B, 2, M, N]
    f = _evaluate(circuit, names, rows.reshape(-1, n_s), sums, shots, rng, backend)
    grad = combine_spsa(f.reshape(n_b, 2, n_samples), delta, c).mean(axis=1)
    return _finish(grad, batched)


def gradient_shot_variance(
    circuit: cirq.AbstractCircuit,
    symbols: Sequence[Any],
    values: Any,
    observable: Any,
    shots: int,
    method: str = "parameter_shift",
    h: float = 1e-3,
    backend: str = "auto",
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
        backend: ``"auto"`` (default: TensorFlow Quantum where installed, else ``"numpy"``), ``"tfq"``, ``"cirq"`` or ``"numpy"`` (the library's exact simulator, complex128).

    Returns:
        ``[n_symbols]`` or ``[batch, n_symbols]`` variances.

    Taught in chapter 03.

    >>> import cirq, sympy
    >>> q, t = cirq.LineQubit(0), sympy.Symbol("t")
    >>> c = cirq.Circuit(cirq.rx(t)(q))                    # <Z> = cos t
    >>> v = gradient_shot_variance(c, [t], [0.0], cirq.Z(q), shots=1000, backend="cirq")
    >>> round(float(v[0]), 8)          # (1/4) [(1 - 0) + (1 - 0)] / 1000 at theta = 0
    0.0005
    """
    shots = check_shots("shots", shots)
    check_choice("method", method, ("parameter_shift", "forward", "central"))
    h = check_positive_float("h", h)
    circuit, sums, names, vals, batched = _prepare(circuit, symbols, values, observable, backend)
    n_b, n_s = vals.shape
    if method == "parameter_shift":
        plan = _cached_plan(circuit, names)
        exps = vals @ plan.jac.T + plan.offset
        rows = shifted_parameters(exps, scale=EXPONENT_SCALE)
        v = variance_rows(plan.circuit, plan.names, rows.reshape(-1, exps.shape[1]), sums,
                          shots, backend)[:, 0]
        v = _combine_shifted_variance(v.reshape(rows.shape[:-1]), np.pi / 2, EXPONENT_SCALE)
        return _finish(v @ plan.jac**2, batched)
    rows = difference_parameters(vals, h, method=method)
    v = variance_rows(circuit, names, rows.reshape(-1, n_s), sums, shots, backend)[:, 0]
    v = v.reshape(rows.shape[:-1])
    if method == "forward":
        return _finish((v[:, 1:] + v[:, :1]) / h**2, batched)
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
        h: grid spacing of TFQ's finite-difference differentiators, in [1e-7, pi] (float32).

    Returns:
        ``{name: gradient}``, each shaped like ``values``.

    References:
        TFQ differentiators, https://www.tensorflow.org/quantum/api_docs/python/tfq/differentiators

    Taught in chapter 03.

    >>> import cirq, sympy
    >>> q, t = cirq.LineQubit(0), sympy.Symbol("t")
    >>> c = cirq.Circuit(cirq.rx(t)(q))                    # <Z> = cos t
    >>> out = compare_differentiators(c, [t], [0.5], cirq.Z(q))   # doctest: +SKIP
    >>> sorted(out)                                               # doctest: +SKIP
    ['Adjoint', 'CentralDifference', 'ForwardDifference', 'ParameterShift', 'clipq_edu parameter shift']
    """
    from clipq_edu._tf import tf, tfq

    shots = _check_optional_shots(shots)
    # TFQ works in float32: a spacing below 1e-7 rounds away (1e-300 becomes 0 and TFQ fails)
    h = check_real("h", h, minimum=1e-7, maximum=math.pi)
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
