"""Exercises for chapter 04 (具体代码实例): fixing the article's code example.

Answers are computed with the library when checked, never written in the notebook. Nothing
here imports TensorFlow.

Taught in chapter 04.
"""

from __future__ import annotations

from typing import Any

import cirq
import numpy as np

from clipq_edu.clipping import clip_by_global_norm, global_norm
from clipq_edu.course import article
from clipq_edu.exercises._checks import Unanswered
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise
from clipq_edu.i18n import Text, tr

__all__ = ["q1", "q2", "q3", "q4", "q5"]


def _undefined_count() -> int:
    return len(article.undefined_names(article.ARTICLE_LISTING))


q1 = NumericExercise(
    "04.1",
    Text(
        "How many names does the article's listing read without ever defining or importing "
        "them? (Python only finds out at run time, with a NameError.) Answer with a number.",
        "原文的代码清单读取了多少个从未定义、也从未导入的名字？（Python 要到运行时才会发现，"
        "并抛出 NameError。）请用一个数回答。",
    ),
    expected=_undefined_count,
    rtol=0.0,
    atol=0.5,
    shown=("3",),
    hints=[
        Text(
            "Look for names used on the right-hand side or as call targets that no `import`, "
            "assignment, `def` or `for` binds.",
            "找出那些出现在赋值号右边或被调用、却没有任何 `import`、赋值、`def` 或 `for` "
            "绑定过的名字。",
        ),
        Text(
            "`cq.course.article.undefined_names(cq.course.article.ARTICLE_LISTING)` finds them with `ast`. "
            "Two are data, one is a function from an old Qiskit.",
            "`cq.course.article.undefined_names(cq.course.article.ARTICLE_LISTING)` 用 `ast` "
            "把它们找出来。其中两个是数据，一个是旧版 Qiskit 中的函数。",
        ),
    ],
    solution_text=Text(
        "3 names: `X_train` and `y_train` (no data is ever loaded) and `execute` "
        "(never imported, and removed in Qiskit 1.0).",
        "3 个名字：`X_train` 和 `y_train`（从未加载任何数据），以及 `execute`"
        "（从未导入，并且已在 Qiskit 1.0 中移除）。",
    ),
)


def _initialize_numbers() -> tuple[float, int]:
    vector = np.array([0.0, 0.0, 0.0, 0.0])  # the argument of the article's qc.initialize
    n_qubits = len(article.article_chain().all_qubits())
    return float(np.linalg.norm(vector)), 2**n_qubits


q2 = NumericExercise(
    "04.2",
    Text(
        "The article calls `qc.initialize([0, 0, 0, 0], range(4))`. Give two numbers as a "
        "tuple: (the L2 norm of that vector, the number of amplitudes a state of the 4 qubits "
        "named by `range(4)` needs).",
        "原文调用了 `qc.initialize([0, 0, 0, 0], range(4))`。请以元组形式给出两个数："
        "（这个向量的 L2 范数，`range(4)` 所指的 4 个量子比特的状态需要多少个振幅）。",
    ),
    expected=_initialize_numbers,
    rtol=0.0,
    atol=0.5,
    shown=("(0, 16)",),
    hints=[
        Text(
            "A quantum state must have norm 1; compute the norm of the all-zero vector.",
            "量子态的范数必须为 1；算一算全零向量的范数。",
        ),
        Text("n qubits have 2**n amplitudes.", "n 个量子比特有 2**n 个振幅。"),
    ],
    solution_text=Text(
        "(0, 16): the vector has norm 0, so it is no state at all and cannot be "
        "normalised, and 4 amplitudes describe 2 qubits, not 4 (which need 2**4 = 16).",
        "(0, 16)：这个向量的范数为 0，所以它根本不是一个量子态，也无法归一化；"
        "而且 4 个振幅描述的是 2 个量子比特，而不是 4 个（4 个量子比特需要 2**4 = 16 个振幅）。",
    ),
)

