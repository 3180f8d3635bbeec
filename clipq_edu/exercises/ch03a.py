"""Exercises of chapter 03a (裁剪的数学): clipping maths, thresholds from telemetry, AutoClip,
backpropagation through time.

>>> from clipq_edu.exercises import ch03a as ex
>>> ex.q1.check(2.43).correct, ex.q1.check(2.6).correct
(True, False)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from clipq_edu import clipping
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import FunctionExercise, NumericExercise
from clipq_edu.i18n import Text, tr

__all__ = ["MAX_SPIKE_FACTOR", "TELEMETRY", "q1", "q2", "q3", "q4", "q5", "telemetry_norms"]

#: q3: a defensible threshold lets no step through that is more than this many times the median.
MAX_SPIKE_FACTOR = 5.0
#: q3: at most this fraction of the ordinary steps may be clipped.
MAX_CLIPPED_FRACTION = 0.2


def telemetry_norms(seed: int = 3) -> np.ndarray:
    """Return 200 recorded global gradient norms of a training run with three spikes (q3 data).

    Mostly log-normal around 1 with three spikes of 40-80, as a loss spike would cause.

    Args:
      seed: seed of the generator.

    Returns:
      1-D array of 200 norms.

    Taught in chapter 03a.

    >>> norms = telemetry_norms()
    >>> norms.shape, int(np.sum(norms > 10))
    ((200,), 3)
    """
    rng = np.random.default_rng(seed)
    norms = np.exp(rng.normal(0.0, 0.35, size=200))
    norms[[57, 120, 181]] = rng.uniform(40.0, 80.0, size=3)
    return norms


#: The telemetry of exercise q3 (global gradient norm per step).
TELEMETRY = telemetry_norms()
TELEMETRY.setflags(write=False)

_Q1_GRADS = [np.array([3.0, 4.0]), np.array([12.0, 0.0, 5.0])]

def _q1_share(clipped: list[np.ndarray]) -> float:
    """The norm of the second tensor (g2) in a clipped pair."""
    return float(np.linalg.norm(clipped[1]))


q1 = NumericExercise(
    "03a.1",
    Text("Two weight tensors have gradients g1 = (3, 4) and g2 = (12, 0, 5). They are clipped "
         "together with clip_by_global_norm at max_norm = 2.6. What is the norm of the clipped "
         "g2 (the second tensor alone)? Give at least 3 significant figures.",
         "两个权重张量的梯度为 g1 = (3, 4) 和 g2 = (12, 0, 5)。用 clip_by_global_norm 以 "
         "max_norm = 2.6 对它们一起裁剪。裁剪后的 g2（只看第二个张量）的范数是多少？"
         "请至少给出 3 位有效数字。"),
    expected=lambda: _q1_share(clipping.clip_by_global_norm(_Q1_GRADS, 2.6)[0]),
    rtol=1e-6,
    digits=3,
    shown=("2.43",),
    mistakes=[
        (lambda: clipping.global_norm(clipping.clip_by_global_norm(_Q1_GRADS, 2.6)[0]),
         Text("that is the global norm of both tensors after clipping (or what clipnorm would "
              "give g2 by itself): the question asks for g2's share after the one common factor",
              "这是两个张量裁剪后的全局范数（或者 clipnorm 单独裁剪 g2 得到的结果）：题目问的是"
              "乘以同一个公共因子之后 g2 所占的那一份")),
        (lambda: _q1_share(clipping.clip_by_value(_Q1_GRADS, 2.6)),
         Text("that clips entry by entry (clipvalue), which also turns the gradient; "
              "clip_by_global_norm rescales whole tensors",
              "这是逐个分量裁剪（clipvalue），它还会改变梯度的方向；clip_by_global_norm "
              "是把整个张量按比例缩放")),
        (lambda: _q1_share(_Q1_GRADS),
         Text("that is g2 before clipping: the global norm exceeds the bound, so every tensor "
              "is scaled down",
              "这是裁剪前的 g2：全局范数超过了阈值，所以每个张量都会被缩小")),
        (lambda: float(np.linalg.norm(clipping.clip_by_global_norm(_Q1_GRADS, 2.6)[0][0])),
         Text("that is the norm of the clipped g1, not g2", "这是裁剪后 g1 的范数，不是 g2 的")),
    ],
    hints=[
        Text("First compute the global norm N = √(‖g1‖² + ‖g2‖²) before clipping.",
             "先算出裁剪前的全局范数 N = √(‖g1‖² + ‖g2‖²)。"),
        Text("Global-norm clipping multiplies every tensor by the same factor c / max(N, c).",
             "按全局范数裁剪会把每个张量都乘以同一个因子 c / max(N, c)。"),
    ],
    solution_text=Text(
        "N = √(25 + 169) = √194 ≈ 13.93 > 2.6, so every tensor is scaled by "
        "2.6/N ≈ 0.187: ‖g2‖ = 13 becomes 13 · 2.6/√194 ≈ 2.43. Per-tensor clipnorm would "
        "have given 2.6 for g2 alone.",
        "N = √(25 + 169) = √194 ≈ 13.93 > 2.6，所以每个张量都乘以 2.6/N ≈ 0.187："
        "‖g2‖ = 13 变为 13 · 2.6/√194 ≈ 2.43。若逐张量用 clipnorm 裁剪，g2 单独会得到 2.6。"),
)

_Q2_GRADS = [np.array([1e-9]), np.array([1200.0, 0.0, 1600.0])]  # layer 1 vanishing, layer 2 spiking


def _q2_first_layer(grads: list[np.ndarray]) -> float:
    """The norm of layer 1's gradient (the first tensor)."""
    return float(np.linalg.norm(grads[0]))


