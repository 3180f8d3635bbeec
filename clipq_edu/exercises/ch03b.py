"""Exercises of chapter 03b (量子深度学习): the parameter-shift rule and its shot budget.

>>> from clipq_edu.exercises import ch03b as ex
>>> ex.q1.check(-0.2955)
[03b.1] ✅ Correct: well done, within 0.0068 % of the exact value -0.29552.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from clipq_edu.course import analysis
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import FunctionExercise, NumericExercise
from clipq_edu.i18n import Text, tr
from clipq_edu.quantum import gradients, sampling

__all__ = ["q1", "q2", "q3", "q4"]


def _shift_by_hand() -> float:
    return float(gradients.parameter_shift(lambda rows: np.cos(rows[:, 0]), np.array([0.3]))[0])


q1 = NumericExercise(
    "03b.1",
    Text("f(θ) = cos θ is ⟨Z⟩ after rx(θ) on |0⟩. Apply the parameter-shift rule by hand at "
         "θ = 0.3: give [f(θ + π/2) − f(θ − π/2)] / 2 as a number.",
         "f(θ) = cos θ 是对 |0⟩ 作用 rx(θ) 之后的 ⟨Z⟩。在 θ = 0.3 处手工应用参数平移规则："
         "以数值形式给出 [f(θ + π/2) − f(θ − π/2)] / 2。"),
    expected=_shift_by_hand,
    digits=4,
    shown=("−0.2955",),
    hints=[
        Text("cos(θ + π/2) = −sin θ and cos(θ − π/2) = sin θ.",
             "cos(θ + π/2) = −sin θ，而 cos(θ − π/2) = sin θ。"),
        Text("So the rule gives (−sin θ − sin θ)/2: compare with d/dθ cos θ.",
             "所以这条规则给出 (−sin θ − sin θ)/2：与 d/dθ cos θ 比较一下。"),
    ],
    solution_text=Text(
        "[cos(0.3 + π/2) − cos(0.3 − π/2)]/2 = −sin(0.3) ≈ −0.2955, exactly the "
        "derivative of cos θ: the rule is exact, not an approximation.",
        "[cos(0.3 + π/2) − cos(0.3 − π/2)]/2 = −sin(0.3) ≈ −0.2955，恰好是 cos θ 的导数："
        "这条规则是精确的，而不是近似。"),
)


def _shots_for_standard_error() -> int:
    shifted = np.array(analysis.TOY_PARAMS) + np.array([[math.pi / 2, 0, 0],
                                                        [-math.pi / 2, 0, 0]])
    mu_p, mu_m = analysis.toy_expectation(shifted)
    var_one_shot = (2 - mu_p**2 - mu_m**2) / 4  # variance × N of the shift estimate
    return int(sampling.shots_needed(var_one_shot, 0.01))


q2 = NumericExercise(
    "03b.2",
    Text("For the chapter's circuit at analysis.TOY_PARAMS, the parameter-shift estimate of "
         "∂⟨Z⟩/∂θ0 uses N shots at θ0 + π/2 and N at θ0 − π/2. What is the smallest N that gives "
         "a standard error of at most 0.01? (Use analysis.toy_expectation for μ±.)",
         "对本章的线路，在 analysis.TOY_PARAMS 处，∂⟨Z⟩/∂θ0 的参数平移估计在 θ0 + π/2 处用 "
         "N 次测量，在 θ0 − π/2 处也用 N 次。使标准误差不超过 0.01 的最小 N 是多少？"
         "（用 analysis.toy_expectation 计算 μ±。）"),
    expected=_shots_for_standard_error,
    rtol=0.0,
    atol=0.5,
    shown=("4817",),
    hints=[
        Text("Each mean of N shots has variance (1 − μ²)/N; the two are independent.",
             "N 次测量的均值的方差为 (1 − μ²)/N；两个均值相互独立。"),
        Text("Var[(f̂₊ − f̂₋)/2] = [(1 − μ₊²) + (1 − μ₋²)] / (4N); solve √Var ≤ 0.01 for N and "
             "round up.",
             "Var[(f̂₊ − f̂₋)/2] = [(1 − μ₊²) + (1 − μ₋²)] / (4N)；对 N 求解 √Var ≤ 0.01，"
             "再向上取整。"),
    ],
    solution_text=Text(
        "N = ⌈[(1 − μ₊²) + (1 − μ₋²)] / (4 · 0.01²)⌉ with μ± = "
        "toy_expectation(θ ± π/2·e₀): 4817 shots per term. The 1/√N law makes each extra digit "
        "of precision cost 100x more shots.",
        "N = ⌈[(1 − μ₊²) + (1 − μ₋²)] / (4 · 0.01²)⌉，其中 μ± = "
        "toy_expectation(θ ± π/2·e₀)：每一项 4817 次测量。由于 1/√N 规律，精度每多一位，"
        "测量次数就要多 100 倍。"),
)


class _Recorder:
    """Wraps a test function and records every point it is evaluated at."""

    def __init__(self, fn: Callable[[np.ndarray], float]) -> None:
        self.fn, self.points = fn, []

    def __call__(self, theta: Any) -> float:
        point = np.array(theta, dtype=float, copy=True)
        self.points.append(point)
        return float(self.fn(point))


def _shift_cases() -> list[tuple[str, Callable[[np.ndarray], float], Callable, np.ndarray]]:
    rng = np.random.default_rng(8)
    a, b, c = rng.normal(size=3)
    return [
        (tr("f(θ) = cos θ0 at θ = (0.3,)", "函数 f(θ) = cos θ0（θ = (0.3,)）"),
         lambda t: np.cos(t[0]), lambda t: np.array([-np.sin(t[0])]), np.array([0.3])),
        (tr("f(θ) = cos θ0 · sin θ1 at θ = (1.2, −0.4)",
            "函数 f(θ) = cos θ0 · sin θ1（θ = (1.2, −0.4)）"),
         lambda t: np.cos(t[0]) * np.sin(t[1]),
         lambda t: np.array([-np.sin(t[0]) * np.sin(t[1]), np.cos(t[0]) * np.cos(t[1])]),
         np.array([1.2, -0.4])),
        (tr("a random trigonometric f of three angles", "含三个角的随机三角函数 f"),
         lambda t: a * np.cos(t[0] + t[1]) + b * np.sin(t[2]) * np.cos(t[0]) + c,
         lambda t: np.array([-a * np.sin(t[0] + t[1]) - b * np.sin(t[2]) * np.sin(t[0]),
                             -a * np.sin(t[0] + t[1]), b * np.cos(t[2]) * np.cos(t[0])]),
         rng.uniform(-np.pi, np.pi, size=3)),
    ]


def _check_shift_points(points: list[np.ndarray], theta: np.ndarray, what: str) -> None:
    moved = [p - theta for p in points if p.shape == theta.shape]
    if len(moved) != len(points):
        raise StudentError(tr(f"for {what} f was called with an array of another shape: pass the "
                              "whole parameter vector with one entry shifted",
                              f"对于{what}，调用 f 时传入了形状不同的数组：应传入整个参数向量，"
                              "只平移其中一个分量"))
    for delta in moved:
        nonzero = np.flatnonzero(np.abs(delta) > 1e-12)
        if len(nonzero) > 1:
            raise StudentError(tr(f"for {what} f was evaluated with several parameters shifted at "
                                  "once: shift one parameter at a time",
                                  f"对于{what}，求 f 的值时同时平移了多个参数：一次只平移一个参数"))
        if len(nonzero) == 1 and not np.isclose(abs(delta[nonzero[0]]), np.pi / 2):
            raise StudentError(tr(
                f"for {what} f was evaluated at a shift of {abs(delta[nonzero[0]]):.3g}: the "
                "rule for generator eigenvalues ±1/2 shifts by exactly ±π/2 (a small step is "
                "a finite difference, which shot noise would swamp)",
                f"对于{what}，f 是在平移量 {abs(delta[nonzero[0]]):.3g} 处求值的：生成元本征值为 "
                "±1/2 时，这条规则恰好平移 ±π/2（小步长就成了有限差分，会被散粒噪声淹没）"))
    if len(points) > 2 * theta.size + 1:
        raise StudentError(tr(f"for {what} f was evaluated {len(points)} times: the rule needs "
                              f"two evaluations per parameter ({2 * theta.size} here)",
                              f"对于{what}，f 被求值了 {len(points)} 次：这条规则每个参数只需"
                              f"两次求值（这里共 {2 * theta.size} 次）"))


def _check_shift_gradient(fn: Any) -> str:
    require_callable(fn, "shift_gradient(f, theta)")
    for what, f, grad, theta in _shift_cases():
        recorder = _Recorder(f)
        theta_in = theta.copy()
        out = as_array(call(fn, recorder, theta_in, what=what), theta.shape, what)
        if not np.array_equal(theta_in, theta):
            raise StudentError(tr(f"for {what} your function changed theta in place: shift a copy",
                                  f"对于{what}，你的函数原地修改了 theta：请平移它的副本"))
        _check_shift_points(recorder.points, theta, what)
        want = grad(theta)
        if np.allclose(out, want, rtol=1e-6, atol=1e-9):
            continue
        if np.allclose(out, 2 * want, rtol=1e-6, atol=1e-9):
            raise StudentError(tr(f"for {what} the result is twice the gradient: the rule divides "
                                  "f(θ + π/2) − f(θ − π/2) by 2",
                                  f"对于{what}，结果是梯度的两倍：这条规则要把 "
                                  "f(θ + π/2) − f(θ − π/2) 除以 2"))
        if np.allclose(out, -want, rtol=1e-6, atol=1e-9):
            raise StudentError(tr(f"for {what} the sign is wrong: it is f(θ + π/2) − f(θ − π/2)",
                                  f"对于{what}，符号不对：应是 f(θ + π/2) − f(θ − π/2)"))
        raise StudentError(tr(f"for {what} the result differs from the exact gradient",
                              f"对于{what}，结果与精确梯度不同"))
    return tr("your shift_gradient is exact: two evaluations at ±π/2 per parameter give the true "
              "derivative, not an approximation.",
              "你的 shift_gradient 是精确的：每个参数在 ±π/2 处求值两次，得到的是真实的导数，"
              "而不是近似。")


q3 = FunctionExercise(
    "03b.3",
    Text("Write shift_gradient(f, theta): the parameter-shift gradient of f at the angles theta "
         "(a 1-D NumPy array), for rotations exp(−iθG) whose generator G has eigenvalues ±1/2 "
         "(rx, ry, rz: G = X/2, Y/2, Z/2). f takes the whole angle array and returns a float. "
         "Return the gradient as an array of the same shape as theta, and pass the function "
         "itself to check.",
         "编写 shift_gradient(f, theta)：对生成元 G 的本征值为 ±1/2 的旋转 exp(−iθG)"
         "（rx、ry、rz：G = X/2、Y/2、Z/2），求 f 在角度 theta（一维 NumPy 数组）处的参数平移"
         "梯度。f 接收整个角度数组，返回一个浮点数。把梯度作为与 theta 形状相同的数组返回，"
         "并把函数本身传给 check。"),
    checker=guarded(_check_shift_gradient),
    hints=[
        Text("One parameter at a time: build theta + s·e_k and theta − s·e_k (copies), evaluate "
             "f at both.",
             "一次处理一个参数：构造 theta + s·e_k 和 theta − s·e_k（都是副本），"
             "分别在这两处求 f 的值。"),
        Text("For eigenvalues ±1/2 the shift is s = π/2 and the two values combine as "
             "[f(θ + s e_k) − f(θ − s e_k)] / 2.",
             "本征值为 ±1/2 时，平移量 s = π/2，两个值组合为 "
             "[f(θ + s e_k) − f(θ − s e_k)] / 2。"),
        Text("e = np.zeros_like(theta); e[k] = np.pi / 2; grad[k] = (f(theta + e) - f(theta - e)) "
             "/ 2",
             "参考写法：e = np.zeros_like(theta); e[k] = np.pi / 2; "
             "grad[k] = (f(theta + e) - f(theta - e)) / 2"),
    ],
    solution_text=Text(
        "def shift_gradient(f, theta):\n"
        "    theta = np.asarray(theta, dtype=float)\n"
        "    grad = np.zeros_like(theta)\n"
        "    for k in range(theta.size):\n"
        "        e = np.zeros_like(theta)\n"
        "        e[k] = np.pi / 2\n"
        "        grad[k] = (f(theta + e) - f(theta - e)) / 2\n"
        "    return grad",
        "def shift_gradient(f, theta):\n"
        "    # 参考答案：每个参数分别平移 ±π/2，各求值一次\n"
        "    theta = np.asarray(theta, dtype=float)\n"
        "    grad = np.zeros_like(theta)\n"
        "    for k in range(theta.size):\n"
        "        e = np.zeros_like(theta)  # 只平移第 k 个参数\n"
        "        e[k] = np.pi / 2\n"
        "        grad[k] = (f(theta + e) - f(theta - e)) / 2\n"
        "    return grad"
    ),
)


# --------------------------------------------------------------------------------------------
# 03b.4: the learner's own tfq.layers.PQC model
# --------------------------------------------------------------------------------------------
XS_04 = np.array([0.3, 1.2, -0.8])


def _inputs_04() -> Any:
    """The fixed input circuits of 03b.4: ``ry(x)`` on qubit 0 for each x in :data:`XS_04`."""
    import cirq

    from clipq_edu._tf import tfq

    q0 = cirq.LineQubit(0)
    return tfq.convert_to_tensor([cirq.Circuit(cirq.ry(float(x))(q0)) for x in XS_04])


def _model_outputs_and_gradients(model: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model's outputs on the fixed inputs, its two weights, and d(sum of outputs)/d weights."""
    from clipq_edu._tf import tf

    if not isinstance(model, tf.keras.Model):
        raise StudentError(tr("pass your tf.keras model itself to check (built with "
                              "tf.keras.Sequential([... tfq.layers.PQC(...)]))",
                              "请把你的 tf.keras 模型本身传给 check（用 "
                              "tf.keras.Sequential([... tfq.layers.PQC(...)]) 构建）"))
    weights = model.trainable_variables
    if sum(int(np.prod(w.shape)) for w in weights) != 2:
        raise StudentError(tr(f"your model has {sum(int(np.prod(w.shape)) for w in weights)} "
                              "trainable numbers; the circuit has exactly two, a and b",
                              f"你的模型有 {sum(int(np.prod(w.shape)) for w in weights)} 个"
                              "可训练的数；这个线路恰好只有两个：a 和 b"))
    try:
        with tf.GradientTape() as tape:
            out = model(_inputs_04())
            total = tf.reduce_sum(out)
        grads = tape.gradient(total, weights)
    except Exception as exc:  # noqa: BLE001 - report the learner's error, never raise it
        raise StudentError(tr(f"calling your model on three input circuits raised "
                              f"{type(exc).__name__}: {str(exc)[:160]}",
                              f"用三个输入线路调用你的模型时抛出了 "
                              f"{type(exc).__name__}：{str(exc)[:160]}")) from None
    values = np.concatenate([np.ravel(w.numpy()) for w in weights])
    grad = np.concatenate([np.ravel(g.numpy()) if g is not None else np.zeros(int(np.prod(w.shape)))
                           for g, w in zip(grads, weights, strict=True)])
    return np.asarray(out.numpy(), dtype=float), values, grad


