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
from clipq_edu.i18n import Text, tr

__all__ = ["q1", "q2"]

q1 = ChoiceExercise(
    "03c.1",
    Text("With 10 shots per circuit, parameter-shift estimates of a gradient of norm 0.7 are "
         "clipped by norm at c = 0.7. On average, the clipped estimate is ...",
         "每个线路只用 10 次测量时，对一个范数为 0.7 的梯度做参数平移估计，再在 c = 0.7 处"
         "按范数裁剪。平均而言，裁剪后的估计……"),
    options={
        "a": Text("unbiased, as the raw estimate is", "和原始估计一样是无偏的"),
        "b": Text("biased towards a smaller norm: noise inflates ‖ĝ‖, so more estimates are "
                  "shrunk",
                  "偏向更小的范数：噪声使 ‖ĝ‖ 变大，于是更多的估计被缩小"),
        "c": Text("biased towards a larger norm", "偏向更大的范数"),
        "d": Text("identical to the raw estimate", "与原始估计完全相同"),
    },
    correct="b",
    explanations={
        "a": Text("the raw estimate is unbiased, but clipping is non-linear: "
                  "E[clip(ĝ)] ≠ clip(E ĝ).",
                  "原始估计是无偏的，但裁剪是非线性的：E[clip(ĝ)] ≠ clip(E ĝ)。"),
        "b": Text("right: E‖ĝ‖² = ‖g‖² + ΣVar ĝᵢ, so noisy estimates are clipped more often and "
                  "the mean shrinks. Clipping trades bias for lower variance.",
                  "对：E‖ĝ‖² = ‖g‖² + ΣVar ĝᵢ，所以带噪声的估计更常被裁剪，均值随之缩小。"
                  "裁剪是以偏差换取更低的方差。"),
        "c": Text("clipping never enlarges anything.", "裁剪从不放大任何东西。"),
        "d": Text("with 10 shots most estimates exceed 0.7 and are rescaled.",
                  "只用 10 次测量时，大多数估计都超过 0.7，因而会被缩放。"),
    },
    hints=[Text("Compute E‖ĝ‖² for ĝ = g + noise with zero-mean noise.",
                "对 ĝ = g + noise（noise 是均值为零的噪声）计算 E‖ĝ‖²。")],
    solution_text=Text("(b); measure it with analysis.clipped_estimate_stats([10], 0.7).",
                       "(b)；可以用 analysis.clipped_estimate_stats([10], 0.7) 实际测一测。"),
)


def _reference_stderr(mu_plus: Any, mu_minus: Any, shots: Any) -> np.ndarray:
    mu_plus, mu_minus = np.asarray(mu_plus, float), np.asarray(mu_minus, float)
    return np.sqrt((1 - mu_plus**2) + (1 - mu_minus**2)) / (2 * np.sqrt(shots))


def _stderr_cases() -> list[tuple[str, Any, Any, Any]]:
    rng = np.random.default_rng(6)
    return [
        (tr("μ± = 0 with 1000 shots (chapter 04's case)", "均值 μ± = 0、1000 次测量（第 04 章的情形）"),
         0.0, 0.0, 1000),
        (tr("μ+ = 1, μ− = −1 (deterministic outcomes)", "均值 μ+ = 1、μ− = −1（结果确定）"),
         1.0, -1.0, 100),
        (tr("μ+ = 0.6, μ− = −0.2 with a single shot", "均值 μ+ = 0.6、μ− = −0.2，只测量 1 次"),
         0.6, -0.2, 1),
        (tr("arrays of 5 parameters with 250 shots", "含 5 个参数的数组、250 次测量"),
         rng.uniform(-1, 1, 5), rng.uniform(-1, 1, 5), 250),
        (tr("arrays with a different number of shots per parameter",
            "每个参数测量次数各不相同的数组"),
         rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 4), np.array([10, 100, 1000, 10000])),
    ]


