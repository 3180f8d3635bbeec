"""Tests for clipq_edu.circuits (plain Cirq, no TensorFlow)."""

from __future__ import annotations

import cirq
import numpy as np
import pytest
import sympy

from clipq_edu.quantum import circuits as C


def _state(circuit: cirq.Circuit, n: int) -> np.ndarray:
    return cirq.final_state_vector(
        cirq.drop_terminal_measurements(circuit), qubit_order=cirq.LineQubit.range(n),
        dtype=np.complex128,
    )


def test_qubits_and_budget():
    assert C.qubits(3) == cirq.LineQubit.range(3)
    with pytest.raises(ValueError, match="GiB"):
        C.qubits(31)
    with pytest.raises(ValueError, match="n must be >= 1"):
        C.qubits(0)


def test_bell_state_and_measurement():
    expected = np.array([1, 0, 0, 1]) / np.sqrt(2)
    np.testing.assert_allclose(_state(C.bell_circuit(), 2), expected, atol=1e-12)
    assert C.bell_circuit(measure=True).has_measurements()
    assert not C.bell_circuit().has_measurements()


@pytest.mark.parametrize("n", [2, 3, 5])
def test_ghz_state(n):
    psi = _state(C.ghz_circuit(n), n)
    expected = np.zeros(2**n)
    expected[[0, -1]] = 1 / np.sqrt(2)
    np.testing.assert_allclose(psi, expected, atol=1e-12)
    with pytest.raises(ValueError, match="n must be >= 2"):
        C.ghz_circuit(1)


def test_entangling_chain_variants():
    np.testing.assert_allclose(_state(C.entangling_chain(4), 4), _state(C.ghz_circuit(4), 4))
    probs = np.abs(_state(C.entangling_chain(4, variant="all_h"), 4)) ** 2
    np.testing.assert_allclose(probs, np.full(16, 1 / 16), atol=1e-12)  # no entanglement
    with pytest.raises(ValueError, match="variant"):
        C.entangling_chain(4, variant="chain")


def test_angle_encoding_matches_product_state_and_symbols():
    x = np.array([0.3, 1.2, 2.5])
    psi = _state(C.angle_encoding(x, 3), 3)
    single = [np.array([np.cos(a / 2), np.sin(a / 2)]) for a in x]
    np.testing.assert_allclose(psi, np.kron(np.kron(single[0], single[1]), single[2]), atol=1e-12)
    circuit, syms = C.angle_encoding_symbols(3)
    resolved = C.resolve(circuit, syms, x)
    np.testing.assert_allclose(_state(resolved, 3), psi, atol=1e-12)
    with pytest.raises(ValueError, match="one angle per qubit"):
        C.angle_encoding([0.1, 0.2], 3)
    with pytest.raises(ValueError, match="gate"):
        C.angle_encoding(x, 3, gate="rz")
    with pytest.raises(ValueError, match="non-finite"):
        C.angle_encoding([0.1, np.nan, 0.2], 3)


def test_hea_and_reuploading_symbols():
    circuit, syms = C.hardware_efficient_ansatz(3, layers=2)
    assert len(syms) == 2 * 2 * 3
    assert set(C.circuit_symbols(circuit)) == set(syms)
    assert sum(isinstance(op.gate, cirq.CZPowGate) for op in circuit.all_operations()) == 2 * 2
    circuit, xs, ws = C.reuploading_circuit(2, layers=3)
    assert len(xs) == 2 and len(ws) == 3 * 2 * 2
    uses = sum(xs[0].name in cirq.parameter_names(op) for op in circuit.all_operations())
    assert uses == 3


def test_resolve_names_missing_symbols_and_checks_lengths():
    circuit, syms = C.hardware_efficient_ansatz(2, layers=1)
    with pytest.raises(ValueError, match="theta_0_1_z"):
        C.resolve(circuit, syms[:-1], np.zeros(3))
    with pytest.raises(ValueError, match="one entry per symbol"):
        C.resolve(circuit, syms, np.zeros(3))
    with pytest.raises(ValueError, match="more than once"):
        C.resolve(circuit, [syms[0], syms[0]], np.zeros(2))
    assert C.circuit_symbols(C.bell_circuit()) == []
    assert "H" in C.circuit_diagram(C.bell_circuit())


