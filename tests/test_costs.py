"""costs: state-vector memory, quantum layer vs its classical equivalent, shot errors."""

from __future__ import annotations

import numpy as np
import pytest

from clipq_edu.course import costs
from clipq_edu.quantum.circuits import bell_circuit, ghz_circuit


def test_memory_doubles_per_qubit_exactly():
    assert costs.state_vector_memory(1) == 16
    assert costs.state_vector_memory(30) == 8 * 1024**3
    assert costs.state_vector_memory(30, bytes_per_amplitude=16) == 16 * 1024**3
    for n in range(2, 60):
        assert costs.state_vector_memory(n) == 2 * costs.state_vector_memory(n - 1)


@pytest.mark.parametrize("bad", [-1, 0, 1.5, "3", True, 1001])
def test_memory_rejects_bad_n(bad):
    with pytest.raises((ValueError, TypeError), match="n"):
        costs.state_vector_memory(bad)


def test_quantum_layer_equals_cumprod_of_cosines():
    rng = np.random.default_rng(3)
    for n in (1, 2, 5):
        theta = rng.uniform(0, 2 * np.pi, n)
        np.testing.assert_allclose(costs.chain_layer_quantum(theta),
                                   np.cumprod(np.cos(theta)), atol=1e-6)
    # Independent check: theta = (pi, 0) flips q0, the CNOT copies it: <Z0> = <Z1> = -1.
    np.testing.assert_allclose(costs.chain_layer_quantum([np.pi, 0.0]), [-1.0, -1.0], atol=1e-6)


def test_chain_layer_circuit_returns_fresh_copies():
    c1, s1 = costs.chain_layer_circuit(3)
    c1.append(c1[0])
    c2, _ = costs.chain_layer_circuit(3)
    assert len(c2) != len(c1) and len(s1) == 3


def test_layer_timings_ratio_and_agreement():
    r = costs.layer_timings([2, 6], repeats=2, seed=0)
    assert list(r["n"]) == [2, 6]
    assert np.all(r["max_abs_diff"] < 1e-5)
    assert np.all(r["quantum_s"] > 0) and np.all(r["classical_s"] > 0)
    np.testing.assert_allclose(r["ratio"], r["quantum_s"] / r["classical_s"])


def test_layer_timings_refuses_huge_n():
    with pytest.raises(ValueError, match="memory|qubits|GiB"):
        costs.layer_timings([40])


def test_shots_for_standard_error_closed_form():
    assert costs.shots_for_standard_error(0.5, 0.01) == 2500
    assert costs.shots_for_standard_error(0.1, 0.03) == 100
    assert costs.shots_for_standard_error(0.0, 0.01) == 1
    n = costs.shots_for_standard_error(0.3, 0.007)
    assert np.sqrt(0.21 / n) <= 0.007 < np.sqrt(0.21 / (n - 1))
    with pytest.raises(ValueError, match="p"):
        costs.shots_for_standard_error(1.5, 0.01)
    with pytest.raises(ValueError, match="target=1e-300 is too small"):
        costs.shots_for_standard_error(0.5, 1e-300)


def test_shots_for_standard_error_is_the_shot_budget_formula():
    """One home: the shot budget of a probability is shots_needed with variance p(1 - p)."""
    from clipq_edu.quantum.sampling import shots_needed

    for p, target in [(0.5, 0.01), (0.1, 0.03), (0.3, 0.007), (0.99, 0.001)]:
        assert costs.shots_for_standard_error(p, target) == shots_needed(p * (1 - p), target)


def test_fit_loglog_slope_recovers_exponent():
    x = np.array([1.0, 10.0, 100.0])
    assert costs.fit_loglog_slope(x, 3 * x**-0.5) == pytest.approx(-0.5)
    with pytest.raises(ValueError, match="positive"):
        costs.fit_loglog_slope([1, 2], [0, 1])


def test_shot_error_follows_inverse_sqrt_law():
    shots = [10, 100, 1000, 10_000]
    r = costs.shot_error_scaling(bell_circuit(), shots, "00", repeats=400, seed=1)
    assert r["p"] == pytest.approx(0.5)
    # With 400 repeats the RMS error is within ~10% of sqrt(p(1-p)/N) (5 sigma ≈ 18%).
    np.testing.assert_allclose(r["rms_error"], r["predicted"], rtol=0.18)
    assert r["slope"] == pytest.approx(-0.5, abs=0.05)
    again = costs.shot_error_scaling(bell_circuit(), shots, "00", repeats=400, seed=1)
    np.testing.assert_array_equal(r["rms_error"], again["rms_error"])


@pytest.mark.parametrize("shots", [40, [], [10, 10], [[1.0], [1.0, 2.0]], "abc", [10, 0]])
def test_shot_error_scaling_needs_two_shot_counts_and_names_shots(shots):
    with pytest.raises((ValueError, TypeError), match="shots"):
        costs.shot_error_scaling(bell_circuit(), shots, "00")


def test_shot_error_scaling_checks_bitstring():
    with pytest.raises(ValueError, match="bitstring"):
        costs.shot_error_scaling(ghz_circuit(3), [10, 100], "00")