q2 = NumericExercise(
    "03a.2",
    Text("A network's first layer has a gradient of norm 1e-9 (a vanishing gradient); in the "
         "same step another layer spikes to norm 2e3. Both are clipped together with "
         "clip_by_global_norm(grads, 1.0). What is the norm of layer 1's gradient after "
         "clipping? Give at least 3 significant figures (for example 2.50e-7).",
         "某网络第一层的梯度范数为 1e-9（梯度消失）；同一步里另一层出现尖峰，范数为 2e3。"
         "两者一起用 clip_by_global_norm(grads, 1.0) 裁剪。裁剪后第一层梯度的范数是多少？"
         "请至少给出 3 位有效数字（例如 2.50e-7）。"),
    expected=lambda: _q2_first_layer(clipping.clip_by_global_norm(_Q2_GRADS, 1.0)[0]),
    rtol=1e-6,
    digits=3,
    shown=("5.00e-13",),
    mistakes=[
        (lambda: _q2_first_layer(_Q2_GRADS),
         Text("that is layer 1's norm before clipping: the global norm exceeds the bound, so "
              "one common factor c/N < 1 multiplies every layer, the tiny one too (per-tensor "
              "clipnorm would leave it unchanged, global-norm clipping does not)",
              "这是第一层裁剪前的范数：全局范数超过了阈值，所以同一个公共因子 c/N < 1 会乘到每一层上，"
              "极小的那一层也不例外（逐张量的 clipnorm 会让它保持不变，按全局范数裁剪则不会）")),
        (lambda: _q2_first_layer([g / np.linalg.norm(g) * 1.0 for g in _Q2_GRADS]),
         Text("that scales layer 1 up to the bound: clipping multiplies by c/max(N, c) ≤ 1, so "
              "it never enlarges a gradient",
              "这是把第一层放大到阈值：裁剪乘以的是 c/max(N, c) ≤ 1，所以它从不放大梯度")),
    ],
    hints=[
        Text("Compute the global norm N of all layers together first: which layer decides it?",
             "先算出所有层合在一起的全局范数 N：哪一层决定了它？"),
        Text("Global-norm clipping multiplies every layer by the same factor c / max(N, c).",
             "按全局范数裁剪会把每一层都乘以同一个因子 c / max(N, c)。"),
    ],
    solution_text=Text(
        "N = √((1e-9)² + (2e3)²) ≈ 2e3 > 1, so every layer is multiplied by 1/N ≈ 5e-4: layer "
        "1 goes from 1e-9 to 5.00e-13. Clipping never enlarges a gradient, and a spike elsewhere "
        "makes a vanishing one even smaller (Pascanu, Mikolov, Bengio 2013 use clipping only "
        "against explosion).",
        "N = √((1e-9)² + (2e3)²) ≈ 2e3 > 1，所以每一层都乘以 1/N ≈ 5e-4：第一层从 1e-9 变为 "
        "5.00e-13。裁剪从不放大梯度，别处的尖峰还会让消失的梯度变得更小"
        "（Pascanu、Mikolov 和 Bengio 2013 只用裁剪来对付梯度爆炸）。"),
)


