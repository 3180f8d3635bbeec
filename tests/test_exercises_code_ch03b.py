"""Chapter 03b's exercises (issues 26 and 27): typical mistakes of the numeric ones, and the
code exercises 03b.4 (shift rule for a generator with eigenvalues ±r), 03b.5 (a Cirq circuit
from a description) and 03b.6 (a hybrid Keras model), each checked by behaviour."""

from __future__ import annotations

import math

import cirq
import numpy as np
import pytest
from exercise_support import reference_function as _solution

from clipq_edu.exercises import ch03b
from clipq_edu.exercises._core import round_significant


# ------------------------------------------------------------------ numeric: 03b.1, 03b.2
@pytest.mark.parametrize("ex", [ch03b.q1, ch03b.q2], ids=["03b.1", "03b.2"])
def test_true_value_at_3_and_4_figures_passes_and_a_wrong_one_fails(ex):
    want = float(ex.expected())
    for figures in (3, 4):
        value = want if want.is_integer() else round_significant(want, figures)
        assert ex.check(value), (figures, value)
    assert not ex.check(want * 7 + 1)


@pytest.mark.parametrize("ex", [ch03b.q1, ch03b.q2], ids=["03b.1", "03b.2"])
def test_each_typical_mistake_is_named(ex):
    want = float(ex.expected())
    assert len(ex.mistakes) >= 3
    for wrong, message in ex.mistakes:
        bad = float(wrong())
        assert abs(bad - want) > ex.tolerance(want), "a mistake must differ from the answer"
        for value in {bad, bad if bad.is_integer() else round_significant(bad, 4)}:
            fb = ex.check(value)
            assert not fb and fb.message == str(message), (value, fb.message)
            shown = str(int(want)) if want.is_integer() else f"{abs(want):.3g}"
            assert shown not in fb.message, fb.message  # the message never gives the answer


def test_03b_1_mistakes_are_the_wrong_methods_applied():
    """Independent of the exercise's helpers: the mistaken formulas written out here."""
    theta = 0.3
    values = sorted(float(w()) for w, _ in ch03b.q1.mistakes)
    expected = sorted([-2 * math.sin(theta), math.sin(theta), -math.sin(theta) / 2,
                       -math.sin(theta) * math.sin(math.pi / 4), -math.sin(math.radians(theta))])
    np.testing.assert_allclose(values, expected, rtol=1e-12)


def test_03b_1_degree_mode_is_named_at_three_figures_too():
    degrees = -math.sin(math.radians(0.3))  # −0.005236
    for figures in (3, 4):
        fb = ch03b.q1.check(round_significant(degrees, figures))
        assert not fb and "degrees" in fb.message, (figures, fb.message)
    assert "degrees" not in ch03b.q1.check(-0.005).message  # one figure is not the mistake


# ------------------------------------------------------------------ 03b.3 shift rule variants
def shift_in_place_and_restore(f, theta):
    grad = np.zeros_like(theta)
    for k in range(theta.size):
        theta[k] += np.pi / 2
        plus = f(theta)
        theta[k] -= np.pi
        minus = f(theta)
        theta[k] += np.pi / 2  # back, up to one rounding step
        grad[k] = (plus - minus) / 2
    return grad


def shift_in_place_no_restore(f, theta):
    grad = np.zeros_like(theta)
    for k in range(theta.size):
        theta[k] += np.pi / 2
        plus = f(theta)
        theta[k] -= np.pi
        grad[k] = (plus - f(theta)) / 2
    return grad


def test_03b_3_shift_and_restore_passes_a_lasting_change_is_named():
    assert ch03b.q3.check(shift_in_place_and_restore)
    fb = ch03b.q3.check(shift_in_place_no_restore)
    assert not fb and "in place" in fb.message, fb.message
    assert "exactly ±π/2" in str(ch03b.q3.prompt)


# ------------------------------------------------------------------ 03b.4 general shift rule
def shift_pi_over_2(f, theta, r):
    return (f(theta + np.pi / 2) - f(theta - np.pi / 2)) / 2


def shift_factor_half(f, theta, r):
    s = np.pi / (4 * r)
    return (f(theta + s) - f(theta - s)) / 2


