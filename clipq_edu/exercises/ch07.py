"""Exercises for chapter 07, the capstone lab: diagnose and fix a misbehaving hybrid model.

The model the learner receives carries one fault, chosen by the lab seed
(:func:`clipq_edu.course.lab.fault_name`, environment variable ``CLIPQ_EDU_LAB_SEED``; unset:
the stored story, inputs in the wrong units). Answers are computed when checked, from the
lab's own (cached) runs of the delivered model; nothing is written in the notebook. q5 (the
diagnosis) is checked against the seed's fault, q6 (the fix, as code) by training the fixed
settings on held-out seeds. Checking q1, q2 and q6 trains the lab model if that run is not
cached yet (a few seconds, TensorFlow is loaded on first use).

Taught in chapter 07.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu.course import lab
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise
from clipq_edu.i18n import Text, tr

__all__ = ["CAUSE_FIELDS", "DIAGNOSES", "HELPS_BY", "MAX_EPOCHS", "SPIKE_FACTOR", "q1", "q2", "q3", "q4", "q5", "q6", "q7",
           "q8"]

#: q1: a step is a spike when its raw norm exceeds this many times the median norm.
SPIKE_FACTOR = 5.0

#: q6: a fix may train for at most this many epochs (lab time is short).
MAX_EPOCHS = 10

#: q6: the settings a diagnosis can blame. A fix changes exactly one of them (epochs, batch
#: size and clipping may change besides), so that it names the cause it removes.
CAUSE_FIELDS = ("standardized", "loss", "learning_rate", "angle_scale", "signed_labels")

#: q6: a fix that misses the target but lifts the held-out mean test accuracy of the delivered
#: model by at least this much "helps" (the message then says to train longer, not to go back).
HELPS_BY = 0.15


def _spike_count() -> int:
    norms = np.asarray(lab.run_lab(lab.delivered()).telemetry.norm_before)
    return int(np.sum(norms > SPIKE_FACTOR * np.median(norms)))


def _spike_count_by_mean() -> int:
    norms = np.asarray(lab.run_lab(lab.delivered()).telemetry.norm_before)
    return int(np.sum(norms > SPIKE_FACTOR * np.mean(norms)))


q1 = NumericExercise(
    "07.1",
    Text(
        "From the baseline run's telemetry (`baseline.telemetry.norm_before`, one raw global "
        f"gradient norm per step), count the spikes: the steps whose norm is more than "
        f"{SPIKE_FACTOR:g} times the median norm. Answer with a whole number.",
        "根据基线运行的训练监控（`baseline.telemetry.norm_before`，每步一个原始的全局梯度范数），"
        f"数一数尖峰的个数：范数超过中位数范数 {SPIKE_FACTOR:g} 倍的那些步。请用一个整数回答。",
    ),
    expected=_spike_count,
    rtol=0.0,
    atol=0.5,
    shown=("2",),
    mistakes=[(_spike_count_by_mean, Text(
        "That is the count against 5 times the *mean* norm: the spikes themselves pull the mean "
        "up. Compare with the median.",
        "这是以平均范数的 5 倍为界得到的个数：尖峰本身会把平均值拉高。请与中位数比较。"))],
    hints=[
        Text(
            "Use the median as the typical norm, not the mean: a few spikes pull the mean up.",
            "用中位数而不是平均值作为典型范数：少数几个尖峰就会把平均值拉高。",
        ),
        Text(
            "A comparison of the whole array with one number marks every step at once; True "
            "counts as 1 when you add the marks up.",
            "把整个数组与一个数比较，一次就标出了每一步；把这些标记加起来时，True 算作 1。",
        ),
    ],
    solution_text=Text(
        "norms = baseline.telemetry.norm_before; int(np.sum(norms > 5 * "
        "np.median(norms))); with the default lab seed the count is 2. Then look at where they "
        "sit, np.flatnonzero(norms > 5 * np.median(norms)): with that seed they are steps 0 "
        "and 2, the "
        "start-up transient of the first batches, not a pattern of the whole run (section 2 "
        "measures the ratio after a warm-up). The largest norm over the median, the spike "
        "ratio, is what `lab.diagnose` prints.",
        "从训练监控中取出 norms = baseline.telemetry.norm_before; int(np.sum(norms > 5 * "
        "np.median(norms)))；在默认的实验种子下，个数是 2。再看看它们在哪里："
        "np.flatnonzero(norms > 5 * np.median(norms))。在这个种子下，它们是第 0 步和第 2 步，"
        "是最初几个批量的起步瞬态，"
        "而不是整次运行的规律（第 2 节计算去掉预热阶段之后的比值）。最大范数与中位数之比，"
        "也就是尖峰比，正是 `lab.diagnose` 打印的数。",
    ),
)


def _two_largest_medians() -> list[float]:
    return sorted(lab.diagnose(lab.run_lab(lab.delivered())).tensor_medians.values(),
                  reverse=True)[:2]


def _second_ratio() -> float:
    first, second = _two_largest_medians()
    return float(first / second)


def _rounded_second_ratio() -> float:
    """The mistake: the ratio of the medians as ``diagnose`` prints them (``:.3g``)."""
    first, second = (float(f"{m:.3g}") for m in _two_largest_medians())
    return first / second


q2 = NumericExercise(
    "07.2",
    Text(
        "Does one weight tensor stand out in the baseline run? Summarise each tensor by its "
        "median gradient norm (the columns of `baseline.telemetry.layer_norms`, names in "
        "`baseline.telemetry.weight_names`) and answer with the largest median over the "
        "*next-largest* one, to 3 significant figures. Then say in words whether it singles "
        "out a tensor: a factor of several does, a factor near 1 does not.",
        "在基线运行中，有没有哪个权重张量格外突出？用梯度范数的中位数概括每个张量"
        "（`baseline.telemetry.layer_norms` 的各列，名字在 `baseline.telemetry.weight_names` 中），"
        "回答最大的中位数是*第二大*中位数的多少倍，保留 3 位有效数字。然后用文字说明它是否"
        "单独指向了某个张量：好几倍说明是，接近 1 说明不是。",
    ),
    expected=_second_ratio,
    rtol=0.0,
    digits=3,
    mistakes=[
        (_rounded_second_ratio,
         Text("that is the ratio of the medians as lab.diagnose prints them (rounded to 3 "
              "figures): rounding both before dividing moves the third figure; divide the "
              "unrounded medians (np.median over the columns of layer_norms)",
              "这是 lab.diagnose 打印出的中位数（已取 3 位有效数字）之比：先取整再相除会改变第三位；"
              "请用未取整的中位数相除（对 layer_norms 的各列取 np.median）")),
    ],
    hints=[
        Text(
            "Each column of layer_norms is one tensor's gradient norm over the steps; summarise "
            "every column by its median (robust to the spikes).",
            "layer_norms 的每一列是一个张量在各步的梯度范数；用中位数概括每一列"
            "（中位数不受尖峰影响）。",
        ),
        Text(
            "Only the two largest medians matter; putting the medians in order finds them.",
            "只有最大的两个中位数有关系；把中位数排好顺序就能找到它们。",
        ),
    ],
    solution_text=Text(
        "m = np.sort(np.median(baseline.telemetry.layer_norms, axis=0)); m[-1] / m[-2]. "
        "By the chain rule a tensor's gradient is (what feeds it) × (the error signal): a "
        "tensor several times above the others points at what feeds it; a ratio near 1 points "
        "at no tensor, and the cause is to be sought elsewhere (the loss, the step size). "
        "(The last digits of a TensorFlow "
        "training run depend on the CPU; the check compares with the run on your machine.)",
        "由训练监控得 m = np.sort(np.median(baseline.telemetry.layer_norms, axis=0)); "
        "m[-1] / m[-2]。由链式法则，一个张量的梯度等于（输入给它的量）×（误差信号）："
        "比其他张量高出好几倍的那个，指向输入给它的东西；比值接近 1 则不指向任何张量，"
        "病因要到别处去找（损失、步长）。（TensorFlow 训练结果的最后几位取决于 CPU；"
        "检查时与你机器上的运行结果比较。）",
    ),
)


def _slope_ratio() -> float:
    return float(lab.loss_slope("naive_bce", 0.01) / lab.loss_slope("mse", 0.01))


q3 = NumericExercise(
    "07.3",
    Text(
        "A training example with label y = 1 gets predicted probability p = 0.01. How many times "
        "larger is |dL/dp| for cross-entropy than for MSE, (p − y)²?",
        "一个标签为 y = 1 的训练样本得到的预测概率是 p = 0.01。交叉熵的 |dL/dp| 是 "
        "MSE (p − y)² 的多少倍？",
    ),
    expected=_slope_ratio,
    rtol=1e-3,
    digits=3,
    shown=("50.5",),
    mistakes=[
        (lambda: float(lab.loss_slope("naive_bce", 0.01) / (1 - 0.01)), Text(
            "That ratio drops the factor 2 of MSE's slope: d(p − 1)²/dp = 2(p − 1).",
            "这个比值丢掉了 MSE 斜率中的因子 2：d(p − 1)²/dp = 2(p − 1)。")),
        (lambda: float(lab.loss_slope("mse", 0.01) / lab.loss_slope("naive_bce", 0.01)), Text(
            "That is MSE's slope over cross-entropy's: the question asks the other way round.",
            "这是 MSE 的斜率除以交叉熵的斜率：题目问的是反过来的比值。")),
    ],
    hints=[
        Text(
            "Cross-entropy for y = 1 is −log p; MSE is (p − 1)².",
            "y = 1 时交叉熵是 −log p；MSE 是 (p − 1)²。",
        ),
        Text(
            "Differentiate both with respect to p and take absolute values: 1/p and 2(1 − p).",
            "两者分别对 p 求导再取绝对值：1/p 和 2(1 − p)。",
        ),
    ],
    solution_text=Text(
        "|d(−log p)/dp| = 1/p = 100 and |d(p − 1)²/dp| = 2(1 − p) = 1.98; the ratio "
        "is about 50.5. Near p = 0 cross-entropy's slope has no bound; MSE's never exceeds 2.",
        "|d(−log p)/dp| = 1/p = 100，|d(p − 1)²/dp| = 2(1 − p) = 1.98；两者之比约为 50.5。"
        "在 p = 0 附近，交叉熵的斜率没有上界；MSE 的斜率永远不超过 2。",
    ),
)

q4 = ChoiceExercise(
    "07.4",
    Text(
        "Clipping by global norm at 0.1 changed the gradient in most steps (Adam; the "
        "clipped fraction is printed above) and the delivered model still did not learn. Why "
        "did clipping not fix it?",
        "按全局范数、以 0.1 为阈值的裁剪在大多数步中都改变了梯度（Adam；被裁剪的步所占比例已在上面"
        "打印），而交付的模型仍然没有学会。为什么裁剪没能修好它？",
    ),
    options={
        "a": Text(
            "The threshold was still too high; a smaller one would work.",
            "阈值还是太高；换一个更小的就行。",
        ),
        "b": Text(
            "Clipping rescales the gradient; under Adam a rescaling in (nearly) every step "
            "leaves the step length set by the learning rate, and nothing in it touches whatever "
            "makes the gradients misbehave.",
            "裁剪只是缩放梯度；在 Adam 下，（几乎）每一步都缩放之后，步长仍由学习率决定，"
            "而且这并没有触及让梯度失常的原因。",
        ),
        "c": Text(
            "Clipping made the gradients vanish, so nothing was learned.",
            "裁剪让梯度消失了，所以什么也没学到。",
        ),
        "d": Text(
            "The run is too short; clipped training just needs more epochs.",
            "训练太短；带裁剪的训练只是需要更多轮次。",
        ),
    },
    correct="b",
    explanations={
        "a": Text(
            "With a clip active at every step Adam sees c·g/‖g‖, and its RMS normalisation "
            "cancels the constant c: a bound of 0.01 gives the same steps (up to Adam's ε). The "
            "threshold stops mattering (chapter 03a §5).",
            "裁剪每一步都起作用时，Adam 看到的是 c·g/‖g‖，而它的 RMS 归一化会抵消常数 c："
            "阈值取 0.01 得到的步也完全一样（至多差一个 Adam 的 ε）。阈值不再重要"
            "（第 03a 章 §5）。",
        ),
        "b": Text(
            "Right: clipping bounds a step, it does not remove a cause. Section 4 finds the "
            "cause. (Under plain SGD a clip does shorten steps: chapter 03c's controls.)",
            "正确：裁剪限制的是步长，并不消除病因。第 4 节去找病因。"
            "（在普通 SGD 下裁剪确实会缩短步长：见第 03c 章的对照实验。）",
        ),
        "c": Text(
            "Clipping never makes a gradient smaller than the bound, and under Adam the "
            "gradient's scale barely changes the step at all.",
            "裁剪从不把梯度缩到比阈值还小，而且在 Adam 下，梯度的尺度几乎完全不影响步长。",
        ),
        "d": Text(
            "The clipped runs' losses and accuracies in the table do not trend towards the "
            "target; more of the same steps would not change that.",
            "表中带裁剪的运行，其损失和准确率并没有朝目标变化；再多同样的步也改变不了这一点。",
        ),
    },
    hints=[Text(
        "What does Adam do to a gradient that is multiplied by the same factor at every "
        "step, and is c/‖g_t‖ such a factor?",
        "如果梯度在每一步都乘以同一个因子，Adam 会怎样处理它？c/‖g_t‖ 是这样的因子吗？",
    )],
    solution_text=Text(
        "b. Under Adam an always-active clip only normalises the gradient (the step "
        "length stays set by the learning rate), so it cannot repair what causes the trouble.",
        "b. 在 Adam 下，始终起作用的裁剪只是把梯度归一化（步长仍由学习率决定），"
        "所以它修复不了问题的根源。",
    ),
)

#: q5: the diagnosis options, one per fault of :data:`clipq_edu.course.lab.FAULTS`, plus one
#: that no seed makes right.
DIAGNOSES = {"a": "units", "b": "learning_rate", "c": "wrap", "d": "labels", "e": None}
_OPTIONS = {
    "a": Text("The input features are in the wrong units: their standard deviations are far "
              "from 1.",
              "输入特征的单位不对：它们的标准差远离 1。"),
    "b": Text("The learning rate is far too large for this loss surface.",
              "对这个损失面来说，学习率大得太多了。"),
    "c": Text("The angle encoding multiplies the angles by a large factor, so the data wrap "
              "around the circle several times.",
              "角度编码把角度乘上了一个很大的因子，数据在圆周上绕了好几圈。"),
    "d": Text("The labels are −1/+1, but the hand-written log-loss expects 0/1, so it has no "
              "floor.",
              "标签是 −1/+1，而手写的对数损失期望 0/1，于是它没有下界。"),
    "e": Text("The clipping threshold is too high.", "裁剪阈值太高。"),
}
#: Why an option is right, as its evidence reads in the telemetry.
_EVIDENCE = {
    "a": Text("the printed feature standard deviations are far from 1, and the first layer's "
              "gradient (input × error signal) sits far above the others",
              "打印出的特征标准差远离 1，而且第一层的梯度（输入 × 误差信号）远高于其他张量"),
    "b": Text("the data are standardised and every tensor's gradient is of ordinary size, yet "
              "the loss does not settle and a smaller learning rate (one change) makes it learn",
              "数据已经标准化，每个张量的梯度大小都正常，损失却不收敛；只把学习率调小"
              "（一处改动）模型就学会了"),
    "c": Text("the features are standardised (standard deviations 1), yet the first layer's "
              "gradient sits far above the others: something between the data and the circuit "
              "multiplies them, and one change of the encoding factor makes the model learn",
              "特征已经标准化（标准差为 1），第一层的梯度却远高于其他张量：数据和线路之间有东西"
              "把它们放大了，只改动编码因子这一处，模型就学会了"),
    "d": Text("the batch loss goes below 0, which no log-loss on 0/1 labels can do",
              "批量损失降到了 0 以下，而 0/1 标签上的对数损失不可能这样"),
}


def _fault_key() -> str:
    fault = lab.fault_name()
    return next(k for k, v in DIAGNOSES.items() if v == fault)


class _DiagnosisChoice(ChoiceExercise):
    """A choice whose right option is the fault of the learner's lab seed (read when used).

    ``correct`` and the start of ``solution_text`` follow :func:`clipq_edu.course.lab.fault_name`
    at the moment they are read, so a kernel started with ``CLIPQ_EDU_LAB_SEED`` set is checked
    against its own fault.
    """

    @property  # type: ignore[override]
    def correct(self) -> str:
        return _fault_key()

    @correct.setter
    def correct(self, value: str) -> None:  # the dataclass __init__ assigns it: ignored
        pass

    @property  # type: ignore[override]
    def solution_text(self) -> str:
        key = _fault_key()
        return Text(f"({key}). {self._solution.en}", f"({key})。{self._solution.zh}")

    @solution_text.setter
    def solution_text(self, value: str) -> None:
        self._solution = value

    def _check(self, answer: Any) -> tuple[bool, str]:
        key = str(answer).strip().lower()
        if key not in self.options:
            return super()._check(answer)
        right = self.correct
        if key == right:
            return True, tr(f"right: {_EVIDENCE[key]}. Now write the fix (exercise 6).",
                            f"正确：{_EVIDENCE[key]}。现在把修复写成代码（练习 6）。")
        return False, tr("the telemetry and one-change runs of your model do not support this "
                         "one: name the evidence that would, and look for it",
                         "你的模型的训练监控和单一改动的运行并不支持这个选项：想一想什么证据会支持它，"
                         "再去找找看")


q5 = _DiagnosisChoice(
    "07.5",
    Text(
        "Your diagnosis: what is wrong with the model you were handed? Decide from the "
        "telemetry and from your one-change runs, not from a guess.",
        "你的诊断：交给你的模型出了什么问题？请根据训练监控和你做的单一改动运行来判断，"
        "而不是靠猜。",
    ),
    options=_OPTIONS,
    hints=[
        Text("Write down what the telemetry shows: which tensor's gradient is largest, whether "
             "the loss goes below its floor or becomes NaN, what the data's standard deviations "
             "are.",
             "先写下训练监控显示了什么：哪个张量的梯度最大，损失是否低于它的下界或变成 NaN，"
             "数据的标准差是多少。"),
        Text("Each option predicts something you can test with ONE change in LabSettings: "
             "run it over 3 seeds with lab.seed_spread and keep the option whose change helps.",
             "每个选项都预言了一件可以用 LabSettings 里的一处改动来检验的事：用 lab.seed_spread "
             "在 3 个种子上运行，留下那个改动确实有帮助的选项。"),
        Text("Two options can share the same one-change evidence: a factor in front of the "
             "circuit makes data in the wrong units look like an encoding with a large factor, "
             "so shrinking the encoding factor helps partly in both cases. What separates (a) "
             "from (c) is the printed feature standard deviations of section 1.",
             "两个选项可能有同样的单一改动证据：线路前的一个因子会让单位不对的数据看起来像是"
             "编码因子过大，所以在这两种情况下缩小编码因子都会有一部分帮助。区分 (a) 和 (c) "
             "的是第 1 节打印出的特征标准差。"),
    ],
    solution_text=Text(
        "For your lab seed (another seed can hand out another fault). The evidence for each: (a) feature standard deviations "
        "far from 1 and a dominant first-layer gradient; (b) ordinary gradients, a loss that "
        "does not settle, and a smaller learning rate helps; (c) standardised features but a "
        "dominant first-layer gradient, and one change of the encoding factor makes it learn; "
        "(d) a batch loss below 0. (e) is never the cause: clipping did not help.",
        "这是你的实验种子对应的答案（换一个种子可能是另一种毛病）。各选项的证据：(a) 特征标准差远离 1，且第一层梯度占主导；"
        "(b) 梯度大小正常，损失不收敛，调小学习率就有帮助；(c) 特征已标准化，第一层梯度却"
        "占主导，只改动编码因子这一处模型就学会了；(d) 批量损失低于 0。(e) 从来不是病因：裁剪没有帮助。",
    ),
)


def _check_fix(fn: Any) -> str:
    require_callable(fn, "fix(settings)")
    fixed = []
    for seed in lab.HELD_OUT_SEEDS:
        given = lab.delivered().but(seed=seed)
        what = tr(f"the delivered model with seed {seed}", f"种子为 {seed} 的交付模型")
        with lab._Grading():  # the reference fix refuses to run inside the learner's code
            out = call(fn, given, what=what)
        if not isinstance(out, lab.LabSettings):
            raise StudentError(tr(f"for {what} return a LabSettings (settings.but(...)), "
                                  f"not {type(out).__name__}",
                                  f"对于{what}，请返回一个 LabSettings（settings.but(...)），"
                                  f"而不是 {type(out).__name__}"))
        if out.seed != seed:
            raise StudentError(tr("keep the seed you are given: the check trains on seeds your "
                                  "notebook never saw",
                                  "请保留传入的种子：检查会在你的笔记本从未见过的种子上训练"))
        if out.epochs > MAX_EPOCHS:
            raise StudentError(tr(f"use at most {MAX_EPOCHS} epochs (lab time is short)",
                                  f"最多使用 {MAX_EPOCHS} 个轮次（实验时间有限）"))
        if out == given:
            raise StudentError(tr("your fix returns the settings unchanged: change what your "
                                  "diagnosis blames",
                                  "你的修复原样返回了设置：请改动你的诊断所指出的东西"))
        if out.but(clip=None) == given.but(clip=None):
            raise StudentError(tr("your fix changes only the clipping: clipping bounds the steps "
                                  "but removes no cause (section 3); change what your diagnosis "
                                  "blames",
                                  "你的修复只改了裁剪：裁剪限制步长，却不消除任何病因（第 3 节）；"
                                  "请改动你的诊断所指出的东西"))
        changed = [name for name in CAUSE_FIELDS if getattr(out, name) != getattr(given, name)]
        if len(changed) > 1:
            names = ", ".join(changed)
            raise StudentError(tr(
                f"your fix changes {len(changed)} of the model's settings at once ({names}): "
                "change ONE, the one your diagnosis blames (epochs, batch size and "
                "clipping may change besides), so that the fix shows which cause it removes",
                f"你的修复同时改动了模型的 {len(changed)} 项设置（{names}）：只改一项，"
                "也就是你的诊断所指出的那一项（轮次、批量大小和裁剪可以另外改动），这样修复才能说明"
                "它消除的是哪个病因"))
        fixed.append(out)
    reached, mean, _ = lab.fix_reaches_target(fixed)
    seeds = ", ".join(str(s) for s in lab.HELD_OUT_SEEDS)
    if not reached:
        raise StudentError(_missed(fixed, mean, seeds))
    return tr(f"trained on the held-out seeds {seeds}, your fix reaches a mean test accuracy of "
              f"{mean:.2f} (target {lab.TARGET_ACCURACY}).",
              f"在留出的种子 {seeds} 上训练，你的修复达到的平均测试准确率为 {mean:.2f}"
              f"（目标 {lab.TARGET_ACCURACY}）。")


def _missed(fixed: list[Any], mean: float, seeds: str) -> str:
    """Why a fix missed the target: it does not help, or it helps but has not fitted yet."""
    _, before, _ = lab.fix_reaches_target([lab.delivered().but(seed=s.seed) for s in fixed])
    train = float(np.mean([lab.run_lab(s).train_accuracy for s in fixed]))
    epochs = max(s.epochs for s in fixed)
    target = lab.TARGET_ACCURACY
    if mean >= before + HELPS_BY:
        more = (tr(f"train longer (at most {MAX_EPOCHS} epochs) or ", f"训练更久（最多 {MAX_EPOCHS} "
                   "个轮次），或")
                if epochs < MAX_EPOCHS else "")
        return tr(
            f"your change helps (mean test accuracy on the held-out seeds {seeds}: {before:.2f} "
            f"as delivered → {mean:.2f}), but it has not fitted in {epochs} epochs (train "
            f"accuracy {train:.2f}; the target is {target}): {more}choose a value of the same "
            "setting that lets the model fit faster",
            f"你的改动有帮助（在留出的种子 {seeds} 上的平均测试准确率：交付时 {before:.2f} → "
            f"{mean:.2f}），但在 {epochs} 个轮次内还没有拟合好（训练准确率 {train:.2f}；目标是 "
            f"{target}）：{more}给同一项设置选一个能让模型更快拟合的值")
    return tr(
        f"trained on the held-out seeds {seeds}, your fixed settings reach a mean test accuracy "
        f"of {mean:.2f} (as delivered: {before:.2f}; train accuracy {train:.2f}); the target is "
        f"{target}: the change does not remove the cause. Go back to the telemetry",
        f"在留出的种子 {seeds} 上训练，你修复后的设置平均测试准确率为 {mean:.2f}（交付时为 "
        f"{before:.2f}；训练准确率 {train:.2f}）；目标是 {target}：这个改动没有消除病因。"
        "请回到训练监控")


q6 = FunctionExercise(
    "07.6",
    Text(
        "The fix as code: write fix(settings) that takes the delivered model's LabSettings "
        "(with any seed) and returns fixed settings, changing what your diagnosis blames "
        f"(settings.but(...)). The check trains your fix on held-out seeds: the mean test "
        f"accuracy must reach {lab.TARGET_ACCURACY}, in at most {MAX_EPOCHS} epochs. Change ONE "
        "of the model's settings (epochs, batch size and clipping may change besides); a change "
        "of the "
        "clipping alone is not accepted.",
        "把修复写成代码：编写 fix(settings)，它接收交付模型的 LabSettings（种子任意），"
        "返回修复后的设置，改动你的诊断所指出的东西（settings.but(...)）。检查会在留出的种子上"
        f"训练你的修复：平均测试准确率必须达到 {lab.TARGET_ACCURACY}，最多 {MAX_EPOCHS} 个轮次。"
        "只改模型的一项设置（轮次、批量大小和裁剪可以另外改动）；只改裁剪不算数。",
    ),
    checker=guarded(_check_fix),
    hints=[
        Text("help(lab.LabSettings) lists every field you can change; your diagnosis names one "
             "of them. If your change helps but misses the target, the model may need more "
             "epochs to fit.",
             "help(lab.LabSettings) 列出了所有可以改动的字段；你的诊断指向其中一个。"
             "如果改动有帮助却没达到目标，模型可能需要更多轮次来拟合。"),
        Text("LabSettings is frozen: build the fixed copy with settings.but(field=value), and "
             "keep the seed you are given.",
             "LabSettings 是不可变的：用 settings.but(field=value) 构造修复后的副本，"
             "并保留传入的种子。"),
    ],
    solution_text=Text(
        "def fix(settings):\n"
        "    # one change per diagnosis of exercise 5; keep the line of yours:\n"
        "    # (a) settings.but(standardized=True, epochs=8)\n"
        "    # (b) settings.but(learning_rate=0.1)\n"
        "    # (c) settings.but(angle_scale=1.0)\n"
        "    # (d) settings.but(signed_labels=False)\n"
        "    return settings.but(standardized=True, epochs=8)  # (a)",
        "def fix(settings):\n"
        "    # 练习 5 的每种诊断对应一处改动；保留你的那一行：\n"
        "    # (a) settings.but(standardized=True, epochs=8)\n"
        "    # (b) settings.but(learning_rate=0.1)\n"
        "    # (c) settings.but(angle_scale=1.0)\n"
        "    # (d) settings.but(signed_labels=False)\n"
        "    return settings.but(standardized=True, epochs=8)  # (a)",
    ),
)


def _reference_standardize(x_train: np.ndarray, x_test: np.ndarray,
                           ddof: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The reference: training statistics, population (``ddof=0``) or sample (``ddof=1``)
    standard deviation (both are legitimate readings of "standard deviation 1")."""
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0, ddof=ddof) if len(x_train) > ddof else np.zeros(x_train.shape[1])
    std = np.where(std > 0, std, 1.0)
    return (x_train - mean) / std, (x_test - mean) / std


