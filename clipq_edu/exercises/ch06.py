"""Exercises of chapter 06 (FAQ): choosing a clipping method and threshold, memory, Keras.

>>> from clipq_edu.exercises import ch06 as ex
>>> ex.q1.check(None).correct
False
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from clipq_edu.course import faq
from clipq_edu.exercises._checks import StudentError, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise
from clipq_edu.i18n import Text, tr
from clipq_edu.quantum.resources import state_vector_bytes

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]

q1 = ChoiceExercise(
    "06.1",
    Text(
        "Two weight tensors have gradients g₁ of norm 10 and g₂ of norm 0.1, so ‖g₂‖/‖g₁‖ = "
        "0.01. You clip with bound 1.0. After which Keras option is that ratio still 0.01?",
        "两个权重张量的梯度 g₁ 的范数为 10，g₂ 的范数为 0.1，所以 ‖g₂‖/‖g₁‖ = 0.01。"
        "你用阈值 1.0 裁剪。用哪个 Keras 选项之后，这个比值仍然是 0.01？",
    ),
    options={
        "a": Text("clipnorm=1.0", "设置 clipnorm=1.0"),
        "b": Text("global_clipnorm=1.0", "设置 global_clipnorm=1.0"),
        "c": Text("Both: neither option touches g₂, whose norm is below 1.",
                  "两者都是：g₂ 的范数低于 1，两个选项都不会动它。"),
        "d": Text("Neither: any clipping changes the ratio.", "都不是：任何裁剪都会改变这个比值。"),
    },
    correct="b",
    explanations={
        "a": Text(
            "clipnorm scales each tensor by its own factor: g₁ shrinks to norm 1, g₂ stays at "
            "0.1, so the ratio becomes 0.1 and the direction of the whole gradient changes.",
            "clipnorm 给每个张量各用一个因子缩放：g₁ 缩到范数 1，g₂ 保持 0.1，于是比值变成 "
            "0.1，整个梯度的方向也变了。",
        ),
        "b": Text(
            "right: the global norm is √(10² + 0.1²) ≈ 10.0005, and both tensors are multiplied "
            "by the same factor 1/10.0005, so the ratio (and the direction) is kept.",
            "正确：全局范数为 √(10² + 0.1²) ≈ 10.0005，两个张量都乘以同一个因子 1/10.0005，"
            "所以比值（以及方向）保持不变。",
        ),
        "c": Text(
            "global_clipnorm does touch g₂: it multiplies every tensor by one factor set by the "
            "norm of all of them together. And clipnorm leaves g₂ alone but shrinks g₁, so its "
            "ratio changes.",
            "global_clipnorm 会改变 g₂：它把每个张量都乘以由全体的范数决定的同一个因子。"
            "而 clipnorm 虽然不动 g₂，却缩小了 g₁，所以比值变了。",
        ),
        "d": Text(
            "one factor for all tensors leaves every ratio unchanged; which option uses one?",
            "所有张量共用一个因子时，每个比值都不变；哪个选项只用一个因子？",
        ),
    },
    hints=[Text(
        "Work out the factor each option multiplies g₁ and g₂ by.",
        "算一算每个选项分别把 g₁ 和 g₂ 乘以什么因子。",
    )],
    solution_text=Text(
        "(b) global_clipnorm: every tensor is multiplied by c / max(N, c) with N "
        "the global norm; clipnorm makes the ratio 0.1.",
        "(b) global_clipnorm：每个张量都乘以 c / max(N, c)，其中 N 是全局范数；"
        "clipnorm 会让比值变成 0.1。",
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
    mistakes=[
        (lambda: float(np.percentile(faq.logistic_sgd().norm_before, 0.95)),
         Text("that is the 0.95th percentile: np.percentile takes the percentile in percent "
              "(0 to 100), np.quantile takes a fraction (0 to 1)",
              "这是第 0.95 百分位数：np.percentile 的参数以百分数表示（0 到 100），"
              "np.quantile 才用分数（0 到 1）")),
        (lambda: float(np.percentile(faq.logistic_sgd().norm_before, 5)),
         Text("that is the 5th percentile: 95 % of the steps lie *above* it, so it would clip "
              "nearly every step. The threshold should leave 95 % of the steps below it",
              "这是第 5 百分位数：95 % 的步都在它*之上*，它几乎会裁剪每一步。阈值应让 95 % "
              "的步低于它")),
    ],
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
        "A batch of 32 state vectors of 24 qubits, in complex128 (16 bytes per amplitude, "
        "Cirq's double precision): how many bytes? Give the exact integer.",
        "一批 32 个 24 量子比特的态矢量，以 complex128 存储（每个振幅 16 字节，即 Cirq 的双精度）："
        "需要多少字节？给出精确的整数。",
    ),
    expected=lambda: float(32 * state_vector_bytes(24, 16)),
    rtol=1e-9,
    atol=0.5,
    shown=("8 589 934 592",),
    mistakes=[
        (lambda: float(32 * state_vector_bytes(24)),
         Text("that is complex64 (8 bytes per amplitude); the question asks for complex128",
              "这是 complex64（每个振幅 8 字节）的结果；题目要求 complex128")),
        (lambda: float(state_vector_bytes(24, 16)),
         Text("that is one state: the batch holds 32 of them",
              "这只是一个态：这批里有 32 个")),
        (lambda: float(32 * 24 * 16),
         Text("a state of n qubits has 2ⁿ amplitudes, not n",
              "n 个量子比特的态有 2ⁿ 个振幅，而不是 n 个")),
    ],
    hints=[
        Text("A state of n qubits has 2**n amplitudes.", "n 个量子比特的量子态有 2**n 个振幅。"),
        Text("Multiply: states in the batch × amplitudes per state × bytes per amplitude.",
             "相乘：批量中的态数 × 每个态的振幅数 × 每个振幅的字节数。"),
    ],
    solution_text=Text(
        "32 × 2**24 × 16 = 8 589 934 592 bytes = 8 GiB: more than many laptops can spare, "
        "before gradients multiply it.",
        "32 × 2**24 × 16 = 8 589 934 592 字节 = 8 GiB：这已超过许多笔记本电脑能腾出的内存，"
        "还没有算上梯度带来的倍增。",
    ),
)

q4 = ChoiceExercise(
    "06.4",
    Text(
        "You train with Adam and a global-norm clip that fires at *every* step. You lower the "
        "bound from c = 1.0 to c = 0.1 (it still fires at every step). What happens to Adam's "
        "updates?",
        "你用 Adam 训练，按全局范数裁剪在*每一步*都起作用。你把阈值从 c = 1.0 降到 c = 0.1"
        "（它仍然每一步都起作用）。Adam 的更新会怎样？",
    ),
    options={
        "a": Text("They become 10 times smaller.", "变为原来的 1/10。"),
        "b": Text(
            "They stay the same up to Adam's ε, and they were already different from the "
            "updates of unclipped Adam.",
            "除了 Adam 的 ε 带来的差别外保持不变，而且它们本来就与不裁剪的 Adam 的更新不同。",
        ),
        "c": Text(
            "They stay the same, and equal the updates of unclipped Adam.",
            "保持不变，并且与不裁剪的 Adam 的更新相同。",
        ),
        "d": Text("They become 10 times larger.", "变为原来的 10 倍。"),
    },
    correct="b",
    explanations={
        "a": Text(
            "Adam divides m̂ by √v̂: a factor common to every step's gradient cancels, so the "
            "step does not follow the bound.",
            "Adam 用 √v̂ 去除 m̂：每一步梯度共有的因子会被抵消，所以步长不随阈值变化。",
        ),
        "b": Text(
            "right: the clipped gradient is c·g_t/‖g_t‖. Changing c multiplies every step by the "
            "same constant, which Adam cancels; but c/‖g_t‖ itself differs from step to step, "
            "so Adam now runs on unit-length gradients (normalised-gradient Adam).",
            "正确：裁剪后的梯度是 c·g_t/‖g_t‖。改变 c 相当于把每一步都乘以同一个常数，"
            "Adam 会把它抵消；但 c/‖g_t‖ 本身每一步都不同，所以 Adam 现在作用于单位长度的梯度"
            "（归一化梯度 Adam）。",
        ),
        "c": Text(
            "the first half holds, the second does not: the factor c/‖g_t‖ changes from step to "
            "step, which Adam does not cancel.",
            "前半句成立，后半句不成立：因子 c/‖g_t‖ 每一步都在变，Adam 抵消不了它。",
        ),
        "d": Text(
            "a smaller bound never enlarges anything, and Adam cancels the constant factor anyway.",
            "更小的阈值不会放大任何东西，而且 Adam 无论如何都会抵消常数因子。",
        ),
    },
    hints=[Text(
        "Write the clipped gradient of step t. Which part of it is the same at every step, and "
        "which part is not? What does Adam cancel exactly?",
        "写出第 t 步裁剪后的梯度。其中哪一部分每一步都相同，哪一部分不同？Adam 究竟能抵消什么？",
    )],
    solution_text=Text(
        "(b). Adam cancels a constant factor k (m̂/√v̂ is unchanged), so c no longer matters, "
        "but an always-active clip uses c/‖g_t‖, which changes every step: the optimiser is "
        "normalised-gradient Adam.",
        "(b)。Adam 能抵消常数因子 k（m̂/√v̂ 不变），所以 c 不再重要；但始终起作用的裁剪用的是 "
        "c/‖g_t‖，它每一步都在变：优化器变成了归一化梯度 Adam。",
    ),
)

q5 = ChoiceExercise(
    "06.5",
    Text(
        "In a fresh notebook your first cell runs `import tensorflow as tf` and builds "
        "`tf.keras.layers.Dense(2)`; the second cell imports clipq_edu and TFQ. A TFQ layer now "
        "fails with \"Only input tensors may be passed as positional arguments\". Which single "
        "action fixes it?",
        "在一个新的笔记本里，第一个单元格执行 `import tensorflow as tf` 并创建 "
        "`tf.keras.layers.Dense(2)`；第二个单元格导入 clipq_edu 和 TFQ。现在一个 TFQ 层报错"
        "“Only input tensors may be passed as positional arguments”。哪一个单独的操作能修复它？",
    ),
    options={
        "a": Text("pip install keras==3 --upgrade", "执行 pip install keras==3 --upgrade"),
        "b": Text(
            "Run `os.environ[\"TF_USE_LEGACY_KERAS\"] = \"1\"` in a new cell, then rerun the "
            "TFQ cell.",
            "在一个新单元格里执行 `os.environ[\"TF_USE_LEGACY_KERAS\"] = \"1\"`，"
            "然后重新运行 TFQ 单元格。",
        ),
        "c": Text(
            "Restart the kernel and run the cells again with the two imports swapped.",
            "重启内核，把两个导入的顺序对调后重新运行各单元格。",
        ),
        "d": Text(
            "Use `import keras` instead of `tf.keras`.",
            "用 `import keras` 代替 `tf.keras`。",
        ),
    },
    correct="c",
    explanations={
        "a": Text(
            "Keras 3 is the problem: TFQ only works with tf-keras.",
            "问题正出在 Keras 3：TFQ 只能与 tf-keras 一起工作。",
        ),
        "b": Text(
            "too late: TensorFlow chose Keras 3 when the first cell touched tf.keras, and a "
            "running kernel does not change its mind.",
            "太晚了：第一个单元格用到 tf.keras 时，TensorFlow 就已经选定了 Keras 3，"
            "正在运行的内核不会再改变。",
        ),
        "c": Text(
            "right: clipq_edu sets TF_USE_LEGACY_KERAS=1, which only works before TensorFlow "
            "first touches tf.keras, that is in a fresh kernel with clipq_edu imported first.",
            "正确：clipq_edu 会设置 TF_USE_LEGACY_KERAS=1，而这只有在 TensorFlow 第一次用到 "
            "tf.keras 之前才有效，也就是在新的内核里先导入 clipq_edu。",
        ),
        "d": Text("`import keras` always gives Keras 3.", "`import keras` 得到的总是 Keras 3。"),
    },
    hints=[Text(
        "Which Keras does TFQ need, and *when* does TensorFlow decide which one tf.keras is?",
        "TFQ 需要哪个 Keras？TensorFlow 又是在*什么时候*决定 tf.keras 指的是哪一个？",
    )],
    solution_text=Text(
        "(c): restart, and import clipq_edu before TensorFlow (or set TF_USE_LEGACY_KERAS=1 "
        "before starting Python).",
        "(c)：重启内核，在 TensorFlow 之前导入 clipq_edu（或在启动 Python 之前设置 "
        "TF_USE_LEGACY_KERAS=1）。",
    ),
)


def _reference_threshold(history: list[float], p: float) -> float:
    """The p-th percentile of the finite entries, by sorting and interpolating by hand."""
    xs = sorted(x for x in history if math.isfinite(x))
    if not xs:
        return math.inf
    pos = p / 100 * (len(xs) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (pos - lo) * (xs[hi] - xs[lo])


def _threshold_cases() -> list[tuple[str, list[float], float]]:
    rng = np.random.default_rng(61)
    cases = [(tr("the example [0.1, 0.2, 0.3, 0.4] at p = 50",
                 "示例 [0.1, 0.2, 0.3, 0.4]，p = 50"), [0.1, 0.2, 0.3, 0.4], 50.0)]
    for k, (size, p) in enumerate(((1, 90.0), (2, 37.5), (7, 0.0), (200, 90.0), (60, 100.0),
                                   (31, 99.0))):
        hist = np.exp(rng.normal(-2, 1, size)).tolist()
        cases.append((tr(f"hidden history {k + 1} ({size} norms, p = {p:g})",
                         f"隐藏的历史 {k + 1}（{size} 个范数，p = {p:g}）"), hist, p))
    with_nan = np.exp(rng.normal(-2, 1, 40))
    with_nan[[3, 17, 30]] = np.nan
    cases.append((tr("a history with three NaN entries (skipped steps), p = 90",
                     "含三个 NaN 元素（被跳过的步）的历史，p = 90"), with_nan.tolist(), 90.0))
    with_inf = np.exp(rng.normal(-2, 1, 25))
    with_inf[[5, 11]] = [np.inf, np.nan]
    cases.append((tr("a history with an Inf and a NaN entry, p = 95",
                     "含一个 Inf 和一个 NaN 元素的历史，p = 95"), with_inf.tolist(), 95.0))
    cases.append((tr("an empty history", "空的历史"), [], 90.0))
    cases.append((tr("a history of NaN only", "只有 NaN 的历史"), [math.nan, math.nan], 90.0))
    return cases


def _check_threshold(fn: Any) -> str:
    require_callable(fn, "autoclip_threshold(history, p)")
    for what, hist, p in _threshold_cases():
        h_in = list(hist)
        want = _reference_threshold(hist, p)
        if not hist:
            try:
                out = fn(h_in, p)
            except Exception as exc:  # noqa: BLE001 - reported to the learner
                raise StudentError(tr(f"for {what} your function raised {type(exc).__name__}: "
                                      "at the first step nothing is known yet, so clip nothing: "
                                      "return math.inf",
                                      f"对于{what}，你的函数抛出了 {type(exc).__name__}：第一步时"
                                      "还一无所知，所以什么都不裁剪：返回 math.inf")) from None
        else:
            out = call(fn, h_in, p, what=what)
        if out is None:
            out = call(fn, h_in, p, what=what)  # raises "not attempted"
        try:
            got = float(out)
        except (TypeError, ValueError):
            raise StudentError(tr(f"for {what} return one number", f"对于{what}，请返回一个数")) \
                from None
        if not all(a == b or (a != a and b != b) for a, b in zip(h_in, hist, strict=True)) \
                or len(h_in) != len(hist):
            raise StudentError(tr(f"for {what} your function changed the history in place",
                                  f"对于{what}，你的函数原地修改了历史"))
        if math.isinf(want):
            if not (math.isinf(got) and got > 0):
                raise StudentError(tr(f"for {what} there is no finite norm to take a percentile "
                                      "of: return math.inf (clip nothing until a norm arrives)",
                                      f"对于{what}，没有有限的范数可取百分位数：返回 math.inf"
                                      "（在有范数之前什么都不裁剪）"))
            continue
        if math.isfinite(got) and abs(got - want) <= 1e-9 * max(1.0, abs(want)):
            continue
        finite = [x for x in hist if math.isfinite(x)]
        if len(finite) < len(hist):
            raise StudentError(tr(f"for {what} the result is off: skip the NaN and Inf entries "
                                  "(np.isfinite) before taking the percentile",
                                  f"对于{what}，结果不对：取百分位数之前先跳过 NaN 和 Inf 元素"
                                  "（np.isfinite）"))
        if abs(got - _reference_threshold(hist, p / 100)) <= 1e-9 * max(1.0, abs(got)):
            raise StudentError(tr(f"for {what} p is in percent (0 to 100): np.percentile takes "
                                  "percent, np.quantile a fraction",
                                  f"对于{what}，p 以百分数表示（0 到 100）：np.percentile 用百分数，"
                                  "np.quantile 用分数"))
        raise StudentError(tr(f"for {what} the threshold is wrong: the p-th percentile with "
                              "linear interpolation between the sorted norms (NumPy's default)",
                              f"对于{what}，阈值不对：应为第 p 百分位数，在排好序的范数之间线性插值"
                              "（NumPy 的默认做法）"))
    for bad in (-5.0, 150.0):
        try:
            fn([0.1, 0.2, 0.3], bad)
        except ValueError:
            continue
        except Exception as exc:  # noqa: BLE001 - reported to the learner
            raise StudentError(tr(f"for p = {bad:g} raise ValueError, not {type(exc).__name__}",
                                  f"对于 p = {bad:g}，请抛出 ValueError，而不是 "
                                  f"{type(exc).__name__}")) from None
        raise StudentError(tr(f"for p = {bad:g} (outside 0..100) raise ValueError instead of "
                              "returning a threshold",
                              f"对于 p = {bad:g}（不在 0..100 之内），请抛出 ValueError，"
                              "而不是返回一个阈值"))
    return tr("your autoclip_threshold skips the steps that produced NaN or Inf, clips nothing "
              "before the first norm, and refuses a p outside 0..100: what AutoClip needs on "
              "a real run.",
              "你的 autoclip_threshold 跳过产生 NaN 或 Inf 的步，在第一个范数到来之前什么都不裁剪，"
              "并拒绝 0..100 之外的 p：这正是 AutoClip 在真实训练中所需要的。")


q6 = FunctionExercise(
    "06.6",
    Text(
        "Write autoclip_threshold(history, p), AutoClip's threshold from the gradient norms "
        "recorded so far: history is a list of floats that may hold NaN or Inf (steps whose "
        "gradient was not finite) and p a percentile in percent. Return the p-th percentile of "
        "the finite norms (linear interpolation, NumPy's default) as a float; return math.inf "
        "(clip nothing) when there is no finite norm yet; raise ValueError when p is outside "
        "[0, 100]. Do not change history. check runs it on hidden histories. Pass the function "
        "itself to check.",
        "编写 autoclip_threshold(history, p)，即由迄今记录的梯度范数得到 AutoClip 的阈值："
        "history 是一个浮点数列表，其中可能含有 NaN 或 Inf（梯度不是有限值的步），p 是以百分数"
        "表示的百分位。返回有限范数的第 p 百分位数（线性插值，NumPy 的默认做法），结果为浮点数；"
        "还没有任何有限范数时返回 math.inf（什么都不裁剪）；p 不在 [0, 100] 内时抛出 "
        "ValueError。不要修改 history。check 会在隐藏的历史上运行它。把函数本身传给 check。",
    ),
    checker=guarded(_check_threshold),
    hints=[
        Text(
            "Three cases: p out of range (refuse it), no finite norm (nothing to clip against), "
            "and the ordinary case.",
            "三种情形：p 超出范围（拒绝）、没有有限的范数（没有可依据的阈值）以及一般情形。",
        ),
        Text(
            "A NaN inside np.percentile makes the result NaN: filter the history first with "
            "np.isfinite (which also drops Inf).",
            "np.percentile 的输入里有 NaN 时结果就是 NaN：先用 np.isfinite 过滤历史"
            "（它也会去掉 Inf）。",
        ),
        Text(
            "The API: np.asarray, np.isfinite for a boolean mask, then np.percentile(values, p) "
            "on what is left; math.inf for 'no threshold'.",
            "用到的 API：np.asarray、用 np.isfinite 得到布尔掩码，然后对剩下的值调用 "
            "np.percentile(values, p)；用 math.inf 表示“没有阈值”。",
        ),
    ],
    solution_text=Text(
        "def autoclip_threshold(history, p):\n"
        "    if not 0 <= p <= 100:\n"
        "        raise ValueError(f\"p must be in [0, 100], got {p}\")\n"
        "    h = np.asarray(history, dtype=float)\n"
        "    h = h[np.isfinite(h)]\n"
        "    if h.size == 0:\n"
        "        return float(\"inf\")\n"
        "    return float(np.percentile(h, p))",
        "def autoclip_threshold(history, p):\n"
        "    # p 超出 [0, 100]：拒绝\n"
        "    if not 0 <= p <= 100:\n"
        "        raise ValueError(f\"p must be in [0, 100], got {p}\")\n"
        "    # 只保留有限的范数\n"
        "    h = np.asarray(history, dtype=float)\n"
        "    h = h[np.isfinite(h)]\n"
        "    if h.size == 0:\n"
        "        return float(\"inf\")\n"
        "    return float(np.percentile(h, p))",
    ),
)


def _estimate_cases() -> list[tuple[float, int]]:
    """(mu, shots) pairs the checker tries; the seeds are the checker's own."""
    return [(0.3, 50), (-0.7, 20), (0.0, 7), (0.95, 200)]


