"""The batched McClean pure-state kernel (clipq_edu.quantum._statevector) against references.

References: a slow gate-by-gate complex128 simulator written here (independent of the kernel:
three 2x2 gates per slot, the CZ ladder gate by gate, the RY(pi/4) layer applied as gates) and
Cirq's own ``cirq.Simulator`` on ``mcclean_random_circuit`` resolved with the same values.
"""

from __future__ import annotations

import numpy as np
import pytest

from clipq_edu.quantum import _statevector as S
from clipq_edu.quantum.circuits import mcclean_random_circuit, mcclean_random_values, resolve


# --------------------------------------------------------------------------------------------
# Independent reference: one gate at a time, complex128, qubit 0 the most significant bit
# --------------------------------------------------------------------------------------------
def _rx(t):
    c, s = np.cos(t / 2), np.sin(t / 2)
    return np.array([[c, -1j * s], [-1j * s, c]])


def _ry(t):
    c, s = np.cos(t / 2), np.sin(t / 2)
    return np.array([[c, -s], [s, c]], complex)


def _rz(t):
    return np.diag([np.exp(-0.5j * t), np.exp(0.5j * t)])


def _gate(psi, u, q, n):
    t = psi.reshape((2,) * n)
    t = np.moveaxis(np.tensordot(u, t, axes=([1], [q])), 0, q)
    return t.reshape(-1)


def _cz(psi, a, b, n):
    t = psi.reshape((2,) * n).copy()
    idx = [slice(None)] * n
    idx[a], idx[b] = 1, 1
    t[tuple(idx)] *= -1
    return t.reshape(-1)


def _zz(n):
    k = np.arange(2**n)
    z0 = 1 - 2 * ((k >> (n - 1)) & 1)
    z1 = 1 - 2 * ((k >> (n - 2)) & 1) if n > 1 else np.ones_like(z0)
    return (z0 * z1).astype(float)


def _reference(slots, n, diag, every_layer):
    out = []
    for row in slots:
        psi = np.zeros(2**n, complex)
        psi[0] = 1
        for q in range(n):
            psi = _gate(psi, _ry(np.pi / 4), q, n)
        readings = []
        for layer in row:
            for q, (a, b, c) in enumerate(layer):
                psi = _gate(_gate(_gate(psi, _rx(a), q, n), _ry(b), q, n), _rz(c), q, n)
            for q in range(n - 1):
                psi = _cz(psi, q, q + 1, n)
            readings.append(float(np.abs(psi) ** 2 @ diag))
        out.append(readings if every_layer else readings[-1])
    out = np.array(out)
    return out.T if every_layer else out


def _random_slots(batch, depth, n, seed=0):
    return np.random.default_rng(seed).uniform(-2 * np.pi, 2 * np.pi, (batch, depth, n, 3))


# --------------------------------------------------------------------------------------------
# Agreement
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8])
@pytest.mark.parametrize("every_layer", [False, True])
def test_matches_gate_by_gate_reference_complex128(n, every_layer):
    slots = _random_slots(5, 4, n, seed=n)
    diag = _zz(n)
    ref = _reference(slots, n, diag, every_layer)
    out = S.simulate_pure(slots, n, diag, every_layer, dtype=np.complex128, threads=1)
    assert out.shape == ref.shape == ((4, 5) if every_layer else (5,))
    np.testing.assert_allclose(out, ref, atol=1e-12)


@pytest.mark.parametrize("n", [2, 6, 9])
def test_complex64_agrees_with_complex128(n):
    slots = _random_slots(12, 20, n, seed=10 + n)
    diag = np.random.default_rng(n).normal(size=2**n)  # any real diagonal, not only +-1
    hi = S.simulate_pure(slots, n, diag, True, dtype=np.complex128)
    lo = S.simulate_pure(slots, n, diag, True)
    scale = np.abs(diag).max()
    np.testing.assert_allclose(lo, hi, atol=2e-5 * scale)
    assert not np.array_equal(lo, hi)  # really a different precision


def test_threads_and_chunks_do_not_change_the_result(monkeypatch):
    slots = _random_slots(37, 6, 6, seed=3)
    diag = _zz(6)
    one = S.simulate_pure(slots, 6, diag, True, threads=1)
    monkeypatch.setattr(S, "CHUNK_BYTES", 3 * 8 * 2**6)  # chunks of three circuits
    many = S.simulate_pure(slots, 6, diag, True, threads=3)
    np.testing.assert_array_equal(one, many)


@pytest.mark.parametrize("group", [1, 2, 4])
def test_group_size_does_not_change_the_result(monkeypatch, group):
    slots = _random_slots(4, 5, 7, seed=4)
    diag = _zz(7)
    ref = S.simulate_pure(slots, 7, diag, True, dtype=np.complex128)
    monkeypatch.setattr(S, "GROUP", group)
    assert sum(S._group_sizes(7)) == 7 and max(S._group_sizes(7)) <= max(group, 2)
    out = S.simulate_pure(slots, 7, diag, True, dtype=np.complex128)
    np.testing.assert_allclose(out, ref, atol=1e-12)


@pytest.mark.parametrize("n,depth", [(2, 3), (4, 5), (6, 4)])
def test_matches_cirq_on_mcclean_circuits(n, depth):
    import cirq

    values, _ = mcclean_random_values(n, depth, 3, seed=n)
    circuit, table = mcclean_random_circuit(n, depth)
    qs = cirq.LineQubit.range(n)
    diag = _zz(n)
    ours = S.simulate_pure(values.reshape(3, depth, n, 3), n, diag)
    for b in range(3):
        resolved = resolve(circuit, list(table.ravel()), values[b])
        psi = cirq.Simulator(dtype=np.complex128).simulate(resolved, qubit_order=qs)
        expected = float(np.abs(psi.final_state_vector) ** 2 @ diag)
        assert ours[b] == pytest.approx(expected, abs=1e-5)


