"""Exercises of chapter 01 (背景介绍): steep landscapes, clipped descent, simulation memory.

>>> from clipq_edu.exercises import ch01 as ex
>>> ex.q1.check(0.03125)
[01.1] ✅ Correct: well done, exactly right: 0.03125.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from clipq_edu.course import costs, toys
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise
from clipq_edu.i18n import Text, tr

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]

def _first_step_bound(x0: float, slope_factor: float) -> float:
    """Largest lr whose first step stays within |x0| when f'(x) = slope_factor * x**3.

    x1 = x0 (1 - lr * slope_factor * x0**2) and |x1| <= |x0| iff lr <= 2 / (slope_factor x0**2).
    With ``slope_factor=1`` this is the bound of a learner who drops the 4 of f'(x) = 4 x**3.
    """
    return 2.0 / (slope_factor * x0**2)


def _estimated_clipped_iterations(learning_rate: float = 0.1, clip: float = 1.0,
                                  x0: float = 10.0, tol: float = 1e-4) -> float:
    """The continuous estimate of 01.2's count: the clipped walk, then the 1/(8 lr x²) tail.

    While 4|x|**3 > clip every step moves learning_rate * clip, down to x_c = (clip/4)**(1/3);
    from there the unclipped tail takes toys.quartic_tail_iterations(lr, tol, x_c) steps.
    """
    x_c = (clip / 4.0) ** (1.0 / 3.0)
    walk = (x0 - x_c) / (learning_rate * clip)
    return walk + toys.quartic_tail_iterations(learning_rate, tol, x_start=x_c)


q1 = NumericExercise(
    id="01.1",
    prompt=Text(
        "Plain gradient descent on f(x) = x**4 starts at x0 = 4 (the chapter used 10). What is "
        "the largest step size lr for which the first step does not move further away from the "
        "minimum? Give it exactly or to at least 3 significant figures.",
        "在 f(x) = x**4 上做普通梯度下降，起点为 x0 = 4（正文用的是 10）。要让第一步不离极小值点"
        "更远，步长 lr 最大可以取多少？请给出精确值，或至少 3 位有效数字。"
    ),
    expected=lambda: toys.max_stable_step(4.0),
    rtol=1e-3,
    digits=3,
    shown=("0.03125",),
    mistakes=[
        (lambda: toys.max_stable_step(10.0),
         Text("that is the bound for the chapter's start x0 = 10; this question starts at x0 = 4",
              "这是正文起点 x0 = 10 的上界；本题的起点是 x0 = 4")),
        (lambda: _first_step_bound(x0=4.0, slope_factor=1.0),
         Text("that bound uses f'(x) = x**3: the derivative of x**4 is 4 x**3",
              "这个上界用的是 f'(x) = x**3：x**4 的导数是 4 x**3")),
        (lambda: 2.0 / float(toys.quartic_hessian(4.0)),
         Text("that is 2/L with the curvature f''(x0) = 12 x0**2, the rule for a quadratic: "
              "sufficient but pessimistic here; on x**4 look at where the first step lands instead",
              "这是用曲率 f''(x0) = 12 x0**2 得到的 2/L，是二次函数的规则：在这里是充分的但过于"
              "保守；在 x**4 上请直接看第一步落在哪里")),
    ],
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
        "Run clipped gradient descent on x**4 from x0 = 10 with lr = 0.1 and clip = 1, stopping "
        "when |f'(x)| <= 1e-4 (clipq_edu.course.toys.gradient_descent does this). Give the exact "
        "number of iterations the run takes, an integer: not an estimate from the "
        "1/(8 η x_tol²) formula, which is only approximate.",
        "在 x**4 上从 x0 = 10 出发运行带裁剪的梯度下降，lr = 0.1，clip = 1，当 |f'(x)| <= 1e-4 "
        "时停止（clipq_edu.course.toys.gradient_descent 就是这样做的）。请给出这次运行实际迭代的"
        "精确次数（一个整数），而不是用 1/(8 η x_tol²) 公式得到的估计，那个公式只是近似。"
    ),
    expected=lambda: toys.gradient_descent(toys.quartic_grad, 10.0, learning_rate=0.1,
                                           steps=100_000, clip=1.0, tol=1e-4).iterations,
    rtol=0, atol=0.5,
    shown=("1548",),
    mistakes=[
        (lambda: toys.gradient_descent(toys.quartic_grad, 10.0, learning_rate=0.2,
                                       steps=100_000, clip=1.0, tol=1e-4).iterations,
         Text("that is the count for the chapter's lr = 0.2; this question uses lr = 0.1",
              "这是正文中 lr = 0.2 的次数；本题用的是 lr = 0.1")),
        (lambda: math.floor(_estimated_clipped_iterations()),
         Text("that looks like the continuous estimate (the clipped walk plus 1/(8 η x²) for the "
              "tail); the question asks for the exact count of the run: run it",
              "这看起来是连续近似的估计（裁剪阶段加上尾段的 1/(8 η x²)）；题目要的是实际运行的"
              "精确次数：请运行它")),
        (lambda: math.ceil(_estimated_clipped_iterations()),
         Text("that looks like the continuous estimate (the clipped walk plus 1/(8 η x²) for the "
              "tail); the question asks for the exact count of the run: run it",
              "这看起来是连续近似的估计（裁剪阶段加上尾段的 1/(8 η x²)）；题目要的是实际运行的"
              "精确次数：请运行它")),
        (lambda: round(toys.quartic_tail_iterations(0.1, 1e-4)),
         Text("that looks like the 1/(8 η x_tol²) estimate of the tail alone; the question asks "
              "for the exact count of the run: run it",
              "这看起来只是尾段的 1/(8 η x_tol²) 估计；题目要的是实际运行的精确次数：请运行它")),
    ],
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
             "clip=1.0, tol=1e-4) returns a result; read its .iterations attribute.",
             "toys.gradient_descent(toys.quartic_grad, 10.0, learning_rate=0.1, steps=100_000, "
             "clip=1.0, tol=1e-4) 返回一个结果对象；读取它的 .iterations 属性。"),
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
        "A simulator stores the state vector of 34 qubits in complex128 (16 bytes per "
        "amplitude). How many GiB (1 GiB = 2**30 bytes) does this one state vector need? "
        "Give the exact number.",
        "某个模拟器以 complex128（每个振幅 16 字节）存储 34 个量子比特的态矢量。这一个态矢量"
        "需要多少 GiB（1 GiB = 2**30 字节）？请给出精确的数。"
    ),
    expected=lambda: costs.state_vector_memory(34, bytes_per_amplitude=16) / 2**30,
    rtol=0, atol=0.5,
    shown=("256",),
    mistakes=[
        (lambda: costs.state_vector_memory(34, bytes_per_amplitude=8) / 2**30,
         Text("that is the size in complex64 (8 bytes per amplitude); complex128 takes 16",
              "这是 complex64（每个振幅 8 字节）的大小；complex128 每个振幅占 16 字节")),
        (lambda: costs.state_vector_memory(34, bytes_per_amplitude=16) / 1e9,
         Text("that is in GB (10**9 bytes); the question asks for GiB (2**30 bytes)",
              "这是以 GB（10**9 字节）为单位的；题目要的是 GiB（2**30 字节）")),
    ],
    hints=[Text("n qubits have 2**n amplitudes.", "n 个量子比特有 2**n 个振幅。"),
           Text("Multiply 2**34 by 16 bytes, then divide by 2**30.",
                "用 2**34 乘以 16 字节，再除以 2**30。")],
    solution_text=Text(
        "2**34 · 16 bytes = 2**38 bytes = 2**8 GiB = 256 GiB "
        "(costs.state_vector_memory(34, bytes_per_amplitude=16) / 2**30): each extra qubit "
        "doubles it, and complex128 doubles it again.",
        "2**34 · 16 字节 = 2**38 字节 = 2**8 GiB = 256 GiB"
        "（costs.state_vector_memory(34, bytes_per_amplitude=16) / 2**30）：每多一个量子比特"
        "翻一倍，用 complex128 再翻一倍。"),
)


q4 = ChoiceExercise(
    id="01.4",
    prompt=Text(
        "Plain GD gets its best fixed step size for each problem below, and clipped GD (c = 1) "
        "may use any step size. On which problem do you expect clipping to save the most "
        "iterations?",
        "下面每个问题里，普通 GD 都用它最好的固定步长，带裁剪的 GD（c = 1）可以用任意步长。"
        "你预计裁剪在哪个问题上节省的迭代次数最多？"),
    options={
        "a": Text("f(x) = 5 x**2 from x0 = 10", "f(x) = 5 x**2，从 x0 = 10 出发"),
        "b": Text("f(x) = cosh(x) from x0 = 20", "f(x) = cosh(x)，从 x0 = 20 出发"),
        "c": Text("f(x) = 1 − exp(−x**2) from x0 = 3", "f(x) = 1 − exp(−x**2)，从 x0 = 3 出发"),
        "d": Text("all three equally: clipping always shortens training by the same factor",
                  "三者一样：裁剪总是把训练缩短同样的倍数"),
    },
    correct="b",
    explanations={
        "a": Text("No: a quadratic has the constant curvature f'' = 10, so the step 0.1 is "
                  "already optimal everywhere (one step lands on 0); clipping can only shorten "
                  "those steps.",
                  "不对：二次函数的曲率恒为 f'' = 10，所以步长 0.1 处处都已是最优（一步就落到 0）；"
                  "裁剪只会把这些步变短。"),
        "b": Text("Yes: cosh'' = cosh ≤ 1 + |sinh| = 1 + |f'|, an (L0, L1)-smooth function whose "
                  "curvature at x0 = 20 is about 2.4e8, so plain GD must take steps of about 1e-7 "
                  "(its first-step bound is 40/sinh 20 ≈ 1.6e-7) all the way; clipped GD walks down in steps of lr·c and then uses a step "
                  "suited to the curvature 1 near the minimum.",
                  "对：cosh'' = cosh ≤ 1 + |sinh| = 1 + |f'|，这是 (L0, L1)-光滑的函数，在 x0 = 20 "
                  "处曲率约为 2.4e8，普通 GD 全程只能用约 1e-7 的步长（第一步的上界是 40/sinh 20 ≈ 1.6e-7）；带裁剪的 GD 先以 lr·c 的"
                  "步长走下来，再用适合极小值点附近曲率 1 的步长。"),
        "c": Text("No: far out the gradient 2x·exp(−x**2) is tiny (about 7e-4 at x = 3), far "
                  "below c = 1, so clipping never acts: it cannot enlarge a small gradient.",
                  "不对：远处的梯度 2x·exp(−x**2) 非常小（x = 3 处约为 7e-4），远低于 c = 1，"
                  "所以裁剪从不起作用：它不能放大小梯度。"),
        "d": Text("No: where the gradient never exceeds the threshold, clipping does nothing "
                  "at all; its gain depends on the landscape.",
                  "不对：梯度从不超过阈值的地方，裁剪根本不起作用；它的收益取决于地形。"),
    },
    hints=[Text("For each f compare the curvature f'' with the gradient size |f'| along the "
                "path: where is the curvature large, and is the gradient large there too?",
                "对每个 f，沿着路径比较曲率 f'' 与梯度大小 |f'|：曲率在哪里大？那里的梯度也大吗？")],
    solution_text=Text("b: cosh is (L0, L1)-smooth with curvature ≤ 1 + |f'| (Zhang, He, Sra, "
                       "Jadbabaie 2020); the quadratic needs no clipping and the plateau's "
                       "gradient is never clipped.",
                       "b：cosh 是 (L0, L1)-光滑的，曲率 ≤ 1 + |f'|（Zhang, He, Sra, Jadbabaie "
                       "2020）；二次函数不需要裁剪，而平台区的梯度从不会被裁剪。"),
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
        Text("Both cases are one scale factor on the gradient: never above 1, and just large "
             "enough to bring a long gradient to length clip. What if ‖g‖ = 0?",
             "两种情况可以合成一个乘在梯度上的缩放因子：不超过 1，并恰好把过长的梯度缩到长度 clip。"
             "如果 ‖g‖ = 0 呢？"),
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


# ------------------------------------------------------------------ 01.6 backprop through a chain
def _chain_cases() -> list[tuple[str, list[np.ndarray], np.ndarray]]:
    """Scalar, square and rectangular chains of hidden depths (square ones first: there the
    wrong order and the missing transpose give wrong numbers rather than a shape error)."""
    rng = np.random.default_rng(61)
    cases = [(tr("a chain of three scalar layers", "三个标量层组成的链"),
              [np.array([[2.0]]), np.array([[-0.5]]), np.array([[3.0]])], np.array([1.0]))]
    for depth in (2, 5):
        cases.append((tr(f"a chain of {depth} random 3x3 layers", f"{depth} 个随机 3x3 层组成的链"),
                      [rng.normal(size=(3, 3)) for _ in range(depth)], rng.normal(size=3)))
    widths = [4, 6, 2, 5, 3]  # x0 has 4 entries, the output x4 has 3
    cases.append((tr("a chain of layers of widths 4 → 6 → 2 → 5 → 3",
                     "宽度为 4 → 6 → 2 → 5 → 3 的层组成的链"),
                  [rng.normal(size=(b, a)) for a, b in zip(widths[:-1], widths[1:], strict=True)],
                  rng.normal(size=3)))
    cases.append((tr("one layer from 5 inputs to 2 outputs", "一个从 5 个输入到 2 个输出的层"),
                  [rng.normal(size=(2, 5))], rng.normal(size=2)))
    cases.append((tr("a zero output gradient", "输出梯度为零"),
                  [rng.normal(size=(3, 4)), rng.normal(size=(2, 3))], np.zeros(2)))
    cases.append((tr("40 layers of gain 1.25 (an exploding chain)", "40 个增益为 1.25 的层（爆炸的链）"),
                  [1.25 * np.linalg.qr(rng.normal(size=(3, 3)))[0] for _ in range(40)],
                  rng.normal(size=3)))
    return cases


def _backprop_reference(jacobians: list[np.ndarray], grad_out: np.ndarray) -> np.ndarray:
    grad = grad_out
    for jac in reversed(jacobians):
        grad = jac.T @ grad
    return grad


def _check_backprop(fn: Any) -> str:
    require_callable(fn, "backprop(jacobians, grad_out)")
    for what, jacobians, grad_out in _chain_cases():
        jacs_in, g_in = [j.copy() for j in jacobians], grad_out.copy()
        out = as_array(call(fn, jacs_in, g_in, what=what), (jacobians[0].shape[1],), what)
        if not (np.array_equal(g_in, grad_out)
                and all(np.array_equal(a, b) for a, b in zip(jacs_in, jacobians, strict=True))):
            raise StudentError(tr(f"for {what} your function changed its inputs in place",
                                  f"对于{what}，你的函数原地修改了输入"))
        want = _backprop_reference(jacobians, grad_out)
        if np.allclose(out, want, rtol=1e-8, atol=1e-12 * max(1.0, float(np.abs(want).max()))):
            continue
        forward = grad_out
        no_transpose = grad_out
        try:
            for jac in jacobians:
                forward = jac.T @ forward
            for jac in reversed(jacobians):
                no_transpose = jac @ no_transpose
        except ValueError:  # shapes only fit the right order
            pass
        if np.shape(forward) == out.shape and np.allclose(out, forward, rtol=1e-8):
            raise StudentError(tr(f"for {what} the Jacobians are applied in the wrong order: "
                                  "backpropagation starts at the last layer and walks back "
                                  "to the input",
                                  f"对于{what}，雅可比矩阵的作用顺序反了：反向传播从最后一层开始，"
                                  "一路往回走到输入"))
        if np.shape(no_transpose) == out.shape and np.allclose(out, no_transpose, rtol=1e-8):
            raise StudentError(tr(f"for {what} each Jacobian is applied without its transpose: "
                                  "a gradient goes back through a layer as Jᵀ times it",
                                  f"对于{what}，每个雅可比矩阵都没有转置：梯度穿过一层往回传时"
                                  "是乘以 Jᵀ"))
        raise StudentError(tr(f"for {what} the gradient with respect to x0 is wrong: by the "
                              "chain rule it is the product of every layer's Jacobian with the "
                              "output gradient",
                              f"对于{what}，关于 x0 的梯度不对：由链式法则，它是每一层的雅可比"
                              "矩阵与输出梯度的乘积"))
    return tr("your backprop multiplies the transposed Jacobians from the output back to the "
              "input, on every chain: a product of many factors, which is why deep chains "
              "explode or vanish.",
              "你的 backprop 从输出往回到输入依次乘上转置的雅可比矩阵，每条链都对：这是许多因子的"
              "乘积，这正是深层链的梯度会爆炸或消失的原因。")


q6 = FunctionExercise(
    id="01.6",
    prompt=Text(
        "A network is a chain of layers x0 → x1 → … → xL. jacobians[l] is the Jacobian "
        "∂x(l+1)/∂x(l) of layer l + 1, a NumPy array of shape (size of x(l+1), size of x(l)); "
        "grad_out is ∂loss/∂xL, a 1-D array. Write backprop(jacobians, grad_out) that returns "
        "∂loss/∂x0 (a 1-D array with one entry per input) by the chain rule, as "
        "backpropagation computes it. The layers may have different widths. Pass the function "
        "itself to check.",
        "一个网络是由层组成的链 x0 → x1 → … → xL。jacobians[l] 是第 l + 1 层的雅可比矩阵 "
        "∂x(l+1)/∂x(l)，是形状为（x(l+1) 的大小，x(l) 的大小）的 NumPy 数组；grad_out 是 "
        "∂loss/∂xL，一个一维数组。编写 backprop(jacobians, grad_out)，像反向传播那样用链式法则"
        "返回 ∂loss/∂x0（一维数组，每个输入一个分量）。各层的宽度可以不同。把函数本身传给 check。"
    ),
    checker=guarded(_check_backprop),
    hints=[
        Text("For one layer y = f(x) with Jacobian J (shape: size of y by size of x), the chain "
             "rule gives ∂loss/∂x = Jᵀ ∂loss/∂y: check that the shapes fit.",
             "对单个层 y = f(x)，其雅可比矩阵 J 的形状是（y 的大小，x 的大小），链式法则给出 "
             "∂loss/∂x = Jᵀ ∂loss/∂y：检查一下形状是否吻合。"),
        Text("Start from grad_out at the last layer and apply this rule layer by layer until "
             "you reach x0. Which Jacobian comes first?",
             "从最后一层的 grad_out 出发，逐层应用这条规则，直到 x0。哪个雅可比矩阵先用？"),
        Text("Each step of hint 2 is a transpose and a matrix-vector product; NumPy arrays have "
             "both (an attribute and an operator).",
             "提示 2 中的每一步都是一次转置和一次矩阵与向量的乘积；NumPy 数组两者都有（一个属性和一个运算符）。"),
    ],
    solution_text=Text(
        "def backprop(jacobians, grad_out):\n"
        "    grad = np.asarray(grad_out, dtype=float)\n"
        "    for jac in reversed(jacobians):\n"
        "        grad = jac.T @ grad\n"
        "    return grad",
        "def backprop(jacobians, grad_out):\n"
        "    # 参考答案：从输出往回，逐层乘以转置的雅可比矩阵\n"
        "    grad = np.asarray(grad_out, dtype=float)\n"
        "    for jac in reversed(jacobians):\n"
        "        grad = jac.T @ grad  # ∂loss/∂x(l) = J(l)ᵀ ∂loss/∂x(l+1)\n"
        "    return grad"
    ),
)


# ------------------------------------------------------------------ 01.7 the largest simulable n
def _qubit_cases() -> list[tuple[str, int, int]]:
    return [
        (tr("a 2 GB Binder session (2e9 bytes) in complex64",
            "2 GB 的 Binder 会话（2e9 字节），complex64"), 2 * 10**9, 8),
        (tr("a 16 GiB laptop in complex64", "16 GiB 的笔记本电脑，complex64"), 16 * 2**30, 8),
        (tr("exactly 2**33 bytes in complex64", "恰好 2**33 字节，complex64"), 2**33, 8),
        (tr("one byte less than 2**33 in complex64", "比 2**33 少一个字节，complex64"),
         2**33 - 1, 8),
        (tr("1 KiB in complex128", "1 KiB，complex128"), 1024, 16),
        (tr("24 GiB in complex128", "24 GiB，complex128"), 24 * 2**30, 16),
        (tr("31 bytes in complex128 (one qubit needs 32)", "31 字节，complex128（一个量子比特需要 32 字节）"),
         31, 16),
        (tr("a 4 TiB cluster node in complex64", "4 TiB 的集群节点，complex64"), 4 * 2**40, 8),
    ]


def _largest_fitting(memory_bytes: int, bytes_per_amplitude: int) -> int:
    n = 0
    while costs.state_vector_memory(n + 1, bytes_per_amplitude) <= memory_bytes:
        n += 1
    return n


def _check_max_qubits(fn: Any) -> str:
    require_callable(fn, "max_qubits(memory_bytes, bytes_per_amplitude)")
    for what, memory, per in _qubit_cases():
        got = float(as_array(call(fn, memory, per, what=what), (), what))
        if got != round(got):
            raise StudentError(tr(f"for {what} the answer is not a whole number of qubits: "
                                  "round it to an integer (which way?)",
                                  f"对于{what}，答案不是整数个量子比特：要取整（往哪个方向？）"))
        n, want = int(round(got)), _largest_fitting(memory, per)
        if n == want:
            continue
        if n > want:
            raise StudentError(tr(f"for {what} a state vector of that many qubits does not fit "
                                  "in the memory: give the largest n that fits (round down)",
                                  f"对于{what}，这么多量子比特的态矢量放不进内存：请给出能放下的"
                                  "最大 n（向下取整）"))
        raise StudentError(tr(f"for {what} one more qubit would still fit: give the largest n "
                              "with 2**n * bytes_per_amplitude <= memory_bytes",
                              f"对于{what}，再多一个量子比特也还放得下：请给出满足 "
                              "2**n * bytes_per_amplitude <= memory_bytes 的最大 n"))
    return tr("your max_qubits inverts the 2**n law exactly, powers of two included: every "
              "extra qubit doubles the memory, so even a 4 TiB node stops in the low 40s.",
              "你的 max_qubits 精确地反解了 2**n 规律，包括恰为 2 的幂的情形：每多一个量子比特"
              "内存就翻倍，所以即使 4 TiB 的节点也止步于四十出头个量子比特。")


q7 = FunctionExercise(
    id="01.7",
    prompt=Text(
        "Write max_qubits(memory_bytes, bytes_per_amplitude): the largest number of qubits n "
        "whose state vector (2**n amplitudes of bytes_per_amplitude bytes each) fits in "
        "memory_bytes, as an int; 0 if not even one qubit fits. Both arguments are positive "
        "integers (memory up to a few TiB). For example, 1 MiB in complex64 (8 bytes) holds "
        "17 qubits. Pass the function itself to check.",
        "编写 max_qubits(memory_bytes, bytes_per_amplitude)：返回其态矢量（2**n 个振幅，每个 "
        "bytes_per_amplitude 字节）能放进 memory_bytes 的最大量子比特数 n（int）；连一个量子"
        "比特都放不下时返回 0。两个参数都是正整数（内存最多几个 TiB）。例如 1 MiB 在 complex64"
        "（8 字节）下能放 17 个量子比特。把函数本身传给 check。"
    ),
    checker=guarded(_check_max_qubits),
    hints=[
        Text("Write the condition first: 2**n * bytes_per_amplitude <= memory_bytes. You want "
             "the largest n that satisfies it.",
             "先写出条件：2**n * bytes_per_amplitude <= memory_bytes。你要的是满足它的最大 n。"),
        Text("Solving for n gives a logarithm; which way must it be rounded? Test your function "
             "on a memory that is exactly a power of two, and one byte less.",
             "对 n 求解会得到一个对数；它该往哪个方向取整？用恰好是 2 的幂的内存和少一个字节的"
             "内存测试你的函数。"),
        Text("np.log2 followed by the right rounding works at these sizes; integer arithmetic is "
             "exact at any size: for a positive int k, Python's k.bit_length() is "
             "floor(log2(k)) + 1. A while loop that counts up works too.",
             "在这些规模下，np.log2 再配上正确的取整就行；整数运算在任何规模下都精确：对正整数 k，"
             "Python 的 k.bit_length() 等于 floor(log2(k)) + 1。用 while 循环往上数也可以。"),
    ],
    solution_text=Text(
        "def max_qubits(memory_bytes, bytes_per_amplitude):\n"
        "    amplitudes = memory_bytes // bytes_per_amplitude\n"
        "    return max(amplitudes.bit_length() - 1, 0)",
        "def max_qubits(memory_bytes, bytes_per_amplitude):\n"
        "    # 参考答案：能放下的振幅个数，再取 floor(log2)\n"
        "    amplitudes = memory_bytes // bytes_per_amplitude\n"
        "    return max(amplitudes.bit_length() - 1, 0)  # 一个振幅 (n = 0) 也记为 0"
    ),
)
