"""Shots: THE binomial shot sampler, shot-noise variance and shot budgets, counts (chapters 02-05).

A Pauli string P measured once gives +1 or -1. With exact expectation mu = <P>, +1 comes with
probability (1 + mu)/2, so N shots hold k ~ Binomial(N, (1 + mu)/2) outcomes +1 and the shot
estimate 2k/N - 1 has mean mu and variance (1 - mu^2)/N. :func:`sample_pauli_means` draws
exactly that, seeded; every shot-based number in the package (sampled expectations, shot-based
gradients, the chapters' estimator studies, the shot-based optimiser) comes from it, so the same
seed gives the same numbers on every path, in every process.

TFQ's own sampling ops ignore TensorFlow seeds; sampling from the exact expectations here gives
the same statistics with an explicit seed.

>>> from clipq_edu.quantum.sampling import sample_pauli_means
>>> sample_pauli_means([0.0, 0.5, 1.0], shots=100, seed=0)
array([0.02, 0.42, 1.  ])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import cirq
import numpy as np

from clipq_edu._validate import (
    _show,
    as_float_array,
    check_axes,
    check_bool,
    check_choice,
    check_finite,
    check_int,
    check_positive_float,
    check_seed,
    check_shots,
)
from clipq_edu.i18n import tr
from clipq_edu.quantum._core import (
    CIRCUIT_BACKENDS,
    combine_terms,
    expect_rows,
    prepare_circuit,
    prepare_observables,
    prepare_values,
    shape_output,
    split_terms,
)

__all__ = [
    "counts_with_errors",
    "plot_counts",
    "sample_counts",
    "sample_expectation",
    "sample_expectation_variance",
    "sample_outcome_counts",
    "sample_pauli_means",
    "shot_noise_variance",
    "shots_needed",
    "shots_to_resolve",
]

#: How far outside [-1, 1] an expectation may stray (float32 simulators round) before the
#: sampler calls it an error rather than rounding.
MU_TOLERANCE = 1e-4


def _rng(seed: Any) -> np.random.Generator:
    """A Generator is used as is (its stream continues); an int or None seeds a new one."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_seed("seed", seed))


def _check_mu(mu: Any) -> np.ndarray:
    m = check_finite("mu", as_float_array("mu", mu))
    if m.size and np.abs(m).max() > 1.0 + MU_TOLERANCE:
        raise ValueError(f"mu must lie in [-1, 1] (the expectation of a +-1-valued observable), "
                         f"got max |mu| = {np.abs(m).max()!r}")
    return m


# --------------------------------------------------------------------------------------------
# THE sampler, its variance, and the shot budget
# --------------------------------------------------------------------------------------------
def sample_pauli_means(
    mu: Any,
    shots: int,
    *,
    seed: int | np.random.Generator | None = None,
    identity: Any = None,
    return_counts: bool = False,
) -> Any:
    """Draw seeded shot estimates of Pauli expectations: the package's one binomial sampler.

    For each entry, k ~ Binomial(N, (1 + mu)/2) outcomes +1 among N shots, and the estimate is
    the mean of the N outcomes, 2k/N - 1. It is unbiased, with variance

        Var = (1 - mu^2) / N        (:func:`shot_noise_variance`).

    Rounding guard: mu is rounded to 6 decimals (about TFQ's float32 precision) and clipped to
    [-1, 1] before drawing, so last-bit differences between simulators or thread schedules never
    change a draw, and a float32 expectation of 1.0000001 is safe. Values farther than 1e-4
    outside [-1, 1] raise ``ValueError``.

    Args:
        mu: exact expectations of +-1-valued observables (Pauli strings), any shape.
        shots: shots N per entry (positive integer).
        seed: an int or ``None`` (fresh entropy) for ``np.random.default_rng``, or a
            ``np.random.Generator``, used as is so that its stream continues.
        identity: optional boolean mask broadcastable to ``mu``: entries that are the identity
            operator are not drawn (no random numbers consumed) and give exactly 1.
        return_counts: also return the +1 counts k.

    Returns:
        float64 means of the shape of ``mu``; with ``return_counts`` a tuple ``(means, k)``
        with int64 counts (identity entries: k = N). The draws are ONE ``rng.binomial`` call
        over the non-identity entries in C order.

    Taught in chapters 02, 03 and 04.

    >>> means, k = sample_pauli_means([[0.2, 1.0]], 1000, seed=1, identity=[[False, True]],
    ...                               return_counts=True)
    >>> k.tolist(), means.round(6).tolist()
    ([[606, 1000]], [[0.212, 1.0]])
    """
    shots = check_shots("shots", shots)
    return_counts = check_bool("return_counts", return_counts)
    rng = _rng(seed)
    m = np.clip(np.round(_check_mu(mu), 6), -1.0, 1.0)
    if identity is None:
        k = np.asarray(rng.binomial(shots, (1.0 + m) / 2.0), dtype=np.int64)
    else:
        try:
            mask = np.broadcast_to(np.asarray(identity, dtype=bool), m.shape)
        except ValueError:
            raise ValueError(f"identity must be a boolean mask broadcastable to mu's shape "
                             f"{m.shape}, got {_show(identity)}") from None
        k = np.full(m.shape, shots, dtype=np.int64)
        k[~mask] = rng.binomial(shots, (1.0 + m[~mask]) / 2.0)
    means = 2.0 * k / shots - 1.0
    return (means, k) if return_counts else means


