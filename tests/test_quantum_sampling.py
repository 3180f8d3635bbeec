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


# ------------------------------------------------------------ THE sampler -------------------
def test_sampler_statistics_follow_the_variance_law():
    mu = np.array([-0.9, -0.3, 0.0, 0.4, 0.99])
    shots, reps = 200, 4000
    est = M.sample_pauli_means(np.broadcast_to(mu, (reps, mu.size)), shots, seed=3)
    assert est.shape == (reps, mu.size)
    se_mean = np.sqrt((1 - mu**2) / shots / reps)
    assert np.all(np.abs(est.mean(axis=0) - mu) < 5 * se_mean + 1e-12)
    ratio = est.var(axis=0, ddof=1) / M.shot_noise_variance(mu, shots)
    assert np.all(np.abs(ratio - 1) < 6 * np.sqrt(2 / (reps - 1)))
    # each estimate is a mean of +-1 outcomes: 2k/N - 1 with integer k
    k = (est + 1) * shots / 2
    np.testing.assert_allclose(k, np.round(k), atol=1e-9)


def test_sampler_identity_terms_are_not_drawn():
    mu = np.array([[0.3, 1.0, -0.2]])
    ident = np.array([[False, True, False]])
    a, k = M.sample_pauli_means(mu, 100, seed=5, identity=ident, return_counts=True)
    assert a[0, 1] == 1.0 and k[0, 1] == 100
    # no random numbers are spent on the identity: the other entries are the draws of the
    # non-identity entries alone
    b = M.sample_pauli_means(mu[:, [0, 2]], 100, seed=5)
    np.testing.assert_array_equal(a[:, [0, 2]], b)
    with pytest.raises(ValueError, match="identity"):
        M.sample_pauli_means(mu, 100, seed=0, identity=[True, False])


def test_sampler_rounding_guard_and_range():
    # float32 simulators can return 1.0000001: treated as 1 (no error, no NaN)
    out = M.sample_pauli_means([1.0000001, -1.00000005], 50, seed=0)
    np.testing.assert_array_equal(out, [1.0, -1.0])
    # last-bit differences never change a draw
    mu = np.random.default_rng(1).uniform(-1, 1, 500)
    np.testing.assert_array_equal(M.sample_pauli_means(mu, 300, seed=9),
                                  M.sample_pauli_means(mu + 1e-9, 300, seed=9))
    with pytest.raises(ValueError, match="mu must lie in"):
        M.sample_pauli_means([1.01], 10, seed=0)
    with pytest.raises(ValueError, match="non-finite"):
        M.sample_pauli_means([np.nan], 10, seed=0)
    with pytest.raises(TypeError, match="seed"):
        M.sample_pauli_means([0.1], 10, seed="a")


def test_sampler_seed_and_generator_streams():
    from clipq_edu.testing import assert_same_seed_same_numbers

    assert_same_seed_same_numbers(M.sample_pauli_means, np.linspace(-0.9, 0.9, 7), 100)
    rng = np.random.default_rng(4)
    first = M.sample_pauli_means([0.1, 0.2], 100, seed=rng)
    second = M.sample_pauli_means([0.1, 0.2], 100, seed=rng)  # the stream continues
    both = M.sample_pauli_means([[0.1, 0.2], [0.1, 0.2]], 100, seed=4)
    np.testing.assert_array_equal(np.stack([first, second]), both)


def test_sample_expectation_uses_the_one_sampler():
    """sample_expectation = exact mu per Pauli term, then sample_pauli_means (same seed)."""
    circuit, syms = C.hardware_efficient_ansatz(2, 1)
    vals = np.random.default_rng(0).uniform(0, 6, (3, len(syms)))
    q = cirq.LineQubit.range(2)
    obs = 0.5 + cirq.Z(q[0]) - 0.25 * cirq.X(q[1])
    est = M.sample_expectation(circuit, obs, 400, syms, vals, seed=7, backend="cirq")
    mu = S.expectation(circuit, [cirq.Z(q[0]), cirq.X(q[1])], symbols=syms, values=vals,
                       backend="cirq")
    draws = M.sample_pauli_means(mu, 400, seed=7)
    np.testing.assert_allclose(est, 0.5 + draws[:, 0] - 0.25 * draws[:, 1], atol=1e-12)


