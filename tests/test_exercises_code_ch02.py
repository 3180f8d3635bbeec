"""Chapter 02's exercises (issues 26/27): code exercises checked by behaviour, numeric ones
accepting the true value at 3 and 4 significant figures and naming each typical mistake."""

from __future__ import annotations

import numpy as np
import pytest
from exercise_support import reference_function as _solution

from clipq_edu.exercises import ch02 as ex

cirq = pytest.importorskip("cirq")




# ------------------------------------------------------------------ 02.7 global norm
def _norm(grads):
    return float(np.sqrt(sum(np.sum(g**2) for g in grads)))


def global_per_tensor(grads, c):
    return ([g * min(1.0, c / np.linalg.norm(g)) if np.linalg.norm(g) > 0 else g.copy()
             for g in grads], _norm(grads))


def global_norm_after(grads, c):
    n = _norm(grads)
    s = min(1.0, c / n) if n > 0 else 1.0
    return [g * s for g in grads], min(n, c)


def global_sum_of_norms(grads, c):
    n = float(sum(np.linalg.norm(g) for g in grads))
    s = min(1.0, c / n) if n > 0 else 1.0
    return [g * s for g in grads], n


def global_always_rescaled(grads, c):
    n = _norm(grads)
    s = c / n if n > 0 else 1.0
    return [g * s for g in grads], n


def global_list_only(grads, c):
    n = _norm(grads)
    s = min(1.0, c / n) if n > 0 else 1.0
    return [g * s for g in grads]


# ------------------------------------------------------------------ 02.8 circuit
def circuit_plain_ghz(qubits):
    chain = [cirq.CNOT(a, b) for a, b in zip(qubits, qubits[1:], strict=False)]
    return cirq.Circuit([cirq.H(qubits[0]), *chain])


def circuit_no_cnots(qubits):
    return cirq.Circuit([cirq.X(qubits[0]), cirq.H(qubits[0])])


def circuit_own_qubits(qubits):
    q = cirq.LineQubit.range(len(qubits))
    chain = [cirq.CNOT(a, b) for a, b in zip(q, q[1:], strict=False)]
    return cirq.Circuit([cirq.X(q[0]), cirq.H(q[0]), *chain])


def circuit_measured(qubits):
    return _solution(ex.q8)(qubits) + cirq.measure(*qubits, key="m")


def circuit_fan_out(qubits):
    """A legitimate variant: CNOTs from qubit 0 to every other qubit, Z instead of X."""
    return cirq.Circuit([cirq.H(qubits[0]), cirq.Z(qubits[0])]
                        + [cirq.CNOT(qubits[0], b) for b in qubits[1:]])


WRONG = [
    (ex.q7, global_per_tensor, "clipnorm"),
    (ex.q7, global_norm_after, "before clipping"),
    (ex.q7, global_sum_of_norms, "global norm"),
    (ex.q7, global_always_rescaled, "never enlarges"),
    (ex.q7, global_list_only, "pair"),
    (ex.q8, circuit_plain_ghz, "relative sign"),
    (ex.q8, circuit_no_cnots, "correlated"),
    (ex.q8, circuit_own_qubits, "not given"),
    (ex.q8, circuit_measured, "without measurements"),
]


@pytest.mark.parametrize("q", [ex.q6, ex.q7, ex.q8], ids=lambda q: q.id)
def test_reference_solution_passes_and_stub_is_not_attempted(q):
    fb = q.check(_solution(q))
    assert fb, fb.message

    def stub(*args):
        return None

    fb = q.check(stub)
    assert not fb and "returns None" in fb.message


@pytest.mark.parametrize(("q", "wrong", "says"), WRONG,
                         ids=[f"{q.id}-{fn.__name__}" for q, fn, _ in WRONG])
def test_wrong_answers_are_rejected_naming_the_property(q, wrong, says):
    fb = q.check(wrong)
    assert not fb, f"{q.id} accepts {wrong.__name__}"
    assert says in fb.message, fb.message


def test_other_correct_circuits_are_accepted():
    assert ex.q8.check(circuit_fan_out)


def test_circuit_target_matches_cirq_on_two_qubits():
    # independent of the checker: Cirq's own state for X, H, CNOT is (|00> - |11>)/√2
    q = cirq.LineQubit.range(2)
    state = cirq.final_state_vector(cirq.Circuit(cirq.X(q[0]), cirq.H(q[0]), cirq.CNOT(*q)),
                                    dtype=np.complex128)
    np.testing.assert_allclose(state, np.array([1, 0, 0, -1]) / np.sqrt(2), atol=1e-12)


def test_no_code_hint_gives_the_working_statement():
    for q in (ex.q6, ex.q7, ex.q8):
        for hint in q.hints:
            assert "return " not in str(hint)
    assert "global_clipnorm does)" not in ex.q6.check(global_per_tensor_each()).message


def global_per_tensor_each():
    """02.6 answered with global clipping: the message must not say global_clipnorm scales
    a short tensor up."""
    def clip_each(grads, c):
        return global_always_rescaled(grads, c)[0]
    return clip_each


# ------------------------------------------------------------------ numeric exercises
def _at(value: float, figures: int) -> float:
    return float(f"{value:.{figures - 1}e}")


@pytest.mark.parametrize("q", [ex.q1, ex.q2, ex.q4, ex.q5], ids=lambda q: q.id)
def test_true_value_at_3_and_4_significant_figures(q):
    want = np.asarray(q.expected(), dtype=float)
    if np.all(want == np.round(want)):
        assert q.check(want.tolist())
    else:
        for figures in (3, 4):
            assert q.check(np.vectorize(lambda v, f=figures: _at(v, f))(want).tolist())
    assert not q.check((want * 7 + 1).tolist())


MISTAKES = [
    (ex.q1, [1.2, -1.0, 1.2], "by value"),
    (ex.q1, [2 / 3, -1 / 3, 2 / 3], "factor c"),
    (ex.q1, [0.48, -0.24, 0.48], "L1"),
    (ex.q2, 0.2985, "radians"),
    (ex.q2, 26.57, "x-axis"),
    (ex.q4, 40_000, "p(1 − p)"),
    (ex.q4, 20_000, "instead of the variance"),
    (ex.q4, 50, "square"),
    (ex.q5, 1200, "not 1/N"),
    (ex.q5, 693, "square of the factor"),
    (ex.q5, 44, "fewer shots"),
]


@pytest.mark.parametrize(("q", "value", "says"), MISTAKES,
                         ids=[f"{q.id}-{i}" for i, (q, _, _) in enumerate(MISTAKES)])
def test_each_typical_mistake_is_named(q, value, says):
    fb = q.check(value)
    assert not fb and says in fb.message, fb.message