def shot_noise_variance(mu: Any, shots: int) -> np.ndarray:
    """Return (1 - mu**2) / shots: the variance of a shot estimate of a Pauli expectation mu.

    One shot of a Pauli string P gives +1 with probability (1 + mu)/2 and -1 otherwise, so its
    variance is E[x^2] - E[x]^2 = 1 - mu^2; averaging N independent shots divides by N.

    Args:
        mu: exact expectation(s) in [-1, 1].
        shots: number of shots N (positive integer).

    Returns:
        The variance, same shape as ``mu``.

    Taught in chapter 03.

    >>> shot_noise_variance([0.0, 0.6], 100)
    array([0.01  , 0.0064])
    """
    shots = check_shots("shots", shots)
    return (1.0 - np.clip(_check_mu(mu), -1.0, 1.0) ** 2) / shots


def shots_needed(single_shot_variance: Any, standard_error: Any) -> Any:
    """Return the fewest shots N whose standard error sqrt(var / N) is at most the target.

    N = ceil(var / se^2), at least 1: the one shot-budget formula. ``var`` is the variance of
    the quantity estimated *per shot*: p (1 - p) for a probability, 1 - mu^2 for a Pauli
    expectation, [(1 - mu+^2) + (1 - mu-^2)] / 4 for a parameter-shift gradient.

    Args:
        single_shot_variance: variance of one shot, >= 0 (number or array).
        standard_error: the standard error wanted, > 0 (number or array, broadcast).

    Returns:
        An int, or an int64 array for array input.

    Taught in chapters 02, 03 and 05.

    >>> shots_needed(0.25, 0.01)   # a probability near 1/2 to +-0.01
    2500
    """
    var = check_finite("single_shot_variance",
                       as_float_array("single_shot_variance", single_shot_variance))
    se = check_finite("standard_error", as_float_array("standard_error", standard_error))
    if np.any(var < 0):
        raise ValueError(f"single_shot_variance must be >= 0, got {var.tolist()}")
    if not np.all(se > 0):
        raise ValueError(f"standard_error must be > 0, got {se.tolist()}")
    try:
        np.broadcast_shapes(var.shape, se.shape)
    except ValueError:
        raise ValueError(f"single_shot_variance (shape {var.shape}) and standard_error (shape "
                         f"{se.shape}) must broadcast together") from None
    return _shot_count(var, se, "single_shot_variance / standard_error**2")


#: More shots than this is a mistake (it would take centuries on any hardware).
_MAX_SHOTS = 10**15


