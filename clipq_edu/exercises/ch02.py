"""Exercises of chapter 02 (核心概念与联系): clipping geometry, Keras clipping, shots.

>>> from clipq_edu.exercises import ch02 as ex
>>> ex.q1.check([0.8, -0.4, 0.8])
[02.1] ✅ Correct: well done, exactly right: (0.8, -0.4, 0.8).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu import clipping, plotting
from clipq_edu.course import costs
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise
from clipq_edu.i18n import Text, tr

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"]

#: The gradient and bound of q1 (not the (3, 4) example the chapter prints).
Q1_GRADIENT = (2.0, -1.0, 2.0)
Q1_BOUND = 1.2

q1 = NumericExercise(
    id="02.1",
    prompt=Text("Clip the gradient g = (2, −1, 2) by norm with bound c = 1.2. Give the three "
                "components of the clipped gradient as a list of decimals, e.g. [x, y, z].",
                "取阈值 c = 1.2，把梯度 g = (2, −1, 2) 按范数裁剪。以小数列表的形式给出裁剪后梯度的"
                "三个分量，例如 [x, y, z]。"),
    expected=lambda: clipping.clip_by_norm(np.array(Q1_GRADIENT), Q1_BOUND),
    rtol=1e-3,
    digits=2,
    shown=("(0.8, −0.4, 0.8)",),
    mistakes=[
        (lambda: clipping.clip_by_value(np.array(Q1_GRADIENT), Q1_BOUND),
         Text("that is clipping by value (each entry to [−c, c]); clipping by norm rescales the "
              "whole vector by one factor",
              "这是按值裁剪（每个分量限制到 [−c, c]）；按范数裁剪是把整个向量乘以同一个因子")),
        (lambda: np.array(Q1_GRADIENT) / np.linalg.norm(Q1_GRADIENT),
         Text("that vector has length 1: you divided by ‖g‖ but forgot the factor c",
              "这个向量的长度是 1：你除以了 ‖g‖，却忘了乘上因子 c")),
        (lambda: np.array(Q1_GRADIENT) * Q1_BOUND / np.abs(Q1_GRADIENT).sum(),
         Text("that uses the sum of absolute values (the L1 norm); clipping by norm uses the "
              "L2 norm √(Σ gᵢ²)",
              "这里用的是绝对值之和（L1 范数）；按范数裁剪用的是 L2 范数 √(Σ gᵢ²)")),
    ],
    hints=[
        Text("First the norm: ‖g‖ = √(4 + 1 + 4). Is it above the bound?",
             "先求范数：‖g‖ = √(4 + 1 + 4)。它超过阈值了吗？"),
        Text("If so, every component is multiplied by the same factor c / ‖g‖.",
             "如果超过，每个分量都乘以同一个因子 c / ‖g‖。"),
    ],
    solution_text=Text(
        "‖g‖ = 3 > 1.2, so g is scaled by 1.2/3 = 0.4: (0.8, −0.4, 0.8), still "
        "pointing the same way, now of length 1.2 (clipping.clip_by_norm(g, 1.2)).",
        "‖g‖ = 3 > 1.2，所以 g 要乘以 1.2/3 = 0.4：得到 (0.8, −0.4, 0.8)，方向不变，"
        "长度变为 1.2（clipping.clip_by_norm(g, 1.2)）。"),
)

q2 = NumericExercise(
    id="02.2",
    prompt=Text(
        "Clip g = (3, 0.5) by value with bound 1. By how many degrees does the direction turn? "
        "Give the angle between g and the clipped vector in degrees, to at least 3 significant "
        "figures. (Use the clipped vector and clipq_edu.plotting.angle_between.)",
        "取阈值 1，把 g = (3, 0.5) 按值裁剪。方向转过了多少度？请以度为单位给出 g 与裁剪后向量的"
        "夹角，至少 3 位有效数字。（使用裁剪后的向量和 clipq_edu.plotting.angle_between。）"
    ),
    expected=lambda: plotting.angle_between([3.0, 0.5], plotting.clip_2d([3.0, 0.5], 1.0,
                                                                          "value")),
    rtol=1e-3,
    digits=3,
    shown=("17.1°",),
    mistakes=[
        (lambda: np.radians(plotting.angle_between([3.0, 0.5], plotting.clip_2d([3.0, 0.5], 1.0,
                                                                                 "value"))),
         Text("that is the angle in radians; the question asks for degrees",
              "这是以弧度表示的角；题目要的是度")),
        (lambda: plotting.angle_between([1.0, 0.0], plotting.clip_2d([3.0, 0.5], 1.0, "value")),
         Text("that is the angle of the clipped vector with the x-axis; the question asks how "
              "far the direction turned, from g to the clipped vector",
              "这是裁剪后向量与 x 轴的夹角；题目问的是方向转过了多少，即从 g 到裁剪后向量的夹角")),
    ],
    hints=[
        Text("By value each entry goes to [-1, 1] separately: (3, 0.5) -> (1, 0.5).",
             "按值裁剪时，每个分量各自被限制到 [-1, 1]：(3, 0.5) → (1, 0.5)。"),
        Text("The angle of (a, b) with the x-axis is atan2(b, a) in degrees.",
             "(a, b) 与 x 轴的夹角是 atan2(b, a)（以度为单位）。"),
    ],
    solution_text=Text("(1, 0.5): atan(0.5) - atan(0.5/3) = 26.57° - 9.46° ≈ 17.1°.",
                       "裁剪后为 (1, 0.5)：atan(0.5) - atan(0.5/3) = 26.57° - 9.46° ≈ 17.1°。"),
)

q3 = ChoiceExercise(
    id="02.3",
    prompt=Text(
        "A model has two weight tensors with gradients g1 = (0.6, 0.8) and g2 = (3, 0). Which "
        "Keras arguments, each set to 1 on its own, leave g1 exactly as it is?",
        "一个模型有两个权重张量，梯度分别为 g1 = (0.6, 0.8) 和 g2 = (3, 0)。下面的 Keras 参数"
        "各自单独设为 1 时，哪些会让 g1 保持完全不变？"
    ),
    options={
        "a": Text("only clipvalue=1", "只有 clipvalue=1"),
        "b": Text("only clipnorm=1", "只有 clipnorm=1"),
        "c": Text("clipvalue=1 and clipnorm=1, but not global_clipnorm=1",
                  "clipvalue=1 和 clipnorm=1，但 global_clipnorm=1 不会"),
        "d": Text("all three", "三个都会"),
    },
    correct="c",
    explanations={
        "a": Text("clipvalue leaves g1 alone (every entry is within ±1), but so does clipnorm: "
                  "‖g1‖ = 1 is not above the bound.",
                  "clipvalue 确实不改动 g1（每个分量都在 ±1 以内），但 clipnorm 同样不改动它："
                  "‖g1‖ = 1 没有超过阈值。"),
        "b": Text("clipnorm leaves g1 alone (‖g1‖ = 1), but so does clipvalue: no entry of g1 "
                  "exceeds 1.",
                  "clipnorm 确实不改动 g1（‖g1‖ = 1），但 clipvalue 同样不改动它："
                  "g1 没有哪个分量超过 1。"),
        "c": Text("Right: both per-tensor methods look at g1 alone, which is within the bound. "
                  "global_clipnorm sees the global norm √(1 + 9) = √10 > 1 and scales *every* "
                  "tensor by 1/√10, g1 included: the price of keeping the direction of the whole "
                  "update.",
                  "对：两种逐张量的方法都只看 g1 本身，而它没有超过阈值。global_clipnorm 看到的是"
                  "全局范数 √(1 + 9) = √10 > 1，于是把*每个*张量都乘以 1/√10，g1 也不例外："
                  "这是保持整个更新方向所付出的代价。"),
        "d": Text("global_clipnorm computes one norm over both tensors, √(‖g1‖² + ‖g2‖²) = √10, "
                  "and scales g1 too.",
                  "global_clipnorm 对两个张量合起来只算一个范数 √(‖g1‖² + ‖g2‖²) = √10，"
                  "因而 g1 也会被缩放。"),
    },
    hints=[Text("For each argument, ask which norm or entries it compares with the bound: g1's "
                "own, or all tensors' together?",
                "对每个参数问一问：它拿哪个范数或哪些分量与阈值比较——是 g1 自己的，"
                "还是所有张量合在一起的？")],
    solution_text=Text(
        "c: clipvalue and clipnorm judge g1 on its own (entries ≤ 1, norm = 1) and "
        "leave it unchanged; global_clipnorm multiplies every tensor by 1/√10 ≈ 0.32 because the "
        "global norm is √10.",
        "c：clipvalue 和 clipnorm 单独判断 g1（分量 ≤ 1，范数 = 1），因此不改动它；"
        "global_clipnorm 则把每个张量都乘以 1/√10 ≈ 0.32，因为全局范数是 √10。"),
)

q4 = NumericExercise(
    id="02.4",
    prompt=Text(
        "You estimate P(00) ≈ 0.5 of a Bell state from shots. How many shots N do you need "
        "for a standard error sqrt(p(1-p)/N) of at most 0.005? Give the smallest such integer N.",
        "你用多次测量来估计贝尔态的 P(00) ≈ 0.5。要使标准误差 sqrt(p(1-p)/N) 不超过 0.005，"
        "需要多少次测量 N？请给出满足条件的最小整数 N。"
    ),
    expected=lambda: costs.shots_for_standard_error(0.5, 0.005),
    rtol=0, atol=0.5,
    shown=("10 000",),
    mistakes=[
        (lambda: 1 / 0.005**2,
         Text("that is 1/target²: you forgot the factor p(1 − p) of the binomial variance",
              "这是 1/target²：你忘了二项分布方差中的因子 p(1 − p)")),
        (lambda: 0.5 / 0.005**2,
         Text("that uses p instead of the variance p(1 − p) of one shot",
              "这里用的是 p，而不是一次测量的方差 p(1 − p)")),
        (lambda: 0.5 * (1 - 0.5) / 0.005,
         Text("that divides by the target, not by its square: the error falls as 1/√N",
              "这是除以目标值，而不是除以它的平方：误差按 1/√N 下降")),
    ],
    hints=[Text("Solve sqrt(p(1-p)/N) <= target for N.",
                "对 N 求解不等式 sqrt(p(1-p)/N) <= target。"),
           Text("N >= p(1-p) / target².", "即 N >= p(1-p) / target²。")],
    solution_text=Text(
        "0.25 / 0.005² = 10 000 shots (costs.shots_for_standard_error(0.5, 0.005)).",
        "0.25 / 0.005² = 10 000 次测量（costs.shots_for_standard_error(0.5, 0.005)）。"),
)

q5 = NumericExercise(
    id="02.5",
    prompt=Text(
        "With 400 shots the standard error of an estimate is 0.025. How many shots bring it "
        "down to a third of that (0.025/3 ≈ 0.0083)? Give the number of shots, an integer.",
        "用 400 次测量时，某个估计的标准误差是 0.025。要把它降到三分之一（0.025/3 ≈ 0.0083），"
        "需要多少次测量？请给出一个整数。"
    ),
    expected=lambda: 400 * int(np.round((0.025 / (0.025 / 3)) ** 2)),
    rtol=0, atol=0.5,
    shown=("3600",),
    mistakes=[
        (lambda: 400 * (0.025 / (0.025 / 3)),
         Text("three times the shots does not divide the error by three: it falls as 1/√N, not 1/N",
              "测量次数乘以 3 并不能让误差降到三分之一：误差按 1/√N 下降，而不是 1/N")),
        (lambda: 400 * np.sqrt(0.025 / (0.025 / 3)),
         Text("that divides the error by only 3**(1/2): the error falls as 1/√N, so the shots "
              "must grow by the square of the factor",
              "这样误差只降到 1/3**(1/2)：误差按 1/√N 下降，所以测量次数要乘以该倍数的平方")),
        (lambda: 400 * ((0.025 / 3) / 0.025) ** 2,
         Text("fewer shots give a larger error, not a smaller one", "测量次数越少，误差越大，而不是越小")),
    ],
    hints=[Text("The error falls as 1/sqrt(N).", "误差按 1/sqrt(N) 下降。")],
    solution_text=Text("Dividing the error by 3 needs 3² = 9 times the shots: 9 × 400 = 3600.",
                       "误差降到三分之一需要 3² = 9 倍的测量次数：9 × 400 = 3600。"),
)


def _per_tensor_cases() -> list[tuple[str, list[np.ndarray], float]]:
    rng = np.random.default_rng(2)
    return [
        (tr("g1 = (0.6, 0.8), g2 = (3, 0) at c = 1", "梯度 g1 = (0.6, 0.8)、g2 = (3, 0)（c = 1）"),
         [np.array([0.6, 0.8]), np.array([3.0, 0.0])], 1.0),
        (tr("a kernel 3x4, a bias 4 and a scalar at c = 0.5",
            "一个 3x4 的 kernel、一个长度为 4 的 bias 和一个标量（c = 0.5）"),
         [rng.normal(size=(3, 4)), rng.normal(size=(4,)) * 0.01, np.array(7.0)], 0.5),
        (tr("a zero tensor beside a large one at c = 1", "一个零张量和一个大张量（c = 1）"),
         [np.zeros((2, 2)), np.full(3, 10.0)], 1.0),
        (tr("one tensor only, below the bound, at c = 2", "只有一个低于阈值的张量（c = 2）"),
         [np.array([1.0, -1.0])], 2.0),
    ]


def _check_clipnorm(fn: Any) -> str:
    require_callable(fn, "clip_each(grads, c)")
    for what, grads, c in _per_tensor_cases():
        copies = [g.copy() for g in grads]
        out = call(fn, copies, c, what=what)
        if not isinstance(out, (list, tuple)) or len(out) != len(grads):
            raise StudentError(tr(f"for {what} return a list with one array per tensor, in order",
                                  f"对于{what}，请返回一个列表，按顺序每个张量对应一个数组"))
        if any(not np.array_equal(a, b) for a, b in zip(copies, grads, strict=True)):
            raise StudentError(tr(f"for {what} your function changed the input arrays in place",
                                  f"对于{what}，你的函数原地修改了输入数组"))
        outs = [as_array(o, np.shape(g), what) for o, g in zip(out, grads, strict=True)]
        want = clipping.clip_by_norm(grads, c)
        for got, g, w in zip(outs, grads, want, strict=True):
            if np.allclose(got, w, rtol=1e-6, atol=1e-12):
                continue
            norm = float(np.linalg.norm(g))
            if norm <= c:
                raise StudentError(tr(
                    f"for {what} a tensor whose own norm is within the bound changed: "
                    "clipnorm judges every tensor on its own, so it must stay as it is "
                    "(only global_clipnorm shrinks a short tensor, and only when the norm of all "
                    "tensors together exceeds c; no clipping ever enlarges one)",
                    f"对于{what}，一个自身范数不超过阈值的张量被改动了：clipnorm 对每个张量"
                    "单独判断，所以它必须保持不变（只有 global_clipnorm 会缩小较短的张量，而且只在"
                    "所有张量合起来的范数超过 c 时才这样做；任何裁剪都不会把张量放大）"))
            if np.linalg.norm(got) > c * (1 + 1e-6):
                raise StudentError(tr(f"for {what} a tensor is still longer than c after "
                                      "clipping: use its L2 norm, not its entries",
                                      f"对于{what}，有个张量裁剪后仍比 c 长：要用它的 L2 范数，"
                                      "而不是它的各个分量"))
            raise StudentError(tr(f"for {what} a clipped tensor changed direction or got the "
                                  "wrong length: multiply it by c / ‖g‖",
                                  f"对于{what}，一个被裁剪的张量改变了方向或长度不对："
                                  "应把它乘以 c / ‖g‖"))
    return tr("your clip_each clips every tensor by its own norm, as Keras' clipnorm does; "
              "compare with global_clipnorm, which would also have shrunk the small tensors.",
              "你的 clip_each 按每个张量自身的范数裁剪，与 Keras 的 clipnorm 一致；对比一下 "
              "global_clipnorm，它还会把较小的张量也一并缩小。")


q6 = FunctionExercise(
    id="02.6",
    prompt=Text(
        "Write clip_each(grads, c), Keras' clipnorm by hand: grads is a list of NumPy arrays "
        "(one per weight tensor, any shapes); return a new list in which every tensor whose "
        "own L2 norm exceeds c is rescaled to norm c and every other tensor is unchanged. "
        "Pass the function itself to check.",
        "编写 clip_each(grads, c)，亲手实现 Keras 的 clipnorm：grads 是由 NumPy 数组组成的列表"
        "（每个权重张量一个，形状任意）；返回一个新列表，其中自身 L2 范数超过 c 的张量被缩放到"
        "范数 c，其余张量保持不变。把函数本身传给 check。"
    ),
    checker=guarded(_check_clipnorm),
    hints=[
        Text("Per tensor means: one norm and one factor for each array, independently of the "
             "others.",
             "逐张量的意思是：每个数组有自己的范数和因子，与其他数组无关。"),
        Text("For one array g: a scale factor never above 1, just small enough to bring a "
             "too-long g to norm c. What must happen when ‖g‖ = 0?",
             "对单个数组 g：缩放因子不超过 1，并恰好把过长的 g 缩到范数 c。‖g‖ = 0 时应当怎样？"),
        Text("np.linalg.norm gives one array's norm whatever its shape. Build the result as a "
             "new list (a loop or a list comprehension over grads), and copy a tensor you leave "
             "unchanged rather than handing back the caller's array.",
             "np.linalg.norm 对任何形状的数组都能给出它的范数。把结果构造成一个新列表（对 grads "
             "做循环或列表推导式），不改动的张量也复制一份，而不是把调用者的数组原样交回。"),
    ],
    solution_text=Text(
        "def clip_each(grads, c):\n"
        "    out = []\n"
        "    for g in grads:\n"
        "        norm = np.linalg.norm(g)\n"
        "        out.append(g * min(1.0, c / norm) if norm > 0 else g.copy())\n"
        "    return out",
        "def clip_each(grads, c):\n"
        "    # 参考答案：每个张量按自身的 L2 范数单独裁剪\n"
        "    out = []\n"
        "    for g in grads:\n"
        "        norm = np.linalg.norm(g)\n"
        "        out.append(g * min(1.0, c / norm) if norm > 0 else g.copy())  # 零张量原样复制\n"
        "    return out"
    ),
)


# ------------------------------------------------------------------ 02.7 global-norm clipping
def _global_cases() -> list[tuple[str, list[np.ndarray], float]]:
    rng = np.random.default_rng(27)
    return [
        (tr("g1 = (1, 2), g2 = (2, 0, 4) at c = 2", "g1 = (1, 2)、g2 = (2, 0, 4)（c = 2）"),
         [np.array([1.0, 2.0]), np.array([2.0, 0.0, 4.0])], 2.0),
        (tr("a kernel 3x4, a bias 4 and a scalar at c = 0.5",
            "一个 3x4 的 kernel、一个长度为 4 的 bias 和一个标量（c = 0.5）"),
         [rng.normal(size=(3, 4)), rng.normal(size=(4,)) * 0.01, np.array(-7.0)], 0.5),
        (tr("tensors whose global norm is below c = 10", "全局范数低于 c = 10 的几个张量"),
         [rng.normal(size=(2, 3)), np.array([0.5, -0.5])], 10.0),
        (tr("a zero tensor beside a large one at c = 1", "一个零张量和一个大张量（c = 1）"),
         [np.zeros((2, 2)), np.full(3, -10.0)], 1.0),
        (tr("all gradients zero at c = 1", "所有梯度都为零（c = 1）"),
         [np.zeros(3), np.zeros((2, 2))], 1.0),
        (tr("one tensor whose norm is exactly c = 5", "只有一个张量，其范数恰好等于 c = 5"),
         [np.array([3.0, -4.0])], 5.0),
    ]


def _check_global(fn: Any) -> str:
    require_callable(fn, "clip_global(grads, c)")
    for what, grads, c in _global_cases():
        copies = [g.copy() for g in grads]
        out = call(fn, copies, c, what=what)
        if not (isinstance(out, (list, tuple)) and len(out) == 2
                and isinstance(out[0], (list, tuple))):
            raise StudentError(tr(f"for {what} return a pair (clipped, norm): a list with one "
                                  "array per tensor, then the global norm",
                                  f"对于{what}，请返回一对值 (clipped, norm)：每个张量一个数组的"
                                  "列表，然后是全局范数"))
        clipped, norm = out
        if len(clipped) != len(grads):
            raise StudentError(tr(f"for {what} the list must hold one array per tensor, in order",
                                  f"对于{what}，列表中必须按顺序每个张量对应一个数组"))
        if any(not np.array_equal(a, b) for a, b in zip(copies, grads, strict=True)):
            raise StudentError(tr(f"for {what} your function changed the input arrays in place",
                                  f"对于{what}，你的函数原地修改了输入数组"))
        outs = [as_array(o, np.shape(g), what) for o, g in zip(clipped, grads, strict=True)]
        norm = float(as_array(norm, (), what))
        want, want_norm = clipping.clip_by_global_norm(grads, c)
        clipped_norm = float(np.sqrt(sum(np.sum(o**2) for o in outs)))
        if not np.isclose(norm, want_norm, rtol=1e-6, atol=1e-12):
            if want_norm > c and np.isclose(norm, c, rtol=1e-6):
                raise StudentError(tr(f"for {what} the norm returned is that of the clipped "
                                      "gradients: return the global norm before clipping, as "
                                      "tf.clip_by_global_norm does",
                                      f"对于{what}，返回的是裁剪后梯度的范数：应返回裁剪前的全局"
                                      "范数，与 tf.clip_by_global_norm 一样"))
            raise StudentError(tr(f"for {what} the norm returned is not the global norm "
                                  "√(Σ ‖gᵢ‖²) over all tensors together",
                                  f"对于{what}，返回的范数不是所有张量合在一起的全局范数 "
                                  "√(Σ ‖gᵢ‖²)"))
        if all(np.allclose(o, w, rtol=1e-6, atol=1e-12) for o, w in zip(outs, want, strict=True)):
            continue
        if want_norm <= c:
            raise StudentError(tr(f"for {what} the global norm is within c, so every tensor must "
                                  "stay as it is: clipping never enlarges a gradient",
                                  f"对于{what}，全局范数在 c 以内，所以每个张量都必须保持不变："
                                  "裁剪从不放大梯度"))
        if all(np.linalg.norm(o) <= c * (1 + 1e-6) for o in outs) and clipped_norm > c * 1.001:
            raise StudentError(tr(f"for {what} each tensor was clipped by its own norm (that is "
                                  "clipnorm): global clipping multiplies every tensor by one "
                                  "common factor",
                                  f"对于{what}，每个张量是按自身的范数裁剪的（那是 clipnorm）："
                                  "全局裁剪是把每个张量乘以同一个公共因子"))
        if clipped_norm > c * (1 + 1e-6):
            raise StudentError(tr(f"for {what} the clipped tensors together are still longer "
                                  "than c", f"对于{what}，裁剪后的张量合起来仍比 c 长"))
        raise StudentError(tr(f"for {what} the tensors do not all keep their direction and "
                              "relative sizes: multiply every tensor by the same factor "
                              "c / global norm",
                              f"对于{what}，这些张量没有全都保持方向和相对大小：应把每个张量都乘以"
                              "同一个因子 c / 全局范数"))
    return tr("your clip_global computes one norm over all tensors and one common factor, and "
              "returns the norm before clipping, as tf.clip_by_global_norm and Keras' "
              "global_clipnorm do: the direction of the whole update is kept.",
              "你的 clip_global 对所有张量只算一个范数、只用一个公共因子，并返回裁剪前的范数，"
              "与 tf.clip_by_global_norm 和 Keras 的 global_clipnorm 一致：整个更新的方向保持不变。")


q7 = FunctionExercise(
    id="02.7",
    prompt=Text(
        "Write clip_global(grads, c), clipping by global norm as tf.clip_by_global_norm does: "
        "grads is a list of NumPy arrays (any shapes, finite entries), c > 0. Return a pair "
        "(clipped, norm): norm is the global norm of grads before clipping (one number for all "
        "tensors together), and clipped is a new list in which every tensor is multiplied by "
        "the same factor, so that the global norm of the result is min(norm, c). Pass the "
        "function itself to check.",
        "编写 clip_global(grads, c)，像 tf.clip_by_global_norm 那样按全局范数裁剪：grads 是由 "
        "NumPy 数组组成的列表（形状任意，分量有限），c > 0。返回一对值 (clipped, norm)：norm 是 "
        "grads 在裁剪前的全局范数（所有张量合在一起只有一个数），clipped 是一个新列表，其中每个"
        "张量都乘以同一个因子，使结果的全局范数等于 min(norm, c)。把函数本身传给 check。"
    ),
    checker=guarded(_check_global),
    hints=[
        Text("The global norm treats all tensors as one long vector: the square root of the sum "
             "of every entry squared, over all tensors.",
             "全局范数把所有张量看成一个长向量：对所有张量的全部分量求平方和，再开平方根。"),
        Text("One factor for everybody, never above 1, chosen from the global norm; mind a "
             "norm of 0. Which norm does tf.clip_by_global_norm hand back, before or after?",
             "所有张量共用一个不超过 1 的因子，由全局范数决定；注意范数为 0 的情况。"
             "tf.clip_by_global_norm 返回的是裁剪前还是裁剪后的范数？"),
        Text("np.sum(g**2) for each g, summed over the list, then np.sqrt; build the clipped "
             "list with a loop or a list comprehension, as in clip_each.",
             "对列表中每个 g 求 np.sum(g**2) 并相加，再用 np.sqrt；像 clip_each 那样用循环或列表"
             "推导式构造裁剪后的列表。"),
    ],
    solution_text=Text(
        "def clip_global(grads, c):\n"
        "    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))\n"
        "    scale = min(1.0, c / norm) if norm > 0 else 1.0\n"
        "    return [g * scale for g in grads], norm",
        "def clip_global(grads, c):\n"
        "    # 参考答案：所有张量只算一个全局范数，用同一个因子缩放\n"
        "    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))\n"
        "    scale = min(1.0, c / norm) if norm > 0 else 1.0  # 零梯度不缩放\n"
        "    return [g * scale for g in grads], norm  # 返回裁剪前的范数"
    ),
)


# ------------------------------------------------------------------ 02.8 a circuit from a description
def _target_state(n: int) -> np.ndarray:
    """(|0…0⟩ − |1…1⟩)/√2 on n qubits, written out entry by entry."""
    state = np.zeros(2**n, dtype=complex)
    state[0], state[-1] = 1 / np.sqrt(2), -1 / np.sqrt(2)
    return state


def _register_cases() -> list[tuple[str, list[Any]]]:
    import cirq

    return [
        (tr("3 line qubits", "3 个线形量子比特"), list(cirq.LineQubit.range(3))),
        (tr("a single qubit", "单个量子比特"), [cirq.LineQubit(0)]),
        (tr("2 line qubits", "2 个线形量子比特"), list(cirq.LineQubit.range(2))),
        (tr("5 grid qubits", "5 个网格量子比特"), [cirq.GridQubit(0, j) for j in range(5)]),
        (tr("4 line qubits numbered 7, 3, 9, 1 (in that order)",
            "编号依次为 7、3、9、1 的 4 个线形量子比特"),
         [cirq.LineQubit(i) for i in (7, 3, 9, 1)]),
    ]


def _check_circuit(fn: Any) -> str:
    import cirq

    require_callable(fn, "minus_cat(qubits)")
    for what, qubits in _register_cases():
        circuit = call(fn, list(qubits), what=what)
        if not isinstance(circuit, cirq.Circuit):
            raise StudentError(tr(f"for {what} return a cirq.Circuit, not "
                                  f"{type(circuit).__name__}",
                                  f"对于{what}，请返回 cirq.Circuit，而不是 "
                                  f"{type(circuit).__name__}"))
        if not set(circuit.all_qubits()) <= set(qubits):
            raise StudentError(tr(f"for {what} the circuit acts on qubits it was not given: use "
                                  "the qubits passed in", f"对于{what}，线路作用在了没有传进来的"
                                  "量子比特上：请使用传入的量子比特"))
        if circuit.has_measurements() or not cirq.has_unitary(circuit):
            raise StudentError(tr(f"for {what} the circuit must prepare the state with gates "
                                  "only, without measurements",
                                  f"对于{what}，线路必须只用量子门制备这个态，不要测量"))
        n = len(qubits)
        state = cirq.final_state_vector(circuit, qubit_order=qubits, dtype=np.complex128)
        target = _target_state(n)
        if abs(abs(np.vdot(target, state)) - 1) < 1e-6:
            continue
        probs = np.abs(state) ** 2
        if probs[0] + probs[-1] < 1 - 1e-6:
            raise StudentError(tr(f"for {what} some shots would read bitstrings other than "
                                  "all-0 and all-1: the qubits are not all perfectly correlated",
                                  f"对于{what}，有些测量会读出全 0 和全 1 以外的比特串：这些量子"
                                  "比特没有完全关联"))
        if not (np.isclose(probs[0], 0.5, atol=1e-6) and np.isclose(probs[-1], 0.5, atol=1e-6)):
            raise StudentError(tr(f"for {what} all-0 and all-1 are not equally likely: each "
                                  "should have probability 1/2",
                                  f"对于{what}，全 0 和全 1 的概率不相等：两者都应为 1/2"))
        raise StudentError(tr(f"for {what} the relative sign between |0…0⟩ and |1…1⟩ is wrong: "
                              "the probabilities are right (the same as for GHZ), but the state "
                              "must be their difference, not their sum",
                              f"对于{what}，|0…0⟩ 与 |1…1⟩ 之间的相对符号不对：概率是对的（与 "
                              "GHZ 相同），但这个态必须是两者之差，而不是之和"))
    return tr("your circuit prepares (|0…0⟩ − |1…1⟩)/√2 on any register, checked by its state "
              "vector: measured in the computational basis it looks exactly like GHZ, only "
              "interference reveals the sign.",
              "你的线路能在任意寄存器上制备 (|0…0⟩ − |1…1⟩)/√2（按态矢量检查）：在计算基下测量时"
              "它与 GHZ 完全一样，只有干涉才能显出这个符号。")


q8 = FunctionExercise(
    id="02.8",
    prompt=Text(
        "Write minus_cat(qubits): qubits is a list of n >= 1 Cirq qubits (any kind, in the "
        "order given; qubits[0] is the leftmost bit). Return a cirq.Circuit of gates (no "
        "measurements) that turns |0…0⟩ into (|0…0⟩ − |1…1⟩)/√2, a GHZ state with a minus "
        "sign. For one qubit that is (|0⟩ − |1⟩)/√2. check compares your circuit's state "
        "vector with the target (up to a global phase). Pass the function itself to check.",
        "编写 minus_cat(qubits)：qubits 是由 n >= 1 个 Cirq 量子比特组成的列表（种类不限，按给定"
        "顺序；qubits[0] 是最左边的比特）。返回一个只含量子门（不含测量）的 cirq.Circuit，把 "
        "|0…0⟩ 变为 (|0…0⟩ − |1…1⟩)/√2，即带负号的 GHZ 态。一个量子比特时就是 "
        "(|0⟩ − |1⟩)/√2。check 会把你的线路的态矢量与目标态比较（允许相差一个全局相位）。"
        "把函数本身传给 check。"
    ),
    checker=guarded(_check_circuit),
    hints=[
        Text("Start from the GHZ circuit of this chapter: H on the first qubit, then a chain of "
             "CNOTs. Which state does the first qubit hold right after H, and which one do you "
             "need there instead?",
             "从本章的 GHZ 线路出发：先在第一个量子比特上作用 H，再接一串 CNOT。H 之后第一个"
             "量子比特处于什么态？你需要它处于什么态？"),
        Text("Which one-qubit basis state does H turn into (|0⟩ − |1⟩)/√2, and how do you "
             "prepare it from |0⟩? The CNOT chain copies the first qubit's 0 or 1 onto the "
             "others and keeps the sign.",
             "H 把哪个单比特基态变成 (|0⟩ − |1⟩)/√2？如何从 |0⟩ 制备它？CNOT 链把第一个量子比特的 "
             "0 或 1 复制到其余比特上，并保留符号。"),
        Text("Every gate you need appears in this chapter; cirq.Circuit accepts a list of "
             "operations on qubits[0], qubits[1], ….",
             "所需的量子门本章都出现过；cirq.Circuit 可以接收一个作用在各量子比特 qubits[0]、qubits[1]、… "
             "上的操作列表。"),
    ],
    solution_text=Text(
        "def minus_cat(qubits):\n"
        "    import cirq\n"
        "    ops = [cirq.X(qubits[0]), cirq.H(qubits[0])]\n"
        "    ops += [cirq.CNOT(a, b) for a, b in zip(qubits, qubits[1:])]\n"
        "    return cirq.Circuit(ops)",
        "def minus_cat(qubits):\n"
        "    # 参考答案：X 再 H 得到 (|0⟩ − |1⟩)/√2，CNOT 链把它扩展到所有量子比特\n"
        "    import cirq\n"
        "    ops = [cirq.X(qubits[0]), cirq.H(qubits[0])]\n"
        "    ops += [cirq.CNOT(a, b) for a, b in zip(qubits, qubits[1:])]\n"
        "    return cirq.Circuit(ops)"
    ),
)