def _standardize_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(7)
    scale = np.array([30.0, 0.01, 5.0])
    shift = np.array([100.0, -3.0, 0.0])
    train = rng.normal(size=(50, 3)) * scale + shift
    test = rng.normal(size=(20, 3)) * scale + shift + 1.0
    constant = np.column_stack([rng.normal(size=10) * 30, np.full(10, 4.0)])
    return [
        (tr("features 30x too large (as in the lab)", "大了 30 倍的特征（如本实验）"),
         rng.normal(size=(40, 2)) * 30, rng.normal(size=(10, 2)) * 30),
        (tr("three features on very different scales", "尺度相差悬殊的三个特征"), train, test),
        (tr("a constant feature (standard deviation 0)", "一个常数特征（标准差为 0）"),
         constant, constant[:3] + 1.0),
        (tr("a test set of one point", "只有一个点的测试集"), train, test[:1]),
    ]


def _check_standardize(fn: Any) -> str:
    require_callable(fn, "standardize(x_train, x_test)")
    for what, train, test in _standardize_cases():
        tr_in, te_in = train.copy(), test.copy()
        out = call(fn, tr_in, te_in, what=what)
        if not isinstance(out, tuple) or len(out) != 2:
            raise StudentError(tr(f"for {what}, return a pair (x_train_std, x_test_std)",
                                  f"对于{what}，请返回一对 (x_train_std, x_test_std)"))
        if not (np.array_equal(tr_in, train) and np.array_equal(te_in, test)):
            raise StudentError(tr(f"for {what}, your function changed its inputs in place",
                                  f"对于{what}，你的函数原地修改了它的输入"))
        zero_std = tr(": a feature with standard deviation 0 must be divided by 1, not by 0",
                      "：标准差为 0 的特征应当除以 1，而不是除以 0")
        got_tr = as_array(out[0], train.shape, tr(f"the training part of {what}", f"{what}的训练部分"),
                          nonfinite=zero_std)
        got_te = as_array(out[1], test.shape, tr(f"the test part of {what}", f"{what}的测试部分"),
                          nonfinite=zero_std)
        # ddof 0 or 1, and a tiny epsilon added to the spread, are all fine where it has one
        refs = [_reference_standardize(train, test, ddof) for ddof in (0, 1)]
        # (rtol 1e-4: an epsilon of 1e-7 on a spread of 0.01 changes the result by 1e-5)
        if any(np.allclose(got_tr, a, atol=1e-6, rtol=1e-4) and
               np.allclose(got_te, b, atol=1e-6, rtol=1e-4) for a, b in refs):
            continue
        want_tr, want_te = refs[0]
        if np.allclose(got_tr, want_tr, atol=1e-6) and np.abs(got_te).max() > 1e6:
            raise StudentError(tr(
                f"for {what}, the test part holds values near {np.abs(got_te).max():.0e}: a "
                "constant feature divided by a tiny number (a standard deviation of 0 plus an "
                "epsilon) blows up any test value that differs from the training constant; "
                "divide by 1 where the standard deviation is 0",
                f"对于{what}，测试部分出现了接近 {np.abs(got_te).max():.0e} 的值：常数特征被一个"
                "极小的数（标准差 0 加上 epsilon）相除，任何与训练常数不同的测试值都会被放大到"
                "极大；在标准差为 0 的地方应当除以 1"))
        if not any(np.allclose(got_tr, a, atol=1e-6, rtol=1e-4) for a, _ in refs):
            if np.allclose(got_tr, (train - train.mean()) / train.std(), atol=1e-6):
                raise StudentError(tr(f"for {what}, standardise each feature (column, axis=0) on "
                                      "its own, not all numbers together",
                                      f"对于{what}，请对每个特征（列，axis=0）分别标准化，"
                                      "而不是把所有数放在一起"))
            raise StudentError(tr(f"for {what}, the training part does not have mean 0 and "
                                  "standard deviation 1 in every feature with a spread",
                                  f"对于{what}，训练部分中并非每个有离散度的特征都是均值 0、"
                                  "标准差 1"))
        raise StudentError(tr(f"for {what}, the test part must be shifted and scaled with the "
                              "*training* mean and standard deviation: a model only ever sees "
                              "the statistics of its training data",
                              f"对于{what}，测试部分必须用*训练集*的均值和标准差来平移和缩放："
                              "模型只能看到它的训练数据的统计量"))
    return tr("your standardize fits the statistics on the training split only and leaves "
              "constant features finite.",
              "你的 standardize 只在训练集上拟合统计量，并让常数特征保持有限。")