def _check_pqc_model(model: Any) -> str:
    out, (a, b), grad = _model_outputs_and_gradients(model)
    if out.shape != (3, 1):
        raise StudentError(tr(f"for three input circuits your model returns shape {out.shape}; a "
                              "PQC with one readout gives (3, 1)",
                              f"对三个输入线路，你的模型返回的形状是 {out.shape}；只有一个读出的 "
                              "PQC 应给出 (3, 1)"))
    want = np.cos(XS_04 + a)  # <Z0> after ry(x + a); the CNOT and ry(b) act on qubit 1
    if np.allclose(out[:, 0], np.cos(XS_04 + a) * np.cos(b), atol=1e-4) and \
            not np.allclose(want, np.cos(XS_04 + a) * np.cos(b), atol=1e-4):
        raise StudentError(tr("the outputs are those of ⟨Z1⟩: read out qubit 0 (cirq.Z(q[0]))",
                              "输出是 ⟨Z1⟩ 的值：请读出量子比特 0（cirq.Z(q[0])）"))
    if not np.allclose(out[:, 0], want, atol=1e-4):
        raise StudentError(tr("the outputs differ from ⟨Z0⟩ of the circuit ry(x) ry(a) CNOT "
                              "ry(b): check the gates (ry, not rx) and their qubits",
                              "输出与线路 ry(x) ry(a) CNOT ry(b) 的 ⟨Z0⟩ 不符：检查各个门"
                              "（是 ry 而不是 rx）以及它们作用的量子比特"))
    want_grad = np.array([-np.sin(XS_04 + a).sum(), 0.0])
    if not np.allclose(grad, want_grad, atol=1e-3):
        raise StudentError(tr("the outputs are right but the gradient is not: are both symbols "
                              "trainable weights of the PQC layer?",
                              "输出正确，但梯度不对：两个符号都是 PQC 层的可训练权重吗？"))
    return tr("your model is right: ⟨Z0⟩ = cos(x + a) does not depend on b (the CNOT and ry(b) "
              "act on qubit 1), so its gradient in b is exactly 0, which TFQ's differentiator "
              "finds.",
              "你的模型是对的：⟨Z0⟩ = cos(x + a) 与 b 无关（CNOT 和 ry(b) 都作用在量子比特 1 "
              "上），所以它对 b 的梯度恰好为 0，TFQ 的微分器也得到了这个结果。")


