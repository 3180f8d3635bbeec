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
from clipq_edu.exercises._core import (
    ChoiceExercise,
    FunctionExercise,
    NumericExercise,
    round_significant,
)
from clipq_edu.i18n import Text, tr
from clipq_edu.quantum import landscapes, sampling

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]

q1 = NumericExercise(
    "05.1",
    Text(
        "The 2-design variance of a gradient, Var = d/(3(d²−1)) with d = 2ⁿ "
        "(cq.quantum.haar_gradient_variance): by what factor does it shrink from n = 1 to "
        "n = 3 qubits? Give the factor (a number above 1) to three significant figures.",
        "梯度的 2-设计方差 Var = d/(3(d²−1))，其中 d = 2ⁿ（cq.quantum.haar_gradient_variance）："
        "n = 1 个量子比特时的方差是 n = 3 个量子比特时的多少倍？请给出这个倍数（大于 1 的数），"
        "保留三位有效数字。",
    ),
    expected=lambda: landscapes.haar_gradient_variance(1) / landscapes.haar_gradient_variance(3),
    rtol=1e-3,
    digits=3,
    shown=("5.25",),
    mistakes=[
        (lambda: landscapes.haar_gradient_variance(3) / landscapes.haar_gradient_variance(1),
         Text("that is the ratio the other way round (3 qubits over 1): the question asks by "
              "what factor the variance shrinks, a number above 1",
              "这是反过来的比值（3 个比特除以 1 个）：题目问的是方差缩小的倍数，它大于 1")),
        (lambda: (2.0**-1 / 3) / (2.0**-3 / 3),
         Text("that is the factor of the large-d approximation 2⁻ⁿ/3; at d = 2 and d = 8 the −1 "
              "in d² − 1 is not negligible: use the exact formula",
              "这是大 d 近似 2⁻ⁿ/3 给出的倍数；在 d = 2 和 d = 8 时，d² − 1 中的 −1 不可忽略："
              "请用精确公式")),
        (lambda: math.sqrt(landscapes.haar_gradient_variance(1)
                           / landscapes.haar_gradient_variance(3)),
         Text("that is the factor of the standard deviation (its square root); the question "
              "asks about the variance",
              "这是标准差的倍数（方差倍数的平方根）；题目问的是方差")),
    ],
    hints=[
        Text(
            "Evaluate d/(3(d²−1)) at d = 2 (one qubit) and at d = 8 (three qubits), then divide "
            "the first by the second.",
            "分别在 d = 2（一个量子比特）和 d = 8（三个量子比特）处计算 d/(3(d²−1))，"
            "再用前者除以后者。",
        ),
        Text(
            "For large d the formula is close to 2⁻ⁿ/3, but at these small d the −1 in d² − 1 "
            "changes the factor: compute it exactly.",
            "d 很大时公式接近 2⁻ⁿ/3，但在这么小的 d 下，d² − 1 中的 −1 会改变这个倍数：请精确计算。",
        ),
        Text(
            "haar_gradient_variance(1) / haar_gradient_variance(3).",
            "计算 haar_gradient_variance(1) / haar_gradient_variance(3)。",
        ),
    ],
    solution_text=Text(
        "haar_gradient_variance(1) / haar_gradient_variance(3) = (2/9) / (8/189) = 5.25: "
        "more than the factor 4 of the approximation 2⁻ⁿ/3, because the −1 in d² − 1 matters "
        "at d = 2 and 8; for larger n the factor per added qubit approaches 2, the exponential "
        "decay of a barren plateau.",
        "haar_gradient_variance(1) / haar_gradient_variance(3) = (2/9) / (8/189) = 5.25："
        "比近似式 2⁻ⁿ/3 给出的倍数 4 大，因为在 d = 2 和 8 时 d² − 1 中的 −1 不可忽略；"
        "n 更大时每增加一个量子比特的倍数趋近 2，这正是贫瘠高原的指数衰减。",
    ),
)