q3 = ChoiceExercise(
    "04.3",
    Text(
        "Sampled 1000 times, the article's 4-qubit chain gives all 16 bitstrings about equally "
        "often, exactly like four fair coins. What follows?",
        "对原文的 4 量子比特链采样 1000 次，16 个比特串出现的次数大致相同，和抛四枚均匀硬币"
        "一模一样。由此能得出什么结论？",
    ),
    options={
        "a": Text("The four qubits are not entangled.", "这四个量子比特没有纠缠。"),
        "b": Text(
            "Counts in one basis cannot tell entangled from unentangled; the state is in "
            "fact entangled (Schmidt rank 2 across every cut).",
            "单一基下的计数无法区分纠缠态与非纠缠态；这个态实际上是纠缠的"
            "（在每一个划分上 Schmidt 秩都为 2）。",
        ),
        "c": Text(
            "The simulator is broken: an H/CNOT chain must give only 0000 and 1111.",
            "模拟器坏了：H/CNOT 链只应该给出 0000 和 1111。",
        ),
        "d": Text(
            "1000 shots are too few to see the entanglement in the counts.",
            "1000 次测量太少，无法在计数中看出纠缠。",
        ),
    },
    correct="b",
    explanations={
        "a": Text(
            "Uniform counts do not imply a product state. Compute the Schmidt coefficients "
            "of the state vector (`cq.course.article.schmidt_coefficients`) before deciding.",
            "均匀的计数并不意味着是直积态。下结论之前，先算出态矢量的 Schmidt 系数"
            "（`cq.course.article.schmidt_coefficients`）。",
        ),
        "b": Text(
            "Right: the entanglement sits in the signs of the amplitudes, which "
            "computational-basis counts never see.",
            "正确：纠缠藏在振幅的符号里，而计算基下的计数永远看不到符号。",
        ),
        "c": Text(
            "Only the GHZ chain (H on the first qubit, then CNOTs) gives 0000/1111; the "
            "article puts an H after every CNOT, which spreads the weights.",
            "只有 GHZ 链（先对第一个量子比特作用 H，再接一串 CNOT）才给出 0000/1111；"
            "原文在每个 CNOT 之后都放了一个 H，把权重分散开了。",
        ),
        "d": Text(
            "The exact probabilities are all 1/16 (compute them with "
            "`cirq.final_state_vector`): no number of shots would show anything else.",
            "精确的概率全都是 1/16（用 `cirq.final_state_vector` 计算）："
            "无论测量多少次，都不会显示出别的结果。",
        ),
    },
    hints=[Text(
        "Compare the probabilities |amplitude|**2 with the amplitudes themselves.",
        "比较概率 |amplitude|**2（振幅模的平方）和振幅本身。",
    )],
    solution_text=Text(
        "b. Every outcome has probability 1/16, yet the Schmidt coefficients across "
        "each cut are (1/√2, 1/√2): the state is entangled. Counts alone cannot reveal it.",
        "b. 每个结果的概率都是 1/16，但每个划分上的 Schmidt 系数都是 (1/√2, 1/√2)："
        "这个态是纠缠的。单凭计数无法揭示这一点。",
    ),
)


def _ragged_cases() -> list[tuple[list[np.ndarray], float]]:
    rng = np.random.default_rng(4)
    shapes = [(8, 10), (10,), (10, 1), (1,)]
    big = [rng.normal(size=s) * 3 for s in shapes]
    small = [g * 1e-3 for g in big]
    return [(big, 1.0), (big, 0.5), (small, 1.0), ([rng.normal(size=(3,))], 0.1)]


def _check_gradient_clipping(fn: Any) -> tuple[bool, str]:
    if not callable(fn):
        return False, tr("the answer should be a function gradient_clipping(grads, clip_norm)",
                         "答案应该是一个函数 gradient_clipping(grads, clip_norm)")
    for grads, bound in _ragged_cases():
        originals = [g.copy() for g in grads]
        try:
            out = fn([g.copy() for g in grads], bound)
        except Exception as exc:  # noqa: BLE001 - report the student's error, never raise
            name = type(exc).__name__
            return False, tr(f"your function raised {name}: {exc}",
                             f"你的函数抛出了 {name}：{exc}")
        if out is None:
            return False, Unanswered(tr(
                "your function returns None: fill in its body and return the list",
                "你的函数返回了 None：请补全函数体并返回这个列表"))
        if not isinstance(out, (list, tuple)) or len(out) != len(grads):
            return False, tr("return a list with one array per input gradient, in the same order",
                             "请返回一个列表，每个输入梯度对应一个数组，顺序保持不变")
        want, _ = clip_by_global_norm(originals, bound)
        for got, exp in zip(out, want, strict=True):
            got = np.asarray(got, dtype=float)
            if got.shape != np.shape(exp):
                return False, tr("each returned array must keep the shape of its input gradient",
                                 "返回的每个数组都必须保持对应输入梯度的形状")
        got_norm = global_norm([np.asarray(g, dtype=float) for g in out])
        if got_norm > bound * (1 + 1e-6) + 1e-12:
            return False, tr("the clipped gradients are still longer than clip_norm (global norm)",
                             "裁剪后的梯度仍然比 clip_norm 长（按全局范数计）")
        if not all(np.allclose(g, e, rtol=1e-5, atol=1e-9) for g, e in zip(out, want,
                                                                          strict=True)):
            if global_norm(originals) <= bound:
                return False, tr("gradients already shorter than clip_norm must come back "
                                 "unchanged",
                                 "本来就比 clip_norm 短的梯度必须原样返回")
            return False, tr("the direction changed: scale *every* tensor by the same factor "
                             "clip_norm / global_norm",
                             "方向变了：*每一个*张量都要乘以同一个因子 clip_norm / global_norm")
    return True, tr("your function clips a list of differently shaped gradients by their global "
                    "norm.",
                    "你的函数能把一组形状各异的梯度按它们的全局范数裁剪。")


