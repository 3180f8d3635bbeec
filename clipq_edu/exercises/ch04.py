"""Exercises for chapter 04 (具体代码实例): fixing the article's code example.

Answers are computed with the library when checked, never written in the notebook. Nothing
here imports TensorFlow at import time: the check of 04.4 (a ``tf.GradientTape`` training
step) loads it when it runs, and trains the library's hybrid model on either backend (TFQ
where it is installed, the library's simulator elsewhere).

Taught in chapter 04.
"""

from __future__ import annotations

import ast
import math
from typing import Any

import cirq
import numpy as np

from clipq_edu.course import article
from clipq_edu.exercises._checks import (
    StudentError,
    call,
    guarded,
    require_callable,
)
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise
from clipq_edu.i18n import Text, tr

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]


# ------------------------------------------------------------------ 04.1 parameters
def _dense_layers() -> list[tuple[int, int]]:
    """(inputs, units) of every ``Dense`` call in the article's listing, read with ``ast``."""
    layers, fan_in = [], 0
    for node in ast.walk(ast.parse(article.ARTICLE_LISTING)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Dense":
            units = int(node.args[0].value)
            for kw in node.keywords:
                if kw.arg == "input_dim":
                    fan_in = int(kw.value.value)
            layers.append((fan_in, units))
            fan_in = units
    return layers


def _parameter_count() -> int:
    return sum(n_in * n_out + n_out for n_in, n_out in _dense_layers())  # kernel + bias


def _kernels_only() -> int:  # the mistake: forgetting the biases
    return sum(n_in * n_out for n_in, n_out in _dense_layers())


def _units_only() -> int:  # the mistake: counting neurons (inputs and units), not weights
    layers = _dense_layers()
    return layers[0][0] + sum(n_out for _, n_out in layers)


q1 = NumericExercise(
    "04.1",
    Text(
        "How many trainable parameters (weights and biases) does the article's model "
        "`Dense(10, input_dim=8, activation='relu')` → `Dense(1, activation='sigmoid')` have? "
        "This is the length of the vector whose global norm the telemetry records. "
        "Answer with a whole number.",
        "原文的模型 `Dense(10, input_dim=8, activation='relu')` → "
        "`Dense(1, activation='sigmoid')` 一共有多少个可训练参数（权重和偏置）？"
        "训练监控记录的全局范数，就是这个长度的向量的范数。请用一个整数回答。",
    ),
    expected=_parameter_count,
    rtol=0.0,
    atol=0.5,
    shown=("101",),
    mistakes=[
        (_kernels_only, Text(
            "that counts the kernels only: every unit of a Dense layer also has a bias",
            "这只数了 kernel（权重矩阵）：Dense 层的每个输出单元还各有一个偏置")),
        (_units_only, Text(
            "that counts neurons (inputs and units); count the weights between them and the "
            "biases",
            "这数的是神经元（输入单元和输出单元）；要数的是它们之间的权重，再加上偏置")),
    ],
    hints=[
        Text(
            "A Dense layer with n inputs and m units has an n×m kernel and m biases.",
            "一个有 n 个输入、m 个输出单元的 Dense 层有一个 n×m 的 kernel 和 m 个偏置。",
        ),
        Text(
            "The second layer's inputs are the first layer's 10 outputs; add the two layers' "
            "counts.",
            "第二层的输入就是第一层的 10 个输出；把两层的参数个数相加。",
        ),
    ],
    solution_text=Text(
        "8·10 + 10 = 90 for the hidden layer and 10·1 + 1 = 11 for the output: 101 "
        "parameters in four tensors (two kernels, two biases). Keras agrees: "
        "`cq.models.article_model().count_params()`.",
        "隐藏层 8·10 + 10 = 90 个，输出层 10·1 + 1 = 11 个：共 101 个参数，"
        "分布在四个张量里（两个 kernel、两个偏置）。Keras 的结果一致："
        "`cq.models.article_model().count_params()`。",
    ),
)


# ------------------------------------------------------------------ 04.2 a real 4-qubit state
#: 04.2 asks about more qubits than the chapter's printouts (which show 4 qubits, 16 outcomes).
_Q2_QUBITS = 6


def _uniform_state_numbers() -> tuple[int, float]:
    qubits = cirq.LineQubit.range(_Q2_QUBITS)
    state = cirq.final_state_vector(cirq.Circuit(cirq.H.on_each(*qubits)), dtype=np.complex128)
    return len(state), float(np.abs(state[0]))


def _one_amplitude_per_qubit() -> tuple[int, float]:  # the mistake: n amplitudes for n qubits
    vector = np.ones(_Q2_QUBITS) / np.linalg.norm(np.ones(_Q2_QUBITS))
    return _Q2_QUBITS, float(vector[0])


def _probability_not_amplitude() -> tuple[int, float]:  # the mistake: |a|**2 instead of a
    size, amplitude = _uniform_state_numbers()
    return size, amplitude**2


q2 = NumericExercise(
    "04.2",
    Text(
        "`qc.initialize(vector, range(n))` needs a state of n qubits, and the article's "
        "all-zero vector is none. For n = 6, write the equal superposition of all outcomes "
        "with real, positive amplitudes. Give two numbers as a tuple: (how many amplitudes "
        "the state vector has, the value of each amplitude).",
        "`qc.initialize(vector, range(n))` 需要一个 n 量子比特的态，而原文的全零向量根本不是态。"
        "取 n = 6，写出所有结果的等权叠加，振幅为正实数。以元组形式给出两个数：（这个态矢量"
        "有多少个振幅，每个振幅的值）。",
    ),
    expected=_uniform_state_numbers,
    rtol=0.0,
    atol=1e-9,
    digits=3,
    shown=("(64, 0.125)",),
    mistakes=[
        (_one_amplitude_per_qubit, Text(
            "that gives one amplitude per qubit; n qubits have one amplitude per outcome, "
            "2**n of them",
            "这是每个量子比特一个振幅；n 个量子比特的每个结果各有一个振幅，共 2**n 个")),
        (_probability_not_amplitude, Text(
            "the second number is the probability of each outcome; an amplitude is its square "
            "root (the squares must sum to 1)",
            "第二个数是每个结果的概率；振幅是它的平方根（各振幅的平方之和为 1）")),
    ],
    hints=[
        Text("n qubits have 2**n outcomes, and a state vector has one amplitude per outcome.",
             "n 个量子比特有 2**n 个结果，态矢量的每个结果对应一个振幅。"),
        Text(
            "A state has norm 1: equal amplitudes a satisfy (number of amplitudes)·a**2 = 1. "
            "To check: `cirq.final_state_vector` of H on each of six qubits.",
            "态的范数为 1：相等的振幅 a 满足（振幅个数）·a**2 = 1。验证方法：对六个量子比特"
            "各作用一个 H，再用 `cirq.final_state_vector`。",
        ),
    ],
    solution_text=Text(
        "(64, 0.125): six qubits have 2**6 = 64 outcomes, and 64·a**2 = 1 gives a = 1/8 "
        "(each outcome then has probability 1/64). This is H on each qubit applied to "
        "|000000⟩.",
        "(64, 0.125)：六个量子比特有 2**6 = 64 个结果，由 64·a**2 = 1 得 a = 1/8"
        "（每个结果的概率为 1/64）。这正是对 |000000⟩ 的每个量子比特作用 H 得到的态。",
    ),
)


# ------------------------------------------------------------------ 04.3 counts vs entanglement
q3 = ChoiceExercise(
    "04.3",
    Text(
        "Two 2-qubit states: A = H⊗H|00⟩ = (|00⟩ + |01⟩ + |10⟩ + |11⟩)/2, and B = CZ·A = "
        "(|00⟩ + |01⟩ + |10⟩ − |11⟩)/2. Both are measured 1000 times in the computational "
        "basis. Which statement is true?",
        "两个 2 量子比特态：A = H⊗H|00⟩ = (|00⟩ + |01⟩ + |10⟩ + |11⟩)/2，以及 B = CZ·A = "
        "(|00⟩ + |01⟩ + |10⟩ − |11⟩)/2。两者都在计算基下测量 1000 次。下面哪个说法正确？",
    ),
    options={
        "a": Text("B is entangled, so its counts would show only 00 and 11, like the Bell "
                  "state's.",
                  "B 是纠缠的，所以它的计数只会出现 00 和 11，就像贝尔态那样。"),
        "b": Text(
            "B is entangled and A is not, yet their counts have exactly the same distribution.",
            "B 是纠缠的而 A 不是，但它们计数的分布完全相同。"),
        "c": Text("With enough shots the counts of B would differ from those of A.",
                  "只要测量次数足够多，B 的计数就会与 A 的不同。"),
        "d": Text("The minus sign is a global phase, so A and B are the same state.",
                  "负号只是一个全局相位，所以 A 和 B 是同一个态。"),
    },
    correct="b",
    explanations={
        "a": Text(
            "Entanglement does not fix which outcomes occur: the probability of each outcome "
            "is |amplitude|**2, and all four of B's amplitudes have magnitude 1/2. Only some "
            "entangled states, like Bell's, give perfectly correlated bits.",
            "纠缠并不决定会出现哪些结果：每个结果的概率是 |振幅|**2，而 B 的四个振幅的模都是 "
            "1/2。只有部分纠缠态（例如贝尔态）才给出完全关联的比特。"),
        "b": Text(
            "Right: every outcome has probability 1/4 in both, but B's amplitude matrix "
            "[[1, 1], [1, −1]]/2 has rank 2, so B is entangled. Counts in one basis never see "
            "the signs.",
            "正确：两个态中每个结果的概率都是 1/4，但 B 的振幅矩阵 [[1, 1], [1, −1]]/2 的秩为 2，"
            "所以 B 是纠缠的。单一基下的计数永远看不到符号。"),
        "c": Text(
            "The probabilities are |amplitude|**2 = 1/4 for every outcome of both states: no "
            "number of shots separates two identical distributions.",
            "两个态中每个结果的概率都是 |振幅|**2 = 1/4：分布完全相同，再多的测量次数也区分不开。"),
        "d": Text(
            "A global phase multiplies every amplitude; here only one amplitude changes sign, "
            "which is a relative phase (measuring in the X basis would tell A from B).",
            "全局相位会乘到每一个振幅上；这里只有一个振幅变号，是相对相位"
            "（在 X 基下测量就能区分 A 和 B）。"),
    },
    hints=[Text(
        "Compare the probabilities |amplitude|**2, then ask whether B's amplitude matrix "
        "factorises as an outer product of two 1-qubit states.",
        "先比较概率 |振幅|**2，再看 B 的振幅矩阵能否写成两个单量子比特态的外积。",
    )],
    solution_text=Text(
        "b. Both give each outcome with probability 1/4, so their counts are draws from the "
        "same distribution; A = |+⟩|+⟩ is a product state, while B's amplitude matrix has two "
        "non-zero singular values (Schmidt rank 2): B is entangled.",
        "b. 两者每个结果的概率都是 1/4，所以计数来自同一个分布；A = |+⟩|+⟩ 是直积态，"
        "而 B 的振幅矩阵有两个非零奇异值（施密特秩为 2）：B 是纠缠的。",
    ),
)


# ------------------------------------------------------------------ 04.4 a GradientTape step
#: The hidden task of 04.4 (the learner never sees it): data and model seed, SGD's learning
#: rate, the bound of the training run and its number of steps.
_TAPE_SEED = 17
_TAPE_LR = 1.0
_TAPE_CLIP = 0.1
_TAPE_STEPS = 10
_TAPE_BATCH = 32
_TOL = 1e-3


def _tape_problem() -> tuple[Any, Any, Any, Any]:
    """(tf, model, x, y): the library's small hybrid model on a seeded task (either backend)."""
    from clipq_edu import data, models
    from clipq_edu._tf import tf

    task = data.article_task(n_samples=160, seed=_TAPE_SEED)
    model = models.hybrid_model(task.n_features, n_qubits=2, layers=1, seed=_TAPE_SEED,
                                hidden=4)
    x = tf.constant(task.x_train, dtype=tf.float32)
    y = tf.constant(np.reshape(task.y_train, (-1, 1)), dtype=tf.float32)
    return tf, model, x, y


def _mean_bce_gradients(tf: Any, model: Any, x: Any, y: Any) -> tuple[list[np.ndarray], float]:
    """The checker's own gradients of the mean binary cross-entropy, and the loss."""
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(y, model(x, training=True)))
    grads = tape.gradient(loss, model.trainable_variables)
    return [np.asarray(g, dtype=float) for g in grads], float(loss)


