"""Code exercises of chapter 04: the reference solution passes, the stub is "not attempted",
and plausible wrong answers are rejected with a message naming the failing property.

04.4 trains the library's hybrid model with the learner's ``tf.GradientTape`` step (TensorFlow:
slow); 04.5 reduces a telemetry log (NumPy only)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_support import reference_function as _solution

from clipq_edu.exercises import ch04 as ex


# ------------------------------------------------------------------ 04.5 clip_report
def report_ge(norms, c):
    n = np.asarray(norms, dtype=float)
    a = n[np.isfinite(n)]
    return float(np.mean(a >= c)), float(a.max() / c)


def report_keeps_nan(norms, c):
    n = np.asarray(norms, dtype=float)
    return float(np.mean(n > c)), float(np.max(n) / c)


def report_all_steps(norms, c):
    n = np.asarray(norms, dtype=float)
    a = n[np.isfinite(n)]
    return float(np.sum(a > c) / n.size), float(a.max() / c)


def report_percent(norms, c):
    n = np.asarray(norms, dtype=float)
    a = n[np.isfinite(n)]
    return 100 * float(np.mean(a > c)), float(a.max() / c)


def report_inverted(norms, c):
    n = np.asarray(norms, dtype=float)
    a = n[np.isfinite(n)]
    return float(np.mean(a > c)), float(c / a.max())


def report_in_place(norms, c):
    if isinstance(norms, np.ndarray):
        norms[~np.isfinite(norms)] = 0.0
    n = np.asarray(norms, dtype=float)
    a = n[np.isfinite(n)]
    return float(np.mean(a > c)), float(a.max() / c)


@pytest.mark.parametrize(("wrong", "says"), [
    (report_ge, "equal to clip_norm"),
    (report_keeps_nan, "NaN or Inf"),
    (report_all_steps, "denominator"),
    (report_percent, "between 0 and 1"),
    (report_inverted, "upside down"),
    (report_in_place, "in place"),
])
def test_q5_wrong_reducers_are_named(wrong, says):
    fb = ex.q5.check(wrong)
    assert not fb and says in fb.message, fb.message


def test_q5_solution_stub_and_example():
    fn = _solution(ex.q5)
    assert ex.q5.check(fn)
    assert fn([0.3, 0.6, math.nan, 0.45, 0.9], 0.45) == (0.5, 2.0)  # the prompt's example
    fb = ex.q5.check(lambda norms, c: None)
    assert not fb and "returns None" in fb.message
    assert "return " not in " ".join(str(h) for h in ex.q5.hints)


def test_q5_matches_the_library_telemetry_summary():
    """Independent: the library's Telemetry.summary() computes the same clipped fraction."""
    from clipq_edu.training.telemetry import TelemetryRecorder

    rng = np.random.default_rng(3)
    norms = rng.lognormal(-1, 0.7, 50)
    norms[7] = np.nan
    rec = TelemetryRecorder(clip="global_norm 0.5")
    for n in norms:
        ok = bool(np.isfinite(n))
        rec.record(0.1, norm_before=n, norm_after=min(n, 0.5) if ok else math.nan,
                   clipped=ok and n > 0.5, skipped=not ok, threshold=0.5)
    summary = rec.finish().summary()
    frac, ratio = _solution(ex.q5)(norms, 0.5)
    assert frac == pytest.approx(summary["clipped_fraction"])
    assert ratio == pytest.approx(summary["max_norm_before"] / 0.5)


# ------------------------------------------------------------------ 04.4 train_step (TF)
def _load_tf():
    import clipq_edu as cq

    tf, _ = cq.load_tensorflow()
    return tf


def step_no_clip(model, optimizer, x, y, clip_norm):
    tf = _load_tf()
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(y, model(x, training=True)))
    grads = tape.gradient(loss, model.trainable_variables)
    norm = tf.linalg.global_norm(grads)
    if not bool(tf.math.is_finite(norm)):
        return float(norm), False
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return float(norm), True


def step_per_tensor(model, optimizer, x, y, clip_norm):
    tf = _load_tf()
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(y, model(x, training=True)))
    grads = tape.gradient(loss, model.trainable_variables)
    norm = tf.linalg.global_norm(grads)
    if not bool(tf.math.is_finite(norm)):
        return float(norm), False
    clipped = [tf.clip_by_norm(g, clip_norm) for g in grads]
    optimizer.apply_gradients(zip(clipped, model.trainable_variables, strict=True))
    return float(norm), True


def step_no_skip(model, optimizer, x, y, clip_norm):
    tf = _load_tf()
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(y, model(x, training=True)))
    grads = tape.gradient(loss, model.trainable_variables)
    clipped, norm = tf.clip_by_global_norm(grads, clip_norm)
    optimizer.apply_gradients(zip(clipped, model.trainable_variables, strict=True))
    return float(norm), True


def step_silent_skip(model, optimizer, x, y, clip_norm):
    tf = _load_tf()
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(y, model(x, training=True)))
    grads = tape.gradient(loss, model.trainable_variables)
    clipped, norm = tf.clip_by_global_norm(grads, clip_norm)
    if bool(tf.math.is_finite(norm)):
        optimizer.apply_gradients(zip(clipped, model.trainable_variables, strict=True))
    return float(norm), True  # never reports the skipped step


@pytest.mark.slow
@pytest.mark.parametrize(("wrong", "says"), [
    (step_no_clip, "longer than clip_norm"),
    (step_per_tensor, "each tensor's update is within clip_norm"),
    (step_no_skip, "changed the weights"),
    (step_silent_skip, "reported as applied"),
])
def test_q4_wrong_steps_are_named(wrong, says):
    fb = ex.q4.check(wrong)
    assert not fb and says in fb.message, fb.message


@pytest.mark.slow
def test_q4_solution_passes_and_stub_is_not_attempted():
    _load_tf()
    assert ex.q4.check(_solution(ex.q4))
    fb = ex.q4.check(lambda model, optimizer, x, y, clip_norm: None)
    assert not fb and "returns None" in fb.message
    assert "return " not in " ".join(str(h) for h in ex.q4.hints)
    assert "GradientTape" in ex.q4.prompt


def report_float32(norms, c):
    """Correct, but in single precision (referee item 6: it must pass)."""
    n = np.asarray(norms, dtype=np.float32)
    a = n[np.isfinite(n)]
    return float(np.mean(a > np.float32(c))), float(a.max() / np.float32(c))


def report_float32_mixed(norms, c):
    """Correct, single-precision norms compared with the double-precision bound."""
    n = np.asarray(norms, dtype=np.float32)
    a = n[np.isfinite(n)]
    return float(np.mean(a > c)), float(a.max() / c)


@pytest.mark.parametrize("fn", [report_float32, report_float32_mixed])
def test_q5_accepts_a_correct_float32_implementation(fn):
    fb = ex.q5.check(fn)
    assert fb, fb.message
