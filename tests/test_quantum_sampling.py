"""Tests for clipq_edu.quantum.sampling (the seeded shot sampler, counts) and simulate.expectation."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import cirq
import numpy as np
import pytest
import sympy

from clipq_edu.quantum import circuits as C
from clipq_edu.quantum import sampling as M
from clipq_edu.quantum import simulate as S

Q = cirq.LineQubit.range(3)


def _ry_circuit():
    t = sympy.Symbol("t")
    return cirq.Circuit(cirq.ry(t)(Q[0])), t


# ---------------------------------------------------------------- fast (Cirq backend) --------
def test_expectation_cirq_closed_form():
    circuit, t = _ry_circuit()
    thetas = np.linspace(0, 2 * np.pi, 7)
    out = S.expectation(circuit, cirq.Z(Q[0]), symbols=[t], values=thetas[:, None], backend="cirq")
    np.testing.assert_allclose(out, np.cos(thetas), atol=1e-12)
    both = S.expectation(circuit, [cirq.Z(Q[0]), cirq.X(Q[0])], symbols=[t], values=[0.4], backend="cirq")
    np.testing.assert_allclose(both, [np.cos(0.4), np.sin(0.4)], atol=1e-12)


def test_sampler_mean_and_variance_follow_the_shot_law():
    circuit, t = _ry_circuit()
    theta, shots, rows = 1.1, 200, 4000
    mu = np.cos(theta)
    est = M.sample_expectation(circuit, cirq.Z(Q[0]), shots, [t], np.full((rows, 1), theta),
                               seed=11, backend="cirq")
    var_law = M.shot_noise_variance(mu, shots)
    assert var_law == pytest.approx((1 - mu**2) / shots)
    assert abs(est.mean() - mu) < 5 * np.sqrt(var_law / rows)
    # the sample variance of ~Gaussian draws has relative standard error sqrt(2/(rows-1))
    assert abs(est.var(ddof=1) / var_law - 1) < 5 * np.sqrt(2 / (rows - 1))


def test_sampler_combines_pauli_terms_with_coefficients():
    circuit, t = _ry_circuit()
    obs = 0.5 + 2.0 * cirq.Z(Q[0]) - 1.0 * cirq.X(Q[0])
    theta, shots, rows = 0.7, 100, 3000
    mu_z, mu_x = np.cos(theta), np.sin(theta)
    vals = np.full((rows, 1), theta)
    est = M.sample_expectation(circuit, obs, shots, [t], vals, seed=2, backend="cirq")
    var = M.sample_expectation_variance(circuit, obs, shots, [t], vals[:1], backend="cirq")[0]
    assert var == pytest.approx(4 * (1 - mu_z**2) / shots + (1 - mu_x**2) / shots)
    assert abs(est.mean() - (0.5 + 2 * mu_z - mu_x)) < 5 * np.sqrt(var / rows)
    assert abs(est.var(ddof=1) / var - 1) < 5 * np.sqrt(2 / (rows - 1))


def test_sampler_seed_reproducible_in_process():
    circuit, t = _ry_circuit()
    kw = dict(symbols=[t], values=np.linspace(0, 3, 5)[:, None], backend="cirq")
    a = M.sample_expectation(circuit, cirq.Z(Q[0]), 100, seed=5, **kw)
    b = M.sample_expectation(circuit, cirq.Z(Q[0]), 100, seed=5, **kw)
    c = M.sample_expectation(circuit, cirq.Z(Q[0]), 100, seed=6, **kw)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("shots", [0, -3, 2.5, "10", True])
def test_shots_must_be_positive_integers(shots):
    circuit, t = _ry_circuit()
    with pytest.raises((ValueError, TypeError), match="shots"):
        M.sample_expectation(circuit, cirq.Z(Q[0]), shots, [t], [0.1], backend="cirq")
    with pytest.raises((ValueError, TypeError), match="shots"):
        M.sample_counts(C.bell_circuit(), shots)


def test_validation_messages():
    circuit, t = _ry_circuit()
    with pytest.raises(ValueError, match=r"q\(2\)"):
        S.expectation(circuit, cirq.Z(Q[2]), symbols=[t], values=[0.1], backend="cirq")
    with pytest.raises(ValueError, match="unresolved symbols.*'t'"):
        S.expectation(circuit, cirq.Z(Q[0]), backend="cirq")
    with pytest.raises(ValueError, match="one column per symbol"):
        S.expectation(circuit, cirq.Z(Q[0]), symbols=[t], values=[[0.1, 0.2]], backend="cirq")
    with pytest.raises(TypeError, match="observable"):
        S.expectation(circuit, "Z0", symbols=[t], values=[0.1], backend="cirq")
    with pytest.raises(ValueError, match="non-finite"):
        S.expectation(circuit, cirq.Z(Q[0]), symbols=[t], values=[np.inf], backend="cirq")
    with pytest.raises(ValueError, match="Hermitian"):
        S.expectation(circuit, 1j * cirq.Z(Q[0]), symbols=[t], values=[0.1], backend="cirq")
    big = cirq.Circuit(cirq.H.on_each(cirq.LineQubit.range(21)))
    with pytest.raises(ValueError, match="MiB"):
        S.expectation(big, cirq.Z(cirq.LineQubit(0)), backend="cirq")


def test_counts_bell_and_ghz():
    counts = M.sample_counts(C.bell_circuit(measure=True), 1000, seed=1)
    assert set(counts) <= {"00", "11"} and sum(counts.values()) == 1000
    assert counts == M.sample_counts(C.bell_circuit(), 1000, seed=1)
    # binomial check of one outcome: p = 1/2
    assert abs(counts["00"] - 500) < 5 * np.sqrt(1000 / 4)
    ghz = M.sample_counts(C.entangling_chain(4, measure=True), 2000, seed=0)
    assert set(ghz) == {"0000", "1111"}
    flat = M.sample_counts(C.entangling_chain(4, variant="all_h"), 16000, seed=0)
    assert len(flat) == 16
    assert all(abs(k - 1000) < 5 * np.sqrt(16000 * (1 / 16) * (15 / 16)) for k in flat.values())


def test_counts_bit_order_follows_measurement_gate():
    c = cirq.Circuit(cirq.X(Q[0]), cirq.I(Q[2]), cirq.measure(Q[2], Q[0], key="m"))
    assert M.sample_counts(c, 10, seed=0) == {"01": 10}
    c2 = cirq.Circuit(cirq.X(Q[0]), cirq.I(Q[1]))
    assert M.sample_counts(c2, 10, seed=0) == {"10": 10}


def test_counts_with_errors_and_plot():
    stats = M.counts_with_errors({"0": 30, "1": 70})
    assert stats["1"][0] == pytest.approx(0.7)
    assert stats["1"][1] == pytest.approx(np.sqrt(0.7 * 0.3 / 100))
    with pytest.raises(ValueError, match="counts"):
        M.counts_with_errors({})
    with pytest.raises(ValueError, match="non-negative"):
        M.counts_with_errors({"0": -1})
    import matplotlib

    matplotlib.use("Agg")
    ax = M.plot_counts({"00": 480, "11": 520})
    assert len(ax.patches) == 2 and "probability" in ax.get_ylabel()
    import matplotlib.pyplot as plt

    plt.close("all")


# ---------------------------------------------------------------- slow (TFQ) -----------------
@pytest.mark.slow
def test_tfq_expectation_matches_cirq():
    circuit, syms = C.hardware_efficient_ansatz(3, 2)
    vals = np.random.default_rng(0).uniform(0, 2 * np.pi, (5, len(syms)))
    obs = [cirq.Z(Q[0]) * cirq.Z(Q[1]), 0.5 * cirq.X(Q[2]) + 0.3 - cirq.Y(Q[1])]
    tfq_out = S.expectation(circuit, obs, symbols=syms, values=vals, backend="tfq")
    assert tfq_out.shape == (5, 2)
    np.testing.assert_allclose(tfq_out, S.expectation(circuit, obs, symbols=syms, values=vals, backend="cirq"), atol=1e-5)
    assert S.expectation(circuit, obs[0], symbols=syms, values=vals[0], backend="tfq").shape == ()
    assert S.expectation(C.bell_circuit(measure=True), cirq.Z(Q[0]) * cirq.Z(Q[1]), backend="tfq") == (
        pytest.approx(1.0, abs=1e-6))


@pytest.mark.slow
def test_tfq_sampled_expectation_agrees_in_mean():
    """TFQ's own sampler is unseeded: compare means with a 6-standard-error tolerance."""
    from clipq_edu._tf import tf, tfq

    circuit, t = _ry_circuit()
    theta, shots, rows = 1.0, 1000, 200
    mu = np.cos(theta)
    layer = tfq.layers.SampledExpectation()
    tfq_est = layer(
        [circuit] * rows, symbol_names=[t],
        symbol_values=tf.constant(np.full((rows, 1), theta), tf.float32),
        operators=cirq.Z(Q[0]), repetitions=shots,
    ).numpy().ravel()
    ours = M.sample_expectation(circuit, cirq.Z(Q[0]), shots, [t], np.full((rows, 1), theta),
                                seed=0)
    se = np.sqrt((1 - mu**2) / (shots * rows))
    assert abs(tfq_est.mean() - mu) < 6 * se
    assert abs(ours.mean() - mu) < 6 * se
    assert abs(tfq_est.mean() - ours.mean()) < 6 * np.sqrt(2) * se
    # the spread of TFQ's estimates follows the same (1 - mu^2)/N law
    assert abs(tfq_est.var(ddof=1) / ((1 - mu**2) / shots) - 1) < 6 * np.sqrt(2 / (rows - 1))


_CHILD = textwrap.dedent(
    """
    import numpy as np, cirq
    import clipq_edu
    from clipq_edu.quantum import circuits as C, sampling as M
    circuit, syms = C.hardware_efficient_ansatz(3, 1)
    vals = np.random.default_rng(0).uniform(0, 6, (4, len(syms)))
    q = cirq.LineQubit.range(3)
    est = M.sample_expectation(circuit, cirq.Z(q[0]) + 0.5 * cirq.X(q[2]), 500, syms, vals,
                               seed=123)
    counts = M.sample_counts(C.ghz_circuit(3), 777, seed=9)
    print(repr(est.tolist()), sorted(counts.items()))
    """
)


@pytest.mark.slow
def test_same_seed_same_numbers_across_processes():
    runs = [
        subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                       check=True, timeout=300).stdout.strip().splitlines()[-1]
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert "[" in runs[0]
