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
ARTICLE_LISTING = """\
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
"""


@dataclass(frozen=True)
class Defect:
    """One thing wrong in the article's listing, and how the course fixes it.

    Attributes:
      key: a short identifier (``"quantum_adam"`` ...), used by exercises and tests.
      snippet: the offending code, an exact substring of :data:`ARTICLE_LISTING`.
      problem: what is wrong, in one or two sentences.
      fix: what chapter 04 does instead.
      evidence: how the chapter (or a test) shows the problem is real.
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
        "from qiskit import QuantumCircuit, Aer, transpile, assemble",
        "`qiskit.Aer` was removed in Qiskit 1.0 (it lives in the separate `qiskit_aer` "
        "package); `assemble` was deprecated in 1.2 and removed in 2.0; `transpile` is "
        "imported and never used.",
        "Build circuits with Cirq (`cirq-core 1.5`, the version TFQ 0.7.6 pins) and simulate "
        "them with Cirq/TFQ; no Qiskit at all.",
        "Qiskit 1.0 migration guide (IBM Quantum docs, 'Qiskit 1.0 feature changes'); "
        "Qiskit 1.2 assembler API page (deprecation notice).",
    ),
    Defect(
        "quantum_adam",
        "from qiskit.aqua.components.optimizers import QuantumAdam",
        "There is no `QuantumAdam` anywhere. Qiskit Aqua (deprecated in April 2021 with "
        "release 0.9, archived December 2021) had a classical `ADAM` optimiser taking `lr`, "
        "not `learning_rate`, and no `clipnorm`.",
        "A small, explicit optimiser that estimates gradients from measured counts with the "
        "parameter-shift rule and clips them: `ShotBasedOptimizer` / "
        "`train_circuit_from_shots` in `clipq_edu.training`.",
        "qiskit-aqua README (deprecation notice); Aqua API reference for "
        "`qiskit.aqua.components.optimizers.ADAM`.",
    ),
    Defect(
        "keras3_import",
        "from keras.models import Sequential",
        "With TensorFlow >= 2.16, `import keras` is Keras 3. TensorFlow Quantum layers only "
        "work with tf-keras (Keras 2), so a hybrid model built from these imports fails.",
        "`import clipq_edu` sets `TF_USE_LEGACY_KERAS=1` before TensorFlow loads, and every "
        "model uses `tf.keras` (= tf-keras).",
        "The chapter prints which Keras `tf.keras` is; see ENVIRONMENT.md for the Keras 3 "
        "errors TFQ raises.",
    ),
    Defect(
        "never_compiled",
        "model = Sequential()",
        "The model is never compiled (no optimiser, no loss), so `model.fit` raises "
        "`RuntimeError` before it computes anything.",
        "Compile with an optimiser and a loss, or write the training step with "
        "`tf.GradientTape` (what `clipq_edu.training.train` does).",
        "A cell calls `fit` on an uncompiled tf-keras model and catches the `RuntimeError`.",
    ),
    Defect(
        "one_array_clip",
        "norm = np.linalg.norm(grads)",
        "Real gradients are a list of tensors of different shapes (kernel 8x10, bias 10, "
        "...). `np.linalg.norm` of that list fails; the global norm is the square root of "
        "the sum of the squared norms of every tensor.",
        "`clipq_edu.clipping.clip_by_global_norm` (or Keras' `global_clipnorm`) clips the "
        "whole list at once.",
        "Chapter 03 derives the global norm; the telemetry plots it every step.",
    ),
    Defect(
        "fictional_optimizer_args",
        "optimizer = QuantumAdam(learning_rate=0.01, clipnorm=1.0)",
        "The optimiser that holds `clipnorm=1.0` is never used by the Keras model (which has "
        "no optimiser at all); clipping is configured twice and applied nowhere.",
        "One optimiser per model: `tf.keras.optimizers.Adam(learning_rate, global_clipnorm=...)` "
        "or an explicit clip inside the training step.",
        "The working model reports its optimiser and clip settings.",
    ),
    Defect(
        "circuit_grows",
        "for epoch in range(1000):",
        "`qc` is never rebuilt, so every one of the 1000 epochs appends another copy of the "
        "gates and measurements to the same circuit.",
        "Build circuits once (symbolically) and feed new parameter values, the TFQ way.",
        "Chapter 02 and `clipq_edu.circuits` build symbolic circuits once.",
    ),
    Defect(
        "undefined_data",
        "model.fit(X_train, y_train, epochs=1, verbose=0)",
        "`X_train` and `y_train` are never defined: the listing has no data.",
        "An offline, seeded 8-feature binary task: `clipq_edu.data.article_task()`.",
        "`undefined_names(ARTICLE_LISTING)` finds them with `ast`.",
    ),
    Defect(
        "history_as_gradients",
        "grads = model.fit(",
        "`fit` returns a `History` object (a log of losses), not gradients. It has already "
        "updated the weights with its own optimiser, so 'clipping' afterwards clips nothing; "
        "`np.linalg.norm(History)` raises `TypeError`.",
        "Compute gradients with `tf.GradientTape`, clip them, then apply them once.",
        "A cell shows `type(model.fit(...))` is `History`.",
    ),
    Defect(
        "update_weights",
        "model.update_weights(grads)",
        "Keras models have no `update_weights` method (`AttributeError`).",
        "`optimizer.apply_gradients(zip(grads, model.trainable_variables))`.",
        "A cell checks `hasattr(model, 'update_weights')` on a tf-keras model.",
    ),
    Defect(
        "zero_initialize",
        "qc.initialize([0, 0, 0, 0], range(4))",
        "The all-zero vector has norm 0, so it is not a quantum state and cannot be "
        "normalised; 4 amplitudes describe 2 qubits, yet `range(4)` names 4 qubits "
        "(which would need 2**4 = 16 amplitudes); and it is applied after a measurement.",
        "Circuits start in |0...0> already; build a fresh circuit instead of re-initialising.",
        "A cell computes the norm of the vector and the amplitude count 4 qubits need.",
    ),
    Defect(
        "two_qubit_reused",
        "qc.cx(1, 2)",
        "`qc` was created with 2 qubits and 2 classical bits, but the loop applies gates to "
        "qubits 2 and 3 and measures into bits 2 and 3, which do not exist.",
        "Build the 4-qubit circuit on its own 4 qubits (`circuits.entangling_chain(4)` or "
        "`article.article_chain()`).",
        "The Cirq version has exactly 4 qubits; the counts cover 4-bit strings.",
    ),
    Defect(
        "execute_not_imported",
        "job = execute(qobj, Aer.get_backend('qasm_simulator'), shots=1000)",
        "`execute` is never imported (and was removed in Qiskit 1.0); it also took circuits, "
        "not an assembled Qobj.",
        "Sample the circuit with the course's seeded sampler "
        "(`measurement.sample_counts(circuit, shots=1000, seed=...)`).",
        "`undefined_names(ARTICLE_LISTING)` finds `execute`.",
    ),
    Defect(
        "counts_unused",
        "optimizer.update(counts)",
        "The circuit has no parameters, so its counts carry no information about anything "
        "trainable: there is nothing to update. The classical model and the circuit are "
        "also never connected, so there is no hybrid model.",
        "A parameterised circuit inside a Keras model (hybrid classical -> quantum), and a "
        "shot-based optimiser whose gradient comes from counts at shifted parameters.",
        "The chapter trains both and shows the loss fall.",
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
    caption = "Quoted from the source article, section 4 (not executed: it cannot run)."
    return Listing(text, caption)


class DefectTable:
    """The defect/fix table; shows as a Markdown table in Jupyter and as text elsewhere."""

    def __init__(self, defects: tuple[Defect, ...]) -> None:
        self.defects = defects

    def __len__(self) -> int:
        return len(self.defects)

    def __repr__(self) -> str:
        return "\n".join(
            f"{i}. line {d.line}: {d.snippet}\n   problem: {d.problem}\n   fix: {d.fix}"
            for i, d in enumerate(self.defects, start=1)
        )

    def _repr_markdown_(self) -> str:
        def cell(text: str) -> str:
            return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")

        rows = [
            "| # | line | code | what is wrong | the fix |",
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
