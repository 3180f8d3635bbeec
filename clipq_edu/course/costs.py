"""What simulating and measuring qubits costs: memory, time per circuit, shots (chapters 01, 02).

Taught in chapter 01 (memory, a quantum layer against its classical twin) and chapter 02
(shots). The formulas themselves have one home each in :mod:`clipq_edu.quantum`: memory in
:mod:`~clipq_edu.quantum.resources`, the shot budget in :mod:`~clipq_edu.quantum.sampling`.

A state vector of n qubits holds 2**n complex amplitudes; in complex64 (what TensorFlow
Quantum and Cirq's default simulator use) that is 8 bytes each, so every extra qubit doubles
the memory. A shot returns one bitstring, so a probability or an expectation is estimated
from many shots with a standard error that falls only as 1/sqrt(N).

>>> state_vector_memory(10), state_vector_memory(11)
(8192, 16384)
>>> shots_for_standard_error(0.5, 0.01)
2500
"""

from __future__ import annotations

import functools
import time
from typing import Any

import numpy as np

from clipq_edu._validate import (
    as_float_array,
    check_int,
    check_positive_float,
    check_seed,
)
from clipq_edu.quantum.resources import check_qubits, format_bytes, state_vector_bytes

__all__ = [
    "MAX_SHOT_BUDGET",
    "chain_layer_circuit",
    "chain_layer_classical",
    "chain_layer_quantum",
    "fit_loglog_slope",
    "format_bytes",
    "layer_timings",
    "shot_error_scaling",
    "shots_for_standard_error",
    "state_vector_memory",
]


def state_vector_memory(n: int, bytes_per_amplitude: int = 8) -> int:
    """Return the bytes one n-qubit state vector needs: 2**n amplitudes x 8 bytes (complex64).

    Args:
      n: number of qubits (1 to 1000; this only counts, it allocates nothing).
      bytes_per_amplitude: 8 for complex64, 16 for complex128.

    Returns:
      2**n * bytes_per_amplitude, an exact Python int
      (:func:`clipq_edu.quantum.resources.state_vector_bytes`).

    Taught in chapter 01.

    >>> format_bytes(state_vector_memory(30))
    '8.0 GiB'
    """
    n = check_int("n", n, minimum=1, maximum=1000)
    bytes_per_amplitude = check_int("bytes_per_amplitude", bytes_per_amplitude, minimum=1)
    return state_vector_bytes(n, bytes_per_amplitude)


# --------------------------------------------------------------------------------------------
# A quantum layer and the classical layer that computes the same numbers
# --------------------------------------------------------------------------------------------
def chain_layer_circuit(n: int) -> tuple[Any, list[Any]]:
    """Return the n-qubit layer Ry(theta_i) on every qubit, then a CNOT chain q0 -> q1 -> ....

    Args:
      n: number of qubits (1 to 20).

    Returns:
      ``(circuit, symbols)``: the symbolic ``cirq.Circuit`` and its sympy symbols theta_0...
      (a fresh copy on every call: the cached original is never handed out).

    Taught in chapter 01.

    >>> circuit, symbols = chain_layer_circuit(3)
    >>> len(symbols), len(circuit.all_qubits())
    (3, 3)
    """
    circuit, symbols = _chain_layer_circuit(check_qubits("n", n))
    return circuit.copy(), list(symbols)


@functools.lru_cache(maxsize=32)
def _chain_layer_circuit(n: int) -> tuple[Any, list[Any]]:
    import cirq
    import sympy

    qs = cirq.LineQubit.range(n)
    symbols = sympy.symbols(f"theta_0:{n}")
    circuit = cirq.Circuit([cirq.ry(s)(q) for s, q in zip(symbols, qs, strict=True)])
    circuit.append(cirq.CNOT(a, b) for a, b in zip(qs, qs[1:], strict=False))
    return circuit, list(symbols)  # cached: built once per n, reused by every call


def chain_layer_quantum(theta: Any) -> np.ndarray:
    """Return <Z_i> of :func:`chain_layer_circuit` at angles ``theta`` by state-vector simulation.

    Args:
      theta: 1-D array of n angles (radians).

    Returns:
      float64 array of the n expectation values <Z_0>, ..., <Z_{n-1}>.

    Taught in chapter 01.

    >>> chain_layer_quantum([0.0, 3.14159265]).round(6)
    array([ 1., -1.])
    """
    import cirq

    theta = as_float_array("theta", theta, ndim=1)
    circuit, symbols = _chain_layer_circuit(check_qubits("theta length", len(theta)))
    resolver = cirq.ParamResolver(dict(zip(symbols, theta.tolist(), strict=True)))
    state = cirq.Simulator(dtype=np.complex64).simulate(circuit, resolver).final_state_vector
    n = len(theta)
    probs = (np.abs(state.astype(np.complex128)) ** 2).reshape((2,) * n)  # axis i: qubit i
    # <Z_i> = P(qubit i = 0) - P(qubit i = 1): the marginal of one axis, O(2^n) per qubit
    return np.array([np.moveaxis(probs, i, 0).reshape(2, -1).sum(axis=1) @ [1.0, -1.0]
                     for i in range(n)])


