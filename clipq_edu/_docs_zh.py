"""Chinese docstrings of the functions the notebooks show with :func:`clipq_edu.show_source`.

In Chinese (``set_language("zh")``), :func:`clipq_edu.show_source` shows the docstring of
:data:`DOCS_ZH` in place of the English one; every other line of the listing is the library's
code, unchanged. Keys are ``"<module>.<qualname>"``. The doctest examples (``>>>`` lines and
their output) are copied from the English docstring unchanged (``tests/test_zh_library.py``
checks that, and that every key names a function with a docstring).
"""

from __future__ import annotations

#: ``"<module>.<qualname>"`` -> the Chinese docstring (dedented, as ``inspect.getdoc`` gives it).
DOCS_ZH: dict[str, str] = {
    "clipq_edu.clipping.clip_by_norm": """\
逐个张量缩放，使每个张量的 L2 范数不超过 ``max_norm``（即 Keras 的 ``clipnorm``）。

clip(g) = g · c / max(‖g‖, c)：每个张量的方向保持不变，且
‖clip(g)‖ = min(‖g‖, c)，所以裁剪绝不会放大梯度。由于每个张量按各自的因子缩放，
几个张量被裁剪的程度不同时，*整个*梯度的方向仍然可能改变。

参数：
  grads: 一个梯度或梯度列表（NumPy 数组或 TF 张量；``None`` 原样保留）。
  max_norm: 阈值 c，一个大于 0 的有限数。
  nonfinite: ``"error"``、``"propagate"`` 或 ``"zero"``。

返回：
  裁剪后的梯度，结构与输入相同。""",
    "clipq_edu.clipping.clip_by_value": """\
把每个元素裁剪到 ``[-limit, limit]``（即 Keras 的 ``clipvalue``）；会改变方向。

每个坐标单独裁剪，所以 ``limit=1`` 时梯度 (3, 0.5) 变成
(1, 0.5)：箭头转向对角线。对每个元素都有 |clip(g)ᵢ| ≤ |gᵢ|。

参数：
  grads: 一个梯度或梯度列表（NumPy 数组或 TF 张量；``None`` 原样保留）。
  limit: 阈值，一个大于 0 的有限数。
  nonfinite: ``"error"``、``"propagate"`` 或 ``"zero"``（见模块的文档字符串）。

返回：
  裁剪后的梯度，结构与输入相同（输入是列表时返回列表）。""",
    "clipq_edu.course.costs.chain_layer_classical": """\
只用 n 次乘法，返回与 :func:`chain_layer_quantum` 相同的 <Z_i>。

Ry(theta_j)|0> 以概率 sin^2(theta_j / 2) 给出比特 j = 1，各比特相互独立；
CNOT 链让量子比特 i 存下奇偶性 x_0 xor ... xor x_i。所以
<Z_i> = prod_{j <= i} <进入 CNOT 链之前的 Z_j> = prod_{j <= i} cos(theta_j)：
余弦的累积乘积。完全用不到 2**n。

参数：
  theta: n 个角度（弧度）组成的一维数组。

返回：
  float64 数组 ``cumprod(cos(theta))``。

详见第 01 章。

>>> chain_layer_classical([0.0, 3.14159265]).round(6)
array([ 1., -1.])""",
    "clipq_edu.course.costs.state_vector_memory": """\
返回一个 n 量子比特态矢量所需的字节数：2**n 个振幅 × 8 字节（complex64）。

参数：
  n: 量子比特数（1 到 1000；这里只做计算，不分配内存）。
  bytes_per_amplitude: complex64 为 8，complex128 为 16。

返回：
  2**n * bytes_per_amplitude，一个精确的 Python int
  （:func:`clipq_edu.quantum.resources.state_vector_bytes`）。

详见第 01 章。

>>> format_bytes(state_vector_memory(30))
'8.0 GiB'""",
    "clipq_edu.quantum.gradients.combine_shifted": """\
把 f 在 :func:`shifted_parameters` 各行上的值组合成梯度（两步中的第 2 步）。

df/dx_k = scale * [f(x + (s/scale) e_k) - f(x - (s/scale) e_k)] / (2 sin s)；对 rx/ry/rz
的角度且 s = pi/2，就是 [f(theta + pi/2) - f(theta - pi/2)] / 2。

参数：
    values: f 在平移后各行上的值，形状为 ``[..., 2, K]``（轴 -2：加、减）。
    shift: 构造这些行时用的平移量 s。
    scale: 构造这些行时用的缩放因子。

返回：
    梯度 ``[..., K]``。

详见第 03 章。

>>> x = shifted_parameters([1.1])                       # f = cos(x), f' = -sin(x)
>>> combine_shifted(np.cos(x[..., 0])).round(6), round(float(-np.sin(1.1)), 6)
(array([-0.891207]), -0.891207)""",
    "clipq_edu.course.lab.naive_bce": """\
手写的交叉熵 −mean[y log p + (1 − y) log(1 − p)]，没有任何保护措施。

它对 p 的斜率在 y = 1 时为 −1/p（y = 0 时为 1/(1 − p)）：自信的错误预测趋近 0（或 1）时，
斜率无界。Keras 的 ``BinaryCrossentropy`` 则把 p 截断到 [1e-7, 1 − 1e-7]。

参数：
  y_true: [0, 1] 中的标签（类别为 0/1），张量或类数组对象。
  p: 预测概率，张量或类数组对象，能与 ``y_true`` 广播。
    张量（训练时 Keras 传入的就是张量）不经检查直接参与计算，和任何手写的训练损失一样
    （p = 0 或 1 会得到无穷大的损失）。类数组对象（手动调用时）会被检查
    （p 必须严格介于 0 和 1 之间），并用 float64 计算。

返回：
  平均损失，一个标量张量。

详见第 07 章。

>>> round(float(naive_bce([1.0, 0.0], [0.5, 0.5])), 6)  # doctest: +SKIP
0.693147""",
    "clipq_edu.course.toys.keras_clipped_update": """\
返回 tf-keras 的 SGD 在给定裁剪方式下对 ``grads`` 实际施加的更新。

在从 0 开始的变量上执行一步 ``SGD(learning_rate=1, **clip_kwargs)``，权重的变化恰好是
裁剪后梯度的相反数：这就是 Keras 优化器对 ``grads`` 做的事，从权重中读回，而不是假设出来的。

参数：
  grads: 梯度列表，每个权重张量一个（任意形状的数组）。
  **clip_kwargs: ``clipvalue``、``clipnorm``、``global_clipnorm`` 中的任意几个（tf-keras
    不允许 ``clipnorm`` 与 ``global_clipnorm`` 同时使用）。

返回：
  裁剪后的梯度（float32 数组，形状与 ``grads`` 相同）。

详见第 02 章。

>>> keras_clipped_update([[3.0, 4.0]], clipnorm=1.0)  # doctest: +SKIP
[array([0.6, 0.8], dtype=float32)]""",
    "clipq_edu.course.toys.max_stable_step": """\
返回从 ``x0`` 出发、在 x**4 上不会远离 0 的最大普通梯度下降步长。

第一步把 x0 变为 x0 (1 - 4 lr x0**2)；只有当 4 lr x0**2 <= 2，即 lr <= 1 / (2 x0**2) 时，
它才留在 [-|x0|, |x0|] 之内。步长超过这个值，|x| 就会增大，之后每一步都更糟：
普通梯度下降随之爆炸。

参数：
  x0: 起点，一个有限的非零数（不能太接近 0，否则 1 / (2 x0**2) 会溢出）。

返回：
  1 / (2 x0**2)。

详见第 01 章。

>>> max_stable_step(10.0)
0.005""",
    "clipq_edu.training.shots.ShotBasedOptimizer.update": """\
裁剪 ``grads``，并从 ``params`` 出发执行一步优化器更新；返回新的参数。

``self.last`` 记录 ``norm_before``、``norm_after``、``clipped``、``threshold`` 和
``skipped``。NaN/Inf 梯度永远不会被应用（见 ``nonfinite``）。""",
}

#: Comments inside the shown functions' code: English text after ``#`` -> Chinese.
COMMENTS_ZH: dict[str, str] = {
    "nothing (non-zero) to clip against yet": "还没有可作裁剪依据的（非零）范数",
}
