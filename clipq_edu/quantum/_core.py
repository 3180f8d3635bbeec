"""Private helpers shared by the quantum modules: argument preparation and the backends' kernels.

Nothing here validates twice: the public functions of ``simulate``, ``sampling`` and
``gradients`` check their arguments with ``prepare_*`` and then call ``expect_rows`` with
clean inputs (a circuit, symbol names, a ``[batch, n_symbols]`` float array, PauliSums).
The shot estimates of the same rows (``sample_rows``, ``variance_rows``) live in ``sampling``,
the sampler's one home, which imports this module (never the other way round).
TensorFlow is imported only inside the TFQ kernel.
"""

from __future__ import annotations

from typing import Any

import cirq
import numpy as np
import sympy

from clipq_edu._backend import resolve_backend
from clipq_edu._lru import CircuitLRU
from clipq_edu._validate import _show, as_float_array, check_finite
from clipq_edu.quantum.resources import check_qubits

#: Backends of the general (any circuit) expectation.
#: "auto": TensorFlow Quantum where it imports, else "numpy" (clipq_edu._backend).
CIRCUIT_BACKENDS = ("auto", "tfq", "cirq", "numpy")


# --------------------------------------------------------------------------------------------
# Circuits and symbols
# --------------------------------------------------------------------------------------------
def check_circuit(circuit: Any, name: str = "circuit") -> cirq.AbstractCircuit:
    """Raise ``TypeError`` unless ``circuit`` is a Cirq circuit."""
    if not isinstance(circuit, cirq.AbstractCircuit):
        raise TypeError(f"{name} must be a cirq.Circuit, got {type(circuit).__name__}")
    return circuit


def symbol_names(name: str, symbols: Any) -> list[str]:
    """Return ``symbols`` (sympy symbols or strings) as a list of unique names."""
    if isinstance(symbols, (str, sympy.Symbol)):
        symbols = [symbols]
    try:
        items = list(symbols)
    except TypeError:
        raise TypeError(f"{name} must be a list of sympy symbols or strings, got "
                        f"{_show(symbols)}") from None
    names = []
    for s in items:
        if isinstance(s, sympy.Symbol):
            names.append(s.name)
        elif isinstance(s, str) and s:
            names.append(s)
        else:
            raise TypeError(f"{name} must hold sympy symbols or strings, got {_show(s)}")
    dup = sorted({s for s in names if names.count(s) > 1})
    if dup:
        raise ValueError(f"{name} lists these symbols more than once: {dup}")
    return names


def check_resolvable(circuit: cirq.AbstractCircuit, names: list[str]) -> None:
    """Raise ``ValueError`` naming the circuit symbols missing from ``names``."""
    given = set(names)
    missing = []
    for op in circuit.all_operations():
        missing += [s for s in sorted(cirq.parameter_names(op)) if s not in given and s not in missing]
    if missing:
        raise ValueError(
            f"the circuit has unresolved symbols {missing}: pass them in symbols= with a value "
            f"each (symbols given: {list(names)})"
        )


def prepare_circuit(circuit: Any) -> cirq.Circuit:
    """Check the circuit and its qubit budget, and drop terminal measurements."""
    check_circuit(circuit)
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


def as_paulisum(name: str, obs: Any) -> cirq.PauliSum:
    """Return ``obs`` (PauliString, PauliSum or Pauli operation) as a ``cirq.PauliSum``."""
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


def prepare_observables(
    circuit: cirq.AbstractCircuit, observable: Any
) -> tuple[list[cirq.PauliSum], bool]:
    """Return (list of PauliSums, was_single) after checking they act on circuit qubits."""
    single = not isinstance(observable, (list, tuple))
    items = [observable] if single else list(observable)
    if not items:
        raise ValueError("observable is an empty list; pass at least one observable")
    sums = [as_paulisum("observable" if single else f"observable[{i}]", o)
            for i, o in enumerate(items)]
    circuit_qubits = circuit.all_qubits()
    for i, ps in enumerate(sums):
        label = "observable" if single else f"observable[{i}]"
        for term in ps:
            if abs(complex(term.coefficient).imag) > 1e-12:
                raise ValueError(
                    f"{label} has a complex coefficient {term.coefficient} in term {term}; "
                    "an observable must be Hermitian (real coefficients)"
                )
        extra = sorted(set(ps.qubits) - set(circuit_qubits))
        if extra:
            raise ValueError(
                f"{label} acts on qubits {[str(q) for q in extra]} that are not in the circuit "
                f"(circuit qubits: {[str(q) for q in sorted(circuit_qubits)]}); measure qubits "
                f"of the circuit, or add a gate on those qubits"
            )
    return sums, single


def prepare_values(
    circuit: cirq.AbstractCircuit, symbols: Any, values: Any
) -> tuple[list[str], np.ndarray, bool]:
    """Return (symbol names, values as [batch, n_symbols], was_batched)."""
    if symbols is None:
        if values is not None and as_float_array("values", values).size > 0:
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


