"""Expectation values, a seeded shot sampler, and measurement counts (chapters 02, 03, 04).

Analytic expectations come from TensorFlow Quantum's expectation op (exact state-vector
simulation, float32). A symbolic circuit is converted to TFQ's format once and cached; a batch
is a ``[batch, n_symbols]`` array of values, so a thousand evaluations cost one op call.

Shots. TFQ's sampling ops ignore TensorFlow seeds, so their numbers change from run to run. The
sampler here gives *the same statistics* with an explicit seed (see ``sample_expectation``):
same seed, same numbers, on any machine and in any process.

>>> import cirq
>>> from clipq_edu.circuits import bell_circuit
>>> from clipq_edu.measurement import sample_counts
>>> sample_counts(bell_circuit(), shots=1000, seed=1)
{'00': 493, '11': 507}
"""

from __future__ import annotations

import collections
import math
from collections.abc import Sequence
from typing import Any

import cirq
import numpy as np

from clipq_edu._validate import (
    _show,
    as_float_array,
    check_choice,
    check_finite,
    check_qubits,
    check_seed,
    check_shots,
)
from clipq_edu.circuits import _check_circuit, check_resolvable, symbol_names

__all__ = [
    "counts_with_errors",
    "expectation",
    "expectation_cirq",
    "plot_counts",
    "sample_counts",
    "sample_expectation",
    "sample_expectation_variance",
    "shot_noise_variance",
]

BACKENDS = ("tfq", "cirq")


# --------------------------------------------------------------------------------------------
# Argument preparation (private, shared with gradients.py and experiments.py)
# --------------------------------------------------------------------------------------------
def _prepare_circuit(circuit: Any) -> cirq.Circuit:
    """Check the circuit, its qubit budget, and drop terminal measurements."""
    _check_circuit(circuit)
    n = len(circuit.all_qubits())
    if n == 0:
        raise ValueError("circuit acts on no qubits; add at least one gate")
    check_qubits("the number of qubits in circuit", n)
    if circuit.has_measurements():
        if not circuit.are_all_measurements_terminal():
            raise ValueError(
                "circuit has a measurement before other gates; expectations need a circuit "
                "whose measurements (if any) are all at the end"
            )
        circuit = cirq.drop_terminal_measurements(circuit)
    return cirq.Circuit(circuit) if not isinstance(circuit, cirq.Circuit) else circuit


def _as_paulisum(name: str, obs: Any) -> cirq.PauliSum:
    if isinstance(obs, cirq.PauliSum):
        return obs
    if isinstance(obs, cirq.PauliString):
        return cirq.PauliSum.from_pauli_strings([obs])
    if isinstance(obs, cirq.Operation) and isinstance(obs.gate, cirq.Pauli):
        return cirq.PauliSum.from_pauli_strings([cirq.PauliString(obs)])
    raise TypeError(
        f"{name} must be a cirq.PauliString, cirq.PauliSum or Pauli operation such as "
        f"cirq.Z(q), got {_show(obs)}"
    )


def _prepare_observables(
    circuit: cirq.AbstractCircuit, observable: Any
) -> tuple[list[cirq.PauliSum], bool]:
    """Return (list of PauliSums, was_single) after checking they act on circuit qubits."""
    single = not isinstance(observable, (list, tuple))
    items = [observable] if single else list(observable)
    if not items:
        raise ValueError("observable is an empty list; pass at least one observable")
    sums = [_as_paulisum("observable" if single else f"observable[{i}]", o)
            for i, o in enumerate(items)]
    circuit_qubits = circuit.all_qubits()
    for i, ps in enumerate(sums):
        for term in ps:
            if abs(complex(term.coefficient).imag) > 1e-12:
                raise ValueError(
                    f"observable has a complex coefficient {term.coefficient} in term {term}; "
                    "an observable must be Hermitian (real coefficients)"
                )
        extra = sorted(set(ps.qubits) - set(circuit_qubits))
        if extra:
            label = "observable" if single else f"observable[{i}]"
            raise ValueError(
                f"{label} acts on qubits {[str(q) for q in extra]} that are not in the circuit "
                f"(circuit qubits: {[str(q) for q in sorted(circuit_qubits)]}); measure qubits "
                f"of the circuit, or add a gate on those qubits"
            )
    return sums, single