def _direct_mcclean(n, depth, axes, angles):
    """Build the random circuit directly: one rotation per slot (independent construction)."""
    qs = cirq.LineQubit.range(n)
    circuit = cirq.Circuit(cirq.ry(np.pi / 4)(q) for q in qs)
    for layer in range(depth):
        for j, q in enumerate(qs):
            circuit.append((cirq.rx, cirq.ry, cirq.rz)[axes[layer, j]](angles[layer, j])(q))
        circuit.append(cirq.CZ(a, b) for a, b in zip(qs, qs[1:], strict=False))
    return circuit


def test_mcclean_values_encode_random_circuits():
    n, depth = 3, 4
    circuit, table = C.mcclean_random_circuit(n, depth)
    assert table.shape == (depth, n, 3)
    syms = list(table.ravel())
    values, first = C.mcclean_random_values(n, depth, 6, seed=3)
    assert values.shape == (6, 3 * depth * n)
    slots = values.reshape(6, depth, n, 3)
    assert np.all(np.count_nonzero(slots, axis=-1) == 1)
    assert np.all(first == np.argmax(np.abs(slots[:, 0, 0]), axis=-1))
    for b in range(2):
        axes = np.argmax(np.abs(slots[b]), axis=-1)
        angles = slots[b].sum(axis=-1)
        u1 = cirq.unitary(C.resolve(circuit, syms, values[b]))
        u2 = cirq.unitary(_direct_mcclean(n, depth, axes, angles))
        assert cirq.allclose_up_to_global_phase(u1, u2, atol=1e-10)
    again, _ = C.mcclean_random_values(n, depth, 6, seed=3)
    np.testing.assert_array_equal(values, again)
    other, _ = C.mcclean_random_values(n, depth, 6, seed=4)
    assert not np.array_equal(values, other)
    axis_counts = np.bincount(
        np.argmax(np.abs(C.mcclean_random_values(4, 10, 300, seed=0)[0].reshape(-1, 3)), 1)
    )
    assert np.all(np.abs(axis_counts / axis_counts.sum() - 1 / 3) < 5 * np.sqrt(2 / 9 / 12000))


@pytest.mark.parametrize(("depth", "block"), [(6, None), (8, 4), (4, None)])
def test_identity_blocks_make_the_identity(depth, block):
    n = 3
    circuit, table = C.mcclean_random_circuit(n, depth)
    values, _ = C.mcclean_random_values(n, depth, 3, seed=1, init="identity", block_layers=block)
    body = circuit[1:]  # everything after the fixed ry(pi/4) layer
    for row in values:
        u = cirq.unitary(C.resolve(body, list(table.ravel()), row))
        assert cirq.allclose_up_to_global_phase(u, np.eye(2**n), atol=1e-10)
    assert np.any(values != 0)  # the middle layers are random, not all zero


def test_identity_blocks_reject_bad_sizes():
    with pytest.raises(ValueError, match="even block_layers"):
        C.mcclean_random_values(3, 5, 2, init="identity")
    with pytest.raises(ValueError, match="even block_layers >= 4"):
        C.mcclean_random_values(3, 4, 2, init="identity", block_layers=2)
    with pytest.raises(ValueError, match="only used with init='identity'"):
        C.mcclean_random_values(3, 4, 2, block_layers=2)
    with pytest.raises(ValueError, match="init"):
        C.mcclean_random_values(3, 4, 2, init="zeros")


def test_symbol_type_errors():
    with pytest.raises(TypeError, match="symbols"):
        C.resolve(C.bell_circuit(), [1.5], [0.0])
    t = sympy.Symbol("t")
    c = cirq.Circuit(cirq.rx(t)(cirq.LineQubit(0)))
    assert C.circuit_symbols(c) == [t]
    with pytest.raises(TypeError, match="cirq.Circuit"):
        C.circuit_symbols("not a circuit")


def test_hea_options_entangle_and_name_format():
    circuit, syms = C.hardware_efficient_ansatz(3, 2, "t", entangle=False,
                                                name_format="{prefix}{layer}_{qubit}_{axis}")
    assert [s.name for s in syms[:4]] == ["t0_0_y", "t0_0_z", "t0_1_y", "t0_1_z"]
    assert not any(isinstance(op.gate, cirq.CZPowGate) for op in circuit.all_operations())
    for bad in ("{prefix}_{layer}", "{prefix}-{qubit}{axis}", "{nope}{qubit}{axis}", 3):
        with pytest.raises(ValueError, match="name_format"):
            C.hardware_efficient_ansatz(2, 1, name_format=bad)
