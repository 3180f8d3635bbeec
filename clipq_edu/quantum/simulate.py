"""The batched simulator: exact expectations of a batch of parameter rows (chapters 02-05).

One API, keyword-only, with a backend choice:

* :func:`expectation` runs any Cirq circuit built with ``sympy`` symbols for a
  ``[batch, n_symbols]`` array of values: ``backend="tfq"`` (TensorFlow Quantum's expectation
  op, float32, the circuit converted once and cached; the chapters that teach TFQ use it),
  ``backend="cirq"`` (plain Cirq, complex128, one row at a time: the independent reference) or
  ``backend="numpy"`` (the library's own exact simulator, :mod:`clipq_edu.quantum.tfsim`,
  complex128, all rows at once). The default ``"auto"`` is TFQ where it is installed and
  ``"numpy"`` where it is not (macOS, Windows, ARM, Python 3.13).
* :func:`mcclean_expectation` runs the McClean et al. (2018) random-circuit family of
  :func:`clipq_edu.quantum.circuits.mcclean_random_circuit`, where chapter 05 needs thousands of
  circuits: ``backend="numpy"`` is an exact batched NumPy simulator (complex128) that pushes the
  whole batch through each gate at once, as pure states or as density matrices with Cirq's
  depolarising channel after every layer; ``"tfq"`` and ``"cirq"`` run the same circuits
  through the general path, and the tests check all three against each other.

TensorFlow is imported only when a TFQ backend runs (or ``"auto"`` finds TFQ installed).

>>> import cirq
>>> from clipq_edu.quantum.circuits import bell_circuit
>>> from clipq_edu.quantum.simulate import expectation
>>> q0, q1 = cirq.LineQubit.range(2)
>>> round(float(expectation(bell_circuit(), cirq.Z(q0) * cirq.Z(q1), backend="cirq")), 6)
1.0
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import cirq
import numpy as np

from clipq_edu._backend import resolve_backend
from clipq_edu._validate import (
    MAX_LAYERS,
    as_float_array,
    check_array_memory,
    check_bool,
    check_choice,
    check_finite,
    check_int,
    check_positive_float,
)
from clipq_edu.quantum._core import (
    CIRCUIT_BACKENDS,
    check_circuit,
    expect_rows,
    prepare_circuit,
    prepare_observables,
    prepare_values,
    shape_output,
)
from clipq_edu.quantum._statevector import (
    cz_ladder_diagonal,
    simulate_pure,
    slot_unitaries,
    z_diagonal,
)
from clipq_edu.quantum.resources import MAX_DENSITY_QUBITS, check_qubits

__all__ = [
    "MCCLEAN_BACKENDS",
    "MCCLEAN_OBSERVABLES",
    "expectation",
    "mcclean_expectation",
    "probabilities",
    "product_ry_states",
    "states",
]

#: Observables of the McClean family: ``"zz"`` is Z0 Z1 (McClean et al., TFQ's tutorial),
#: ``"z0"`` is Z on qubit 0 alone.
MCCLEAN_OBSERVABLES = ("zz", "z0")
#: Backends of :func:`mcclean_expectation`.
MCCLEAN_BACKENDS = ("numpy", "tfq", "cirq")


# --------------------------------------------------------------------------------------------
# Any circuit
# --------------------------------------------------------------------------------------------
def expectation(
    circuit: cirq.AbstractCircuit,
    observable: Any,
    *,
    symbols: Sequence[Any] | None = None,
    values: Any = None,
    backend: str = "auto",
) -> np.ndarray:
    """Return the exact expectation <psi|H|psi> of ``observable`` for every row of ``values``.

    ``backend="tfq"``: the circuit is converted once (cached) and all rows are evaluated in one
    batched TensorFlow Quantum call (float32: expect about 1e-6 rounding). ``backend="cirq"``:
    plain Cirq, complex128, one simulation per row; slow for big batches but independent of
    TFQ, so the tests use it to check TFQ, and it works without TensorFlow.
    ``backend="numpy"``: the library's own simulator, complex128, all rows at once.
    ``backend="auto"`` (the default) is ``"tfq"`` where TFQ is installed, else ``"numpy"``.

    Args:
        circuit: a Cirq circuit; terminal measurements are ignored.
        observable: a ``cirq.PauliString``/``PauliSum``/Pauli operation, or a list of them.
        symbols: the circuit's symbols (sympy or names), or ``None`` for a resolved circuit.
        values: ``[n_symbols]`` or ``[batch, n_symbols]`` values of ``symbols``.
        backend: ``"auto"`` (default: TensorFlow Quantum where installed, else ``"numpy"``), ``"tfq"``, ``"cirq"`` or ``"numpy"`` (the library's exact simulator, complex128).

    Returns:
        float64 array: shape ``()`` for one observable and 1-D values, ``[batch]`` for 2-D
        values, with a trailing ``[n_observables]`` axis when ``observable`` is a list.

    Raises:
        ValueError: unresolved symbols (named), observables on qubits outside the circuit
            (named), too many qubits (with the memory needed), bad shapes.

    Taught in chapter 02 (and 03, 04 with TFQ).

    >>> import cirq, sympy
    >>> q, t = cirq.LineQubit(0), sympy.Symbol("t")
    >>> expectation(cirq.Circuit(cirq.rx(t)(q)), cirq.Z(q), symbols=[t],
    ...             values=[[0.0], [np.pi / 2], [np.pi]], backend="cirq").round(6)
    array([ 1.,  0., -1.])
    """
    check_choice("backend", backend, CIRCUIT_BACKENDS)
    circuit = prepare_circuit(circuit)
    sums, single = prepare_observables(circuit, observable)
    names, vals, batched = prepare_values(circuit, symbols, values)
    return shape_output(expect_rows(circuit, names, vals, sums, backend), single, batched)


def states(
    circuit: cirq.AbstractCircuit,
    *,
    symbols: Sequence[Any] | None = None,
    values: Any = None,
    backend: str = "auto",
) -> np.ndarray:
    """Return the final state vector of the circuit for every row of ``values``.

    ``backend="tfq"``: TensorFlow Quantum's state op, all rows in one batched call (the
    circuit converted once and cached; complex64, returned as complex128).
    ``backend="cirq"``: ``cirq.Simulator`` in complex128, one row at a time.
    ``backend="numpy"``: the library's own simulator, complex128, all rows at once.
    ``"auto"`` (default): ``"tfq"`` where TFQ is installed, else ``"numpy"``. Qubits are sorted
    and qubit 0 is the most significant bit of an amplitude's index, in every backend.

    Args:
        circuit: a Cirq circuit; terminal measurements are ignored.
        symbols: the circuit's symbols (sympy or names), or ``None`` for a resolved circuit.
        values: ``[n_symbols]`` or ``[batch, n_symbols]`` values of ``symbols``.
        backend: ``"auto"`` (default: TensorFlow Quantum where installed, else ``"numpy"``), ``"tfq"``, ``"cirq"`` or ``"numpy"`` (the library's exact simulator, complex128).

    Returns:
        complex128 amplitudes: ``[2**n_qubits]`` for 1-D values, ``[batch, 2**n_qubits]`` for
        2-D values.

    Taught in chapter 03 (the quantum-kernel SVM compares these states).

    >>> from clipq_edu.quantum.circuits import bell_circuit
    >>> states(bell_circuit(), backend="cirq").real.round(6).tolist()
    [0.707107, 0.0, 0.0, 0.707107]
    """
    check_choice("backend", backend, CIRCUIT_BACKENDS)
    circuit = prepare_circuit(circuit)
    names, vals, batched = prepare_values(circuit, symbols, values)
    backend = resolve_backend(backend, allowed=CIRCUIT_BACKENDS)
    run = {"tfq": _states_tfq, "cirq": _states_cirq, "numpy": _states_numpy}[backend]
    out = run(circuit, names, vals)
    return out if batched else out[0]


def _states_cirq(circuit: cirq.Circuit, names: list[str], values: np.ndarray) -> np.ndarray:
    sim = cirq.Simulator(dtype=np.complex128)
    order = sorted(circuit.all_qubits())
    out = np.empty((values.shape[0], 2 ** len(order)), np.complex128)
    for b, row in enumerate(values):
        resolver = cirq.ParamResolver(dict(zip(names, row.tolist(), strict=True)))
        out[b] = sim.simulate(circuit, resolver, qubit_order=order).final_state_vector
    return out


def _states_numpy(circuit: cirq.Circuit, names: list[str], values: np.ndarray) -> np.ndarray:
    from clipq_edu.quantum._core import numpy_simulator

    return numpy_simulator(circuit, names).state(values)


def _states_tfq(circuit: cirq.Circuit, names: list[str], values: np.ndarray) -> np.ndarray:
    from clipq_edu._tf import tf, tfq
    from clipq_edu.quantum._core import program_tensor

    out = tfq.get_state_op()(
        tf.tile(program_tensor(circuit), [len(values)]),
        tf.constant(list(names), dtype=tf.string),
        tf.constant(values, dtype=tf.float32),
    )
    if isinstance(out, tf.RaggedTensor):
        out = out.to_tensor()
    return np.asarray(out.numpy(), dtype=np.complex128)


def _measured_qubits(circuit: cirq.AbstractCircuit) -> list[cirq.Qid]:
    measured: list[cirq.Qid] = []
    for op in circuit.all_operations():
        if cirq.is_measurement(op):
            measured += [q for q in op.qubits if q not in measured]
    return measured or sorted(circuit.all_qubits())


def probabilities(
    circuit: cirq.AbstractCircuit, *, symbols: Sequence[Any] | None = None, values: Any = None
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

    >>> from clipq_edu.quantum.circuits import bell_circuit
    >>> qs, p = probabilities(bell_circuit())
    >>> p.round(3).tolist()
    [0.5, 0.0, 0.0, 0.5]
    """
    measured = _measured_qubits(check_circuit(circuit))
    circ = prepare_circuit(circuit)
    names, vals, batched = prepare_values(circ, symbols, values)
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


# --------------------------------------------------------------------------------------------
# The McClean family: exact batched NumPy kernels (private). The gates' matrices and diagonals
# have one home, quantum._statevector (slot_unitaries, cz_ladder_diagonal, z_diagonal).
# --------------------------------------------------------------------------------------------
def _observable_diagonal(n_qubits: int, observable: str) -> np.ndarray:
    """Diagonal of Z0 Z1 (``"zz"``) or Z0 (``"z0"``) in the computational basis (q0 = MSB)."""
    return z_diagonal(n_qubits, (0, 1) if observable == "zz" else (0,))


def _apply_1q(state: np.ndarray, u: np.ndarray, axis: int, n_axes: int) -> np.ndarray:
    """Apply a batch of 2x2 matrices ``u`` to tensor axis ``axis`` of ``(batch, 2**n_axes)``
    (axis 0 = most significant bit); returns a new array."""
    batch = state.shape[0]
    s = state.reshape(batch, 2**axis, 2, 2 ** (n_axes - axis - 1))
    s0, s1 = s[:, :, 0, :], s[:, :, 1, :]
    u = u[:, :, :, None, None]
    out = np.empty_like(s)
    np.multiply(u[:, 0, 0], s0, out=out[:, :, 0, :])
    out[:, :, 0, :] += u[:, 0, 1] * s1
    np.multiply(u[:, 1, 0], s0, out=out[:, :, 1, :])
    out[:, :, 1, :] += u[:, 1, 1] * s1
    return out.reshape(batch, -1)


def _depolarise(rho: np.ndarray, n: int, q: int, p: float) -> np.ndarray:
    """Cirq's depolarize(p) on qubit q: rho -> (1 - 4p/3) rho + (4p/3) I/2 (x) Tr_q rho."""
    lam = 4.0 * p / 3.0
    b = rho.shape[0]
    r = rho.reshape(b, 2**q, 2, 2 ** (n - q - 1), 2**q, 2, 2 ** (n - q - 1))
    half_trace = 0.5 * (r[:, :, 0, :, :, 0, :] + r[:, :, 1, :, :, 1, :])
    out = (1.0 - lam) * r
    out[:, :, 0, :, :, 0, :] += lam * half_trace
    out[:, :, 1, :, :, 1, :] += lam * half_trace
    return out.reshape(rho.shape)


_RY0 = np.array([[0.0, np.pi / 4, 0.0]])


def _mcclean_pure(
    slots: np.ndarray, n_qubits: int, observable_diagonal: np.ndarray, every_layer: bool
) -> np.ndarray:
    """Pure-state kernel: slots (batch, depth, n, 3) -> (batch,) or (depth, batch)."""
    return simulate_pure(slots, n_qubits, observable_diagonal, every_layer, dtype=np.complex128)


def _mcclean_density(
    slots: np.ndarray, n_qubits: int, observable_diagonal: np.ndarray, every_layer: bool,
    p: float,
) -> np.ndarray:
    """Density-matrix kernel with depolarize(p) on every qubit after every layer."""
    batch, depth, n = slots.shape[0], slots.shape[1], n_qubits
    signs = cz_ladder_diagonal(n)
    signs2 = np.outer(signs, signs).ravel()
    ry0 = np.broadcast_to(slot_unitaries(_RY0), (batch, 2, 2))
    rho = np.zeros((batch, 4**n), complex)
    rho[:, 0] = 1.0

    def rotate(rho: np.ndarray, u: np.ndarray, q: int) -> np.ndarray:
        return _apply_1q(_apply_1q(rho, u, q, 2 * n), u.conj(), n + q, 2 * n)

    for q in range(n):
        rho = rotate(rho, ry0, q)
    readings = []
    for layer in range(depth):
        for q in range(n):
            rho = rotate(rho, slot_unitaries(slots[:, layer, q]), q)
        rho = rho * signs2
        if p > 0:
            for q in range(n):
                rho = _depolarise(rho, n, q, p)
        if every_layer or layer == depth - 1:
            probs = rho.reshape(batch, 2**n, 2**n).diagonal(axis1=1, axis2=2).real
            readings.append(probs @ observable_diagonal)
    return np.array(readings) if every_layer else readings[-1]


@functools.lru_cache(maxsize=16)
def _mcclean_circuit(n: int, depth: int) -> tuple[cirq.Circuit, tuple[str, ...]]:
    """The symbolic McClean circuit (private, never handed out) and its symbol names."""
    from clipq_edu.quantum.circuits import mcclean_random_circuit

    circuit, table = mcclean_random_circuit(n, depth)
    return circuit, tuple(s.name for s in table.ravel())


def _mcclean_noisy_cirq(row: np.ndarray, n: int, depth: int, p: float) -> np.ndarray:
    """Cirq density-matrix probabilities of one McClean circuit with depolarize(p) per layer."""
    qs = cirq.LineQubit.range(n)
    noisy = cirq.Circuit(cirq.ry(np.pi / 4)(q) for q in qs)
    slots = row.reshape(depth, n, 3)
    for layer in range(depth):
        for j, q in enumerate(qs):
            a, b, c = slots[layer, j]
            noisy.append([cirq.rx(a)(q), cirq.ry(b)(q), cirq.rz(c)(q)])
        noisy.append(cirq.CZ(x, y) for x, y in zip(qs, qs[1:], strict=False))
        noisy.append(cirq.depolarize(p).on_each(*qs), strategy=cirq.InsertStrategy.NEW)
    sim = cirq.DensityMatrixSimulator(dtype=np.complex128)
    rho = sim.simulate(noisy, qubit_order=qs).final_density_matrix
    return np.real(np.diag(rho))


def _mcclean_general(values, n, depth, observable, p, backend) -> np.ndarray:
    """The McClean circuits through the general backends (TFQ or Cirq)."""
    if p is not None:
        diag = _observable_diagonal(n, observable)
        return np.array([_mcclean_noisy_cirq(row, n, depth, p) @ diag for row in values])
    circuit, names = _mcclean_circuit(n, depth)
    q = cirq.LineQubit.range(n)
    op = cirq.Z(q[0]) * cirq.Z(q[1]) if observable == "zz" else cirq.Z(q[0]) * 1.0
    sums = [cirq.PauliSum.from_pauli_strings([op])]
    return expect_rows(circuit, list(names), values, sums, backend)[:, 0]


def _check_mcclean(values, n_qubits, depth, p, every_layer, backend):
    n = check_qubits("n_qubits", n_qubits)
    if n < 2:
        raise ValueError(f"n_qubits must be >= 2 (the observables use qubits 0 and 1), got {n}")
    depth = check_int("depth", depth, minimum=1, maximum=MAX_LAYERS)
    vals = check_finite("values", as_float_array("values", values))
    if vals.ndim not in (1, 2) or vals.shape[-1] != 3 * depth * n or vals.size == 0:
        raise ValueError(f"values must be [3 * depth * n_qubits] = [{3 * depth * n}] or "
                         f"[batch, {3 * depth * n}], got shape {vals.shape}")
    if p is not None:
        p = check_positive_float("p", p, allow_zero=True)
        if p > 0.75:
            raise ValueError(f"p must be in [0, 0.75] (0.75 is fully depolarising), got {p}")
        check_qubits("n_qubits", n, max_qubits=MAX_DENSITY_QUBITS)
    if backend != "numpy" and every_layer:
        raise ValueError(f"every_layer=True needs backend='numpy', got backend={backend!r}")
    if backend == "tfq" and p is not None:
        raise ValueError("backend='tfq' simulates pure states only; use backend='numpy' (or "
                         f"'cirq') for depolarising noise p={p}")
    return vals, n, depth, p


def mcclean_expectation(
    values: Any,
    *,
    n_qubits: int,
    depth: int,
    observable: str = "zz",
    p: float | None = None,
    every_layer: bool = False,
    backend: str = "numpy",
) -> np.ndarray:
    """Return the expectation of Z0 Z1 (or Z0) for a batch of McClean random circuits.

    The circuits are :func:`clipq_edu.quantum.circuits.mcclean_random_circuit` ``(n_qubits,
    depth)`` resolved with each row of ``values`` (from
    :func:`clipq_edu.quantum.circuits.mcclean_random_values`): ry(pi/4) on every qubit, then
    ``depth`` layers of rx ry rz per qubit and a CZ ladder. With ``p`` given, Cirq's
    ``depolarize(p)`` acts on every qubit after every layer (a density-matrix simulation;
    ``p=0`` is the noiseless density-matrix path).

    Backends: ``"numpy"`` (default) is exact (complex128) and batched: every gate acts on the
    whole batch at once, with the CZ ladder as one +-1 diagonal; use it where TFQ is slow (many
    circuits) or cannot go (noise, ``every_layer``). ``"tfq"`` is TFQ's expectation op on the
    symbolic circuit (float32, pure states); ``"cirq"`` simulates one row at a time with
    ``cirq.Simulator`` or ``cirq.DensityMatrixSimulator``: the reference the others are checked
    against.

    Args:
        values: ``[3 * depth * n_qubits]`` or ``[batch, 3 * depth * n_qubits]`` angles.
        n_qubits: qubits, 2..20 (2..7 with ``p``).
        depth: layers, >= 1.
        observable: ``"zz"`` (Z0 Z1) or ``"z0"`` (Z on qubit 0).
        p: depolarising probability per qubit per layer in [0, 0.75], or ``None`` (pure).
        every_layer: also read the observable after each layer (``numpy`` only): a circuit of
            depth L is the first L layers of the deeper one.
        backend: ``"numpy"``, ``"tfq"`` or ``"cirq"``.

    Returns:
        float64 ``[batch]`` (a float array of shape ``()`` for 1-D values), or
        ``[depth, batch]`` with ``every_layer``.

    References:
        McClean, Boixo, Smelyanskiy, Babbush, Neven, "Barren plateaus in quantum neural network
        training landscapes", Nat. Commun. 9, 4812 (2018), https://arxiv.org/abs/1803.11173

    Taught in chapter 05.

    >>> from clipq_edu.quantum.circuits import mcclean_random_values
    >>> values, _ = mcclean_random_values(3, 4, n_circuits=2, seed=0)
    >>> a = mcclean_expectation(values, n_qubits=3, depth=4)
    >>> b = mcclean_expectation(values, n_qubits=3, depth=4, backend="cirq")
    >>> bool(np.allclose(a, b, atol=1e-12))
    True
    """
    check_choice("backend", backend, MCCLEAN_BACKENDS)
    check_choice("observable", observable, MCCLEAN_OBSERVABLES)
    every_layer = check_bool("every_layer", every_layer)
    vals, n, depth, p = _check_mcclean(values, n_qubits, depth, p, every_layer, backend)
    rows = vals.reshape(-1, vals.shape[-1])
    check_array_memory("values", rows.shape[0] * 16 * (4**n if p is not None else 2**n),
                       f"{rows.shape[0]} simulated states")
    if backend != "numpy":
        out = _mcclean_general(rows, n, depth, observable, p, backend)
    elif p is None:
        out = _mcclean_pure(rows.reshape(-1, depth, n, 3), n, _observable_diagonal(n, observable),
                            every_layer)
    else:
        out = _mcclean_density(rows.reshape(-1, depth, n, 3), n,
                               _observable_diagonal(n, observable), every_layer, p)
    out = np.asarray(out, dtype=np.float64)
    return out[..., 0] if vals.ndim == 1 else out


def product_ry_states(theta: Any, *, backend: str = "numpy") -> np.ndarray:
    """Return the states ⊗ⱼ ry(θⱼ)|0> of the product ansatz, one per row of ``theta``.

    Qubit j of row b is rotated by ry(theta[b, j]); no entangling gate. Chapter 05's global
    versus local cost experiment (Cerezo et al. 2021) reads its costs from these states.
    ``backend="numpy"`` applies the rotations to the whole batch at once (complex128);
    ``"tfq"`` runs TFQ's state op on the symbolic circuit (complex64).

    Args:
        theta: ``[batch, n_qubits]`` angles in radians (1..20 qubits, finite).
        backend: ``"numpy"`` or ``"tfq"``.

    Returns:
        complex128 ``[batch, 2**n_qubits]`` amplitudes, qubit 0 the most significant bit.

    Taught in chapter 05.

    >>> product_ry_states([[np.pi, 0.0]]).real.round(6).tolist()
    [[0.0, 0.0, 1.0, 0.0]]
    """
    check_choice("backend", backend, ("numpy", "tfq"))
    th = check_finite("theta", as_float_array("theta", theta, ndim=2))
    if th.shape[0] == 0:
        raise ValueError(f"theta must hold at least one row, got shape {th.shape}")
    n = check_qubits("theta.shape[1] (qubits)", th.shape[1])
    check_array_memory("theta", th.shape[0] * 16 * 2**n, f"{th.shape[0]} states of {n} qubits")
    if backend == "tfq":
        return _product_ry_tfq(th, n)
    state = np.zeros((th.shape[0], 2**n), complex)
    state[:, 0] = 1.0
    angles = np.zeros((th.shape[0], 3))
    for q in range(n):
        angles[:, 1] = th[:, q]
        state = _apply_1q(state, slot_unitaries(angles), q, n)
    return state


@functools.lru_cache(maxsize=16)
def _product_ry_circuit(n: int) -> tuple[cirq.Circuit, tuple[str, ...]]:
    """ry(theta_j) on qubit j (private, never handed out) and its symbol names."""
    import sympy

    qs = cirq.LineQubit.range(n)
    syms = [sympy.Symbol(f"theta_{j}") for j in range(n)]
    circuit = cirq.Circuit(cirq.ry(s)(q) for s, q in zip(syms, qs, strict=True))
    return circuit, tuple(s.name for s in syms)


def _product_ry_tfq(theta: np.ndarray, n: int) -> np.ndarray:
    circuit, names = _product_ry_circuit(n)
    return _states_tfq(circuit, list(names), theta)
