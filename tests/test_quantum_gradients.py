"""Tests for clipq_edu.gradients against closed forms, finite differences and TFQ."""

from __future__ import annotations

import cirq
import numpy as np
import pytest
import sympy

from clipq_edu.quantum import circuits as C
from clipq_edu.quantum import gradients as G

Q = cirq.LineQubit.range(3)
T, A = sympy.symbols("t a")


def test_exponent_form_carries_a_factor_pi():
    c = cirq.Circuit(cirq.X(Q[0]) ** T)  # <Z> = cos(pi t)
    ts = np.array([[0.1], [0.25], [0.8]])
    g = G.parameter_shift_gradient(c, [T], ts, cirq.Z(Q[0]), backend="cirq")
    np.testing.assert_allclose(g[:, 0], -np.pi * np.sin(np.pi * ts[:, 0]), atol=1e-12)


@pytest.mark.parametrize(
    ("gate", "obs", "deriv"),
    [
        (cirq.rx, cirq.Z, lambda x: -np.sin(x)),
        (cirq.ry, cirq.X, lambda x: np.cos(x)),
        (lambda x: cirq.rx(2 * x), cirq.Z, lambda x: -2 * np.sin(2 * x)),
    ],
)
def test_radian_rotations(gate, obs, deriv):
    c = cirq.Circuit(gate(T)(Q[0]))
    for x in (0.0, 0.7, 2.9):
        g = G.parameter_shift_gradient(c, [T], [x], obs(Q[0]), backend="cirq")
        assert g.shape == (1,)
        assert g[0] == pytest.approx(deriv(x), abs=1e-12)


def test_rz_and_symbol_in_several_gates():
    # H, rz(t), H: <Z> = cos t ; rx(a) twice on the same qubit: <Z> = cos 2a
    c = cirq.Circuit(cirq.H(Q[0]), cirq.rz(T)(Q[0]), cirq.H(Q[0]),
                     cirq.rx(A)(Q[1]), cirq.rx(A)(Q[1]))
    obs = cirq.Z(Q[0]) + cirq.Z(Q[1])
    g = G.parameter_shift_gradient(c, [T, A], [0.4, 0.3], obs, backend="cirq")
    np.testing.assert_allclose(g, [-np.sin(0.4), -2 * np.sin(0.6)], atol=1e-12)


def test_matches_central_differences_on_ansatz_and_mixed_gates():
    circuit, syms = C.hardware_efficient_ansatz(3, 2)
    vals = np.random.default_rng(1).uniform(0, 2 * np.pi, (2, len(syms)))
    obs = cirq.Z(Q[0]) * cirq.Z(Q[1]) + 0.5 * cirq.X(Q[2])
    ps = G.parameter_shift_gradient(circuit, syms, vals, obs, backend="cirq")
    fd = G.finite_difference_gradient(circuit, syms, vals, obs, h=1e-5, backend="cirq")
    np.testing.assert_allclose(ps, fd, atol=1e-8)
    mixed = cirq.Circuit(cirq.X(Q[0]) ** T, cirq.ry(2 * A + T)(Q[0]), cirq.CZ(Q[0], Q[1]) ** A,
                         cirq.H(Q[1]), cirq.XX(Q[1], Q[2]) ** (A / 2 + 0.1))
    obs2 = cirq.Z(Q[0]) + cirq.X(Q[1]) - cirq.Y(Q[2]) * cirq.Z(Q[1])
    ps2 = G.parameter_shift_gradient(mixed, [T, A], [0.3, 0.7], obs2, backend="cirq")
    fd2 = G.finite_difference_gradient(mixed, [T, A], [0.3, 0.7], obs2, h=1e-5, backend="cirq")
    np.testing.assert_allclose(ps2, fd2, atol=1e-8)


def test_forward_difference_bias_is_order_h():
    c = cirq.Circuit(cirq.rx(T)(Q[0]))
    x, h = 0.9, 1e-2
    g = G.finite_difference_gradient(c, [T], [x], cirq.Z(Q[0]), method="forward", h=h,
                                     backend="cirq")[0]
    # Taylor: [f(x+h)-f(x)]/h = f'(x) + h f''(x)/2 + O(h^2), f = cos
    assert g == pytest.approx(-np.sin(x) - h * np.cos(x) / 2, abs=h**2)


def test_unsupported_forms_raise_clear_errors():
    px = cirq.Circuit(cirq.PhasedXPowGate(phase_exponent=T)(Q[0]))
    with pytest.raises(ValueError, match="PhasedXPowGate is not supported"):
        G.parameter_shift_gradient(px, [T], [0.1], cirq.Z(Q[0]), backend="cirq")
    sq = cirq.Circuit(cirq.rx(T**2)(Q[0]))
    with pytest.raises(ValueError, match="nonlinearly"):
        G.parameter_shift_gradient(sq, [T], [0.1], cirq.Z(Q[0]), backend="cirq")
    with pytest.raises(ValueError, match="no parameters"):
        G.parameter_shift_gradient(C.bell_circuit(), [], [], cirq.Z(Q[0]), backend="cirq")
    c = cirq.Circuit(cirq.rx(T)(Q[0]))
    with pytest.raises(ValueError, match="ONE observable"):
        G.parameter_shift_gradient(c, [T], [0.1], [cirq.Z(Q[0]), cirq.X(Q[0])], backend="cirq")
    with pytest.raises(ValueError, match="method"):
        G.finite_difference_gradient(c, [T], [0.1], cirq.Z(Q[0]), method="backward")


