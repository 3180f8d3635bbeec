"""The TensorFlow state-vector simulator (the TFQ-free path) against two independent references:
Cirq's simulator (values, and gradients by the parameter-shift rule evaluated with Cirq in
float64) and, where it is installed, TensorFlow Quantum (values and adjoint gradients)."""

from __future__ import annotations

import cirq
import numpy as np
import pytest
import sympy

from clipq_edu._tf import tf
from clipq_edu.quantum.tfsim import MAX_QUBITS, StateVectorCircuit

pytestmark = pytest.mark.slow

Q = cirq.LineQubit.range(3)
A, B, C, D, E, F = sympy.symbols("a b c d e f")
SYMBOLS = [A, B, C, D, E, F]


def _circuit() -> cirq.Circuit:
    """Every supported symbolic gate, each symbol once as a plain rotation angle (so the
    shift rule with ±π/2 is exact), between fixed gates of several kinds."""
    return cirq.Circuit(
        cirq.H(Q[0]), cirq.rx(A).on(Q[1]), cirq.ry(B).on(Q[2]),
        cirq.CNOT(Q[0], Q[1]), cirq.rz(C).on(Q[0]), cirq.CZ(Q[1], Q[2]),
        cirq.ry(D).on(Q[1]), cirq.T(Q[2]), cirq.rx(E).on(Q[2]),
        cirq.ISWAP(Q[0], Q[2]), cirq.rz(F).on(Q[1]),
    )


OPERATORS = [cirq.Z(Q[0]), cirq.Z(Q[0]) * cirq.Z(Q[1]) + 0.5 * cirq.X(Q[2]),
             cirq.Y(Q[1]) - 0.25 * cirq.X(Q[0]) * cirq.Y(Q[2])]
VALUES = np.random.default_rng(7).uniform(-np.pi, np.pi, size=(5, 6))


def _cirq_expectations(circuit, values) -> np.ndarray:
    sim = cirq.Simulator(dtype=np.complex128)
    out = []
    for row in values:
        resolver = dict(zip(SYMBOLS, row, strict=True))
        state = sim.simulate(circuit, resolver, qubit_order=Q).final_state_vector
        qmap = {q: i for i, q in enumerate(Q)}
        out.append([op.expectation_from_state_vector(state, qmap).real for op in
                    (cirq.PauliSum.wrap(o) for o in OPERATORS)])
    return np.array(out)


def test_values_match_cirq():
    sim = StateVectorCircuit(_circuit(), SYMBOLS, OPERATORS)
    ours = sim.expectation(tf.constant(VALUES, tf.float32)).numpy()
    np.testing.assert_allclose(ours, _cirq_expectations(_circuit(), VALUES), atol=1e-5)


def test_numpy_engine_is_exact_against_cirq():
    sim = StateVectorCircuit(_circuit(), SYMBOLS, OPERATORS, engine="numpy")
    ours = sim.expectation(VALUES)
    assert ours.dtype == np.float64 and ours.shape == (len(VALUES), len(OPERATORS))
    np.testing.assert_allclose(ours, _cirq_expectations(_circuit(), VALUES), atol=1e-12)
    with pytest.raises(ValueError, match="engine must be one of"):
        StateVectorCircuit(_circuit(), SYMBOLS, OPERATORS, engine="jax")


