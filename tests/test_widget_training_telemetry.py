"""Drive the training_telemetry explorer without a browser (matplotlib Agg)."""

from __future__ import annotations

import importlib
import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from clipq_edu import clipping  # noqa: E402
from clipq_edu.course import tiny  # noqa: E402
from clipq_edu.course.tiny import train_tiny  # noqa: E402
from clipq_edu.training.optim import adam_init, adam_update, optimizer  # noqa: E402
from clipq_edu.training.telemetry import Telemetry  # noqa: E402
from clipq_edu.widgets._training_telemetry import (  # noqa: E402
    BOUND_RANGE,
    training_telemetry,
)

tt_module = importlib.import_module("clipq_edu.widgets._training_telemetry")


@pytest.fixture(scope="module")
def explorer():
    return training_telemetry()


def test_initial_state(explorer):
    s = explorer.state
    assert explorer.message == ""
    assert s["method"] == "global_norm" and s["bound"] == pytest.approx(1.0)
    n = len(s["loss"])
    assert n == 8 * s["steps_per_epoch"] and not s["diverged"]
    assert s["norm_before"].shape == s["norm_after"].shape == (n,)
    # global-norm clipping: the applied norm is exactly min(raw norm, bound)
    np.testing.assert_allclose(s["norm_after"], np.minimum(s["norm_before"], 1.0), rtol=1e-9)
    assert len(explorer.figure.axes) == 2


