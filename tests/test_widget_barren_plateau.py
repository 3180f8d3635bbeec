"""The barren-plateau explorer, driven without a browser."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from clipq_edu.quantum import landscapes  # noqa: E402
from clipq_edu.widgets._barren_plateau import MAX_DEPTH, barren_plateau  # noqa: E402


@pytest.fixture(scope="module")
def explorer():
    return barren_plateau(qubits=4, depth=10)


def test_initial_state_matches_library(explorer):
    s = explorer.state
    assert s["n"] == [2, 3, 4] and s["depth"] == 10 and explorer.message == ""
    g = landscapes.gradient_samples(4, MAX_DEPTH, 100, seed=0, every_layer=True)
    assert s["variance"][-1] == pytest.approx(g[9].var())
    np.testing.assert_allclose(s["haar"], [landscapes.haar_gradient_variance(n) for n in (2, 3, 4)])


def test_depth_change_redraws_from_cache(explorer):
    cached = dict(explorer._random)
    explorer.set(depth=MAX_DEPTH)
    assert explorer._random.keys() == cached.keys()  # no new simulation
    assert explorer.state["depth"] == MAX_DEPTH
    explorer.set(depth=2)
    assert explorer.state["depth"] == 2


def test_slider_ends_and_slope(explorer):
    explorer.set(qubits=2)
    assert explorer.state["n"] == [2] and np.isnan(explorer.state["log2_slope"])
    explorer.set(qubits=8, depth=MAX_DEPTH)
    s = explorer.state
    assert s["n"] == list(range(2, 9))
    # Deep random circuits: the variance falls roughly as 2**-n.
    assert -1.4 < s["log2_slope"] < -0.6


def test_identity_init_is_flat(explorer):
    explorer.set(init="identity", qubits=6, depth=20)
    s = explorer.state
    assert s["init"] == "identity"
    assert max(s["variance"]) / min(s["variance"]) < 2.0
    assert abs(explorer.state["log2_slope"]) < 0.2


def test_invalid_values_give_message_and_keep_picture(explorer):
    explorer.set(init="identity", depth=20, qubits=4)
    good = dict(explorer.state)
    explorer.controls["depth"].step = 1  # code can set an odd depth
    explorer.set(depth=21)
    assert "even depth" in explorer.message
    assert explorer.state == good
    explorer.set(init="random")
    assert explorer.message == "" and explorer.state["depth"] == 21
    explorer.set(init="nonsense")
    assert "not accepted" in explorer.message or "init" in explorer.message


def test_constructor_rejects_bad_arguments():
    with pytest.raises(ValueError, match="qubits"):
        barren_plateau(qubits=12)
    with pytest.raises(ValueError, match="init"):
        barren_plateau(init="zeros")


def test_larger_qubit_counts_are_simulated_in_the_background():
    e = barren_plateau(qubits=2, depth=10, seed=3)
    for future in e._pending_random.values():
        future.result(timeout=600)
    assert e.is_cached(qubits=7, depth=60, init="random")
    assert e.is_cached(qubits=8, depth=10, init="random")
    assert e.is_cached(qubits=8, depth=10, init="identity")  # a closed form: never waits
    e.set(qubits=5)
    want = landscapes.gradient_samples(5, MAX_DEPTH, 100, seed=3, every_layer=True)[9].var()
    assert e.state["variance"][-1] == pytest.approx(want)


@pytest.mark.parametrize(("n", "depth", "seed"), [(2, 4, 0), (4, 10, 1), (6, 40, 0)])
def test_identity_gradients_equal_the_simulated_ones(n, depth, seed):
    from clipq_edu.widgets._barren_plateau import N_CIRCUITS, identity_gradients

    simulated = landscapes.gradient_samples(n, depth, N_CIRCUITS, seed=seed, init="identity")
    np.testing.assert_allclose(identity_gradients(n, depth, seed), simulated, atol=1e-6)


def test_a_second_explorer_reuses_the_random_simulations():
    first = barren_plateau(qubits=3, depth=10, seed=5)
    for future in first._pending_random.values():
        future.result(timeout=600)
    second = barren_plateau(qubits=8, depth=10, seed=5)
    assert all(f.done() for f in second._pending_random.values())  # nothing left to simulate
    assert second.is_cached(qubits=8, depth=60, init="random")


def test_an_explorer_with_some_counts_simulated_before_gets_the_others():
    from clipq_edu.widgets import _barren_plateau as bp

    bp._random_variances(2, seed=6)  # simulated earlier in the session, say by chapter code
    e = barren_plateau(qubits=3, depth=10, seed=6)
    for future in e._pending_random.values():
        future.result(timeout=600)  # the background thread skips n = 2 and does the rest
    assert e.state["n"] == [2, 3]