def test_autodiff_gradients_match_the_shift_rule_evaluated_with_cirq():
    sim = StateVectorCircuit(_circuit(), SYMBOLS, OPERATORS)
    weights = np.array([0.3, -1.1, 0.7])  # a scalar loss: Σ_k w_k ⟨O_k⟩, summed over rows
    values = tf.Variable(VALUES, dtype=tf.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(sim.expectation(values) * weights.astype(np.float32))
    ours = tape.gradient(loss, values).numpy()
    ref = np.zeros_like(VALUES)
    for j in range(len(SYMBOLS)):
        up, down = VALUES.copy(), VALUES.copy()
        up[:, j] += np.pi / 2
        down[:, j] -= np.pi / 2
        ref[:, j] = ((_cirq_expectations(_circuit(), up) - _cirq_expectations(_circuit(), down))
                     / 2) @ weights
    np.testing.assert_allclose(ours, ref, atol=1e-6)


def test_power_gates_with_symbolic_exponents_and_products_of_symbols():
    x, w = sympy.symbols("x w")
    q = cirq.LineQubit.range(2)
    circuit = cirq.Circuit(cirq.H.on_each(*q), cirq.X(q[0]) ** (x * w), cirq.ZZ(*q) ** (0.5 * w),
                           cirq.CZ(*q) ** x, cirq.XX(*q) ** (w - x), cirq.Y(q[1]) ** x)
    ops = [cirq.X(q[0]), cirq.Z(q[1]) * cirq.Y(q[0])]
    values = np.array([[0.3, 1.7], [-0.8, 0.4]])
    ours = StateVectorCircuit(circuit, [x, w], ops).expectation(values).numpy()
    exact = StateVectorCircuit(circuit, [x, w], ops, engine="numpy").expectation(values)
    ref = []
    for xv, wv in values:
        state = cirq.Simulator(dtype=np.complex128).simulate(
            circuit, {x: xv, w: wv}, qubit_order=q).final_state_vector
        ref.append([cirq.PauliSum.wrap(o).expectation_from_state_vector(
            state, {q[0]: 0, q[1]: 1}).real for o in ops])
    np.testing.assert_allclose(ours, np.array(ref), atol=1e-5)
    np.testing.assert_allclose(exact, np.array(ref), atol=1e-12)


def test_state_matches_cirq_ordering():
    sim = StateVectorCircuit(_circuit(), SYMBOLS)
    ours = sim.state(VALUES[:2]).numpy()
    for row, psi in zip(VALUES[:2], ours, strict=True):
        ref = cirq.Simulator(dtype=np.complex128).simulate(
            _circuit(), dict(zip(SYMBOLS, row, strict=True)), qubit_order=Q).final_state_vector
        assert abs(abs(np.vdot(ref, psi)) - 1) < 1e-5  # the same state up to a global phase
        np.testing.assert_allclose(np.abs(psi) ** 2, np.abs(ref) ** 2, atol=1e-5)


def test_bad_input_names_the_problem():
    q = cirq.LineQubit(0)
    t, u = sympy.symbols("t u")
    with pytest.raises(ValueError, match=r"symbols \['u'\].*not in symbols"):
        StateVectorCircuit(cirq.Circuit(cirq.rx(t).on(q), cirq.ry(u).on(q)), [t])
    with pytest.raises(NotImplementedError, match="resolve the symbol first"):
        StateVectorCircuit(cirq.Circuit(cirq.PhasedXPowGate(phase_exponent=t).on(q)), [t])
    with pytest.raises(ValueError, match="at most"):
        StateVectorCircuit(cirq.Circuit(cirq.H.on_each(*cirq.LineQubit.range(MAX_QUBITS + 1))), [])
    sim = StateVectorCircuit(cirq.Circuit(cirq.rx(t).on(q)), [t], [cirq.Z(q)])
    with pytest.raises(ValueError, match=r"shape \(batch, 1\)"):
        sim.expectation(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="not Hermitian"):
        StateVectorCircuit(cirq.Circuit(cirq.rx(t).on(q)), [t], [1j * cirq.Z(q)])


def test_matches_tensorflow_quantum_values_and_gradients():
    from clipq_edu._tf import tfq

    if not tfq:
        pytest.skip("TensorFlow Quantum is not installed here (the Cirq checks above still ran)")
    circuit = _circuit()
    values = tf.Variable(VALUES, dtype=tf.float32)
    names = tf.constant([str(s) for s in SYMBOLS])
    layer = tfq.layers.Expectation(differentiator=tfq.differentiators.Adjoint())
    with tf.GradientTape() as tape:
        ref = layer(tfq.convert_to_tensor([circuit] * len(VALUES)), symbol_names=names,
                    symbol_values=values, operators=OPERATORS)
        ref_loss = tf.reduce_sum(ref)
    ref_grad = tape.gradient(ref_loss, values)
    sim = StateVectorCircuit(circuit, SYMBOLS, OPERATORS)
    with tf.GradientTape() as tape:
        ours = sim.expectation(values)
        loss = tf.reduce_sum(ours)
    grad = tape.gradient(loss, values)
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), atol=1e-5)
    # TFQ's float32 adjoint gradient is itself ~1.2e-5 from the float64 shift-rule reference
    # on this circuit (ours: ~2e-7, test above), so the comparison allows 1e-4 relative on top.
    np.testing.assert_allclose(grad.numpy(), ref_grad.numpy(), atol=1e-5, rtol=1e-4)


