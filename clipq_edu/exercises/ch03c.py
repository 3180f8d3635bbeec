"""Exercises of chapter 03c (裁剪遇上量子): clipping noisy gradients, shot budgets, hybrid gradients.

>>> from clipq_edu.exercises import ch03c as ex
>>> ex.q1.check("b").correct
True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise
from clipq_edu.i18n import Text, tr
from clipq_edu.quantum import sampling

__all__ = ["q1", "q2", "q3"]

q1 = ChoiceExercise(
    "03c.1",
    Text("You train a circuit with plain SGD (learning rate η) from 30-shot parameter-shift "
         "estimates whose true norm stays near 0.7, and clip by norm at c = 0.1, so the clip "
         "fires on every step. Which optimiser is this run, step for step?",
         "你用普通 SGD（学习率 η）训练一个线路，梯度来自每个线路 30 次测量的参数平移估计，"
         "其真实范数一直在 0.7 左右；按范数以 c = 0.1 为阈值裁剪，于是每一步都会裁剪。"
         "这次训练逐步来看相当于哪种优化器？"),
    options={
        "a": Text("unclipped SGD with learning rate η·0.1/0.7", "学习率为 η·0.1/0.7 的不裁剪 SGD"),
        "b": Text("normalised-gradient descent: every step has length η·c along ĝ/‖ĝ‖, so the "
                  "shot noise still turns the direction",
                  "归一化梯度下降：每一步沿 ĝ/‖ĝ‖ 方向、长度为 η·c，所以散粒噪声仍会改变方向"),
        "c": Text("exact gradient descent: clipping removes the shot noise",
                  "精确梯度下降：裁剪消除了散粒噪声"),
        "d": Text("Adam with learning rate η", "学习率为 η 的 Adam"),
    },
    correct="b",
    explanations={
        "a": Text("that would need the same factor on every step; the factor c/‖ĝ‖ changes with "
                  "each noisy estimate, so long estimates are shrunk more than short ones.",
                  "那需要每一步乘以相同的因子；而因子 c/‖ĝ‖ 随每个含噪估计而变，长的估计比短的"
                  "缩得更多。"),
        "b": Text("right: clip(ĝ) = c·ĝ/‖ĝ‖ when ‖ĝ‖ > c, so the step is η·c·ĝ/‖ĝ‖. The length is "
                  "fixed, the direction is as noisy as ĝ's; the threshold acts as a step size.",
                  "对：当 ‖ĝ‖ > c 时 clip(ĝ) = c·ĝ/‖ĝ‖，所以每一步是 η·c·ĝ/‖ĝ‖。步长固定，方向和 ĝ "
                  "一样含噪；阈值起到了步长的作用。"),
        "c": Text("clipping rescales an estimate; it cannot know the true gradient, so the "
                  "direction keeps its noise.",
                  "裁剪只是缩放估计值；它不知道真实梯度，所以方向上的噪声仍然存在。"),
        "d": Text("Adam divides by a running root mean square of past gradients, per "
                  "coordinate; a norm clip divides the whole vector by its own current norm.",
                  "Adam 按分量除以过去梯度的滑动均方根；按范数裁剪则是把整个向量除以它自己"
                  "当前的范数。"),
    },
    hints=[Text("Write clip(ĝ) for ‖ĝ‖ > c, then the SGD step −η·clip(ĝ). What is its length?",
                "写出 ‖ĝ‖ > c 时的 clip(ĝ)，再写出 SGD 的一步 −η·clip(ĝ)。它的长度是多少？")],
    solution_text=Text(
        "(b). With ‖ĝ‖ > c on every step the update is −η·c·ĝ/‖ĝ‖: normalised-gradient "
        "descent with step length η·c. Its direction carries the full shot noise of ĝ.",
        "(b)。每一步都有 ‖ĝ‖ > c，于是更新为 −η·c·ĝ/‖ĝ‖：步长为 η·c 的归一化梯度下降。"
        "它的方向带着 ĝ 的全部散粒噪声。"),
)


# ------------------------------------------------------------------ q2: the shot budget


def _gradient_variance(mu_plus: Any, mu_minus: Any) -> np.ndarray:
    """Single-shot variance of one parameter-shift entry: [(1 − μ₊²) + (1 − μ₋²)] / 4."""
    mu_plus, mu_minus = np.asarray(mu_plus, float), np.asarray(mu_minus, float)
    return ((1 - mu_plus**2) + (1 - mu_minus**2)) / 4


def _reference_budget(mu_plus: Any, mu_minus: Any, target: float) -> tuple[int, int]:
    per_entry = sampling.shots_needed(_gradient_variance(mu_plus, mu_minus), target)
    n = int(np.max(per_entry))
    return n, 2 * np.size(mu_plus) * n


def _budget_cases() -> list[tuple[str, np.ndarray, np.ndarray, float]]:
    rng = np.random.default_rng(12)
    return [
        (tr("the example", "示例"), np.array([0.0, 0.5]), np.array([0.0, -0.5]), 0.01),
        (tr("one parameter", "一个参数"), np.array([0.3]), np.array([-0.6]), 0.05),
        (tr("deterministic outcomes (μ = ±1)", "结果确定（μ = ±1）"),
         np.array([1.0, -1.0, 1.0]), np.array([-1.0, 1.0, 1.0]), 0.01),
        (tr("a target that is not an exact fraction", "不能整除的目标"),
         np.array([0.0]), np.array([0.0]), 0.023),
        (tr("20 parameters of different noise", "噪声各不相同的 20 个参数"),
         rng.uniform(-1, 1, 20), rng.uniform(-1, 1, 20), 0.02),
    ]


def _worst_se(mu_plus: np.ndarray, mu_minus: np.ndarray, n: int) -> float:
    return float(np.sqrt(np.max(_gradient_variance(mu_plus, mu_minus)) / n))


def _budget_mistake(mu_p: np.ndarray, mu_m: np.ndarray, target: float, n: int) -> str | None:
    """Name the typical mistake whose shot count equals ``n``, if any."""
    var = _gradient_variance(mu_p, mu_m)
    if n == int(np.max(sampling.shots_needed(4 * var, target))) and np.max(var) > 0:
        return tr("that is 4x too many: the rule halves the difference of the two means, which "
                  "divides the variance by 4", "这多了 4 倍：规则把两个均值之差除以 2，方差因此除以 4")
    if n == int(np.max(sampling.shots_needed(np.full_like(var, np.mean(var)), target))):
        return tr("that serves the average entry: one shot count for every circuit must bring "
                  "the noisiest entry to the target", "这只照顾了平均的分量：所有线路共用一个测量次数，"
                  "它必须让噪声最大的分量也达到目标")
    return None


def _check_budget(fn: Any) -> str:
    require_callable(fn, "shot_budget(mu_plus, mu_minus, target)")
    for what, mu_p, mu_m, target in _budget_cases():
        out = call(fn, mu_p.copy(), mu_m.copy(), target, what=what)
        if not isinstance(out, tuple) or len(out) != 2:
            raise StudentError(tr(f"for {what} return a pair (shots_per_circuit, total_shots)",
                                  f"对于{what}，请返回一个二元组 (shots_per_circuit, total_shots)"))
        n, total = (float(as_array(v, (), what)) for v in out)
        if n != round(n) or total != round(total) or n < 1:
            raise StudentError(tr(f"for {what} shot counts must be whole numbers of at least 1 "
                                  "(round up)", f"对于{what}，测量次数必须是至少为 1 的整数（向上取整）"))
        n = int(n)
        mistake = _budget_mistake(mu_p, mu_m, target, n)
        if n != _reference_budget(mu_p, mu_m, target)[0] and mistake:
            raise StudentError(tr(f"for {what}: {mistake}", f"对于{what}：{mistake}"))
        if _worst_se(mu_p, mu_m, n) > target * (1 + 1e-9):
            raise StudentError(tr(f"for {what} some gradient entry's standard error is still "
                                  "above the target with your shot count (round up, and serve "
                                  "the noisiest entry)",
                                  f"对于{what}，按你的测量次数，某个梯度分量的标准误差仍高于目标"
                                  "（要向上取整，并照顾噪声最大的分量）"))
        if n > 1 and _worst_se(mu_p, mu_m, n - 1) <= target * (1 + 1e-9):
            raise StudentError(tr(f"for {what} one shot fewer per circuit would already reach "
                                  "the target: give the fewest shots that do",
                                  f"对于{what}，每个线路少测一次就已达到目标：请给出满足要求的最少"
                                  "测量次数"))
        if int(total) != 2 * mu_p.size * n:
            raise StudentError(tr(f"for {what} the total is wrong: each parameter needs two "
                                  "circuits (θ + π/2 and θ − π/2), each run with the same shots",
                                  f"对于{what}，总数不对：每个参数需要两个线路（θ + π/2 和 θ − π/2），"
                                  "每个线路的测量次数相同"))
    return tr("your shot_budget finds the fewest shots per circuit for the noisiest entry and "
              "counts 2P circuits, as quantum.sampling.shots_needed does per entry.",
              "你的 shot_budget 为噪声最大的分量找到了每个线路的最少测量次数，并计入了 2P 个线路，"
              "与 quantum.sampling.shots_needed 对每个分量的算法一致。")


q2 = FunctionExercise(
    "03c.2",
    Text("Write shot_budget(mu_plus, mu_minus, target): a parameter-shift gradient of P "
         "parameters runs 2P circuits, θ + π/2 and θ − π/2 for each parameter, all with the same "
         "number N of ±1 shots; mu_plus and mu_minus are 1-D arrays of the P exact expectations "
         "at the shifted angles. Return (N, total_shots): the fewest shots per circuit that bring "
         "the standard error of every gradient entry to at most target, and the total over all "
         "circuits. For mu_plus = (0, 0.5), mu_minus = (0, −0.5), target = 0.01 it is "
         "(5000, 20000). Pass the function itself to check.",
         "编写 shot_budget(mu_plus, mu_minus, target)：P 个参数的参数平移梯度要运行 2P 个线路，"
         "每个参数对应 θ + π/2 和 θ − π/2，所有线路都做同样的 N 次 ±1 测量；mu_plus 和 mu_minus "
         "是平移角度处 P 个精确期望值组成的一维数组。返回 (N, total_shots)：使每个梯度分量的"
         "标准误差都不超过 target 的每个线路的最少测量次数，以及所有线路的测量总数。"
         "mu_plus = (0, 0.5)、mu_minus = (0, −0.5)、target = 0.01 时结果为 (5000, 20000)。"
         "把函数本身传给 check。"),
    checker=guarded(_check_budget),
    hints=[
        Text("One entry [f̂₊ − f̂₋]/2 from N shots each has variance [(1 − μ₊²) + (1 − μ₋²)]/(4N) "
             "(03b). Solve 'standard error ≤ target' for N.",
             "每个分量 [f̂₊ − f̂₋]/2（各用 N 次测量）的方差为 [(1 − μ₊²) + (1 − μ₋²)]/(4N)（见 03b）。"
             "从“标准误差 ≤ target”解出 N。"),
        Text("N must be a whole number that works for every entry: the noisiest entry decides, "
             "and a fractional N is rounded up, never to the nearest.",
             "N 必须是对每个分量都成立的整数：由噪声最大的分量决定；N 不是整数时要向上取整，"
             "而不是四舍五入。"),
        Text("np.max over the entries and np.ceil give N; at least one shot per circuit. Count "
             "the circuits: two per parameter.",
             "对各分量用 np.max，再用 np.ceil 得到 N；每个线路至少测量一次。"
             "再数一数线路：每个参数两个。"),
    ],
    solution_text=Text(
        "def shot_budget(mu_plus, mu_minus, target):\n"
        "    mu_plus, mu_minus = np.asarray(mu_plus), np.asarray(mu_minus)\n"
        "    var = ((1 - mu_plus**2) + (1 - mu_minus**2)) / 4   # one shot, one entry\n"
        "    n = max(1, int(np.ceil(np.max(var) / target**2 - 1e-9)))  # round up\n"
        "    return n, 2 * mu_plus.size * n",
        "def shot_budget(mu_plus, mu_minus, target):\n"
        "    # 参考答案：噪声最大的分量决定 N，向上取整；每个参数两个线路\n"
        "    mu_plus, mu_minus = np.asarray(mu_plus), np.asarray(mu_minus)\n"
        "    var = ((1 - mu_plus**2) + (1 - mu_minus**2)) / 4   # 一次测量下单个分量的方差\n"
        "    n = max(1, int(np.ceil(np.max(var) / target**2 - 1e-9)))  # round up\n"
        "    return n, 2 * mu_plus.size * n"),
)


# ------------------------------------------------------------------ q3: a hybrid gradient


def _reference_hybrid(circuit: Any, w: float, b: float, x: np.ndarray, y: np.ndarray,
                      s: float) -> np.ndarray:
    theta = w * s * x + b
    dz = (circuit(theta + np.pi / 2) - circuit(theta - np.pi / 2)) / 2  # the shift rule
    r = 2 * (circuit(theta) - y) / len(x)
    return np.array([np.sum(r * dz * s * x), np.sum(r * dz)])


def _hybrid_cases() -> list[tuple[str, Any, float, float, np.ndarray, np.ndarray, float]]:
    rng = np.random.default_rng(13)
    x5, y5 = rng.normal(size=5), rng.choice([-1.0, 1.0], size=5)

    def tilted(t: Any) -> Any:
        return 0.8 * np.cos(np.asarray(t) - 0.4) + 0.1

    return [
        (tr("the example", "示例"), np.cos, 0.3, 0.1, np.array([0.5, -1.0, 2.0]),
         np.array([1.0, -1.0, 1.0]), 1.0),
        (tr("inputs scaled by s = 30", "输入放大 s = 30 倍"), np.cos, 0.02, -0.3, x5, y5, 30.0),
        (tr("another one-rotation circuit, 0.8·cos(θ − 0.4) + 0.1",
            "另一个单旋转线路 0.8·cos(θ − 0.4) + 0.1"), tilted, -0.7, 0.5, x5, y5, 1.0),
        (tr("inputs with zeros, one point", "含零的输入、只有一个点"), tilted, 1.1, 0.2,
         np.array([0.0]), np.array([1.0]), 3.0),
    ]


def _hybrid_mistakes(circuit: Any, w: float, b: float, x: np.ndarray, y: np.ndarray,
                     s: float) -> list[tuple[np.ndarray, str]]:
    theta = w * s * x + b
    z, n = circuit(theta), len(x)
    ref = _reference_hybrid(circuit, w, b, x, y, s)

    def grad(dz: np.ndarray, r: np.ndarray) -> np.ndarray:
        return np.array([np.sum(r * dz * s * x), np.sum(r * dz)])

    return [
        (np.array([ref[0] / s, ref[1]]), tr(
            "∂L/∂w misses the input scale: θ = w·s·x + b, so ∂θ/∂w = s·x",
            "∂L/∂w 漏掉了输入尺度：θ = w·s·x + b，所以 ∂θ/∂w = s·x")),
        (grad(-np.sin(theta), 2 * (z - y) / n), tr(
            "your derivative assumes the circuit gives cos θ: evaluate the circuit itself at "
            "θ ± π/2 (the shift rule), which holds for any one-rotation circuit",
            "你的导数假定线路输出 cos θ：应在 θ ± π/2 处计算线路本身（参数平移规则），"
            "它对任何单旋转线路都成立")),
        (2 * ref, tr("2x too large: the shift rule divides the difference by 2",
                     "大了 2 倍：参数平移规则要把差值除以 2")),
        (ref / 2, tr("2x too small: d(z − y)²/dz = 2(z − y)", "小了 2 倍：d(z − y)²/dz = 2(z − y)")),
        (ref * n, tr("L is the mean over the points: divide the sum by their number",
                     "L 是对各个点取平均：求和之后要除以点的个数")),
        (np.array([ref[0], 0.0]), tr(
            "∂L/∂b is missing: b shifts every angle, ∂θ/∂b = 1", "缺少 ∂L/∂b：b 平移每个角度，∂θ/∂b = 1")),
    ]


def _check_hybrid(fn: Any) -> str:
    require_callable(fn, "hybrid_gradient(circuit, w, b, x, y, s)")
    for what, circuit, w, b, x, y, s in _hybrid_cases():
        out = as_array(call(fn, circuit, w, b, x.copy(), y.copy(), s, what=what), (2,), what)
        want = _reference_hybrid(circuit, w, b, x, y, s)
        if np.allclose(out, want, rtol=1e-6, atol=1e-10):
            continue
        for value, message in _hybrid_mistakes(circuit, w, b, x, y, s):
            if np.allclose(out, value, rtol=1e-6, atol=1e-10):
                raise StudentError(tr(f"for {what}: {message}", f"对于{what}：{message}"))
        wrong = tr("∂L/∂w", "∂L/∂w") if not math.isclose(out[0], want[0], rel_tol=1e-6,
                                                       abs_tol=1e-10) else tr("∂L/∂b", "∂L/∂b")
        raise StudentError(tr(f"for {what} {wrong} does not match the loss's slope (computed "
                              "by a reference chain rule with the shift rule)",
                              f"对于{what}，{wrong} 与损失的斜率（由参考的链式法则加参数平移规则算出）"
                              "不符"))
    return tr("your hybrid_gradient chains the shift rule (circuit) with the classical "
              "derivatives: ∂L/∂w carries the input scale s, which is why scaled inputs give "
              "large classical gradients.",
              "你的 hybrid_gradient 把参数平移规则（线路部分）和经典部分的导数用链式法则连起来了："
              "∂L/∂w 带有输入尺度 s，这正是放大的输入导致经典梯度很大的原因。")


q3 = FunctionExercise(
    "03c.3",
    Text("Write hybrid_gradient(circuit, w, b, x, y, s) for the one-weight hybrid model of "
         "section 2: the angle is θ = w·s·x + b, the prediction z = circuit(θ), the loss "
         "L = mean((z − y)²). circuit is a vectorised function returning ⟨Z⟩ of a one-rotation "
         "circuit at an array of angles (treat it as a black box you may only evaluate); x and y "
         "are 1-D arrays, w, b, s floats. Return np.array([∂L/∂w, ∂L/∂b]), with the circuit's "
         "derivative from the parameter-shift rule. For circuit = np.cos, w = 0.3, b = 0.1, "
         "x = (0.5, −1, 2), y = (1, −1, 1), s = 1 it is about (−0.0577, 0.368). check also runs "
         "hidden cases with other circuits and scales. Pass the function itself to check.",
         "为第 2 节的单权重混合模型编写 hybrid_gradient(circuit, w, b, x, y, s)：角度为 "
         "θ = w·s·x + b，预测为 z = circuit(θ)，损失为 L = mean((z − y)²)。circuit 是一个向量化"
         "函数，给出单旋转线路在一组角度处的 ⟨Z⟩（把它当作只能求值的黑盒）；x 和 y 是一维数组，"
         "w、b、s 是浮点数。返回 np.array([∂L/∂w, ∂L/∂b])，其中线路的导数用参数平移规则求得。"
         "circuit = np.cos、w = 0.3、b = 0.1、x = (0.5, −1, 2)、y = (1, −1, 1)、s = 1 时结果约为 "
         "(−0.0577, 0.368)。check 还会运行使用别的线路和尺度的隐藏情形。把函数本身传给 check。"),
    checker=guarded(_check_hybrid),
    hints=[
        Text("Chain rule: ∂L/∂w = Σᵢ ∂L/∂zᵢ · dz/dθ(θᵢ) · ∂θᵢ/∂w, and the same with ∂θᵢ/∂b.",
             "链式法则：∂L/∂w = Σᵢ ∂L/∂zᵢ · dz/dθ(θᵢ) · ∂θᵢ/∂w，∂L/∂b 同理，换成 ∂θᵢ/∂b。"),
        Text("The circuit is a black box: its derivative comes from evaluating it at two "
             "shifted angles (03b's parameter-shift rule for one rotation), and it accepts a whole "
             "array of angles at once.",
             "线路是一个黑盒：它的导数来自在两个平移后的角度处求值（03b 中单个旋转门的参数平移规则），"
             "而且线路可以一次接受一整个数组的角度。"),
        Text("Three classical factors remain: how the mean squared error changes with each "
             "prediction, and how each angle changes with w and with b. Sum over the points.",
             "还剩三个经典因子：均方误差随每个预测如何变化，以及每个角度随 w 和随 b 如何变化。"
             "最后对各点求和。"),
    ],
    solution_text=Text(
        "def hybrid_gradient(circuit, w, b, x, y, s):\n"
        "    theta = w * s * x + b\n"
        "    dz = (circuit(theta + np.pi / 2) - circuit(theta - np.pi / 2)) / 2  # shift rule\n"
        "    dL_dz = 2 * (circuit(theta) - y) / len(x)\n"
        "    return np.array([np.sum(dL_dz * dz * s * x), np.sum(dL_dz * dz)])",
        "def hybrid_gradient(circuit, w, b, x, y, s):\n"
        "    # 参考答案：线路部分用参数平移规则，其余用链式法则\n"
        "    theta = w * s * x + b\n"
        "    dz = (circuit(theta + np.pi / 2) - circuit(theta - np.pi / 2)) / 2  # 参数平移规则\n"
        "    dL_dz = 2 * (circuit(theta) - y) / len(x)\n"
        "    return np.array([np.sum(dL_dz * dz * s * x), np.sum(dL_dz * dz)])"),
)
