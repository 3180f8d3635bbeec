"""course.scaling: the controlled input-scale experiment of chapter 03c."""

from __future__ import annotations

import numpy as np
import pytest

from clipq_edu.course import scaling
from clipq_edu.training import Telemetry


def test_standardised_inputs_learn_and_scaled_inputs_do_not():
    good = scaling.scaling_run(scale=1.0, optimizer="sgd", seed=1)
    bad = scaling.scaling_run(scale=30.0, optimizer="sgd", seed=1)
    assert isinstance(good, Telemetry) and good.steps == 300
    assert good.metrics["test_accuracy"] > 0.95
    assert bad.metrics["test_accuracy"] < 0.65
    assert good.loss[-1] < good.loss[0]


def test_sgd_clip_fires_on_scaled_inputs_and_bounds_the_step():
    run = scaling.scaling_run(scale=30.0, optimizer="sgd", clip=1.0, seed=0, n_steps=50)
    assert run.summary()["clipped_fraction"] > 0.9 and run.clip == "global_norm 1"
    assert np.all(run.norm_after <= 1.0 + 1e-12)


def test_same_seed_same_numbers_and_seeds_differ():
    a = scaling.scaling_run(scale=30.0, optimizer="adam", seed=3)
    b = scaling.scaling_run(scale=30.0, optimizer="adam", seed=3)
    c = scaling.scaling_run(scale=30.0, optimizer="adam", seed=4)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert not np.array_equal(a.loss, c.loss)


def test_table_has_every_control_and_reports_spread():
    table = scaling.scaling_table(seeds=2, n_steps=20, n_train=50, n_test=100)
    # per scale: 2 optimisers x 2 clip settings; for s > 1 also three rescalings of each
    assert len(table) == 4 + 16
    row = table.find(scale=30.0, optimizer="sgd", clip=None, learning_rate=0.5 / 30**2,
                     init_divisor=1.0)
    assert len(row.accuracies) == 2 and row.sd >= 0 and 0 <= row.mean <= 1
    assert "±" in str(table) and row.label in str(table)
    with pytest.raises(ValueError, match="selects 4 conditions"):
        table.find(scale=1.0)


def test_matched_reparametrisation_is_the_standardised_run():
    """With u = s·w, init w/s and w's rate times 1/s² (SGD) or 1/s (Adam) is the s = 1 run."""
    for optimizer in ("sgd", "adam"):
        std = scaling.scaling_run(1.0, optimizer, seed=2)
        f = scaling.matched_rate_factor(30.0, optimizer)
        matched = scaling.scaling_run(30.0, optimizer, init_divisor=30.0, w_rate_factor=f, seed=2)
        np.testing.assert_allclose(matched.loss, std.loss, rtol=1e-6, atol=1e-9)
        assert matched.metrics["test_accuracy"] == std.metrics["test_accuracy"]
        # only w's rate: the same factor on b too leaves b 1/s² (or 1/s) too slow
        slow = scaling.scaling_run(30.0, optimizer, learning_rate=scaling.LEARNING_RATES[optimizer] * f,
                                   init_divisor=30.0, seed=2)
        assert slow.loss[-1] > matched.loss[-1]


def test_matched_rate_factor_follows_the_optimiser():
    assert scaling.matched_rate_factor(30.0, "sgd") == pytest.approx(1 / 900)
    assert scaling.matched_rate_factor(30.0, "adam") == pytest.approx(1 / 30)
    with pytest.raises(ValueError, match="optimizer"):
        scaling.matched_rate_factor(2.0, "rmsprop")


@pytest.mark.parametrize("kwargs, name", [
    ({"scale": -1.0}, "scale"), ({"optimizer": "rmsprop"}, "optimizer"), ({"clip": 0.0}, "clip"),
    ({"learning_rate": float("nan")}, "learning_rate"), ({"n_steps": 0}, "n_steps"),
    ({"n_test": 1}, "n_test"), ({"init_divisor": 0.0}, "init_divisor"),
    ({"w_rate_factor": -1.0}, "w_rate_factor"),
])
def test_bad_arguments_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        scaling.scaling_run(**kwargs)