def test_shot_budget_formula():
    assert M.shots_needed(0.25, 0.01) == 2500  # exactly 2500 up to rounding: not 2501
    assert M.shots_needed(0.0, 0.1) == 1
    np.testing.assert_array_equal(M.shots_needed([0.25, 0.09], [0.01, 0.01]), [2500, 900])
    # the shot budget of chapter 05 is the same formula with var = sigma^2, se = |g|/z
    assert M.shots_to_resolve(0.05, z=2.0) == M.shots_needed(0.5, 0.025) == 800
    with pytest.raises(ValueError, match="standard_error must be > 0"):
        M.shots_needed(0.25, 0.0)
    with pytest.raises(ValueError, match="more than"):
        M.shots_needed(1.0, 1e-12)
    with pytest.raises(ValueError, match=">= 0"):
        M.shots_needed(-0.1, 0.1)


def test_expectation_matches_cirq_helper():
    from clipq_edu.testing import assert_matches_cirq

    circuit, syms = C.hardware_efficient_ansatz(3, 2)
    vals = np.random.default_rng(2).uniform(0, 6, (4, len(syms)))
    q = cirq.LineQubit.range(3)
    obs = [cirq.Z(q[0]) * cirq.Z(q[2]), 0.3 * cirq.X(q[1]) + cirq.Y(q[0])]

    def cirq_backend(c, o, **kw):
        return S.expectation(c, o, backend="cirq", **kw)

    assert_matches_cirq(cirq_backend, circuit, obs, symbols=syms, values=vals, atol=1e-10)
    assert_matches_cirq(cirq_backend, circuit, obs[0], symbols=syms, values=vals[0],
                        atol=1e-10)
    assert_matches_cirq(cirq_backend, C.ghz_circuit(3, measure=True), obs[0], atol=1e-10)
    with pytest.raises(AssertionError):
        assert_matches_cirq(lambda c, o, **kw: cirq_backend(c, o, **kw) + 1e-3, circuit,
                            obs[0], symbols=syms, values=vals)
    with pytest.raises(TypeError, match="positional"):
        S.expectation(circuit, obs[0], syms, vals)  # symbols/values are keyword-only


@pytest.mark.slow
def test_tfq_backend_matches_cirq_helper():
    from clipq_edu.testing import assert_matches_cirq

    circuit, inputs, weights = C.reuploading_circuit(3, 2)
    allsyms = inputs + weights
    vals = np.random.default_rng(5).uniform(0, 6, (6, len(allsyms)))
    q = cirq.LineQubit.range(3)

    def tfq_backend(c, o, **kw):
        return S.expectation(c, o, backend="tfq", **kw)

    assert_matches_cirq(tfq_backend, circuit, [cirq.Z(q[0]), cirq.X(q[1]) * cirq.Z(q[2])],
                        symbols=allsyms, values=vals, atol=1e-5)


def test_outcome_counts_are_the_one_multinomial_draw():
    """sample_counts and costs.shot_error_scaling draw through sample_outcome_counts."""
    from clipq_edu.course import costs

    p = np.array([0.5, 0.0, 0.0, 0.5])
    k = M.sample_outcome_counts(p, 300, seed=4)
    np.testing.assert_array_equal(k, np.random.default_rng(4).multinomial(300, p))
    counts = M.sample_counts(C.bell_circuit(), 300, seed=4)
    assert counts == {"00": int(k[0]), "11": int(k[3])}
    rng = np.random.default_rng(9)
    many = M.sample_outcome_counts(p, 50, repeats=20, seed=rng)
    assert many.shape == (20, 4) and np.all(many.sum(axis=1) == 50)
    r = costs.shot_error_scaling(C.bell_circuit(), [10, 50], "00", repeats=20, seed=9)
    rng = np.random.default_rng(9)
    for s, rms in zip((10, 50), r["rms_error"], strict=True):
        k00 = M.sample_outcome_counts(p, s, repeats=20, seed=rng)[:, 0]
        assert rms == float(np.sqrt(np.mean((k00 / s - 0.5) ** 2)))
    with pytest.raises(ValueError, match="probabilities"):
        M.sample_outcome_counts([0.5, 0.6], 10)
