"""Exercises of chapter 01 (背景介绍): steep landscapes, clipped descent, simulation memory.

>>> from clipq_edu.exercises import ch01 as ex
>>> ex.q1.check(0.03125)
[01.1] ✅ Correct: well done, exactly right: 0.03125.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu.course import costs, toys
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise
from clipq_edu.i18n import Text, tr

__all__ = ["q1", "q2", "q3", "q4", "q5"]

q1 = NumericExercise(
    id="01.1",
    prompt=Text(
        "Plain gradient descent on f(x) = x**4 starts at x0 = 4 (the chapter used 10). What is "
        "the largest step size lr for which the first step does not move further away from the "
        "minimum?",
        "在 f(x) = x**4 上做普通梯度下降，起点为 x0 = 4（正文用的是 10）。要让第一步不离极小值点"
        "更远，步长 lr 最大可以取多少？"
    ),
    expected=lambda: toys.max_stable_step(4.0),
    rtol=1e-3,
    digits=3,
    shown=("0.03125",),
    hints=[
        Text("One step maps x0 to x0 - lr * 4 * x0**3 = x0 * (1 - 4 lr x0**2).",
             "一步把 x0 变为 x0 - lr * 4 * x0**3 = x0 * (1 - 4 lr x0**2)。"),
        Text("The step does not move away when |1 - 4 lr x0**2| <= 1.",
             "当 |1 - 4 lr x0**2| <= 1 时，这一步不会离极小值点更远。"),
    ],
    solution_text=Text(
        "|1 - 4 lr x0²| ≤ 1 ⇔ lr ≤ 2 / (4 x0²) = 1 / (2·16) = 0.03125; "
        "toys.max_stable_step(4.0). The steeper start x0 = 10 allowed only 0.005: the safe step "
        "shrinks as 1/x0².",
        "|1 - 4 lr x0²| ≤ 1 ⇔ lr ≤ 2 / (4 x0²) = 1 / (2·16) = 0.03125；"
        "即 toys.max_stable_step(4.0)。更陡的起点 x0 = 10 只允许 0.005：安全步长按 1/x0² "
        "缩小。"),
)

q2 = NumericExercise(
    id="01.2",
    prompt=Text(
        "Clipped gradient descent on x**4 from x0 = 10 with lr = 0.1 and clip = 1: how many "
        "iterations until |f'(x)| <= 1e-4? Use clipq_edu.course.toys.gradient_descent.",
        "在 x**4 上从 x0 = 10 出发做带裁剪的梯度下降，lr = 0.1，clip = 1：要迭代多少次才能使 "
        "|f'(x)| <= 1e-4？请使用 clipq_edu.course.toys.gradient_descent。"
    ),
    expected=lambda: toys.gradient_descent(toys.quartic_grad, 10.0, learning_rate=0.1,
                                           steps=100_000, clip=1.0, tol=1e-4).iterations,
    rtol=0, atol=0.5,
    shown=("1548",),
    hints=[
        Text("While |f'(x)| = 4|x|³ > 1 the clip is active and every step moves exactly lr = 0.1: "
             "from x = 10 that phase takes under 100 steps.",
             "只要 |f'(x)| = 4|x|³ > 1，裁剪就在起作用，每一步恰好移动 lr = 0.1：从 x = 10 出发，"
             "这一阶段不到 100 步。"),
        Text("Near 0 the gradient is tiny and unclipped, so x shrinks slowly: the last phase, "
             "down to |4x³| <= 1e-4, takes most of the iterations. Count them with code.",
             "在 0 附近梯度很小、不会被裁剪，所以 x 缩小得很慢：最后一个阶段（直到 "
             "|4x³| <= 1e-4）占了大部分迭代。用代码数一数。"),
        Text("toys.gradient_descent(toys.quartic_grad, 10.0, learning_rate=0.1, steps=100_000, "
             "clip=1.0) returns a result; read its .iterations attribute.",
             "toys.gradient_descent(toys.quartic_grad, 10.0, learning_rate=0.1, steps=100_000, "
             "clip=1.0) 返回一个结果对象；读取它的 .iterations 属性。"),
    ],
    solution_text=Text(
        "toys.gradient_descent(toys.quartic_grad, 10.0, learning_rate=0.1, steps=100_000, "
        "clip=1.0).iterations = 1548: fewer than 100 clipped steps reach the slow tail near 0, "
        "where the unclipped steps shrink x only a little each time.",
        "toys.gradient_descent(toys.quartic_grad, 10.0, learning_rate=0.1, steps=100_000, "
        "clip=1.0).iterations = 1548：不到 100 个被裁剪的步就到达 0 附近缓慢的尾段，"
        "在那里未被裁剪的步每次只让 x 缩小一点点。"),
)

q3 = NumericExercise(
    id="01.3",
    prompt=Text(
        "How many bytes does one state vector of 30 qubits need in complex64 "
        "(8 bytes per amplitude)? Give the exact integer.",
        "30 个量子比特的一个态矢量以 complex64 存储（每个振幅 8 字节）需要多少字节？"
        "请给出精确的整数。"
    ),
    expected=lambda: costs.state_vector_memory(30),
    rtol=0, atol=0.5,
    shown=("8 589 934 592",),
    hints=[Text("n qubits have 2**n amplitudes.", "n 个量子比特有 2**n 个振幅。"),
           Text("Multiply 2**30 by 8 bytes.", "用 2**30 乘以 8 字节。")],
    solution_text=Text(
        "2**30 · 8 = 8 589 934 592 bytes = 8 GiB (costs.state_vector_memory(30)).",
        "2**30 · 8 = 8 589 934 592 字节 = 8 GiB（costs.state_vector_memory(30)）。"),
)

q4 = ChoiceExercise(
    id="01.4",
    prompt=Text("On which problems does gradient clipping speed training up the most?",
                "梯度裁剪在哪类问题上对训练的加速最明显？"),
    options={
        "a": Text("on every problem: clipping always shortens training",
                  "在所有问题上：裁剪总能缩短训练"),
        "b": Text("on problems whose curvature grows with the gradient norm (steep walls, "
                  "(L0, L1)-smooth), where plain GD must use a tiny step everywhere",
                  "在曲率随梯度范数增长的问题上（陡壁，(L0, L1)-光滑），"
                  "普通 GD 在这类问题上处处都只能用极小的步长"),
        "c": Text("on problems with vanishing gradients, because clipping enlarges small gradients",
                  "在存在梯度消失的问题上，因为裁剪会放大小梯度"),
        "d": Text("on quadratic problems with a constant curvature", "在曲率恒定的二次问题上"),
    },
    correct="b",
    explanations={
        "a": Text("No: where the gradient is never above the bound, clipping does nothing at all.",
                  "不对：梯度若从不超过上界，裁剪根本不起作用。"),
        "b": Text("Yes: clipping lets one step size work both on the steep wall and near the "
                  "minimum.",
                  "对：裁剪让同一个步长既能用在陡壁上，也能用在极小值点附近。"),
        "c": Text("No: ‖clip(g)‖ = min(‖g‖, c) ≤ ‖g‖; clipping never enlarges a gradient.",
                  "不对：‖clip(g)‖ = min(‖g‖, c) ≤ ‖g‖；裁剪从不放大梯度。"),
        "d": Text("No: with constant curvature one well-chosen step size is already optimal; "
                  "clipping adds nothing there.",
                  "不对：曲率恒定时，一个选得好的步长就已经是最优的；裁剪在这里毫无帮助。"),
    },
    hints=[Text("Compare f''(x) = 12 x² with |f'(x)| = 4|x|³ on the quartic.",
                "在四次函数上比较 f''(x) = 12 x² 与 |f'(x)| = 4|x|³。")],
    solution_text=Text("b (Zhang, He, Sra, Jadbabaie 2020).",
                       "b（Zhang, He, Sra, Jadbabaie 2020）。"),
)


def _reference_step(x: np.ndarray, grad: np.ndarray, learning_rate: float,
                    clip: float) -> np.ndarray:
    norm = float(np.linalg.norm(grad))
    scale = min(1.0, clip / norm) if norm > 0 else 1.0
    return x - learning_rate * scale * grad


def _step_cases() -> list[tuple[str, Any, Any, float, float]]:
    rng = np.random.default_rng(11)
    return [
        (tr("the quartic at x = 10 (f'(10) = 4000)", "四次函数在 x = 10 处（f'(10) = 4000）的情形"),
         np.array(10.0), np.array(4000.0), 0.1, 1.0),
        (tr("a short gradient (norm below clip)", "较短的梯度（范数小于 clip）"),
         np.array([1.0, -2.0]), np.array([0.3, 0.4]), 0.5, 1.0),
        (tr("a long 2-D gradient", "较长的二维梯度"), np.array([0.0, 0.0]), np.array([3.0, 0.5]),
         0.1, 1.0),
        (tr("a zero gradient", "零梯度"), np.array([1.0, 2.0, 3.0]), np.zeros(3), 0.1, 1.0),
        (tr("a random 4x3 weight matrix", "随机的 4x3 权重矩阵"), rng.normal(size=(4, 3)),
         rng.normal(size=(4, 3)) * 5, 0.05, 0.5),
    ]


def _check_clipped_step(fn: Any) -> str:
    require_callable(fn, "clipped_step(x, grad, learning_rate, clip)")
    for what, x, grad, learning_rate, clip in _step_cases():
        x_in, g_in = x.copy(), grad.copy()
        out = as_array(call(fn, x_in, g_in, learning_rate, clip, what=what), x.shape, what)
        if not (np.array_equal(x_in, x) and np.array_equal(g_in, grad)):
            raise StudentError(tr(f"for {what} your function changed its inputs in place: "
                                  "return a new array instead",
                                  f"对于{what}，你的函数原地修改了输入：请改为返回一个新数组"))
        want = _reference_step(x, grad, learning_rate, clip)
        if np.allclose(out, want, rtol=1e-6, atol=1e-12):
            continue
        step = x - out
        if np.allclose(out, 2 * x - want, rtol=1e-6, atol=1e-12):
            raise StudentError(tr(f"for {what} the step goes uphill: subtract learning_rate "
                                  "times the gradient",
                                  f"对于{what}，这一步在往上坡走：应减去 learning_rate 乘以梯度"))
        norm = float(np.linalg.norm(grad))
        if norm <= clip:
            raise StudentError(tr(f"for {what} the gradient is already shorter than clip, so it "
                                  "must be used unchanged: the step is learning_rate * grad",
                                  f"对于{what}，梯度本来就比 clip 短，必须原样使用："
                                  "这一步应为 learning_rate * grad"))
        if np.allclose(out, x - learning_rate * grad, rtol=1e-6):
            raise StudentError(tr(f"for {what} the gradient was not clipped: a gradient longer "
                                  "than clip must be rescaled to length clip first",
                                  f"对于{what}，梯度没有被裁剪：比 clip 长的梯度必须先缩放到"
                                  "长度 clip"))
        if np.linalg.norm(step) > learning_rate * clip * (1 + 1e-6):
            raise StudentError(tr(f"for {what} the step is longer than learning_rate * clip: "
                                  "clip the gradient's L2 norm, not each entry",
                                  f"对于{what}，这一步比 learning_rate * clip 还长："
                                  "要裁剪的是梯度的 L2 范数，而不是每个分量"))
        raise StudentError(tr(f"for {what} the step points in another direction than the "
                              "gradient: clip by norm (one factor for all entries), not by value",
                              f"对于{what}，这一步的方向与梯度不同：应按范数裁剪（所有分量共用"
                              "一个因子），而不是按值裁剪"))
    return tr("your clipped_step moves at most learning_rate * clip, keeps the gradient's "
              "direction, and leaves short gradients alone.",
              "你的 clipped_step 每步最多移动 learning_rate * clip，保持梯度的方向，"
              "并且不改动较短的梯度。")


q5 = FunctionExercise(
    id="01.5",
    prompt=Text(
        "Write clipped_step(x, grad, learning_rate, clip): one step of gradient descent whose "
        "gradient is first clipped by its L2 norm to at most clip. x and grad are NumPy arrays "
        "of the same shape (a 0-d array for the quartic). Return the new parameters as a new "
        "array, then pass the function itself to check.",
        "编写 clipped_step(x, grad, learning_rate, clip)：梯度下降的一步，"
        "其中梯度先按 L2 范数裁剪到至多 clip。x 和 grad 是形状相同的 NumPy 数组（对四次函数而言是 0 维数组）。把新参数作为一个"
        "新数组返回，然后把函数本身传给 check。"
    ),
    checker=guarded(_check_clipped_step),
    hints=[
        Text("A gradient shorter than clip is used as it is; a longer one keeps its direction and "
             "gets length clip.",
             "比 clip 短的梯度原样使用；更长的梯度保持方向不变，长度变为 clip。"),
        Text("Both cases are one factor: scale = min(1, clip / ‖g‖). What if ‖g‖ = 0?",
             "两种情况可以合成一个因子：scale = min(1, clip / ‖g‖)。如果 ‖g‖ = 0 呢？"),
        Text("np.linalg.norm gives ‖g‖ for any shape. Treat ‖g‖ = 0 on its own (nothing to "
             "clip); then the step is the usual gradient step with grad multiplied by that one "
             "factor. Build a new array rather than changing x.",
             "np.linalg.norm 对任何形状都能给出 ‖g‖。单独处理 ‖g‖ = 0 的情况（没有什么可裁剪的）；"
             "其余情况下，这一步就是普通的梯度下降一步，只是 grad 先乘上那个因子。要构造新数组，"
             "而不是修改 x。"),
    ],
    solution_text=Text(
        "def clipped_step(x, grad, learning_rate, clip):\n"
        "    norm = np.linalg.norm(grad)\n"
        "    scale = min(1.0, clip / norm) if norm > 0 else 1.0\n"
        "    return x - learning_rate * scale * grad",
        "def clipped_step(x, grad, learning_rate, clip):\n"
        "    # 参考答案：先按 L2 范数把梯度裁剪到至多 clip，再走一步\n"
        "    norm = np.linalg.norm(grad)\n"
        "    scale = min(1.0, clip / norm) if norm > 0 else 1.0  # 零梯度不缩放\n"
        "    return x - learning_rate * scale * grad"
    ),
)
