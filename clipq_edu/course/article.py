"""The source article's code example, quoted as evidence, and what is wrong with it.

Section 4 (具体代码实例) of the source article prints one Python listing that is meant to
train a Keras model with gradient clipping and a Qiskit circuit with a "quantum optimiser".
The listing cannot run. Chapter 04 shows it *once*, as a quoted string that is never
executed, then lists each defect with its fix and builds a working version with Cirq,
TensorFlow Quantum and tf-keras.

Everything here is data plus two small static-analysis helpers (:func:`undefined_names`,
:func:`imported_names`) that find some of the defects mechanically with :mod:`ast`, and
:func:`article_chain` which rebuilds the listing's 4-qubit gate sequence in Cirq so its
counts can be sampled. Nothing here imports TensorFlow.

Taught in chapter 04.

>>> "QuantumAdam" in ARTICLE_LISTING
True
>>> sorted(undefined_names(ARTICLE_LISTING))
['X_train', 'execute', 'y_train']
"""

from __future__ import annotations

import ast
import builtins
import html
from dataclasses import dataclass

import cirq
import numpy as np

from clipq_edu._validate import check_bool, check_finite, check_int
from clipq_edu.i18n import Text, tr

__all__ = [
    "ARTICLE_LISTING",
    "DEFECTS",
    "Defect",
    "DefectTable",
    "Listing",
    "article_chain",
    "defect_table",
    "imported_names",
    "listing",
    "schmidt_coefficients",
    "undefined_names",
]

#: The code block of section 4 of the source article, character for character (quoted for
#: criticism; never executed). ``tests/test_article.py`` checks it against the article file.
ARTICLE_LISTING = (""  # not for learners (code, quoted as is: the "" carries this marker)
                   """\
import numpy as np
from qiskit import QuantumCircuit, Aer, transpile, assemble
from qiskit.aqua.components.optimizers import QuantumAdam
from keras.models import Sequential
from keras.layers import Dense

# 定义深度学习模型
model = Sequential()
model.add(Dense(10, input_dim=8, activation='relu'))
model.add(Dense(1, activation='sigmoid'))

# 定义量子计算模型
qc = QuantumCircuit(2, 2)
qc.h(0)
qc.cx(0, 1)
qc.measure([0, 1], [0, 1])

# 定义梯度裁剪算法
def gradient_clipping(grads, clip_norm):
    norm = np.linalg.norm(grads)
    if norm > clip_norm:
        grads = grads.astype('float32')
        grads *= clip_norm / norm
    return grads

# 定义量子优化器
optimizer = QuantumAdam(learning_rate=0.01, clipnorm=1.0)

# 训练深度学习模型
for epoch in range(1000):
    # 计算模型的梯度
    grads = model.fit(X_train, y_train, epochs=1, verbose=0)
    # 应用梯度裁剪算法
    grads = gradient_clipping(grads, 1.0)
    # 更新模型参数
    model.update_weights(grads)

    # 训练量子计算模型
    qc.initialize([0, 0, 0, 0], range(4))
    qc.barrier()
    qc.h(0)
    qc.cx(0, 1)
    qc.h(1)
    qc.cx(1, 2)
    qc.h(2)
    qc.cx(2, 3)
    qc.h(3)
    qc.measure([0, 1, 2, 3], [0, 1, 2, 3])
    qobj = assemble(qc)
    job = execute(qobj, Aer.get_backend('qasm_simulator'), shots=1000)
    result = job.result()
    counts = result.get_counts()

    # 更新模型参数
    optimizer.update(counts)
""")


@dataclass(frozen=True)
class Defect:
    """One thing wrong in the article's listing, and how the course fixes it.

    Attributes:
      key: a short identifier (``"quantum_adam"`` ...), used by exercises and tests.
      snippet: the offending code, an exact substring of :data:`ARTICLE_LISTING`.
      problem: what is wrong, in one or two sentences.
      fix: what chapter 04 does instead.
      evidence: how the chapter (or a test) shows the problem is real.

    ``problem``, ``fix`` and ``evidence`` are :class:`~clipq_edu.i18n.Text` (English and
    中文; as strings they equal the English text) unless they are code only.
    """

    key: str
    snippet: str
    problem: str
    fix: str
    evidence: str

    @property
    def line(self) -> int:
        """1-based line number of the snippet's first occurrence in the listing."""
        index = ARTICLE_LISTING.index(self.snippet)
        return ARTICLE_LISTING.count("\n", 0, index) + 1