def _norm(arrays: list[np.ndarray]) -> float:
    return float(np.sqrt(sum(float(np.sum(np.square(a))) for a in arrays)))


def _weights(model: Any) -> list[np.ndarray]:
    return [np.array(v.numpy(), dtype=float) for v in model.trainable_variables]


def _step_result(out: Any, what: str) -> tuple[float, bool]:
    """The learner's ``(global_norm, applied)``, or a StudentError saying what is wrong."""
    if isinstance(out, (str, bytes)) or not hasattr(out, "__len__") or len(out) != 2:
        raise StudentError(tr(
            f"for {what} return a pair (global_norm, applied): the global norm of the raw "
            "gradients and whether the update was applied",
            f"对于{what}，请返回一对值 (global_norm, applied)：原始梯度的全局范数，"
            "以及这次更新是否被应用"))
    try:
        norm, applied = float(np.asarray(out[0])), bool(np.asarray(out[1]))
    except (TypeError, ValueError):
        raise StudentError(tr(
            f"for {what} the pair should hold a number and a bool (global_norm, applied)",
            f"对于{what}，这一对值应当是一个数和一个布尔值 (global_norm, applied)")) from None
    return norm, applied


def _run_step(fn: Any, tf: Any, model: Any, x: Any, y: Any, clip: float, what: str
              ) -> tuple[list[np.ndarray], float, bool]:
    """Call the learner's step with a fresh plain SGD; return (weight change, norm, applied)."""
    before = _weights(model)
    optimizer = tf.keras.optimizers.SGD(learning_rate=_TAPE_LR)
    norm, applied = _step_result(call(fn, model, optimizer, x, y, clip, what=what), what)
    delta = [a - b for a, b in zip(_weights(model), before, strict=True)]
    return delta, norm, applied


