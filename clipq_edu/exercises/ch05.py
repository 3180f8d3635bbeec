"""Exercises of chapter 05: barren plateaus, clipping on a plateau, noise and shot budgets.

>>> from clipq_edu.exercises import ch05 as ex
>>> ex.q1.check(None).correct
False
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise
from clipq_edu.i18n import Text, tr
from clipq_edu.quantum import landscapes, sampling

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]

q1 = NumericExercise(
    "05.1",
    Text(
        "Deep random circuits: by what factor does Var[∂⟨Z0Z1⟩/∂θ] shrink when you go from 9 to "
        "10 qubits? Use cq.quantum.haar_gradient_variance.",
        "深层随机线路：从 9 个量子比特增加到 10 个时，Var[∂⟨Z0Z1⟩/∂θ] 缩小为原来的几分之一？"
        "请给出缩小的倍数。使用 cq.quantum.haar_gradient_variance。",
    ),
    expected=lambda: landscapes.haar_gradient_variance(9) / landscapes.haar_gradient_variance(10),
    rtol=1e-3,
    digits=3,
    shown=("2.00",),
    hints=[
        Text(
            "The plateau's variance is d/(3(d²−1)) with d = 2**n. What does it look like for large "
            "d?",
            "高原上的方差是 d/(3(d²−1))，其中 d = 2**n。d 很大时它近似成什么样？",
        ),
        Text(
            "d/(3(d²−1)) ≈ 1/(3d) = 2**-n / 3: one more qubit doubles d. Expect a factor close "
            "to 2, and compute it exactly.",
            "d/(3(d²−1)) ≈ 1/(3d) = 2**-n / 3：每多一个量子比特，d 就翻一倍。"
            "预期倍数接近 2，再把它精确算出来。",
        ),
        Text(
            "haar_gradient_variance(9) / haar_gradient_variance(10).",
            "计算 haar_gradient_variance(9) / haar_gradient_variance(10)。",
        ),
    ],
    solution_text=Text(
        "haar_gradient_variance(9) / haar_gradient_variance(10) = 2.0000057 ≈ 2.00: "
        "each added qubit halves the variance, the exponential decay of a barren plateau (the "
        "tiny excess over 2 comes from the −1 in d² − 1).",
        "haar_gradient_variance(9) / haar_gradient_variance(10) = 2.0000057 ≈ 2.00："
        "每增加一个量子比特，方差就减半，这正是贫瘠高原的指数衰减（比 2 略多出的一点来自 "
        "d² − 1 中的 −1）。",
    ),
)

q2 = NumericExercise(
    "05.2",
    Text(
        "A gradient of typical size √Var at n = 12 (deep random circuit): how many shots per "
        "parameter-shift term does it take to resolve it at z = 2? Use cq.quantum.shots_to_resolve "
        "and cq.quantum.haar_gradient_variance.",
        "n = 12 时（深层随机线路），一个典型大小为 √Var 的梯度：要在 z = 2 下分辨出它，"
        "参数平移公式中的每一项需要多少次测量？使用 cq.quantum.shots_to_resolve 和 "
        "cq.quantum.haar_gradient_variance。",
    ),
    expected=lambda: sampling.shots_to_resolve(
        math.sqrt(landscapes.haar_gradient_variance(12)), z=2.0),
    rtol=1e-3,
    digits=3,
    shown=("24 600", "24 576"),
    hints=[
        Text(
            "The typical size of a zero-mean gradient is its standard deviation: the square root "
            "of the variance.",
            "均值为零的梯度，其典型大小就是它的标准差：方差的平方根。",
        ),
        Text(
            "To resolve g at z = 2 the standard error must be |g|/2; one shot-pair term has "
            "variance ½, so N = z² · ½ / g².",
            "要在 z = 2 下分辨出 g，标准误差必须是 |g|/2；由一对测量组成的一项方差为 ½，"
            "所以 N = z² · ½ / g²。",
        ),
        Text(
            "shots_to_resolve(math.sqrt(haar_gradient_variance(12)), z=2.0).",
            "计算 shots_to_resolve(math.sqrt(haar_gradient_variance(12)), z=2.0)。",
        ),
    ],
    solution_text=Text(
        "shots_to_resolve(sqrt(haar_gradient_variance(12))) = 24 576 ≈ 24 600 shots "
        "per term (z² · ½ / Var with Var ≈ 2**-12/3): the budget doubles with every qubit.",
        "shots_to_resolve(sqrt(haar_gradient_variance(12))) = 24 576 ≈ 24 600，即每一项需要"
        "这么多次测量（z² · ½ / Var，其中 Var ≈ 2**-12/3）：每多一个量子比特，测量预算就翻一倍。",
    ),
)

q3 = ChoiceExercise(
    "05.3",
    Text(
        "You clip the gradients of a 10-qubit random circuit by value at 1e-3. What happens to "
        "the variance of the gradient across random initialisations?",
        "你对一个 10 量子比特随机线路的梯度按值在 1e-3 处裁剪。在不同的随机初始化之间，"
        "梯度的方差会怎样变化？",
    ),
    options={
        "a": Text(
            "It grows, because small gradients are pushed up to the bound.",
            "变大，因为小梯度被推高到了上界。",
        ),
        "b": Text(
            "It stays the same or shrinks: clipping never enlarges any gradient.",
            "不变或变小：裁剪从不放大任何梯度。",
        ),
        "c": Text(
            "It returns to the 1-qubit value, which cures the plateau.",
            "回到 1 个量子比特时的值，从而治好了高原问题。",
        ),
    },
    correct="b",
    explanations={
        "a": Text(
            "clip(g) moves g towards 0 or leaves it: a gradient below the bound is untouched, "
            "never pushed up.",
            "clip(g) 要么把 g 往 0 拉，要么保持不变：低于上界的梯度原封不动，绝不会被推高。",
        ),
        "b": Text(
            "right: clipping is a 1-Lipschitz map towards 0, so it cannot increase the spread "
            "of the gradients. A vanishing gradient needs another remedy.",
            "正确：裁剪是一个朝向 0 的 1-Lipschitz 映射，所以它不可能增大梯度的离散程度。"
            "梯度消失需要别的对策。",
        ),
        "c": Text(
            "clipping only ever reduces magnitudes; it has nothing to add to a vanishing "
            "gradient.",
            "裁剪只会减小幅度；对于梯度消失，它无能为力。",
        ),
    },
    hints=[Text(
        "Compare |clip(g)| with |g| for a g smaller than the bound and for one larger.",
        "分别对小于上界和大于上界的 g，比较 |clip(g)| 与 |g|。",
    )],
    solution_text=Text(
        "(b). |clip(g)| ≤ |g| and clip is 1-Lipschitz, so Var[clip(g)] ≤ Var[g].",
        "(b)。|clip(g)| ≤ |g|，且 clip 是 1-Lipschitz 的，所以 Var[clip(g)] ≤ Var[g]。",
    ),
)

q4 = NumericExercise(
    "05.4",
    Text(
        "Global cost on a depth-1 product circuit (Cerezo et al. 2021): give Var[∂C_G/∂θ₁] at "
        "n = 6 qubits. Use cq.quantum.product_cost_gradient_variance.",
        "深度为 1 的直积线路上的全局代价函数（Cerezo et al. 2021）：给出 n = 6 个量子比特时的 "
        "Var[∂C_G/∂θ₁]。使用 cq.quantum.product_cost_gradient_variance。",
    ),
    expected=lambda: landscapes.product_cost_gradient_variance(6, "global"),
    rtol=1e-6,
    digits=2,
    shown=("9.3e-4",),
    hints=[
        Text(
            "C_G = 1 − Πⱼ P(qubit j reads 0): the gradient with respect to θ₁ carries a factor "
            "from every other qubit.",
            "C_G = 1 − Πⱼ P(量子比特 j 读出 0)：对 θ₁ 的梯度带有来自其他每一个量子比特的因子。",
        ),
        Text(
            "Each of the n − 1 other factors contributes 3/8 to the variance, the qubit of θ₁ "
            "itself 1/8: (1/8)·(3/8)**(n−1).",
            "其余 n − 1 个因子各为方差贡献 3/8，θ₁ 所在的量子比特本身贡献 1/8："
            "(1/8)·(3/8)**(n−1)。",
        ),
        Text(
            "product_cost_gradient_variance(6, 'global').",
            "计算 product_cost_gradient_variance(6, 'global')。",
        ),
    ],
    solution_text=Text(
        "(1/8)(3/8)**5 = 9.27e-4 ≈ 9.3e-4, while the local cost gives 1/(8·36) ≈ "
        "3.5e-3 and falls only as 1/n².",
        "(1/8)(3/8)**5 = 9.27e-4 ≈ 9.3e-4，而局部代价函数给出 1/(8·36) ≈ 3.5e-3，"
        "并且只按 1/n² 下降。",
    ),
)

q5 = ChoiceExercise(
    "05.5",
    Text(
        "Which remedy keeps the gradient variance of the first rotation flat as n grows?",
        "哪种对策能让第一个旋转门的梯度方差在 n 增大时保持不变？",
    ),
    options={
        "a": Text("Clipping by global norm with a small bound.", "用较小的上界按全局范数裁剪。"),
        "b": Text("A larger learning rate.", "更大的学习率。"),
        "c": Text(
            "Identity-block initialisation (Grant et al. 2019).",
            "恒等块初始化（Grant et al. 2019）。",
        ),
        "d": Text("More depolarising noise.", "更多的去极化噪声。"),
    },
    correct="c",
    explanations={
        "a": Text(
            "clipping only shrinks gradients: a plateau stays a plateau.",
            "裁剪只会缩小梯度：高原依然是高原。",
        ),
        "b": Text(
            "a larger step multiplies a tiny gradient; it does not make the direction "
            "measurable and it amplifies shot noise as much.",
            "更大的步长只是把微小的梯度乘大；它并不能让方向变得可测，而且会同样程度地放大"
            "散粒噪声。",
        ),
        "c": Text(
            "right: at initialisation the circuit after the gate is the identity, so the "
            "gradient is that of a shallow circuit (variance 1/18 for every n here).",
            "正确：初始化时，这个门之后的线路是恒等变换，所以梯度与浅层线路的梯度相同"
            "（这里对每个 n 方差都是 1/18）。",
        ),
        "d": Text(
            "noise makes it worse: it flattens the landscape exponentially in depth.",
            "噪声只会让情况更糟：它让代价曲面随深度指数级地变平。",
        ),
    },
    hints=[Text(
        "Which option changes the circuit the gradient sees, rather than the step?",
        "哪个选项改变的是梯度所“看到”的线路，而不是步长？",
    )],
    solution_text=Text(
        "(c): identity blocks make the effective circuit shallow at the start.",
        "(c)：恒等块让有效线路在训练开始时是浅层的。",
    ),
)


def _reference_local_cost(z: Any) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return 1.0 - np.mean((1.0 + z) / 2.0, axis=-1)


def _local_cost_cases() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(9)
    return [
        (tr("all qubits in |0⟩ (every ⟨Z⟩ = 1)", "所有量子比特都处于 |0⟩（每个 ⟨Z⟩ = 1）"),
         np.ones(4)),
        (tr("all qubits in |1⟩ (every ⟨Z⟩ = −1)", "所有量子比特都处于 |1⟩（每个 ⟨Z⟩ = −1）"),
         -np.ones(3)),
        (tr("one qubit flipped out of 8", "其中一个被翻转的 8 个量子比特"),
         np.array([1, 1, 1, -1, 1, 1, 1, 1.0])),
        (tr("a single qubit", "单个量子比特"), np.array([0.2])),
        (tr("random ⟨Z⟩ of 6 qubits", "随机的 ⟨Z⟩（6 个量子比特）"), rng.uniform(-1, 1, 6)),
        (tr("a batch of 5 circuits with 3 qubits each (shape (5, 3))",
            "一批 5 个线路、每个 3 个量子比特（形状 (5, 3)）"), rng.uniform(-1, 1, (5, 3))),
    ]


def _check_local_cost(fn: Any) -> str:
    require_callable(fn, "local_cost(z)")
    for what, z in _local_cost_cases():
        z_in = z.copy()
        want = _reference_local_cost(z)
        out = as_array(call(fn, z_in, what=what), want.shape, what)
        if not np.array_equal(z_in, z):
            raise StudentError(tr(f"for {what} your function changed its input in place",
                                  f"对于{what}，你的函数原地修改了它的输入"))
        if np.allclose(out, want, rtol=1e-9, atol=1e-12):
            continue
        p0 = (1 + z) / 2
        if np.allclose(out, 1 - np.prod(p0, axis=-1), atol=1e-9):
            raise StudentError(tr(f"for {what} that is the global cost 1 − Πⱼ P(qubit j reads 0): "
                                  "a product of n probabilities, which is why it plateaus. The "
                                  "local cost averages them instead",
                                  f"对于{what}，这是全局代价函数 1 − Πⱼ P(量子比特 j 读出 0)："
                                  "它是 n 个概率的乘积，这正是它陷入高原的原因。局部代价函数则是"
                                  "对这些概率取平均"))
        if np.allclose(out, 1 - np.mean(z, axis=-1), atol=1e-9):
            raise StudentError(tr(f"for {what} the cost must lie in [0, 1]: turn ⟨Z⟩ into the "
                                  "probability of reading 0, (1 + ⟨Z⟩)/2, before averaging",
                                  f"对于{what}，代价必须落在 [0, 1] 内：取平均之前，先把 ⟨Z⟩ "
                                  "换算成读出 0 的概率 (1 + ⟨Z⟩)/2"))
        if np.allclose(out, 1 - np.sum(p0, axis=-1), atol=1e-9) or np.allclose(
                out, z.shape[-1] - np.sum(p0, axis=-1), atol=1e-9):
            raise StudentError(tr(f"for {what} average over the qubits (divide by n), do not sum",
                                  f"对于{what}，应对量子比特取平均（除以 n），而不是求和"))
        if np.all(z == 1) or np.all(z == -1):
            raise StudentError(tr(f"for {what} the cost is wrong: it is 0 when every qubit reads "
                                  "0 and 1 when none does",
                                  f"对于{what}，代价不对：每个量子比特都读出 0 时它为 0，"
                                  "没有一个读出 0 时它为 1"))
        raise StudentError(tr(f"for {what} the local cost is wrong: C_L = 1 − (1/n) Σⱼ "
                              "P(qubit j reads 0)",
                              f"对于{what}，局部代价函数不对：C_L = 1 − (1/n) Σⱼ "
                              "P(量子比特 j 读出 0)"))
    return tr("your local_cost averages single-qubit probabilities, so changing one qubit moves "
              "it by up to 1/n: that is why its gradient shrinks only polynomially at depth 1.",
              "你的 local_cost 对单量子比特的概率取平均，所以改变一个量子比特最多让它变化 1/n："
              "这就是它的梯度在深度为 1 时只按多项式缩小的原因。")


q6 = FunctionExercise(
    "05.6",
    Text(
        "Write local_cost(z): the local cost C_L = 1 − (1/n) Σⱼ P(qubit j reads 0) of Cerezo et "
        "al. (2021) from the single-qubit expectations z[..., j] = ⟨Z_j⟩ (a NumPy array whose "
        "last axis runs over the n qubits; earlier axes are a batch). Return one cost per batch "
        "entry (a float for a 1-D z). Pass the function itself to check.",
        "编写 local_cost(z)：由单量子比特期望值 z[..., j] = ⟨Z_j⟩（一个 NumPy 数组，最后一个轴"
        "遍历 n 个量子比特，前面的轴是批次）计算 Cerezo et al. (2021) 的局部代价函数 "
        "C_L = 1 − (1/n) Σⱼ P(量子比特 j 读出 0)。批次中每个条目返回一个代价（一维的 z 返回"
        "一个浮点数）。把函数本身传给 check。",
    ),
    checker=guarded(_check_local_cost),
    hints=[
        Text(
            "Z_j has eigenvalue +1 on |0⟩ and −1 on |1⟩, so ⟨Z_j⟩ = P(0) − P(1) = 2 P(0) − 1.",
            "Z_j 在 |0⟩ 上的本征值为 +1，在 |1⟩ 上为 −1，所以 ⟨Z_j⟩ = P(0) − P(1) = 2 P(0) − 1。",
        ),
        Text(
            "P(qubit j reads 0) = (1 + ⟨Z_j⟩)/2; average over the last axis.",
            "P(量子比特 j 读出 0) = (1 + ⟨Z_j⟩)/2；再沿最后一个轴取平均。",
        ),
        Text(
            "return 1 - np.mean((1 + z) / 2, axis=-1)",
            "函数体：return 1 - np.mean((1 + z) / 2, axis=-1)",
        ),
    ],
    solution_text=Text(
        "def local_cost(z):\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    return 1 - np.mean((1 + z) / 2, axis=-1)",
        "def local_cost(z):\n"
        "    # 参考答案：(1 + ⟨Z_j⟩)/2 是量子比特 j 读出 0 的概率，再对最后一个轴取平均\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    return 1 - np.mean((1 + z) / 2, axis=-1)",
    ),
)