q7 = FunctionExercise(
    "07.7",
    Text(
        "One fix a model can need, as code: write standardize(x_train, x_test) for 2-D arrays "
        "(rows are points, columns features). Shift and scale every feature to mean 0 and "
        "standard deviation 1 using the training split's statistics, apply the same "
        "transformation to the test split, and leave a constant feature centred (no division by "
        "0). Return (x_train_std, x_test_std) as new arrays; pass the function itself to check.",
        "把模型可能需要的一种修复写成代码：为二维数组（行是数据点，列是特征）编写 "
        "standardize(x_train, x_test)。用训练集的统计量把每个特征平移、缩放到均值 0、"
        "标准差 1，对测试集施加同样的变换，并让常数特征只做中心化（不能除以 0）。"
        "以新数组的形式返回 (x_train_std, x_test_std)；把函数本身传给 check。",
    ),
    checker=guarded(_check_standardize),
    hints=[
        Text(
            "Which data may the transformation learn from? Only the training split: the test "
            "split stands for data the model has never seen.",
            "这个变换可以从哪些数据中学习？只能是训练集：测试集代表模型从未见过的数据。",
        ),
        Text(
            "Per feature means axis=0. A standard deviation of 0 would divide by zero: use 1 "
            "there.",
            "逐特征意味着 axis=0。标准差为 0 会导致除以零：在那里改用 1。",
        ),
        Text(
            "The idea: fit once, apply twice. NumPy's mean and std with axis=0 give the "
            "per-feature statistics, and np.where swaps a zero standard deviation for 1.",
            "思路：拟合一次，应用两次。NumPy 的 mean 和 std 加上 axis=0 给出逐特征的统计量，"
            "np.where 把为 0 的标准差换成 1。",
        ),
    ],
    solution_text=Text(
        "def standardize(x_train, x_test):\n"
        "    mean = x_train.mean(axis=0)\n"
        "    std = x_train.std(axis=0)\n"
        "    std = np.where(std > 0, std, 1.0)\n"
        "    return (x_train - mean) / std, (x_test - mean) / std",
        "def standardize(x_train, x_test):\n"
        "    # 只用训练集的统计量\n"
        "    mean = x_train.mean(axis=0)\n"
        "    std = x_train.std(axis=0)\n"
        "    # 常数特征（标准差为 0）除以 1，不除以 0\n"
        "    std = np.where(std > 0, std, 1.0)\n"
        "    return (x_train - mean) / std, (x_test - mean) / std",
    ),
)


