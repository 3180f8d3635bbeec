"""The course's glossary, English and 中文: one list that chapter 00 shows and tests check.

Each term has one Chinese rendering, used the same way in every chapter (the notebooks'
Chinese headings, claim-check sentences and summaries follow it). Terms follow standard usage
in Chinese texts on deep learning and quantum computing.

>>> len(TERMS) >= 40
True
>>> lookup("barren plateau").chinese
'贫瘠高原'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["AVOID", "TERMS", "Term", "Glossary", "check_translation", "lookup", "show"]


@dataclass(frozen=True)
class Term:
    """One glossary entry: the English term, its Chinese rendering and a one-line definition."""

    english: str
    chinese: str
    meaning: str


TERMS: tuple[Term, ...] = tuple(Term(*row) for row in (
    # clipping and training
    ("gradient clipping", "梯度裁剪", "shrinking a gradient that exceeds a bound before the update"),
    ("exploding gradient", "梯度爆炸", "a gradient so large that a step overshoots and training diverges"),
    ("vanishing gradient", "梯度消失", "a gradient so small that training stalls"),
    ("gradient spike", "梯度尖峰", "a single step whose gradient norm is far above the typical one"),
    ("global norm", "全局范数", "the L2 norm of all of a model's gradients taken together"),
    ("clipping by value", "按值裁剪", "limiting every gradient entry to [-c, c]; changes the direction"),
    ("clipping by norm", "按范数裁剪", "rescaling a gradient tensor whose norm exceeds c; keeps its direction"),
    ("threshold", "阈值", "the largest norm (or value) clipping lets through, c"),
    ("adaptive clipping", "自适应裁剪", "a threshold set from the run itself (AutoClip percentile, AGC)"),
    ("learning rate", "学习率", "the factor that scales each update step"),
    ("optimizer", "优化器", "the rule that turns gradients into updates (SGD, Adam)"),
    ("cross-entropy", "交叉熵", "the loss −log p of the probability given to the right label"),
    ("mean squared error", "均方误差", "the loss (prediction − target)², with a bounded slope on [0, 1]"),
    ("standardisation", "标准化", "shifting and scaling features to mean 0 and standard deviation 1"),
    ("telemetry", "训练遥测", "per-step records of loss and gradient norms, read to diagnose training"),
    ("finite difference", "有限差分", "a derivative estimated from f(θ ± h); biased, and noisy for small h"),
    ("SPSA", "同时扰动随机逼近", "a gradient estimate from two evaluations along a random ±1 direction"),
    # quantum computing
    ("qubit", "量子比特", "the quantum unit of information; n of them have 2ⁿ amplitudes"),
    ("quantum gate", "量子门", "a unitary operation on one or more qubits"),
    ("quantum circuit", "量子线路", "a sequence of gates applied to qubits, ending in measurements"),
    ("parameterised quantum circuit", "参数化量子线路", "a circuit whose gate angles are parameters"),
    ("variational quantum circuit", "变分量子线路", "a parameterised circuit trained by optimising a cost"),
    ("state vector", "态矢量", "the 2ⁿ complex amplitudes that describe n qubits"),
    ("amplitude", "振幅", "a complex number whose squared magnitude is an outcome's probability"),
    ("superposition", "叠加", "a state that is a weighted sum of basis states"),
    ("entanglement", "纠缠", "correlations between qubits that no product state has"),
    ("Bell state", "贝尔态", "the two-qubit entangled state (|00⟩ + |11⟩)/√2"),
    ("unitary matrix", "酉矩阵", "a matrix U with U†U = I: how a closed quantum system evolves"),
    ("Pauli operator", "泡利算符", "one of X, Y, Z (or their products): eigenvalues ±1"),
    ("observable", "可观测量", "a Hermitian operator H whose value a measurement estimates"),
    ("expectation value", "期望值", "the average ⟨H⟩ of an observable over many measurements"),
    ("measurement", "测量", "reading qubits out: one bitstring per shot"),
    ("shot", "单次测量", "one run of a circuit ending in one measured bitstring"),
    ("shot noise", "散粒噪声", "the scatter of an estimate from N shots, variance (1 − μ²)/N"),
    ("parameter-shift rule", "参数平移规则", "an exact circuit gradient from two shifted evaluations"),
    ("barren plateau", "贫瘠高原", "a landscape whose gradients vanish exponentially with qubits"),
    ("global cost", "全局代价函数", "a cost that looks at all qubits at once, e.g. 1 − |⟨0…0|ψ⟩|²"),
    ("local cost", "局部代价函数", "a cost built from single-qubit (or few-qubit) terms"),
    ("identity-block initialisation", "恒等块初始化", "starting from blocks that undo themselves, so the circuit is the identity"),
    ("unitary 2-design", "酉 2-设计", "a random circuit ensemble that matches random unitaries in second moments"),
    ("depolarising noise", "去极化噪声", "an error that replaces a qubit's state by the maximally mixed one"),
    ("density matrix", "密度矩阵", "the 2ⁿ × 2ⁿ matrix describing a possibly noisy (mixed) state"),
    ("quantum trajectories", "量子轨迹", "noise simulated by sampling pure states (Monte Carlo wave functions)"),
    ("simulator", "模拟器", "a classical program that computes what a quantum circuit does"),
    ("hybrid model", "混合模型", "a model with classical and quantum layers trained together"),
    ("quantum kernel", "量子核", "a similarity of two inputs computed from the overlap of encoded states"),
))


#: Renderings a translation must not use, by English term: older or rarer forms of a glossary
#: term, and look-alikes that mean something else (单位矩阵 is the identity matrix).
AVOID: dict[str, tuple[str, ...]] = {
    "gradient clipping": ("梯度剪裁", "梯度截断", "梯度修剪"),
    "adaptive clipping": ("自适应剪裁",),
    "clipping by value": ("按值剪裁",),
    "clipping by norm": ("按范数剪裁",),
    "vanishing gradient": ("梯度弥散",),
    "learning rate": ("学习速率",),
    "mean squared error": ("均方差",),
    "qubit": ("量子位", "昆比特"),
    "quantum circuit": ("量子电路",),
    "parameterised quantum circuit": ("含参量子线路",),
    "state vector": ("状态向量", "态向量", "状态矢量"),
    "amplitude": ("幅值",),
    "entanglement": ("缠结",),
    "Bell state": ("贝尔状态",),
    "unitary matrix": ("幺正矩阵", "单位矩阵"),
    "Pauli operator": ("泡利算子", "保利算符"),
    "observable": ("可观察量",),
    "expectation value": ("期待值",),
    "measurement": ("量测",),
    "shot noise": ("测量噪声", "射击噪声", "发射噪声"),
    "parameter-shift rule": ("参数偏移规则", "参数移位规则", "参数位移规则"),
    "barren plateau": ("贫瘠平原", "荒芜高原", "贫瘠高地", "荒原"),
    "global cost": ("全局成本",),
    "local cost": ("局部成本",),
    "identity-block initialisation": ("单位块初始化",),
    "unitary 2-design": ("幺正 2-设计", "幺正2-设计"),
    "depolarising noise": ("退极化噪声", "消偏振噪声"),
    "quantum trajectories": ("量子轨道",),
    "simulator": ("仿真器",),
}

#: Terms a translation may leave in English (an acronym), and terms whose Chinese depends on
#: the sentence ("1000 shots" is 1000 次测量): these are not required where the English has them.
_KEEP_ENGLISH = frozenset({"spsa"})
_FREE = frozenset({"shot"})


def _plain(english: str) -> str:
    """English prose without code spans, maths and link targets, spelled -ise."""
    text = re.sub(r"`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\]\([^)]*\)", " ", english, flags=re.S)
    return text.replace("iz", "is")


def check_translation(english: str, chinese: str) -> list[str]:
    """Where a Chinese text departs from the glossary: one line per problem.

    Every glossary term in ``english`` (outside code spans and maths; plural and -ize spellings
    included) must appear in ``chinese`` in its glossary rendering, and no rendering listed in
    :data:`AVOID` may appear. Spaces are ignored when comparing Chinese.

    >>> check_translation("Gradient clipping helps.", "梯度裁剪有帮助。")
    []
    >>> check_translation("Gradient clipping helps.", "梯度剪裁有帮助。")  # doctest: +NORMALIZE_WHITESPACE
    ["'gradient clipping' is 梯度裁剪 in the glossary, not 梯度剪裁",
     "'gradient clipping' should be rendered 梯度裁剪"]
    """
    plain = _plain(english).lower()
    squeezed = re.sub(r"\s+", "", chinese)
    out = []
    for term in TERMS:
        key = term.english.lower()
        out += [f"{key!r} is {term.chinese} in the glossary, not {bad}"
                for bad in AVOID.get(term.english, ()) if bad.replace(" ", "") in squeezed]
        if key in _FREE:
            continue
        pattern = r"\b" + re.escape(key.replace("iz", "is")).replace(r"\-", "[- ]") + r"(s|es)?\b"
        if not re.search(pattern, plain):
            continue
        if term.chinese.replace(" ", "") in squeezed:
            continue
        if key in _KEEP_ENGLISH and key in chinese.lower():
            continue
        out.append(f"{key!r} should be rendered {term.chinese}")
    return out


def lookup(english: str) -> Term:
    """The entry whose English term is ``english`` (case-insensitive).

    Raises:
      KeyError: naming the term, when the glossary has no such entry.
    """
    if not isinstance(english, str):
        raise TypeError(f"english must be a string, got {type(english).__name__}")
    for term in TERMS:
        if term.english.lower() == english.strip().lower():
            return term
    raise KeyError(f"{english!r} is not in the glossary ({len(TERMS)} terms)")


class Glossary:
    """Shows the glossary as a table: Markdown in Jupyter, aligned text elsewhere."""

    def __init__(self, terms: tuple[Term, ...] = TERMS) -> None:
        self.terms = terms

    def _repr_markdown_(self) -> str:
        rows = ["| English | 中文 | meaning in this course |", "|---|---|---|"]
        rows += [f"| {t.english} | {t.chinese} | {t.meaning} |" for t in self.terms]
        return "\n".join(rows)

    def __str__(self) -> str:
        return "\n".join(f"{t.english} — {t.chinese}: {t.meaning}" for t in self.terms)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


def show() -> Glossary:
    """The whole glossary, for display in a notebook (chapter 00).

    >>> print(str(show()).splitlines()[0])
    gradient clipping — 梯度裁剪: shrinking a gradient that exceeds a bound before the update
    """
    return Glossary()