def _check_threshold(answer: Any) -> tuple[bool, str]:
    if isinstance(answer, (str, bytes, bool)) or not isinstance(answer, (int, float, np.number)):
        return False, tr("give one number: the clip threshold for the global norm",
                         "请给出一个数：全局范数的裁剪阈值")
    c = float(answer)
    if not math.isfinite(c) or c <= 0:
        return False, tr("a threshold must be a finite positive number", "阈值必须是有限的正数")
    median = float(np.median(TELEMETRY))
    ordinary = TELEMETRY[TELEMETRY < 10 * median]
    frac = float(np.mean(ordinary > c))
    if frac > MAX_CLIPPED_FRACTION:
        return False, tr(f"with this threshold {frac:.0%} of the ordinary steps would be clipped: "
                         "that turns clipping into normalisation of ordinary steps",
                         f"用这个阈值，{frac:.0%} 的普通步会被裁剪：这就把裁剪变成了对普通步的"
                         "归一化")
    if c > MAX_SPIKE_FACTOR * median:
        return False, tr(f"a spike clipped to {c:g} is still a step {c / median:.1f}x the median "
                         f"norm ({median:.2f}): clipping at c lets steps c/median times a typical "
                         "one through. Choose c just above the ordinary norms, at most "
                         f"{MAX_SPIKE_FACTOR:g}x the median.",
                         f"裁剪到 {c:g} 的尖峰仍是中位数范数（{median:.2f}）的 {c / median:.1f} "
                         "倍：以 c 为阈值裁剪，会放过大小为典型步 c/median 倍的步。请把 c 选在普通步"
                         f"范数的稍上方，至多为中位数的 {MAX_SPIKE_FACTOR:g} 倍。")
    return True, tr(f"good: {frac:.1%} of the ordinary steps are clipped, and a spike is cut to "
                    f"{c / median:.1f}x the median step (the spikes were "
                    f"{np.max(TELEMETRY) / median:.0f}x).",
                    f"很好：{frac:.1%} 的普通步被裁剪，尖峰被削到中位数步长的 {c / median:.1f} 倍"
                    f"（原来的尖峰是 {np.max(TELEMETRY) / median:.0f} 倍）。")


q3 = FunctionExercise(
    "03a.3",
    Text("ex.TELEMETRY holds the global gradient norm of 200 training steps (three are spikes). "
         "Choose a global-norm clip threshold that clips at most 20% of the ordinary steps and "
         "cuts every spike down to at most 5 times the median norm. Give one number.",
         "ex.TELEMETRY 是一段训练监控数据，记录了 200 个训练步的全局梯度范数（其中三步是尖峰）。"
         "选一个按全局范数裁剪的阈值，使它至多裁剪 20% 的普通步，并把每个尖峰削到至多中位数"
         "范数的 5 倍。给出一个数。"),
    checker=_check_threshold,
    hints=[
        Text("Plot np.sort(ex.TELEMETRY) on a log scale, or print np.median(ex.TELEMETRY) and "
             "np.percentile(ex.TELEMETRY, [80, 90, 95, 99]).",
             "在对数坐标下画出排好序的训练监控数据 np.sort(ex.TELEMETRY)，或者打印 "
             "np.median(ex.TELEMETRY) 和 np.percentile(ex.TELEMETRY, [80, 90, 95, 99])。"),
        Text("Three spikes in 200 steps are 1.5 % of the data: the 99th percentile already lands "
             "on a spike. A percentile between 80 and 98 sits above the ordinary steps.",
             "200 步中的三个尖峰占数据的 1.5%：第 99 百分位数已经落在一个尖峰上。"
             "第 80 到第 98 之间的百分位数则位于普通步的上方。"),
    ],
    solution_text=Text(
        "For example c = np.percentile(ex.TELEMETRY, 95) ≈ 1.86: ordinary steps "
        "are rarely touched and the spikes are cut from about 70x to under 2x the median. The "
        "99th percentile (≈ 66) would let the spikes through almost unclipped. AutoClip "
        "(Seetharaman et al. 2020) sets c from a running percentile in the same spirit.",
        "例如取训练监控的第 95 百分位数 c = np.percentile(ex.TELEMETRY, 95) ≈ 1.86："
        "普通步很少被触及，而尖峰从中位数的约 70 倍被削到不足 2 倍。第 99 百分位数（≈ 66）"
        "几乎会让尖峰不经裁剪地通过。AutoClip（Seetharaman et al. 2020）本着同样的思路，"
        "用滑动百分位数来设定 c。"),
)