#: The defects of the listing, in the order they appear in it.
DEFECTS: tuple[Defect, ...] = (
    Defect(
        "qiskit_removed_names",
        "from qiskit import QuantumCircuit, Aer, transpile, assemble",  # not for learners (code, quoted as is)
        Text("`qiskit.Aer` was removed in Qiskit 1.0 (it lives in the separate `qiskit_aer` "
             "package); `assemble` was deprecated in 1.2 and removed in 2.0; `transpile` is "
             "imported and never used.",
             "`qiskit.Aer` 在 Qiskit 1.0 中已被移除（它现在位于独立的 `qiskit_aer` 包中）；"
             "`assemble` 在 1.2 中被弃用、在 2.0 中被移除；`transpile` 被导入却从未使用。"),
        Text("Build circuits with Cirq (`cirq-core 1.5`, the version TFQ 0.7.6 pins) and "
             "simulate them with Cirq/TFQ; no Qiskit at all.",
             "用 Cirq（`cirq-core 1.5`，即 TFQ 0.7.6 锁定的版本）构建量子线路，"
             "并用 Cirq/TFQ 模拟；完全不用 Qiskit。"),
        Text("Qiskit 1.0 migration guide (IBM Quantum docs, 'Qiskit 1.0 feature changes'); "
             "Qiskit 1.2 assembler API page (deprecation notice).",
             "Qiskit 1.0 迁移指南（IBM Quantum 文档，“Qiskit 1.0 feature changes”）；"
             "Qiskit 1.2 assembler API 页面（弃用说明）。"),
    ),
    Defect(
        "quantum_adam",
        "from qiskit.aqua.components.optimizers import QuantumAdam",  # not for learners (code, quoted as is)
        Text("There is no `QuantumAdam` anywhere. Qiskit Aqua (deprecated in April 2021 with "
             "release 0.9, archived December 2021) had a classical `ADAM` optimiser taking `lr`, "
             "not `learning_rate`, and no `clipnorm`.",
             "任何地方都没有 `QuantumAdam`。Qiskit Aqua（2021 年 4 月随 0.9 版弃用，"
             "2021 年 12 月归档）只有一个经典的 `ADAM` 优化器，"
             "它接受的参数是 `lr` 而不是 `learning_rate`，也没有 `clipnorm`。"),
        Text("A small, explicit optimiser that estimates gradients from measured counts with the "
             "parameter-shift rule and clips them: `ShotBasedOptimizer` / "
             "`train_circuit_from_shots` in `clipq_edu.training`.",
             "一个小而明确的优化器：用参数平移规则从测量计数估计梯度，再对梯度做裁剪，"
             "即 `clipq_edu.training` 中的 `ShotBasedOptimizer` / `train_circuit_from_shots`。"),
        Text("qiskit-aqua README (deprecation notice); Aqua API reference for "
             "`qiskit.aqua.components.optimizers.ADAM`.",
             "qiskit-aqua 的 README（弃用说明）；"
             "Aqua 中 `qiskit.aqua.components.optimizers.ADAM` 的 API 参考。"),
    ),
    Defect(
        "keras3_import",
        "from keras.models import Sequential",  # not for learners (code, quoted as is)
        Text("With TensorFlow >= 2.16, `import keras` is Keras 3. TensorFlow Quantum layers only "
             "work with tf-keras (Keras 2), so a hybrid model built from these imports fails.",
             "在 TensorFlow >= 2.16 中，`import keras` 得到的是 Keras 3。"
             "TensorFlow Quantum 的层只能与 tf-keras（Keras 2）一起工作，"
             "所以用这些导入构建的混合模型会失败。"),
        Text("`import clipq_edu` sets `TF_USE_LEGACY_KERAS=1` before TensorFlow loads, and every "
             "model uses `tf.keras` (= tf-keras).",
             "`import clipq_edu` 会在 TensorFlow 加载之前设置 `TF_USE_LEGACY_KERAS=1`，"
             "而且每个模型都使用 `tf.keras`（即 tf-keras）。"),
        Text("The chapter prints which Keras `tf.keras` is; see ENVIRONMENT.md for the Keras 3 "
             "errors TFQ raises.",
             "本章会打印 `tf.keras` 是哪个 Keras；TFQ 在 Keras 3 下报出的错误见 ENVIRONMENT.md。"),
    ),
    Defect(
        "never_compiled",
        "model = Sequential()",
        Text("The model is never compiled (no optimiser, no loss), so `model.fit` raises "
             "`RuntimeError` before it computes anything.",
             "模型从未编译（没有优化器，也没有损失函数），"
             "所以 `model.fit` 在计算任何东西之前就会抛出 `RuntimeError`。"),
        Text("Compile with an optimiser and a loss, or write the training step with "
             "`tf.GradientTape` (what `clipq_edu.training.train` does).",
             "用优化器和损失函数编译模型，"
             "或者用 `tf.GradientTape` 自己写训练步（`clipq_edu.training.train` 就是这样做的）。"),
        Text("A cell calls `fit` on an uncompiled tf-keras model and catches the `RuntimeError`.",
             "有一个单元格在未编译的 tf-keras 模型上调用 `fit`，并捕获 `RuntimeError`。"),
    ),
    Defect(
        "one_array_clip",
        "norm = np.linalg.norm(grads)",
        Text("Real gradients are a list of tensors of different shapes (kernel 8x10, bias 10, "
             "...). `np.linalg.norm` of that list fails; the global norm is the square root of "
             "the sum of the squared norms of every tensor.",
             "真实的梯度是一组形状各不相同的张量（kernel 8x10、bias 10……）。"
             "对这个列表调用 `np.linalg.norm` 会失败；全局范数是所有张量范数的平方和的平方根。"),
        Text("`clipq_edu.clipping.clip_by_global_norm` (or Keras' `global_clipnorm`) clips the "
             "whole list at once.",
             "`clipq_edu.clipping.clip_by_global_norm`（或 Keras 的 `global_clipnorm`）"
             "一次裁剪整个列表。"),
        Text("Chapter 03 derives the global norm; the telemetry plots it every step.",
             "第 03 章推导了全局范数；训练监控每一步都会画出它。"),
    ),
    Defect(
        "fictional_optimizer_args",
        "optimizer = QuantumAdam(learning_rate=0.01, clipnorm=1.0)",
        Text("The optimiser that holds `clipnorm=1.0` is never used by the Keras model (which "
             "has no optimiser at all); clipping is configured twice and applied nowhere.",
             "带着 `clipnorm=1.0` 的那个优化器从未被 Keras 模型使用（模型根本没有优化器）；"
             "裁剪配置了两次，却一次也没有生效。"),
        Text("One optimiser per model: `tf.keras.optimizers.Adam(learning_rate, "
             "global_clipnorm=...)` or an explicit clip inside the training step.",
             "每个模型只用一个优化器："
             "`tf.keras.optimizers.Adam(learning_rate, global_clipnorm=...)`，"
             "或者在训练步中显式裁剪。"),
        Text("The working model reports its optimiser and clip settings.",
             "能运行的模型会报告它的优化器和裁剪设置。"),
    ),
    Defect(
        "circuit_grows",
        "for epoch in range(1000):",  # not for learners (code, quoted as is)
        Text("`qc` is never rebuilt, so every one of the 1000 epochs appends another copy of the "
             "gates and measurements to the same circuit.",
             "`qc` 从未重建，所以 1000 轮中的每一轮都会把门和测量再追加一份到同一条线路上。"),
        Text("Build circuits once (symbolically) and feed new parameter values, the TFQ way.",
             "按 TFQ 的做法：（用符号参数）只构建一次线路，之后输入新的参数值。"),
        Text("Chapter 02 and `clipq_edu.quantum.circuits` build symbolic circuits once.",
             "第 02 章和 `clipq_edu.quantum.circuits` 都只构建一次带符号参数的线路。"),
    ),
    Defect(
        "undefined_data",
        "model.fit(X_train, y_train, epochs=1, verbose=0)",
        Text("`X_train` and `y_train` are never defined: the listing has no data.",
             "`X_train` 和 `y_train` 从未定义：这段代码没有数据。"),
        Text("An offline, seeded 8-feature binary task: `clipq_edu.data.article_task()`.",
             "一个离线、固定随机种子的 8 特征二分类任务：`clipq_edu.data.article_task()`。"),
        Text("`undefined_names(ARTICLE_LISTING)` finds them with `ast`.",
             "`undefined_names(ARTICLE_LISTING)` 用 `ast` 找出了它们。"),
    ),
    Defect(
        "history_as_gradients",
        "grads = model.fit(",
        Text("`fit` returns a `History` object (a log of losses), not gradients. It has already "
             "updated the weights with its own optimiser, so 'clipping' afterwards clips "
             "nothing; `np.linalg.norm(History)` raises `TypeError`.",
             "`fit` 返回的是一个 `History` 对象（损失的记录），而不是梯度。"
             "它已经用自己的优化器更新过权重，所以之后的“裁剪”什么也没有裁剪；"
             "`np.linalg.norm(History)` 会抛出 `TypeError`。"),
        Text("Compute gradients with `tf.GradientTape`, clip them, then apply them once.",
             "用 `tf.GradientTape` 计算梯度，裁剪，然后只应用一次。"),
        Text("A cell shows `type(model.fit(...))` is `History`.",
             "有一个单元格显示 `type(model.fit(...))` 是 `History`。"),
    ),
    Defect(
        "update_weights",
        "model.update_weights(grads)",
        Text("Keras models have no `update_weights` method (`AttributeError`).",
             "Keras 模型没有 `update_weights` 方法（`AttributeError`）。"),
        "`optimizer.apply_gradients(zip(grads, model.trainable_variables))`.",
        Text("A cell checks `hasattr(model, 'update_weights')` on a tf-keras model.",
             "有一个单元格在 tf-keras 模型上检查 `hasattr(model, 'update_weights')`。"),
    ),
    Defect(
        "zero_initialize",
        "qc.initialize([0, 0, 0, 0], range(4))",
        Text("The all-zero vector has norm 0, so it is not a quantum state and cannot be "
             "normalised; 4 amplitudes describe 2 qubits, yet `range(4)` names 4 qubits (which "
             "would need 2**4 = 16 amplitudes); and it is applied after a measurement.",
             "全零向量的范数为 0，所以它不是量子态，也无法归一化；"
             "4 个振幅描述的是 2 个量子比特，"
             "而 `range(4)` 却指定了 4 个量子比特（那需要 2**4 = 16 个振幅）；"
             "而且它是在测量之后才施加的。"),
        Text("Circuits start in |0...0> already; build a fresh circuit instead of "
             "re-initialising.",
             "量子线路本来就从 |0...0> 开始；应当新建一条线路，而不是重新初始化。"),
        Text("A cell computes the norm of the vector and the amplitude count 4 qubits need.",
             "有一个单元格计算这个向量的范数，以及 4 个量子比特所需的振幅个数。"),
    ),
    Defect(
        "two_qubit_reused",
        "qc.cx(1, 2)",
        Text("`qc` was created with 2 qubits and 2 classical bits, but the loop applies gates to "
             "qubits 2 and 3 and measures into bits 2 and 3, which do not exist.",
             "`qc` 创建时只有 2 个量子比特和 2 个经典比特，但循环却对量子比特 2 和 3 施加门，"
             "并把测量结果写入经典比特 2 和 3，而它们并不存在。"),
        Text("Build the 4-qubit circuit on its own 4 qubits (`circuits.entangling_chain(4)` or "
             "`article.article_chain()`).",
             "在它自己的 4 个量子比特上构建这条 4 量子比特线路（`circuits.entangling_chain(4)` 或 `article.article_chain()`）"
             "。"),
        Text("The Cirq version has exactly 4 qubits; the counts cover 4-bit strings.",
             "Cirq 版本恰好有 4 个量子比特；计数覆盖全部 4 位比特串。"),
    ),
    Defect(
        "execute_not_imported",
        "job = execute(qobj, Aer.get_backend('qasm_simulator'), shots=1000)",
        Text("`execute` is never imported (and was removed in Qiskit 1.0); it also took "
             "circuits, not an assembled Qobj.",
             "`execute` 从未被导入（而且已在 Qiskit 1.0 中移除）；它接受的也是线路，"
             "而不是组装好的 Qobj。"),
        Text("Sample the circuit with the course's seeded sampler "
             "(`sampling.sample_counts(circuit, shots=1000, seed=...)`).",
             "用本课程固定随机种子的采样器对线路采样（`sampling.sample_counts(circuit, shots=1000, seed=...)`）"
             "。"),
        Text("`undefined_names(ARTICLE_LISTING)` finds `execute`.",
             "`undefined_names(ARTICLE_LISTING)` 找出了 `execute`。"),
    ),
    Defect(
        "counts_unused",
        "optimizer.update(counts)",
        Text("The circuit has no parameters, so its counts carry no information about anything "
             "trainable: there is nothing to update. The classical model and the circuit are "
             "also never connected, so there is no hybrid model.",
             "这条线路没有参数，所以它的计数不包含任何关于可训练量的信息：没有东西可以更新。"
             "经典模型和线路也从未连接起来，所以根本不存在混合模型。"),
        Text("A parameterised circuit inside a Keras model (hybrid classical -> quantum), and a "
             "shot-based optimiser whose gradient comes from counts at shifted parameters.",
             "在 Keras 模型中放一条参数化量子线路（经典 → 量子的混合），"
             "再加一个基于测量计数的优化器，其梯度来自参数平移后的计数。"),
        Text("The chapter trains both and shows the loss fall.",
             "本章训练这两者，并展示损失下降。"),
    ),
)


