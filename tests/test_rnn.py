"""course.rnn: the recurrent network of chapter 03a."""

from __future__ import annotations

import numpy as np
import pytest

from clipq_edu.course import rnn


def test_memory_task_shapes_scale_and_seed():
    x, y = rnn.memory_task(40, n=2000, seed=3)
    assert x.shape == (2000, 40, 1) and y.shape == (2000, 1) and x.dtype == np.float32
    assert abs(y.var() - 1) < 0.1  # normalised: predicting 0 costs an MSE of about 1
    np.testing.assert_array_equal(rnn.memory_task(40, n=5, seed=3)[0], x[:5])


@pytest.mark.parametrize("kwargs, name", [({"length": 2}, "length"), ({"length": 8, "n": 0}, "n"),
                                          ({"length": 8, "seed": -1}, "seed")])
def test_memory_task_names_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        rnn.memory_task(**kwargs)


@pytest.mark.slow
def test_jacobian_norm_follows_the_spectral_radius():
    for gain in (0.8, 1.2):
        r = rnn.input_jacobian_norms(gain, [3, 12, 30])
        np.testing.assert_allclose(r["measured"], r["closed_form"], rtol=1e-4)
    grow, shrink = rnn.input_jacobian_norms(1.2, [30]), rnn.input_jacobian_norms(0.8, [30])
    assert grow["measured"][0] > 10 > 0.1 > shrink["measured"][0]


@pytest.mark.slow
def test_clipping_stops_the_explosion_from_the_same_weights():
    free = rnn.train_rnn(30, 1.15, None, epochs=2)
    clipped = rnn.train_rnn(30, 1.15, ("keras", {"global_clipnorm": 1.0}), epochs=2)
    assert free.norm_before[0] == clipped.norm_before[0]  # same weights, same first batch
    assert len(free.summary()["skipped_steps"]) > 0 or not np.isfinite(free.epoch_loss[-1])
    assert np.all(np.isfinite(clipped.epoch_loss)) and clipped.epoch_loss[-1] < clipped.epoch_loss[0]


def test_zero_predictor_loss_is_the_mean_square_of_the_validation_targets():
    _, y_val = rnn.memory_task(40, 256, seed=1)  # train_rnn(seed=0) validates on seed + 1
    assert rnn.zero_predictor_loss(40, seed=0) == pytest.approx(float(np.mean(y_val.astype(float) ** 2)))
    assert 0.7 < rnn.zero_predictor_loss(80) < 1.3  # about 1: the target has variance 1
    with pytest.raises(ValueError, match="seed"):
        rnn.zero_predictor_loss(40, seed=-1)


def test_bad_gain_is_named():
    with pytest.raises(ValueError, match="gain"):
        rnn.linear_rnn(10, gain=-1.0)