def test_depth_one_and_every_layer_prefixes():
    slots = _random_slots(6, 5, 4, seed=5)
    diag = _zz(4)
    layers = S.simulate_pure(slots, 4, diag, True)
    for depth in (1, 3, 5):
        last = S.simulate_pure(slots[:, :depth], 4, diag, False)
        np.testing.assert_allclose(layers[depth - 1], last, atol=1e-6)


# --------------------------------------------------------------------------------------------
# Types, shapes, no mutation, bad input
# --------------------------------------------------------------------------------------------
def test_output_dtype_shape_and_input_untouched():
    slots = _random_slots(3, 2, 3, seed=6)
    keep = slots.copy()
    diag = _zz(3)
    out = S.simulate_pure(slots, 3, diag)
    assert out.dtype == np.float64 and out.shape == (3,)
    assert np.all(np.abs(out) <= 1 + 1e-6)
    np.testing.assert_array_equal(slots, keep)
    ints = S.simulate_pure(np.zeros((2, 1, 3, 3), int), 3, diag)  # integer angles are fine
    expected = np.cos(np.pi / 4) ** 2  # <Z0 Z1> of RY(pi/4)|0> on both, then CZ
    np.testing.assert_allclose(ints, expected, atol=1e-6)


def test_cz_diagonal_is_cached_read_only():
    d = S.cz_ladder_diagonal(3, "float32")
    assert not d.flags.writeable and d is S.cz_ladder_diagonal(3, "float32")
    np.testing.assert_array_equal(d, [1, 1, 1, -1, 1, 1, -1, 1])  # CZ(0,1) CZ(1,2)


def test_building_blocks_match_cirq():
    """The one home of the slot unitaries and diagonals agrees with Cirq's own matrices."""
    import cirq

    q = cirq.LineQubit.range(3)
    slots = _random_slots(1, 1, 4, seed=2)[0, 0]  # four (a, b, c) slots
    for (a, b, c), u in zip(slots, S.slot_unitaries(slots), strict=True):
        want = cirq.unitary(cirq.Circuit(cirq.rx(a)(q[0]), cirq.ry(b)(q[0]), cirq.rz(c)(q[0])))
        np.testing.assert_allclose(u, want, atol=1e-12)
    ladder = cirq.unitary(cirq.Circuit(cirq.CZ(q[0], q[1]), cirq.CZ(q[1], q[2])))
    np.testing.assert_array_equal(np.diag(ladder).real, S.cz_ladder_diagonal(3))
    np.testing.assert_array_equal(S.z_diagonal(3, (0, 1)), _zz(3))
    zz = cirq.Z(q[0]) * cirq.Z(q[1]) * cirq.I(q[2])
    np.testing.assert_array_equal(np.diag(zz.matrix(q)).real, S.z_diagonal(3, (0, 1)))


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"slots": np.zeros((2, 3, 4, 3))}, ValueError, "slots must have shape"),
        ({"slots": np.zeros((2, 3, 3, 2))}, ValueError, "slots must have shape"),
        ({"slots": np.zeros((2, 3, 3))}, ValueError, "slots must be 4-D"),
        ({"slots": np.zeros((0, 3, 3, 3))}, ValueError, "batch >= 1"),
        ({"slots": np.full((1, 1, 3, 3), np.nan)}, ValueError, "slots holds 9 non-finite"),
        ({"slots": np.zeros((1, 1, 3, 3), complex)}, TypeError, "slots must hold real"),
        ({"slots": "angles"}, TypeError, "slots must hold numbers"),
        ({"n_qubits": 0}, ValueError, "n_qubits"),
        ({"n_qubits": 2.5}, TypeError, "n_qubits"),
        ({"observable_diagonal": np.ones(4)}, ValueError, "observable_diagonal must have 2"),
        ({"observable_diagonal": [1, 1, 1, 1, 1, 1, 1, np.inf]}, ValueError, "non-finite"),
        ({"every_layer": "yes"}, TypeError, "every_layer"),
        ({"dtype": np.float32}, ValueError, "dtype must be"),
        ({"threads": 0}, ValueError, "threads"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, match):
    args = {"slots": np.zeros((2, 3, 3, 3)), "n_qubits": 3, "observable_diagonal": _zz(3),
            "every_layer": False, "dtype": np.complex64, "threads": 1}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        S.simulate_pure(**args)


def test_deep_circuits_on_few_qubits_are_chunked_by_their_matrices(monkeypatch):
    seen = []
    original = S._run_chunk

    def spy(slots, *args):
        seen.append(len(slots))
        return original(slots, *args)

    monkeypatch.setattr(S, "_run_chunk", spy)
    monkeypatch.setattr(S, "MATRIX_BYTES", 2000 * (64 * 2 + 8 * 16) * 5)  # five circuits
    slots = _random_slots(12, 2000, 2, seed=7)
    out = S.simulate_pure(slots, 2, _zz(2), threads=1)
    assert seen == [5, 5, 2]
    np.testing.assert_allclose(out, S.simulate_pure(slots[:5], 2, _zz(2), threads=1).tolist()
                               + S.simulate_pure(slots[5:], 2, _zz(2), threads=1).tolist(),
                               atol=0)