class Listing:
    """The article's code, displayed as a quoted Python block (never executed)."""

    def __init__(self, text: str, caption: str) -> None:
        self.text = text
        self.caption = caption

    def __repr__(self) -> str:
        return f"{self.caption}\n\n{self.text}"

    def _repr_markdown_(self) -> str:
        return f"*{self.caption}*\n\n```python\n{self.text}```"


def listing(numbered: bool = True) -> Listing:
    """Return the article's code as a displayable quotation.

    Args:
      numbered: prefix each line with its number (the defect table refers to them).

    Returns:
      A :class:`Listing` that shows as a highlighted code block in Jupyter.

    Taught in chapter 04.

    >>> listing().text.splitlines()[0]
    ' 1  import numpy as np'
    """
    check_bool("numbered", numbered)
    text = ARTICLE_LISTING
    if numbered:
        lines = ARTICLE_LISTING.splitlines()
        text = "".join(f"{i:2d}  {line}\n" for i, line in enumerate(lines, start=1))
    caption = tr("Quoted from the source article, section 4 (not executed: it cannot run).",
                 "引自原文第 4 节（不执行：它无法运行）。")
    return Listing(text, caption)


class DefectTable:
    """The defect/fix table; shows as a Markdown table in Jupyter and as text elsewhere."""

    def __init__(self, defects: tuple[Defect, ...]) -> None:
        self.defects = defects

    def __len__(self) -> int:
        return len(self.defects)

    def __repr__(self) -> str:
        line, problem, fix = tr("line ", "第 "), tr("problem: ", "问题："), tr("fix: ", "修正：")
        after_line = tr(": ", " 行：")
        return "\n".join(
            f"{i}. {line}{d.line}{after_line}{d.snippet}\n   {problem}{d.problem}\n   {fix}{d.fix}"
            for i, d in enumerate(self.defects, start=1)
        )

    def _repr_markdown_(self) -> str:
        def cell(text: str) -> str:
            text = str(text)  # a Text, in the current language
            return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")

        rows = [
            tr("| # | line | code | what is wrong | the fix |", "| # | 行 | 代码 | 问题 | 修正 |"),
            "|---|---|---|---|---|",
        ]
        for i, d in enumerate(self.defects, start=1):
            rows.append(
                f"| {i} | {d.line} | `{cell(d.snippet)}` | {cell(d.problem)} | {cell(d.fix)} |"
            )
        return "\n".join(rows)