def _check_bound(delta: list[np.ndarray], clip: float, what: str) -> float:
    """The applied update's global norm (measured as |Δw| / lr with SGD) must be <= clip."""
    if not all(np.all(np.isfinite(d)) for d in delta):
        raise StudentError(tr(f"for {what} the weights hold NaN or Inf after the step",
                              f"对于{what}，这一步之后权重中出现了 NaN 或 Inf"))
    applied = _norm(delta) / _TAPE_LR
    if applied <= clip * (1 + _TOL) + 1e-7:
        return applied
    if max(_norm([d]) for d in delta) / _TAPE_LR <= clip * (1 + _TOL) + 1e-7:
        raise StudentError(tr(
            f"for {what} each tensor's update is within clip_norm but together they are "
            "longer: clip all gradients together, by their global norm",
            f"对于{what}，每个张量各自的更新都没超过 clip_norm，但合在一起更长："
            "要把所有梯度放在一起，按全局范数裁剪"))
    raise StudentError(tr(
        f"for {what} an applied update is longer than clip_norm (its global norm, measured "
        "from the change of the weights under plain SGD): clip the gradients before applying "
        "them",
        f"对于{what}，实际应用的更新比 clip_norm 长（用普通 SGD 下权重的变化量测得的全局范数）："
        "应用梯度之前要先裁剪"))