def _prepare_values(
    circuit: cirq.AbstractCircuit, symbols: Any, values: Any
) -> tuple[list[str], np.ndarray, bool]:
    """Return (symbol names, values as [batch, n_symbols], was_batched)."""
    if symbols is None:
        if values is not None and np.size(values) > 0:
            raise ValueError("values were given but symbols is None; pass symbols= too")
        check_resolvable(circuit, [])
        return [], np.zeros((1, 0)), False
    names = symbol_names("symbols", symbols)
    if values is None:
        raise ValueError(f"symbols {names} were given but values is None; pass values=")
    arr = check_finite("values", as_float_array("values", values))
    if arr.ndim not in (1, 2):
        raise ValueError(f"values must be 1-D [n_symbols] or 2-D [batch, n_symbols], got "
                         f"shape {arr.shape}")
    batched = arr.ndim == 2
    arr2 = arr if batched else arr[None, :]
    if arr2.shape[1] != len(names) or arr2.shape[0] == 0:
        raise ValueError(
            f"values must have one column per symbol ({len(names)}) and at least one row, got "
            f"shape {arr.shape}"
        )
    check_resolvable(circuit, names)
    return names, arr2, batched


def _shape_output(out: np.ndarray, single: bool, batched: bool) -> np.ndarray:
    """out is [batch, n_ops]; drop the axes the caller did not ask for."""
    if single:
        out = out[:, 0]
    if not batched:
        out = out[0]
    return np.asarray(out, dtype=np.float64)


# --------------------------------------------------------------------------------------------
# TFQ backend with a conversion cache
# --------------------------------------------------------------------------------------------
_CACHE_SIZE = 32
_PROGRAM_CACHE: collections.OrderedDict[int, tuple[cirq.FrozenCircuit, Any]] = (
    collections.OrderedDict()
)


def _program_tensor(circuit: cirq.Circuit) -> Any:
    """Return ``tfq.convert_to_tensor([circuit])``, cached: conversion of a deep circuit costs
    seconds, and the same circuit is evaluated again and again with new values."""
    from clipq_edu._tf import tfq

    key = id(circuit)
    hit = _PROGRAM_CACHE.get(key)
    if hit is not None and tuple(hit[0].moments) == tuple(circuit.moments):
        _PROGRAM_CACHE.move_to_end(key)
        return hit[1]
    frozen = cirq.FrozenCircuit(circuit)
    tensor = tfq.convert_to_tensor([circuit])
    _PROGRAM_CACHE[key] = (frozen, tensor)
    while len(_PROGRAM_CACHE) > _CACHE_SIZE:
        _PROGRAM_CACHE.popitem(last=False)
    return tensor


def _expect_tfq(
    circuit: cirq.Circuit, names: list[str], values: np.ndarray, sums: list[cirq.PauliSum]
) -> np.ndarray:
    from clipq_edu._tf import tf, tfq

    batch = values.shape[0]
    programs = tf.tile(_program_tensor(circuit), [batch])
    ops = tf.tile(tfq.convert_to_tensor([sums]), [batch, 1])
    out = tfq.get_expectation_op()(
        programs,
        tf.constant(names, dtype=tf.string),
        tf.constant(values, dtype=tf.float32),
        ops,
    )
    return out.numpy().astype(np.float64)


def _expect_cirq(
    circuit: cirq.Circuit, names: list[str], values: np.ndarray, sums: list[cirq.PauliSum]
) -> np.ndarray:
    sim = cirq.Simulator(dtype=np.complex128)
    order = sorted(circuit.all_qubits())
    qmap = {q: i for i, q in enumerate(order)}
    out = np.empty((values.shape[0], len(sums)))
    for b, row in enumerate(values):
        resolver = cirq.ParamResolver(dict(zip(names, row.tolist(), strict=True)))
        state = sim.simulate(circuit, resolver, qubit_order=order).final_state_vector
        state = state / np.linalg.norm(state)
        for k, ps in enumerate(sums):
            out[b, k] = ps.expectation_from_state_vector(state, qmap, check_preconditions=False).real
    return out