def defect_table() -> DefectTable:
    """Return every defect of the article's listing with its fix, as a displayable table.

    Returns:
      A :class:`DefectTable` (its ``defects`` attribute is :data:`DEFECTS`).

    Taught in chapter 04.

    >>> table = defect_table()
    >>> len(table), table.defects[1].key, table.defects[1].line
    (14, 'quantum_adam', 3)
    """
    return DefectTable(DEFECTS)


def _parse(source: str) -> ast.Module:
    if not isinstance(source, str):
        raise TypeError(f"source must be a str of Python code, got {type(source).__name__}")
    try:
        return ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"source is not valid Python: {exc}") from None


def imported_names(source: str) -> dict[str, str]:
    """Map every name an ``import`` statement binds to the module it comes from.

    Args:
      source: Python source code (it is parsed, never run).

    Returns:
      ``{bound_name: "module.attribute"}``, e.g. ``{"QuantumAdam":
      "qiskit.aqua.components.optimizers.QuantumAdam"}``.

    Taught in chapter 04.

    >>> imported_names("import numpy as np\\nfrom math import pi")
    {'np': 'numpy', 'pi': 'math.pi'}
    """
    found: dict[str, str] = {}
    for node in ast.walk(_parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def undefined_names(source: str) -> set[str]:
    """Names the code reads but never defines, imports, or gets from Python's builtins.

    A deliberately simple scope model (module level plus function arguments and locals),
    enough to show that the article's listing uses ``execute``, ``X_train`` and ``y_train``
    without defining them. Python itself only notices at run time, with a ``NameError``.

    Args:
      source: Python source code (it is parsed, never run).

    Returns:
      The set of undefined names.

    Taught in chapter 04.

    >>> undefined_names("x = y + 1")
    {'y'}
    """
    tree = _parse(source)
    defined = set(dir(builtins)) | set(imported_names(source))
    loaded: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else defined).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
    return loaded - defined