def _check_estimate(fn: Any) -> str:
    require_callable(fn, "estimate_z(mu, shots, seed)")
    for mu, shots in _estimate_cases():
        what = tr(f"mu = {mu:g}, shots = {shots}", f"mu = {mu:g}，shots = {shots}")
        draws = []
        for seed in range(300):
            out = call(fn, mu, shots, seed, what=what)
            try:
                draws.append(float(out))
            except (TypeError, ValueError):
                raise StudentError(tr(f"for {what} return one number",
                                      f"对于{what}，请返回一个数")) from None
        again = float(call(fn, mu, shots, 0, what=what))
        if again != draws[0]:
            raise StudentError(tr(f"for {what} the same seed gave different numbers: draw from "
                                  "np.random.default_rng(seed), not from a global or unseeded "
                                  "generator",
                                  f"对于{what}，同一个种子给出了不同的数：请从 "
                                  "np.random.default_rng(seed) 抽样，而不是用全局的或未设种子的"
                                  "生成器"))
        d = np.array(draws)
        if len(set(draws)) < 2:
            raise StudentError(tr(f"for {what} different seeds give (almost) the same number: "
                                  "the estimate must vary from seed to seed like real shots",
                                  f"对于{what}，不同的种子给出的数（几乎）相同：估计值应像真实"
                                  "测量一样随种子变化"))
        counts = (d + 1) / 2 * shots  # number of +1 outcomes, if the estimate is a mean of ±1
        if np.any(np.abs(d) > 1 + 1e-12) or not np.allclose(counts, np.round(counts), atol=1e-6):
            raise StudentError(tr(f"for {what} the result is not an average of {shots} outcomes "
                                  "±1: it must be a multiple of 2/shots in [−1, 1], as from real "
                                  "shots", f"对于{what}，结果不是 {shots} 个 ±1 结果的平均：它"
                                  "必须是 [−1, 1] 内 2/shots 的整数倍，就像真实测量那样"))
        sd = math.sqrt((1 - mu**2) / shots)
        if abs(d.std() / sd - 1) > 0.2:
            raise StudentError(tr(f"for {what} the scatter over seeds is not that of {shots} "
                                  "independent shots, √((1 − mu²)/shots)",
                                  f"对于{what}，不同种子间的离散程度不符合 {shots} 次独立测量的 "
                                  "√((1 − mu²)/shots)"))
        if abs(d.mean() - mu) > 5 * sd / math.sqrt(d.size):
            raise StudentError(tr(f"for {what} the estimates do not average to mu: an outcome is "
                                  "+1 with probability (1 + mu)/2 and −1 otherwise",
                                  f"对于{what}，估计值的平均不等于 mu：结果以 (1 + mu)/2 的概率"
                                  "为 +1，否则为 −1"))
    for mu in (1.0, -1.0):
        if float(call(fn, mu, 10, 3, what=f"mu = {mu:g}")) != mu:
            raise StudentError(tr(f"for mu = {mu:g} every shot gives {mu:+g}: the estimate must "
                                  "be exactly mu", f"对于 mu = {mu:g}，每次测量都得到 {mu:+g}："
                                  "估计值必须恰好等于 mu"))
    return tr("your estimate_z behaves like real shots (a mean of ±1 outcomes, spread "
              "√((1 − μ²)/N)) and, unlike TFQ's sampling ops, gives the same number for the same "
              "seed.",
              "你的 estimate_z 的表现与真实测量一样（±1 结果的平均，离散程度 √((1 − μ²)/N)），"
              "而且与 TFQ 的采样算子不同，同一个种子给出同一个数。")


