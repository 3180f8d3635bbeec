"""Exercises of chapter 06 (FAQ): choosing a clipping method and threshold, memory, Keras.

>>> from clipq_edu.exercises import ch06 as ex
>>> ex.q1.check(None).correct
False
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu.clipping import clip_by_global_norm
from clipq_edu.course import faq
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise
from clipq_edu.i18n import Text, tr
from clipq_edu.quantum.resources import state_vector_bytes

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]

q1 = ChoiceExercise(
    "06.1",
    Text(
        "Two weight tensors have gradients of norm 10 and 0.1. Which Keras option rescales the "
        "whole gradient without changing its direction?",
        "两个权重张量的梯度范数分别为 10 和 0.1。哪个 Keras 选项能在不改变方向的前提下缩放"
        "整个梯度？",
    ),
    options={
        "a": Text("clipvalue=1.0", "设置 clipvalue=1.0"),
        "b": Text("clipnorm=1.0", "设置 clipnorm=1.0"),
        "c": Text("global_clipnorm=1.0", "设置 global_clipnorm=1.0"),
    },
    correct="c",
    explanations={
        "a": Text(
            "clipvalue clips every entry on its own: the direction changes.",
            "clipvalue 逐个元素独立裁剪：方向会改变。",
        ),
        "b": Text(
            "clipnorm scales each tensor by its own factor: the first shrinks 10x, the second "
            "not at all, so the relative weights of the two change.",
            "clipnorm 给每个张量各用一个因子缩放：第一个缩小到 1/10，第二个完全不变，"
            "于是两者的相对权重变了。",
        ),
        "c": Text(
            "right: one factor for all tensors keeps the direction exactly.",
            "正确：所有张量共用一个因子，方向完全保持不变。",
        ),
    },
    hints=[Text(
        "Which option uses one scale factor for all tensors together?",
        "哪个选项让所有张量共用同一个缩放因子？",
    )],
    solution_text=Text(
        "(c) global_clipnorm: every tensor is multiplied by c / max(N, c) with N "
        "the global norm.",
        "(c) global_clipnorm：每个张量都乘以 c / max(N, c)，其中 N 是全局范数。",
    ),
)

q2 = NumericExercise(
    "06.2",
    Text(
        "Take the gradient-norm telemetry of cq.course.faq.logistic_sgd() (seed 0, no clipping) "
        "and choose the threshold at the 95th percentile of the recorded norms (the chapter "
        "printed the 50th, 90th and 99th). Give that threshold to three decimals.",
        "取 cq.course.faq.logistic_sgd()（种子 0，不裁剪）记录的梯度范数训练遥测，把阈值定在"
        "所记录范数的第 95 百分位数（本章打印了第 50、90 和 99 百分位数）。给出这个阈值，"
        "保留三位小数。",
    ),
    expected=lambda: float(np.percentile(faq.logistic_sgd().norm_before, 95)),
    rtol=1e-6,
    digits=3,
    shown=("0.257",),
    hints=[
        Text(
            "The 95th percentile is the norm that 95 % of the recorded steps stay below: it lies "
            "between the p90 and p99 printed in Q5.",
            "第 95 百分位数是 95 % 的记录步都不超过的那个范数：它介于 Q5 中打印的 p90 和 p99 之间。",
        ),
        Text(
            "The run returns its telemetry; the raw norms are its norm_before attribute.",
            "这次运行返回它的训练遥测；原始范数在其 norm_before 属性中。",
        ),
        Text("np.percentile(r.norm_before, 95).", "计算 np.percentile(r.norm_before, 95)。"),
    ],
    solution_text=Text(
        "np.percentile(cq.course.faq.logistic_sgd().norm_before, 95) ≈ 0.257, "
        "between p90 (0.208) and p99 (0.403): it clips 5 % of the steps, and the rare spikes (up "
        "to about 7) are cut to it.",
        "np.percentile(cq.course.faq.logistic_sgd().norm_before, 95) ≈ 0.257，"
        "介于 p90 (0.208) 和 p99 (0.403) 之间：它会裁剪 5 % 的步，而罕见的尖峰"
        "（最高约 7）都被截到这个值。",
    ),
)

q3 = NumericExercise(
    "06.3",
    Text(
        "How many bytes does one 26-qubit state vector take in complex64 (8 bytes per amplitude)?",
        "一个 26 量子比特的态矢量以 complex64 存储（每个振幅 8 字节）需要多少字节？",
    ),
    expected=lambda: float(state_vector_bytes(26)),
    rtol=1e-9,
    atol=0.5,
    shown=("536 870 912",),
    hints=[Text("A state of n qubits has 2**n amplitudes.", "n 个量子比特的量子态有 2**n 个振幅。")],
    solution_text=Text(
        "2**26 × 8 = 536 870 912 bytes = 512 MiB, before any batching.",
        "2**26 × 8 = 536 870 912 字节 = 512 MiB，这还没有算上任何批处理。",
    ),
)

q4 = ChoiceExercise(
    "06.4",
    Text(
        "You train with Adam and your clip-by-global-norm bound c is active at *every* step. What "
        "does the clipping change?",
        "你用 Adam 训练，而按全局范数裁剪的阈值 c 在*每一步*都起作用。裁剪改变了什么？",
    ),
    options={
        "a": Text(
            "Nothing: Adam divides by a running RMS of the gradient, so any rescaling cancels.",
            "什么也没改变：Adam 会除以梯度的滑动 RMS，所以任何缩放都会被抵消。",
        ),
        "b": Text("It cures vanishing gradients.", "它能治好梯度消失。"),
        "c": Text(
            "It multiplies the learning rate by the bound.",
            "它把学习率乘以这个阈值。",
        ),
        "d": Text(
            "Adam now runs on normalised gradients c·g_t/‖g_t‖: every step's gradient has the "
            "same length, so the value of c stops mattering, and large and small gradients "
            "get the same weight in Adam's moments.",
            "Adam 现在作用于归一化的梯度 c·g_t/‖g_t‖：每一步的梯度长度都相同，所以 c 的取值"
            "不再重要，而且大梯度和小梯度在 Adam 的矩估计中权重相同。",
        ),
    },
    correct="d",
    explanations={
        "a": Text(
            "Only a *constant* factor cancels in m̂/√v̂. An always-active clip multiplies g_t by "
            "c/‖g_t‖, a different factor at every step: Adam's moments now average unit "
            "vectors (chapter 03a §5 measures this).",
            "在 m̂/√v̂ 中只有*常数*因子会被抵消。始终起作用的裁剪把 g_t 乘以 c/‖g_t‖，"
            "每一步的因子都不同：Adam 的矩估计现在平均的是单位向量（第 03a 章 §5 测量了这一点）。",
        ),
        "b": Text("clipping never enlarges a gradient.", "裁剪从不放大梯度。"),
        "c": Text(
            "Adam's step size is set by lr, not by the gradient's scale.",
            "Adam 的步长由 lr 决定，而不是由梯度的尺度决定。",
        ),
        "d": Text(
            "right: it is normalised-gradient Adam. That can be a deliberate choice, but it is "
            "a different optimiser; set the bound from the telemetry if you want clipping to "
            "act only on spikes.",
            "正确：这就是归一化梯度 Adam。这可以是有意的选择，但它已是另一种优化器；"
            "如果你希望裁剪只作用于尖峰，请根据训练遥测来设定阈值。",
        ),
    },
    hints=[Text(
        "Is the factor c/‖g_t‖ the same at every step? What does Adam cancel exactly?",
        "因子 c/‖g_t‖ 在每一步都相同吗？Adam 究竟能抵消什么？",
    )],
    solution_text=Text(
        "(d). Adam cancels a constant factor k (m̂/√v̂ is unchanged), but an "
        "always-active clip uses c/‖g_t‖, which changes every step: the optimiser becomes "
        "normalised-gradient Adam and c no longer matters.",
        "(d)。Adam 能抵消常数因子 k（m̂/√v̂ 不变），但始终起作用的裁剪用的是 c/‖g_t‖，"
        "它每一步都在变：优化器变成了归一化梯度 Adam，c 不再重要。",
    ),
)

q5 = ChoiceExercise(
    "06.5",
    Text(
        "A TFQ layer fails with \"Only input tensors may be passed as positional arguments\". "
        "What is the fix?",
        "一个 TFQ 层报错“Only input tensors may be passed as positional arguments”。"
        "该怎么修复？",
    ),
    options={
        "a": Text("pip install keras==3 --upgrade", "执行 pip install keras==3 --upgrade"),
        "b": Text(
            "Restart the kernel and make `import clipq_edu` (which sets TF_USE_LEGACY_KERAS=1) "
            "the first import, or set the variable before starting Python.",
            "重启内核，并让 `import clipq_edu`（它会设置 TF_USE_LEGACY_KERAS=1）成为第一个导入；"
            "或者在启动 Python 之前设置这个环境变量。",
        ),
        "c": Text(
            "Use `import keras` instead of `tf.keras`.",
            "用 `import keras` 代替 `tf.keras`。",
        ),
    },
    correct="b",
    explanations={
        "a": Text(
            "Keras 3 is the problem: TFQ only works with tf-keras.",
            "问题正出在 Keras 3：TFQ 只能与 tf-keras 一起工作。",
        ),
        "b": Text(
            "right: the variable must be set before TensorFlow first touches tf.keras.",
            "正确：必须在 TensorFlow 第一次用到 tf.keras 之前设置这个变量。",
        ),
        "c": Text("`import keras` always gives Keras 3.", "`import keras` 得到的总是 Keras 3。"),
    },
    hints=[Text(
        "Which Keras does TFQ need, and when does TensorFlow decide which one tf.keras is?",
        "TFQ 需要哪个 Keras？TensorFlow 又是在什么时候决定 tf.keras 指的是哪一个？",
    )],
    solution_text=Text(
        "(b).",
        "(b)：重启内核，让 `import clipq_edu` 成为第一个导入（或在启动 Python 之前设置 "
        "TF_USE_LEGACY_KERAS=1）。",
    ),
)


def _reference_safe_update(params: list[np.ndarray], grads: list[np.ndarray], learning_rate: float,
                           clip: float) -> list[np.ndarray]:
    if not all(np.all(np.isfinite(g)) for g in grads):
        return [p.copy() for p in params]
    clipped, _ = clip_by_global_norm(grads, clip)
    return [p - learning_rate * g for p, g in zip(params, clipped, strict=True)]


def _safe_cases() -> list[tuple[str, list[np.ndarray], list[np.ndarray], float, float]]:
    rng = np.random.default_rng(12)
    params = [rng.normal(size=(3, 2)), rng.normal(size=(2,))]
    small = [rng.normal(size=(3, 2)) * 0.01, rng.normal(size=(2,)) * 0.01]
    spike = [g * 1e4 for g in small]
    nan = [small[0].copy(), small[1].copy()]
    nan[1][0] = np.nan
    inf = [small[0].copy(), small[1].copy()]
    inf[0][2, 1] = np.inf
    return [
        (tr("a small finite gradient", "一个有限的小梯度"), params, small, 0.1, 1.0),
        (tr("a finite spike", "一个有限的尖峰"), params, spike, 0.1, 1.0),
        (tr("a gradient with one NaN entry", "一个含有一个 NaN 元素的梯度"),
         params, nan, 0.1, 1.0),
        (tr("a gradient with one Inf entry", "一个含有一个 Inf 元素的梯度"),
         params, inf, 0.1, 1.0),
    ]


def _check_safe_update(fn: Any) -> str:
    require_callable(fn, "safe_update(params, grads, learning_rate, clip)")
    for what, params, grads, learning_rate, clip in _safe_cases():
        p_in, g_in = [p.copy() for p in params], [g.copy() for g in grads]
        out = call(fn, p_in, g_in, learning_rate, clip, what=what)
        if not isinstance(out, (list, tuple)) or len(out) != len(params):
            raise StudentError(tr(f"for {what} return a list with one array per parameter tensor",
                                  f"对于{what}，请返回一个列表，每个参数张量对应一个数组"))
        if not all(np.array_equal(a, b, equal_nan=True)
                   for a, b in zip([*p_in, *g_in], [*params, *grads], strict=True)):
            raise StudentError(tr(f"for {what} your function changed its inputs in place: return "
                                  "new arrays",
                                  f"对于{what}，你的函数原地修改了它的输入：请返回新的数组"))
        finite = all(np.all(np.isfinite(g)) for g in grads)
        if not finite and not all(np.all(np.isfinite(np.asarray(o, dtype=float))) for o in out):
            raise StudentError(tr(f"for {what} the parameters became NaN/Inf: one bad entry "
                                  "spreads through the global norm to every tensor. Check "
                                  "np.isfinite on all gradients first and skip the step",
                                  f"对于{what}，参数变成了 NaN/Inf：一个坏元素会通过全局范数扩散到"
                                  "每一个张量。请先对所有梯度检查 np.isfinite，并跳过这一步"))
        got = [as_array(o, p.shape, what) for o, p in zip(out, params, strict=True)]
        want = _reference_safe_update(params, grads, learning_rate, clip)
        if all(np.allclose(a, b, rtol=1e-6, atol=1e-12) for a, b in zip(got, want, strict=True)):
            continue
        if not finite:
            raise StudentError(tr(f"for {what} the parameters moved: replacing the bad entries "
                                  "(by 0, say) still steps along the rest of a broken gradient. "
                                  "Skip the whole step and return the parameters unchanged",
                                  f"对于{what}，参数发生了变化：把坏元素替换掉（比如换成 0）之后，"
                                  "仍然会沿着一个已损坏梯度的其余部分迈出一步。请跳过整步，"
                                  "原样返回参数"))
        plain = [p - learning_rate * g for p, g in zip(params, grads, strict=True)]
        if all(np.allclose(a, b, rtol=1e-6) for a, b in zip(got, plain, strict=True)):
            raise StudentError(tr(f"for {what} the gradient was not clipped: clip by global norm "
                                  "at clip before the step",
                                  f"对于{what}，梯度没有被裁剪：更新之前先按全局范数在 clip 处裁剪"))
        raise StudentError(tr(f"for {what} the step is wrong: params - learning_rate * (the "
                              "gradients clipped together by their global norm)",
                              f"对于{what}，这一步不对：应为 params - learning_rate * "
                              "(按全局范数一起裁剪后的梯度)"))
    return tr("your safe_update clips finite gradients by global norm and skips any step whose "
              "gradient holds NaN or Inf, as optax.apply_if_finite does.",
              "你的 safe_update 按全局范数裁剪有限的梯度，并跳过梯度中含有 NaN 或 Inf 的步，"
              "和 optax.apply_if_finite 的做法一样。")


q6 = FunctionExercise(
    "06.6",
    Text(
        "Write safe_update(params, grads, learning_rate, clip): params and grads are lists of "
        "NumPy arrays (one per weight tensor). If every gradient entry is finite, clip the "
        "gradients together by their global norm at clip and return the new parameters "
        "params − learning_rate·clipped; if any entry is NaN or Inf, skip the step and return the "
        "parameters unchanged. Return new arrays; pass the function itself to check.",
        "编写 safe_update(params, grads, learning_rate, clip)：params 和 grads 都是 NumPy "
        "数组的列表（每个权重张量一个）。如果梯度的每个元素都有限，就把所有梯度一起按全局范数"
        "在 clip 处裁剪，并返回新参数 params − learning_rate·clipped；如果有任何元素是 NaN 或 "
        "Inf，就跳过这一步，原样返回参数。请返回新的数组；把函数本身传给 check。",
    ),
    checker=guarded(_check_safe_update),
    hints=[
        Text(
            "Q8 showed why clipping alone is not enough: the global norm of a gradient with a NaN "
            "is NaN, and so is every clipped tensor.",
            "Q8 说明了为什么只靠裁剪还不够：含有 NaN 的梯度，其全局范数是 NaN，"
            "裁剪后的每个张量也都会是 NaN。",
        ),
        Text(
            "Test first, then clip: all(np.all(np.isfinite(g)) for g in grads). np.isnan misses "
            "Inf.",
            "先检查，再裁剪：all(np.all(np.isfinite(g)) for g in grads)。np.isnan 会漏掉 Inf。",
        ),
        Text(
            "clipped, _ = cq.clipping.clip_by_global_norm(grads, clip) (or by hand: scale = "
            "min(1, clip / global_norm)); "
            "return [p - learning_rate * g for p, g in zip(params, clipped)].",
            "clipped, _ = cq.clipping.clip_by_global_norm(grads, clip)（或者手工计算：scale = "
            "min(1, clip / global_norm)）；"
            "return [p - learning_rate * g for p, g in zip(params, clipped)]。",
        ),
    ],
    solution_text=Text(
        "def safe_update(params, grads, learning_rate, clip):\n"
        "    if not all(np.all(np.isfinite(g)) for g in grads):\n"
        "        return [p.copy() for p in params]\n"
        "    norm = np.sqrt(sum(np.sum(g**2) for g in grads))\n"
        "    scale = min(1.0, clip / norm) if norm > 0 else 1.0\n"
        "    return [p - learning_rate * scale * g for p, g in zip(params, grads)]",
        "def safe_update(params, grads, learning_rate, clip):\n"
        "    # 有任何 NaN 或 Inf：跳过这一步，原样返回参数（副本）\n"
        "    if not all(np.all(np.isfinite(g)) for g in grads):\n"
        "        return [p.copy() for p in params]\n"
        "    # 按全局范数一起裁剪，再更新参数\n"
        "    norm = np.sqrt(sum(np.sum(g**2) for g in grads))\n"
        "    scale = min(1.0, clip / norm) if norm > 0 else 1.0\n"
        "    return [p - learning_rate * scale * g for p, g in zip(params, grads)]",
    ),
)
