"""clipq_edu.clipping: the worked example, invariants (hypothesis), TF/Keras agreement, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from clipq_edu import clipping as C

# ------------------------------------------------------------------ the worked example (issue 2)
G = [np.array([3.0, 4.0]), np.array([6.0, 8.0])]


def test_worked_example_per_tensor_norm():
    out = C.clip_by_norm(G, 1.0)
    np.testing.assert_allclose(out[0], [0.6, 0.8])
    np.testing.assert_allclose(out[1], [0.6, 0.8])


def test_worked_example_global_norm():
    out, norm = C.clip_by_global_norm(G, 1.0)
    assert norm == pytest.approx(math.sqrt(125))
    np.testing.assert_allclose(out[0], [0.268, 0.358], atol=5e-4)
    np.testing.assert_allclose(out[1], [0.537, 0.716], atol=5e-4)


def test_worked_example_value():
    out = C.clip_by_value(G, 1.0)
    np.testing.assert_array_equal(out[0], [1.0, 1.0])
    np.testing.assert_array_equal(out[1], [1.0, 1.0])


def test_single_array_in_single_array_out_and_dtype_kept():
    g = np.array([3.0, 4.0], dtype=np.float32)
    out = C.clip_by_norm(g, 1.0)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_allclose(out, [0.6, 0.8], rtol=1e-6)


def test_flat_list_of_numbers_is_one_vector():
    out, norm = C.clip_by_global_norm([3.0, 4.0], 1.0)
    assert norm == 5.0
    np.testing.assert_allclose(out, [0.6, 0.8])


def test_none_entries_pass_through():
    out = C.clip_by_norm([None, np.array([3.0, 4.0])], 1.0)
    assert out[0] is None
    out, norm = C.clip_by_global_norm([None, np.array([3.0, 4.0])], 1.0)
    assert out[0] is None and norm == 5.0
    assert C.clip_by_value([None], 1.0) == [None]


def test_below_bound_is_untouched():
    g = [np.array([0.3, 0.4])]
    np.testing.assert_array_equal(C.clip_by_norm(g, 1.0)[0], g[0])
    np.testing.assert_array_equal(C.clip_by_global_norm(g, 1.0)[0][0], g[0])


# ------------------------------------------------------------------ invariants (hypothesis)
finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=64)
vectors = arrays(np.float64, st.integers(1, 8), elements=finite)
bounds = st.floats(1e-3, 1e3)


@settings(max_examples=200, deadline=None)
@given(vectors, bounds)
def test_norm_clip_norm_is_min_of_norm_and_bound(g, c):
    out = C.clip_by_norm(g, c)
    assert np.linalg.norm(out) == pytest.approx(min(np.linalg.norm(g), c), rel=1e-9, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.lists(vectors, min_size=1, max_size=4), bounds)
def test_global_clip_keeps_direction_and_bounds_norm(gs, c):
    out, norm = C.clip_by_global_norm(gs, c)
    flat_in, flat_out = np.concatenate(gs), np.concatenate(out)
    assert norm == pytest.approx(np.linalg.norm(flat_in), rel=1e-9)
    assert np.linalg.norm(flat_out) == pytest.approx(min(norm, c), rel=1e-9, abs=1e-12)
    if norm > 0:
        # same direction: out is a non-negative multiple of the input
        scale = np.linalg.norm(flat_out) / norm
        np.testing.assert_allclose(flat_out, scale * flat_in, rtol=1e-9, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(vectors, bounds)
def test_value_clip_never_enlarges_an_entry(g, c):
    out = C.clip_by_value(g, c)
    assert np.all(np.abs(out) <= np.abs(g))
    assert np.all(np.abs(out) <= c)


@settings(max_examples=100, deadline=None)
@given(st.lists(vectors, min_size=1, max_size=3), bounds)
def test_idempotent(gs, c):
    once = C.clip_by_norm(gs, c)
    # atol: subnormal entries (< 2.2e-308) carry only a few significant bits
    np.testing.assert_allclose(np.concatenate(C.clip_by_norm(once, c)), np.concatenate(once),
                               rtol=1e-12, atol=1e-300)
    once, _ = C.clip_by_global_norm(gs, c)
    twice, _ = C.clip_by_global_norm(once, c)
    np.testing.assert_allclose(np.concatenate(twice), np.concatenate(once), rtol=1e-9)
    once = C.clip_by_value(gs, c)
    np.testing.assert_array_equal(np.concatenate(C.clip_by_value(once, c)),
                                  np.concatenate(once))


@settings(max_examples=100, deadline=None)
@given(vectors, bounds)
def test_clipping_never_enlarges_a_gradient(g, c):
    for out in (C.clip_by_norm(g, c), C.clip_by_global_norm(g, c)[0], C.clip_by_value(g, c)):
        assert np.linalg.norm(out) <= np.linalg.norm(g) * (1 + 1e-12) + 1e-300


# ------------------------------------------------------------------ non-finite values
def test_nonfinite_error_names_the_tensor():
    with pytest.raises(ValueError, match=r"grads\[1\].*1 NaN"):
        C.clip_by_global_norm([np.ones(2), np.array([1.0, np.nan])], 1.0)
    with pytest.raises(ValueError, match="Inf"):
        C.clip_by_value(np.array([np.inf]), 1.0)


def test_nonfinite_propagate_matches_tensorflow_semantics():
    out, norm = C.clip_by_global_norm([np.ones(2), np.array([1.0, np.nan])], 1.0,
                                      nonfinite="propagate")
    assert math.isnan(norm)
    assert all(np.isnan(o).all() for o in out)  # one NaN poisons every gradient
    out, norm = C.clip_by_global_norm([np.ones(2), np.array([np.inf, 0.0])], 1.0,
                                      nonfinite="propagate")
    assert math.isinf(norm) and all(np.isnan(o).all() for o in out)


def test_nonfinite_zero_replaces_then_clips():
    out, norm = C.clip_by_global_norm([np.array([3.0, np.nan]), np.array([np.inf, 4.0])], 1.0,
                                      nonfinite="zero")
    assert norm == 5.0
    np.testing.assert_allclose(np.concatenate(out), [0.6, 0.0, 0.0, 0.8])


def test_unknown_policy_rejected():
    with pytest.raises(ValueError, match="nonfinite must be one of"):
        C.clip_by_norm(G, 1.0, nonfinite="ignore")


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("bound", [0, -1.0, float("nan"), float("inf"), -np.inf])
@pytest.mark.parametrize("fn", [C.clip_by_value, C.clip_by_norm, C.clip_by_global_norm])
def test_bad_bounds(fn, bound):
    with pytest.raises(ValueError, match=r"(limit|max_norm) must be"):
        fn(G, bound)


def test_bound_type_error_names_argument():
    with pytest.raises(TypeError, match="max_norm must be a real number"):
        C.clip_by_norm(G, "1.0")


def test_empty_and_non_numeric():
    with pytest.raises(ValueError, match="empty list"):
        C.clip_by_norm([], 1.0)
    with pytest.raises(TypeError, match="real numbers"):
        C.clip_by_norm(np.array(["a", "b"]), 1.0)
    with pytest.raises(TypeError, match="real numbers"):
        C.clip_by_value(np.array([1 + 2j]), 1.0)
    with pytest.raises(TypeError, match="got None"):
        C.clip_by_norm(None, 1.0)


# ------------------------------------------------------------------ AutoClip and AGC
def test_autoclip_threshold_is_percentile_of_history():
    ac = C.AutoClip(percentile=50)
    norms = []
    rng = np.random.default_rng(0)
    for _ in range(20):
        g = rng.normal(size=5) * rng.uniform(0.1, 10)
        clipped, info = ac(g)
        norms.append(np.linalg.norm(g))
        assert info.norm_before == pytest.approx(norms[-1])
        assert ac.threshold == pytest.approx(np.percentile(norms, 50))
        assert info.threshold == ac.threshold
        assert np.linalg.norm(clipped) == pytest.approx(min(norms[-1], ac.threshold))
        assert info.norm_after == pytest.approx(np.linalg.norm(clipped))
        assert info.clipped == (norms[-1] > ac.threshold)
    ac.reset()
    assert ac.history == [] and ac.threshold is None


@pytest.mark.parametrize("p", [-1, 101, float("nan")])
def test_autoclip_bad_percentile(p):
    with pytest.raises(ValueError, match="percentile"):
        C.AutoClip(percentile=p)


def test_agc_unitwise_bound():
    rng = np.random.default_rng(1)
    w = [rng.normal(size=(4, 3)), rng.normal(size=3)]
    g = [100 * rng.normal(size=(4, 3)), 100 * rng.normal(size=3)]
    lam = 0.05
    out = C.adaptive_grad_clip(g, w, lam)
    for gi, wi, oi in zip(g, w, out, strict=True):
        bound = np.maximum(C.unitwise_norm(wi), 1e-3) * lam
        assert np.all(C.unitwise_norm(oi) <= bound * (1 + 1e-9))
        # each unit keeps its direction
        cos = np.sum(gi * oi, axis=0) / (
            np.linalg.norm(np.atleast_2d(gi), axis=0) * np.linalg.norm(np.atleast_2d(oi), axis=0)
        ) if gi.ndim > 1 else np.sign(gi * oi)
        np.testing.assert_allclose(cos, 1.0)


def test_agc_treats_a_vector_or_a_scalar_as_one_unit_like_the_reference():
    """NFNets (Brock et al. 2021) and Optax: a bias vector or a scalar is ONE unit. The
    reference here is written from the paper's formula, not from the library: the whole
    vector is rescaled by lambda * max(||w||, eps) / ||g|| when that is below 1."""
    lam, eps = 0.05, 1e-3
    w = np.array([0.3, -0.4, 1.2])          # ||w|| = 1.3
    g = np.array([0.02, 0.05, -0.06])       # ||g|| = 0.0806...: above 0.05 * 1.3 = 0.065
    scale = lam * max(np.sqrt((w**2).sum()), eps) / np.sqrt((g**2).sum())
    np.testing.assert_allclose(C.adaptive_grad_clip(g, w, lam, eps), g * min(1.0, scale),
                               rtol=1e-12)
    # per entry this would have clipped only the first entry: one unit keeps the direction
    out = C.adaptive_grad_clip(g, w, lam, eps)
    np.testing.assert_allclose(out / np.linalg.norm(out), g / np.linalg.norm(g), rtol=1e-12)
    # a scalar: |g| bounded by lambda * max(|w|, eps)
    assert float(C.adaptive_grad_clip(np.array(3.0), np.array(2.0), lam, eps)) == 0.1
    assert float(C.adaptive_grad_clip(np.array(0.01), np.array(2.0), lam, eps)) == 0.01


def test_agc_small_gradients_untouched_and_structure_checked():
    w = [np.ones((2, 2))]
    g = [np.full((2, 2), 1e-4)]
    np.testing.assert_array_equal(C.adaptive_grad_clip(g, w, 0.1)[0], g[0])
    with pytest.raises(ValueError, match="same structure"):
        C.adaptive_grad_clip(g, [np.ones((2, 2)), np.ones(2)], 0.1)
    with pytest.raises(ValueError, match="shape"):
        C.adaptive_grad_clip(g, [np.ones((2, 3))], 0.1)
    with pytest.raises(ValueError, match="clipping must be > 0"):
        C.adaptive_grad_clip(g, w, 0.0)


# ------------------------------------------------------------------ agreement with TensorFlow
@pytest.fixture(scope="module")
def tf():
    from clipq_edu import load_tensorflow

    tf, _ = load_tensorflow()

    return tf


@pytest.mark.slow
def test_numpy_path_matches_tf_ops(tf):
    rng = np.random.default_rng(2)
    for _ in range(20):
        gs = [rng.normal(size=s) * rng.uniform(0.01, 100) for s in [(3, 2), (2,), (5,)]]
        c = float(rng.uniform(0.1, 10))
        tgs = [tf.constant(g) for g in gs]
        for mine, theirs in zip(C.clip_by_norm(gs, c), [tf.clip_by_norm(t, c) for t in tgs],
                                strict=True):
            np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-10)
        mine, n1 = C.clip_by_global_norm(gs, c)
        theirs, n2 = tf.clip_by_global_norm(tgs, c)
        assert n1 == pytest.approx(float(n2), rel=1e-10)
        for a, b in zip(mine, theirs, strict=True):
            np.testing.assert_allclose(a, b.numpy(), rtol=1e-10)
        for a, t in zip(C.clip_by_value(gs, c), tgs, strict=True):
            np.testing.assert_array_equal(a, tf.clip_by_value(t, -c, c).numpy())


@pytest.mark.slow
def test_tf_tensors_in_tf_tensors_out(tf):
    gs = [tf.constant([3.0, 4.0]), None, tf.constant([6.0, 8.0])]
    out, norm = C.clip_by_global_norm(gs, 1.0)
    assert out[1] is None and isinstance(out[0], tf.Tensor)
    assert norm == pytest.approx(math.sqrt(125), rel=1e-6)
    assert C.global_norm(gs) == pytest.approx(math.sqrt(125), rel=1e-6)
    out = C.clip_by_norm(gs, 1.0)
    np.testing.assert_allclose(out[2].numpy(), [0.6, 0.8], rtol=1e-6)
    with pytest.raises(ValueError, match=r"grads\[0\]"):
        C.clip_by_norm([tf.constant([np.nan])], 1.0)
    zeroed = C.clip_by_value([tf.constant([np.nan, 5.0])], 1.0, nonfinite="zero")
    np.testing.assert_array_equal(zeroed[0].numpy(), [0.0, 1.0])


@pytest.mark.slow
def test_tf_propagate_nan_everywhere(tf):
    out, norm = C.clip_by_global_norm([tf.constant([1.0]), tf.constant([np.nan])], 1.0,
                                      nonfinite="propagate")
    assert math.isnan(norm) and all(np.isnan(o.numpy()).all() for o in out)


@pytest.mark.slow
def test_works_inside_tf_function(tf):
    @tf.function
    def f(a, b):
        out, norm = C.clip_by_global_norm([a, b], 1.0)
        return out[0], norm

    out, norm = f(tf.constant([3.0, 4.0]), tf.constant([6.0, 8.0]))
    assert float(norm) == pytest.approx(math.sqrt(125), rel=1e-6)
    np.testing.assert_allclose(out.numpy(), [0.268, 0.358], atol=5e-4)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["clipvalue", "clipnorm", "global_clipnorm"])
def test_matches_keras_optimizer_clipping(tf, kind):
    """One SGD step with lr=1: the weight change is minus the clipped gradient."""
    rng = np.random.default_rng(3)
    gs = [rng.normal(size=(3, 2)) * 5, rng.normal(size=(2,)) * 5]
    c = 0.7
    variables = [tf.Variable(np.zeros_like(g)) for g in gs]
    opt = tf.keras.optimizers.SGD(learning_rate=1.0, **{kind: c})
    opt.apply_gradients(zip([tf.constant(g) for g in gs], variables, strict=True))
    keras_update = [-v.numpy() for v in variables]
    if kind == "clipvalue":
        mine = C.clip_by_value(gs, c)
    elif kind == "clipnorm":
        mine = C.clip_by_norm(gs, c)
    else:
        mine, _ = C.clip_by_global_norm(gs, c)
    for a, b in zip(mine, keras_update, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.slow
def test_agc_tf_matches_numpy(tf):
    rng = np.random.default_rng(4)
    w = [rng.normal(size=(4, 3)), rng.normal(size=3)]
    g = [50 * rng.normal(size=(4, 3)), 50 * rng.normal(size=3)]
    mine = C.adaptive_grad_clip(g, w, 0.05)
    theirs = C.adaptive_grad_clip([tf.constant(x) for x in g], [tf.constant(x) for x in w], 0.05)
    for a, b in zip(mine, theirs, strict=True):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-9)


# ------------------------------------------------------------------ the Clipper interface
from clipq_edu.testing import assert_clipper_contract  # noqa: E402


def _every_clipper(nonfinite):
    return [
        C.NoClip(nonfinite=nonfinite),
        C.ClipByValue(0.5, nonfinite=nonfinite),
        C.ClipByNorm(0.5, nonfinite=nonfinite),
        C.ClipByGlobalNorm(0.5, nonfinite=nonfinite),
        C.AutoClip(percentile=50, nonfinite=nonfinite),
        C.AdaptiveGradClip(0.05, nonfinite=nonfinite),
        C.FunctionClipper(lambda gs: [None if g is None else g * 0.5 for g in gs],
                          nonfinite=nonfinite),
        C.KerasClip({"clipnorm": 0.5}, nonfinite=nonfinite),
        C.KerasClip({"global_clipnorm": 0.5}, nonfinite=nonfinite),
        C.KerasClip({"clipvalue": 0.5}, nonfinite=nonfinite),
    ]


@pytest.mark.parametrize("nonfinite", C.NONFINITE_POLICIES)
@pytest.mark.parametrize("index", range(10))
def test_every_clipper_meets_the_contract(index, nonfinite):
    assert_clipper_contract(_every_clipper(nonfinite)[index])


def test_contract_with_a_warmed_up_autoclip_and_large_bounds():
    ac = C.AutoClip(percentile=10)
    rng = np.random.default_rng(5)
    for _ in range(10):
        ac([rng.normal(size=(3, 2)), rng.normal(size=2)])
    assert_clipper_contract(ac, seed=3)
    assert len(ac.history) == 10  # the contract ran on copies
    for clipper in (C.ClipByGlobalNorm(1e9), C.ClipByNorm(1e9), C.ClipByValue(1e9)):
        assert_clipper_contract(clipper)


class _Enlarging(C.Clipper):
    keeps_direction = "global"

    def apply(self, items, params, norm):
        return [None if g is None else 2 * g for g in items], True, math.nan


class _Turning(C.Clipper):
    keeps_direction = "global"

    def apply(self, items, params, norm):
        return [None if g is None else g[::-1].copy() * 1e-3 for g in items], True, math.nan


class _Hiding(C.Clipper):
    nonfinite = "propagate"

    def apply(self, items, params, norm):
        return [None if g is None else np.nan_to_num(g) for g in items], True, math.nan


@pytest.mark.parametrize("broken, words", [(_Enlarging(), "grew"), (_Turning(), "direction"),
                                           (_Hiding(), "hid the NaN")])
def test_contract_catches_broken_clippers(broken, words):
    with pytest.raises(AssertionError, match=words):
        assert_clipper_contract(broken)


def test_clip_info_reports_firing_exactly():
    g = [np.array([3.0, 4.0]), np.array([0.0, 0.0])]
    _, info = C.ClipByGlobalNorm(5.0)(g)
    assert not info.clipped and info.norm_before == info.norm_after == 5.0
    _, info = C.ClipByGlobalNorm(4.999)(g)
    assert info.clipped and info.norm_after == pytest.approx(4.999)
    assert info.threshold == 4.999
    out, info = C.ClipByValue(4.0)(g)
    assert not info.clipped and out[0] is g[0]
    _, info = C.NoClip()(g)
    assert math.isnan(info.threshold) and not info.clipped


@pytest.mark.parametrize("spec, cls", [
    (None, C.NoClip), (("value", 1.0), C.ClipByValue), (("norm", 1.0), C.ClipByNorm),
    (("global_norm", 1.0), C.ClipByGlobalNorm), (["global_norm", 1.0], C.ClipByGlobalNorm),
    (("autoclip", 10), C.AutoClip), (("agc", 0.01), C.AdaptiveGradClip),
    (("agc", 0.01, 1e-2), C.AdaptiveGradClip), (("keras", {"clipnorm": 1.0}), C.KerasClip),
    (lambda gs: gs, C.FunctionClipper),
])
def test_from_spec_builds_the_right_clipper(spec, cls):
    assert type(C.from_spec(spec)) is cls


def test_from_spec_copies_a_clipper_and_never_changes_it():
    ac = C.AutoClip(percentile=50)
    ac(np.array([3.0, 4.0]))
    copy = C.from_spec(ac)
    assert copy is not ac and copy.history == [5.0]
    copy(np.array([30.0, 40.0]))
    copy.reset()
    assert ac.history == [5.0] and ac.threshold == 5.0


@pytest.mark.parametrize("spec, exc, words", [
    ("global_norm", TypeError, "clip must be one of"),
    (("global_norm",), ValueError, "clip must be one of"),
    (("global_norm", -1.0), ValueError, r"clip\[1\]"),
    (("bogus", 1.0), ValueError, "clip must be one of"),
    (("agc", 0.1, 0.0), ValueError, r"clip\[2\]"),
    (("autoclip", 150), ValueError, "percentile"),
    (("keras", {"clipnorm": 1, "global_clipnorm": 1}), ValueError, "together"),
    (("keras", {"lr": 1}), ValueError, "accepts the keys"),
    (("keras",), ValueError, "one dict"),
])
def test_from_spec_rejects_bad_specs_by_name(spec, exc, words):
    with pytest.raises(exc, match=words):
        C.from_spec(spec)


def test_agc_clipper_needs_params_and_matching_structure():
    with pytest.raises(TypeError, match="params"):
        C.AdaptiveGradClip(0.1)([np.ones(2)])
    with pytest.raises(ValueError, match="same structure"):
        C.AdaptiveGradClip(0.1)([np.ones(2)], [np.ones(2), np.ones(2)])


def test_keras_clip_follows_keras_precedence():
    g = [np.array([3.0, 4.0]), np.array([0.1, 0.0])]
    both, info = C.KerasClip({"clipnorm": 1.0, "clipvalue": 1e-4})(g)
    np.testing.assert_allclose(both[0], [0.6, 0.8])
    assert info.threshold == 1.0 and info.clipped
    value_only, _ = C.KerasClip({"clipvalue": 1.0})(g)
    np.testing.assert_array_equal(value_only[0], [1.0, 1.0])


@pytest.mark.slow
@pytest.mark.parametrize("options", [{"clipnorm": 0.7}, {"global_clipnorm": 0.7},
                                     {"clipvalue": 0.7}, {"clipnorm": 0.7, "clipvalue": 1e-3},
                                     {"global_clipnorm": 0.7, "clipvalue": 1e-3}], ids=str)
def test_keras_clip_matches_the_optimizers_own_clipping(tf, options):
    rng = np.random.default_rng(6)
    gs = [rng.normal(size=(3, 2)) * 5, rng.normal(size=(2,)) * 5]
    opt = tf.keras.optimizers.SGD(learning_rate=1.0, **options)
    theirs = opt._clip_gradients([tf.constant(g) for g in gs])
    mine, _ = C.KerasClip(options)(gs)
    for a, b in zip(mine, theirs, strict=True):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-6, atol=1e-9)
