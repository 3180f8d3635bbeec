"""Tests for clipq_edu.data: offline, seeded, split-safe preprocessing."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from clipq_edu import data


@pytest.mark.parametrize(
    "loader",
    [
        lambda s: data.article_task(128, seed=s),
        lambda s: data.moons(64, 0.1, seed=s),
        lambda s: data.circles(64, seed=s),
        lambda s: data.sine_1d(32, 0.05, seed=s),
        lambda s: data.digits_3_vs_6((3, 3), seed=s),
    ],
)
def test_same_seed_same_arrays_and_float32(loader):
    a, b, c = loader(0), loader(0), loader(1)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        assert getattr(a, name).dtype == np.float32
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.x_train, c.x_train)
    assert len(a.x_train) == len(a.y_train) and len(a.x_test) == len(a.y_test)


def test_article_task_shape_split_and_standardised_on_train():
    d = data.article_task(400, seed=3)
    assert d.n_features == 8
    assert len(d.x_train) + len(d.x_test) == 400 and len(d.x_test) == 100
    np.testing.assert_allclose(d.x_train.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(d.x_train.std(axis=0), 1.0, atol=1e-4)
    assert set(np.unique(d.y_train)) == {0.0, 1.0}
    # stratified split keeps the class balance within one example per part
    assert abs(d.y_train.mean() - d.y_test.mean()) < 0.02


def test_standardize_uses_training_statistics_only():
    d = data.moons(80, 0.1, seed=0)
    s = data.standardize(d)
    mean, std = d.x_train.mean(axis=0), d.x_train.std(axis=0)
    np.testing.assert_allclose(s.x_test, (d.x_test - mean) / std, rtol=1e-5, atol=1e-5)


def test_scale_to_angles_maps_train_range_exactly_and_test_with_train_range():
    d = data.circles(100, seed=2)
    a = data.scale_to_angles(d, 0.0, np.pi)
    np.testing.assert_allclose(a.x_train.min(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(a.x_train.max(axis=0), np.pi, atol=1e-6)
    lo, hi = d.x_train.min(axis=0), d.x_train.max(axis=0)
    expected = (d.x_test.astype(np.float64) - lo) / (hi - lo) * np.pi
    np.testing.assert_allclose(a.x_test, expected, rtol=1e-5, atol=1e-5)
    # array form with an explicit reference gives the same numbers
    np.testing.assert_allclose(
        data.scale_to_angles(d.x_test, 0.0, np.pi, reference=d.x_train), a.x_test
    )
    clipped = data.scale_to_angles(d, -1.0, 1.0, clip=True)
    assert clipped.x_test.min() >= -1.0 and clipped.x_test.max() <= 1.0


@pytest.mark.parametrize("size", [(3, 3), (4, 4)])
def test_digits_downscaling_preserves_mean_and_binarizes(size):
    from sklearn.datasets import load_digits

    d = data.digits_3_vs_6(size, seed=0, threshold=0.5)
    n_pix = size[0] * size[1]
    assert d.x_train.shape[1] == n_pix
    assert d.x_train.min() >= 0.0 and d.x_train.max() <= 1.0
    np.testing.assert_array_equal(d.extra["x_train_bits"], (d.x_train > 0.5).astype(np.float32))
    # Area averaging keeps each image's mean intensity: compare the whole set's mean with
    # the raw 8x8 images (independent of the split).
    raw = load_digits()
    keep = np.isin(raw.target, (3, 6))
    raw_mean = raw.images[keep].mean() / 16.0
    both = np.concatenate([d.x_train, d.x_test])
    assert len(both) == keep.sum()
    np.testing.assert_allclose(both.mean(), raw_mean, rtol=1e-5)
    n3 = int((raw.target == 3).sum())
    assert int(np.concatenate([d.y_train, d.y_test]).sum()) == n3


def test_count_contradictions_closed_example():
    x = np.array([[0, 1], [0, 1], [1, 1], [1, 0], [1, 0]])
    y = np.array([0, 1, 1, 0, 0])
    assert data.count_contradictions(x, y) == 2


def test_scaled_multiplies_features():
    d = data.moons(40, 0.1, seed=0)
    s = d.scaled(30)
    np.testing.assert_allclose(s.x_train, 30 * d.x_train, rtol=1e-6)
    np.testing.assert_array_equal(s.y_train, d.y_train)


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: data.moons(4), ValueError, "n_samples"),
        (lambda: data.moons(40, noise=-1), ValueError, "noise"),
        (lambda: data.moons(40, seed=-1), ValueError, "seed"),
        (lambda: data.moons(40, test_fraction=1.5), ValueError, "test_fraction"),
        (lambda: data.circles(40, factor=1.0), ValueError, "factor"),
        (lambda: data.digits_3_vs_6((5, 5)), ValueError, "size"),
        (lambda: data.scale_to_angles(np.zeros((3, 2)), 1.0, 0.0), ValueError, "low"),
        (lambda: data.scale_to_angles([["a", "b"]]), TypeError, "data"),
        (lambda: data.standardize(np.zeros((3, 2))), TypeError, "Dataset"),
        (lambda: data.count_contradictions(np.zeros((3, 2)), np.zeros(2)), ValueError, "length"),
        (lambda: data.moons(40, seed=2**32), ValueError, "seed"),
        (lambda: data.digits_3_vs_6(seed=2**40), ValueError, "seed"),
        (lambda: data.moons(40, test_fraction=1e-300), ValueError, "test_fraction"),
        (lambda: data.circles(40, test_fraction=0.999), ValueError, "test_fraction"),
        (lambda: data.sine_1d(16, test_fraction=0.99), ValueError, "test_fraction"),
        (lambda: data.moons(40, noise=1e300), ValueError, "noise"),
        (lambda: data.sine_1d(16, noise=1e300), ValueError, "noise"),
        (lambda: data.sine_1d(16, low="a"), TypeError, "low"),
        (lambda: data.sine_1d(16, high=1e300), ValueError, "high"),
        (lambda: data.scale_to_angles(np.zeros((3, 2)), high=[1.0]), TypeError, "high"),
        (lambda: data.scale_to_angles(np.zeros((3, 2)), clip=np.ones(2)), TypeError, "clip"),
        (lambda: data.moons(40).scaled("x"), TypeError, "factor"),
    ],
)
def test_bad_input_is_named(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


@pytest.mark.slow
def test_data_does_not_import_tensorflow():
    code = "import sys, clipq_edu.data as d; d.moons(20); print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_largest_allowed_values_still_give_finite_data():
    for d in (data.moons(40, noise=data.MAX_NOISE, seed=2**32 - 1),
              data.sine_1d(16, low=-data.MAX_RANGE, high=data.MAX_RANGE, noise=data.MAX_NOISE)):
        assert np.isfinite(d.x_train).all() and np.isfinite(d.y_train).all()
    angles = data.scale_to_angles(np.array([[0.0], [1.0]]), low=-data.MAX_RANGE,
                                  high=data.MAX_RANGE)
    assert np.isfinite(angles).all()