def _check_stderr(fn: Any) -> str:
    require_callable(fn, "gradient_standard_error(mu_plus, mu_minus, shots)")
    for what, mu_p, mu_m, shots in _stderr_cases():
        want = _reference_stderr(mu_p, mu_m, shots)
        out = as_array(call(fn, mu_p, mu_m, shots, what=what), want.shape, what)
        if np.allclose(out, want, rtol=1e-6, atol=1e-12):
            continue
        if np.allclose(out, 2 * want, rtol=1e-6, atol=1e-12):
            raise StudentError(tr(f"for {what} the result is 2x too large: the rule divides the "
                                  "difference of the two means by 2, so its variance by 4",
                                  f"对于{what}，结果大了 2 倍：这条规则把两个均值之差除以 2，"
                                  "因此方差要除以 4"))
        if np.allclose(out, want**2, rtol=1e-6, atol=1e-12):
            raise StudentError(tr(f"for {what} that is the variance: take its square root",
                                  f"对于{what}，这是方差：请取它的平方根"))
        added = (np.sqrt(1 - np.asarray(mu_p) ** 2) + np.sqrt(1 - np.asarray(mu_m) ** 2)) / (
            2 * np.sqrt(shots))
        if np.allclose(out, added, rtol=1e-6, atol=1e-12):
            raise StudentError(tr(f"for {what} you added the two standard errors: for independent "
                                  "estimates the variances add, not the standard errors",
                                  f"对于{what}，你把两个标准误差相加了：独立估计相加的是方差，"
                                  "而不是标准误差"))
        if np.all(np.abs(np.asarray(mu_p)) == 1) and np.all(out > 0):
            raise StudentError(tr(f"for {what} every shot gives the same outcome, so the error "
                                  "must be 0: one shot of a ±1 observable has variance 1 − μ²",
                                  f"对于{what}，每次测量的结果都相同，所以误差必须为 0："
                                  "取值 ±1 的可观测量单次测量的方差为 1 − μ²"))
        raise StudentError(tr(f"for {what} the standard error is wrong: each mean of N shots has "
                              "variance (1 − μ²)/N",
                              f"对于{what}，标准误差不对：N 次测量的均值的方差为 (1 − μ²)/N"))
    return tr("your gradient_standard_error gives √[(1 − μ₊²) + (1 − μ₋²)] / (2√N), for floats "
              "and arrays alike.",
              "你的 gradient_standard_error 给出 √[(1 − μ₊²) + (1 − μ₋²)] / (2√N)，"
              "对浮点数和数组同样适用。")


q2 = FunctionExercise(
    "03c.2",
    Text("Write gradient_standard_error(mu_plus, mu_minus, shots): the standard error of the "
         "parameter-shift estimate [f̂(θ + π/2) − f̂(θ − π/2)] / 2 when each f̂ is the mean of "
         "shots ±1 outcomes with exact expectations mu_plus and mu_minus. The arguments may be "
         "floats or NumPy arrays (one entry per parameter) and must broadcast. Pass the function "
         "itself to check.",
         "编写 gradient_standard_error(mu_plus, mu_minus, shots)：当每个 f̂ 都是 shots 个 ±1 "
         "结果的均值、其精确期望值分别为 mu_plus 和 mu_minus 时，参数平移估计 "
         "[f̂(θ + π/2) − f̂(θ − π/2)] / 2 的标准误差。参数可以是浮点数或 NumPy 数组（每个参数"
         "一个分量），且必须能够广播。把函数本身传给 check。"),
    checker=guarded(_check_stderr),
    hints=[
        Text("One ±1 shot with mean μ has variance E[x²] − μ² = 1 − μ²; a mean of N shots has "
             "(1 − μ²)/N.",
             "均值为 μ 的单次 ±1 测量的方差为 E[x²] − μ² = 1 − μ²；N 次测量的均值的方差为 "
             "(1 − μ²)/N。"),
        Text("The two means are independent, so their variances add; dividing by 2 divides the "
             "variance by 4.",
             "两个均值相互独立，所以方差相加；除以 2 会让方差除以 4。"),
        Text("np.sqrt(((1 - mu_plus**2) + (1 - mu_minus**2)) / (4 * shots)) with NumPy arrays.",
             "用 NumPy 数组计算 np.sqrt(((1 - mu_plus**2) + (1 - mu_minus**2)) / (4 * shots))。"),
    ],
    solution_text=Text(
        "def gradient_standard_error(mu_plus, mu_minus, shots):\n"
        "    mu_plus, mu_minus = np.asarray(mu_plus), np.asarray(mu_minus)\n"
        "    var = ((1 - mu_plus**2) + (1 - mu_minus**2)) / (4 * np.asarray(shots))\n"
        "    return np.sqrt(var)",
        "def gradient_standard_error(mu_plus, mu_minus, shots):\n"
        "    # 参考答案：两个独立均值的方差相加，除以 2 使方差除以 4\n"
        "    mu_plus, mu_minus = np.asarray(mu_plus), np.asarray(mu_minus)\n"
        "    var = ((1 - mu_plus**2) + (1 - mu_minus**2)) / (4 * np.asarray(shots))\n"
        "    return np.sqrt(var)  # 标准误差是方差的平方根"
    ),
)