def _autoclip_cases() -> list[tuple[str, np.ndarray, list[float], float]]:
    rng = np.random.default_rng(5)
    history = list(np.exp(rng.normal(0.0, 0.3, size=30)))
    return [
        (tr("the first step (empty history)", "第一步（历史为空）"), np.array([3.0, 4.0]), [],
         50.0),
        (tr("a spike after 30 ordinary steps", "30 个普通步之后的一个尖峰"),
         np.array([30.0, -40.0, 0.0]), history, 90.0),
        (tr("an ordinary step", "一个普通步"), np.array([0.3, 0.2]), history, 90.0),
        (tr("a 2x3 gradient at p = 10", "形状为 2x3 的梯度（p = 10）"),
         rng.normal(size=(2, 3)) * 3, history, 10.0),
    ]


def _reference_autoclip(grad: np.ndarray, history: list[float],
                        p: float) -> tuple[np.ndarray, list[float]]:
    new_history = [*history, float(np.linalg.norm(grad))]
    threshold = float(np.percentile(new_history, p))
    return clipping.clip_by_norm(grad, threshold), new_history


def _check_autoclip(fn: Any) -> str:
    require_callable(fn, "autoclip_step(grad, history, p)")
    for what, grad, history, p in _autoclip_cases():
        h_in, g_in = list(history), grad.copy()
        out = call(fn, g_in, h_in, p, what=what)
        if not isinstance(out, tuple) or len(out) != 2:
            raise StudentError(tr(f"for {what} return a pair (clipped_grad, new_history)",
                                  f"对于{what}，请返回一个二元组 (clipped_grad, new_history)"))
        if h_in != history or not np.array_equal(g_in, grad):
            raise StudentError(tr(f"for {what} your function changed its inputs in place: build a "
                                  "new history list (the caller's must stay as it was)",
                                  f"对于{what}，你的函数原地修改了输入：请新建一个历史列表"
                                  "（调用者的列表必须保持原样）"))
        want_g, want_h = _reference_autoclip(grad, history, p)
        new_h = as_array(out[1], (len(history) + 1,),
                         tr(f"{what}, the new history", f"{what}的新历史"))
        if grad.ndim == 2 and np.isclose(new_h[-1], np.linalg.norm(grad, 2)):
            raise StudentError(tr(f"for {what} you recorded the spectral norm (ord=2, the largest "
                                  "singular value of the matrix): AutoClip uses the L2 norm of all "
                                  "entries, which for a matrix is the Frobenius norm, "
                                  "np.linalg.norm(grad) without ord",
                                  f"对于{what}，你记录的是谱范数（ord=2，即矩阵的最大奇异值）："
                                  "AutoClip 用的是所有分量的 L2 范数，对矩阵而言就是 Frobenius "
                                  "范数，即不带 ord 的 np.linalg.norm(grad)"))
        if not np.allclose(new_h[:-1], history) or not np.isclose(new_h[-1], want_h[-1]):
            raise StudentError(tr(f"for {what} the new history must be the old one with this "
                                  "step's gradient norm appended at the end",
                                  f"对于{what}，新历史必须是在旧历史末尾追加这一步的梯度范数"))
        got_g = as_array(out[0], grad.shape,
                         tr(f"{what}, the clipped gradient", f"{what}裁剪后的梯度"))
        if np.allclose(got_g, want_g, rtol=1e-6, atol=1e-12):
            continue
        if np.allclose(got_g, clipping.clip_by_norm(grad, np.percentile(history or [1.0], p)),
                       rtol=1e-6):
            raise StudentError(tr(f"for {what} the threshold ignores the current norm: append it "
                                  "to the history first, then take the percentile",
                                  f"对于{what}，阈值没有考虑当前的范数：先把它追加到历史中，"
                                  "再取百分位数"))
        raise StudentError(tr(f"for {what} the clipped gradient is wrong: clip by L2 norm at the "
                              "p-th percentile (np.percentile) of the new history",
                              f"对于{what}，裁剪后的梯度不对：应以新历史的第 p 百分位数"
                              "（np.percentile）为阈值，按 L2 范数裁剪"))
    return tr("your autoclip_step records each norm and clips at a running percentile, as "
              "clipping.AutoClip does.",
              "你的 autoclip_step 记录每一步的范数，并以滑动百分位数为阈值裁剪，"
              "与 clipping.AutoClip 的做法一致。")


