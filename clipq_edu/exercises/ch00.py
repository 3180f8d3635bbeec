"""Warm-up exercises of chapter 00 (start here): how ``check``, ``hint`` and ``solution`` work."""

from __future__ import annotations

from clipq_edu.exercises._core import ChoiceExercise, NumericExercise
from clipq_edu.i18n import Text
from clipq_edu.quantum.resources import state_vector_bytes

__all__ = ["q1", "q2", "q3"]

#: Typical mistakes of 00.1, each computed by applying the mistaken method to n = 10.
_MISTAKES_1 = [
    (lambda: 2 * 10,
     Text("that is 2 x 10: the count doubles with each qubit, so multiply 2 by itself 10 times",
          "这是 2 x 10：每多一个量子比特个数就翻一倍，所以要把 2 自乘 10 次")),
    (lambda: 10**2,
     Text("that is 10**2 (n squared): the base is 2 and the exponent is n",
          "这是 10**2（n 的平方）：底数应是 2，指数才是 n")),
    (lambda: 2 ** (10 - 1),
     Text("one doubling short: 1 qubit already has 2 amplitudes",
          "少翻了一倍：1 个量子比特就已经有 2 个振幅")),
]

#: Typical mistakes of 00.2, each computed by applying the mistaken method to 20 qubits.
_MISTAKES_2 = [
    (lambda: state_vector_bytes(20) / 10**6,
     Text("that is in megabytes (MB, 10**6 bytes); a MiB is 2**20 bytes",
          "这是以兆字节（MB，10**6 字节）为单位；1 MiB 是 2**20 字节")),
    (lambda: state_vector_bytes(20, bytes_per_amplitude=16) / 2**20,
     Text("that counts 16 bytes per amplitude (double precision); complex64 takes half as much",
          "这是按每个振幅 16 字节（双精度）算的；complex64 只占一半")),
    (lambda: 2**20 / 2**20,
     Text("that counts amplitudes, not bytes: multiply by the bytes per amplitude",
          "这数的是振幅个数，而不是字节：还要乘以每个振幅的字节数")),
    (lambda: state_vector_bytes(20),
     Text("that is the number of bytes: convert it to MiB", "这是字节数：请换算成 MiB")),
]

q1 = NumericExercise(
    "00.1",
    Text("A state vector of n qubits holds 2**n complex amplitudes. How many amplitudes does a "
         "10-qubit state have?",
         "n 个量子比特的态矢量含有 2**n 个复振幅。10 个量子比特的态有多少个振幅？"),
    expected=lambda: 2**10,
    shown=("1024",),
    mistakes=_MISTAKES_1,
    hints=[Text("Each extra qubit doubles the number of amplitudes.",
                "每多一个量子比特，振幅的个数就翻一倍。"),
           Text("Compute 2**10 in a cell.", "在一个代码单元格里计算 2**10。")],
    solution_text=Text("2**10 = 1024 amplitudes.", "2**10 = 1024 个振幅。"),
)

q2 = NumericExercise(
    "00.2",
    Text("Stored as complex64 (8 bytes each), how many MiB does one 20-qubit state vector take?",
         "以 complex64 存储（每个振幅 8 字节）时，一个 20 量子比特的态矢量占多少 MiB？"),
    expected=lambda: state_vector_bytes(20) / 2**20,
    rtol=1e-3,
    shown=("8 MiB",),
    mistakes=_MISTAKES_2,
    hints=[Text("Bytes = 2**20 amplitudes x 8 bytes.", "字节数 = 2**20 个振幅 x 8 字节。"),
           Text("1 MiB = 2**20 bytes.", "1 MiB = 2**20 字节。")],
    solution_text=Text(
        "2**20 x 8 bytes = 8 MiB; every extra qubit doubles it (30 qubits: 8 GiB).",
        "2**20 x 8 字节 = 8 MiB；每多一个量子比特，内存就翻一倍（30 个量子比特：8 GiB）。"),
)

q3 = ChoiceExercise(
    "00.3",
    Text("Gradient clipping rescales a gradient that is too large. What can it NOT do?",
         "梯度裁剪会把过大的梯度按比例缩小。它做不到的是哪一项？"),
    options={
        "a": Text("tame a rare, huge gradient spike", "抑制一次罕见的巨大梯度尖峰"),
        "b": Text("make a vanishing (tiny) gradient larger", "把正在消失的（极小的）梯度放大"),
        "c": Text("bound the size of one optimisation step", "限制单个优化步的大小"),
    },
    correct="b",
    explanations={
        "a": Text("It can: that is exactly what clipping is for.", "能做到：这正是裁剪的用途。"),
        "b": Text("Right: clipping only ever shrinks, ‖clip(g)‖ ≤ ‖g‖ (chapter 03a proves it).",
                  "对：裁剪只会缩小梯度，‖clip(g)‖ ≤ ‖g‖（第 03a 章给出了证明）。"),
        "c": Text("It can: with plain SGD the step is learning rate x clipped gradient.",
                  "能做到：使用普通 SGD 时，一步的大小就是学习率 x 裁剪后的梯度。"),
    },
    hints=[Text("Clipping multiplies a gradient by a factor that is at most 1.",
                "裁剪把梯度乘以一个不超过 1 的因子。")],
    solution_text=Text(
        "(b). Clipping multiplies by min(1, c/‖g‖) ≤ 1, so it never enlarges anything; "
        "vanishing gradients (and barren plateaus) need other remedies.",
        "(b)。裁剪乘以的因子是 min(1, c/‖g‖) ≤ 1，所以它从不放大任何东西；"
        "梯度消失（以及贫瘠高原）需要别的办法。"),
)