def _check_one_step(fn: Any, tf: Any, model: Any, x: Any, y: Any, factor: float) -> None:
    """One step at clip = factor·‖g‖: bound, direction, length and the reported norm."""
    start = [v.numpy() for v in model.trainable_variables]
    grads, _ = _mean_bce_gradients(tf, model, x, y)
    g_norm = _norm(grads)
    clip = factor * g_norm
    what = tr("a batch whose gradient norm is above clip_norm" if factor < 1 else
              "a batch whose gradient norm is below clip_norm",
              "梯度范数大于 clip_norm 的批量" if factor < 1 else "梯度范数小于 clip_norm 的批量")
    delta, norm, applied = _run_step(fn, tf, model, x, y, clip, what)
    for var, value in zip(model.trainable_variables, start, strict=True):
        var.assign(value)
    step = _check_bound(delta, clip, what)
    if not applied:
        raise StudentError(tr(f"for {what} (all finite) the step was reported as not applied",
                              f"对于{what}（全部有限），这一步被报告为未应用"))
    cos = -float(np.dot(np.concatenate([d.ravel() for d in delta]),
                        np.concatenate([g.ravel() for g in grads]))) / max(step * g_norm, 1e-300)
    if cos < -0.5:
        raise StudentError(tr(f"for {what} the weights moved uphill, along the gradient: the "
                              "optimizer must step against it",
                              f"对于{what}，权重沿梯度方向往上坡走了：优化器必须逆着梯度走"))
    if cos < 1 - _TOL:
        raise StudentError(tr(
            f"for {what} the update does not point along the gradient: clipping by the "
            "global norm scales every gradient by one common factor (clipping by value, or "
            "each tensor on its own, changes the direction)",
            f"对于{what}，更新方向与梯度方向不一致：按全局范数裁剪时所有梯度乘以同一个因子"
            "（按值裁剪或逐个张量裁剪会改变方向）"))
    if abs(step - min(g_norm, clip)) > _TOL * min(g_norm, clip):
        raise StudentError(tr(
            f"for {what} the update has the wrong length: a gradient below clip_norm is "
            "applied unchanged, a longer one is scaled to exactly clip_norm (use the mean "
            "binary cross-entropy over the batch)",
            f"对于{what}，更新的长度不对：低于 clip_norm 的梯度原样应用，更长的梯度缩放到恰好 "
            "clip_norm（损失用批量上的平均二元交叉熵）"))
    if not abs(norm - g_norm) <= _TOL * g_norm:
        raise StudentError(tr(
            f"for {what} the reported global_norm is not the global norm of the raw "
            "(unclipped) gradients",
            f"对于{what}，报告的 global_norm 不是原始（未裁剪）梯度的全局范数"))


def _check_nonfinite(fn: Any, tf: Any, model: Any, x: Any, y: Any) -> None:
    """A batch holding NaN (then one holding Inf) must leave the weights as they were."""
    for bad, label in ((math.nan, "NaN"), (math.inf, "Inf")):
        xb = np.array(x[:8].numpy(), copy=True)
        xb[0, 0] = bad
        what = tr(f"a batch with a {label} feature", f"含有 {label} 特征的批量")
        before = _weights(model)
        start = [v.numpy() for v in model.trainable_variables]
        optimizer = tf.keras.optimizers.SGD(learning_rate=_TAPE_LR)
        out = call(fn, model, optimizer, tf.constant(xb), y[:8], _TAPE_CLIP, what=what)
        unchanged = all(np.array_equal(a, b) for a, b in zip(_weights(model), before,
                                                             strict=True))
        for var, value in zip(model.trainable_variables, start, strict=True):
            var.assign(value)
        if not unchanged:
            raise StudentError(tr(
                f"{what} changed the weights: its gradients are NaN/Inf (and "
                "tf.clip_by_global_norm turns every gradient into NaN then), so skip the "
                "whole update",
                f"{what}改变了权重：它的梯度是 NaN/Inf（此时 tf.clip_by_global_norm 会把每个"
                "梯度都变成 NaN），所以要跳过整次更新"))
        _, applied = _step_result(out, what)
        if applied:
            raise StudentError(tr(f"{what} was skipped but reported as applied: report it "
                                  "(applied = False)",
                                  f"{what}被跳过了，却报告为已应用：请如实报告（applied = False）"))


