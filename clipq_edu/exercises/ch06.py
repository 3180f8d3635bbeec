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

def _clipped_ratio(spec: str) -> float:
    """‖g₂‖/‖g₁‖ after clipping g₁ (norm 10) and g₂ (norm 0.1) at 1.0 per tensor or globally."""
    from clipq_edu import clipping

    g = [np.array([6.0, 8.0]), np.array([0.06, -0.08])]
    out = clipping.clip_by_norm(g, 1.0) if spec == "norm" else clipping.clip_by_global_norm(g, 1.0)[0]
    return float(np.linalg.norm(out[1]) / np.linalg.norm(out[0]))


q1 = NumericExercise(
    "06.1",
    Text(
        "Two weight tensors have gradients g₁ of norm 10 and g₂ of norm 0.1, so ‖g₂‖/‖g₁‖ = "
        "0.01. You clip with clipnorm=1.0 (tf-keras). What is the ratio ‖g₂‖/‖g₁‖ after "
        "clipping? Give it to three significant figures.",
        "两个权重张量的梯度 g₁ 的范数为 10，g₂ 的范数为 0.1，所以 ‖g₂‖/‖g₁‖ = 0.01。"
        "你用 clipnorm=1.0（tf-keras）裁剪。裁剪之后比值 ‖g₂‖/‖g₁‖ 是多少？保留三位有效数字。",
    ),
    expected=lambda: _clipped_ratio("norm"),
    rtol=1e-6,
    digits=3,
    shown=("0.100",),
    mistakes=[
        (lambda: _clipped_ratio("global"),
         Text("that is the ratio global_clipnorm keeps (one factor for all tensors); clipnorm "
              "clips each tensor on its own",
              "这是 global_clipnorm 保持的比值（所有张量共用一个因子）；clipnorm 对每个张量单独裁剪")),
        (lambda: 1.0 / 1.0,
         Text("you brought both tensors to norm 1: clipping never enlarges a tensor whose norm "
              "is already below the bound",
              "你把两个张量的范数都变成了 1：范数已经低于阈值的张量，裁剪从不把它放大")),
    ],
    hints=[
        Text(
            "clipnorm looks at each tensor separately: which of the two has a norm above the "
            "bound 1.0, and what is its norm after clipping?",
            "clipnorm 分别看每个张量：两个张量中哪一个的范数超过阈值 1.0？裁剪后它的范数是多少？",
        ),
        Text(
            "A tensor whose norm is already below the bound is left as it is.",
            "范数已经低于阈值的张量保持不变。",
        ),
    ],
    solution_text=Text(
        "clipnorm=1.0 clips g₁ from norm 10 to norm 1 and leaves g₂ (norm 0.1 < 1) alone, so the "
        "ratio becomes 0.1 / 1 = 0.100, ten times the original 0.01: the direction of the whole "
        "gradient changes. global_clipnorm=1.0 multiplies both by one factor and keeps 0.01.",
        "clipnorm=1.0 把 g₁ 的范数从 10 裁到 1，而 g₂（范数 0.1 < 1）保持不变，所以比值变成 "
        "0.1 / 1 = 0.100，是原来 0.01 的十倍：整个梯度的方向变了。global_clipnorm=1.0 "
        "把两者乘以同一个因子，比值保持 0.01。",
    ),
)

