"""Exercise 03b.4: the learner's own tfq.layers.PQC model, checked by output and gradient."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def _model(readout_qubit: int = 0, gate: str = "ry", extra_weight: bool = False):
    import cirq
    import sympy

    from clipq_edu import load_tensorflow

    tf, tfq = load_tensorflow()
    q = cirq.LineQubit.range(2)
    a, b = sympy.symbols("a b")
    rot = cirq.ry if gate == "ry" else cirq.rx
    ops = [rot(a)(q[0]), cirq.CNOT(q[0], q[1]), cirq.ry(b)(q[1])]
    if extra_weight:
        ops.append(cirq.rz(sympy.Symbol("c"))(q[1]))
    pqc = tfq.layers.PQC(cirq.Circuit(ops), cirq.Z(q[readout_qubit]),
                         initializer=tf.keras.initializers.RandomUniform(0, 6.28, seed=1))
    return tf.keras.Sequential([tf.keras.Input(shape=(), dtype=tf.string), pqc])


def test_reference_model_is_accepted():
    from clipq_edu.exercises import ch03b

    feedback = ch03b.q4.check(_model())
    assert feedback, str(feedback)


@pytest.mark.parametrize("kwargs, message", [
    ({"readout_qubit": 1}, "⟨Z1⟩"),
    ({"gate": "rx"}, "ry, not rx"),
    ({"extra_weight": True}, "exactly two"),
])
def test_plausible_wrong_models_are_rejected_with_a_reason(kwargs, message):
    from clipq_edu.exercises import ch03b

    feedback = ch03b.q4.check(_model(**kwargs))
    assert not feedback and message in str(feedback), str(feedback)


def test_something_that_is_not_a_model_is_explained():
    from clipq_edu.exercises import ch03b

    feedback = ch03b.q4.check(lambda x: x)
    assert not feedback and "tf.keras model" in str(feedback)