q4 = FunctionExercise(
    "03b.4",
    Text("Build your own tf-keras model with tfq.layers.PQC for the section's circuit (model "
         "circuit ry(a) on qubit 0, CNOT(0, 1), ry(b) on qubit 1) but reading out ⟨Z0⟩ instead "
         "of ⟨Z1⟩. Pass the model itself to check: it is called on three input circuits "
         "ry(x)|0⟩ and differentiated, and its outputs and gradient are compared with the closed "
         "form.",
         "用 tfq.layers.PQC 为本节的线路搭建你自己的 tf-keras 模型（模型线路：量子比特 0 上的 "
         "ry(a)、CNOT(0, 1)、量子比特 1 上的 ry(b)），但读出 ⟨Z0⟩ 而不是 ⟨Z1⟩。把模型本身传给 "
         "check：它会在三个输入线路 ry(x)|0⟩ 上被调用并求导，其输出和梯度将与闭式解比较。"),
    checker=guarded(_check_pqc_model),
    needs_tfq=True,
    hints=[
        Text("Only the readout changes: the model circuit and the symbols stay as in the "
             "section.",
             "只有读出改变：模型线路和符号都与本节相同。"),
        Text("What does the CNOT do to qubit 0's ⟨Z⟩? Work out ⟨Z0⟩ by hand first: it decides "
             "what the gradient in b must be.",
             "CNOT 对量子比特 0 的 ⟨Z⟩ 有什么影响？先手工算出 ⟨Z0⟩：它决定了对 b 的梯度应该是"
             "多少。"),
        Text("tfq.layers.PQC(model_circuit, cirq.Z(q2[0])) inside tf.keras.Sequential([tf.keras."
             "Input(shape=(), dtype=tf.string), ...])",
             "把 tfq.layers.PQC(model_circuit, cirq.Z(q2[0])) 放进 "
             "tf.keras.Sequential([tf.keras.Input(shape=(), dtype=tf.string), ...])"),
    ],
    solution_text=Text(
        "pqc0 = tfq.layers.PQC(model_circuit, cirq.Z(q2[0]))\n"
        "my_model = tf.keras.Sequential([tf.keras.Input(shape=(), dtype=tf.string), pqc0])\n"
        "# ⟨Z0⟩ = cos(x + a): ry(b) and the CNOT's target are on qubit 1, so ∂/∂b = 0",
        "pqc0 = tfq.layers.PQC(model_circuit, cirq.Z(q2[0]))\n"
        "my_model = tf.keras.Sequential([tf.keras.Input(shape=(), dtype=tf.string), pqc0])\n"
        "# ⟨Z0⟩ = cos(x + a)：ry(b) 和 CNOT 的目标比特都在量子比特 1 上，所以 ∂/∂b = 0"
    ),
)