def _check_training(fn: Any, tf: Any, model: Any, x: Any, y: Any) -> float:
    """Train on the hidden task: every update within the bound, and the loss goes down."""
    _, first = _mean_bce_gradients(tf, model, x, y)
    optimizer = tf.keras.optimizers.SGD(learning_rate=_TAPE_LR)
    what = tr("the hidden training task", "隐藏的训练任务")
    for k in range(_TAPE_STEPS):
        i = (k * _TAPE_BATCH) % (int(x.shape[0]) - _TAPE_BATCH + 1)
        before = _weights(model)
        out = call(fn, model, optimizer, x[i:i + _TAPE_BATCH], y[i:i + _TAPE_BATCH],
                   _TAPE_CLIP, what=what)
        _step_result(out, what)
        _check_bound([a - b for a, b in zip(_weights(model), before, strict=True)],
                     _TAPE_CLIP, what)
    _, last = _mean_bce_gradients(tf, model, x, y)
    if not last < first - 0.02:
        raise StudentError(tr(
            f"on the hidden training task the loss did not go down over {_TAPE_STEPS} "
            "clipped steps: step against the gradient of the mean binary cross-entropy",
            f"在隐藏的训练任务上，{_TAPE_STEPS} 步裁剪后的训练没有让损失下降："
            "要沿平均二元交叉熵梯度的反方向走"))
    return first - last


@guarded
def _check_train_step(fn: Any) -> str:
    require_callable(fn, "train_step(model, optimizer, x, y, clip_norm)")
    tf, model, x, y = _tape_problem()
    _check_one_step(fn, tf, model, x[:_TAPE_BATCH], y[:_TAPE_BATCH], 0.25)
    _check_one_step(fn, tf, model, x[:_TAPE_BATCH], y[:_TAPE_BATCH], 4.0)
    _check_nonfinite(fn, tf, model, x, y)
    drop = _check_training(fn, tf, model, x, y)
    return tr(
        f"your train_step clips by the global norm (direction kept, length min(‖g‖, c)), "
        f"skips and reports NaN/Inf batches, and trained the hidden hybrid model "
        f"(loss down by {drop:.3f} in {_TAPE_STEPS} steps).",
        f"你的 train_step 按全局范数裁剪（方向不变，长度为 min(‖g‖, c)），跳过并报告 NaN/Inf "
        f"批量，并训练了隐藏的混合模型（{_TAPE_STEPS} 步内损失下降 {drop:.3f}）。")