def test_backprop_matches_finite_differences():
    rng = np.random.default_rng(3)
    w = tiny._init(0, 8)
    w[1] = rng.normal(size=10) * 0.1  # non-zero biases so every path is exercised
    x = rng.normal(size=(16, 8))
    y = (rng.random(16) > 0.5).astype(float)
    _, grads = tiny._loss_and_grads(w, x, y)
    eps = 1e-6
    for k in range(4):
        flat = w[k].reshape(-1)
        for i in range(0, flat.size, max(1, flat.size // 5)):
            plus = [a.copy() for a in w]
            minus = [a.copy() for a in w]
            plus[k].reshape(-1)[i] += eps
            minus[k].reshape(-1)[i] -= eps
            num = (tiny._loss_and_grads(plus, x, y)[0]
                   - tiny._loss_and_grads(minus, x, y)[0]) / (2 * eps)
            assert grads[k].reshape(-1)[i] == pytest.approx(num, abs=1e-7)


def test_no_clipping_applies_the_raw_gradient(explorer):
    explorer.set(method="none")
    s = explorer.state
    np.testing.assert_array_equal(s["norm_after"], s["norm_before"])
    assert s["clipped_fraction"] == 0.0
    assert not s["clipped"].any()


def test_bound_slider_ends(explorer):
    explorer.set(method="global_norm", bound=BOUND_RANGE[0], input_scale=1.0, optimizer="sgd")
    tight = explorer.state
    assert explorer.message == ""
    assert tight["clipped_fraction"] == 1.0  # every raw norm exceeds 0.01
    np.testing.assert_allclose(tight["norm_after"], BOUND_RANGE[0], rtol=1e-9)
    explorer.set(bound=BOUND_RANGE[1])
    loose = explorer.state
    assert loose["clipped_fraction"] == 0.0  # no raw norm reaches 100
    none = train_tiny("none", 1.0, 1.0, "sgd")
    # a bound never reached changes nothing: identical trajectory to no clipping
    np.testing.assert_array_equal(loose["loss"], none.loss)
    # SGD with every step cut to norm 0.01 barely moves: its final loss is higher
    assert tight["final_loss"] > loose["final_loss"]


def test_value_and_norm_methods(explorer):
    explorer.set(method="value", bound=0.05, optimizer="sgd", input_scale=1.0)
    s = explorer.state
    assert s["clipped_fraction"] > 0
    # value clipping: each entry <= c, so the norm is at most c * sqrt(#weights) = c * sqrt(101)
    assert np.all(s["norm_after"] <= 0.05 * math.sqrt(8 * 10 + 10 + 10 + 1) + 1e-12)
    explorer.set(method="norm")
    s = explorer.state
    # per-tensor norm clipping: 4 tensors each <= c, so the global norm is <= 2c
    assert np.all(s["norm_after"] <= 2 * 0.05 + 1e-12)


def test_input_scale_multiplies_gradient_norms(explorer):
    explorer.set(method="none", optimizer="sgd", input_scale=1.0)
    first_1 = explorer.state["norm_before"][0]
    explorer.set(input_scale=30.0)
    first_30 = explorer.state["norm_before"][0]
    assert first_30 > 10 * first_1  # same weights, same first batch, inputs x30
    assert explorer.state["input_scale"] == 30.0


def test_relu_model_is_homogeneous_in_the_input_scale():
    # With zero biases (the initial state) ReLU is positively homogeneous, so scaling the
    # inputs by s scales the logits by s exactly: the loss is mean(softplus(s z) - y s z).
    rng = np.random.default_rng(1)
    w = tiny._init(0, 8)
    x = rng.normal(size=(20, 8))
    y = (rng.random(20) > 0.5).astype(float)
    z = (np.maximum(x @ w[0], 0) @ w[2]).ravel()
    for s in (1.0, 10.0, 30.0):
        want = np.mean(np.logaddexp(0.0, s * z) - y * s * z)
        assert tiny._loss_and_grads(w, s * x, y)[0] == pytest.approx(want, rel=1e-12)


def test_clipping_helps_sgd_on_badly_scaled_inputs():
    raw = train_tiny("none", 1.0, 30.0, "sgd")
    clipped = train_tiny("global_norm", 1.0, 30.0, "sgd")
    assert np.max(raw.norm_before) > 5 * np.median(raw.norm_before)  # spiky
    assert clipped.summary()["final_loss"] < raw.summary()["final_loss"]


def test_adam_is_far_less_sensitive_to_clipping():
    # Adam divides by a running RMS of the gradient, so rescaling all gradients changes its
    # steps little; SGD steps are proportional to the gradient itself.
    def spread(opt: str) -> float:
        losses = [train_tiny(m, 0.1, 30.0, opt).summary()["final_loss"]
                  for m in ("none", "global_norm")]
        return abs(losses[0] - losses[1])

    assert spread("adam") < spread("sgd")


def test_same_setting_is_reproducible_and_cached(explorer):
    explorer.set(method="global_norm", bound=0.5, input_scale=10.0, optimizer="adam")
    a = explorer.state
    explorer.set(bound=2.0)
    explorer.set(bound=0.5)
    b = explorer.state
    assert a["loss"] is b["loss"]  # served from the cache
    fresh = train_tiny("global_norm", 0.5, 10.0, "adam")
    np.testing.assert_array_equal(fresh.loss, a["loss"])
    assert isinstance(a["telemetry"], Telemetry) and not a["loss"].flags.writeable


def test_first_step_is_clipped_by_the_library_clipper():
    # Recompute the first batch by hand: its raw norm and the norm after
    # clip_by_global_norm must be what train_tiny recorded for step 0.
    tel = train_tiny("global_norm", 0.5, 30.0, "sgd")
    x, y = tiny._data(0)
    x = 30.0 * x
    idx = np.random.default_rng(1).permutation(len(y))[:32]
    _, grads = tiny._loss_and_grads(tiny._init(0, 8), x[idx], y[idx])
    clipped, norm = clipping.clip_by_global_norm(grads, 0.5)
    assert tel.norm_before[0] == pytest.approx(norm, rel=1e-12)
    assert tel.norm_after[0] == pytest.approx(clipping.global_norm(clipped), rel=1e-12)
    assert tel.clipped[0] == (norm > 0.5)


def test_adam_path_is_the_library_adam_step():
    # One step of train_tiny's Adam, redone with adam_update on the flattened weights.
    w = tiny._init(0, 8)
    flat = tiny._flat(w)
    grads = [np.full_like(a, 0.5) for a in w]
    updates, state = adam_update(tiny._flat(grads), adam_init(flat), learning_rate=0.01)
    new = tiny._unflat(flat + updates, w)
    assert [a.shape for a in new] == [a.shape for a in w]
    np.testing.assert_allclose(new[2] - w[2], -0.01, rtol=1e-6)  # first Adam step = -lr sign(g)
    assert state.t == 1


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_train_tiny_takes_its_optimiser_from_the_library(monkeypatch, name):
    asked = []
    monkeypatch.setattr(tiny, "get_optimizer", lambda n: asked.append(n) or optimizer(n))
    train_tiny("none", 1.0, 1.0, name)
    assert asked == [name]  # THE SGD-or-Adam choice: clipq_edu.training.optim.optimizer


def test_run_cache_is_bounded_lru(explorer):
    cache = tt_module._CACHE
    assert cache.maxsize >= 8
    explorer.set(method="global_norm", bound=1.0, input_scale=1.0, optimizer="sgd")
    key = explorer._key("global_norm", 1.0, 1.0, "sgd")
    assert key in cache and explorer.is_cached(method="global_norm", bound=1.0,
                                               input_scale=1.0, optimizer="sgd")
    old_size = cache.maxsize
    try:
        cache.maxsize = len(cache) + 2
        for b in (0.02, 0.04, 0.08):  # three new settings push the oldest entries out
            explorer.set(bound=b)
        assert len(cache) == cache.maxsize
    finally:
        cache.maxsize = old_size


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"bound": "abc"}, "bound"),
        ({"method": "bogus"}, "method"),
        ({"input_scale": 7.0}, "input_scale"),
        ({"optimizer": "lbfgs"}, "optimizer"),
    ],
)
def test_invalid_values_show_a_message_and_keep_the_picture(explorer, values, fragment):
    explorer.set(method="global_norm", bound=1.0, input_scale=1.0, optimizer="sgd")
    before = explorer.state
    explorer.set(**values)
    assert fragment in explorer.message
    assert explorer.state is before
    explorer.set(method="global_norm", bound=1.0, input_scale=1.0, optimizer="sgd")
    assert explorer.message == ""


