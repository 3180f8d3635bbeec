"""clipq_edu.course.faq: the small experiments behind chapter 06."""

from __future__ import annotations

import numpy as np
import pytest

from clipq_edu.course import faq


def test_logistic_gradient_matches_finite_difference():
    # One step of plain SGD from w = 0: the first update is -learning_rate * g; check g
    # against a finite difference of the batch loss by re-deriving the batch.
    rng = np.random.default_rng(0)
    x, y = faq.logistic_data(faq.N_ROWS, rng, 0.01)
    idx = rng.integers(0, 2000, size=16)
    w = np.zeros(5)

    def loss(v):
        z = x[idx] @ v
        return np.mean(np.logaddexp(0.0, z) - y[idx] * z)

    fd = np.array([(loss(w + 1e-6 * e) - loss(w - 1e-6 * e)) / 2e-6 for e in np.eye(5)])
    r = faq.logistic_sgd(n_steps=1, seed=0)
    assert r.norm_before[0] == pytest.approx(np.linalg.norm(fd), rel=1e-5)


def test_clipping_bounds_every_step_and_telemetry_has_spikes():
    plain = faq.logistic_sgd(seed=1)
    clipped = faq.logistic_sgd(clip=0.2, seed=1)
    np.testing.assert_allclose(plain.norm_before[:1], clipped.norm_before[:1])
    assert np.all(clipped.extra["step_size"] <= 1.0 * 0.2 + 1e-12)
    assert np.all(clipped.norm_after <= 0.2 * (1 + 1e-12))
    np.testing.assert_array_equal(clipped.clipped, clipped.norm_before > 0.2)
    assert clipped.clip == "norm 0.2" and plain.clip == "no clipping"
    assert not plain.clipped.any()
    np.testing.assert_array_equal(plain.norm_after, plain.norm_before)
    assert plain.norm_before.max() > 10 * np.median(plain.norm_before)  # rare spikes
    plain_loss, clipped_loss = plain.extra["clean_loss"], clipped.extra["clean_loss"]
    assert np.diff(plain_loss).max() > 100 * np.diff(clipped_loss).max()


def test_telemetry_is_read_only_and_the_batch_loss_is_recorded():
    tel = faq.logistic_sgd(n_steps=5, seed=0)
    assert tel.steps == 5 and tel.loss[0] == pytest.approx(np.log(2.0))  # w = 0: p = 1/2
    with pytest.raises(ValueError):
        tel.norm_before[0] = 0.0


def test_no_outliers_no_spikes():
    r = faq.logistic_sgd(outlier_rate=0.0, seed=0)
    late = r.norm_before[50:]  # after the first steps from w = 0
    assert late.max() < 5 * np.median(late)


def test_angle_classifier_gradient_and_scaling():
    r = faq.angle_classifier(n_steps=1, seed=3)
    rng = np.random.default_rng(3)
    y = rng.choice([-1.0, 1.0], size=200)
    x = y + 0.4 * rng.normal(size=200)
    w, b = rng.uniform(-1.0, 1.0, size=2)

    def loss(v):
        return np.mean((np.cos(v[0] * x + v[1]) - y) ** 2)

    fd = [(loss([w + 1e-6, b]) - loss([w - 1e-6, b])) / 2e-6,
          (loss([w, b + 1e-6]) - loss([w, b - 1e-6])) / 2e-6]
    assert r.norm_before[0] == pytest.approx(np.linalg.norm(fd), rel=1e-5)
    assert r.loss[0] == pytest.approx(loss([w, b]))
    good = np.mean([faq.angle_classifier(1.0, seed=k).metrics["accuracy"] for k in range(5)])
    bad = np.mean([faq.angle_classifier(30.0, clip=1.0, seed=k).metrics["accuracy"]
                   for k in range(5)])
    assert good > 0.95 and bad < 0.7


def test_errors():
    with pytest.raises(ValueError, match="clip"):
        faq.logistic_sgd(clip=-1.0)
    with pytest.raises(ValueError, match="outlier_rate"):
        faq.logistic_sgd(outlier_rate=1.5)
    with pytest.raises(TypeError, match="scale"):
        faq.angle_classifier(scale="big")


@pytest.mark.parametrize(("fn", "arg", "value"), [
    (faq.logistic_sgd, "n_steps", 10**12),
    (faq.logistic_sgd, "batch_size", 10**12),
    (faq.logistic_sgd, "batch_size", faq.N_ROWS + 1),
    (faq.logistic_sgd, "learning_rate", 1e300),
    (faq.angle_classifier, "n_steps", 10**12),
    (faq.angle_classifier, "scale", 1e300),
    (faq.angle_classifier, "learning_rate", 1e300),
])
def test_upper_bounds_refuse_huge_values_by_name(fn, arg, value):
    with pytest.raises(ValueError, match=f"{arg} must be <="):
        fn(**{arg: value})


def test_adam_spike_recovery_matches_a_run_of_adam():
    from clipq_edu.course import analysis

    for spike, b2 in ((1000.0, 0.999), (100.0, 0.99)):
        grads = np.ones((12000, 1))
        grads[10] = spike
        upd = np.abs(analysis.adam_updates(grads, learning_rate=0.01, b2=b2)[:, 0])
        back = 10 + np.argmax(upd[10:] >= 0.5 * 0.01)
        want = faq.adam_spike_recovery_steps(spike, b2)
        assert abs((back - 10) - want) < 0.01 * want + 2


def test_adam_spike_recovery_edges():
    assert faq.adam_spike_recovery_steps(1.0) == 0.0
    assert faq.adam_spike_recovery_steps(1.5) == 0.0  # too small to halve a step
    with pytest.raises(ValueError, match="spike"):
        faq.adam_spike_recovery_steps(0.5)
    with pytest.raises(ValueError, match="b2"):
        faq.adam_spike_recovery_steps(10.0, b2=1.0)
    with pytest.raises(ValueError, match="fraction"):
        faq.adam_spike_recovery_steps(10.0, fraction=1.0)
