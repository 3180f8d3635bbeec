"""Exercises for chapter 07, the capstone lab: diagnose and fix a misbehaving hybrid model.

Answers are computed when checked, from the lab's own (cached) runs in
:mod:`clipq_edu.course.lab`; nothing is written in the notebook. Checking q1, q2 and q5 trains
the lab model if that run is not cached yet (a few seconds, TensorFlow is loaded on first use).
None of the expected answers is printed by the notebook above its question: q1 and q2 ask for
quantities `lab.diagnose` does not print, and q5 refuses the settings of the printed tables.

Taught in chapter 07.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu.course import lab
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise
from clipq_edu.i18n import Text, tr

__all__ = ["PRINTED_SETTINGS", "SPIKE_FACTOR", "q1", "q2", "q3", "q4", "q5", "q6", "q7"]

#: q1: a step is a spike when its raw norm exceeds this many times the median norm.
SPIKE_FACTOR = 5.0

#: q5: the runs the notebook prints in its tables (Parts 3 and 4), which q5 does not accept.
PRINTED_SETTINGS = (
    lab.LabSettings(),
    lab.LabSettings(standardized=True),
    lab.LabSettings(standardized=True, loss="mse"),
    lab.LabSettings(standardized=True, learning_rate=0.03),
    lab.LabSettings(loss="mse"),
)

#: What q5 asks for: both accuracies at least this, without clipping, in at most this many epochs.
TARGET_ACCURACY = 0.85
MAX_EPOCHS = 10


def _spike_count() -> int:
    norms = np.asarray(lab.run_lab().telemetry.norm_before)
    return int(np.sum(norms > SPIKE_FACTOR * np.median(norms)))


q1 = NumericExercise(
    "07.1",
    Text(
        "From the baseline run's telemetry (`baseline.telemetry.norm_before`, one raw global "
        f"gradient norm per step), count the spikes: the steps whose norm is more than "
        f"{SPIKE_FACTOR:g} times the median norm. Answer with a whole number.",
        "根据基线运行的训练遥测（`baseline.telemetry.norm_before`，每步一个原始的全局梯度范数），"
        f"数一数尖峰的个数：范数超过中位数范数 {SPIKE_FACTOR:g} 倍的那些步。请用一个整数回答。",
    ),
    expected=_spike_count,
    rtol=0.0,
    atol=0.5,
    shown=("2",),
    hints=[
        Text(
            "Use the median as the typical norm, not the mean: a few spikes pull the mean up.",
            "用中位数而不是平均值作为典型范数：少数几个尖峰就会把平均值拉高。",
        ),
        Text(
            "A boolean array `norms > 5 * np.median(norms)` marks the spikes; sum it.",
            "布尔数组 `norms > 5 * np.median(norms)` 标出了尖峰；对它求和。",
        ),
    ],
    solution_text=Text(
        "norms = baseline.telemetry.norm_before; int(np.sum(norms > 5 * "
        "np.median(norms))) = 2 of the 36 steps. The largest norm over the median, the spike "
        "ratio, is what `lab.diagnose` prints.",
        "从训练遥测中取出 norms = baseline.telemetry.norm_before; int(np.sum(norms > 5 * "
        "np.median(norms))) = 2，即 36 步中有 2 步。最大范数与中位数之比，也就是尖峰比，"
        "正是 `lab.diagnose` 打印的数。",
    ),
)


def _second_ratio() -> float:
    medians = sorted(lab.diagnose(lab.run_lab()).tensor_medians.values(), reverse=True)
    return float(medians[0] / medians[1])


q2 = NumericExercise(
    "07.2",
    Text(
        "`lab.diagnose` named the tensor whose gradient dominates. By what factor is its median "
        "gradient norm larger than that of the *next-largest* tensor? Use the medians of the "
        "columns of `baseline.telemetry.layer_norms` (names in `baseline.telemetry.weight_names`).",
        "`lab.diagnose` 指出了梯度占主导的那个张量。它的梯度范数中位数是*第二大*张量的多少倍？"
        "使用 `baseline.telemetry.layer_norms` 各列的中位数（名字在 "
        "`baseline.telemetry.weight_names` 中）。",
    ),
    expected=_second_ratio,
    rtol=0.0,
    digits=2,
    shown=("4.6",),
    hints=[
        Text(
            "Each column of layer_norms is one tensor's gradient norm over the steps; summarise "
            "every column by its median (robust to the spikes).",
            "layer_norms 的每一列是一个张量在各步的梯度范数；用中位数概括每一列"
            "（中位数不受尖峰影响）。",
        ),
        Text(
            "Sort the medians: the answer is the largest over the second largest.",
            "把这些中位数排序：答案是最大值除以第二大的值。",
        ),
        Text(
            "m = np.sort(np.median(baseline.telemetry.layer_norms, axis=0)); m[-1] / m[-2]",
            "用训练遥测计算 m = np.sort(np.median(baseline.telemetry.layer_norms, axis=0)); "
            "m[-1] / m[-2]",
        ),
    ],
    solution_text=Text(
        "m = np.sort(np.median(baseline.telemetry.layer_norms, axis=0)); m[-1] / "
        "m[-2] ≈ 4.6: the Dense kernel (gradient = input × error signal, with inputs 30x too "
        "large) against the circuit's angles theta. (The last digits of a TensorFlow training "
        "run depend on the CPU; the check compares with the run on your machine.)",
        "由训练遥测得 m = np.sort(np.median(baseline.telemetry.layer_norms, axis=0)); m[-1] / "
        "m[-2] ≈ 4.6：这是 Dense 层的 kernel（梯度 = 输入 × 误差信号，而输入大了 30 倍）"
        "与线路角度 theta 之比。（TensorFlow 训练结果的最后几位取决于 CPU；检查时与你机器上的"
        "运行结果比较。）",
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
        "With the inputs still raw, clipping by global norm at 0.1 was active in every step (Adam, "
        "learning rate 0.1) and the model stayed at chance accuracy. Why did clipping not fix "
        "this model?",
        "输入仍是原始数据时，在 0.1 处按全局范数裁剪在每一步都起作用（Adam，学习率 0.1），"
        "而模型的准确率始终停留在随机猜测的水平。为什么裁剪没能修好这个模型？",
    ),
    options={
        "a": Text(
            "The threshold was still too high; a smaller one would work.",
            "阈值还是太高；换一个更小的就行。",
        ),
        "b": Text(
            "Under Adam an always-active clip does not even shorten the steps: Adam divides by "
            "a running RMS of the gradient, so clipping every step just turns it into "
            "normalised-gradient Adam, with the step length still set by the learning rate. "
            "Nothing in it addresses the cause, the raw inputs.",
            "在 Adam 下，始终起作用的裁剪甚至不会缩短步长：Adam 会除以梯度的滑动 RMS，"
            "所以每一步都裁剪只是把它变成了归一化梯度 Adam，步长仍由学习率决定。"
            "这些都没有触及病因，也就是原始输入。",
        ),
        "c": Text(
            "Clipping made the gradients vanish, so nothing was learned.",
            "裁剪让梯度消失了，所以什么也没学到。",
        ),
        "d": Text(
            "Six epochs are too few; clipped training just needs longer.",
            "六个轮次太少；带裁剪的训练只是需要更长时间。",
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
            "Right: the cure is to fix the inputs (standardise), as Part 4 shows. Whether "
            "clipping could help raw inputs under plain SGD, where it does shorten steps, is a "
            "separate experiment (chapter 03c's controls).",
            "正确：治本之法是修正输入（标准化），正如第 4 部分所示。在普通 SGD 下裁剪确实会缩短"
            "步长，它能否帮助原始输入，则是另一个实验（第 03c 章的对照实验）。",
        ),
        "c": Text(
            "Clipping never makes a gradient smaller than the bound, and under Adam the "
            "gradient's scale barely changes the step at all.",
            "裁剪从不把梯度缩到比阈值还小，而且在 Adam 下，梯度的尺度几乎完全不影响步长。",
        ),
        "d": Text(
            "The standardised model learns within the same six epochs: the budget is not "
            "the problem.",
            "标准化之后的模型在同样的六个轮次内就学会了：问题不在训练预算。",
        ),
    },
    hints=[Text(
        "What does Adam do to a gradient that is multiplied by the same factor at every "
        "step, and is c/‖g_t‖ such a factor?",
        "如果梯度在每一步都乘以同一个因子，Adam 会怎样处理它？c/‖g_t‖ 是这样的因子吗？",
    )],
    solution_text=Text(
        "b. Under Adam an always-active clip only normalises the gradient (the step "
        "length stays set by the learning rate), so it cannot repair what the raw inputs break; "
        "standardising them does.",
        "b. 在 Adam 下，始终起作用的裁剪只是把梯度归一化（步长仍由学习率决定），"
        "所以它修复不了原始输入造成的破坏；把输入标准化才能做到。",
    ),
)


def _check_settings(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, lab.LabSettings):
        return False, tr("answer with a LabSettings, e.g. cq.course.lab.LabSettings("
                         "standardized=..., loss=..., learning_rate=...)",
                         "请用一个 LabSettings 作答，例如 cq.course.lab.LabSettings("
                         "standardized=..., loss=..., learning_rate=...)")
    if answer.clip is not None:
        return False, tr("set clip=None: the point is to fix the model without clipping",
                         "请设置 clip=None：这道题的要点是不用裁剪就修好模型")
    if answer.epochs > MAX_EPOCHS:
        return False, tr(f"use at most {MAX_EPOCHS} epochs (lab time is short)",
                         f"最多使用 {MAX_EPOCHS} 个轮次（实验时间有限）")
    if answer.seed != 0:
        return False, tr("keep seed=0, so everyone's result is comparable",
                         "请保持 seed=0，这样大家的结果才可以比较")
    for printed in PRINTED_SETTINGS:
        if answer == printed:
            return False, tr("that run is in the tables above: find settings of your own (change "
                             "the learning rate, the epochs or the batch size as well) and "
                             "predict from the telemetry why they should work",
                             "这次运行已经在上面的表格里了：请找出你自己的设置（同时改变学习率、"
                             "轮次或批量大小），并根据训练遥测预测它们为什么应该奏效")
    run = lab.run_lab(answer)
    train, test = run.train_accuracy, run.test_accuracy
    if min(train, test) >= TARGET_ACCURACY:
        return True, tr(f"train accuracy {train:.2f}, test accuracy {test:.2f}, without any "
                        f"clipping.",
                        f"训练准确率 {train:.2f}，测试准确率 {test:.2f}，完全没有使用裁剪。")
    return False, tr(f"these settings reach train accuracy {train:.2f} and test accuracy "
                     f"{test:.2f}; both must be at least {TARGET_ACCURACY}",
                     f"这些设置达到的训练准确率为 {train:.2f}，测试准确率为 {test:.2f}；"
                     f"两者都必须至少为 {TARGET_ACCURACY}")


q5 = FunctionExercise(
    "07.5",
    Text(
        f"Find settings of your own that make the model learn *without clipping*: pass a "
        f"`cq.course.lab.LabSettings` with `clip=None`, at most {MAX_EPOCHS} epochs and seed 0 whose run "
        f"reaches at least {TARGET_ACCURACY} train and test accuracy. The runs printed in the "
        f"tables above do not count.",
        f"找出你自己的一组设置，让模型*不用裁剪*就能学会：传入一个 `cq.course.lab.LabSettings`，"
        f"其中 `clip=None`、最多 {MAX_EPOCHS} 个轮次、种子为 0，并且这次运行的训练准确率和测试"
        f"准确率都至少达到 {TARGET_ACCURACY}。上面表格中打印过的运行不算数。",
    ),
    checker=_check_settings,
    hints=[
        Text(
            "Start from what the diagnosis blamed: the input scale. `standardized=True`.",
            "从诊断所指出的问题入手：输入的尺度。`standardized=True`。",
        ),
        Text(
            "Then the loss (a bounded slope, `loss='mse'`), the learning rate, or a few more "
            "epochs: the printed runs show which of them are still short of the target.",
            "然后是损失函数（斜率有界，`loss='mse'`）、学习率，或者再多几个轮次："
            "打印出的运行显示了其中哪些离目标还差一点。",
        ),
    ],
    solution_text=Text(
        "For example LabSettings(standardized=True, loss='mse', epochs=8): train "
        "0.97, test 0.97 (seed 0). Standardising the inputs is the decisive fix; the bounded loss "
        "and enough steps make it reach the target.",
        "例如 LabSettings(standardized=True, loss='mse', epochs=8)：训练准确率 0.97，"
        "测试准确率 0.97（种子 0）。标准化输入是决定性的修复；有界的损失函数和足够的步数"
        "让它达到目标。",
    ),
)

q6 = ChoiceExercise(
    "07.6",
    Text(
        "After the fixes, the gradient norms stay within a factor of about two of their median, "
        "and adding global-norm clipping at 1.0 changes nothing. What is clipping's job now?",
        "修复之后，梯度范数都保持在其中位数的大约两倍以内，再加上在 1.0 处按全局范数裁剪"
        "也不会改变任何东西。现在裁剪的作用是什么？",
    ),
    options={
        "a": Text("None: remove it, it can only hurt.", "没有作用：去掉它，它只会帮倒忙。"),
        "b": Text(
            "Insurance against rare spikes (a bad batch, an outlier): set the bound above "
            "the norms seen in normal training, e.g. a high percentile of the telemetry, so it "
            "is inactive normally and catches only the exceptions.",
            "作为应对罕见尖峰（一个坏批量、一个离群点）的保险：把阈值设在正常训练中出现的范数"
            "之上，例如训练遥测的一个高百分位数，这样它平时不起作用，只拦住例外情况。",
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
        (tr("features 30x too large, as in the lab", "像本实验那样大了 30 倍的特征"),
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
            raise StudentError(tr(f"for {what} return a pair (x_train_std, x_test_std)",
                                  f"对于{what}，请返回一对 (x_train_std, x_test_std)"))
        if not (np.array_equal(tr_in, train) and np.array_equal(te_in, test)):
            raise StudentError(tr(f"for {what} your function changed its inputs in place",
                                  f"对于{what}，你的函数原地修改了它的输入"))
        zero_std = tr(": a feature with standard deviation 0 must be divided by 1, not by 0",
                      "：标准差为 0 的特征应当除以 1，而不是除以 0")
        got_tr = as_array(out[0], train.shape, tr(f"{what}, training part", f"{what}的训练部分"),
                          nonfinite=zero_std)
        got_te = as_array(out[1], test.shape, tr(f"{what}, test part", f"{what}的测试部分"),
                          nonfinite=zero_std)
        # ddof 0 or 1, and a tiny epsilon added to the spread, are all fine where it has one
        refs = [_reference_standardize(train, test, ddof) for ddof in (0, 1)]
        if any(np.allclose(got_tr, a, atol=1e-6, rtol=1e-5) and
               np.allclose(got_te, b, atol=1e-6, rtol=1e-5) for a, b in refs):
            continue
        want_tr, want_te = refs[0]
        if np.allclose(got_tr, want_tr, atol=1e-6) and np.abs(got_te).max() > 1e6:
            raise StudentError(tr(
                f"for {what} the test part holds values near {np.abs(got_te).max():.0e}: a "
                "constant feature divided by a tiny number (a standard deviation of 0 plus an "
                "epsilon) blows up any test value that differs from the training constant; "
                "divide by 1 where the standard deviation is 0",
                f"对于{what}，测试部分出现了接近 {np.abs(got_te).max():.0e} 的值：常数特征被一个"
                "极小的数（标准差 0 加上 epsilon）相除，任何与训练常数不同的测试值都会被放大到"
                "极大；在标准差为 0 的地方应当除以 1"))
        if not any(np.allclose(got_tr, a, atol=1e-6, rtol=1e-5) for a, _ in refs):
            if np.allclose(got_tr, (train - train.mean()) / train.std(), atol=1e-6):
                raise StudentError(tr(f"for {what} standardise each feature (column, axis=0) on "
                                      "its own, not all numbers together",
                                      f"对于{what}，请对每个特征（列，axis=0）分别标准化，"
                                      "而不是把所有数放在一起"))
            raise StudentError(tr(f"for {what} the training part does not have mean 0 and "
                                  "standard deviation 1 in every feature with a spread",
                                  f"对于{what}，训练部分中并非每个有离散度的特征都是均值 0、"
                                  "标准差 1"))
        raise StudentError(tr(f"for {what} the test part must be shifted and scaled with the "
                              "*training* mean and standard deviation: a model only ever sees "
                              "the statistics of its training data",
                              f"对于{what}，测试部分必须用*训练集*的均值和标准差来平移和缩放："
                              "模型只能看到它的训练数据的统计量"))
    return tr("your standardize fits the statistics on the training split only and leaves "
              "constant features finite: the lab's decisive fix, as code.",
              "你的 standardize 只在训练集上拟合统计量，并让常数特征保持有限："
              "这就是本实验的决定性修复，写成了代码。")


q7 = FunctionExercise(
    "07.7",
    Text(
        "The capstone's decisive fix as code: write standardize(x_train, x_test) for 2-D arrays "
        "(rows are points, columns features). Shift and scale every feature to mean 0 and "
        "standard deviation 1 using the training split's statistics, apply the same "
        "transformation to the test split, and leave a constant feature centred (no division by "
        "0). Return (x_train_std, x_test_std) as new arrays; pass the function itself to check.",
        "把综合实验的决定性修复写成代码：为二维数组（行是数据点，列是特征）编写 "
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
            "mean = x_train.mean(axis=0); std = x_train.std(axis=0); std = np.where(std > 0, std, "
            "1.0); return (x_train - mean) / std, (x_test - mean) / std",
            "函数体：mean = x_train.mean(axis=0); std = x_train.std(axis=0); "
            "std = np.where(std > 0, std, 1.0); return (x_train - mean) / std, (x_test - mean) / std",
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