q4 = FunctionExercise(
    "03a.4",
    Text("Write AutoClip's step, autoclip_step(grad, history, p): append the L2 norm of all "
         "entries of grad (np.linalg.norm(grad); for a matrix that is the Frobenius norm, not "
         "ord=2) to (a copy of) the list history, set the threshold to the p-th percentile of that new "
         "history, clip grad by norm at the threshold, and return (clipped_grad, new_history). "
         "Pass the function itself to check.",
         "编写 AutoClip 的一步 autoclip_step(grad, history, p)：把 grad 所有分量的 L2 范数"
         "（np.linalg.norm(grad)；对矩阵而言是 Frobenius 范数，不是 ord=2）追加到列表 "
         "history（的副本）中，把阈值设为这个新历史的第 p 百分位数，以该阈值对 grad 按范数裁剪，"
         "然后返回 (clipped_grad, new_history)。把函数本身传给 check。"),
    checker=guarded(_check_autoclip),
    hints=[
        Text("The caller's list must not change: build a new list holding the old norms and "
             "this step's.",
             "调用者的列表不能改变：新建一个列表，装入旧的范数和这一步的范数。"),
        Text("Append first, then take the percentile: on the first step the history is empty.",
             "先追加，再取百分位数：第一步时历史是空的。"),
        Text("np.linalg.norm gives the norm and np.percentile the threshold; scale the gradient "
             "down only when its norm exceeds the threshold (a zero gradient stays zero).",
             "np.linalg.norm 给出范数，np.percentile 给出阈值；只有当范数超过阈值时才把梯度"
             "按比例缩小（零梯度保持为零）。"),
    ],
    solution_text=Text(
        "def autoclip_step(grad, history, p):\n"
        "    norm = float(np.linalg.norm(grad))\n"
        "    new_history = list(history) + [norm]\n"
        "    threshold = np.percentile(new_history, p)\n"
        "    scale = min(1.0, threshold / norm) if norm > 0 else 1.0\n"
        "    return grad * scale, new_history",
        "def autoclip_step(grad, history, p):\n"
        "    # 参考答案：先记录本步的范数，再以新历史的第 p 百分位数为阈值裁剪\n"
        "    norm = float(np.linalg.norm(grad))\n"
        "    new_history = list(history) + [norm]  # 新列表，调用者的 history 保持不变\n"
        "    threshold = np.percentile(new_history, p)\n"
        "    scale = min(1.0, threshold / norm) if norm > 0 else 1.0\n"
        "    return grad * scale, new_history"
    ),
)


def _recurrence_states(w: float, x: np.ndarray) -> np.ndarray:
    """h_0 = 0, h_t = w·h_{t−1} + x_t: all states h_0 … h_T."""
    h = np.zeros(len(x) + 1)
    for t, xt in enumerate(x, start=1):
        h[t] = w * h[t - 1] + xt
    return h