def _shot_count(var: np.ndarray, se: np.ndarray, label: str) -> Any:
    """ceil(var / se^2), at least 1, refusing counts beyond :data:`_MAX_SHOTS`."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ratio = var / se**2
    if ratio.size and not (np.all(np.isfinite(ratio)) and ratio.max() <= _MAX_SHOTS):
        raise ValueError(f"{label} asks for more than {_MAX_SHOTS:.0e} shots (or an infinite "
                         f"number): choose a larger standard error")
    # (1 - 1e-12): a ratio that is an integer up to rounding (2500.0000000000005) is not
    # rounded up to the next integer.
    n = np.maximum(1, np.ceil(ratio * (1 - 1e-12))).astype(np.int64)
    return int(n) if n.ndim == 0 else n


def shots_to_resolve(gradient: Any, z: float = 2.0, sigma: float = math.sqrt(0.5)) -> Any:
    """Shots per parameter-shift term needed to tell a gradient of size |g| from zero.

    With N shots for each of f(θ ± π/2), the estimate ĝ = (f̂₊ - f̂₋)/2 has variance
    (σ₊² + σ₋²)/(4N) <= 1/(2N) for an observable with eigenvalues ±1 (σ² = 1 - ⟨H⟩² <= 1 per
    term). Asking for z standard errors below |g| gives N >= (z σ / |g|)² with σ = √(1/2) the
    worst-case single-shot standard deviation of ĝ: :func:`shots_needed` with variance σ² and
    standard error |g|/z.

    Args:
        gradient: |g|, a non-zero number or array.
        z: how many standard errors, > 0 (2 is about 95 % confidence).
        sigma: single-shot standard deviation of the gradient estimator, > 0.

    Returns:
        The shot count(s), rounded up (int, or an int array).

    Taught in chapter 05.

    >>> shots_to_resolve(0.01)
    20000
    """
    z = check_positive_float("z", z)
    sigma = check_positive_float("sigma", sigma)
    g = np.abs(check_finite("gradient", as_float_array("gradient", gradient)))
    if not np.all(g > 0):
        raise ValueError("gradient must be non-zero: a zero gradient needs infinitely many shots")
    with np.errstate(over="ignore"):
        var = np.square(np.float64(sigma))
    return _shot_count(var, g / z, "(z * sigma / gradient)**2")


# --------------------------------------------------------------------------------------------
# Shot estimates of circuit expectations
# --------------------------------------------------------------------------------------------
def sample_expectation(
    circuit: cirq.AbstractCircuit,
    observable: Any,
    shots: int,
    symbols: Sequence[Any] | None = None,
    values: Any = None,
    seed: int | None = None,
    backend: str = "auto",
) -> np.ndarray:
    """Return a seeded shot estimate of <H>, with the statistics of measuring ``shots`` times.

    How it works. Write H = c_0 I + sum_t c_t P_t with Pauli strings P_t. Measuring P_t in its
    eigenbasis gives +1 or -1 per shot with P(+1) = (1 + mu_t)/2, where mu_t = <P_t> is exact.
    So the number k_t of +1 outcomes in N shots is Binomial(N, (1 + mu_t)/2), and the shot
    estimate of mu_t is 2 k_t / N - 1, unbiased with variance (1 - mu_t^2)/N. This function
    computes every mu_t analytically, draws k_t from ``np.random.default_rng(seed)`` and
    returns c_0 + sum_t c_t (2 k_t / N - 1), whose variance is sum_t c_t^2 (1 - mu_t^2)/N
    (terms measured independently). That is the same distribution as TFQ's
    ``SampledExpectation`` (which measures each term with ``repetitions`` shots), but seeded.

    Args:
        circuit: a Cirq circuit (terminal measurements are ignored).
        observable: a Pauli observable or a list of them.
        shots: shots N per Pauli term (positive integer).
        symbols: the circuit's symbols, or ``None``.
        values: ``[n_symbols]`` or ``[batch, n_symbols]``.
        seed: seed of ``np.random.default_rng``; ``None`` draws fresh entropy.
        backend: where the exact mu_t come from: ``"auto"`` (default: TensorFlow Quantum where installed, else ``"numpy"``), ``"tfq"``, ``"cirq"`` or ``"numpy"`` (the library's exact simulator, complex128).

    Returns:
        float64 array shaped as in ``expectation``.

    References:
        TFQ ``tfq.layers.SampledExpectation``,
        https://www.tensorflow.org/quantum/api_docs/python/tfq/layers/SampledExpectation

    Taught in chapters 02 and 03.

    >>> import cirq
    >>> from clipq_edu.quantum.circuits import bell_circuit
    >>> q0, q1 = cirq.LineQubit.range(2)
    >>> float(sample_expectation(bell_circuit(), cirq.Z(q0) * cirq.Z(q1), 1000, seed=0,
    ...                          backend="cirq"))
    1.0
    >>> round(float(sample_expectation(bell_circuit(), cirq.Z(q0), 1000, seed=0,
    ...                                backend="cirq")), 6)
    0.042
    """
    seed = check_seed("seed", seed)
    circuit, names, vals, sums, single, batched = _prepared(circuit, observable, shots,
                                                            symbols, values, backend)
    out = sample_rows(circuit, names, vals, sums, shots, np.random.default_rng(seed), backend)
    return shape_output(out, single, batched)


def sample_rows(circuit, names, values, sums, shots, rng, backend="auto") -> np.ndarray:
    """Seeded shot estimates [batch, n_ops] of validated rows: exact mu per Pauli term, then
    THE sampler (package-internal: ``sample_expectation`` and the shot-based gradients)."""
    terms, layout = split_terms(sums)
    mu = expect_rows(circuit, names, values, terms, backend)
    return combine_terms(sample_pauli_means(mu, shots, seed=rng), layout, 1.0)


def variance_rows(circuit, names, values, sums, shots, backend="auto") -> np.ndarray:
    """Exact variance [batch, n_ops] of :func:`sample_rows`: sum_t c_t^2 (1 - mu_t^2) / N."""
    terms, layout = split_terms(sums)
    mu = expect_rows(circuit, names, values, terms, backend)
    var = shot_noise_variance(np.clip(mu, -1.0, 1.0), shots)
    return combine_terms(var, layout, 0.0, square=True)


def _prepared(circuit, observable, shots, symbols, values, backend) -> tuple:
    check_shots("shots", shots)
    check_choice("backend", backend, CIRCUIT_BACKENDS)
    circuit = prepare_circuit(circuit)
    sums, single = prepare_observables(circuit, observable)
    names, vals, batched = prepare_values(circuit, symbols, values)
    return circuit, names, vals, sums, single, batched


def sample_expectation_variance(
    circuit: cirq.AbstractCircuit,
    observable: Any,
    shots: int,
    symbols: Sequence[Any] | None = None,
    values: Any = None,
    backend: str = "auto",
) -> np.ndarray:
    """Return the exact variance of ``sample_expectation``: sum_t c_t^2 (1 - mu_t^2) / N.

    Args:
        circuit: a Cirq circuit.
        observable: a Pauli observable or a list of them.
        shots: shots N per term.
        symbols: the circuit's symbols, or ``None``.
        values: ``[n_symbols]`` or ``[batch, n_symbols]``.
        backend: ``"auto"`` (default: TensorFlow Quantum where installed, else ``"numpy"``), ``"tfq"``, ``"cirq"`` or ``"numpy"`` (the library's exact simulator, complex128).

    Returns:
        float64 array shaped as in ``expectation``.

    Taught in chapter 03.

    >>> import cirq
    >>> from clipq_edu.quantum.circuits import bell_circuit
    >>> q0 = cirq.LineQubit(0)
    >>> float(sample_expectation_variance(bell_circuit(), cirq.Z(q0), 1000, backend="cirq"))
    0.001
    """
    circuit, names, vals, sums, single, batched = _prepared(circuit, observable, shots,
                                                            symbols, values, backend)
    out = variance_rows(circuit, names, vals, sums, shots, backend)
    return shape_output(out, single, batched)


# --------------------------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------------------------
def sample_outcome_counts(
    probabilities: Any,
    shots: int,
    *,
    repeats: int | None = None,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Draw seeded counts of every measurement outcome: the package's one multinomial draw.

    ``shots`` independent measurements of a circuit whose outcome i has probability p_i give
    counts k ~ Multinomial(N, p): one ``rng.multinomial`` call, so the same seed gives the same
    counts on every path (:func:`sample_counts`, chapter 02's shot-error study).

    Args:
        probabilities: 1-D outcome probabilities p_i >= 0 summing to 1 (to 1e-8).
        shots: shots N per repetition (positive integer).
        repeats: ``None`` for one draw, or the number of independent repetitions.
        seed: an int or ``None`` (fresh entropy) for ``np.random.default_rng``, or a
            ``np.random.Generator``, used as is so that its stream continues.

    Returns:
        int64 counts: ``(n_outcomes,)``, or ``(repeats, n_outcomes)``; each row sums to N.

    Taught in chapter 02.

    >>> sample_outcome_counts([0.5, 0.0, 0.0, 0.5], 100, seed=0).tolist()
    [51, 0, 0, 49]
    """
    shots = check_shots("shots", shots)
    if repeats is not None:
        repeats = check_int("repeats", repeats, minimum=1, maximum=10**7)
    p = check_finite("probabilities", as_float_array("probabilities", probabilities, ndim=1))
    if p.size == 0 or np.any(p < 0) or abs(p.sum() - 1.0) > 1e-8:
        raise ValueError(f"probabilities must be a non-empty 1-D array of p >= 0 summing to 1, "
                         f"got {_show(probabilities)} (sum {p.sum()!r})")
    rng = _rng(seed)
    return np.asarray(rng.multinomial(shots, p, size=repeats), dtype=np.int64)


def sample_counts(
    circuit: cirq.AbstractCircuit,
    shots: int,
    seed: int | None = None,
    symbols: Sequence[Any] | None = None,
    values: Any = None,
) -> dict[str, int]:
    """Return measurement counts ``{bitstring: count}`` from ``shots`` seeded shots.

    The exact probabilities come from a state-vector simulation; the counts are one draw of
    :func:`sample_outcome_counts` (``rng.multinomial(shots, p)`` with
    ``rng = np.random.default_rng(seed)``), which is exactly the distribution of ``shots``
    independent measurements. Bitstrings list the measured qubits
    left to right (q0 first); only outcomes that occurred are listed, sorted.

    Args:
        circuit: a Cirq circuit (with or without terminal measurements).
        shots: number of shots (positive integer).
        seed: seed of ``np.random.default_rng``.
        symbols: the circuit's symbols, or ``None``.
        values: 1-D values of ``symbols``.

    Returns:
        ``dict[str, int]`` whose counts sum to ``shots``.

    Taught in chapters 02 and 04.

    >>> from clipq_edu.quantum.circuits import ghz_circuit
    >>> sample_counts(ghz_circuit(3), shots=100, seed=0)
    {'000': 51, '111': 49}
    """
    shots = check_shots("shots", shots)
    seed = check_seed("seed", seed)
    from clipq_edu.quantum.simulate import probabilities

    measured, p = probabilities(circuit, symbols=symbols, values=values)
    k = sample_outcome_counts(p, shots, seed=seed)
    n = len(measured)
    return {format(i, f"0{n}b"): int(c) for i, c in enumerate(k) if c > 0}


def counts_with_errors(counts: dict[str, int]) -> dict[str, tuple[float, float]]:
    """Return ``{bitstring: (p, standard_error)}`` with p = k/N and se = sqrt(p(1-p)/N).

    Args:
        counts: ``{bitstring: count}`` as from ``sample_counts``.

    Returns:
        The estimated probability of each bitstring and its binomial standard error.

    Taught in chapter 02.

    >>> counts_with_errors({"00": 75, "11": 25})
    {'00': (0.75, 0.04330127018922193), '11': (0.25, 0.04330127018922193)}
    """
    if not isinstance(counts, dict) or not counts:
        raise ValueError(f"counts must be a non-empty dict {{bitstring: count}}, got "
                         f"{_show(counts)}")
    for key, val in counts.items():
        if not isinstance(key, str) or isinstance(val, bool) or not isinstance(
            val, (int, np.integer)
        ) or val < 0:
            raise ValueError(f"counts must map bitstrings to non-negative ints, got "
                             f"{key!r}: {val!r}")
    total = sum(int(v) for v in counts.values())
    if total == 0:
        raise ValueError("counts hold zero shots in total")
    out = {}
    for key in sorted(counts):
        p = counts[key] / total
        out[key] = (p, math.sqrt(p * (1 - p) / total))
    return out


def plot_counts(counts: dict[str, int], ax: Any = None, errors: bool = True) -> Any:
    """Bar plot of estimated probabilities with +-1 standard-error bars.

    Args:
        counts: ``{bitstring: count}``.
        ax: a matplotlib ``Axes`` to draw on (a new figure when ``None``).
        errors: draw error bars sqrt(p(1-p)/N).

    Returns:
        The matplotlib ``Axes``.

    Taught in chapters 02 and 04.

    >>> ax = plot_counts({"00": 48, "11": 52})
    >>> ax.get_title()
    '100 shots (bars: ±1 standard error)'
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    import matplotlib.pyplot as plt

    stats = counts_with_errors(counts)
    total = sum(counts.values())
    errors = check_bool("errors", errors)
    if check_axes("ax", ax) is None:
        _, ax = plt.subplots(figsize=(max(4, 0.5 * len(stats) + 2), 3))
    keys = list(stats)
    p = [stats[k][0] for k in keys]
    se = [stats[k][1] for k in keys] if errors else None
    ax.bar(keys, p, yerr=se, capsize=4, color="tab:blue", label=tr("estimated p = k/N", "估计值 p = k/N"))
    ax.set_xlabel(tr("measured bitstring (q0 leftmost)", "测得的比特串（q0 在最左）"))
    ax.set_ylabel(tr("probability", "概率"))
    ax.set_ylim(0, min(1.0, max(p) * 1.25 + 0.02))
    ax.set_title(tr(f"{total} shots", f"测量 {total} 次")
                 + (tr(" (bars: ±1 standard error)", "（误差棒：±1 个标准误差）") if errors else ""))
    ax.legend(loc="upper right")
    if len(keys) > 8:
        ax.tick_params(axis="x", labelrotation=90)
    return ax
