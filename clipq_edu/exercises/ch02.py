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

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]

#: The gradient and bound of q1 (not the (3, 4) example the chapter prints).
Q1_GRADIENT = (2.0, -1.0, 2.0)
Q1_BOUND = 1.2

q1 = NumericExercise(
    id="02.1",
    prompt=Text("Clip the gradient g = (2, −1, 2) by norm with bound c = 1.2. Give the three "
                "components.",
                "以上界 c = 1.2 对梯度 g = (2, −1, 2) 按范数裁剪。给出裁剪后的三个分量。"),
    expected=lambda: clipping.clip_by_norm(np.array(Q1_GRADIENT), Q1_BOUND),
    rtol=1e-3,
    digits=2,
    shown=("(0.8, −0.4, 0.8)",),
    hints=[
        Text("First the norm: ‖g‖ = √(4 + 1 + 4). Is it above the bound?",
             "先求范数：‖g‖ = √(4 + 1 + 4)。它超过上界了吗？"),
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
        "(Use the clipped vector and clipq_edu.plotting.angle_between.)",
        "以上界 1 对 g = (3, 0.5) 按值裁剪。方向转过了多少度？"
        "（使用裁剪后的向量和 clipq_edu.plotting.angle_between。）"
    ),
    expected=lambda: plotting.angle_between([3.0, 0.5], plotting.clip_2d([3.0, 0.5], 1.0,
                                                                          "value")),
    rtol=1e-3,
    digits=3,
    shown=("17.1°",),
    hints=[
        Text("By value each entry goes to [-1, 1] separately: (3, 0.5) -> (1, 0.5).",
             "按值裁剪时，每个分量各自被限制到 [-1, 1]：(3, 0.5) -> (1, 0.5)。"),
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
                  "‖g1‖ = 1 没有超过上界。"),
        "b": Text("clipnorm leaves g1 alone (‖g1‖ = 1), but so does clipvalue: no entry of g1 "
                  "exceeds 1.",
                  "clipnorm 确实不改动 g1（‖g1‖ = 1），但 clipvalue 同样不改动它："
                  "g1 没有哪个分量超过 1。"),
        "c": Text("Right: both per-tensor methods look at g1 alone, which is within the bound. "
                  "global_clipnorm sees the global norm √(1 + 9) = √10 > 1 and scales *every* "
                  "tensor by 1/√10, g1 included: the price of keeping the direction of the whole "
                  "update.",
                  "对：两种逐张量的方法都只看 g1 本身，而它在上界以内。global_clipnorm 看到的是"
                  "全局范数 √(1 + 9) = √10 > 1，于是把*每个*张量都乘以 1/√10，g1 也不例外："
                  "这是保持整个更新方向所付出的代价。"),
        "d": Text("global_clipnorm computes one norm over both tensors, √(‖g1‖² + ‖g2‖²) = √10, "
                  "and scales g1 too.",
                  "global_clipnorm 对两个张量合起来只算一个范数 √(‖g1‖² + ‖g2‖²) = √10，"
                  "因而 g1 也会被缩放。"),
    },
    hints=[Text("For each argument, ask which norm or entries it compares with the bound: g1's "
                "own, or all tensors' together?",
                "对每个参数问一问：它拿哪个范数或哪些分量与上界比较——是 g1 自己的，"
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
        "for a standard error sqrt(p(1-p)/N) of at most 0.005?",
        "你用多次测量来估计贝尔态的 P(00) ≈ 0.5。要使标准误差 sqrt(p(1-p)/N) 不超过 0.005，"
        "需要多少次测量 N？"
    ),
    expected=lambda: costs.shots_for_standard_error(0.5, 0.005),
    rtol=0, atol=0.5,
    shown=("10 000",),
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
        "With 400 shots the standard error of an estimate is 0.025. To halve it (0.0125), how "
        "many shots do you need?",
        "用 400 次测量时，某个估计的标准误差是 0.025。要把它减半（0.0125），需要多少次测量？"
    ),
    expected=lambda: 400 * int(np.round((0.025 / 0.0125) ** 2)),
    rtol=0, atol=0.5,
    shown=("1600",),
    hints=[Text("The error falls as 1/sqrt(N).", "误差按 1/sqrt(N) 下降。")],
    solution_text=Text("Halving the error needs 4x the shots: 1600.",
                       "误差减半需要 4 倍的测量次数：1600。"),
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
        (tr("one tensor only, below the bound, at c = 2", "只有一个低于上界的张量（c = 2）"),
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
                    "(scaling it is what global_clipnorm does)",
                    f"对于{what}，一个自身范数在上界以内的张量被改动了：clipnorm 对每个张量"
                    "单独判断，所以它必须保持不变（缩放它是 global_clipnorm 的做法）"))
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
        Text("For one array g: factor = min(1, c / ‖g‖), and 1 when ‖g‖ = 0.",
             "对单个数组 g：因子 = min(1, c / ‖g‖)；‖g‖ = 0 时因子为 1。"),
        Text("return [g * min(1.0, c / n) if (n := np.linalg.norm(g)) > 0 else g.copy() "
             "for g in grads]",
             "参考写法：return [g * min(1.0, c / n) if (n := np.linalg.norm(g)) > 0 "
             "else g.copy() for g in grads]"),
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