q2 = NumericExercise(
    "05.2",
    Text(
        "A gradient of typical size √Var at n = 12 (deep random circuit): how many shots per "
        "parameter-shift term does it take to resolve it at z = 2 (the exact integer)? Use "
        "cq.quantum.shots_to_resolve and cq.quantum.haar_gradient_variance.",
        "n = 12 时（深层随机线路），一个典型大小为 √Var 的梯度：要在 z = 2 下分辨出它，"
        "参数平移公式中的每一项需要多少次测量（给出精确整数）？使用 cq.quantum.shots_to_resolve 和 "
        "cq.quantum.haar_gradient_variance。",
    ),
    expected=lambda: sampling.shots_to_resolve(
        math.sqrt(landscapes.haar_gradient_variance(12)), z=2.0),
    rtol=0,
    atol=0.5,
    shown=("24 576",),
    mistakes=[
        (lambda: sampling.shots_to_resolve(landscapes.haar_gradient_variance(12), z=2.0),
         Text("you used the variance as the gradient's size: the typical size of a zero-mean "
              "gradient is the square root of its variance",
              "你把方差当成了梯度的大小：均值为零的梯度，其典型大小是方差的平方根")),
        (lambda: sampling.shots_to_resolve(
            math.sqrt(landscapes.haar_gradient_variance(12)), z=1.0),
         Text("that resolves the gradient at one standard error (z = 1); the question asks for "
              "z = 2", "这是在一个标准误差（z = 1）下分辨梯度；题目要求 z = 2")),
        (lambda: math.ceil(2.0**2 / landscapes.haar_gradient_variance(12)),
         Text("you took the variance of one shift term as 1: the estimate is half the "
              "difference of two terms, so its variance per shot is at most ½",
              "你把一项的方差取成了 1：梯度估计是两项之差的一半，所以每次测量的方差至多为 ½")),
        (lambda: round_significant(sampling.shots_to_resolve(
            math.sqrt(landscapes.haar_gradient_variance(12)), z=2.0), 3),
         Text("that is the count rounded to 3 figures: give the exact integer",
              "这是取了 3 位有效数字的次数：请给出精确的整数")),
        (lambda: math.floor(2.0**2 * 0.5 / landscapes.haar_gradient_variance(12)),
         Text("you rounded z²·½/Var down: fewer shots than that leave the standard error above "
              "|g|/2, so round up",
              "你把 z²·½/Var 向下取整了：次数再少，标准误差就会大于 |g|/2，所以要向上取整")),
    ],
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
        "shots_to_resolve(sqrt(haar_gradient_variance(12))) = 24 576 shots "
        "per term (z² · ½ / Var with Var ≈ 2**-12/3): the budget doubles with every qubit.",
        "shots_to_resolve(sqrt(haar_gradient_variance(12))) = 24 576，即每一项需要"
        "这么多次测量（z² · ½ / Var，其中 Var ≈ 2**-12/3）：每多一个量子比特，测量预算就翻一倍。",
    ),
)