q4 = FunctionExercise(
    "04.4",
    Text(
        "Write the training step the article's listing was reaching for, with "
        "`tf.GradientTape`: `train_step(model, optimizer, x, y, clip_norm)` computes the mean "
        "binary cross-entropy of `model(x, training=True)` against `y`, its gradients with "
        "respect to `model.trainable_variables`, clips them together by their global norm "
        "with `clip_norm`, and applies them with `optimizer`, except when the gradients hold "
        "NaN or Inf: then it changes nothing. It returns `(global_norm, applied)`: the global "
        "norm of the raw gradients (a float) and whether the update was applied. The check "
        "trains a hidden hybrid model with it.",
        "用 `tf.GradientTape` 写出原文代码想要的训练步：`train_step(model, optimizer, x, y, "
        "clip_norm)` 计算 `model(x, training=True)` 相对 `y` 的平均二元交叉熵，求它对 "
        "`model.trainable_variables` 的梯度，用 `clip_norm` 把所有梯度放在一起按全局范数"
        "裁剪，再用 `optimizer` 应用；但当梯度中含有 NaN 或 Inf 时，什么都不改变。它返回 "
        "`(global_norm, applied)`：原始梯度的全局范数（一个浮点数）以及这次更新是否被应用。"
        "检查会用它训练一个隐藏的混合模型。",
    ),
    checker=_check_train_step,
    hints=[
        Text(
            "Four stages: the forward pass and the loss recorded by a gradient tape; the "
            "gradients of that loss for every trainable variable; one clip of all of them "
            "together; the optimizer's step.",
            "四个阶段：用梯度带记录前向计算和损失；求这个损失对每个可训练变量的梯度；"
            "把所有梯度放在一起裁剪一次；优化器走一步。",
        ),
        Text(
            "Clipping by the global norm also gives you the global norm of the raw gradients. "
            "If any gradient holds NaN or Inf that norm is not finite (and every clipped "
            "gradient becomes NaN), so test it before applying anything.",
            "按全局范数裁剪的同时也会得到原始梯度的全局范数。只要任何一个梯度含有 NaN 或 "
            "Inf，这个范数就不是有限值（而且裁剪后的每个梯度都会变成 NaN），所以在应用任何"
            "东西之前先检查它。",
        ),
        Text(
            "The API: `tf.GradientTape`, `tape.gradient`, `tf.clip_by_global_norm`, "
            "`tf.math.is_finite` and `optimizer.apply_gradients` (it takes (gradient, "
            "variable) pairs).",
            "要用的 API：`tf.GradientTape`、`tape.gradient`、`tf.clip_by_global_norm`、"
            "`tf.math.is_finite` 和 `optimizer.apply_gradients`（它接收（梯度，变量）对）。",
        ),
    ],
    solution_text=Text(
        "def train_step(model, optimizer, x, y, clip_norm):\n"
        "    import tensorflow as tf  # the notebook's tf (cq.load_tensorflow())\n"
        "    with tf.GradientTape() as tape:\n"
        "        p = model(x, training=True)\n"
        "        loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(y, p))\n"
        "    grads = tape.gradient(loss, model.trainable_variables)\n"
        "    clipped, norm = tf.clip_by_global_norm(grads, clip_norm)\n"
        "    if not bool(tf.math.is_finite(norm)):\n"
        "        return float(norm), False  # NaN/Inf: skip the update and report it\n"
        "    optimizer.apply_gradients(zip(clipped, model.trainable_variables))\n"
        "    return float(norm), True",
        "def train_step(model, optimizer, x, y, clip_norm):\n"
        "    import tensorflow as tf  # 即笔记本里的 tf（cq.load_tensorflow()）\n"
        "    with tf.GradientTape() as tape:\n"
        "        p = model(x, training=True)\n"
        "        loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(y, p))\n"
        "    grads = tape.gradient(loss, model.trainable_variables)\n"
        "    clipped, norm = tf.clip_by_global_norm(grads, clip_norm)\n"
        "    if not bool(tf.math.is_finite(norm)):\n"
        "        return float(norm), False  # NaN/Inf：跳过这次更新并报告\n"
        "    optimizer.apply_gradients(zip(clipped, model.trainable_variables))  # 优化器走一步\n"
        "    return float(norm), True",
    ),
)


# ------------------------------------------------------------------ 04.5 a telemetry reducer
def _report(norms: Any, clip_norm: float) -> tuple[float, float]:
    """The checker's reference: (fraction of applied steps clipped, largest norm / bound)."""
    n = np.asarray(norms, dtype=float)
    applied = n[np.isfinite(n)]
    return float(np.mean(applied > clip_norm)), float(np.max(applied) / clip_norm)


def _report_cases() -> list[tuple[Any, float, str]]:
    rng = np.random.default_rng(404)
    log = rng.lognormal(mean=-1.0, sigma=0.7, size=240)
    bound = float(np.percentile(log, 85))
    log[[5, 50, 120]] = bound  # a norm exactly at the bound is not clipped
    log[[17, 200]] = np.nan  # skipped steps
    log[99] = np.inf
    quiet = rng.lognormal(mean=-2.0, sigma=0.3, size=30)
    return [
        ([0.3, 0.6, math.nan, 0.45, 0.9], 0.45, tr("the printed example", "题目中的例子")),
        (log, bound, tr("a hidden log of 240 steps", "一份 240 步的隐藏记录")),
        (log.tolist(), 2 * bound, tr("the same log as a list, a higher bound",
                                     "同一份记录（列表形式），阈值更高")),
        (quiet, 1.0, tr("a log that never reaches the bound", "从未达到阈值的记录")),
        (np.array([3.0]), 1.5, tr("a log of one step", "只有一步的记录")),
    ]


def _same(a: float, b: float) -> bool:
    # 1e-6: a correct float32 implementation must pass (float32 carries ~7 digits)
    return math.isfinite(a) and abs(a - b) <= 1e-6 * max(1.0, abs(b))


def _fraction_message(got: float, norms: np.ndarray, bound: float, what: str) -> str:
    applied = norms[np.isfinite(norms)]
    if _same(got, float(np.mean(applied >= bound))):
        return tr(f"for {what} the fraction counts a norm equal to clip_norm as clipped: the "
                  "clip fires only above the bound",
                  f"对于{what}，比例把恰好等于 clip_norm 的范数也算作被裁剪：只有超过阈值时裁剪"
                  "才生效")
    if _same(got, float(np.sum(applied > bound) / norms.size)):
        return tr(f"for {what} the fraction divides by every step: skipped steps (NaN/Inf) "
                  "are left out of the denominator too",
                  f"对于{what}，比例除以了所有步数：被跳过的步（NaN/Inf）也不应计入分母")
    if got > 1:
        return tr(f"for {what} the fraction should be between 0 and 1 (not a count or a "
                  "percentage)",
                  f"对于{what}，比例应在 0 和 1 之间（不是个数，也不是百分数）")
    return tr(f"for {what} the fraction of clipped steps is wrong",
              f"对于{what}，被裁剪步数的比例不对")