def _expect(
    circuit: cirq.Circuit,
    names: list[str],
    values: np.ndarray,
    sums: list[cirq.PauliSum],
    backend: str = "tfq",
) -> np.ndarray:
    """[batch, n_ops] analytic expectations (private, validated inputs)."""
    if backend == "tfq":
        return _expect_tfq(circuit, names, values, sums)
    return _expect_cirq(circuit, names, values, sums)


# --------------------------------------------------------------------------------------------
# Public: analytic expectations
# --------------------------------------------------------------------------------------------
def expectation(
    circuit: cirq.AbstractCircuit,
    observable: Any,
    symbols: Sequence[Any] | None = None,
    values: Any = None,
) -> np.ndarray:
    """Return the exact expectation <psi|H|psi> of ``observable`` (via TensorFlow Quantum).

    The circuit is converted once (cached) and evaluated for every row of ``values`` in one
    batched TFQ call: this is how a whole batch of inputs or of random circuits is simulated.

    Args:
        circuit: a Cirq circuit; terminal measurements are ignored.
        observable: a ``cirq.PauliString``/``PauliSum``/Pauli operation, or a list of them.
        symbols: the circuit's symbols (sympy or names), or ``None`` for a resolved circuit.
        values: ``[n_symbols]`` or ``[batch, n_symbols]`` values of ``symbols``.

    Returns:
        float64 array: shape ``()`` for one observable and 1-D values, ``[batch]`` for 2-D
        values, with a trailing ``[n_observables]`` axis when ``observable`` is a list.
        TFQ simulates in float32, so expect about 1e-6 rounding.

    Raises:
        ValueError: unresolved symbols (named), observables on qubits outside the circuit
            (named), too many qubits (with the memory needed), bad shapes.

    Taught in chapter 02.
    """
    circuit = _prepare_circuit(circuit)
    sums, single = _prepare_observables(circuit, observable)
    names, vals, batched = _prepare_values(circuit, symbols, values)
    return _shape_output(_expect_tfq(circuit, names, vals, sums), single, batched)


def expectation_cirq(
    circuit: cirq.AbstractCircuit,
    observable: Any,
    symbols: Sequence[Any] | None = None,
    values: Any = None,
) -> np.ndarray:
    """Return the same numbers as ``expectation`` with plain Cirq (complex128, no TensorFlow).

    Slow for big batches (one simulation per row), but independent of TFQ: tests use it to
    check TFQ, and it works where TensorFlow is not installed.

    Args:
        circuit: a Cirq circuit; terminal measurements are ignored.
        observable: a Pauli observable or a list of them.
        symbols: the circuit's symbols, or ``None``.
        values: ``[n_symbols]`` or ``[batch, n_symbols]``.

    Returns:
        float64 array shaped as in ``expectation``.

    Taught in chapter 02.
    """
    circuit = _prepare_circuit(circuit)
    sums, single = _prepare_observables(circuit, observable)
    names, vals, batched = _prepare_values(circuit, symbols, values)
    return _shape_output(_expect_cirq(circuit, names, vals, sums), single, batched)