def shape_output(out: np.ndarray, single: bool, batched: bool) -> np.ndarray:
    """``out`` is [batch, n_ops]; drop the axes the caller did not ask for."""
    if single:
        out = out[:, 0]
    if not batched:
        out = out[0]
    return np.asarray(out, dtype=np.float64)


# --------------------------------------------------------------------------------------------
# Pauli decomposition
# --------------------------------------------------------------------------------------------
def split_terms(sums: list[cirq.PauliSum]) -> tuple[list[cirq.PauliSum], list[list[tuple]]]:
    """Return the non-identity terms as one-term unit PauliSums, and per observable a list of
    (term index, or None for the identity, real coefficient)."""
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


def combine_terms(per_term: np.ndarray, layout: list[list[tuple]], identity_value: float,
                  square: bool = False) -> np.ndarray:
    """sum_t c_t x_t per observable ([batch, n_terms] -> [batch, n_ops]); the identity term
    contributes c_0 * identity_value (1 for means, 0 for variances). ``square`` uses c_t**2."""
    out = np.zeros((per_term.shape[0], len(layout)))
    for j, rows in enumerate(layout):
        for idx, coef in rows:
            c = coef**2 if square else coef
            out[:, j] += c * identity_value if idx is None else c * per_term[:, idx]
    return out


# --------------------------------------------------------------------------------------------
# Backends
# --------------------------------------------------------------------------------------------
_PROGRAMS = CircuitLRU(32)


def program_tensor(circuit: cirq.Circuit) -> Any:
    """Return ``tfq.convert_to_tensor([circuit])``, cached (bounded LRU): converting a deep
    circuit costs seconds, and the same circuit is evaluated again and again with new values.
    The key is the circuit's id, checked against a frozen copy, so a mutated circuit is
    converted again. TensorFlow tensors are immutable, so the cached value is safe to share."""
    from clipq_edu._tf import tfq

    return _PROGRAMS.get_or_build(circuit, lambda: tfq.convert_to_tensor([circuit]))


def _expect_tfq(circuit, names, values, sums) -> np.ndarray:
    from clipq_edu._tf import tf, tfq

    batch = values.shape[0]
    programs = tf.tile(program_tensor(circuit), [batch])
    ops = tf.tile(tfq.convert_to_tensor([sums]), [batch, 1])
    out = tfq.get_expectation_op()(
        programs,
        tf.constant(names, dtype=tf.string),
        tf.constant(values, dtype=tf.float32),
        ops,
    )
    return out.numpy().astype(np.float64)


def _expect_cirq(circuit, names, values, sums) -> np.ndarray:
    sim = cirq.Simulator(dtype=np.complex128)
    order = sorted(circuit.all_qubits())
    qmap = {q: i for i, q in enumerate(order)}
    out = np.empty((values.shape[0], len(sums)))
    for b, row in enumerate(values):
        resolver = cirq.ParamResolver(dict(zip(names, row.tolist(), strict=True)))
        state = sim.simulate(circuit, resolver, qubit_order=order).final_state_vector
        state = state / np.linalg.norm(state)
        for k, ps in enumerate(sums):
            out[b, k] = ps.expectation_from_state_vector(state, qmap,
                                                          check_preconditions=False).real
    return out


_SIMULATORS = CircuitLRU(32)


def numpy_simulator(circuit: cirq.Circuit, names: list[str], sums: Any = ()) -> Any:
    """The library's exact simulator (:class:`~clipq_edu.quantum.tfsim.StateVectorCircuit`,
    NumPy engine, complex128) for ``circuit`` with its symbols in the order of ``names``,
    compiled once per circuit, symbol order and observables (bounded LRU)."""
    from clipq_edu.quantum.tfsim import StateVectorCircuit

    key = (tuple(names), tuple(str(s) for s in sums))
    return _SIMULATORS.get_or_build(
        circuit, lambda: StateVectorCircuit(circuit, [sympy.Symbol(n) for n in names], sums,
                                            engine="numpy"), extra=key)


def expect_rows(
    circuit: cirq.Circuit,
    names: list[str],
    values: np.ndarray,
    sums: list[cirq.PauliSum],
    backend: str = "auto",
) -> np.ndarray:
    """Exact expectations [batch, n_ops] of validated inputs, on ``"tfq"``, ``"cirq"`` or
    ``"numpy"`` (``"auto"``: TFQ where it imports, else ``"numpy"``)."""
    if not sums:
        return np.zeros((values.shape[0], 0))
    backend = resolve_backend(backend, allowed=CIRCUIT_BACKENDS)
    if backend == "tfq":
        return _expect_tfq(circuit, names, values, sums)
    if backend == "numpy":
        return numpy_simulator(circuit, names, sums).expectation(values)
    return _expect_cirq(circuit, names, values, sums)
