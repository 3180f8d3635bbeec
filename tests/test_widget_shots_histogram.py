"""The shots-histogram explorer, driven without a browser."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from clipq_edu.quantum import sampling  # noqa: E402
from clipq_edu.quantum.circuits import bell_circuit  # noqa: E402
from clipq_edu.widgets._shots_histogram import (  # noqa: E402
    SHOT_OPTIONS,
    _wilson_interval,
    shots_histogram,
)


@pytest.fixture()
def explorer():
    return shots_histogram(circuit="bell", shots=100, seed=0)


def test_initial_state_matches_seeded_sampler(explorer):
    s = explorer.state
    assert s["counts"] == sampling.sample_counts(bell_circuit(), 100, seed=0)
    assert sum(s["counts"].values()) == 100
    np.testing.assert_allclose(s["exact"], [0.5, 0.0, 0.0, 0.5], atol=1e-12)
    assert set(s["counts"]) <= {"00", "11"}  # one bitstring per shot, only 00 or 11
    k = s["counts"].get("00", 0)
    low, high = s["interval"]
    # the Wilson interval at z = 1 is close to p̂ ± sqrt(p̂(1-p̂)/N) when k is far from 0 and N
    assert high[0] - low[0] == pytest.approx(2 * np.sqrt(k / 100 * (1 - k / 100) / 100), rel=0.05)
    assert low[0] < k / 100 < high[0]


def test_unseen_outcome_gets_an_open_error_bar():
    """k = 0 (plus2 at N = 10 misses an outcome about 5.6 % of the time) is not a zero-length bar."""
    low, high = _wilson_interval(np.array([0.0, 10.0, 5.0]), 10)
    assert low[0] == 0 and high[0] > 0.05  # unseen, not known to be impossible
    assert high[1] == pytest.approx(1) and low[1] < 0.95  # seen every time, not known to be certain
    # the Wilson bounds solve |p̂ - p| = sqrt(p(1-p)/N) for p: check that independently
    for k, lo, hi in zip((0.0, 10.0, 5.0), low, high, strict=True):
        for p in (lo, hi):
            if 1e-9 < p < 1 - 1e-9:
                assert abs(k / 10 - p) == pytest.approx(np.sqrt(p * (1 - p) / 10), rel=1e-9)


def test_slider_ends_and_error_shrinks(explorer):
    explorer.set(shots=SHOT_OPTIONS[0])
    small = explorer.state
    assert small["shots"] == 10 and sum(small["counts"].values()) == 10
    explorer.set(shots=SHOT_OPTIONS[-1])
    big = explorer.state
    assert big["shots"] == 100_000
    assert big["typical_error"] == pytest.approx(small["typical_error"] / 100)
    # 5 standard errors of the largest entry at N = 100 000
    assert big["max_abs_error"] < 5 * np.sqrt(0.25 / 100_000)


def test_circuits(explorer):
    explorer.set(circuit="ghz3", shots=1000)
    s = explorer.state
    assert len(s["bitstrings"]) == 8 and set(s["counts"]) <= {"000", "111"}
    explorer.set(circuit="plus2")
    np.testing.assert_allclose(explorer.state["exact"], [0.25] * 4, atol=1e-12)
    assert len(explorer.state["counts"]) == 4


def test_same_seed_same_counts_other_seed_differs(explorer):
    explorer.set(shots=1000, seed=5)
    first = explorer.state["counts"]
    explorer.set(seed=6)
    explorer.set(seed=5)
    assert explorer.state["counts"] == first
    explorer.set(seed=6)
    assert explorer.state["counts"] != first


def test_invalid_values_give_message(explorer):
    good = dict(explorer.state)
    explorer.set(seed=-1)
    assert "seed" in explorer.message
    assert explorer.state["counts"] == good["counts"]
    explorer.set(seed=0)
    assert explorer.message == ""
    explorer.set(shots=123)  # not one of the options: the widget refuses
    assert explorer.message
    assert "circuit" in explorer.validate(circuit="x", shots=100, seed=0)


def test_constructor_rejects_bad_arguments():
    with pytest.raises(ValueError, match="shots"):
        shots_histogram(shots=123)
    with pytest.raises(ValueError, match="circuit"):
        shots_histogram(circuit="w")
    with pytest.raises(ValueError, match="seed"):
        shots_histogram(seed=-2)


@pytest.mark.parametrize("circuit", ["bell", "ghz3", "plus2"])
@pytest.mark.parametrize("seed", [0, 7])
def test_displayed_error_falls_like_one_over_sqrt_n(circuit, seed):
    """Issue 26 item 12: the title's RMS error (over seeded draws) and the shaded band shrink
    with every notch of the slider, and the RMS error follows √(p(1−p)/N)."""
    explorer = shots_histogram(circuit=circuit, shots=SHOT_OPTIONS[0], seed=seed)
    rms, band = [], []
    for n in SHOT_OPTIONS:
        explorer.set(shots=n)
        s = explorer.state
        rms.append(s["rms_error"])
        band.append(np.max(s["band"]))
        # 200 draws: the RMS error's relative spread is about 1/√400 = 5 %; allow 5 of those
        assert s["rms_error"] == pytest.approx(s["typical_error"], rel=0.25)
    assert np.all(np.diff(rms) < 0) and np.all(np.diff(band) < 0)
    slope = np.polyfit(np.log(SHOT_OPTIONS), np.log(rms), 1)[0]
    assert slope == pytest.approx(-0.5, abs=0.05)


def test_band_is_the_binomial_standard_error_of_the_exact_probability(explorer):
    s = explorer.state
    # written out independently of the widget: p = 1/2 for 00 and 11, 0 elsewhere, N = 100
    np.testing.assert_allclose(s["band"], [0.05, 0.0, 0.0, 0.05], atol=1e-12)
    assert s["tracked"] == "00"