# --------------------------------------------------------------------------------------------
# Public: shots
# --------------------------------------------------------------------------------------------
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
    """
    shots = check_shots("shots", shots)
    mu = check_finite("mu", as_float_array("mu", mu))
    if np.any(np.abs(mu) > 1 + 1e-9):
        raise ValueError(f"mu must lie in [-1, 1] (a Pauli expectation), got max |mu| = "
                         f"{np.abs(mu).max()}")
    return (1.0 - np.clip(mu, -1, 1) ** 2) / shots


def _split_terms(sums: list[cirq.PauliSum]) -> tuple[list[cirq.PauliSum], list[list[tuple]]]:
    """Return the non-identity terms as one-term PauliSums, and per observable a list of
    (term index or None for the identity, real coefficient)."""
    terms: list[cirq.PauliSum] = []
    layout: list[list[tuple]] = []
    for ps in sums:
        rows = []
        for term in ps:
            coef = float(complex(term.coefficient).real)
            if len(term) == 0:
                rows.append((None, coef))
            else:
                rows.append((len(terms), coef))
                terms.append(cirq.PauliSum.from_pauli_strings([term / term.coefficient]))
        layout.append(rows)
    return terms, layout


def _sample_from_mu(
    mu: np.ndarray, layout: list[list[tuple]], shots: int, rng: np.random.Generator
) -> np.ndarray:
    """Draw one Binomial per (row, term) and combine them per observable: [batch, n_ops]."""
    # Round to 1e-6 (TFQ's float32 precision) so tiny last-bit differences between thread
    # schedules can never change a draw: same seed, same numbers in every process.
    mu = np.clip(np.round(mu, 6), -1.0, 1.0)
    k = rng.binomial(shots, (1.0 + mu) / 2.0) if mu.size else np.zeros_like(mu)
    est = 2.0 * k / shots - 1.0
    out = np.zeros((mu.shape[0], len(layout)))
    for j, rows in enumerate(layout):
        for idx, coef in rows:
            out[:, j] += coef if idx is None else coef * est[:, idx]
    return out


def _sample(
    circuit: cirq.Circuit,
    names: list[str],
    values: np.ndarray,
    sums: list[cirq.PauliSum],
    shots: int,
    rng: np.random.Generator,
    backend: str = "tfq",
) -> np.ndarray:
    terms, layout = _split_terms(sums)
    mu = _expect(circuit, names, values, terms, backend) if terms else np.zeros((len(values), 0))
    return _sample_from_mu(mu, layout, shots, rng)


def sample_expectation(
    circuit: cirq.AbstractCircuit,
    observable: Any,
    shots: int,
    symbols: Sequence[Any] | None = None,
    values: Any = None,
    seed: int | None = None,
    backend: str = "tfq",
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
        backend: ``"tfq"`` (default) or ``"cirq"`` for the exact mu_t.

    Returns:
        float64 array shaped as in ``expectation``.

    References:
        TFQ ``tfq.layers.SampledExpectation``,
        https://www.tensorflow.org/quantum/api_docs/python/tfq/layers/SampledExpectation

    Taught in chapters 02 and 03.
    """
    shots = check_shots("shots", shots)
    seed = check_seed("seed", seed)
    check_choice("backend", backend, BACKENDS)
    circuit = _prepare_circuit(circuit)
    sums, single = _prepare_observables(circuit, observable)
    names, vals, batched = _prepare_values(circuit, symbols, values)
    out = _sample(circuit, names, vals, sums, shots, np.random.default_rng(seed), backend)
    return _shape_output(out, single, batched)


def sample_expectation_variance(
    circuit: cirq.AbstractCircuit,
    observable: Any,
    shots: int,
    symbols: Sequence[Any] | None = None,
    values: Any = None,
    backend: str = "tfq",
) -> np.ndarray:
    """Return the exact variance of ``sample_expectation``: sum_t c_t^2 (1 - mu_t^2) / N.

    Args:
        circuit: a Cirq circuit.
        observable: a Pauli observable or a list of them.
        shots: shots N per term.
        symbols: the circuit's symbols, or ``None``.
        values: ``[n_symbols]`` or ``[batch, n_symbols]``.
        backend: ``"tfq"`` or ``"cirq"``.

    Returns:
        float64 array shaped as in ``expectation``.

    Taught in chapter 03.
    """
    shots = check_shots("shots", shots)
    check_choice("backend", backend, BACKENDS)
    circuit = _prepare_circuit(circuit)
    sums, single = _prepare_observables(circuit, observable)
    names, vals, batched = _prepare_values(circuit, symbols, values)
    out = _variance(circuit, names, vals, sums, shots, backend)
    return _shape_output(out, single, batched)


def _variance(circuit, names, vals, sums, shots, backend="tfq") -> np.ndarray:
    terms, layout = _split_terms(sums)
    mu = _expect(circuit, names, vals, terms, backend) if terms else np.zeros((len(vals), 0))
    var_t = (1.0 - np.clip(mu, -1, 1) ** 2) / shots
    out = np.zeros((vals.shape[0], len(layout)))
    for j, rows in enumerate(layout):
        for idx, coef in rows:
            if idx is not None:
                out[:, j] += coef**2 * var_t[:, idx]
    return out