q4 = FunctionExercise(
    "04.4",
    Text(
        "Fix the article's `gradient_clipping(grads, clip_norm)`: real gradients are a *list* of "
        "arrays of different shapes (kernel 8x10, bias 10, ...). Write a function that takes such "
        "a list and a bound and returns the list clipped by its global norm (NumPy only), then "
        "pass the function itself to `check`.",
        "修复原文的 `gradient_clipping(grads, clip_norm)`：真实的梯度是由形状各异的数组组成的"
        "*列表*（8x10 的 kernel、长度为 10 的 bias……）。写一个函数，接收这样的列表和一个上界，"
        "返回按全局范数裁剪后的列表（只用 NumPy），然后把函数本身传给 `check`。",
    ),
    checker=_check_gradient_clipping,
    hints=[
        Text(
            "The global norm is sqrt(sum over tensors of sum(g**2)).",
            "全局范数是 sqrt(对所有张量求和 sum(g**2))。",
        ),
        Text(
            "If it exceeds clip_norm, multiply every tensor by clip_norm / global_norm; otherwise "
            "return the gradients unchanged.",
            "如果它超过 clip_norm，就把每个张量都乘以 clip_norm / global_norm；否则原样返回梯度。",
        ),
    ],
    solution_text=Text(
        "def gradient_clipping(grads, clip_norm):\n"
        "    norm = np.sqrt(sum(np.sum(np.square(g)) for g in grads))\n"
        "    scale = min(1.0, clip_norm / norm) if norm > 0 else 1.0\n"
        "    return [g * scale for g in grads]",
        "def gradient_clipping(grads, clip_norm):\n"
        "    # 所有张量合在一起的全局范数\n"
        "    norm = np.sqrt(sum(np.sum(np.square(g)) for g in grads))\n"
        "    # 只在超过 clip_norm 时缩小；所有张量共用一个因子，方向不变\n"
        "    scale = min(1.0, clip_norm / norm) if norm > 0 else 1.0\n"
        "    return [g * scale for g in grads]",
    ),
)


def _zero_shift_stderr() -> float:
    shots = 1000
    theta = 0.0
    q = cirq.LineQubit(0)
    from clipq_edu.quantum.gradients import shifted_parameters
    from clipq_edu.quantum.sampling import shot_noise_variance

    values = []
    for angle in shifted_parameters([theta])[:, 0, 0]:  # theta + pi/2, theta - pi/2
        state = cirq.final_state_vector(cirq.Circuit(cirq.rx(angle).on(q)),
                                        dtype=np.complex128)
        values.append(float(np.abs(state[0]) ** 2 - np.abs(state[1]) ** 2))
    var = float(shot_noise_variance(values, shots).sum()) / 4  # Var[(f+ - f-)/2]
    return float(np.sqrt(var))


q5 = NumericExercise(
    "04.5",
    Text(
        "A shot-based optimiser estimates dE/dθ for E(θ) = <Z> after rx(θ)|0> with the parameter-"
        "shift rule, [E(θ+π/2) − E(θ−π/2)] / 2, each E estimated from 1000 shots of ±1 "
        "outcomes. What is the standard error of the gradient estimate at θ = 0?",
        "一个基于有限次测量的优化器用参数平移规则 [E(θ+π/2) − E(θ−π/2)] / 2 估计 dE/dθ，"
        "其中 E(θ) = <Z> 是 rx(θ)|0> 之后的期望，每个 E 由 1000 次结果为 ±1 的测量估计。"
        "在 θ = 0 处，这个梯度估计的标准误差是多少？",
    ),
    expected=_zero_shift_stderr,
    digits=2,
    shown=("0.0224", "0.022"),
    hints=[
        Text(
            "One shot of Z gives ±1, so its variance is 1 − <Z>**2; the mean of N shots has "
            "variance (1 − <Z>**2)/N.",
            "对 Z 的单次测量给出 ±1，所以它的方差是 1 − <Z>**2；N 次测量的平均值的方差是 "
            "(1 − <Z>**2)/N。",
        ),
        Text(
            "At θ = 0 the shifted points are ±π/2, where <Z> = cos(±π/2) = 0. The two estimates "
            "are independent, and the rule divides their difference by 2.",
            "在 θ = 0 处，平移后的点是 ±π/2，那里 <Z> = cos(±π/2) = 0。两个估计相互独立，"
            "而这条规则把它们的差除以 2。",
        ),
    ],
    solution_text=Text(
        "Var = [(1 − 0²) + (1 − 0²)] / (4 · 1000) = 1/2000, so the standard error "
        "is √(1/2000) ≈ 0.0224 (0.022 to two digits): a gradient smaller than about 0.05 is lost in shot noise.",
        "Var = [(1 − 0²) + (1 − 0²)] / (4 · 1000) = 1/2000，所以标准误差为 "
        "√(1/2000) ≈ 0.0224（保留两位有效数字为 0.022）：小于约 0.05 的梯度会淹没在散粒噪声中。",
    ),
)
