"""Exercises of chapter 03b (量子深度学习): the parameter-shift rule (by hand, as code, for a
general generator), its shot budget, a Cirq circuit from a description and a hybrid Keras model.

>>> from clipq_edu.exercises import ch03b as ex
>>> ex.q1.check(-0.2955)
[03b.1] ✅ Correct: well done, within 0.0068 % of the exact value -0.29552.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from clipq_edu.course import analysis
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import FunctionExercise, NumericExercise
from clipq_edu.i18n import Text, tr
from clipq_edu.quantum import gradients, sampling

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]


def _shift_by_hand() -> float:
    return float(gradients.parameter_shift(lambda rows: np.cos(rows[:, 0]), np.array([0.3]))[0])


def _two_term(shift: float, divide: float, theta: float = 0.3, cos: Callable = math.cos) -> float:
    """[f(θ + shift) − f(θ − shift)] / divide for f = cos: the rule, or a mistaken variant."""
    return (cos(theta + shift) - cos(theta - shift)) / divide


def _cos_degrees(angle_in_degrees: float) -> float:
    """cos on a calculator left in degree mode."""
    return math.cos(math.radians(angle_in_degrees))


#: Typical mistakes of 03b.1, each computed by applying the mistaken method.
_MISTAKES_1 = [
    (lambda: _two_term(math.pi / 2, 1.0),
     Text("that is the difference f(θ + π/2) − f(θ − π/2) itself: the rule halves it",
          "这是差值 f(θ + π/2) − f(θ − π/2) 本身：这条规则还要把它除以 2")),
    (lambda: _two_term(-math.pi / 2, 2.0),
     Text("the sign is wrong: the difference is taken the wrong way round, f(θ + π/2) comes "
          "first", "符号不对：差值的顺序反了，f(θ + π/2) 在前")),
    (lambda: _two_term(math.pi / 2, 4.0),
     Text("that is half the rule's value: the difference is divided by 2 once, not twice",
          "这是规则结果的一半：差值只除以 2 一次，而不是两次")),
    (lambda: _two_term(math.pi / 4, 2.0),
     Text("that is a shift of π/4: for rx the shift is π/2",
          "这是平移 π/4 的结果：rx 的平移量是 π/2")),
    (lambda: _two_term(90.0, 2.0, theta=0.3, cos=_cos_degrees),
     Text("your calculator is in degrees: θ = 0.3 and the shift π/2 are radians",
          "你的计算器处于角度制：θ = 0.3 和平移量 π/2 都是弧度")),
]


class _MistakesAtThreeFigures(NumericExercise):
    """A NumericExercise whose typical mistakes are recognised as the learner writes them.

    The core matches a mistake within the tolerance of the course's printed digits; here a
    mistake also counts when the answer agrees with its value to the relative rounding of
    three significant figures (rtol 5e-3), so −0.00524 is recognised as the degree-mode value
    −0.005236 just as −0.005236 is.
    """

    mistake_rtol: float = 5e-3

    def _check(self, answer: Any) -> tuple[bool, str]:
        ok, message = super()._check(answer)
        if ok:
            return ok, message
        try:
            got = np.asarray(answer, dtype=float)
        except (TypeError, ValueError):
            return ok, message
        for wrong, mistake in self.mistakes:
            bad = np.asarray(wrong(), dtype=float)
            if bad.shape == got.shape and np.all(np.isfinite(got)) and np.allclose(
                    got, bad, rtol=self.mistake_rtol, atol=0.0):
                return False, str(mistake)
        return ok, message


q1 = _MistakesAtThreeFigures(
    "03b.1",
    Text("f(θ) = cos θ is ⟨Z⟩ after rx(θ) on |0⟩. Apply the parameter-shift rule by hand at "
         "θ = 0.3: give [f(θ + π/2) − f(θ − π/2)] / 2 as a number.",
         "f(θ) = cos θ 是对 |0⟩ 作用 rx(θ) 之后的 ⟨Z⟩。在 θ = 0.3 处手工应用参数平移规则："
         "以数值形式给出 [f(θ + π/2) − f(θ − π/2)] / 2。"),
    expected=_shift_by_hand,
    digits=4,
    shown=("−0.2955",),
    mistakes=_MISTAKES_1,
    hints=[
        Text("cos(θ + π/2) = −sin θ and cos(θ − π/2) = sin θ.",
             "cos(θ + π/2) = −sin θ，而 cos(θ − π/2) = sin θ。"),
        Text("So the rule gives (−sin θ − sin θ)/2: compare with d/dθ cos θ.",
             "所以这条规则给出 (−sin θ − sin θ)/2：与 d/dθ cos θ 比较一下。"),
    ],
    solution_text=Text(
        "[cos(0.3 + π/2) − cos(0.3 − π/2)]/2 = −sin(0.3) ≈ −0.2955, exactly the "
        "derivative of cos θ: the rule is exact, not an approximation.",
        "[cos(0.3 + π/2) − cos(0.3 − π/2)]/2 = −sin(0.3) ≈ −0.2955，恰好是 cos θ 的导数："
        "这条规则是精确的，而不是近似。"),
)


#: 03b.2's parameter point (not one the chapter prints), the component and the target error.
Q2_PARAMS, Q2_COMPONENT, Q2_STANDARD_ERROR = (1.1, 0.4, 0.25), 1, 0.02


def _shift_means() -> tuple[float, float]:
    step = np.zeros(3)
    step[Q2_COMPONENT] = math.pi / 2
    shifted = np.array([Q2_PARAMS]) + np.array([step, -step])
    mu_p, mu_m = analysis.toy_expectation(shifted)
    return float(mu_p), float(mu_m)


def _shots_for_standard_error() -> int:
    mu_p, mu_m = _shift_means()
    var_one_shot = (2 - mu_p**2 - mu_m**2) / 4  # variance × N of the shift estimate
    return int(sampling.shots_needed(var_one_shot, Q2_STANDARD_ERROR))


def _shots_by(var_factor: float, target: float, *, use_mu: bool = True,
              rounding: Callable[[float], float] = math.ceil) -> int:
    """N from var_factor · [(1 − μ₊²) + (1 − μ₋²)] / N = target (a mistaken variant or not)."""
    mu_p, mu_m = _shift_means() if use_mu else (0.0, 0.0)
    return int(rounding(var_factor * (2 - mu_p**2 - mu_m**2) / target))


#: Typical mistakes of 03b.2, each computed by applying the mistaken method.
_MISTAKES_2 = [
    (lambda: _shots_by(1.0, Q2_STANDARD_ERROR**2),
     Text("that leaves out the 1/4: the estimate is half the difference, so its variance is a "
          "quarter of the difference's",
          "这漏掉了 1/4：估计值是差值的一半，所以它的方差是差值方差的四分之一")),
    (lambda: _shots_by(0.25, Q2_STANDARD_ERROR),
     Text("0.02 is the standard error, not the variance: square it",
          "0.02 是标准误差，而不是方差：要先平方")),
    (lambda: _shots_by(0.25, Q2_STANDARD_ERROR**2, use_mu=False),
     Text("that takes μ± = 0 (the worst case, one shot variance 1): use the circuit's μ±",
          "这是取 μ± = 0（最坏情况，一次测量的方差为 1）：请用这个线路的 μ±")),
    (lambda: _shots_by(0.25, Q2_STANDARD_ERROR**2, rounding=math.floor),
     Text("round up, not down: with that many shots the standard error is just above 0.02",
          "要向上取整，而不是向下：用这么多次测量，标准误差会略高于 0.02")),
]


q2 = NumericExercise(
    "03b.2",
    Text("For the chapter's circuit (analysis.toy_circuit) at θ = (1.1, 0.4, 0.25), the "
         "parameter-shift estimate of ∂⟨Z⟩/∂θ1 uses N shots at θ1 + π/2 and N at θ1 − π/2 "
         "(θ0 and θ2 unchanged). What is the smallest whole number N that gives a standard error "
         "of at most 0.02? (Use analysis.toy_expectation for μ±.)",
         "对本章的线路（analysis.toy_circuit），在 θ = (1.1, 0.4, 0.25) 处，∂⟨Z⟩/∂θ1 的参数平移"
         "估计在 θ1 + π/2 处用 N 次测量，在 θ1 − π/2 处也用 N 次（θ0 和 θ2 不变）。使标准误差"
         "不超过 0.02 的最小整数 N 是多少？（用 analysis.toy_expectation 计算 μ±。）"),
    expected=_shots_for_standard_error,
    rtol=0.0,
    atol=0.5,
    shown=("1214",),
    mistakes=_MISTAKES_2,
    hints=[
        Text("Each mean of N shots has variance (1 − μ²)/N; the two are independent.",
             "N 次测量的均值的方差为 (1 − μ²)/N；两个均值相互独立。"),
        Text("Var[(f̂₊ − f̂₋)/2] = [(1 − μ₊²) + (1 − μ₋²)] / (4N); solve √Var ≤ 0.02 for N and "
             "round up.",
             "Var[(f̂₊ − f̂₋)/2] = [(1 − μ₊²) + (1 − μ₋²)] / (4N)；对 N 求解 √Var ≤ 0.02，"
             "再向上取整。"),
    ],
    solution_text=Text(
        "N = ⌈[(1 − μ₊²) + (1 − μ₋²)] / (4 · 0.02²)⌉ with μ± = "
        "toy_expectation(θ ± π/2·e₁) = ∓0.1711: N = 1213.4 rounds up to 1214 shots per term. "
        "The 1/√N law makes each extra digit of precision cost 100x more shots.",
        "N = ⌈[(1 − μ₊²) + (1 − μ₋²)] / (4 · 0.02²)⌉，其中 μ± = "
        "toy_expectation(θ ± π/2·e₁) = ∓0.1711：N = 1213.4，向上取整为每一项 1214 次测量。"
        "由于 1/√N 规律，精度每多一位，测量次数就要多 100 倍。"),
)


class _Recorder:
    """Wraps a test function and records every point it is evaluated at."""

    def __init__(self, fn: Callable[[np.ndarray], float]) -> None:
        self.fn, self.points = fn, []

    def __call__(self, theta: Any) -> float:
        point = np.array(theta, dtype=float, copy=True)
        self.points.append(point)
        return float(self.fn(point))


def _shift_cases() -> list[tuple[str, Callable[[np.ndarray], float], Callable, np.ndarray]]:
    rng = np.random.default_rng(8)
    a, b, c = rng.normal(size=3)
    return [
        (tr("f(θ) = cos θ0 at θ = (0.3,)", "函数 f(θ) = cos θ0（θ = (0.3,)）"),
         lambda t: np.cos(t[0]), lambda t: np.array([-np.sin(t[0])]), np.array([0.3])),
        (tr("f(θ) = cos θ0 · sin θ1 at θ = (1.2, −0.4)",
            "函数 f(θ) = cos θ0 · sin θ1（θ = (1.2, −0.4)）"),
         lambda t: np.cos(t[0]) * np.sin(t[1]),
         lambda t: np.array([-np.sin(t[0]) * np.sin(t[1]), np.cos(t[0]) * np.cos(t[1])]),
         np.array([1.2, -0.4])),
        (tr("a random trigonometric f of three angles", "含三个角的随机三角函数 f"),
         lambda t: a * np.cos(t[0] + t[1]) + b * np.sin(t[2]) * np.cos(t[0]) + c,
         lambda t: np.array([-a * np.sin(t[0] + t[1]) - b * np.sin(t[2]) * np.sin(t[0]),
                             -a * np.sin(t[0] + t[1]), b * np.cos(t[2]) * np.cos(t[0])]),
         rng.uniform(-np.pi, np.pi, size=3)),
    ]


def _check_shift_points(points: list[np.ndarray], theta: np.ndarray, what: str) -> None:
    moved = [p - theta for p in points if p.shape == theta.shape]
    if len(moved) != len(points):
        raise StudentError(tr(f"for {what} f was called with an array of another shape: pass the "
                              "whole parameter vector with one entry shifted",
                              f"对于{what}，调用 f 时传入了形状不同的数组：应传入整个参数向量，"
                              "只平移其中一个分量"))
    for delta in moved:
        nonzero = np.flatnonzero(np.abs(delta) > 1e-12)
        if len(nonzero) > 1:
            raise StudentError(tr(f"for {what} f was evaluated with several parameters shifted at "
                                  "once: shift one parameter at a time",
                                  f"对于{what}，求 f 的值时同时平移了多个参数：一次只平移一个参数"))
        if len(nonzero) == 1 and not np.isclose(abs(delta[nonzero[0]]), np.pi / 2):
            raise StudentError(tr(
                f"for {what} f was evaluated at a shift of {abs(delta[nonzero[0]]):.3g}: the "
                "rule for generator eigenvalues ±1/2 shifts by exactly ±π/2 (a small step is "
                "a finite difference, which shot noise would swamp)",
                f"对于{what}，f 是在平移量 {abs(delta[nonzero[0]]):.3g} 处求值的：生成元本征值为 "
                "±1/2 时，这条规则恰好平移 ±π/2（小步长就成了有限差分，会被散粒噪声淹没）"))
    if len(points) > 2 * theta.size + 1:
        raise StudentError(tr(f"for {what} f was evaluated {len(points)} times: the rule needs "
                              f"two evaluations per parameter ({2 * theta.size} here)",
                              f"对于{what}，f 被求值了 {len(points)} 次：这条规则每个参数只需"
                              f"两次求值（这里共 {2 * theta.size} 次）"))


def _check_shift_gradient(fn: Any) -> str:
    require_callable(fn, "shift_gradient(f, theta)")
    for what, f, grad, theta in _shift_cases():
        recorder = _Recorder(f)
        theta_in = theta.copy()
        out = as_array(call(fn, recorder, theta_in, what=what), theta.shape, what)
        if not np.allclose(theta_in, theta, rtol=0.0, atol=1e-12):  # shift-and-restore is fine
            raise StudentError(tr(f"for {what} your function changed theta in place: shift a copy",
                                  f"对于{what}，你的函数原地修改了 theta：请平移它的副本"))
        _check_shift_points(recorder.points, theta, what)
        want = grad(theta)
        if np.allclose(out, want, rtol=1e-6, atol=1e-9):
            continue
        if np.allclose(out, 2 * want, rtol=1e-6, atol=1e-9):
            raise StudentError(tr(f"for {what} the result is twice the gradient: the rule divides "
                                  "f(θ + π/2) − f(θ − π/2) by 2",
                                  f"对于{what}，结果是梯度的两倍：这条规则要把 "
                                  "f(θ + π/2) − f(θ − π/2) 除以 2"))
        if np.allclose(out, -want, rtol=1e-6, atol=1e-9):
            raise StudentError(tr(f"for {what} the sign is wrong: it is f(θ + π/2) − f(θ − π/2)",
                                  f"对于{what}，符号不对：应是 f(θ + π/2) − f(θ − π/2)"))
        raise StudentError(tr(f"for {what} the result differs from the exact gradient",
                              f"对于{what}，结果与精确梯度不同"))
    return tr("your shift_gradient is exact: two evaluations at ±π/2 per parameter give the true "
              "derivative, not an approximation.",
              "你的 shift_gradient 是精确的：每个参数在 ±π/2 处求值两次，得到的是真实的导数，"
              "而不是近似。")


q3 = FunctionExercise(
    "03b.3",
    Text("Write shift_gradient(f, theta): the parameter-shift gradient of f at the angles theta "
         "(a 1-D NumPy array), for rotations exp(−iθG) whose generator G has eigenvalues ±1/2 "
         "(rx, ry, rz: G = X/2, Y/2, Z/2), with the two-term rule that shifts one angle at a "
         "time by exactly ±π/2. f takes the whole angle array and returns a float. "
         "Return the gradient as an array of the same shape as theta, and pass the function "
         "itself to check.",
         "编写 shift_gradient(f, theta)：对生成元 G 的本征值为 ±1/2 的旋转 exp(−iθG)"
         "（rx、ry、rz：G = X/2、Y/2、Z/2），用一次只把一个角恰好平移 ±π/2 的两项规则，"
         "求 f 在角度 theta（一维 NumPy 数组）处的参数平移梯度。f 接收整个角度数组，返回一个浮点数。把梯度作为与 theta 形状相同的数组返回，"
         "并把函数本身传给 check。"),
    checker=guarded(_check_shift_gradient),
    hints=[
        Text("One parameter at a time: build theta + s·e_k and theta − s·e_k (copies), evaluate "
             "f at both.",
             "一次处理一个参数：构造 theta + s·e_k 和 theta − s·e_k（都是副本），"
             "分别在这两处求 f 的值。"),
        Text("For eigenvalues ±1/2 the shift is s = π/2 and the two values combine as "
             "[f(θ + s e_k) − f(θ − s e_k)] / 2.",
             "本征值为 ±1/2 时，平移量 s = π/2，两个值组合为 "
             "[f(θ + s e_k) − f(θ − s e_k)] / 2。"),
        Text("The rule is a loop over the parameters k with two calls of f each; "
             "np.zeros_like(theta) makes both the shift vector (one non-zero entry) and the "
             "gradient array.",
             "这条规则就是对参数 k 的一个循环，每个参数调用两次 f；np.zeros_like(theta) 既可以"
             "用来构造平移向量（只有一个非零分量），也可以用来构造梯度数组。"),
    ],
    solution_text=Text(
        "def shift_gradient(f, theta):\n"
        "    theta = np.asarray(theta, dtype=float)\n"
        "    grad = np.zeros_like(theta)\n"
        "    for k in range(theta.size):\n"
        "        e = np.zeros_like(theta)\n"
        "        e[k] = np.pi / 2\n"
        "        grad[k] = (f(theta + e) - f(theta - e)) / 2\n"
        "    return grad",
        "def shift_gradient(f, theta):\n"
        "    # 参考答案：每个参数分别平移 ±π/2，各求值一次\n"
        "    theta = np.asarray(theta, dtype=float)\n"
        "    grad = np.zeros_like(theta)\n"
        "    for k in range(theta.size):\n"
        "        e = np.zeros_like(theta)  # 只平移第 k 个参数\n"
        "        e[k] = np.pi / 2\n"
        "        grad[k] = (f(theta + e) - f(theta - e)) / 2\n"
        "    return grad"
    ),
)


# --------------------------------------------------------------------------------------------
# 03b.4: the two-term shift rule for a generator with eigenvalues ±r
# --------------------------------------------------------------------------------------------
def _general_shift_cases() -> list[tuple[str, float, float, Callable[[float], float]]]:
    """(description, r, θ, f) with f(θ) = a + b cos(2rθ) + c sin(2rθ): the form of ⟨H⟩ when
    θ enters one gate exp(−iθG) whose generator G has eigenvalues ±r."""
    rng = np.random.default_rng(27)
    cases = [(tr("f(θ) = cos 2θ, r = 1, θ = 0.5", "f(θ) = cos 2θ，r = 1，θ = 0.5"),
              1.0, 0.5, lambda t: math.cos(2 * t))]
    for r in (0.5, *rng.uniform(0.2, 3.0, size=3)):
        a, b, c = rng.normal(size=3)
        theta = float(rng.uniform(-np.pi, np.pi))
        cases.append((tr(f"a hidden f with r = {r:.3g} at θ = {theta:.3g}",
                         f"隐藏的函数 f（r = {r:.3g}，θ = {theta:.3g}）"), float(r), theta,
                      lambda t, a=a, b=b, c=c, r=r: a + b * math.cos(2 * r * t)
                      + c * math.sin(2 * r * t)))
    return cases


def _central_difference(f: Callable[[float], float], theta: float, h: float = 1e-5) -> float:
    """The reference the check compares with: a central finite difference (error ~ h²)."""
    return (f(theta + h) - f(theta - h)) / (2 * h)


def _check_general_shift(fn: Any) -> str:
    require_callable(fn, "shift_derivative(f, theta, r)")
    for what, r, theta, f in _general_shift_cases():
        calls: list[float] = []

        def recorded(t: Any, f: Callable[[float], float] = f, calls: list = calls) -> float:
            calls.append(float(np.asarray(t, dtype=float)))
            return f(calls[-1])

        out = float(as_array(call(fn, recorded, theta, r, what=what), (), what))
        shifts = sorted(abs(t - theta) for t in calls)
        if len(calls) > 2:
            raise StudentError(tr(f"for {what} f was evaluated {len(calls)} times: the two-term "
                                  "rule needs exactly two evaluations",
                                  f"对于{what}，f 被求值了 {len(calls)} 次：两项平移规则恰好只需"
                                  "两次求值"))
        if shifts and max(shifts) < 1e-2:
            raise StudentError(tr(f"for {what} f was evaluated within {max(shifts):.1g} of θ: "
                                  "that is a finite difference, which shot noise would swamp; "
                                  "the rule uses a large shift and is exact",
                                  f"对于{what}，f 在距 θ 不到 {max(shifts):.1g} 处求值：这是有限"
                                  "差分，会被散粒噪声淹没；平移规则使用大的平移量，而且是精确的"))
        want = _central_difference(f, theta)
        if abs(out - want) <= 1e-6 * max(1.0, abs(want)):
            continue
        if abs(out + want) <= 1e-6 * max(1.0, abs(want)) and abs(want) > 1e-3:
            raise StudentError(tr(f"for {what} the sign is wrong: subtract f(θ − s) from "
                                  "f(θ + s)", f"对于{what}，符号不对：应该用 f(θ + s) 减去 f(θ − s)"))
        if shifts and abs(shifts[-1] - np.pi / 2) < 1e-9 and abs(r - 0.5) > 1e-9:
            raise StudentError(tr(f"for {what} you shifted by π/2, the shift of rx, ry, rz "
                                  "(eigenvalues ±1/2): for eigenvalues ±r the shift depends on r",
                                  f"对于{what}，你平移了 π/2，这是 rx、ry、rz（本征值 ±1/2）的"
                                  "平移量：本征值为 ±r 时，平移量取决于 r"))
        if shifts and abs(shifts[-1] - np.pi / (4 * r)) < 1e-9:
            raise StudentError(tr(f"for {what} the shift is right but the result is off by a "
                                  "factor: derive the factor in front of f(θ + s) − f(θ − s) from "
                                  "f = a + b cos 2rθ + c sin 2rθ",
                                  f"对于{what}，平移量是对的，但结果差了一个因子：从 "
                                  "f = a + b cos 2rθ + c sin 2rθ 推出 f(θ + s) − f(θ − s) "
                                  "前面的系数"))
        raise StudentError(tr(f"for {what} the result differs from the derivative (checked by "
                              "finite differences)",
                              f"对于{what}，结果与导数（用有限差分检验）不同"))
    return tr("your rule is exact for every r: any shift s with sin(2rs) ≠ 0 works with the "
              "factor r / sin(2rs); the usual choice s = π/(4r), a quarter period of cos 2rθ, "
              "makes that factor simply r.",
              "你的规则对每个 r 都是精确的：任何满足 sin(2rs) ≠ 0 的平移量 s 配上因子 "
              "r / sin(2rs) 都可以；常用的 s = π/(4r)（cos 2rθ 的四分之一周期）让这个因子"
              "恰好为 r。")


q4 = FunctionExercise(
    "03b.4",
    Text("Generalise the rule. A gate exp(−iθG) whose generator G has the two eigenvalues ±r "
         "(r > 0; e.g. exp(−iθ Z⊗Z) has r = 1) makes ⟨H⟩ a function f(θ) = a + b cos 2rθ + "
         "c sin 2rθ. Write shift_derivative(f, theta, r) that returns df/dθ at theta (a float) "
         "from exactly two evaluations of f (a function of one float) at θ ± s with a shift s "
         "that makes the rule exact, not a finite difference. Pass the function itself to "
         "check: it is tested on hidden f, r and θ against finite differences.",
         "推广这条规则。生成元 G 有两个本征值 ±r（r > 0；例如 exp(−iθ Z⊗Z) 的 r = 1）的门 "
         "exp(−iθG) 使 ⟨H⟩ 成为函数 f(θ) = a + b cos 2rθ + c sin 2rθ。编写 "
         "shift_derivative(f, theta, r)：只在 θ ± s 处对 f（一个浮点数的函数）各求值一次，"
         "选取使规则精确（而不是有限差分）的平移量 s，返回 theta（浮点数）处的 df/dθ。"
         "把函数本身传给 check：它会在隐藏的 f、r 和 θ 上与有限差分比较。"),
    checker=guarded(_check_general_shift),
    hints=[
        Text("Write f(θ ± s) with the angle-addition formulas and subtract: the constant a "
             "cancels, and what is left is proportional to f′(θ). Work it through on paper.",
             "用和角公式写出 f(θ ± s) 再相减：常数 a 消去，剩下的部分与 f′(θ) 成正比。"
             "在纸上推导一遍。"),
        Text("f(θ + s) − f(θ − s) = sin(2rs) · f′(θ) / r. Choose s so that sin(2rs) = 1: "
             "a quarter period of cos 2rθ.",
             "f(θ + s) − f(θ − s) = sin(2rs) · f′(θ) / r。选取 s 使 sin(2rs) = 1："
             "即 cos 2rθ 的四分之一周期。"),
        Text("Test your s and your factor on r = 1/2: they must give back the shift π/2 and "
             "the factor 1/2 of rx, ry, rz. The function needs only np.pi and two calls of f.",
             "用 r = 1/2 检验你的 s 和因子：它们必须还原出 rx、ry、rz 的平移量 π/2 和因子 1/2。"
             "这个函数只需要 np.pi 和两次调用 f。"),
    ],
    solution_text=Text(
        "def shift_derivative(f, theta, r):\n"
        "    s = np.pi / (4 * r)\n"
        "    return r * (f(theta + s) - f(theta - s))",
        "def shift_derivative(f, theta, r):\n"
        "    s = np.pi / (4 * r)  # cos 2rθ 的四分之一周期\n"
        "    return r * (f(theta + s) - f(theta - s))"),
)


# --------------------------------------------------------------------------------------------
# 03b.5: a Cirq circuit from a description, checked by its unitary
# --------------------------------------------------------------------------------------------
def _reference_layer_circuit(qubits: list, thetas: list, phi: Any) -> Any:
    import cirq

    ops = [cirq.ry(t)(q) for q, t in zip(qubits, thetas, strict=True)]
    ops += [cirq.CNOT(qubits[k], qubits[k + 1]) for k in range(len(qubits) - 1)]
    return cirq.Circuit(ops + [cirq.rz(phi)(qubits[-1])])


def _layer_cases() -> list[tuple[str, list]]:
    import cirq

    return [(tr("3 line qubits", "3 个 LineQubit"), cirq.LineQubit.range(3)),
            (tr("2 line qubits", "2 个 LineQubit"), cirq.LineQubit.range(2)),
            (tr("4 grid qubits", "4 个 GridQubit"), [cirq.GridQubit(0, k) for k in range(4)]),
            (tr("1 qubit", "1 个量子比特"), [cirq.NamedQubit("solo")])]


def _unitary_of(circuit: Any, qubits: list, values: dict, what: str) -> np.ndarray:
    import cirq

    resolved = cirq.resolve_parameters(circuit, values)
    if cirq.is_parameterized(resolved):
        raise StudentError(tr(f"for {what} the circuit has symbols other than the ones passed "
                              "in: use thetas[i] and phi themselves",
                              f"对于{what}，线路中有传入参数以外的符号：请直接使用 thetas[i] 和 phi"))
    try:
        return cirq.Circuit(resolved).unitary(qubit_order=qubits)
    except Exception as exc:  # noqa: BLE001 - report the learner's error, never raise it
        raise StudentError(tr(f"for {what} the circuit has no unitary ({type(exc).__name__}): "
                              "use gates only, no measurements",
                              f"对于{what}，线路没有酉矩阵（{type(exc).__name__}）：只用门，"
                              "不要测量")) from None


def _check_layer_circuit(fn: Any) -> str:
    import cirq
    import sympy

    require_callable(fn, "layer_circuit(qubits, thetas, phi)")
    rng = np.random.default_rng(5)
    for what, qubits in _layer_cases():
        thetas = list(sympy.symbols(f"theta_0:{len(qubits)}"))
        phi = sympy.Symbol("phi")
        circuit = call(fn, list(qubits), list(thetas), phi, what=what)
        if not isinstance(circuit, cirq.AbstractCircuit):
            raise StudentError(tr(f"for {what} your function returned {type(circuit).__name__}, "
                                  "not a cirq.Circuit", f"对于{what}，你的函数返回了 "
                                  f"{type(circuit).__name__}，而不是 cirq.Circuit"))
        if not circuit.all_qubits() <= set(qubits):
            raise StudentError(tr(f"for {what} the circuit acts on qubits it was not given: "
                                  "build it on the qubits passed in",
                                  f"对于{what}，线路作用在未传入的量子比特上：请在传入的量子比特上构建"))
        if not {str(s) for s in cirq.parameter_symbols(circuit)} >= {"phi"} | {
                str(t) for t in thetas}:
            raise StudentError(tr(f"for {what} the circuit does not use every symbol it was "
                                  "given (numbers instead of symbols, or an angle left out)",
                                  f"对于{what}，线路没有用上传入的每一个符号（用了数而不是符号，"
                                  "或者漏掉了一个角）"))
        stages = [
            ({t: 0.0 for t in thetas} | {phi: 0.0},
             tr("with every angle 0 it should be the CNOT ladder alone (control qubit k, target "
                "k + 1, in order)", "所有角都为 0 时，它应当只剩 CNOT 阶梯（控制比特 k，目标比特 "
                "k + 1，依次排列）")),
            ({t: float(v) for t, v in zip(thetas, rng.uniform(-np.pi, np.pi, len(thetas)),
                                          strict=True)} | {phi: 0.0},
             tr("with φ = 0 the Ry layer is wrong (each qubit i gets ry(θ_i), before the CNOTs)",
                "φ = 0 时，Ry 层不对（每个量子比特 i 作用 ry(θ_i)，在 CNOT 之前）")),
            ({t: float(v) for t, v in zip(thetas, rng.uniform(-np.pi, np.pi, len(thetas)),
                                          strict=True)} | {phi: float(rng.uniform(-3, 3))},
             tr("the final Rz(φ) is wrong (rz on the last qubit, after the ladder)",
                "最后的 Rz(φ) 不对（作用在最后一个量子比特上的 rz，在阶梯之后）")),
        ]
        reference = _reference_layer_circuit(list(qubits), thetas, phi)
        for values, problem in stages:
            got = _unitary_of(circuit, list(qubits), values, what)
            want = cirq.resolve_parameters(reference, values).unitary(qubit_order=list(qubits))
            if got.shape != want.shape or not cirq.allclose_up_to_global_phase(got, want,
                                                                               atol=1e-6):
                raise StudentError(tr(f"for {what} the unitary differs: {problem}",
                                      f"对于{what}，酉矩阵不同：{problem}"))
    return tr("your circuit has the right unitary for 1 to 4 qubits (line, grid and named "
              "qubits) at random angles: it is the circuit described, whatever it prints like.",
              "你的线路在 1 到 4 个量子比特（LineQubit、GridQubit、NamedQubit）、随机角度下都有"
              "正确的酉矩阵：不管它打印出来是什么样子，它就是题目描述的线路。")


q5 = FunctionExercise(
    "03b.5",
    Text("Build a Cirq circuit from its description. Write layer_circuit(qubits, thetas, phi): "
         "on the list of n qubits, first ry(thetas[i]) on qubit i for every i, then a CNOT "
         "ladder (control qubits[k], target qubits[k + 1], for k = 0 … n − 2, in that order), "
         "then rz(phi) on the last qubit. thetas and phi are sympy symbols: keep them in the "
         "circuit, so values can be fed later. Return a cirq.Circuit. check compares its "
         "unitary with the description's on hidden angles, for several n and kinds of qubit.",
         "根据描述构建 Cirq 线路。编写 layer_circuit(qubits, thetas, phi)：在 n 个量子比特的"
         "列表上，先对每个 i 在量子比特 i 上作用 ry(thetas[i])，再作用 CNOT 阶梯（控制比特 "
         "qubits[k]，目标比特 qubits[k + 1]，k = 0 … n − 2，依次排列），最后在最后一个量子比特"
         "上作用 rz(phi)。thetas 和 phi 是 sympy 符号：把它们保留在线路里，以便之后再代入数值。"
         "返回一个 cirq.Circuit。check 会在隐藏的角度、多个 n 和不同种类的量子比特上，把它的"
         "酉矩阵与描述的线路比较。"),
    checker=guarded(_check_layer_circuit),
    hints=[
        Text("Collect the operations in a list in the order described, then make one "
             "cirq.Circuit of the list.",
             "按描述的顺序把各个操作收集到一个列表里，再用这个列表构造一个 cirq.Circuit。"),
        Text("Use the qubits you are given (they may be GridQubits), and the symbols as the "
             "angles: a gate like ry accepts a sympy symbol.",
             "使用传入的量子比特（它们可能是 GridQubit），并把符号当作角度：ry 这样的门可以接受 "
             "sympy 符号。"),
        Text("The gates are cirq.ry(angle).on(qubit), cirq.CNOT(control, target) and "
             "cirq.rz(angle).on(qubit); the ladder has n − 1 CNOTs.",
             "要用的门是 cirq.ry(angle).on(qubit)、cirq.CNOT(control, target) 和 "
             "cirq.rz(angle).on(qubit)（qubit 是一个量子比特）；阶梯共有 n − 1 个 CNOT。"),
    ],
    solution_text=Text(
        "def layer_circuit(qubits, thetas, phi):\n"
        "    import cirq\n"
        "    ops = [cirq.ry(t).on(q) for q, t in zip(qubits, thetas)]\n"
        "    ops += [cirq.CNOT(qubits[k], qubits[k + 1]) for k in range(len(qubits) - 1)]\n"
        "    ops.append(cirq.rz(phi).on(qubits[-1]))\n"
        "    return cirq.Circuit(ops)",
        "def layer_circuit(qubits, thetas, phi):\n"
        "    import cirq\n"
        "    ops = [cirq.ry(t).on(q) for q, t in zip(qubits, thetas)]  # Ry 层\n"
        "    ops += [cirq.CNOT(qubits[k], qubits[k + 1]) for k in range(len(qubits) - 1)]  # 阶梯\n"
        "    ops.append(cirq.rz(phi).on(qubits[-1]))  # 最后一个量子比特上的 Rz\n"
        "    return cirq.Circuit(ops)"),
)


# --------------------------------------------------------------------------------------------
# 03b.6: a hybrid Keras model the learner assembles, checked by its behaviour
# --------------------------------------------------------------------------------------------
def _model_cases() -> list[tuple[str, int]]:
    return [(tr("2 qubits", "2 个量子比特"), 2), (tr("3 qubits", "3 个量子比特"), 3)]


def _tiny_data(n: int) -> tuple[np.ndarray, np.ndarray]:
    """A tiny separable data set: 24 points in [−1, 1]^n, label 1 where x0 + x1 > 0."""
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, size=(24, n)).astype(np.float32)
    return x, (x[:, 0] + x[:, 1] > 0).astype(np.float32)[:, None]


def _encoding_activation(model: Any, dense: Any) -> str:
    """The activation applied to the first Dense layer's output: its own, or that of an
    ``Activation`` layer right after a linear Dense (``Dense(n)`` then ``Activation("tanh")``)."""
    from clipq_edu._tf import tf

    name = dense.activation.__name__
    layers = list(model.layers)
    following = layers[layers.index(dense) + 1] if layers.index(dense) + 1 < len(layers) else None
    if name == "linear" and isinstance(following, tf.keras.layers.Activation):
        return following.activation.__name__
    return name


def _check_model_structure(model: Any, n: int, n_weights: int, what: str) -> Any:
    from clipq_edu._tf import tf
    from clipq_edu.models import EncodedPQC

    if not isinstance(model, tf.keras.Model):
        raise StudentError(tr(f"for {what} your function returned {type(model).__name__}, not a "
                              "tf.keras model", f"对于{what}，你的函数返回了 "
                              f"{type(model).__name__}，而不是 tf.keras 模型"))
    quantum = [layer for layer in model.layers if isinstance(layer, EncodedPQC)]
    if len(quantum) != 1:
        raise StudentError(tr(f"for {what} the model has {len(quantum)} quantum layers "
                              "(cq.models.EncodedPQC); it needs exactly one",
                              f"对于{what}，模型有 {len(quantum)} 个量子层"
                              "（cq.models.EncodedPQC）；应当恰好有一个"))
    dense = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)]
    if len(dense) != 2 or dense[0].units != n or dense[1].units != 1:
        raise StudentError(tr(f"for {what} the classical layers are not Dense({n}) before the "
                              "quantum layer and Dense(1) after it",
                              f"对于{what}，经典层不是量子层之前的 Dense({n}) 和之后的 Dense(1)"))
    if _encoding_activation(model, dense[0]) != "tanh":
        raise StudentError(tr(f"for {what} the first Dense layer's activation is "
                              f"{_encoding_activation(model, dense[0])}, not tanh (tanh keeps the angles "
                              "in [−1, 1])", f"对于{what}，第一个 Dense 层的激活函数是 "
                              f"{dense[0].activation.__name__}，不是 tanh（tanh 让角度保持在 "
                              "[−1, 1] 内）"))
    count = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    if count != (n * n + n) + n_weights + (n + 1):
        raise StudentError(tr(f"for {what} the model has {count} trainable numbers, which is not "
                              "Dense + quantum weights + Dense: are all of them trainable?",
                              f"对于{what}，模型有 {count} 个可训练的数，不等于 Dense + 量子权重 "
                              "+ Dense 的总数：它们都是可训练的吗？"))
    return quantum[0]


def _outputs_stay_probabilities(model: Any, x: np.ndarray) -> bool:
    """Whether the model's outputs stay in (0, 1) when the last Dense layer's bias is ±10.

    A freshly initialised linear output can land in (0, 1) by chance; pushing the last
    layer's bias far out in both directions tells a sigmoid (or any squashing) output from a
    linear one whatever the random initial weights. The bias is restored afterwards.
    """
    from clipq_edu._tf import tf

    last = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)][-1]
    if not last.use_bias:
        return True  # nothing to push; the plain (0, 1) test above decides
    saved = last.bias.numpy().copy()
    try:
        for shift in (10.0, -10.0):
            last.bias.assign(np.full_like(saved, shift))
            out = np.asarray(model(x), dtype=float)
            if not np.all((out > 0) & (out < 1)):
                return False
        return True
    finally:
        last.bias.assign(saved)


def _check_model_training(model: Any, quantum: Any, n: int, what: str) -> None:
    from clipq_edu._tf import tf

    x, y = _tiny_data(n)
    out = np.asarray(model(x), dtype=float)
    if out.shape != (len(x), 1):
        raise StudentError(tr(f"for {what} the output has shape {out.shape} for {len(x)} inputs, "
                              f"expected ({len(x)}, 1)", f"对于{what}，{len(x)} 个输入的输出形状是 "
                              f"{out.shape}，应为 ({len(x)}, 1)"))
    if not (np.all((out > 0) & (out < 1)) and _outputs_stay_probabilities(model, x)):
        raise StudentError(tr(f"for {what} the outputs are not probabilities in (0, 1): end with "
                              "a sigmoid", f"对于{what}，输出不是 (0, 1) 内的概率：最后应当用 sigmoid"))
    before = [w.numpy().copy() for w in quantum.trainable_weights]
    loss = tf.keras.losses.BinaryCrossentropy()
    first = float(loss(y, model(x)))
    model.compile(optimizer=tf.keras.optimizers.Adam(0.1), loss=loss)
    model.fit(x, y, epochs=60, batch_size=len(x), verbose=0)
    last = float(loss(y, model(x)))
    if all(np.allclose(b, w.numpy()) for b, w in zip(before, quantum.trainable_weights,
                                                     strict=True)):
        raise StudentError(tr(f"for {what} training did not change the quantum layer's angles: "
                              "does the gradient reach them?",
                              f"对于{what}，训练没有改变量子层的角度：梯度能传到它们吗？"))
    if not last < 0.9 * first:
        raise StudentError(tr(f"for {what} 60 steps of Adam on a tiny separable data set lowered "
                              f"the loss from {first:.3f} only to {last:.3f}",
                              f"对于{what}，在一个很小的可分数据集上用 Adam 训练 60 步，损失只从 "
                              f"{first:.3f} 降到 {last:.3f}"))


def _check_hybrid_model(fn: Any) -> str:
    import cirq

    from clipq_edu.models import encoding_ansatz_circuit

    require_callable(fn, "build_model(circuit, data_symbols, weight_symbols, operators)")
    for what, n in _model_cases():
        circuit, data, weights = encoding_ansatz_circuit(n, 1, reupload=False)
        ops = [cirq.Z(q) for q in sorted(circuit.all_qubits())]
        model = call(fn, circuit, list(data), list(weights), ops, what=what)
        quantum = _check_model_structure(model, n, len(weights), what)
        _check_model_training(model, quantum, n, what)
    return tr("your hybrid model has the right shape and size, its gradient reaches the circuit's "
              "angles, and it learns a tiny data set, for 2 and 3 qubits.",
              "你的混合模型形状和大小都对，梯度能传到线路的角度，并且在 2 个和 3 个量子比特上都能"
              "学会一个很小的数据集。")


q6 = FunctionExercise(
    "03b.6",
    Text("Assemble a hybrid Keras model. Write build_model(circuit, data_symbols, "
         "weight_symbols, operators) returning a tf.keras model for inputs of n = "
         "len(data_symbols) features: Dense(n, activation=\"tanh\") (the encoding angles), then "
         "the quantum layer cq.models.EncodedPQC(circuit, data_symbols, weight_symbols, "
         "operators) (one ⟨Z⟩ per qubit; TFQ where installed, the library's simulator "
         "elsewhere), then Dense(1, activation=\"sigmoid\"). check builds it for 2 and 3 qubits "
         "and tests its behaviour: output shape, number of weights, and that it trains on a tiny "
         "data set.",
         "搭建一个混合 Keras 模型。编写 build_model(circuit, data_symbols, weight_symbols, "
         "operators)，返回一个 tf.keras 模型，输入有 n = len(data_symbols) 个特征："
         "先是 Dense(n, activation=\"tanh\")（编码角度），然后是量子层 "
         "cq.models.EncodedPQC(circuit, data_symbols, weight_symbols, operators)（每个量子比特"
         "一个 ⟨Z⟩；装有 TFQ 时用 TFQ，否则用本库的模拟器），最后是 "
         "Dense(1, activation=\"sigmoid\")。check 会为 2 个和 3 个量子比特构建它，并检验它的行为："
         "输出形状、权重个数，以及它能否在一个很小的数据集上训练。"),
    checker=guarded(_check_hybrid_model),
    hints=[
        Text("A tf.keras.Sequential takes a list of layers; start it with "
             "tf.keras.Input(shape=(n,)) so the model is built at once.",
             "tf.keras.Sequential 接收一个层的列表；以 tf.keras.Input(shape=(n,)) 开头，"
             "模型就会立即构建。"),
        Text("Count the weights you expect: Dense(n) has n·n + n, the quantum layer one per "
             "weight symbol, Dense(1) has n + 1 (one input per operator).",
             "先数一数应有的权重：Dense(n) 有 n·n + n 个，量子层每个权重符号一个，Dense(1) 有 "
             "n + 1 个（每个算符一个输入）。"),
        Text("The layers are tf.keras.layers.Dense(...) and cq.models.EncodedPQC(circuit, "
             "data_symbols, weight_symbols, operators); tf comes from cq.load_tensorflow().",
             "要用的层是 tf.keras.layers.Dense(...) 和 cq.models.EncodedPQC(circuit, "
             "data_symbols, weight_symbols, operators)；tf 来自 cq.load_tensorflow()。"),
    ],
    solution_text=Text(
        "def build_model(circuit, data_symbols, weight_symbols, operators):\n"
        "    import clipq_edu as cq\n"
        "    tf, _ = cq.load_tensorflow()\n"
        "    n = len(data_symbols)\n"
        "    return tf.keras.Sequential([\n"
        "        tf.keras.Input(shape=(n,)),\n"
        "        tf.keras.layers.Dense(n, activation=\"tanh\"),\n"
        "        cq.models.EncodedPQC(circuit, data_symbols, weight_symbols, operators),\n"
        "        tf.keras.layers.Dense(1, activation=\"sigmoid\"),\n"
        "    ])",
        "def build_model(circuit, data_symbols, weight_symbols, operators):\n"
        "    import clipq_edu as cq\n"
        "    tf, _ = cq.load_tensorflow()\n"
        "    n = len(data_symbols)  # 特征数 = 数据符号数\n"
        "    return tf.keras.Sequential([\n"
        "        tf.keras.Input(shape=(n,)),\n"
        "        tf.keras.layers.Dense(n, activation=\"tanh\"),  # 编码角度\n"
        "        cq.models.EncodedPQC(circuit, data_symbols, weight_symbols, operators),\n"
        "        tf.keras.layers.Dense(1, activation=\"sigmoid\"),\n"
        "    ])"),
)