# --------------------------------------------------------------------------------------------
# Public: counts
# --------------------------------------------------------------------------------------------
def _measured_qubits(circuit: cirq.AbstractCircuit) -> list[cirq.Qid]:
    measured: list[cirq.Qid] = []
    for op in circuit.all_operations():
        if cirq.is_measurement(op):
            measured += [q for q in op.qubits if q not in measured]
    return measured or sorted(circuit.all_qubits())


def probabilities(
    circuit: cirq.AbstractCircuit, symbols: Sequence[Any] | None = None, values: Any = None
) -> tuple[list[cirq.Qid], np.ndarray]:
    """Return the exact outcome probabilities of measuring the circuit (plain Cirq).

    Measured qubits are those of the circuit's terminal measurement gates (in their order), or
    all qubits sorted when there are none.

    Args:
        circuit: a Cirq circuit.
        symbols: the circuit's symbols, or ``None``.
        values: 1-D values of ``symbols``.

    Returns:
        ``(qubits, p)``; ``p[i]`` is the probability of bitstring ``format(i, f"0{n}b")``
        with the first listed qubit as the leftmost bit.

    Taught in chapter 02.
    """
    measured = _measured_qubits(_check_circuit(circuit))
    circ = _prepare_circuit(circuit)
    names, vals, batched = _prepare_values(circ, symbols, values)
    if batched:
        raise ValueError(f"values must be 1-D for counts (one circuit), got shape {vals.shape}")
    order = sorted(circ.all_qubits() | set(measured))
    resolver = cirq.ParamResolver(dict(zip(names, vals[0].tolist(), strict=True)))
    state = cirq.Simulator(dtype=np.complex128).simulate(
        circ, resolver, qubit_order=order
    ).final_state_vector
    probs = np.abs(state) ** 2
    probs = probs.reshape([2] * len(order))
    keep = [order.index(q) for q in measured]
    drop = tuple(i for i in range(len(order)) if i not in keep)
    marg = probs.sum(axis=drop) if drop else probs
    marg = np.transpose(marg, np.argsort(np.argsort(keep))).reshape(-1)
    return measured, marg / marg.sum()


def sample_counts(
    circuit: cirq.AbstractCircuit,
    shots: int,
    seed: int | None = None,
    symbols: Sequence[Any] | None = None,
    values: Any = None,
) -> dict[str, int]:
    """Return measurement counts ``{bitstring: count}`` from ``shots`` seeded shots.

    The exact probabilities come from a state-vector simulation; the counts are one draw of
    ``rng.multinomial(shots, p)`` with ``rng = np.random.default_rng(seed)``, which is exactly
    the distribution of ``shots`` independent measurements. Bitstrings list the measured qubits
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
    """
    shots = check_shots("shots", shots)
    seed = check_seed("seed", seed)
    measured, p = probabilities(circuit, symbols, values)
    k = np.random.default_rng(seed).multinomial(shots, p)
    n = len(measured)
    return {format(i, f"0{n}b"): int(c) for i, c in enumerate(k) if c > 0}


def counts_with_errors(counts: dict[str, int]) -> dict[str, tuple[float, float]]:
    """Return ``{bitstring: (p, standard_error)}`` with p = k/N and se = sqrt(p(1-p)/N).

    Args:
        counts: ``{bitstring: count}`` as from ``sample_counts``.

    Returns:
        The estimated probability of each bitstring and its binomial standard error.

    Taught in chapter 02.
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
    """
    import matplotlib.pyplot as plt

    stats = counts_with_errors(counts)
    total = sum(counts.values())
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4, 0.5 * len(stats) + 2), 3))
    keys = list(stats)
    p = [stats[k][0] for k in keys]
    se = [stats[k][1] for k in keys] if errors else None
    ax.bar(keys, p, yerr=se, capsize=4, color="tab:blue", label="estimated p = k/N")
    ax.set_xlabel("measured bitstring (q0 leftmost)")
    ax.set_ylabel("probability")
    ax.set_ylim(0, min(1.0, max(p) * 1.25 + 0.02))
    ax.set_title(f"{total} shots" + (" (bars: ±1 standard error)" if errors else ""))
    ax.legend(loc="upper right")
    if len(keys) > 8:
        ax.tick_params(axis="x", labelrotation=90)
    return ax