def _reference_bptt(w: float, x: np.ndarray, y: float) -> float:
    """dL/dw for L = ½(h_T − y)², by backpropagation through time (a backward loop)."""
    h = _recurrence_states(w, x)
    dh_dw, carry = 0.0, 1.0  # carry = ∂h_T/∂h_t = w^{T−t}
    for t in range(len(x), 0, -1):
        dh_dw += carry * h[t - 1]  # step t's own term ∂h_t/∂w = h_{t−1}, carried to T
        carry *= w
    return float((h[-1] - y) * dh_dw)


def _bptt_variants(w: float, x: np.ndarray, y: float) -> list[tuple[float, str]]:
    """Values the typical mistakes give, each with the property it breaks."""
    h = _recurrence_states(w, x)
    err, big_t = h[-1] - y, len(x)
    powers = w ** np.arange(big_t - 1, -1, -1.0)  # w^{T−t} for t = 1 … T
    return [
        (float(err * h[-2]), tr(
            "your gradient counts only the last step: w acts at every step, so ∂h_T/∂w sums "
            "one term per step, each carried to the end by the later steps",
            "你的梯度只算了最后一步：w 在每一步都起作用，所以 ∂h_T/∂w 要对每一步求和，"
            "每一项都要经过后面各步传到末端")),
        (float(np.sum(powers * h[:-1])), tr(
            "that is ∂h_T/∂w: the loss's own derivative ∂L/∂h_T is missing",
            "这是 ∂h_T/∂w：缺少损失函数本身的导数 ∂L/∂h_T")),
        (float(err * np.sum(powers * h[1:])), tr(
            "each step's term must use the state the step multiplies by w (the one before it), "
            "not the state it produces",
            "每一步的那一项应当用这一步乘以 w 的那个状态（前一个状态），而不是这一步产生的状态")),
        (-_reference_bptt(w, x, y), tr(
            "the sign is wrong: L = ½(h_T − y)² grows when h_T moves away from y",
            "符号错了：h_T 偏离 y 时 L = ½(h_T − y)² 增大")),
    ]


def _bptt_cases() -> list[tuple[str, float, np.ndarray, float]]:
    rng = np.random.default_rng(11)
    return [
        (tr("the example w = 0.5, x = (1, 2, 0), y = 0", "示例 w = 0.5、x = (1, 2, 0)、y = 0"),
         0.5, np.array([1.0, 2.0, 0.0]), 0.0),
        (tr("a sequence of length 1 (h_0 = 0)", "长度为 1 的序列（h_0 = 0）"),
         1.3, np.array([2.0]), 1.0),
        (tr("an exploding recurrence, |w| > 1, 30 steps", "爆炸的递推（|w| > 1，30 步）"),
         1.2, rng.normal(size=30), 0.7),
        (tr("a vanishing recurrence, |w| < 1, 30 steps", "消失的递推（|w| < 1，30 步）"),
         0.5, rng.normal(size=30), -0.4),
        (tr("a negative w", "负的 w"), -0.8, rng.normal(size=7), 0.3),
        (tr("w = 0", "w = 0"), 0.0, rng.normal(size=5), 0.2),
        (tr("inputs with zeros", "含零的输入"), 0.9, np.array([0.0, 1.5, 0.0, 0.0, -0.5, 0.0]),
         -1.0),
    ]


def _check_bptt(fn: Any) -> str:
    require_callable(fn, "bptt_gradient(w, x, y)")
    for what, w, x, y in _bptt_cases():
        x_in = x.copy()
        got = float(as_array(call(fn, w, x_in, y, what=what), (), what))
        want = _reference_bptt(w, x, y)
        if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9):
            continue
        for value, message in _bptt_variants(w, x, y):
            if math.isclose(got, value, rel_tol=1e-6, abs_tol=1e-9):
                raise StudentError(tr(f"for {what}: {message}", f"对于{what}：{message}"))
        raise StudentError(tr(f"for {what} dL/dw is wrong: it does not match the slope of the "
                              "loss in w (computed by a reference backward pass)",
                              f"对于{what}，dL/dw 不对：它与损失对 w 的斜率（由参考的反向传播算出）不符"))
    return tr("your bptt_gradient backpropagates through time: for |w| > 1 the gradient grows "
              "with every step, for |w| < 1 the early inputs barely count.",
              "你的 bptt_gradient 做到了随时间反向传播：|w| > 1 时梯度随步数增长，"
              "|w| < 1 时早期输入几乎不起作用。")


