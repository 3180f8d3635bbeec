"""Tests for clipq_edu.course.lab, the capstone lab's model, runs and diagnosis."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from clipq_edu.course import lab


# ---------------------------------------------------------------------------- no TensorFlow
def test_lab_data_raw_and_standardised():
    raw = lab.lab_data()
    std = lab.lab_data(standardized=True)
    assert raw.x_train.shape == (120, 2) and raw.x_test.shape == (40, 2)
    np.testing.assert_array_equal(raw.y_train, std.y_train)
    np.testing.assert_allclose(std.x_train.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(std.x_train.std(axis=0), 1.0, atol=1e-5)
    # standardising undoes the x30: the raw spread is 30 times the unscaled circles' spread
    from clipq_edu.data import circles

    base = circles(n_samples=160, noise=0.1, seed=0)
    np.testing.assert_allclose(raw.x_train, base.x_train * lab.RAW_SCALE, rtol=1e-6)
    with pytest.raises(TypeError, match="standardized"):
        lab.lab_data(standardized="yes")


def test_loss_slope_closed_forms():
    p = np.array([0.9, 0.5, 0.01, 1e-5])
    np.testing.assert_allclose(lab.loss_slope("naive_bce", p), 1 / p)
    np.testing.assert_allclose(lab.loss_slope("naive_bce", p, y=0), 1 / (1 - p))
    np.testing.assert_allclose(lab.loss_slope("mse", p), 2 * (1 - p))
    np.testing.assert_allclose(lab.loss_slope("mse", p, y=0), 2 * p)
    # numerical derivative of -log p agrees with the closed form
    h = 1e-7
    num = (-np.log(0.3 + h) + np.log(0.3 - h)) / (2 * h)
    assert abs(num) == pytest.approx(lab.loss_slope("naive_bce", 0.3), rel=1e-6)
    assert lab.loss_slope("bce", 1e-8) == 0.0  # Keras clips p at 1e-7: zero slope beyond
    for bad, match in (({"loss": "hinge", "p": 0.5}, "loss"), ({"loss": "mse", "p": 1.0}, "p"),
                       ({"loss": "mse", "p": 0.5, "y": 2}, "y")):
        with pytest.raises(ValueError, match=match):
            lab.loss_slope(**bad)


def test_settings_validate_and_hash():
    a = lab.LabSettings()
    b = lab.LabSettings(clip=("global_norm", 1.0))
    assert hash(a) != hash(b) and a.but(clip=("global_norm", 1.0)) == b
    assert a.but(standardized=True).standardized and not a.standardized
    with pytest.raises(ValueError, match="loss"):
        lab.LabSettings(loss="hinge")
    with pytest.raises(ValueError, match="learning_rate"):
        lab.LabSettings(learning_rate=0.0)
    with pytest.raises(ValueError, match="epochs"):
        lab.LabSettings(epochs=100)
    with pytest.raises(TypeError, match="clip"):
        lab.LabSettings(clip=["global_norm", 1.0])
    with pytest.raises(TypeError, match="standardized"):
        lab.LabSettings(standardized=1)
    with pytest.raises(TypeError, match="settings"):
        lab.run_lab({"standardized": True})


def test_spike_ratio():
    tel = SimpleNamespace(norm_before=np.array([1.0, 2.0, 1.0, 10.0, np.nan, 1.5]))
    assert lab.spike_ratio(tel) == pytest.approx(10.0 / 1.5)
    with pytest.raises(ValueError, match="finite"):
        lab.spike_ratio(SimpleNamespace(norm_before=np.array([np.nan])))


def test_results_table_rejects_bad_input():
    with pytest.raises(ValueError, match="non-empty"):
        lab.results_table({})
    with pytest.raises(TypeError, match="LabRun"):
        lab.results_table({"x": 3})
    with pytest.raises(TypeError, match="LabRun"):
        lab.diagnose("run")


# ---------------------------------------------------------------------------- TensorFlow
@pytest.mark.slow
def test_model_probability_matches_cirq():
    import cirq
    import sympy

    model = lab.lab_model(seed=0)
    x = lab.lab_data(standardized=True).x_train[:3]
    p = np.asarray(model(x)).reshape(-1)
    assert np.all((p > 0) & (p < 1))
    # Independent: resolve the circuit with Cirq at the model's angles and weights.
    layer = model.get_layer("pqc")
    kernel, bias = model.get_layer("angles").get_weights()
    angles = x @ kernel + bias
    theta = layer.get_weights()[0]
    for row, want in zip(angles, p, strict=True):
        values = {s: float(row[i]) for s, i in zip(layer.data_symbols, layer.feature_index,
                                                   strict=True)}
        values |= {s: float(t) for s, t in zip(layer.weight_symbols, theta, strict=True)}
        resolved = cirq.resolve_parameters(layer.circuit, cirq.ParamResolver(values))
        state = cirq.final_state_vector(resolved, qubit_order=cirq.LineQubit.range(2),
                                        dtype=np.complex128)
        z0 = float(np.sum(np.abs(state[:2]) ** 2) - np.sum(np.abs(state[2:]) ** 2))
        assert want == pytest.approx((1 + z0) / 2, abs=1e-5)
    assert isinstance(layer.data_symbols[0], sympy.Symbol)


@pytest.mark.slow
def test_naive_bce_matches_closed_form():
    from clipq_edu import load_tensorflow

    tf, _ = load_tensorflow()

    y = tf.constant([[1.0], [0.0], [1.0]])
    p = tf.constant([[0.2], [0.3], [0.9]])
    want = -np.mean([math.log(0.2), math.log(0.7), math.log(0.9)])
    assert float(lab.naive_bce(y, p)) == pytest.approx(want, rel=1e-6)
    # array-likes (a call by hand) give the same value in float64, and bad ones are named
    assert float(lab.naive_bce([[1.0], [0.0], [1.0]], [[0.2], [0.3], [0.9]])) == pytest.approx(
        want, rel=1e-12)
    assert float(lab.naive_bce(y, tf.constant([[0.0], [0.3], [0.9]]))) == math.inf  # unguarded
    for args, name in ((([1.0], [0.0]), "p"), (([1.0], [math.nan]), "p"), ((None, [0.5]), "y_true"),
                       (([2.0], [0.5]), "y_true"), (([1.0, 0.0, 1.0], [[0.5, 0.5]]), "y_true")):
        with pytest.raises((TypeError, ValueError), match=name):
            lab.naive_bce(*args)


@pytest.mark.slow
def test_baseline_misbehaves_and_standardising_fixes_it():
    baseline = lab.run_lab()
    assert lab.run_lab() is baseline  # cached, so shared: read-only
    with pytest.raises(ValueError):
        baseline.telemetry.norm_before[0] = 0.0
    with pytest.raises(TypeError):
        baseline.telemetry.metrics["accuracy"] = 1.0
    with pytest.raises(TypeError):
        baseline.telemetry.extra["note"] = np.zeros(baseline.telemetry.steps)
    with pytest.raises(ValueError):
        baseline.telemetry.layer_norms[0, 0] = 0.0
    assert baseline.telemetry.summary()["final_accuracy"] >= 0  # still readable the usual way
    d = lab.diagnose(baseline)
    assert d.spike_ratio > 5
    assert d.dominant_tensor == "angles/kernel"
    assert baseline.test_accuracy <= 0.65
    clipped = lab.run_lab(clip=("global_norm", 0.1))
    assert clipped.telemetry.summary()["clipped_fraction"] == 1.0
    np.testing.assert_allclose(clipped.telemetry.norm_after, 0.1, rtol=1e-5)
    assert clipped.test_accuracy <= 0.65
    fixed = lab.run_lab(standardized=True, loss="mse")
    assert min(fixed.train_accuracy, fixed.test_accuracy) >= 0.85
    assert lab.spike_ratio(fixed.telemetry) < d.spike_ratio / 2
    # same initial weights: the first raw gradient of the clipped and the baseline run agree
    assert clipped.telemetry.norm_before[0] == pytest.approx(baseline.telemetry.norm_before[0],
                                                             rel=1e-6)
    table = lab.results_table({"base": baseline, "fixed": fixed})
    assert [r["run"] for r in table] == ["base", "fixed"]
    assert table[1]["clip"] == "none" and "| fixed |" in table._repr_markdown_()
    assert "inputs" not in table[0]  # the settings would name the capstone's fault
    assert "spiky" in str(d)


# ------------------------------------------------------------- caches: bounded and read-only
def test_cached_raw_data_is_read_only_and_shared():
    a, b = lab.lab_data(seed=3), lab.lab_data(seed=3)
    assert a is b  # one cached object per seed
    for arr in (a.x_train, a.y_train, a.x_test, a.y_test):
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[0] = 0.0
    std = lab.lab_data(standardized=True, seed=3)  # new arrays, the caller's to edit
    std.x_train[0, 0] = 123.0
    assert lab.lab_data(seed=3).x_train[0, 0] != 123.0
    assert lab.lab_data(standardized=True, seed=3).x_train[0, 0] != 123.0


def test_caches_are_bounded_lru():
    info = lab.cache_info()
    assert info["runs"].maxsize == lab.RUN_CACHE_SIZE
    assert info["data"].maxsize == lab.DATA_CACHE_SIZE
    first = lab.lab_data(seed=100)
    for seed in range(101, 101 + lab.DATA_CACHE_SIZE):
        lab.lab_data(seed=seed)
    assert lab.cache_info()["data"].currsize == lab.DATA_CACHE_SIZE
    assert lab.lab_data(seed=100) is not first  # the least recently used set was dropped
    assert lab.lab_data(seed=100 + lab.DATA_CACHE_SIZE) is lab.lab_data(
        seed=100 + lab.DATA_CACHE_SIZE)


def test_settings_refuse_bad_clip_specs_and_seeds():
    for clip in (math.nan, ("norm", math.nan), ("global_norm", math.inf), ("hinge", 1.0)):
        with pytest.raises((TypeError, ValueError), match="clip"):
            lab.LabSettings(clip=clip)
    with pytest.raises(ValueError, match="seed"):
        lab.LabSettings(seed=2**40)


@pytest.mark.parametrize(("p", "match"), [(math.nan, "p"), ([0.5, 1.0], "p"), ("abc", "p"),
                                          (None, "p")])
def test_loss_slope_names_bad_probabilities(p, match):
    with pytest.raises((TypeError, ValueError), match=match):
        lab.loss_slope("naive_bce", p)


@pytest.mark.slow
def test_seed_spread_runs_each_setting_over_seeds():
    table = lab.seed_spread({"as delivered": {}, "standardised": {"standardized": True}}, seeds=2)
    assert set(table) == {"as delivered", "standardised"}
    spread = table["standardised"]
    assert spread.accuracy.shape == (2,) and spread.spike_ratio.shape == (2,)
    assert spread.accuracy[0] == lab.run_lab(standardized=True, seed=0).test_accuracy
    assert "±" in str(table)
    with pytest.raises(ValueError, match="seeds"):
        lab.seed_spread({"x": {}}, seeds=1)
    with pytest.raises(ValueError, match="settings"):
        lab.seed_spread({}, seeds=2)


# ------------------------------------------------------------- the mystery: one fault per seed
def test_without_a_seed_the_fault_is_the_stored_story(monkeypatch):
    monkeypatch.delenv(lab.SEED_ENV, raising=False)
    assert lab.fault_name() == "units" and lab.delivered() == lab.LabSettings()
    monkeypatch.setenv(lab.SEED_ENV, "  ")
    assert lab.fault_name() == "units"


def test_a_seed_always_names_the_same_fault_and_every_fault_is_reachable(monkeypatch):
    names = [lab.fault_name(s) for s in range(1, 41)]
    assert set(names) == set(lab.FAULTS)
    monkeypatch.setenv(lab.SEED_ENV, "5")
    assert lab.fault_name() == lab.fault_name(5) == names[4]
    assert lab.delivered() == lab.FAULTS[names[4]]
    monkeypatch.setenv(lab.SEED_ENV, "five")
    with pytest.raises(ValueError, match=lab.SEED_ENV):
        lab.fault_name()


def test_reference_fix_keeps_the_seed_and_refuses_unknown_settings():
    for name, faulty in lab.FAULTS.items():
        fixed = lab._reference_fix(faulty.but(seed=6))
        assert fixed.seed == 6 and fixed.clip is None and fixed != faulty.but(seed=6), name
    with pytest.raises(ValueError, match="delivered"):
        lab._reference_fix(lab.LabSettings(learning_rate=0.5))


def test_reference_fix_changes_one_cause_field_and_is_private():
    from clipq_edu.exercises.ch07 import CAUSE_FIELDS

    assert "reference_fix" not in lab.__all__ and not hasattr(lab, "reference_fix")
    for name, faulty in lab.FAULTS.items():
        fixed = lab._reference_fix(faulty)
        changed = [f for f in CAUSE_FIELDS if getattr(fixed, f) != getattr(faulty, f)]
        assert len(changed) == 1, (name, changed)  # the rule 07.6 enforces, kept by the model answer


def test_reference_fix_and_healthy_run_refuse_while_a_check_runs():
    with lab._Grading():
        with pytest.raises(RuntimeError, match="not available"):
            lab._reference_fix(lab.FAULTS["units"])
        with pytest.raises(RuntimeError, match="not available"):
            lab.healthy_run(lab.delivered())
    assert lab._reference_fix(lab.FAULTS["units"]).standardized  # available again afterwards


def test_the_delivered_model_does_not_show_its_fault_when_printed(monkeypatch):
    for seed in range(1, 13):
        monkeypatch.setenv(lab.SEED_ENV, str(seed))
        d = lab.delivered()
        assert d == lab.FAULTS[lab.fault_name()]
        for shown in (repr(d), str(d), repr(d.but(clip=("global_norm", 1.0), seed=3))):
            for field_name in ("standardized", "learning_rate", "angle_scale", "signed_labels",
                               "loss"):
                assert field_name not in shown, shown
        assert "seed=3" in repr(d.but(seed=3))
    assert "standardized=False" in repr(lab.LabSettings())  # other settings print as usual


def test_no_docstring_names_a_fault():
    texts = [lab.__doc__, lab.lab_data.__doc__, lab.lab_model.__doc__, lab.LabSettings.__doc__,
             lab.naive_bce.__doc__, lab.delivered.__doc__, lab.delivered_model.__doc__, lab.delivered_data.__doc__,
             lab.healthy_run.__doc__]
    for text in texts:
        for telling in ("30x", "30 times", "wrong units", "point of the lab", "wraps",
                        "far too large"):
            assert telling not in text, telling


def test_keras_cross_entropy_slope_includes_its_epsilon():
    # tf-keras clips p to [1e-7, 1 - 1e-7] and takes log(p + 1e-7): slope 1/(p + 1e-7)
    assert lab.loss_slope("bce", 1e-7)[()] == pytest.approx(5e6)
    assert lab.loss_slope("bce", 0.5)[()] == pytest.approx(1 / (0.5 + 1e-7), rel=1e-12)
    assert lab.loss_slope("bce", 1e-8)[()] == 0.0  # beyond the clip
    assert lab.loss_slope("bce", 1 - 1e-3, y=0)[()] == pytest.approx(1 / (1e-3 + 1e-7))


def test_seed_table_shows_the_clipped_fraction_only_when_a_clip_acted():
    spread = lab.SeedSpread(np.array([0.5, 0.6]), np.array([3.0, 9.0]), np.array([0.25, 1.0]))
    assert str(lab.SeedTable({"c": spread})).endswith("clipped 25% to 100% of steps")
    idle = lab.SeedSpread(np.array([0.5, 0.6]), np.array([3.0, 9.0]), np.zeros(2))
    assert "clipped" not in str(lab.SeedTable({"c": idle}))


def test_new_settings_fields_are_checked():
    with pytest.raises(ValueError, match="angle_scale"):
        lab.LabSettings(angle_scale=0.0)
    with pytest.raises(TypeError, match="signed_labels"):
        lab.LabSettings(signed_labels=1)
    with pytest.raises(TypeError, match="base"):
        lab.seed_spread({"x": {}}, seeds=2, base={"standardized": True})


def test_fix_reaches_target_and_reference_fix_refuse_bad_arguments():
    for bad in ([], None, "settings"):
        with pytest.raises(ValueError, match="fixed"):
            lab.fix_reaches_target(bad)
    with pytest.raises(TypeError, match="LabSettings"):
        lab.fix_reaches_target([{"standardized": True}])
    with pytest.raises(TypeError, match="settings"):
        lab._reference_fix({"standardized": True})
    with pytest.raises(TypeError, match="settings"):
        lab.delivered_model({"standardized": True})
    with pytest.raises(TypeError, match="settings"):
        lab.delivered_data({"standardized": True})
    d = lab.FAULTS["units"].but(seed=3)
    assert lab.delivered_data(d) is lab.lab_data(d.standardized, 3)
    with pytest.raises(ValueError, match="seed"):
        lab.fault_name(-1)
