"""A symbolic Cirq circuit as TensorFlow operations: exact states and expectation values that
TensorFlow differentiates by itself (autodiff), with no TensorFlow Quantum.

This is how the course's hybrid models train where TensorFlow Quantum has no wheels (macOS,
Windows, ARM, Python 3.13): the layers that call TFQ's ``Expectation`` there call
:class:`StateVectorCircuit` here, with the same inputs (symbol values, one row per example)
and the same outputs (one expectation value per observable). On Linux with TFQ installed, the
tests check both against each other and against Cirq.

The state of n qubits is a tensor of shape ``(batch, 2, ..., 2)``; a gate on k qubits is a
contraction of its ``(2,)*2k`` unitary with k axes (``tf.einsum``), batched when the gate's
angle depends on the row. A gate with a symbolic exponent t and global shift s is
U(t) = Σ_λ exp(iπt(λ + s)) P_λ over its eigenprojectors P_λ (λ ∈ {0, 1}), which covers
``rx``/``ry``/``rz``, ``X**t``/``Y**t``/``Z**t``, ``CZ**t``, ``XX**t``, ``YY**t`` and
``ZZ**t``; gates without symbols may be anything Cirq gives a unitary for.

Cost: one pass over the gates per call; memory 2ⁿ amplitudes per row, so small circuits only
(the course's hybrid models have 1 to 8 qubits). Taught in chapter 03b (what a simulator does).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import Any

import cirq
import numpy as np
import sympy

from clipq_edu._tf import tf

__all__ = ["MAX_QUBITS", "StateVectorCircuit"]

#: Largest register simulated here (2^14 amplitudes per row).
MAX_QUBITS = 14
_LETTERS = string.ascii_letters  # einsum subscripts: 'z' is kept for the batch axis

_I = np.eye(2, dtype=complex)
_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.diag([1.0, -1.0]).astype(complex)


def _pair(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenprojectors (λ = 0, λ = 1) of a Pauli product P with eigenvalues ±1."""
    eye = np.eye(p.shape[0], dtype=complex)
    return (eye + p) / 2, (eye - p) / 2


#: Eigenprojectors (P₀, P₁) of the supported parameterised gates (Cirq's λ = 0 and λ = 1).
_PROJECTORS: dict[type, tuple[np.ndarray, np.ndarray]] = {
    cirq.XPowGate: _pair(_X),
    cirq.YPowGate: _pair(_Y),
    cirq.ZPowGate: _pair(_Z),
    cirq.XXPowGate: _pair(np.kron(_X, _X)),
    cirq.YYPowGate: _pair(np.kron(_Y, _Y)),
    cirq.ZZPowGate: _pair(np.kron(_Z, _Z)),
    cirq.CZPowGate: (np.diag([1.0, 1, 1, 0]).astype(complex), np.diag([0.0, 0, 0, 1]).astype(complex)),
}


def _projectors(gate: cirq.Gate) -> tuple[np.ndarray, np.ndarray] | None:
    for kind, pair in _PROJECTORS.items():
        if isinstance(gate, kind):
            return pair
    return None