def _ratio_message(got: float, norms: np.ndarray, bound: float, what: str) -> str:
    applied = norms[np.isfinite(norms)]
    if _same(got, float(bound / np.max(applied))):
        return tr(f"for {what} the ratio is upside down: the largest norm divided by "
                  "clip_norm",
                  f"对于{what}，比值颠倒了：应该是最大范数除以 clip_norm")
    return tr(f"for {what} the largest norm ratio is wrong (largest applied norm / clip_norm)",
              f"对于{what}，最大范数比不对（应用了的最大范数 / clip_norm）")


@guarded
def _check_clip_report(fn: Any) -> str:
    require_callable(fn, "clip_report(norms, clip_norm)")
    for norms, bound, what in _report_cases():
        original = np.array(norms, dtype=float)
        given = list(norms) if isinstance(norms, list) else np.array(norms, copy=True)
        out = call(fn, given, bound, what=what)
        if not np.array_equal(np.asarray(given, dtype=float), original, equal_nan=True):
            raise StudentError(tr(f"for {what} your function changed the log in place: "
                                  "work on a copy",
                                  f"对于{what}，你的函数原地修改了记录：请在副本上操作"))
        try:
            frac, ratio = (float(v) for v in out)
        except (TypeError, ValueError):
            raise StudentError(tr(f"for {what} return two numbers: (fraction, ratio)",
                                  f"对于{what}，请返回两个数：(fraction, ratio)")) from None
        if not (math.isfinite(frac) and math.isfinite(ratio)):
            raise StudentError(tr(f"for {what} the result holds NaN or Inf: leave the "
                                  "skipped steps (NaN/Inf norms) out first",
                                  f"对于{what}，结果中含有 NaN 或 Inf：先去掉被跳过的步"
                                  "（范数为 NaN/Inf）"))
        want_frac, want_ratio = _report(original, bound)
        if not _same(frac, want_frac):
            raise StudentError(_fraction_message(frac, original, bound, what))
        if not _same(ratio, want_ratio):
            raise StudentError(_ratio_message(ratio, original, bound, what))
    return tr("your clip_report reads a telemetry log: clipped fraction over the applied "
              "steps, and how far above the bound the largest norm went.",
              "你的 clip_report 能读懂训练监控记录：应用了的步中被裁剪的比例，以及最大范数超出"
              "阈值多少倍。")


q5 = FunctionExercise(
    "04.5",
    Text(
        "Read a telemetry log as chapter 04 does. Write `clip_report(norms, clip_norm)`: "
        "`norms` holds the raw global gradient norm of every step (NaN or Inf marks a skipped "
        "step), `clip_norm` the bound. Return `(fraction, ratio)`: the fraction of the "
        "applied (finite) steps whose norm is above the bound, and the largest applied norm "
        "divided by the bound. Example: `clip_report([0.3, 0.6, float('nan'), 0.45, 0.9], "
        "0.45)` gives `(0.5, 2.0)`. Do not change `norms`.",
        "像第 04 章那样读训练监控记录。写出 `clip_report(norms, clip_norm)`：`norms` 是每一步"
        "原始梯度的全局范数（NaN 或 Inf 表示这一步被跳过），`clip_norm` 是阈值。返回 "
        "`(fraction, ratio)`：应用了的（有限的）步中范数超过阈值的比例，以及应用了的最大"
        "范数除以阈值。例如 `clip_report([0.3, 0.6, float('nan'), 0.45, 0.9], 0.45)` 给出 "
        "`(0.5, 2.0)`。不要修改 `norms`。",
    ),
    checker=_check_clip_report,
    hints=[
        Text("Leave out the skipped steps first: their norm is NaN or Inf.",
             "先去掉被跳过的步：它们的范数是 NaN 或 Inf。"),
        Text(
            "A step is clipped when its norm is strictly above the bound (0.45 is not clipped "
            "at 0.45). The fraction counts those among the remaining steps; the ratio uses the "
            "largest remaining norm.",
            "范数严格大于阈值时这一步才被裁剪（阈值 0.45 时 0.45 不被裁剪）。比例是在剩下的"
            "步中数这些步；比值用剩下的最大范数。",
        ),
        Text(
            "NumPy: `np.isfinite` for the mask, the mean of a boolean array for a fraction, "
            "`np.max` for the largest.",
            "NumPy：用 `np.isfinite` 得到掩码，布尔数组的平均值就是比例，用 `np.max` 取最大值。",
        ),
    ],
    solution_text=Text(
        "def clip_report(norms, clip_norm):\n"
        "    norms = np.asarray(norms, dtype=float)\n"
        "    applied = norms[np.isfinite(norms)]  # skipped steps are NaN/Inf\n"
        "    fraction = float(np.mean(applied > clip_norm))\n"
        "    return fraction, float(np.max(applied) / clip_norm)",
        "def clip_report(norms, clip_norm):\n"
        "    norms = np.asarray(norms, dtype=float)\n"
        "    applied = norms[np.isfinite(norms)]  # 被跳过的步是 NaN/Inf\n"
        "    fraction = float(np.mean(applied > clip_norm))\n"
        "    return fraction, float(np.max(applied) / clip_norm)",
    ),
)