@pytest.mark.slow
def test_sampled_parameter_shift_mean_and_variance():
    circuit, syms = C.hardware_efficient_ansatz(2, 1)
    x = np.random.default_rng(2).uniform(0, 2 * np.pi, len(syms))
    obs = cirq.Z(Q[0]) * cirq.Z(Q[1])
    rows, shots = 600, 100
    exact = G.parameter_shift_gradient(circuit, syms, x, obs, backend="cirq")
    est = G.parameter_shift_gradient(circuit, syms, np.tile(x, (rows, 1)), obs, shots=shots,
                                     seed=4, backend="cirq")
    var = G.gradient_shot_variance(circuit, syms, x, obs, shots, backend="cirq")
    assert np.all(np.abs(est.mean(0) - exact) < 5 * np.sqrt(var / rows))
    assert np.all(np.abs(est.var(0, ddof=1) / var - 1) < 5 * np.sqrt(2 / (rows - 1)) + 0.05)
    again = G.parameter_shift_gradient(circuit, syms, x, obs, shots=shots, seed=4,
                                       backend="cirq")
    np.testing.assert_array_equal(again, est[0])


@pytest.mark.slow
def test_sampled_central_difference_variance_formula():
    c = cirq.Circuit(cirq.ry(T)(Q[0]))
    rows, shots, h, x = 1500, 50, 0.2, 0.6
    est = G.finite_difference_gradient(c, [T], np.full((rows, 1), x), cirq.Z(Q[0]), h=h,
                                       shots=shots, seed=1, backend="cirq")[:, 0]
    var = ((1 - np.cos(x + h) ** 2) + (1 - np.cos(x - h) ** 2)) / shots / (4 * h**2)
    formula = G.gradient_shot_variance(c, [T], [x], cirq.Z(Q[0]), shots, method="central",
                                       h=h, backend="cirq")[0]
    assert formula == pytest.approx(var)
    assert abs(est.var(ddof=1) / var - 1) < 5 * np.sqrt(2 / (rows - 1))


@pytest.mark.slow
def test_spsa_is_unbiased_up_to_c_squared():
    circuit, syms = C.hardware_efficient_ansatz(2, 1)
    x = np.random.default_rng(3).uniform(0, 2 * np.pi, len(syms))
    obs = cirq.Z(Q[0]) + cirq.X(Q[1])
    exact = G.parameter_shift_gradient(circuit, syms, x, obs, backend="cirq")
    m = 2000
    est = G.spsa_gradient(circuit, syms, x, obs, perturbation=1e-3, n_samples=m, seed=0,
                          backend="cirq")
    se = np.sqrt((np.sum(exact**2) - exact**2) / m)
    assert np.all(np.abs(est - exact) < 5 * se + 1e-5)


# ---------------------------------------------------------------- slow (TFQ) -----------------
@pytest.mark.slow
def test_parameter_shift_matches_tfq_adjoint():
    circuit, syms = C.hardware_efficient_ansatz(2, 2)
    vals = np.random.default_rng(5).uniform(0, 2 * np.pi, (3, len(syms)))
    obs = cirq.Z(Q[0]) * cirq.Z(Q[1])
    res = G.compare_differentiators(circuit, syms, vals, obs)
    assert set(res) == {"Adjoint", "ParameterShift", "ForwardDifference", "CentralDifference",
                        "clipq_edu parameter shift"}
    ours = G.parameter_shift_gradient(circuit, syms, vals, obs)  # TFQ backend
    exact = G.parameter_shift_gradient(circuit, syms, vals, obs, backend="cirq")  # complex128
    # ours, evaluated by TFQ in float32, is within 1e-6 of the complex128 reference
    np.testing.assert_allclose(ours, exact, atol=1e-6)
    # TFQ's Adjoint accumulates float32 error along the circuit: measured 2.5e-5 here
    np.testing.assert_allclose(res["Adjoint"], exact, atol=5e-5)
    np.testing.assert_allclose(ours, res["Adjoint"], atol=5e-5)
    np.testing.assert_allclose(res["ParameterShift"], exact, atol=1e-5)
    np.testing.assert_allclose(res["CentralDifference"], exact, atol=1e-3)


@pytest.mark.slow
def test_exponent_gates_match_tfq_adjoint():
    c = cirq.Circuit(cirq.H(Q[0]), cirq.X(Q[0]) ** T, cirq.CZ(Q[0], Q[1]) ** A, cirq.H(Q[1]),
                     cirq.ry(A)(Q[1]))
    obs = cirq.Z(Q[0]) + cirq.X(Q[1])
    res = G.compare_differentiators(c, [T, A], [0.3, 0.8], obs)
    np.testing.assert_allclose(res["clipq_edu parameter shift"], res["Adjoint"], atol=1e-5)