def test_validate_messages(explorer):
    ok = {"method": "none", "bound": 1.0, "input_scale": 1.0, "optimizer": "sgd"}
    assert explorer.validate(**ok) is None
    assert "bound" in explorer.validate(**{**ok, "bound": math.nan})
    assert "bound" in explorer.validate(**{**ok, "bound": 1e6})
    assert "input scale" in explorer.validate(**{**ok, "input_scale": 2.0})


def test_factory_rejects_bad_arguments():
    with pytest.raises(ValueError, match="method"):
        training_telemetry(method="clip")
    with pytest.raises(ValueError, match="bound"):
        training_telemetry(bound=0.0)
    with pytest.raises(ValueError, match="input_scale"):
        training_telemetry(input_scale=3.0)
    with pytest.raises(ValueError, match="optimizer"):
        training_telemetry(optimizer="rmsprop")
    with pytest.raises(ValueError, match="seed"):
        training_telemetry(seed=-1)
    with pytest.raises(ValueError, match="method"):
        train_tiny("clip", 1.0, 1.0, "sgd")


def test_loss_panel_title_shows_the_final_loss(explorer):
    # exercise 04.6 asks to compare final losses: the panel must show them (issue 26 item 4)
    explorer.set(method="global_norm", bound=1.0, input_scale=30.0, optimizer="adam")
    s = explorer.state
    title = explorer.figure.axes[1].get_title()
    assert not s["diverged"]
    assert f"final loss {s['final_loss']:.3f}" in title
    assert s["final_loss"] == pytest.approx(float(np.mean(s["loss"][-s["steps_per_epoch"]:])))
    explorer.set(method="none")
    assert f"final loss {explorer.state['final_loss']:.3f}" in explorer.figure.axes[1].get_title()


def test_panel_titles_stay_inside_the_figure(explorer):
    # the loss panel's title grew with the final loss: it must not run off the canvas
    explorer.set(method="global_norm", bound=1.0, input_scale=30.0, optimizer="sgd")
    fig = explorer.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    for ax in fig.axes:
        ext = ax.title.get_window_extent(renderer)
        assert box.x0 <= ext.x0 and ext.x1 <= box.x1 and ext.y1 <= box.y1, ax.get_title()