# ------------------------------------------------------------------ 04.6 the explorer's question
q6 = ChoiceExercise(
    "04.6",
    Text(
        "In the explorer of section 7, train each of the four settings (SGD or Adam, inputs ×30 "
        "or ×1) without clipping and with global-norm clipping at 1, and compare the final "
        "losses (in the title of the loss panel) and the clipped fractions (in the title of "
        "the norm panel), with the default seed. What do you find?",
        "在第 7 节的交互控件中，对四种设置（SGD 或 Adam，输入 ×30 或 ×1）分别不裁剪、以及按"
        "全局范数以 1 为阈值裁剪各训练一次，使用默认种子，比较最终损失（损失图的标题中）和"
        "被裁剪步数的比例（范数图的标题中）。你发现了什么？",
    ),
    options={
        "a": Text(
            "Clipping changes only the SGD runs: Adam is invariant to the gradient's scale, so "
            "a clip never changes its steps.",
            "裁剪只改变 SGD 的运行：Adam 对梯度的尺度不变，所以裁剪从不改变它的步长。"),
        "b": Text(
            "Clipping changes the ×30 runs, with both optimizers; at ×1 it never fires and "
            "the runs are unchanged.",
            "裁剪改变了 ×30 的运行，两种优化器都是如此；在 ×1 时它从不生效，运行结果不变。"),
        "c": Text("Clipping lowers the final loss of every run, including those with inputs ×1.",
                  "裁剪降低了每一次运行的最终损失，包括输入为 ×1 的运行。"),
        "d": Text("Clipping changes nothing anywhere: the model is too small for it to matter.",
                  "裁剪在任何设置下都不改变结果：模型太小，裁剪无关紧要。"),
    },
    correct="b",
    explanations={
        "a": Text(
            "Compare Adam's final losses at ×30 with and without the clip: they differ. The "
            "clip fires on most steps but not with one common factor, so Adam's steps change "
            "too. Only a clip that fires on every step with the same factor leaves Adam "
            "unchanged.",
            "比较输入 ×30 时 Adam 裁剪与不裁剪的最终损失：两者不同。裁剪在大多数步生效，但因子"
            "并不相同，所以 Adam 的步长也会改变。只有每一步都以相同因子生效的裁剪才不改变 Adam。"),
        "b": Text(
            "Right: clipping acts only where it fires. With inputs ×30 the gradients are large, "
            "the clip fires on almost every step with varying factors and lowers the final "
            "loss of both optimizers; with standardised inputs the norms stay below 1 and "
            "clipping is inert insurance.",
            "正确：裁剪只在生效时起作用。输入 ×30 时梯度很大，裁剪几乎每一步都以不同的因子生效，"
            "两种优化器的最终损失都降低了；输入标准化时范数一直低于 1，裁剪只是一份不起作用的"
            "保险。"),
        "c": Text(
            "With inputs ×1 the clipped fraction is about 0: a clip that never fires cannot "
            "change a run.",
            "输入 ×1 时被裁剪的比例约为 0：从不生效的裁剪不可能改变一次运行。"),
        "d": Text(
            "Compare the ×30 SGD runs: the unclipped one ends with a much larger loss than the "
            "clipped one.",
            "比较输入 ×30 的两次 SGD 运行：不裁剪的那次最终损失比裁剪的大得多。"),
    },
    hints=[Text(
        "For each pair, read the clipped fraction first: where is the clip active at all?",
        "对每一对运行，先看被裁剪步数的比例：裁剪在哪些设置下真的生效了？",
    )],
    solution_text=Text(
        "b. With the default seed, at ×30 the clip fires on almost every step and lowers the "
        "final loss of both optimizers (SGD 2.028 → 0.588, Adam 0.506 → 0.358); at ×1 it "
        "never fires (0% of steps), so clipped and unclipped runs coincide. Over other seeds "
        "the size of the change varies, but at ×30 it lowers the final loss in every one of "
        "seeds 0-4, with both optimizers.",
        "b. 使用默认种子时，输入 ×30 下裁剪几乎每一步都生效，两种优化器的最终损失都降低了"
        "（SGD 2.028 → 0.588，Adam 0.506 → 0.358）；输入 ×1 时裁剪从不生效（0% 的训练步），"
        "裁剪与不裁剪的运行重合。换其他种子，变化的大小不同，但在种子 0-4 中每一个的 ×30 "
        "设置下，两种优化器的最终损失都因裁剪而降低。",
    ),
)