q5 = FunctionExercise(
    "03a.5",
    Text("Write bptt_gradient(w, x, y) for the scalar linear recurrence h_t = w·h_{t−1} + x_t, "
         "h_0 = 0, with loss L = ½(h_T − y)²: return dL/dw (a float) by backpropagation through "
         "time. w and y are floats, x is a 1-D NumPy array of the inputs x_1 … x_T. For w = 0.5, "
         "x = (1, 2, 0), y = 0 it is 3.75. check also runs hidden cases (|w| above and below 1, "
         "w = 0, negative w, T = 1, zero inputs). Pass the function itself to check.",
         "为标量线性递推 h_t = w·h_{t−1} + x_t（h_0 = 0）编写 bptt_gradient(w, x, y)，"
         "损失为 L = ½(h_T − y)²：用随时间反向传播返回 dL/dw（一个浮点数）。w 和 y 是浮点数，"
         "x 是输入 x_1 … x_T 组成的一维 NumPy 数组。w = 0.5、x = (1, 2, 0)、y = 0 时结果为 3.75。"
         "check 还会运行一些隐藏的情形（|w| 大于和小于 1、w = 0、负的 w、T = 1、含零的输入）。"
         "把函数本身传给 check。"),
    checker=guarded(_check_bptt),
    hints=[
        Text("Run the recurrence forward and keep every state h_0 … h_T: the backward pass "
             "needs them.",
             "先正向运行递推，并保存所有状态 h_0 … h_T：反向传播要用到它们。"),
        Text("∂L/∂h_T = h_T − y. Going back one step multiplies by ∂h_t/∂h_{t−1} = w, and step t "
             "adds its own direct term ∂h_t/∂w = h_{t−1}.",
             "∂L/∂h_T = h_T − y。每往回走一步就乘以 ∂h_t/∂h_{t−1} = w，而第 t 步还贡献它自己的"
             "直接项 ∂h_t/∂w = h_{t−1}。"),
        Text("Think of the loss as reached from each step t along the later steps: its "
             "contribution is the step's own term times the product of the factors ∂h/∂h "
             "between step t and T. One backward loop over t can carry that product along.",
             "把损失看成从每一步 t 沿着后面各步传过来：这一步的贡献等于它自己的直接项乘以从 t 到 T "
             "之间各个 ∂h/∂h 因子的乘积。一个反向的循环就能把这个乘积一路带下去。"),
    ],
    solution_text=Text(
        "def bptt_gradient(w, x, y):\n"
        "    h = [0.0]\n"
        "    for xt in x:                      # forward: keep every state\n"
        "        h.append(w * h[-1] + xt)\n"
        "    dh_dw, carry = 0.0, 1.0           # carry = w**(T - t)\n"
        "    for t in range(len(x), 0, -1):    # backward through time\n"
        "        dh_dw += carry * h[t - 1]\n"
        "        carry *= w\n"
        "    return (h[-1] - y) * dh_dw",
        "def bptt_gradient(w, x, y):\n"
        "    # 参考答案：先正向保存所有状态，再随时间反向累加\n"
        "    h = [0.0]\n"
        "    for xt in x:                      # 正向：保存每个状态\n"
        "        h.append(w * h[-1] + xt)\n"
        "    dh_dw, carry = 0.0, 1.0           # carry = w**(T - t)\n"
        "    for t in range(len(x), 0, -1):    # 随时间反向\n"
        "        dh_dw += carry * h[t - 1]\n"
        "        carry *= w\n"
        "    return (h[-1] - y) * dh_dw"),
)
