"""Non-finite gradients in every training path never reach the weights.

tests/test_training.py already checks a NaN at one step for ``train`` with no clipping,
``("global_norm", c)`` and Keras ``global_clipnorm``, and ``nonfinite="raise"`` at step 0
without clipping. This file covers the rest:

- ``train`` with every other clip spec (value, norm, autoclip, agc, a callable, Keras
  clipvalue / clipnorm), with +Inf and -Inf as well as NaN, two faulty steps in one run, and
  the optimizer's own state (its step counter) left alone by a skipped step;
- ``nonfinite="raise"`` at a later step with clipping: the steps before it stay applied;
- a NaN coming from the data instead of a hook;
- ``compare_clipping`` (one hook shared by all configurations);
- Keras ``model.fit`` with ``clipnorm``: NaN reaches the weights (documented), and the safe
  alternative ``clipq_edu.training.train`` on the same data;
- ``model.fit`` with the library's guard ``training.guard_nonfinite``: the NaN batch is skipped;
- ``ShotBasedOptimizer`` / ``train_circuit_from_shots`` (non-finite -> clear error, state kept,
  or ``nonfinite="skip"``: skipped, counted, the run goes on);
- the classical toy loop ``toys.gradient_descent``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from clipq_edu import clipping
from clipq_edu.course import toys
from clipq_edu.testing import tiny_data, tiny_model

pytestmark = pytest.mark.slow

cirq = pytest.importorskip("cirq")
sympy = pytest.importorskip("sympy")


_model = tiny_model


def _data(n=32, seed=1):
    return tiny_data(n, seed)


class Injector:
    """grad_hook: records the weights seen before each step and poisons chosen steps.

    ``faults`` maps a step to ``(tensor index, value)``; the value is written into the first
    entry of that tensor's gradient.
    """

    def __init__(self, model, faults):
        self.model, self.faults = model, dict(faults)
        self.weights = []

    def __call__(self, step, grads):
        self.weights.append([w.copy() for w in self.model.get_weights()])
        grads = [np.array(g) for g in grads]
        if step in self.faults:
            tensor, value = self.faults[step]
            grads[tensor].flat[0] = value
        return grads


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


CLIPS = [
    ("value", 0.05),
    ("norm", 0.1),
    ("autoclip", 50.0),
    ("agc", 0.01),
    "callable",
    ("keras", {"clipvalue": 0.05}),
    ("keras", {"clipnorm": 0.1}),
    None,
    ("global_norm", 0.1),
    ("keras", {"global_clipnorm": 0.1}),
]


def _clip(spec):
    if spec == "callable":
        def halve(grads):
            return [g * 0.5 for g in grads]
        return halve
    if isinstance(spec, tuple) and spec[0] == "autoclip":
        return clipping.AutoClip(percentile=spec[1])
    return spec


@pytest.mark.parametrize("clip", CLIPS, ids=lambda c: str(c))
def test_inf_and_nan_steps_are_skipped_for_every_clip_spec(clip):
    from clipq_edu import load_tensorflow, training

    tf, _ = load_tensorflow()

    x, y = _data(48)
    model = _model()
    hook = Injector(model, {1: (0, math.inf), 2: (3, -math.inf), 4: (1, math.nan)})
    keras_clip = isinstance(clip, tuple) and clip[0] == "keras"
    kwargs = {}
    if not keras_clip:  # a Keras optimizer instance lets us read its step counter
        kwargs["optimizer"] = tf.keras.optimizers.Adam(learning_rate=0.05)
    spec = _clip(clip)
    tel = training.train(model, x, y, epochs=1, batch_size=8, clip=spec, grad_hook=hook,
                         progress=False, **kwargs)
    assert tel.skipped.tolist() == [False, True, True, False, True, False]
    assert tel.summary()["skipped_steps"] == [1, 2, 4]
    # the weights before steps 2 and 3 equal those before step 1; same around step 4
    assert _same(hook.weights[1], hook.weights[2]) and _same(hook.weights[2], hook.weights[3])
    assert _same(hook.weights[4], hook.weights[5])
    assert not _same(hook.weights[0], hook.weights[1])  # applied steps do move them
    assert not _same(hook.weights[3], hook.weights[4])
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert np.isnan(tel.norm_after[[1, 2, 4]]).all()
    assert np.isinf(tel.norm_before[[1, 2]]).all() and np.isnan(tel.norm_before[4])
    assert np.isfinite(tel.norm_after[[0, 3, 5]]).all()
    assert np.isfinite(tel.epoch_loss).all()
    if "optimizer" in kwargs:  # Adam's step counter counts applied steps only
        assert int(kwargs["optimizer"].iterations.numpy()) == 3
    if isinstance(spec, clipping.AutoClip):
        # train works on a copy: the caller's AutoClip is never changed
        assert spec.history == [] and spec.threshold is None
        # the skipped norms never entered the copy's history: its threshold at step 5 is
        # the 50th percentile of the three applied steps' norms
        applied = tel.norm_before[[0, 3, 5]]
        assert np.isfinite(tel.threshold[[0, 3, 5]]).all()
        assert tel.threshold[5] == pytest.approx(np.percentile(applied, 50.0))


@pytest.mark.parametrize("clip", [("norm", 0.1), ("keras", {"clipnorm": 0.1})],
                         ids=lambda c: str(c))
@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_raise_policy_stops_at_the_faulty_step_and_keeps_earlier_updates(clip, bad):
    from clipq_edu import training

    x, y = _data(32)
    model = _model()
    hook = Injector(model, {2: (2, bad)})
    with pytest.raises(training.NonFiniteGradientError, match=r"step 2 \(epoch 0\).*NaN or Inf"):
        training.train(model, x, y, epochs=1, batch_size=8, clip=clip, nonfinite="raise",
                       grad_hook=hook, progress=False)
    assert len(hook.weights) == 3
    assert _same(hook.weights[2], model.get_weights())  # step 2 applied nothing
    assert not _same(hook.weights[0], hook.weights[2])  # steps 0 and 1 were applied
    # NonFiniteGradientError is not a ValueError: catching it needs its own name (documented)
    assert issubclass(training.NonFiniteGradientError, FloatingPointError)


def test_nan_in_the_data_is_skipped_and_reported_not_applied():
    """A NaN feature row gives a NaN gradient for its batch: that step is skipped."""
    from clipq_edu import training

    x, y = _data(32)
    x[5, 1] = np.nan
    model = _model()
    hook = Injector(model, {})
    tel = training.train(model, x, y, epochs=1, batch_size=8, clip=("global_norm", 1.0),
                         grad_hook=hook, seed=3, progress=False)
    order = np.random.default_rng(3).permutation(32)
    bad_step = int(np.flatnonzero(order == 5)[0]) // 8
    assert tel.summary()["skipped_steps"] == [bad_step]
    assert _same(hook.weights[bad_step], hook.weights[bad_step + 1]) if bad_step < 3 else True
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_compare_clipping_skips_the_same_poisoned_step_in_every_config():
    from clipq_edu import training

    x, y = _data(32)

    def hook(step, grads):
        grads = [np.array(g) for g in grads]
        if step == 1:
            grads[0].flat[0] = np.inf
        return grads

    res = training.compare_clipping(
        lambda: _model(), (x, y), {"plain": None, "norm": ("norm", 0.1),
                                   "keras": ("keras", {"clipvalue": 0.05})},
        epochs=1, batch_size=8, grad_hook=hook, progress=False)
    for name, tel in res.telemetry.items():
        assert tel.skipped.tolist() == [False, True, False, False], name
        assert np.isfinite(tel.epoch_loss).all(), name


# --------------------------------------------------------------------------------------------
# Keras model.fit: what happens without our loop
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("opts", [{"clipnorm": 1.0}, {"global_clipnorm": 1.0},
                                  {"clipvalue": 0.5}, {}], ids=str)
def test_keras_fit_lets_nan_reach_the_weights_and_train_does_not(opts):
    """Documents Keras' behaviour: clipping does not protect against NaN in ``model.fit``.

    clip_by_norm / clip_by_global_norm of a NaN gradient is NaN (the norm is NaN), and
    clip_by_value keeps NaN, so one NaN batch poisons every weight it touches. The safe
    alternative is ``clipq_edu.training.train`` (skips and reports the step).
    """
    from clipq_edu import load_tensorflow, training

    tf, _ = load_tensorflow()

    x, y = _data(32)
    x[0, 0] = np.nan  # one poisoned example, in the first batch (no shuffling)
    model = _model()
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1, **opts),
                  loss="binary_crossentropy")
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert not all(np.isfinite(w).all() for w in model.get_weights())  # NaN reached them

    model = _model()
    clip = ("keras", opts) if opts else None
    tel = training.train(model, x, y, optimizer="sgd", learning_rate=0.1, epochs=1,
                         batch_size=8, clip=clip, seed=0, progress=False)
    assert tel.skipped.sum() == 1
    assert all(np.isfinite(w).all() for w in model.get_weights())


@pytest.mark.parametrize("opts", [{"clipnorm": 1.0}, {"global_clipnorm": 1.0},
                                  {"clipvalue": 0.5}, {}], ids=str)
@pytest.mark.parametrize("name", ["adam", "sgd"])
def test_guarded_optimizer_keeps_nan_out_of_the_weights_in_model_fit(name, opts):
    """training.guard_nonfinite: model.fit skips the poisoned batch and applies the others.

    The poisoned batch is the first one (no shuffling), so the guarded run must end exactly
    where a run on the three clean batches alone ends: same updates, same step count.
    """
    from clipq_edu import training

    x, y = _data(32)
    x[0, 0] = np.nan
    model = _model()
    opt = training.guard_nonfinite(name, learning_rate=0.05, **opts)
    model.compile(optimizer=opt, loss="binary_crossentropy")
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert opt.nonfinite_steps == 1 and int(opt.iterations.numpy()) == 3

    clean = _model()
    ref = training.guard_nonfinite(name, learning_rate=0.05, **opts)
    clean.compile(optimizer=ref, loss="binary_crossentropy")
    clean.fit(x[8:], y[8:], batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert ref.nonfinite_steps == 0
    for a, b in zip(model.get_weights(), clean.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert not _same(model.get_weights(), _model().get_weights())  # it did train


def test_guard_copies_an_optimizer_instance_and_checks_its_argument():
    from clipq_edu import load_tensorflow, training

    tf, _ = load_tensorflow()

    mine = tf.keras.optimizers.Adam(learning_rate=0.02, clipnorm=0.5)
    guarded = training.guard_nonfinite(mine)
    assert guarded is not mine and isinstance(guarded, tf.keras.optimizers.Adam)
    assert type(mine) is tf.keras.optimizers.Adam  # the caller's optimizer is not changed
    assert guarded.get_config()["clipnorm"] == 0.5
    assert float(guarded.learning_rate.numpy()) == pytest.approx(0.02)
    assert type(training.guard_nonfinite(guarded)) is type(guarded)
    # in a custom loop too: a NaN gradient leaves the variable and the step count alone
    var = tf.Variable([1.0, 2.0])
    guarded.apply_gradients([(tf.constant([np.nan, 1.0]), var)])
    np.testing.assert_array_equal(var.numpy(), [1.0, 2.0])
    guarded.apply_gradients([(tf.constant([1.0, 1.0]), var)])
    assert guarded.nonfinite_steps == 1 and int(guarded.iterations.numpy()) == 1
    assert not np.array_equal(var.numpy(), [1.0, 2.0])
    with pytest.raises(ValueError, match="optimizer"):
        training.guard_nonfinite("lion")
    with pytest.raises(TypeError, match="optimizer"):
        training.guard_nonfinite(42)
    with pytest.raises(TypeError, match="by name"):
        training.guard_nonfinite(mine, learning_rate=0.1)


# --------------------------------------------------------------------------------------------
# Shot-based optimiser
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("clip", [None, ("norm", 0.5), ("autoclip", 50.0)], ids=str)
def test_shot_optimizer_refuses_nonfinite_gradient_and_keeps_its_state(bad, clip):
    from clipq_edu import training

    opt = training.ShotBasedOptimizer(0.1, clip=clip, shots=100, seed=0)
    theta = np.array([0.3, -0.2])
    theta = opt.update(theta, [0.5, -1.0])
    theta = opt.update(theta, [0.4, 2.0])
    m, v, t = opt.state.m.copy(), opt.state.v.copy(), opt.state.t
    last = dict(opt.last)
    with pytest.raises(ValueError, match="grads"):
        opt.update(theta, [bad, 0.1])
    assert opt.state.t == t == 2
    np.testing.assert_array_equal(opt.state.m, m)
    np.testing.assert_array_equal(opt.state.v, v)
    assert opt.last == last
    if clip is not None and clip[0] == "autoclip":
        assert np.isfinite(opt.clipper.history).all() and len(opt.clipper.history) == 2
    # and the next good step is exactly the step it would have been without the fault
    ref = training.ShotBasedOptimizer(0.1, clip=clip, shots=100, seed=0)
    r = ref.update(np.array([0.3, -0.2]), [0.5, -1.0])
    r = ref.update(r, [0.4, 2.0])
    np.testing.assert_array_equal(opt.update(theta, [0.1, 0.1]), ref.update(r, [0.1, 0.1]))


@pytest.mark.parametrize("target", [math.nan, math.inf])
def test_train_circuit_from_shots_refuses_a_nonfinite_target_by_name(target):
    from clipq_edu import training

    q = cirq.LineQubit(0)
    a = sympy.Symbol("a")
    circuit = cirq.Circuit(cirq.ry(a).on(q))
    with pytest.raises(ValueError, match="target"):
        training.train_circuit_from_shots(circuit, [a], cirq.Z(q), target, [0.1], steps=2,
                                          shots=50)


def test_shot_optimizer_step_with_nonfinite_params_is_refused():
    from clipq_edu import training

    q = cirq.LineQubit(0)
    a = sympy.Symbol("a")
    circuit = cirq.Circuit(cirq.ry(a).on(q))
    opt = training.ShotBasedOptimizer(0.1, shots=50, seed=0)
    for bad in (math.nan, math.inf):
        with pytest.raises(ValueError, match="values|params"):
            opt.step(circuit, [a], [bad], cirq.Z(q))
    assert opt.state is None


# --------------------------------------------------------------------------------------------
# Classical toy loop
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("x0", [1.0, np.array([1.0, -0.5])], ids=["scalar", "vector"])
@pytest.mark.parametrize("clip", [None, 0.5])
def test_toy_descent_stops_before_applying_a_nonfinite_gradient(bad, x0, clip):
    calls = []

    def grad(x):
        calls.append(1)
        g = toys.quartic_grad(x)
        if len(calls) == 4:  # the gradient at x_3
            return bad if np.isscalar(g) else np.array([bad, 0.0])
        return g

    res = toys.gradient_descent(grad, x0, learning_rate=0.01, steps=50, clip=clip)
    assert res.diverged and res.iterations is None
    assert len(res.trajectory) == 4  # x_0 .. x_3: nothing after the bad gradient
    assert np.isfinite(res.trajectory).all()


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_shot_optimizer_skip_policy_skips_counts_and_continues(bad):
    from clipq_edu import training

    opt = training.ShotBasedOptimizer(0.1, clip=("autoclip", 50.0), nonfinite="skip")
    ref = training.ShotBasedOptimizer(0.1, clip=("autoclip", 50.0))
    theta = r = np.array([0.3, -0.2])
    for g in ([0.5, -1.0], [0.4, 2.0]):
        theta, r = opt.update(theta, g), ref.update(r, g)
    state = opt.state
    kept = opt.update(theta, [bad, 0.1])
    np.testing.assert_array_equal(kept, theta)
    assert opt.state is state and opt.skipped_steps == 1
    assert opt.last["skipped"] and np.isnan(opt.last["norm_after"])
    assert len(opt.clipper.history) == 2  # the bad norm never entered AutoClip's history
    # the next good step is exactly the step the run without the fault takes
    np.testing.assert_array_equal(opt.update(kept, [0.1, 0.1]), ref.update(r, [0.1, 0.1]))
    assert not opt.last["skipped"]


def test_train_circuit_from_shots_skips_poisoned_steps_and_reports_them():
    from clipq_edu import training

    q = cirq.LineQubit.range(2)
    a, b = sympy.symbols("a b")
    circuit = cirq.Circuit(cirq.ry(a).on(q[0]), cirq.ry(b).on(q[1]))
    obs = cirq.Z(q[0]) + cirq.Z(q[1])

    def poison(step, grad):
        if step in (1, 3):
            grad[0] = np.nan
        return grad

    res = training.train_circuit_from_shots(circuit, [a, b], obs, None, [0.4, 0.3], steps=6,
                                            shots=200, seed=0,
                                            nonfinite="skip", grad_hook=poison)
    assert isinstance(res, training.Telemetry)
    assert res.skipped.tolist() == [False, True, False, True, False, False]
    assert res.summary()["skipped_steps"] == [1, 3]
    np.testing.assert_array_equal(res.params[2], res.params[1])  # step 1 applied nothing
    np.testing.assert_array_equal(res.params[4], res.params[3])
    assert not np.array_equal(res.params[1], res.params[0])
    assert np.isfinite(res.params).all() and np.isnan(res.norm_after[[1, 3]]).all()
    with pytest.raises(training.NonFiniteGradientError, match="grads"):
        training.train_circuit_from_shots(circuit, [a, b], obs, None, [0.4, 0.3], steps=3,
                                          shots=200, seed=0,
                                          grad_hook=poison)
    assert issubclass(training.NonFiniteGradientError, ValueError)