@pytest.mark.slow
def test_sampled_comparison_runs():
    circuit, syms = C.hardware_efficient_ansatz(2, 1)
    x = np.random.default_rng(6).uniform(0, 2 * np.pi, len(syms))
    res = G.compare_differentiators(circuit, syms, x, cirq.Z(Q[0]), shots=2000)
    # every |gradient component| <= ||Z|| = 1; parameter shift's shot noise ~ sqrt(1/2000)
    assert np.all(np.abs(res["ParameterShift"] - res["Adjoint"]) < 6 * np.sqrt(0.5 / 2000))


# ------------------------------------------------------------ THE shift rule ----------------
def test_shifted_parameters_layout():
    rows = G.shifted_parameters([0.1, 0.2, 0.3])
    assert rows.shape == (2, 3, 3)
    np.testing.assert_allclose(rows[0] - [0.1, 0.2, 0.3], np.eye(3) * np.pi / 2)
    np.testing.assert_allclose(rows[1] - [0.1, 0.2, 0.3], -np.eye(3) * np.pi / 2)
    # Cirq exponents: shift 1/2 in t (angle pi/2 at scale pi)
    np.testing.assert_allclose(G.shifted_parameters([0.25], scale=np.pi)[:, 0, 0], [0.75, -0.25])
    # per-row columns (the McClean experiment differentiates a different slot in each row)
    batch = np.zeros((2, 4))
    out = G.shifted_parameters(batch, columns=np.array([[1], [3]]))
    assert out.shape == (2, 2, 1, 4)
    assert out[0, 0, 0, 1] == pytest.approx(np.pi / 2) and out[1, 1, 0, 3] == pytest.approx(
        -np.pi / 2)
    assert np.count_nonzero(out) == 4
    flat = G.shifted_parameters(batch, columns=[0, 2]).reshape(2, -1, 4)
    assert flat.shape == (2, 4, 4)  # per batch row: the "+" rows, then the "-" rows
    with pytest.raises(ValueError, match="columns must lie"):
        G.shifted_parameters([0.1], columns=[1])
    with pytest.raises(ValueError, match="shift must be in"):
        G.shifted_parameters([0.1], shift=np.pi)


@pytest.mark.parametrize("shift", [np.pi / 2, 0.3, 2.0])
def test_parameter_shift_is_exact_for_any_shift(shift):
    """f = a + b cos x + c sin x: the rule with any s in (0, pi) gives f' exactly."""
    def f(rows):
        x, y = rows[:, 0], rows[:, 1]
        return 0.3 + 0.7 * np.cos(x) * np.sin(y) - 0.2 * np.sin(x)

    p = np.array([0.4, -1.1])
    want = [-0.7 * np.sin(0.4) * np.sin(-1.1) - 0.2 * np.cos(0.4),
            0.7 * np.cos(0.4) * np.cos(-1.1)]
    np.testing.assert_allclose(G.parameter_shift(f, p, shift=shift), want, atol=1e-12)
    batch = np.stack([p, p + 0.5])
    assert G.parameter_shift(f, batch, shift=shift).shape == (2, 2)
    calls = []
    G.parameter_shift(lambda r: calls.append(len(r)) or f(r), p, shift=shift)
    assert calls == [4]  # 2N evaluations, in ONE call


def test_parameter_shift_scale_matches_the_circuit_rule_for_exponents():
    q, t = cirq.LineQubit(0), sympy.Symbol("t")
    circuit = cirq.Circuit(cirq.X(q) ** t)

    def f(rows):
        return np.cos(np.pi * rows[:, 0])  # <Z> after X**t

    by_fn = G.parameter_shift(f, [0.3], scale=np.pi)
    by_circuit = G.parameter_shift_gradient(circuit, [t], [0.3], cirq.Z(q), backend="cirq")
    np.testing.assert_allclose(by_fn, by_circuit, atol=1e-10)
    np.testing.assert_allclose(by_fn, [-np.pi * np.sin(0.3 * np.pi)], atol=1e-12)


def test_combine_shifted_checks_its_input():
    with pytest.raises(ValueError, match=r"\[\.\.\., 2, K\]"):
        G.combine_shifted([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="overflows"):
        G.combine_shifted([[1e308], [-1e308]])
    with pytest.raises(ValueError, match="one value per row"):
        G.parameter_shift(lambda r: np.zeros(3), [0.1, 0.2])
    with pytest.raises(TypeError, match="callable"):
        G.parameter_shift("f", [0.1])


def test_shot_gradients_are_seeded_through_the_one_sampler():
    from clipq_edu.testing import assert_same_seed_same_numbers

    circuit, syms = C.hardware_efficient_ansatz(2, 1)
    q = cirq.LineQubit.range(2)
    vals = np.array([0.3, 0.9, 1.2, -0.4])
    assert_same_seed_same_numbers(G.parameter_shift_gradient, circuit, syms, vals,
                                  cirq.Z(q[0]) * cirq.Z(q[1]), shots=200, backend="cirq")
    assert_same_seed_same_numbers(G.spsa_gradient, circuit, syms, vals, cirq.Z(q[0]),
                                  shots=200, backend="cirq")