def shift_finite_difference(f, theta, r):
    return (f(theta + 1e-6) - f(theta - 1e-6)) / 2e-6


def shift_wrong_sign(f, theta, r):
    s = np.pi / (4 * r)
    return r * (f(theta - s) - f(theta + s))


def shift_any_s(f, theta, r):
    """Another legitimate reading: any shift s with the factor r / sin(2rs) is exact."""
    s = 0.3
    return r * (f(theta + s) - f(theta - s)) / np.sin(2 * r * s)


def test_03b_4_solution_and_another_exact_shift_pass_the_stub_is_not_attempted():
    assert ch03b.q4.check(_solution(ch03b.q4))
    assert ch03b.q4.check(shift_any_s)
    fb = ch03b.q4.check(lambda f, theta, r: None)
    assert not fb and "returns None" in fb.message


@pytest.mark.parametrize(("wrong", "says"), [
    (shift_pi_over_2, "depends on r"),
    (shift_factor_half, "off by a factor"),
    (shift_finite_difference, "finite difference"),
    (shift_wrong_sign, "sign is wrong"),
])
def test_03b_4_wrong_rules_are_rejected_with_the_failing_property(wrong, says):
    fb = ch03b.q4.check(wrong)
    assert not fb and says in fb.message, fb.message


def test_03b_4_reference_is_the_closed_form_derivative():
    """The check's finite-difference reference against the derivative derived by hand."""
    for _, r, theta, f in ch03b._general_shift_cases():
        # recover b and c of f = a + b cos 2rθ + c sin 2rθ from three samples
        period = np.pi / r
        t = np.array([0.0, period / 4, period / 2])
        y = np.array([f(v) for v in t])
        b, c = (y[0] - y[2]) / 2, y[1] - (y[0] + y[2]) / 2
        exact = -2 * r * b * np.sin(2 * r * theta) + 2 * r * c * np.cos(2 * r * theta)
        assert abs(ch03b._central_difference(f, theta) - exact) < 1e-7


# ------------------------------------------------------------------ 03b.5 circuit from words
def _ladder(rot=cirq.ry, reverse=False, last=-1, symbols=True, on=None):
    def build(qs, thetas, phi):
        qs = on(len(qs)) if on else qs
        angles = thetas if symbols else [0.1] * len(thetas)
        ops = [rot(t).on(q) for q, t in zip(qs, angles, strict=True)]
        pairs = [(qs[k + 1], qs[k]) if reverse else (qs[k], qs[k + 1]) for k in range(len(qs) - 1)]
        ops += [cirq.CNOT(*p) for p in pairs]
        ops.append(cirq.rz(phi).on(qs[last]))
        return cirq.Circuit(ops)
    return build


def test_03b_5_solution_and_a_power_form_pass_the_stub_is_not_attempted():
    assert ch03b.q5.check(_solution(ch03b.q5))

    def power_form(qubits, thetas, phi):  # Y**(θ/π) is ry(θ) up to a global phase
        ops = [(cirq.Y ** (t / np.pi)).on(q) for q, t in zip(qubits, thetas, strict=True)]
        ops += [cirq.CNOT(a, b) for a, b in zip(qubits, qubits[1:], strict=False)]
        return cirq.Circuit(ops + [(cirq.Z ** (phi / np.pi)).on(qubits[-1])])

    assert ch03b.q5.check(power_form)
    fb = ch03b.q5.check(lambda qubits, thetas, phi: None)
    assert not fb and "returns None" in fb.message


@pytest.mark.parametrize(("wrong", "says"), [
    (_ladder(rot=cirq.rx), "Ry layer"),
    (_ladder(reverse=True), "CNOT ladder"),
    (_ladder(last=0), "Rz(φ)"),
    (_ladder(symbols=False), "symbol"),
    (_ladder(on=cirq.LineQubit.range), "not given"),
], ids=["rx", "reversed-ladder", "rz-first-qubit", "numbers", "own-qubits"])
def test_03b_5_wrong_circuits_are_rejected_with_the_failing_property(wrong, says):
    fb = ch03b.q5.check(wrong)
    assert not fb and says in fb.message, fb.message