q7 = FunctionExercise(
    "06.7",
    Text(
        "Write estimate_z(mu, shots, seed): simulate measuring Z `shots` times on a state with "
        "⟨Z⟩ = mu (each shot gives +1 with probability (1 + mu)/2, else −1) and return the mean "
        "of the outcomes as a float. Draw from np.random.default_rng(seed), so the same seed "
        "gives the same number. check calls it with many seeds and compares the spread with "
        "real shots. Pass the function itself to check.",
        "编写 estimate_z(mu, shots, seed)：模拟在 ⟨Z⟩ = mu 的态上测量 Z 共 shots 次（每次测量以 "
        "(1 + mu)/2 的概率得到 +1，否则得到 −1），返回这些结果的平均值（浮点数）。从 "
        "np.random.default_rng(seed) 抽样，使同一个种子给出同一个数。check 会用许多种子调用它，"
        "并把离散程度与真实测量比较。把函数本身传给 check。",
    ),
    checker=guarded(_check_estimate),
    hints=[
        Text(
            "Each shot is one of two outcomes, so the number of +1 outcomes among N shots is "
            "binomial with probability (1 + mu)/2.",
            "每次测量只有两种结果，所以 N 次测量中 +1 的个数服从概率为 (1 + mu)/2 的二项分布。",
        ),
        Text(
            "From k outcomes +1 and N − k outcomes −1 the mean is (k − (N − k))/N.",
            "k 个 +1 和 N − k 个 −1 的平均值是 (k − (N − k))/N。",
        ),
        Text(
            "The API: rng = np.random.default_rng(seed), then rng.binomial (one draw of the "
            "count) or rng.choice over [1, −1] with probabilities p.",
            "用到的 API：rng = np.random.default_rng(seed)，然后用 rng.binomial（一次抽出个数），"
            "或者用带概率 p 的 rng.choice 从 [1, −1] 中抽取。",
        ),
    ],
    solution_text=Text(
        "def estimate_z(mu, shots, seed):\n"
        "    rng = np.random.default_rng(seed)\n"
        "    k = rng.binomial(shots, (1 + mu) / 2)\n"
        "    return float((2 * k - shots) / shots)",
        "def estimate_z(mu, shots, seed):\n"
        "    # 同一个种子，同一组测量结果\n"
        "    rng = np.random.default_rng(seed)\n"
        "    k = rng.binomial(shots, (1 + mu) / 2)  # +1 结果的个数\n"
        "    return float((2 * k - shots) / shots)",
    ),
)