def article_chain(measure: bool = False) -> cirq.Circuit:
    """Rebuild the listing's 4-qubit gate sequence in Cirq, on 4 qubits.

    The article applies H(0) CX(0,1) H(1) CX(1,2) H(2) CX(2,3) H(3) (dropping its invalid
    ``initialize`` and the 2-qubit register). The result is an entangled state whose 16
    computational-basis outcomes all have probability 1/16: its counts look exactly like four
    fair coins, so counts alone cannot reveal entanglement (:func:`schmidt_coefficients` can).

    Args:
      measure: append a measurement of all four qubits (key ``"m"``).

    Returns:
      A ``cirq.Circuit`` on ``cirq.LineQubit.range(4)``.

    Taught in chapter 04.

    >>> circuit = article_chain(measure=True)
    >>> len(circuit.all_qubits()), len(list(circuit.all_operations()))
    (4, 8)
    """
    check_bool("measure", measure)
    q = cirq.LineQubit.range(4)
    circuit = cirq.Circuit()
    circuit.append(cirq.H(q[0]))
    for a, b in zip(q, q[1:], strict=False):
        circuit.append([cirq.CNOT(a, b), cirq.H(b)])
    if measure:
        circuit.append(cirq.measure(*q, key="m"))
    return circuit


def schmidt_coefficients(state: np.ndarray, n_left: int) -> np.ndarray:
    """Schmidt coefficients of a pure state across the cut (first ``n_left`` qubits | rest).

    More than one non-zero coefficient means the two parts are entangled; a product state has
    exactly one (equal to 1). Computed as the singular values of the amplitude matrix.

    Args:
      state: a normalised state vector of length 2**n (big-endian, Cirq's order).
      n_left: number of qubits on the left of the cut, 1 <= n_left < n.

    Returns:
      The singular values, largest first (their squares sum to 1).

    References:
      Nielsen, Chuang, "Quantum Computation and Quantum Information" (2010), section 2.5.

    Taught in chapter 04.

    >>> bell = np.array([1.0, 0.0, 0.0, 1.0]) / np.sqrt(2)
    >>> schmidt_coefficients(bell, 1).round(6), schmidt_coefficients([1.0, 0, 0, 0], 1)
    (array([0.707107, 0.707107]), array([1., 0.]))
    """
    try:
        arr = np.asarray(state)
    except ValueError:  # a ragged list
        raise TypeError(f"state must be a 1-D state vector, got {state!r:.80}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"state must hold numbers, got dtype {arr.dtype} ({state!r:.80})")
    if arr.ndim != 1 or arr.size < 4 or arr.size & (arr.size - 1):
        raise ValueError(f"state must be a 1-D vector of length 2**n with n >= 2, got shape "
                         f"{arr.shape}")
    arr = check_finite("state", arr.astype(np.complex128))
    n = int(arr.size).bit_length() - 1
    k = check_int("n_left", n_left, minimum=1, maximum=n - 1)
    norm = float(np.linalg.norm(arr))
    if not np.isclose(norm, 1.0, atol=1e-5):
        raise ValueError(f"state must be normalised (norm 1), got norm {norm:.6g}")
    return np.linalg.svd(arr.reshape(2**k, 2 ** (n - k)), compute_uv=False)
