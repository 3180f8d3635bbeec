"""The library's own state-vector simulator: a symbolic Cirq circuit as array operations, in
TensorFlow (complex64, differentiated by autodiff) or in NumPy (complex128, exact).

This is how the course runs where TensorFlow Quantum has no wheels (macOS, Windows, ARM,
Python 3.13): the hybrid Keras layers that call TFQ's ``Expectation`` there call
:class:`StateVectorCircuit` (``engine="tensorflow"``) here, with the same inputs (symbol
values, one row per example) and the same outputs (one expectation value per observable); and
``backend="numpy"`` (what ``backend="auto"`` becomes without TFQ) evaluates general circuits
with ``engine="numpy"``. On Linux with TFQ installed, the tests check both engines against
TFQ and against Cirq.

The state of n qubits is a tensor of shape ``(batch, 2, ..., 2)``; a gate on k qubits is a
contraction of its ``(2,)*2k`` unitary with k axes (``tf.einsum``), batched when the gate's
angle depends on the row. A gate with a symbolic exponent t and global shift s is
U(t) = Σ_λ exp(iπt(λ + s)) P_λ over its eigenprojectors P_λ (λ ∈ {0, 1}), which covers
``rx``/``ry``/``rz``, ``X**t``/``Y**t``/``Z**t``, ``CZ**t``, ``XX**t``, ``YY**t`` and
``ZZ**t``; gates without symbols may be anything Cirq gives a unitary for.

Cost: one pass over the gates per call; memory 2ⁿ amplitudes per row, so small circuits only
(the course's hybrid models have 1 to 8 qubits). TensorFlow is imported only by the
TensorFlow engine. Taught in chapter 03b (what a simulator does).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import Any

import cirq
import numpy as np
import sympy

__all__ = ["ENGINES", "MAX_QUBITS", "StateVectorCircuit"]

#: The array libraries the simulator runs on.
ENGINES = ("tensorflow", "numpy")

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
      engine: ``"tensorflow"`` (complex64 tensors, differentiable: the Keras layers) or
        ``"numpy"`` (complex128 arrays: exact values for ``backend="numpy"``).

    Raises ``ValueError`` (naming what is wrong) for a symbol of the circuit missing from
    ``symbols``, more than :data:`MAX_QUBITS` qubits, or a non-Hermitian observable, and
    ``NotImplementedError`` for a symbolic gate outside the supported set.

    >>> import cirq, sympy
    >>> q = cirq.LineQubit(0)
    >>> t = sympy.Symbol("t")
    >>> exact = StateVectorCircuit(cirq.Circuit(cirq.rx(t).on(q)), [t], [cirq.Z(q)], engine="numpy")
    >>> exact.expectation([[0.0], [np.pi / 3]]).round(12).tolist()  # ⟨Z⟩ = cos t
    [[1.0], [0.5]]

    The TensorFlow engine takes the same arguments and returns a float32 tensor that a
    ``tf.GradientTape`` differentiates (tests/test_tfsim.py).
    """

    def __init__(self, circuit: cirq.Circuit, symbols: Sequence[Any],
                 operators: Sequence[Any] = (), *, engine: str = "tensorflow") -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {list(ENGINES)}, got {engine!r}")
        self.engine = engine
        if engine == "tensorflow":
            from clipq_edu._tf import tf

            self._tf = tf
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
        """expr (a sympy expression of the symbols) as a function of the value matrix,
        returning one value per row."""
        if self.engine == "numpy":
            fn = sympy.lambdify(self.symbols, expr, modules="numpy")
            return lambda values: np.broadcast_to(
                np.asarray(fn(*values.T), dtype=np.float64), values.shape[:1])
        tf = self._tf
        fn = sympy.lambdify(self.symbols, expr, modules="tensorflow")
        return lambda values: tf.cast(fn(*tf.unstack(values, axis=1)), tf.float32) + tf.zeros(
            tf.shape(values)[:1], tf.float32)

    def _const(self, array: np.ndarray) -> Any:
        if self.engine == "numpy":
            return np.asarray(array, dtype=np.complex128)
        return self._tf.constant(array, self._tf.complex64)

    def _compile(self, op: cirq.Operation) -> tuple[Any, ...]:
        axes = [self._axis[q] for q in op.qubits]
        k = len(axes)
        if not cirq.is_parameterized(op):
            u = cirq.unitary(op).reshape((2,) * (2 * k))
            return ("fixed", axes, self._const(u))
        gate = op.gate
        pair = _projectors(gate) if gate is not None else None
        if pair is None or cirq.is_parameterized(gate.global_shift):
            raise NotImplementedError(
                f"{op!r}: the TensorFlow simulator supports symbols only in rx/ry/rz, X/Y/Z**t, "
                f"CZ**t, XX/YY/ZZ**t; resolve the symbol first (cirq.resolve_parameters) or "
                f"run this circuit with TensorFlow Quantum")
        p0, p1 = (self._const(p.reshape((2,) * (2 * k))) for p in pair)
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

    def _einsum(self, subscripts: str, a: Any, b: Any) -> Any:
        if self.engine == "numpy":
            return np.einsum(subscripts, a, b)
        return self._tf.einsum(subscripts, a, b)

    def _apply(self, state: Any, step: tuple[Any, ...], values: Any) -> Any:
        kind, axes, data = step
        if kind == "fixed":
            return self._einsum(self._subscripts(axes, False), data, state)
        exponent, shift, p0, p1 = data
        t = exponent(values)  # (batch,)
        if self.engine == "numpy":
            phase0, phase1 = np.exp(1j * np.pi * t * shift), np.exp(1j * np.pi * t * (1 + shift))
            shape = (-1,) + (1,) * p0.ndim
            u = phase0.reshape(shape) * p0[None] + phase1.reshape(shape) * p1[None]
        else:
            tf = self._tf
            phase0 = tf.exp(tf.complex(0.0, np.pi * t * shift))
            phase1 = tf.exp(tf.complex(0.0, np.pi * t * (1.0 + shift)))
            shape = tf.concat([tf.shape(t), tf.ones([tf.rank(p0)], tf.int32)], 0)
            u = tf.reshape(phase0, shape) * p0[None] + tf.reshape(phase1, shape) * p1[None]
        return self._einsum(self._subscripts(axes, True), u, state)

    def _values(self, values: Any) -> Any:
        if self.engine == "numpy":
            v = np.asarray(values, dtype=np.float64)
            shape, ok = v.shape, v.ndim == 2 and v.shape[1] == len(self.symbols)
        else:
            v = self._tf.convert_to_tensor(values, self._tf.float32)
            shape = tuple(v.shape)
            ok = v.shape.rank == 2 and v.shape[1] in (None, len(self.symbols))
        if not ok:
            raise ValueError(f"values must have shape (batch, {len(self.symbols)}) (one column "
                             f"per symbol), got {shape}")
        return v

    def state(self, values: Any) -> Any:
        """The final states, ``(batch, 2**n)`` (complex64 tensors, or complex128 arrays for
        the NumPy engine), qubits in sorted order (big-endian like Cirq: the first qubit is
        the most significant bit)."""
        v = self._values(values)
        dim = 2 ** self.n_qubits
        if self.engine == "numpy":
            state = np.zeros((v.shape[0], dim), dtype=np.complex128)
            state[:, 0] = 1.0
            state = state.reshape((-1,) + (2,) * self.n_qubits)
        else:
            tf = self._tf
            zero = tf.one_hot(0, dim, dtype=tf.complex64)
            state = tf.reshape(tf.tile(zero[None], [tf.shape(v)[0], 1]),
                               [-1] + [2] * self.n_qubits)
        for step in self._steps:
            state = self._apply(state, step, v)
        if self.engine == "numpy":
            return state.reshape(-1, dim)
        return self._tf.reshape(state, [-1, dim])

    def expectation(self, values: Any) -> Any:
        """⟨ψ|O|ψ⟩ for each row and each observable: ``(batch, len(operators))`` (float32
        tensors, or float64 arrays for the NumPy engine)."""
        if not self._observables:
            raise ValueError("no operators were given to StateVectorCircuit")
        v = self._values(values)
        numpy = self.engine == "numpy"
        psi = self.state(v).reshape((-1,) + (2,) * self.n_qubits) if numpy else \
            self._tf.reshape(self.state(v), [-1] + [2] * self.n_qubits)
        axes = tuple(range(1, self.n_qubits + 1))
        columns = []
        for terms in self._observables:
            total = 0.0
            for coefficient, paulis in terms:
                moved = psi
                for axis, matrix in paulis:
                    moved = self._einsum(self._subscripts([axis], False), self._const(matrix),
                                         moved)
                if numpy:
                    inner = np.sum(np.conj(psi) * moved, axis=axes).real
                else:
                    tf = self._tf
                    inner = tf.math.real(tf.reduce_sum(tf.math.conj(psi) * moved,
                                                       axis=list(axes)))
                total = total + coefficient * inner
            if numpy:
                columns.append(np.broadcast_to(total, v.shape[:1]).astype(np.float64))
            else:
                columns.append(total * self._tf.ones(self._tf.shape(v)[:1]))
        return np.stack(columns, axis=1) if numpy else self._tf.stack(columns, axis=1)