q3 = ChoiceExercise(
    "05.3",
    Text(
        "You clip the gradients of a 10-qubit random circuit by value at 1e-3. What happens to "
        "the variance of the gradient across random initialisations?",
        "你对一个 10 量子比特随机线路的梯度按值以 1e-3 为阈值裁剪。在不同的随机初始化之间，"
        "梯度的方差会怎样变化？",
    ),
    options={
        "a": Text(
            "It grows, because small gradients are pushed up to the bound.",
            "变大，因为小梯度被推高到了阈值。",
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
            "clip(g) 要么把 g 往 0 拉，要么保持不变：低于阈值的梯度原封不动，绝不会被推高。",
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
        "分别取小于阈值和大于阈值的 g，比较 |clip(g)| 与 |g|。",
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
    mistakes=[
        (lambda: landscapes.product_cost_gradient_variance(6, "local"),
         Text("that is the local cost's variance; the question asks about the global cost",
              "这是局部代价函数的方差；题目问的是全局代价函数")),
        (lambda: landscapes.product_cost_gradient_variance(7, "global"),
         Text("one factor 3/8 too many: the qubit of θ₁ contributes 1/8, only the n − 1 other "
              "qubits contribute 3/8 each",
              "多乘了一个 3/8：θ₁ 所在的量子比特贡献 1/8，只有其余 n − 1 个量子比特各贡献 3/8")),
    ],
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
        "A colleague trains a 12-qubit, depth-40 McClean circuit from 100 shots per term and "
        "sees gradients that look like pure noise from the first step. Which single change "
        "gives the first steps a gradient above the shot noise?",
        "一位同事用每项 100 次测量训练一个 12 量子比特、深度 40 的 McClean 线路，从第一步起"
        "梯度看起来就是纯噪声。哪一个单独的改动能让最初几步的梯度高于散粒噪声？",
    ),
    options={
        "a": Text("Clip the gradient by global norm at 0.1.", "按全局范数、以 0.1 为阈值裁剪梯度。"),
        "b": Text("Use depth 100 instead, so the circuit is closer to random.",
                  "改用深度 100，让线路更接近随机。"),
        "c": Text(
            "Draw the first half of the angles at random and set the second half so that "
            "it undoes the first, then train all of them.",
            "前一半角度随机抽取，后一半角度设成恰好抵消前一半，然后训练全部角度。",
        ),
        "d": Text("Multiply the learning rate by 10.", "把学习率乘以 10。"),
    },
    correct="c",
    explanations={
        "a": Text(
            "clipping only shortens gradients: the true gradient stays as small next to the "
            "noise as before.",
            "裁剪只会缩短梯度：真实梯度相对噪声仍然一样小。",
        ),
        "b": Text(
            "deeper makes it worse: the variance falls towards the 2-design value 2⁻ⁿ/3 as the "
            "circuit becomes random.",
            "更深只会更糟：线路越接近随机，方差越接近 2-设计的值 2⁻ⁿ/3。",
        ),
        "c": Text(
            "right: that is identity-block initialisation (Grant et al. 2019). The circuit "
            "starts as the identity, so the gradient is that of a shallow circuit (variance "
            "1/18 for every n here): its norm is several times the random start's and above "
            "the shot noise (about 1.5× at 100 shots for this circuit).",
            "正确：这就是恒等块初始化（Grant et al. 2019）。线路从恒等变换开始，梯度与浅层线路"
            "的梯度相同（这里对每个 n 方差都是 1/18）：它的范数是随机起点的好几倍，并高于散粒噪声"
            "（对这个线路，100 次测量时约为 1.5 倍）。",
        ),
        "d": Text(
            "a larger step multiplies the noise as much as the tiny gradient: the direction "
            "is still mostly noise.",
            "更大的步长把噪声和微小的梯度放大同样的倍数：方向仍然主要是噪声。",
        ),
    },
    hints=[Text(
        "Which option changes the circuit the gradient sees at the start, rather than the "
        "step taken?",
        "哪个选项改变的是开始时梯度所“看到”的线路，而不是所迈的步？",
    )],
    solution_text=Text(
        "(c): identity blocks make the effective circuit shallow at the start.",
        "(c)：恒等块让有效线路在训练开始时是浅层的。",
    ),
)


def _reference_local_cost(z: Any) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return 1.0 - np.mean((1.0 + z) / 2.0, axis=-1)


def _cirq_states(n: int, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    """State vectors of random entangled circuits (rx, ry on every qubit, a CZ ladder, twice),
    simulated by Cirq."""
    import cirq

    qs = cirq.LineQubit.range(n)
    out = []
    for _ in range(count):
        ops = []
        for _layer in range(2):
            angles = rng.uniform(0, 2 * np.pi, (n, 2))
            ops += [cirq.rx(angles[j, 0])(q) for j, q in enumerate(qs)]
            ops += [cirq.ry(angles[j, 1])(q) for j, q in enumerate(qs)]
            ops += [cirq.CZ(qs[j], qs[j + 1]) for j in range(n - 1)]
        out.append(cirq.Simulator(dtype=np.complex128).simulate(
            cirq.Circuit(ops), qubit_order=qs).final_state_vector)
    return out


def _z_and_local_cost(states: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """⟨Z_j⟩ of each state (Cirq's PauliString expectation) and, computed another way, the
    local cost from the bitstring probabilities: P(qubit j reads 0) summed over the 2ⁿ
    bitstrings whose bit j is 0 (qubit 0 the most significant bit)."""
    import cirq

    qs = cirq.LineQubit.range(n)
    z = np.array([[cirq.Z(q).expectation_from_state_vector(psi, {p: i for i, p in enumerate(qs)})
                   .real for q in qs] for psi in states])
    probs = np.abs(np.array(states)) ** 2
    bits = (np.arange(2**n)[:, None] >> (n - 1 - np.arange(n))) & 1  # (2ⁿ, n)
    p0 = probs @ (bits == 0)  # (states, n)
    return z, 1.0 - p0.mean(axis=-1)


def _local_cost_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(what, z, the local cost) for the printed edge cases and hidden Cirq states."""
    rng = np.random.default_rng(9)
    fixed = [
        (tr("all qubits in |0⟩ (every ⟨Z⟩ = 1)", "所有量子比特都处于 |0⟩（每个 ⟨Z⟩ = 1）"),
         np.ones(4)),
        (tr("all qubits in |1⟩ (every ⟨Z⟩ = −1)", "所有量子比特都处于 |1⟩（每个 ⟨Z⟩ = −1）"),
         -np.ones(3)),
        (tr("one qubit flipped out of 8", "其中一个被翻转的 8 个量子比特"),
         np.array([1, 1, 1, -1, 1, 1, 1, 1.0])),
        (tr("a single qubit", "单个量子比特"), np.array([0.2])),
    ]
    cases = [(what, z, _reference_local_cost(z)) for what, z in fixed]
    for n in (2, 5):  # hidden: entangled states simulated by Cirq, one at a time
        z, cost = _z_and_local_cost(_cirq_states(n, 1, rng), n)
        cases.append((tr(f"a hidden entangled state of {n} qubits",
                         f"一个隐藏的 {n} 量子比特纠缠态"), z[0], cost[0]))
    z, cost = _z_and_local_cost(_cirq_states(3, 4, rng), 3)
    cases.append((tr("a hidden batch of 4 states of 3 qubits (shape (4, 3))",
                     "一批隐藏的 4 个 3 量子比特的态（形状 (4, 3)）"), z, cost))
    z, cost = _z_and_local_cost(_cirq_states(4, 6, rng), 4)
    cases.append((tr("a hidden batch of shape (2, 3, 4): 2×3 states of 4 qubits",
                     "一批隐藏的形状为 (2, 3, 4) 的输入：2×3 个 4 量子比特的态"),
                  z.reshape(2, 3, 4), cost.reshape(2, 3)))
    return cases


def _check_local_cost(fn: Any) -> str:
    require_callable(fn, "local_cost(z)")
    for what, z, want in _local_cost_cases():
        z_in = z.copy()
        out = as_array(call(fn, z_in, what=what), want.shape, what)
        if not np.array_equal(z_in, z):
            raise StudentError(tr(f"for {what} your function changed its input in place",
                                  f"对于{what}，你的函数原地修改了它的输入"))
        if np.allclose(out, want, rtol=1e-7, atol=1e-9):
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
        "entry (a float for a 1-D z). check runs it on edge cases and on hidden entangled "
        "states whose cost it computes another way, from Cirq's bitstring probabilities. "
        "Pass the function itself to check.",
        "编写 local_cost(z)：由单量子比特期望值 z[..., j] = ⟨Z_j⟩（一个 NumPy 数组，最后一个轴"
        "遍历 n 个量子比特，前面的轴是批量维度）计算 Cerezo et al. (2021) 的局部代价函数 "
        "C_L = 1 − (1/n) Σⱼ P(量子比特 j 读出 0)。为批量中的每个条目返回一个代价（一维的 z 返回"
        "一个浮点数）。check 会在边界情形以及隐藏的纠缠态上运行它，并用另一种方法（由 Cirq "
        "给出的比特串概率）计算这些态的代价。把函数本身传给 check。",
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
            "The idea: turn every ⟨Z_j⟩ into a probability, then average with np.mean over "
            "axis=-1 (the qubit axis), so a batch keeps its leading axes.",
            "思路：先把每个 ⟨Z_j⟩ 换算成概率，再用 np.mean 沿 axis=-1（量子比特轴）取平均，"
            "这样批量的前几个轴得以保留。",
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


def _reference_slope(ns: np.ndarray, variances: np.ndarray) -> float:
    """The least-squares slope written out: cov(n, log2 v) / var(n)."""
    y = np.log2(variances)
    dn = ns - ns.mean()
    return float(np.sum(dn * (y - y.mean())) / np.sum(dn * dn))


def _slope_cases() -> list[tuple[str, list[float], list[float]]]:
    rng = np.random.default_rng(51)
    ns = np.arange(2, 9)
    cases = [(tr("the example: variance 2**-n / 3 for n = 2..8",
                 "示例：n = 2 到 8 时方差为 2**-n / 3"),
              ns.tolist(), (2.0**-ns / 3).tolist())]
    for k in range(3):  # hidden exact exponentials, qubit counts not consecutive, not sorted
        n_k = rng.permutation(rng.choice(np.arange(1, 21), size=5 + k, replace=False))
        slope, b = rng.uniform(-1.6, -0.2), rng.uniform(-3, 1)
        cases.append((tr(f"hidden decay {k + 1} (exact, n unsorted)",
                         f"隐藏的衰减 {k + 1}（精确，n 未排序）"),
                      n_k.tolist(), (2.0 ** (slope * n_k + b)).tolist()))
    for k in range(2):  # hidden noisy measurements
        n_k = np.arange(3, 11)
        v = 2.0 ** (rng.uniform(-1.2, -0.4) * n_k) * np.exp(rng.normal(0, 0.3, n_k.size))
        cases.append((tr(f"hidden noisy measurement {k + 1}", f"隐藏的含噪测量 {k + 1}"),
                      n_k.tolist(), v.tolist()))
    cases.append((tr("a flat line (no plateau)", "一条水平线（没有高原）"),
                  [4, 6, 8], [0.05, 0.05, 0.05]))
    return cases


def _check_slope(fn: Any) -> str:
    require_callable(fn, "log2_slope(ns, variances)")
    for what, ns, v in _slope_cases():
        ns_in, v_in = list(ns), list(v)
        want = _reference_slope(np.asarray(ns, float), np.asarray(v, float))
        out = call(fn, ns_in, v_in, what=what)
        if isinstance(out, (tuple, list)) or np.ndim(out) != 0:
            raise StudentError(tr(f"for {what} return one number, the slope (not the line's "
                                  "slope and intercept)",
                                  f"对于{what}，请只返回一个数，即斜率（而不是直线的斜率和截距）"))
        got = float(as_array(out, (), what))
        if ns_in != ns or v_in != v:
            raise StudentError(tr(f"for {what} your function changed its input lists in place",
                                  f"对于{what}，你的函数原地修改了输入的列表"))
        if abs(got - want) <= 1e-6 * max(1.0, abs(want)):
            continue
        x, y = np.asarray(ns, float), np.asarray(v, float)
        order = np.argsort(x)
        ends = (np.log2(y[order][-1]) - np.log2(y[order][0])) / (x[order][-1] - x[order][0])
        if want and abs(got - want * np.log(2)) < 1e-6:
            raise StudentError(tr(f"for {what} that slope is in natural-log units: the "
                                  "question asks for log2 (a halving per qubit is −1)",
                                  f"对于{what}，这个斜率是以自然对数为单位的：题目要的是 log2"
                                  "（每个量子比特减半对应 −1）"))
        if want and abs(got - want * np.log10(2)) < 1e-6:
            raise StudentError(tr(f"for {what} that slope is in log10 units: use log2",
                                  f"对于{what}，这个斜率是以 log10 为单位的：请用 log2"))
        if want and abs(got - 1 / want) < 1e-6 * max(1.0, abs(1 / want)):
            raise StudentError(tr(f"for {what} the axes are swapped: fit log2(variance) as a "
                                  "function of n, not n as a function of log2(variance)",
                                  f"对于{what}，坐标轴弄反了：应把 log2(方差) 拟合为 n 的函数，"
                                  "而不是把 n 拟合为 log2(方差) 的函数"))
        if abs(got - np.polyfit(x, y, 1)[0]) < 1e-9:
            raise StudentError(tr(f"for {what} that is a straight line through the variances "
                                  "themselves: an exponential decay is a straight line only "
                                  "after taking log2",
                                  f"对于{what}，这是对方差本身拟合的直线：指数衰减只有在取 log2 "
                                  "之后才是直线"))
        if abs(got - ends) < 1e-9:
            raise StudentError(tr(f"for {what} that is the slope between the two end points: "
                                  "use every point (a least-squares fit); a noisy end point "
                                  "would otherwise decide the answer",
                                  f"对于{what}，这是两个端点之间的斜率：请使用所有的点"
                                  "（最小二乘拟合），否则一个有噪声的端点就会决定结果"))
        raise StudentError(tr(f"for {what} the slope is wrong: it should be the least-squares "
                              "slope of log2(variance) against n",
                              f"对于{what}，斜率不对：应为 log2(方差) 对 n 的最小二乘斜率"))
    return tr("your log2_slope fits the decay as the chapter does: −1 is a halving of the "
              "variance per qubit, the signature of a barren plateau.",
              "你的 log2_slope 与本章的拟合方式一致：−1 表示每个量子比特让方差减半，"
              "这正是贫瘠高原的标志。")


q7 = FunctionExercise(
    "05.7",
    Text(
        "Write log2_slope(ns, variances): given qubit counts ns and the measured gradient "
        "variances at those n (two lists of the same length, ns not necessarily sorted), "
        "return the slope of the least-squares straight line through the points "
        "(n, log2 variance), as one float. A variance that halves with every qubit gives −1. "
        "Use NumPy only (not the library's fit_log2_slope); check runs it on hidden exact and "
        "noisy decays. Pass the function itself to check.",
        "编写 log2_slope(ns, variances)：给定量子比特数 ns 和在这些 n 处测得的梯度方差"
        "（两个等长的列表，ns 不一定有序），返回穿过点 (n, log2 方差) 的最小二乘直线的斜率，"
        "结果为一个浮点数。方差每多一个量子比特就减半时，斜率为 −1。只用 NumPy（不要用库里的 "
        "fit_log2_slope）；check 会在隐藏的精确衰减和含噪衰减上运行它。把函数本身传给 check。",
    ),
    checker=guarded(_check_slope),
    hints=[
        Text(
            "An exponential decay v = A·2^(s·n) becomes a straight line after a logarithm: "
            "log2 v = s·n + log2 A. The slope s is what you want.",
            "指数衰减 v = A·2^(s·n) 取对数后变成直线：log2 v = s·n + log2 A。你要的就是斜率 s。",
        ),
        Text(
            "Use every point, not just the two ends: the least-squares slope is "
            "Σ(n − n̄)(y − ȳ) / Σ(n − n̄)² with y = log2 v.",
            "使用所有的点，而不只是两个端点：最小二乘斜率是 Σ(n − n̄)(y − ȳ) / Σ(n − n̄)²，"
            "其中 y = log2 v。",
        ),
        Text(
            "NumPy has both pieces: np.log2 and np.polyfit (a degree-1 fit gives the slope "
            "first, then the intercept).",
            "NumPy 提供了这两样东西：np.log2 和 np.polyfit（一次拟合先给出斜率，再给出截距）。",
        ),
    ],
    solution_text=Text(
        "def log2_slope(ns, variances):\n"
        "    slope, _ = np.polyfit(np.asarray(ns, float), np.log2(variances), 1)\n"
        "    return float(slope)",
        "def log2_slope(ns, variances):\n"
        "    # 对 (n, log2 方差) 做一次最小二乘拟合，取斜率\n"
        "    slope, _ = np.polyfit(np.asarray(ns, float), np.log2(variances), 1)\n"
        "    return float(slope)",
    ),
)