def test_03b_5_checks_against_cirq_not_its_own_reference():
    """The reference circuit's unitary equals the matrices multiplied out by hand (n = 2)."""
    q = cirq.LineQubit.range(2)
    t0, t1, phi = 0.3, -1.1, 0.7

    def ry(t):
        return np.array([[np.cos(t / 2), -np.sin(t / 2)], [np.sin(t / 2), np.cos(t / 2)]])

    rz = np.diag([np.exp(-1j * phi / 2), np.exp(1j * phi / 2)])
    cnot = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]])
    by_hand = np.kron(np.eye(2), rz) @ cnot @ np.kron(ry(t0), ry(t1))
    got = ch03b._reference_layer_circuit(q, [t0, t1], phi).unitary(qubit_order=q)
    np.testing.assert_allclose(got, by_hand, atol=1e-7)


# ------------------------------------------------------------------ 03b.6 hybrid Keras model
def _model(hidden_activation="tanh", out_activation="sigmoid", quantum_trainable=True,
           hidden=True, backend="auto"):
    import clipq_edu as cq

    tf, _ = cq.load_tensorflow()

    def build(circuit, data_symbols, weight_symbols, operators):
        n = len(data_symbols)
        pqc = cq.models.EncodedPQC(circuit, data_symbols, weight_symbols, operators,
                                   backend=backend)
        pqc.trainable = quantum_trainable
        layers = [tf.keras.Input(shape=(n,))]
        if hidden:
            layers.append(tf.keras.layers.Dense(n, activation=hidden_activation))
        layers += [pqc, tf.keras.layers.Dense(1, activation=out_activation)]
        return tf.keras.Sequential(layers)
    return build


@pytest.mark.slow
def test_03b_6_solution_passes_on_both_backends_the_stub_is_not_attempted():
    assert ch03b.q6.check(_solution(ch03b.q6))
    assert ch03b.q6.check(_model(backend="tensorflow"))  # the TFQ-free route
    fb = ch03b.q6.check(lambda *args: None)
    assert not fb and "returns None" in fb.message


@pytest.mark.slow
@pytest.mark.parametrize(("kwargs", "says"), [
    ({"hidden_activation": "relu"}, "not tanh"),
    ({"out_activation": None}, "not probabilities"),
    ({"quantum_trainable": False}, "trainable"),
    ({"hidden": False}, "Dense(2) before"),
], ids=["relu", "no-sigmoid", "frozen-circuit", "no-hidden-layer"])
def test_03b_6_wrong_models_are_rejected_with_the_failing_property(kwargs, says):
    fb = ch03b.q6.check(_model(**kwargs))
    assert not fb and says in fb.message, fb.message


@pytest.mark.slow
def test_03b_6_a_linear_dense_then_a_tanh_activation_layer_passes():
    import clipq_edu as cq

    tf, _ = cq.load_tensorflow()

    def build(circuit, data_symbols, weight_symbols, operators):
        n = len(data_symbols)
        return tf.keras.Sequential([
            tf.keras.Input(shape=(n,)), tf.keras.layers.Dense(n), tf.keras.layers.Activation("tanh"),
            cq.models.EncodedPQC(circuit, data_symbols, weight_symbols, operators),
            tf.keras.layers.Dense(1, activation="sigmoid")])
    assert ch03b.q6.check(build)
    fb = ch03b.q6.check(_model(hidden_activation=None))  # linear, no tanh anywhere
    assert not fb and "not tanh" in fb.message, fb.message


def test_03b_6_something_that_is_not_a_function_is_explained():
    fb = ch03b.q6.check(42)
    assert not fb and "function" in fb.message


# ------------------------------------------------------------------ hints
@pytest.mark.parametrize("ex", [ch03b.q3, ch03b.q4, ch03b.q5, ch03b.q6],
                         ids=["03b.3", "03b.4", "03b.5", "03b.6"])
def test_code_hints_hold_no_code_of_the_solution(ex):
    solution_lines = [line.strip() for line in str(ex.solution_text).splitlines()[1:]
                      if line.strip() and not line.strip().startswith(("import", "#", "return ["))]
    for hint in ex.hints:
        assert "return " not in str(hint)
        for line in solution_lines:
            assert line not in str(hint), (line, hint)
