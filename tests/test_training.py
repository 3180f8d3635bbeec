"""Tests for clipq_edu.training: telemetry, Keras agreement, non-finite policy, shot-based Adam."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from clipq_edu import clipping, training
from clipq_edu.testing import tiny_data, tiny_model

cirq = pytest.importorskip("cirq")
sympy = pytest.importorskip("sympy")


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
_tiny_model = tiny_model
_tiny_data = tiny_data


class _Recorder:
    """grad_hook that keeps the raw gradients and the weights seen at every step."""

    def __init__(self, model, nan_at=None):
        self.model, self.nan_at = model, nan_at
        self.grads, self.weights = [], []

    def __call__(self, step, grads):
        self.weights.append([w.copy() for w in self.model.get_weights()])
        grads = [np.array(g) for g in grads]
        if step == self.nan_at:
            grads[0][0, 0] = np.nan
        self.grads.append(grads)
        return grads


def _one_sgd_step(model, x, y, clip):
    training.train(model, x, y, optimizer="sgd", learning_rate=1.0, epochs=1,
                   batch_size=len(x), clip=clip, progress=False)
    return model.get_weights()


# --------------------------------------------------------------------------------------------
# Telemetry
# --------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("clip", [("global_norm", 0.05), ("norm", 0.05), ("value", 0.02),
                                  ("autoclip", 50), ("agc", 0.01), None])
def test_telemetry_matches_independent_norms(clip):
    x, y = _tiny_data(32)
    model = _tiny_model()
    rec = _Recorder(model)
    tel = training.train(model, x, y, epochs=2, batch_size=8, clip=clip, grad_hook=rec,
                         progress=False)
    assert tel.steps == 8 == len(rec.grads)
    for s, raw in enumerate(rec.grads):
        assert tel.norm_before[s] == pytest.approx(clipping.global_norm(raw), rel=1e-5)
        np.testing.assert_allclose(tel.layer_norms[s], [np.linalg.norm(g) for g in raw],
                                   rtol=1e-5)
    assert np.all(tel.norm_after <= tel.norm_before * (1 + 1e-6))
    if clip is None:
        assert not tel.clipped.any()
        np.testing.assert_allclose(tel.norm_after, tel.norm_before, rtol=1e-6)
    elif clip[0] == "global_norm":
        c = clip[1]
        assert np.all(tel.norm_after <= c * (1 + 1e-5))
        np.testing.assert_array_equal(tel.clipped, tel.norm_before > c)
        np.testing.assert_allclose(tel.norm_after, np.minimum(tel.norm_before, c), rtol=1e-5)
    elif clip[0] == "norm":
        per_tensor_bound = clip[1] * np.sqrt(tel.layer_norms.shape[1])
        assert np.all(tel.norm_after <= per_tensor_bound * (1 + 1e-5))
        np.testing.assert_array_equal(tel.clipped, (tel.layer_norms > clip[1]).any(axis=1))
    elif clip[0] == "value":
        expected = [any(np.abs(g).max() > clip[1] for g in raw) for raw in rec.grads]
        np.testing.assert_array_equal(tel.clipped, expected)
    s = tel.summary()
    assert s["steps"] == 8 and s["skipped_steps"] == []
    assert s["clipped_fraction"] == pytest.approx(tel.clipped.mean())
    assert s["max_norm_before"] == pytest.approx(tel.norm_before.max())
    assert set(tel.to_dict()) >= {"loss", "norm_before", "norm_after", "clipped", "skipped"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "ours, keras_opts",
    [(("norm", 0.1), {"clipnorm": 0.1}),
     (("global_norm", 0.1), {"global_clipnorm": 0.1}),
     (("value", 0.05), {"clipvalue": 0.05})],
)
def test_clip_methods_agree_with_keras_and_with_hand_computation(ours, keras_opts):
    from clipq_edu._tf import tf

    x, y = _tiny_data(16)
    w0 = _tiny_model().get_weights()
    # independent: gradient by GradientTape, clipped with NumPy, w1 = w0 - g
    ref = _tiny_model()
    with tf.GradientTape() as tape:
        loss = tf.keras.losses.BinaryCrossentropy()(y[:, None], ref(x))
    g = [t.numpy().astype(np.float64) for t in tape.gradient(loss, ref.trainable_variables)]
    if ours[0] == "norm":
        g = [gi * min(1.0, ours[1] / np.linalg.norm(gi)) for gi in g]
    elif ours[0] == "global_norm":
        total = np.sqrt(sum(np.sum(gi**2) for gi in g))
        g = [gi * min(1.0, ours[1] / total) for gi in g]
    else:
        g = [np.clip(gi, -ours[1], ours[1]) for gi in g]
    expected = [w - gi for w, gi in zip(w0, g, strict=True)]
    w_ours = _one_sgd_step(_tiny_model(), x, y, ours)
    w_keras = _one_sgd_step(_tiny_model(), x, y, ("keras", keras_opts))
    for a, b, e in zip(w_ours, w_keras, expected, strict=True):
        np.testing.assert_allclose(a, e, atol=1e-6)
        np.testing.assert_allclose(b, e, atol=1e-6)


@pytest.mark.slow
def test_keras_ignores_clipvalue_next_to_clipnorm_and_telemetry_shows_it():
    x, y = _tiny_data(16)
    both = _one_sgd_step(_tiny_model(), x, y, ("keras", {"clipnorm": 0.1, "clipvalue": 1e-4}))
    norm_only = _one_sgd_step(_tiny_model(), x, y, ("keras", {"clipnorm": 0.1}))
    for a, b in zip(both, norm_only, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-7)
    tel = training.train(_tiny_model(), x, y, optimizer="sgd", learning_rate=1.0, epochs=1,
                         batch_size=16, clip=("keras", {"clipnorm": 0.1, "clipvalue": 1e-4}),
                         progress=False)
    # what Keras applied is per-tensor norm clipping: entries far above 1e-4 survive
    assert tel.norm_after[0] > 1e-4 * np.sqrt(tel.layer_norms.shape[1] * 16)
    assert np.all(tel.norm_after <= 0.1 * np.sqrt(tel.layer_norms.shape[1]) + 1e-6)


# --------------------------------------------------------------------------------------------
# Non-finite policy
# --------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("clip", [None, ("global_norm", 0.1), ("keras", {"global_clipnorm": 0.1})])
def test_nan_gradient_is_skipped_and_never_reaches_the_weights(clip):
    x, y = _tiny_data(32)
    model = _tiny_model()
    rec = _Recorder(model, nan_at=2)
    tel = training.train(model, x, y, epochs=1, batch_size=8, clip=clip, grad_hook=rec,
                         progress=False)
    assert tel.skipped.tolist() == [False, False, True, False]
    assert tel.summary()["skipped_steps"] == [2]
    # weights before step 3 equal weights before step 2: the NaN step changed nothing
    for a, b in zip(rec.weights[2], rec.weights[3], strict=True):
        np.testing.assert_array_equal(a, b)
    # while applied steps did change them
    assert not np.array_equal(rec.weights[1][0], rec.weights[2][0])
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert np.isnan(tel.norm_before[2]) and np.isnan(tel.norm_after[2])


@pytest.mark.slow
def test_nan_gradient_raises_on_request_and_weights_stay():
    x, y = _tiny_data(16)
    model = _tiny_model()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(training.NonFiniteGradientError, match="step 0"):
        training.train(model, x, y, epochs=1, batch_size=16, nonfinite="raise",
                       grad_hook=_Recorder(model, nan_at=0), progress=False)
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------------------------
# compare_clipping
# --------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_compare_clipping_starts_from_same_weights_and_inactive_clip_changes_nothing():
    x, y = _tiny_data(32)
    res = training.compare_clipping(
        _tiny_model, (x, y, x[:8], y[:8]),
        {"none": None, "huge": ("global_norm", 1e9), "tight": ("global_norm", 1e-3)},
        epochs=2, batch_size=8, progress=False,
    )
    for a, b in zip(res.initial_weights, _tiny_model(0).get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    none, huge, tight = (res.telemetry[k] for k in ("none", "huge", "tight"))
    np.testing.assert_allclose(none.loss, huge.loss, rtol=1e-6)
    np.testing.assert_allclose(none.norm_before, huge.norm_before, rtol=1e-6)
    assert tight.clipped.all() and not huge.clipped.any()
    assert tight.loss[0] == none.loss[0]  # same weights, same first batch
    assert [row["config"] for row in res.table] == ["none", "huge", "tight"]
    import matplotlib

    matplotlib.use("Agg")
    fig = training.plot_comparison(res)
    assert len(fig.axes) == 2
    assert none.plot() is not None


# --------------------------------------------------------------------------------------------
# The COURSE.md claim: 30x inputs fail with or without clipping, standardised inputs learn
# --------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_hybrid_model_with_30x_inputs_stays_far_below_standardised_with_or_without_clipping():
    """One seed of the hybrid model (03c's illustration). Whether a 30x run lands at chance
    depends on the seed and the batch order (0.53 clipped, 0.74 unclipped here), so the claim
    checked is the robust one: far below the standardised model either way. The controlled
    version over 5 seeds is course.scaling (tests/test_scaling.py, chapter 03c)."""
    from clipq_edu import data, models

    d = data.standardize(data.moons(120, 0.1, seed=0))
    acc = {}
    for scale in (1.0, 30.0):
        for name, clip in (("none", None), ("clip", ("global_norm", 0.1))):
            m = models.hybrid_model(2, 2, 2, seed=0, input_scale=scale)
            tel = training.train(m, d.x_train, d.y_train, epochs=10, batch_size=16,
                                 learning_rate=0.05, clip=clip, progress=False)
            acc[scale, name] = tel.metrics["accuracy"]
    # 90 training points: chance is 0.5 +- 0.053; "learns" means clearly above 0.85
    assert acc[1.0, "none"] > 0.85 and acc[1.0, "clip"] > 0.85
    worst_standardised = min(acc[1.0, "none"], acc[1.0, "clip"])
    assert max(acc[30.0, "none"], acc[30.0, "clip"]) < worst_standardised - 0.15, acc


# --------------------------------------------------------------------------------------------
# Shot-based estimation and the shot-based optimiser (Cirq only, no TensorFlow)
# --------------------------------------------------------------------------------------------
def _ry_circuit():
    q = cirq.LineQubit.range(2)
    a, b = sympy.symbols("a b")
    circuit = cirq.Circuit(cirq.ry(a).on(q[0]), cirq.rx(b).on(q[1]), cirq.CZ(q[0], q[1]))
    return circuit, [a, b], cirq.Z(q[0]) + 0.5 * cirq.Z(q[1])


def test_shot_estimator_uses_the_one_shot_expectation_and_shift_rule():
    from clipq_edu.quantum import gradients, sampling

    circuit, syms, obs = _ry_circuit()
    vals = np.array([0.7, -1.2])
    est = training.ShotEstimator(shots=300, seed=5)
    grad, loss, value = est(circuit, syms, vals, obs, target=-1.0)
    # the same two seeds, drawn from the same stream, through the library's one home each
    seed_grad, seed_value = (int(s) for s in
                             np.random.default_rng(5).integers(0, 2**63 - 1, size=2))
    g_o = gradients.parameter_shift_gradient(circuit, syms, vals, obs, shots=300,
                                             seed=seed_grad, backend="cirq")
    v = float(sampling.sample_expectation(circuit, obs, 300, syms, vals, seed=seed_value,
                                          backend="cirq"))
    assert value == v and loss == (v + 1.0) ** 2
    np.testing.assert_array_equal(grad, 2.0 * (v + 1.0) * g_o)
    est.reset()
    np.testing.assert_array_equal(est(circuit, syms, vals, obs, target=-1.0)[0], grad)


def test_shot_estimator_takes_its_pieces_as_arguments():
    calls = []

    def fake_gradient(circuit, symbols, values, observable, *, shots, seed, backend):
        calls.append(("gradient", shots, backend))
        return np.ones(len(values))

    def fake_expectation(circuit, observable, shots, symbols, values, *, seed, backend):
        calls.append(("expectation", shots, backend))
        return 0.25

    circuit, syms, obs = _ry_circuit()
    est = training.ShotEstimator(50, 0, gradient=fake_gradient, expectation=fake_expectation)
    grad, loss, value = est(circuit, syms, [0.1, 0.2], obs)
    assert grad.tolist() == [1.0, 1.0] and loss == value == 0.25
    assert calls == [("gradient", 50, "cirq"), ("expectation", 50, "cirq")]


def test_shot_optimizer_takes_another_optimizer():
    from clipq_edu.training import optim

    opt = training.ShotBasedOptimizer(0.5, optimizer=optim.optimizer("sgd"))
    np.testing.assert_array_equal(opt.update([1.0, 1.0], [2.0, -4.0]), [0.0, 3.0])
    assert opt.state == optim.SGDState(t=1)


def test_adam_update_closed_form_first_step():
    opt = training.ShotBasedOptimizer(learning_rate=0.1, seed=0)
    theta = np.array([1.0, -2.0, 0.5])
    g = np.array([3.0, -0.2, 0.0])
    new = opt.update(theta, g)
    eps = 1e-7  # the library's one Adam eps (tf.keras' default)
    assert opt.eps == training.ADAM_EPS == eps
    # first Adam step: m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps)
    np.testing.assert_allclose(new, theta - 0.1 * g / (np.abs(g) + eps), rtol=1e-12)
    assert opt.state.t == 1
    g2 = np.array([1.0, 1.0, 1.0])
    m = 0.9 * 0.1 * g + 0.1 * g2
    v = 0.999 * 0.001 * g**2 + 0.001 * g2**2
    step2 = 0.1 * (m / (1 - 0.9**2)) / (np.sqrt(v / (1 - 0.999**2)) + eps)
    np.testing.assert_allclose(opt.update(new, g2), new - step2, rtol=1e-12)


def test_shot_optimizer_clips_before_adam():
    opt = training.ShotBasedOptimizer(learning_rate=0.1, clip=("global_norm", 1.0))
    opt.update(np.zeros(2), np.array([30.0, 40.0]))
    assert opt.last["norm_before"] == pytest.approx(50.0)
    assert opt.last["norm_after"] == pytest.approx(1.0)
    assert opt.last["clipped"]
    np.testing.assert_allclose(opt.state.m, 0.1 * np.array([0.6, 0.8]))


@pytest.mark.slow
def test_train_circuit_from_shots_converges():
    circuit, syms, obs = _ry_circuit()
    res = training.train_circuit_from_shots(circuit, syms, obs, target=-1.2,
                                            init=[0.3, 0.2], steps=60, shots=400,
                                            clip=("global_norm", 1.0), seed=3)
    assert res.params.shape == (61, 2) and res.loss.shape == (60,)
    assert res.exact_loss[0] == pytest.approx((np.cos(0.3) + 0.5 * np.cos(0.2) + 1.2) ** 2)
    assert res.exact_loss[-1] < 0.05 * res.exact_loss[0]
    assert np.all(res.norm_after <= 1.0 + 1e-9)


_SCRIPT = textwrap.dedent("""
    import cirq, sympy, numpy as np, hashlib
    from clipq_edu import training
    q = cirq.LineQubit.range(2)
    a, b = sympy.symbols("a b")
    c = cirq.Circuit(cirq.ry(a).on(q[0]), cirq.rx(b).on(q[1]), cirq.CZ(q[0], q[1]))
    r = training.train_circuit_from_shots(c, [a, b], cirq.Z(q[0]) + 0.5 * cirq.Z(q[1]), -1.2,
        [0.3, 0.2], steps=15, shots=100, clip=("norm", 0.5), seed=SEED)
    print(hashlib.sha256(r.params.tobytes() + r.loss.tobytes()).hexdigest())
""")


@pytest.mark.slow
def test_same_seed_same_trajectory_in_two_processes():
    import contextlib
    import io

    def run_here(seed):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(_SCRIPT.replace("SEED", str(seed)), {})
        return buf.getvalue().strip()

    code = _SCRIPT.replace("SEED", "7")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    other_process = out.stdout.strip().splitlines()[-1]
    assert run_here(7) == other_process
    assert run_here(8) != other_process


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: training.ShotEstimator(shots=0), ValueError, "shots"),
        (lambda: training.train_circuit_from_shots(
            cirq.Circuit(cirq.rx(sympy.Symbol("t")).on(cirq.LineQubit(0))), [], cirq.Z(
                cirq.LineQubit(0)), None, [], steps=1), ValueError, "no gradient|empty"),
        (lambda: training.train_circuit_from_shots(
            cirq.Circuit(cirq.PhasedXPowGate(phase_exponent=sympy.Symbol("t")).on(
                cirq.LineQubit(0))), ["t"], cirq.Z(cirq.LineQubit(0)), None, [0.1], steps=1),
         ValueError, "parameter shift cannot differentiate"),
        (lambda: training.train_circuit_from_shots(
            cirq.Circuit(cirq.rx(sympy.Symbol("t")).on(cirq.LineQubit(0))), ["t"],
            cirq.Z(cirq.LineQubit(5)), None, [0.1], steps=1), ValueError, "not in the circuit"),
        (lambda: training.train_circuit_from_shots(*_ry_circuit()[:2], _ry_circuit()[2], None,
                                                   [0.1], steps=1), ValueError, "init"),
        (lambda: training.ShotBasedOptimizer(clip=("keras", {"clipnorm": 1.0})), ValueError,
         "Keras"),
        (lambda: training.ShotBasedOptimizer(b1=1.0), ValueError, "b1"),
        (lambda: training.ShotBasedOptimizer(optimizer="adam"), TypeError, "optimizer"),
        (lambda: training.ShotBasedOptimizer(estimator=7), TypeError, "estimator"),
        (lambda: training.ShotBasedOptimizer(clip=("bogus", 1.0)), ValueError, "clip"),
        (lambda: training.ShotBasedOptimizer().update([0.0, 1.0], [np.nan, 0.0]), ValueError,
         "grads"),
    ],
)
def test_bad_input_is_named(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


@pytest.mark.slow
def test_train_rejects_bad_arguments():
    x, y = _tiny_data(8)
    m = _tiny_model()
    with pytest.raises(ValueError, match="nonfinite"):
        training.train(m, x, y, nonfinite="ignore", progress=False)
    with pytest.raises(ValueError, match="clip"):
        training.train(m, x, y, clip=("global_norm", -1.0), progress=False)
    with pytest.raises(ValueError, match="optimizer"):
        training.train(m, x, y, optimizer="lion", progress=False)
    with pytest.raises(ValueError, match="examples"):
        training.train(m, x, y[:3], progress=False)
    with pytest.raises(ValueError, match="clipnorm and global_clipnorm"):
        training.train(m, x, y, clip=("keras", {"clipnorm": 1, "global_clipnorm": 1}),
                       progress=False)


# --------------------------------------------------------------------------------------------
# THE Adam step (training.optim) and THE telemetry (training.telemetry): no TensorFlow
# --------------------------------------------------------------------------------------------
def test_adam_update_is_pure_and_matches_the_written_out_algorithm():
    from clipq_edu.training import optim

    rng = np.random.default_rng(0)
    grads = rng.normal(size=(25, 3)) * np.array([1e-3, 1.0, 1e3])
    state = optim.adam_init(np.zeros(3))
    m = v = np.zeros(3)
    for t, g in enumerate(grads, start=1):
        before = (state.m.copy(), state.v.copy(), state.t)
        updates, new = optim.adam_update(g, state, learning_rate=0.01, b1=0.8, b2=0.99,
                                         eps=1e-6)
        # the old state is untouched and read-only
        np.testing.assert_array_equal(state.m, before[0])
        np.testing.assert_array_equal(state.v, before[1])
        assert state.t == before[2] and not state.m.flags.writeable
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        expected = -0.01 * (m / (1 - 0.8**t)) / (np.sqrt(v / (1 - 0.99**t)) + 1e-6)
        np.testing.assert_allclose(updates, expected, rtol=1e-12)
        assert new.t == t
        state = new


def test_adam_update_is_scale_invariant_up_to_eps():
    from clipq_edu.training import optim

    g = np.random.default_rng(1).normal(size=(30, 4))
    runs = []
    for k in (1.0, 1000.0):
        state, total = optim.adam_init(np.zeros(4)), np.zeros(4)
        for row in k * g:
            u, state = optim.adam_update(row, state, learning_rate=1e-3)
            total += u
        runs.append(total)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-5)


@pytest.mark.parametrize("call, exc, words", [
    (lambda o: o.adam_update([1.0, 2.0], o.adam_init([0.0])), ValueError, "shape"),
    (lambda o: o.adam_update([1.0], {"m": 0}), TypeError, "state"),
    (lambda o: o.adam_update([1.0], o.adam_init([0.0]), b1=1.0), ValueError, "b1"),
    (lambda o: o.adam_update([np.nan], o.adam_init([0.0])), ValueError, "grads"),
    (lambda o: o.adam_update([1e200], o.adam_init([0.0])), ValueError, "overflows"),
    (lambda o: o.adam_update([1.0], o.adam_init([0.0]), learning_rate=0), ValueError,
     "learning_rate"),
])
def test_adam_update_rejects_bad_input_by_name(call, exc, words):
    from clipq_edu.training import optim

    with pytest.raises(exc, match=words):
        call(optim)


def test_shot_optimizer_uses_the_one_adam():
    from clipq_edu.training import optim

    opt = training.ShotBasedOptimizer(learning_rate=0.05, b1=0.7, b2=0.95, eps=1e-4)
    state, theta = optim.adam_init(np.zeros(2)), np.zeros(2)
    ours = np.zeros(2)
    for g in ([1.0, -2.0], [0.5, 0.1], [-3.0, 0.2]):
        u, state = optim.adam_update(np.array(g), state, learning_rate=0.05, b1=0.7, b2=0.95,
                                     eps=1e-4)
        theta = theta + u
        ours = opt.update(ours, g)
    np.testing.assert_array_equal(ours, theta)
    assert opt.state.t == state.t == 3


def test_recorder_builds_telemetry_from_clip_info_and_grads():
    from clipq_edu.training import TelemetryRecorder

    rec = TelemetryRecorder(weight_names=["w", "b"], clip="global_norm 1")
    clipper = clipping.from_spec(("global_norm", 1.0))
    batches = [[np.array([3.0, 4.0]), np.array([0.0])], [np.array([0.3, 0.4]), np.array([0.0])],
               [np.array([np.nan, 0.0]), np.array([1.0])], [np.array([1e200, 1e200]),
                                                             np.array([0.0])]]
    for step, grads in enumerate(batches):
        if not all(np.isfinite(g).all() for g in grads):
            rec.record_grads(9.0, grads, skipped=True, epoch=1, lr_step=0.0)
            continue
        _, info = clipper(grads)
        rec.record_grads(float(step), grads, epoch=step // 2, norm_after=info.norm_after,
                         clipped=info.clipped, threshold=info.threshold, lr_step=0.1)
    tel = rec.finish(metrics={"accuracy": 0.75, "diverged": False})
    assert tel.steps == 4 and tel.skipped.tolist() == [False, False, True, False]
    assert tel.clipped.tolist() == [True, False, False, True]
    np.testing.assert_allclose(tel.norm_before[[0, 1]], [5.0, 0.5])
    # THE global norm: 1e200 entries do not overflow to inf (sqrt(2) * 1e200)
    assert tel.norm_before[3] == pytest.approx(np.sqrt(2) * 1e200)
    np.testing.assert_allclose(tel.layer_norms[0], [5.0, 0.0])
    np.testing.assert_allclose(tel.epoch_loss, [0.5, 3.0])  # skipped step 2 not averaged
    assert np.isnan(tel.norm_after[2]) and tel.threshold[0] == 1.0
    assert tel.extra["lr_step"].tolist() == [0.1, 0.1, 0.0, 0.1]
    assert not tel.loss.flags.writeable and not tel.layer_norms.flags.writeable
    s = tel.summary()
    assert s["skipped_steps"] == [2] and s["final_accuracy"] == 0.75
    assert s["final_diverged"] is False and s["clipped_fraction"] == pytest.approx(2 / 3)
    assert set(tel.to_dict()) >= {"norm[w]", "norm[b]", "lr_step", "skipped"}


def test_telemetry_checks_column_lengths_and_recorder_checks_names():
    from clipq_edu.training import Telemetry, TelemetryRecorder

    with pytest.raises(ValueError, match="norm_before"):
        Telemetry(loss=[1.0, 2.0], norm_before=[1.0], norm_after=[1.0, 1.0])
    with pytest.raises(TypeError, match="weight_names"):
        TelemetryRecorder(weight_names="w")
    with pytest.raises(TypeError, match="norm_before"):
        TelemetryRecorder().record(1.0)
    tel = Telemetry(loss=[1.0], norm_before=[2.0], norm_after=[1.0])
    assert tel.summary()["final_loss"] == 1.0 and not tel.clipped.any()


def test_shot_training_result_is_a_telemetry():
    circuit, syms, obs = _ry_circuit()
    res = training.train_circuit_from_shots(circuit, syms, obs, None, [0.3, 0.2], steps=3,
                                            shots=100, seed=0, clip=("global_norm", 0.1))
    assert isinstance(res, training.Telemetry)
    assert res.summary()["steps"] == 3 and res.clip == "global_norm 0.1"
    assert res.params.shape == (4, 2) and not res.params.flags.writeable


@pytest.mark.slow
def test_adam_update_agrees_with_keras_adam():
    """Keras adds its epsilon to sqrt(v) before bias correction; with a tiny eps both agree."""
    from clipq_edu._tf import tf
    from clipq_edu.training import optim

    g = np.random.default_rng(2).normal(size=(15, 3))
    var = tf.Variable(np.zeros(3))
    opt = tf.keras.optimizers.Adam(learning_rate=0.01, epsilon=1e-12)
    state, theta = optim.adam_init(np.zeros(3)), np.zeros(3)
    for row in g:
        opt.apply_gradients([(tf.constant(row), var)])
        u, state = optim.adam_update(row, state, learning_rate=0.01, eps=1e-12)
        theta = theta + u
    # Keras keeps the learning rate and the beta powers in float32: agreement to ~1e-5
    np.testing.assert_allclose(var.numpy(), theta, rtol=3e-5, atol=1e-9)


@pytest.mark.slow
def test_train_leaves_a_callers_autoclip_untouched():
    x, y = _tiny_data(16)
    mine = clipping.AutoClip(percentile=50)
    mine(np.array([3.0, 4.0]))
    tel = training.train(_tiny_model(), x, y, epochs=1, batch_size=8, clip=mine,
                         progress=False)
    assert mine.history == [5.0] and mine.threshold == 5.0
    # the copy started empty: its first threshold is the first step's own norm
    assert tel.threshold[0] == pytest.approx(tel.norm_before[0])