def chain_layer_classical(theta: Any) -> np.ndarray:
    """Return the same <Z_i> as :func:`chain_layer_quantum` with n multiplications.

    Ry(theta_j)|0> gives bit j = 1 with probability sin^2(theta_j / 2), independently, and
    the CNOT chain leaves qubit i holding the parity x_0 xor ... xor x_i. So
    <Z_i> = prod_{j <= i} <Z_j before the chain> = prod_{j <= i} cos(theta_j): a cumulative
    product of cosines. No 2**n anything.

    Args:
      theta: 1-D array of n angles (radians).

    Returns:
      float64 array ``cumprod(cos(theta))``.

    Taught in chapter 01.

    >>> chain_layer_classical([0.0, 3.14159265]).round(6)
    array([ 1., -1.])
    """
    theta = as_float_array("theta", theta, ndim=1)
    return np.cumprod(np.cos(theta))


def _fastest_seconds(fn: Any, arg: Any, repeats: int) -> float:
    """The fastest of ``repeats`` calls: other work on the machine only ever adds time, so
    the minimum is the least disturbed estimate (what ``timeit`` recommends)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - start)
    return float(np.min(times))


def layer_timings(ns: Any, repeats: int = 5, seed: int | None = 0) -> dict[str, np.ndarray]:
    """Time the simulated quantum layer and its classical equivalent for each n in ``ns``.

    Both compute the n numbers <Z_i> for the same random angles; the function also returns the
    largest difference between them, so a caller can check that the two agree. Timings are
    the fastest of ``repeats`` calls (the least disturbed by other work) and vary from machine
    to machine; their ratio is the point.

    Args:
      ns: qubit counts (each 1 to 20).
      repeats: calls per timing (>= 1).
      seed: seed for the random angles.

    Returns:
      dict with ``n``, ``quantum_s``, ``classical_s`` (seconds per call), ``ratio``
      (quantum / classical) and ``max_abs_diff`` (agreement of the two outputs), all arrays.

    Taught in chapter 01.

    >>> out = layer_timings([2, 3], repeats=1)
    >>> out["n"].tolist(), bool(out["max_abs_diff"].max() < 1e-5)
    ([2, 3], True)
    """
    ns = [check_qubits("ns[i]", n) for n in np.atleast_1d(np.asarray(ns)).tolist()]
    repeats = check_int("repeats", repeats, minimum=1, maximum=1000)
    rng = np.random.default_rng(check_seed("seed", seed))
    q_s, c_s, diff = [], [], []
    for n in ns:
        theta = rng.uniform(0, 2 * np.pi, n)
        diff.append(float(np.max(np.abs(chain_layer_quantum(theta) -
                                        chain_layer_classical(theta)))))
        q_s.append(_fastest_seconds(chain_layer_quantum, theta, repeats))
        c_s.append(_fastest_seconds(chain_layer_classical, theta, repeats))
    q, c = np.array(q_s), np.array(c_s)
    return {"n": np.array(ns), "quantum_s": q, "classical_s": c, "ratio": q / c,
            "max_abs_diff": np.array(diff)}


# --------------------------------------------------------------------------------------------
# Shots
# --------------------------------------------------------------------------------------------
#: Largest shot budget :func:`shots_for_standard_error` reports (more is not an experiment).
MAX_SHOT_BUDGET = 10**15


def shots_for_standard_error(p: float, target: float) -> int:
    """Return the fewest shots N with sqrt(p (1 - p) / N) <= ``target``.

    The shot budget of a probability: :func:`clipq_edu.quantum.sampling.shots_needed` with the
    single-shot variance p (1 - p) of a Bernoulli outcome.

    Args:
      p: the probability being estimated, in [0, 1].
      target: the standard error wanted (> 0, and not so small that N exceeds
        :data:`MAX_SHOT_BUDGET`).

    Returns:
      ceil(p (1 - p) / target**2), at least 1.

    Taught in chapter 02.

    >>> shots_for_standard_error(0.5, 0.005)
    10000
    """
    from clipq_edu.quantum.sampling import shots_needed

    p = check_positive_float("p", p, allow_zero=True, maximum=1.0)
    target = check_positive_float("target", target)
    variance = p * (1 - p)
    if variance / target / target > MAX_SHOT_BUDGET:
        raise ValueError(f"target={target!r} is too small: p={p!r} would need more than "
                         f"{MAX_SHOT_BUDGET:.0e} shots")
    return shots_needed(variance, target)


def fit_loglog_slope(x: Any, y: Any) -> float:
    """Return the least-squares slope of log(y) against log(x) (a power law's exponent).

    Args:
      x, y: positive 1-D arrays of the same length (at least 2 points).

    Returns:
      The slope b of log y = a + b log x.

    Taught in chapter 02.

    >>> round(fit_loglog_slope([1.0, 4.0, 16.0], [1.0, 0.5, 0.25]), 6)
    -0.5
    """
    x = as_float_array("x", x, ndim=1)
    y = as_float_array("y", y, ndim=1)
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"x and y must have the same length >= 2, got {x.size} and {y.size}")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("x and y must be positive to take logarithms")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def _check_shot_list(shots: Any) -> np.ndarray:
    """``shots`` as a 1-D int array of at least two distinct counts in [1, 10**8]."""
    if isinstance(shots, (str, bytes, dict)) or not np.iterable(shots):
        raise TypeError(f"shots must be a sequence of shot counts, got {shots!r:.80}")
    counts = [check_int(f"shots[{i}]", s, minimum=1, maximum=10**8) for i, s in enumerate(shots)]
    if len(set(counts)) < 2:
        raise ValueError(f"shots must hold at least two different shot counts to fit a slope, "
                         f"got {counts!r:.80}")
    return np.array(counts)


def shot_error_scaling(
    circuit: Any,
    shots: Any,
    bitstring: str,
    repeats: int = 200,
    seed: int | None = 0,
) -> dict[str, Any]:
    """Measure how the error of a shot estimate of P(bitstring) falls with the number of shots.

    For each N in ``shots`` the experiment "estimate P(bitstring) from N shots" is repeated
    ``repeats`` times with seeded multinomial draws from the exact outcome probabilities (THE
    draw, :func:`clipq_edu.quantum.sampling.sample_outcome_counts`, as in
    :func:`~clipq_edu.quantum.sampling.sample_counts`); the root-mean-square error
    against the exact probability is compared with the binomial prediction sqrt(p(1-p)/N).

    Args:
      circuit: a Cirq circuit (with or without terminal measurements).
      shots: shot counts, at least two different ones (integers 1 to 10**8).
      bitstring: the outcome whose probability is estimated, e.g. ``"00"``.
      repeats: repetitions per N (>= 10).
      seed: seed of ``np.random.default_rng``.

    Returns:
      dict with ``shots``, ``rms_error``, ``predicted``, ``p`` (exact) and ``slope`` (fitted
      exponent of rms_error versus N; the law says -1/2).

    Taught in chapter 02.

    >>> from clipq_edu.quantum.circuits import bell_circuit
    >>> out = shot_error_scaling(bell_circuit(), [100, 10_000], "00", repeats=200, seed=0)
    >>> -0.6 < out["slope"] < -0.4
    True
    """
    from clipq_edu.quantum.sampling import sample_outcome_counts
    from clipq_edu.quantum.simulate import probabilities

    shots_arr = _check_shot_list(shots)
    repeats = check_int("repeats", repeats, minimum=10, maximum=100_000)
    rng = np.random.default_rng(check_seed("seed", seed))
    measured, probs = probabilities(circuit)
    n = len(measured)
    if not isinstance(bitstring, str) or len(bitstring) != n or set(bitstring) - {"0", "1"}:
        raise ValueError(f"bitstring must be a string of {n} characters 0/1, got {bitstring!r}")
    index = int(bitstring, 2)
    p = float(probs[index])
    rms = []
    for s in shots_arr:
        k = sample_outcome_counts(probs, int(s), repeats=repeats, seed=rng)[:, index]
        rms.append(float(np.sqrt(np.mean((k / s - p) ** 2))))
    rms_arr = np.array(rms)
    return {
        "shots": shots_arr,
        "rms_error": rms_arr,
        "predicted": np.sqrt(p * (1 - p) / shots_arr),
        "p": p,
        "slope": fit_loglog_slope(shots_arr, rms_arr),
    }