q2 = NumericExercise(
    "06.2",
    Text(
        "Take the gradient-norm telemetry of cq.course.faq.logistic_sgd() (seed 0, no clipping) "
        "and choose the threshold at the 95th percentile of the recorded norms (the chapter "
        "printed the 50th, 90th and 99th). Give that threshold to three decimals.",
        "取 cq.course.faq.logistic_sgd()（种子 0，不裁剪）在训练监控中记录的梯度范数，把阈值定在"
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
              "这是第 5 百分位数：95% 的步都在它*之上*，它几乎会裁剪每一步。阈值应让 95% "
              "的步低于它")),
    ],
    hints=[
        Text(
            "The 95th percentile is the norm that 95 % of the recorded steps stay below: it lies "
            "between the p90 and p99 printed in Q5.",
            "第 95 百分位数是 95% 的记录步都不超过的那个范数：它介于问题 5 中打印的 p90 和 p99 之间。",
        ),
        Text(
            "The run returns its telemetry; the raw norms are its norm_before attribute.",
            "这次运行返回它的训练监控记录；原始范数在其 norm_before 属性中。",
        ),
        Text("np.percentile(r.norm_before, 95).", "计算 np.percentile(r.norm_before, 95)。"),
    ],
    solution_text=Text(
        "np.percentile(cq.course.faq.logistic_sgd().norm_before, 95) ≈ 0.257, "
        "between p90 (0.208) and p99 (0.403): it clips 5 % of the steps, and the rare spikes (up "
        "to about 7) are cut to it.",
        "np.percentile(cq.course.faq.logistic_sgd().norm_before, 95) ≈ 0.257，"
        "介于 p90 (0.208) 和 p99 (0.403) 之间：它会裁剪 5% 的步，而罕见的尖峰"
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
        "You train with Adam (β₂ = 0.999) in mid-training; the gradient norm is about 1 at every "
        "step except one step with norm 1000. Run A clips by global norm at c = 5, run B at "
        "c = 50: each clip fires on that one step only. A few hundred steps after the spike, "
        "how do the two runs' updates compare?",
        "你在训练中途用 Adam（β₂ = 0.999）训练；梯度范数每一步都约为 1，只有一步为 1000。"
        "运行 A 按全局范数以 c = 5 为阈值裁剪，运行 B 以 c = 50 为阈值裁剪：两者都只在那一步起作用。"
        "尖峰之后几百步，两次运行的更新相比如何？",
    ),
    options={
        "a": Text(
            "The same up to Adam's ε: Adam cancels the clip's factor, as it does for a clip that "
            "fires at every step.",
            "除了 Adam 的 ε 带来的差别外相同：Adam 会抵消裁剪的因子，就像对每一步都起作用的裁剪那样。",
        ),
        "b": Text(
            "B's updates are shorter: its clipped spike (norm 50) still inflates Adam's second "
            "moment v, while A's (norm 5) barely does.",
            "B 的更新更短：它裁剪后的尖峰（范数 50）仍然抬高了 Adam 的二阶矩 v，而 A 的（范数 5）"
            "几乎没有。",
        ),
        "c": Text(
            "A's updates are shorter: a smaller bound shrinks every later step.",
            "A 的更新更短：更小的阈值会缩短之后的每一步。",
        ),
        "d": Text(
            "The same: both bounds are far above the typical norm of 1, so neither changes "
            "anything.",
            "相同：两个阈值都远高于典型范数 1，所以都不会改变任何东西。",
        ),
    },
    correct="b",
    explanations={
        "a": Text(
            "Adam cancels a factor common to every step; this clip scales one step only, so it "
            "is not cancelled.",
            "Adam 能抵消每一步共有的因子；这个裁剪只缩放了一步，所以不会被抵消。",
        ),
        "b": Text(
            "right: the spike adds (1 − β₂)·c² to v, which forgets it over about 1/(1 − β₂) = 1000 "
            "steps: 2.5 for c = 50 on top of the steady 1, so B's steps shrink to about 1/√3.5 "
            "≈ 0.53 of normal and are still about 0.6 of normal 300 steps later; 0.025 for "
            "c = 5, so A's stay within a few per cent of normal.",
            "正确：尖峰给 v 加上 (1 − β₂)·c²，v 要经过约 1/(1 − β₂) = 1000 步才会忘掉它："
            "c = 50 时在稳定值 1 之上多出 2.5，所以 B 的步长缩短到正常的约 1/√3.5 ≈ 0.53，"
            "300 步之后仍只有正常的约 0.6；"
            "c = 5 时只多出 0.025，所以 A 的步长与正常相差不过百分之几。",
        ),
        "c": Text(
            "the bound acts only on the step it fires on; later steps are shortened by what the "
            "spike left in v, and the larger bound leaves more.",
            "阈值只作用于它起作用的那一步；之后的步长被尖峰留在 v 中的部分缩短，而更大的阈值留下的更多。",
        ),
        "d": Text(
            "both clips fire on the spike, and they leave spikes of different sizes in Adam's "
            "moments.",
            "两个裁剪都在尖峰那一步起作用，并在 Adam 的矩估计中留下大小不同的尖峰。",
        ),
    },
    hints=[Text(
        "Adam cancels a factor only when every step is multiplied by it. What does the clipped "
        "spike add to the running mean of g², and how long does that last?",
        "只有当每一步都乘以同一个因子时，Adam 才能抵消它。裁剪后的尖峰给 g² 的滑动平均加了多少？"
        "这会持续多久？",
    )],
    solution_text=Text(
        "(b). A clip that fires on some steps only is not a common factor, so the threshold "
        "matters: the clipped spike adds (1 − β₂)c² to v (2.5 for c = 50, 0.025 for c = 5), "
        "and v forgets it over about 1000 steps, so B's updates stay at about 0.5–0.6 of "
        "normal for hundreds of steps while A's stay normal.",
        "(b)。只在部分步起作用的裁剪不是共同因子，所以阈值很重要：裁剪后的尖峰给 v 加上 "
        "(1 − β₂)c²（c = 50 时为 2.5，c = 5 时为 0.025），v 要经过约 1000 步才会忘掉它，"
        "所以 B 的更新在几百步内约为正常的 0.5–0.6，而 A 的保持正常。",
    ),
)

