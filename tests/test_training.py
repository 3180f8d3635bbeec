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
def test_hybrid_model_with_30x_inputs_fails_with_or_without_clipping():
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
    assert acc[30.0, "none"] < 0.7 and acc[30.0, "clip"] < 0.7


# --------------------------------------------------------------------------------------------
# Shot-based estimation and the shot-based optimiser (Cirq only, no TensorFlow)
# --------------------------------------------------------------------------------------------
def _ry_circuit():
    q = cirq.LineQubit.range(2)
    a, b = sympy.symbols("a b")
    circuit = cirq.Circuit(cirq.ry(a).on(q[0]), cirq.rx(b).on(q[1]), cirq.CZ(q[0], q[1]))
    return circuit, [a, b], cirq.Z(q[0]) + 0.5 * cirq.Z(q[1])


def test_shot_expectation_mean_and_variance_law():
    q = cirq.LineQubit(0)
    t = sympy.Symbol("t")
    circuit = cirq.Circuit(cirq.ry(t).on(q))
    theta, n_shots, reps = 1.1, 200, 4000
    est = training.shot_expectation(circuit, [t], np.full((reps, 1), theta), cirq.Z(q),
                                    n_shots, seed=1)
    mu = np.cos(theta)
    var = (1 - mu**2) / n_shots
    assert abs(est.mean() - mu) < 5 * np.sqrt(var / reps)
    # sample variance of a binomial mean: relative SE about sqrt(2/reps)
    assert est.var(ddof=1) == pytest.approx(var, rel=5 * np.sqrt(2 / reps))


@pytest.mark.slow
def test_shot_parameter_shift_is_unbiased_against_closed_form():
    circuit, syms, obs = _ry_circuit()
    vals = np.array([0.7, -1.2])
    # <Z0> = cos a, <Z1> = cos b (CZ commutes with Z): gradient (-sin a, -0.5 sin b)
    exact = np.array([-np.sin(0.7), -0.5 * np.sin(-1.2)])
    grads = np.array([training.shot_parameter_shift(circuit, syms, vals, obs, 500, seed=s)[0]
                      for s in range(200)])
    # Var of each component: (Var f+ + Var f-)/4 with Var f = c^2 (1 - mu^2)/N per term
    sd = grads.std(axis=0, ddof=1) / np.sqrt(len(grads))
    assert np.all(np.abs(grads.mean(axis=0) - exact) < 5 * sd)


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
@pytest.mark.parametrize("estimator", ["builtin", "gradients"])
def test_train_circuit_from_shots_converges(estimator):
    circuit, syms, obs = _ry_circuit()
    res = training.train_circuit_from_shots(circuit, syms, obs, target=-1.2,
                                            init=[0.3, 0.2], steps=60, shots=400,
                                            clip=("global_norm", 1.0), seed=3,
                                            estimator=estimator)
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
        [0.3, 0.2], steps=15, shots=100, clip=("norm", 0.5), seed=SEED, estimator="EST")
    print(hashlib.sha256(r.params.tobytes() + r.loss.tobytes()).hexdigest())
""")


@pytest.mark.slow
@pytest.mark.parametrize("estimator", ["builtin", "gradients"])
def test_same_seed_same_trajectory_in_two_processes(estimator):
    import contextlib
    import io

    def run_here(seed):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(_SCRIPT.replace("SEED", str(seed)).replace("EST", estimator), {})
        return buf.getvalue().strip()

    code = _SCRIPT.replace("SEED", "7").replace("EST", estimator)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    other_process = out.stdout.strip().splitlines()[-1]
    assert run_here(7) == other_process
    assert run_here(8) != other_process


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: training.shot_expectation(*_ry_circuit()[:1], _ry_circuit()[1], [0.1, 0.2],
                                           _ry_circuit()[2], 0), ValueError, "shots"),
        (lambda: training.shot_parameter_shift(cirq.Circuit(), [], [], cirq.Z(
            cirq.LineQubit(0)), 10), ValueError, "no gradient|empty"),
        (lambda: training.shot_parameter_shift(
            cirq.Circuit(cirq.X(cirq.LineQubit(0)) ** sympy.Symbol("t")), ["t"], [0.1],
            cirq.Z(cirq.LineQubit(0)), 10), ValueError, "rx/ry/rz"),
        (lambda: training.shot_expectation(
            cirq.Circuit(cirq.rx(sympy.Symbol("t")).on(cirq.LineQubit(0))), ["t"], [0.1],
            cirq.Z(cirq.LineQubit(5)), 10), ValueError, "not in the circuit"),
        (lambda: training.ShotBasedOptimizer(clip=("keras", {"clipnorm": 1.0})), ValueError,
         "Keras"),
        (lambda: training.ShotBasedOptimizer(beta1=1.0), ValueError, "beta1"),
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