class StateVectorCircuit:
    """One symbolic circuit, simulated in TensorFlow for a batch of symbol values.

    Args:
      circuit: a ``cirq.Circuit``; its parameterised gates must be among those the module
        docstring lists, each symbol expression built from ``symbols`` (sums, products,
        constants, as sympy writes ``rx(2*x + w)``).
      symbols: the symbols in the order of the value columns.
      operators: observables for :meth:`expectation` (``cirq.PauliSum`` or ``PauliString``).

    Raises ``ValueError`` (naming what is wrong) for a symbol of the circuit missing from
    ``symbols``, more than :data:`MAX_QUBITS` qubits, or a non-Hermitian observable, and
    ``NotImplementedError`` for a symbolic gate outside the supported set.

    >>> import cirq, sympy
    >>> q = cirq.LineQubit(0)
    >>> t = sympy.Symbol("t")
    >>> sim = StateVectorCircuit(cirq.Circuit(cirq.rx(t).on(q)), [t], [cirq.Z(q)])
    >>> values = tf.constant([[0.0], [np.pi / 3]])
    >>> np.round(sim.expectation(values).numpy(), 5).tolist()  # ⟨Z⟩ = cos t
    [[1.0], [0.5]]
    """

    def __init__(self, circuit: cirq.Circuit, symbols: Sequence[Any],
                 operators: Sequence[Any] = ()) -> None:
        if not isinstance(circuit, cirq.Circuit):
            raise TypeError(f"circuit must be a cirq.Circuit, got {type(circuit).__name__}")
        self.symbols = [sympy.Symbol(str(s)) for s in symbols]
        missing = {str(s) for s in cirq.parameter_symbols(circuit)} - {str(s) for s in self.symbols}
        if missing:
            raise ValueError(f"circuit has symbols {sorted(missing)} that are not in symbols "
                             f"{[str(s) for s in self.symbols]}; every symbol must be given a value")
        self.operators = [cirq.PauliSum.wrap(op) for op in operators]
        qubits = set(circuit.all_qubits())
        for op in self.operators:
            qubits |= set(op.qubits)
        self.qubits = sorted(qubits)
        if len(self.qubits) > MAX_QUBITS:
            raise ValueError(f"the circuit and observables act on {len(self.qubits)} qubits; "
                             f"this simulator allows at most {MAX_QUBITS}")
        if not self.qubits:
            raise ValueError("the circuit and the observables act on no qubit")
        self.n_qubits = len(self.qubits)
        self._axis = {q: i for i, q in enumerate(self.qubits)}
        self._steps = [self._compile(op) for op in circuit.all_operations()]
        self._observables = [self._compile_observable(op) for op in self.operators]

    # ------------------------------------------------------------------ compilation
    def _function(self, expr: Any) -> Callable[[Any], Any]:
        """expr (a sympy expression of the symbols) as a function of the value matrix."""
        fn = sympy.lambdify(self.symbols, expr, modules="tensorflow")
        return lambda values: tf.cast(fn(*tf.unstack(values, axis=1)), tf.float32) + tf.zeros(
            tf.shape(values)[:1], tf.float32)

    def _compile(self, op: cirq.Operation) -> tuple[Any, ...]:
        axes = [self._axis[q] for q in op.qubits]
        k = len(axes)
        if not cirq.is_parameterized(op):
            u = cirq.unitary(op).reshape((2,) * (2 * k))
            return ("fixed", axes, tf.constant(u, tf.complex64))
        gate = op.gate
        pair = _projectors(gate) if gate is not None else None
        if pair is None or cirq.is_parameterized(gate.global_shift):
            raise NotImplementedError(
                f"{op!r}: the TensorFlow simulator supports symbols only in rx/ry/rz, X/Y/Z**t, "
                f"CZ**t, XX/YY/ZZ**t; resolve the symbol first (cirq.resolve_parameters) or "
                f"run this circuit with TensorFlow Quantum")
        p0, p1 = (tf.constant(p.reshape((2,) * (2 * k)), tf.complex64) for p in pair)
        return ("eigen", axes, (self._function(gate.exponent), float(gate.global_shift), p0, p1))

    def _compile_observable(self, op: cirq.PauliSum) -> list[tuple[complex, list[tuple[int, np.ndarray]]]]:
        terms = []
        for term in op:
            coefficient = complex(term.coefficient)
            if abs(coefficient.imag) > 1e-12:
                raise ValueError(f"observable {op!r} is not Hermitian (coefficient {coefficient})")
            paulis = [(self._axis[q], {cirq.X: _X, cirq.Y: _Y, cirq.Z: _Z}[p])
                      for q, p in term.items()]
            terms.append((coefficient.real, paulis))
        return terms

    # ------------------------------------------------------------------ simulation
    def _subscripts(self, axes: list[int], batched_gate: bool) -> str:
        n = self.n_qubits
        state = "z" + _LETTERS[:n]
        new = list(_LETTERS[:n])
        outs = []
        for j, a in enumerate(axes):
            out = _LETTERS[n + j]
            outs.append(out)
            new[a] = out
        gate = ("z" if batched_gate else "") + "".join(outs) + "".join(_LETTERS[a] for a in axes)
        return f"{gate},{state}->z{''.join(new)}"

    def _apply(self, state: Any, step: tuple[Any, ...], values: Any) -> Any:
        kind, axes, data = step
        if kind == "fixed":
            return tf.einsum(self._subscripts(axes, False), data, state)
        exponent, shift, p0, p1 = data
        t = exponent(values)  # (batch,)
        phase0 = tf.exp(tf.complex(0.0, np.pi * t * shift))
        phase1 = tf.exp(tf.complex(0.0, np.pi * t * (1.0 + shift)))
        shape = tf.concat([tf.shape(t), tf.ones([tf.rank(p0)], tf.int32)], 0)
        u = (tf.reshape(phase0, shape) * p0[None] + tf.reshape(phase1, shape) * p1[None])
        return tf.einsum(self._subscripts(axes, True), u, state)

    def _values(self, values: Any) -> Any:
        v = tf.convert_to_tensor(values, tf.float32)
        if v.shape.rank != 2 or (v.shape[1] is not None and v.shape[1] != len(self.symbols)):
            raise ValueError(f"values must have shape (batch, {len(self.symbols)}) (one column "
                             f"per symbol), got {tuple(v.shape)}")
        return v

    def state(self, values: Any) -> Any:
        """The final states, ``(batch, 2**n)`` complex64, qubits in sorted order (big-endian
        like Cirq: the first qubit is the most significant bit)."""
        v = self._values(values)
        batch = tf.shape(v)[0]
        zero = tf.one_hot(0, 2 ** self.n_qubits, dtype=tf.complex64)
        state = tf.reshape(tf.tile(zero[None], [batch, 1]), [-1] + [2] * self.n_qubits)
        for step in self._steps:
            state = self._apply(state, step, v)
        return tf.reshape(state, [batch, 2 ** self.n_qubits])

    def expectation(self, values: Any) -> Any:
        """⟨ψ|O|ψ⟩ for each row and each observable: ``(batch, len(operators))`` float32."""
        if not self._observables:
            raise ValueError("no operators were given to StateVectorCircuit")
        v = self._values(values)
        psi = tf.reshape(self.state(v), [-1] + [2] * self.n_qubits)
        columns = []
        for terms in self._observables:
            total = 0.0
            for coefficient, paulis in terms:
                moved = psi
                for axis, matrix in paulis:
                    moved = tf.einsum(self._subscripts([axis], False),
                                      tf.constant(matrix, tf.complex64), moved)
                inner = tf.reduce_sum(tf.math.conj(psi) * moved,
                                      axis=list(range(1, self.n_qubits + 1)))
                total = total + coefficient * tf.math.real(inner)
            columns.append(total * tf.ones(tf.shape(v)[:1]))
        return tf.stack(columns, axis=1)