q8 = ChoiceExercise(
    "07.8",
    Text(
        "In the fixed run above, global-norm clipping at 1.0 changed few steps or none (its "
        "clipped fraction is printed). Should it stay, and if so, where should its bound sit?",
        "在上面修复后的运行中，按全局范数、以 1.0 为阈值的裁剪只改变了很少的步，或者一步也没有"
        "（被裁剪的步所占比例已打印）。它应该保留吗？如果保留，阈值应该设在哪里？",
    ),
    options={
        "a": Text("None: remove it, it can only hurt.", "没有作用：去掉它，它只会帮倒忙。"),
        "b": Text(
            "Insurance against rare spikes (a bad batch, an outlier): set the bound above "
            "the norms seen in normal training, e.g. a high percentile of the telemetry, so it "
            "is inactive normally and catches only the exceptions.",
            "作为应对罕见尖峰（一个坏批量、一个离群点）的保险：把阈值设在正常训练中出现的范数"
            "之上，例如训练监控的一个高百分位数，这样它平时不起作用，只拦住例外情况。",
        ),
        "c": Text(
            "Set the bound below the median norm so it is always active; that speeds up "
            "training.",
            "把阈值设在中位数范数之下，让它始终起作用；这样能加快训练。",
        ),
        "d": Text(
            "Clipping should replace the learning-rate schedule.",
            "裁剪应当取代学习率调度。",
        ),
    },
    correct="b",
    explanations={
        "a": Text(
            "It costs almost nothing and protects against a single bad step; with a bound "
            "above normal norms it never changes a normal step.",
            "它几乎没有代价，却能防住单个坏步；阈值高于正常范数时，它从不改变正常的步。",
        ),
        "b": Text(
            "Right: pick the threshold from gradient-norm statistics, as AutoClip does "
            "automatically.",
            "正确：根据梯度范数的统计量来选阈值，AutoClip 就是自动这样做的。",
        ),
        "c": Text(
            "An always-active clip turns Adam into normalised-gradient Adam and SGD into "
            "normalised SGD: it changes the optimiser, and does not speed it up in general.",
            "始终起作用的裁剪会把 Adam 变成归一化梯度 Adam，把 SGD 变成归一化的 SGD："
            "它改变了优化器，一般来说并不会让它更快。",
        ),
        "d": Text(
            "Clipping acts only on large gradients; a schedule changes every step.",
            "裁剪只作用于大梯度；而学习率调度会改变每一步。",
        ),
    },
    hints=[Text(
        "Look at the clipped fraction of the fixed run with clipping.",
        "看看修复后带裁剪的那次运行中被裁剪的步所占的比例。",
    )],
    solution_text=Text(
        "b. A clip above the typical norm is cheap insurance; it is not a cure.",
        "b. 高于典型范数的裁剪是一份廉价的保险，而不是根治之法。",
    ),
)
