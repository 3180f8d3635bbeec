"""Exercises of chapter 03c (裁剪遇上量子): clipping noisy shot-based gradients.

>>> from clipq_edu.exercises import ch03c as ex
>>> ex.q1.check("b").correct
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise

__all__ = ["q1", "q2"]

q1 = ChoiceExercise(
    "03c.1",
    "With 10 shots per circuit, parameter-shift estimates of a gradient of norm 0.7 are "
    "clipped by norm at c = 0.7. On average, the clipped estimate is ...",
    options={
        "a": "unbiased, as the raw estimate is",
        "b": "biased towards a smaller norm: noise inflates ‖ĝ‖, so more estimates are shrunk",
        "c": "biased towards a larger norm",
        "d": "identical to the raw estimate",
    },
    correct="b",
    explanations={
        "a": "the raw estimate is unbiased, but clipping is non-linear: E[clip(ĝ)] ≠ clip(E ĝ).",
        "b": "right: E‖ĝ‖² = ‖g‖² + ΣVar ĝᵢ, so noisy estimates are clipped more often and "
        "the mean shrinks. Clipping trades bias for lower variance.",
        "c": "clipping never enlarges anything.",
        "d": "with 10 shots most estimates exceed 0.7 and are rescaled.",
    },
    hints=["Compute E‖ĝ‖² for ĝ = g + noise with zero-mean noise."],
    solution_text="(b); measure it with analysis.clipped_estimate_stats([10], 0.7).",
)


def _reference_stderr(mu_plus: Any, mu_minus: Any, shots: Any) -> np.ndarray:
    mu_plus, mu_minus = np.asarray(mu_plus, float), np.asarray(mu_minus, float)
    return np.sqrt((1 - mu_plus**2) + (1 - mu_minus**2)) / (2 * np.sqrt(shots))


def _stderr_cases() -> list[tuple[str, Any, Any, Any]]:
    rng = np.random.default_rng(6)
    return [
        ("μ± = 0 with 1000 shots (chapter 04's case)", 0.0, 0.0, 1000),
        ("μ+ = 1, μ− = −1 (deterministic outcomes)", 1.0, -1.0, 100),
        ("μ+ = 0.6, μ− = −0.2 with a single shot", 0.6, -0.2, 1),
        ("arrays of 5 parameters with 250 shots", rng.uniform(-1, 1, 5), rng.uniform(-1, 1, 5),
         250),
        ("arrays with a different number of shots per parameter", rng.uniform(-1, 1, 4),
         rng.uniform(-1, 1, 4), np.array([10, 100, 1000, 10000])),
    ]


def _check_stderr(fn: Any) -> str:
    require_callable(fn, "gradient_standard_error(mu_plus, mu_minus, shots)")
    for what, mu_p, mu_m, shots in _stderr_cases():
        want = _reference_stderr(mu_p, mu_m, shots)
        out = as_array(call(fn, mu_p, mu_m, shots, what=what), want.shape, what)
        if np.allclose(out, want, rtol=1e-6, atol=1e-12):
            continue
        if np.allclose(out, 2 * want, rtol=1e-6, atol=1e-12):
            raise StudentError(f"for {what} the result is 2x too large: the rule divides the "
                               "difference of the two means by 2, so its variance by 4")
        if np.allclose(out, want**2, rtol=1e-6, atol=1e-12):
            raise StudentError(f"for {what} that is the variance: take its square root")
        added = (np.sqrt(1 - np.asarray(mu_p) ** 2) + np.sqrt(1 - np.asarray(mu_m) ** 2)) / (
            2 * np.sqrt(shots))
        if np.allclose(out, added, rtol=1e-6, atol=1e-12):
            raise StudentError(f"for {what} you added the two standard errors: for independent "
                               "estimates the variances add, not the standard errors")
        if np.all(np.abs(np.asarray(mu_p)) == 1) and np.all(out > 0):
            raise StudentError(f"for {what} every shot gives the same outcome, so the error must "
                               "be 0: one shot of a ±1 observable has variance 1 − μ²")
        raise StudentError(f"for {what} the standard error is wrong: each mean of N shots has "
                           "variance (1 − μ²)/N")
    return ("your gradient_standard_error gives √[(1 − μ₊²) + (1 − μ₋²)] / (2√N), for floats "
            "and arrays alike.")


q2 = FunctionExercise(
    "03c.2",
    "Write gradient_standard_error(mu_plus, mu_minus, shots): the standard error of the "
    "parameter-shift estimate [f̂(θ + π/2) − f̂(θ − π/2)] / 2 when each f̂ is the mean of shots "
    "±1 outcomes with exact expectations mu_plus and mu_minus. The arguments may be floats "
    "or NumPy arrays (one entry per parameter) and must broadcast. Pass the function itself "
    "to check.",
    checker=guarded(_check_stderr),
    hints=[
        "One ±1 shot with mean μ has variance E[x²] − μ² = 1 − μ²; a mean of N shots has "
        "(1 − μ²)/N.",
        "The two means are independent, so their variances add; dividing by 2 divides the "
        "variance by 4.",
        "np.sqrt(((1 - mu_plus**2) + (1 - mu_minus**2)) / (4 * shots)) with NumPy arrays.",
    ],
    solution_text=(
        "def gradient_standard_error(mu_plus, mu_minus, shots):\n"
        "    mu_plus, mu_minus = np.asarray(mu_plus), np.asarray(mu_minus)\n"
        "    var = ((1 - mu_plus**2) + (1 - mu_minus**2)) / (4 * np.asarray(shots))\n"
        "    return np.sqrt(var)"
    ),
)