def test_keras_layer_on_either_engine_gives_the_same_outputs_and_gradients():
    """EncodedPQC with backend='tensorflow' (no TFQ needed) against backend='tfq' (where it is
    installed): same seeded weights, same outputs, same gradients for weights and inputs."""
    from clipq_edu._tf import tfq
    from clipq_edu.models import EncodedPQC, encoding_ansatz_circuit

    circuit, data, weights = encoding_ansatz_circuit(3, 2, reupload=True)
    ops = [cirq.Z(q) for q in sorted(circuit.all_qubits())]
    x = tf.Variable(np.random.default_rng(3).uniform(-2, 2, size=(6, 3)), dtype=tf.float32)
    index = [k % 3 for k in range(len(data))]
    results = {}
    for backend in ("tensorflow", "tfq") if tfq else ("tensorflow",):
        layer = EncodedPQC(circuit, data, weights, ops, feature_index=index, seed=5,
                           backend=backend)
        with tf.GradientTape(persistent=True) as tape:
            out = layer(x)
            loss = tf.reduce_sum(out * tf.constant([0.5, -1.0, 2.0]))
        results[backend] = (out.numpy(), tape.gradient(loss, layer.theta).numpy(),
                            tape.gradient(loss, x).numpy())
        assert layer.backend == backend
    theta = EncodedPQC(circuit, data, weights, ops, feature_index=index, seed=5,
                       backend="tensorflow").theta.numpy().astype(np.float64)
    ref = _cirq_layer_reference(circuit, data, weights, ops, index, x.numpy(), theta)
    np.testing.assert_allclose(results["tensorflow"][0], ref, atol=1e-5)
    # The weight gradient, exactly: each weight is one rotation angle, so the shift rule
    # with ±π/2 evaluated in complex128 (Cirq) is the true value.
    coeff = np.array([0.5, -1.0, 2.0])
    exact = np.array([
        ((_cirq_layer_reference(circuit, data, weights, ops, index, x.numpy(), theta + e)
          - _cirq_layer_reference(circuit, data, weights, ops, index, x.numpy(), theta - e))
         / 2 @ coeff).sum() for e in np.eye(len(theta)) * np.pi / 2])
    np.testing.assert_allclose(results["tensorflow"][1], exact, atol=1e-5)
    if "tfq" in results:
        np.testing.assert_allclose(results["tensorflow"][0], results["tfq"][0], atol=1e-5)
        # TFQ's float32 adjoint gradient is itself up to ~1.5e-5 off the exact value here
        # (ours: within 1e-5 of it, checked above), so the two agree to 3e-5.
        for ours, theirs in zip(results["tensorflow"][1:], results["tfq"][1:], strict=True):
            np.testing.assert_allclose(ours, theirs, atol=3e-5, rtol=1e-4)
        assert np.abs(results["tfq"][1] - exact).max() < 3e-5
    else:
        pytest.skip("TensorFlow Quantum is not installed here (the Cirq check above ran)")


def _cirq_layer_reference(circuit, data, weights, ops, index, x, theta):
    out = []
    for row in x:
        resolver = {**{s: row[i] for s, i in zip(data, index, strict=True)},
                    **dict(zip(weights, theta, strict=True))}
        qubits = sorted(circuit.all_qubits())
        state = cirq.Simulator(dtype=np.complex128).simulate(
            circuit, resolver, qubit_order=qubits).final_state_vector
        qmap = {q: i for i, q in enumerate(qubits)}
        out.append([cirq.PauliSum.wrap(o).expectation_from_state_vector(state, qmap).real
                    for o in ops])
    return np.array(out)


def test_layer_refuses_a_tfq_differentiator_on_the_tensorflow_engine():
    from clipq_edu.models import EncodedPQC

    q = cirq.LineQubit(0)
    t = sympy.Symbol("t")
    with pytest.raises(ValueError, match="differentiator=.*backend='tensorflow'"):
        EncodedPQC(cirq.Circuit(cirq.rx(t).on(q)), [], [t], [cirq.Z(q)],
                   differentiator=object(), backend="tensorflow")
    with pytest.raises(ValueError, match="backend must be one of"):
        EncodedPQC(cirq.Circuit(cirq.rx(t).on(q)), [], [t], [cirq.Z(q)], backend="numpy")