q5 = ChoiceExercise(
    "06.5",
    Text(
        "In a fresh notebook your first cell runs `import tensorflow as tf` and builds "
        "`tf.keras.layers.Dense(2)`. The second cell runs `import clipq_edu as cq`, which "
        "refuses with an ImportError: tf.keras is Keras 3 here. You run "
        "`os.environ[\"TF_USE_LEGACY_KERAS\"] = \"1\"` in a new cell and run the import "
        "again: it still refuses. Why?",
        "在一个新的笔记本里，第一个单元格执行 `import tensorflow as tf` 并创建 "
        "`tf.keras.layers.Dense(2)`。第二个单元格执行 `import clipq_edu as cq`，它以 ImportError "
        "拒绝加载：这里的 tf.keras 是 Keras 3。你在一个新单元格里执行 "
        "`os.environ[\"TF_USE_LEGACY_KERAS\"] = \"1\"`，再执行一次导入："
        "它仍然拒绝。为什么？",
    ),
    options={
        "a": Text(
            "The variable must be set to \"true\"; \"1\" is not understood.",
            "这个变量必须设为 \"true\"；\"1\" 不被识别。",
        ),
        "b": Text(
            "TensorFlow read the variable once, when the first cell first used tf.keras, and "
            "chose Keras 3 for the rest of this process; changing the variable later changes "
            "nothing.",
            "TensorFlow 只读取这个变量一次，即第一个单元格第一次用到 tf.keras 时，并在这个进程"
            "余下的时间里都用 Keras 3；之后再改这个变量什么也改变不了。",
        ),
        "c": Text(
            "Environment variables set from Python code are ignored; it has to be set in a "
            "terminal.",
            "在 Python 代码里设置的环境变量会被忽略；必须在终端里设置。",
        ),
        "d": Text(
            "TensorFlow Quantum is not installed in this kernel.",
            "这个内核里没有安装 TensorFlow Quantum。",
        ),
    },
    correct="b",
    explanations={
        "a": Text(
            "\"1\" is the documented value; the value is not the problem, the moment is.",
            "\"1\" 正是文档规定的值；问题不在值，而在时机。",
        ),
        "b": Text(
            "right: the choice is made once per process, when tf.keras is first touched. Restart "
            "the kernel and import clipq_edu first (it sets the variable before TensorFlow "
            "loads), or set the variable before starting Python.",
            "正确：每个进程只在第一次用到 tf.keras 时做一次选择。重启内核并先导入 clipq_edu"
            "（它会在 TensorFlow 加载之前设置这个变量），或者在启动 Python 之前设置这个变量。",
        ),
        "c": Text(
            "Python code can set it: that is exactly what `import clipq_edu` does, and it works "
            "when it runs before TensorFlow first uses tf.keras.",
            "Python 代码可以设置它：`import clipq_edu` 正是这么做的，只要它在 TensorFlow "
            "第一次用到 tf.keras 之前运行就有效。",
        ),
        "d": Text(
            "the refusal says tf.keras is Keras 3, which has nothing to do with whether TFQ is "
            "installed.",
            "拒绝的原因是 tf.keras 是 Keras 3，与 TFQ 是否安装无关。",
        ),
    },
    hints=[Text(
        "*When* does TensorFlow decide which Keras tf.keras is, and can a running process "
        "decide again?",
        "TensorFlow 在*什么时候*决定 tf.keras 指的是哪一个 Keras？正在运行的进程能再决定一次吗？",
    )],
    solution_text=Text(
        "(b): TensorFlow chooses once per process, when tf.keras is first used. Restart the "
        "kernel and import clipq_edu before TensorFlow (or set TF_USE_LEGACY_KERAS=1 before "
        "starting Python).",
        "(b)：TensorFlow 每个进程只在第一次用到 tf.keras 时选择一次。重启内核，在 TensorFlow "
        "之前导入 clipq_edu（或在启动 Python 之前设置 TF_USE_LEGACY_KERAS=1）。",
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
                              f"对于 p = {bad:g}（不在 [0, 100] 之内），请抛出 ValueError，"
                              "而不是返回一个阈值"))
    return tr("your autoclip_threshold skips the steps that produced NaN or Inf, clips nothing "
              "before the first norm, and refuses a p outside 0..100: what AutoClip needs on "
              "a real run.",
              "你的 autoclip_threshold 跳过产生 NaN 或 Inf 的步，在第一个范数到来之前什么都不裁剪，"
              "并拒绝 [0, 100] 之外的 p：这正是 AutoClip 在真实训练中所需要的。")


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
