"""clipq_edu._lru: the one bounded LRU the library's caches share."""

from __future__ import annotations

import cirq
import numpy as np

from clipq_edu._lru import LRU, CircuitLRU
from clipq_edu.quantum import gradients


def test_circuit_cache_is_bounded_and_checks_the_circuit():
    cache = CircuitLRU(2)
    q = cirq.LineQubit(0)
    circuits = [cirq.Circuit(cirq.X(q) ** k) for k in (0.1, 0.2, 0.3)]
    built = []
    for c in circuits:
        cache.get_or_build(c, lambda c=c: built.append(c) or len(built))
    assert len(cache) == 2 and len(built) == 3  # the first one was dropped
    assert cache.get_or_build(circuits[2], lambda: "rebuilt") == 3
    assert cache.get_or_build(circuits[2], lambda: "other key", extra="x") == "other key"
    circuits[2].append(cirq.Z(q))
    assert cache.get_or_build(circuits[2], lambda: "rebuilt") == "rebuilt"
    assert isinstance(cache, LRU)


def test_parameter_shift_plans_follow_a_mutated_circuit():
    """The shift-rule cache (a CircuitLRU) must not serve the plan of the old circuit."""
    import sympy

    q = cirq.LineQubit(0)
    a = sympy.Symbol("a")
    circuit = cirq.Circuit(cirq.ry(a).on(q))
    obs = cirq.Z(q)
    g1 = gradients.parameter_shift_gradient(circuit, ["a"], np.array([[0.3]]), obs)
    circuit.append(cirq.ry(a).on(q))  # now cos(2a): the derivative doubles and changes
    g2 = gradients.parameter_shift_gradient(circuit, ["a"], np.array([[0.3]]), obs)
    np.testing.assert_allclose(np.ravel(g1), [-np.sin(0.3)], atol=1e-5)
    np.testing.assert_allclose(np.ravel(g2), [-2 * np.sin(0.6)], atol=1e-5)
