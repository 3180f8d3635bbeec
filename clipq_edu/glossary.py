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

from clipq_edu.i18n import Text, get_language, tr

__all__ = ["AVOID", "RETIRED", "TERMS", "Term", "Glossary", "check_translation", "lookup", "show"]


@dataclass(frozen=True)
class Term:
    """One glossary entry: the English term, its Chinese rendering and a one-line definition.

    ``meaning`` is the definition in English, ``meaning_zh`` the same in Chinese (``""`` when
    an entry has none: then the English one is shown in both languages).
    """

    english: str
    chinese: str
    meaning: str
    meaning_zh: str = ""

    def meaning_in(self, lang: str | None = None) -> str:
        """The definition in ``lang`` (``"en"`` or ``"zh"``; default: the current language)."""
        if (lang or get_language()) == "zh" and self.meaning_zh:
            return self.meaning_zh
        return self.meaning


TERMS: tuple[Term, ...] = tuple(Term(term.en, term.zh, meaning.en, meaning.zh) for term, meaning in (
    # clipping and training
    (Text("gradient clipping", "梯度裁剪"),
     Text("shrinking a gradient that exceeds a bound before the update",
          "在更新之前缩小超过阈值的梯度")),
    (Text("exploding gradient", "梯度爆炸"),
     Text("a gradient so large that a step overshoots and training diverges",
          "梯度大到一步就冲过头，训练随之发散")),
    (Text("vanishing gradient", "梯度消失"),
     Text("a gradient so small that training stalls",
          "梯度小到训练停滞不前")),
    (Text("gradient spike", "梯度尖峰"),
     Text("a single step whose gradient norm is far above the typical one",
          "某一步的梯度范数远高于通常水平")),
    (Text("global norm", "全局范数"),
     Text("the L2 norm of all of a model's gradients taken together",
          "把模型的全部梯度合在一起计算的 L2 范数")),
    (Text("clipping by value", "按值裁剪"),
     Text("limiting every gradient entry to [-c, c]; changes the direction",
          "把梯度的每个分量限制在 [-c, c] 内；会改变梯度方向")),
    (Text("clipping by norm", "按范数裁剪"),
     Text("rescaling a gradient tensor whose norm exceeds c; keeps its direction",
          "把范数超过 c 的梯度张量按比例缩小；保持其方向")),
    (Text("threshold", "阈值"),
     Text("the largest norm (or value) clipping lets through, c",
          "裁剪允许通过的最大范数（或最大值），即 c")),
    (Text("adaptive clipping", "自适应裁剪"),
     Text("a threshold set from the run itself (AutoClip percentile, AGC)",
          "根据训练过程本身设定的阈值（AutoClip 的百分位数、AGC）")),
    (Text("learning rate", "学习率"),
     Text("the factor that scales each update step",
          "缩放每一步更新的系数")),
    (Text("optimizer", "优化器"),
     Text("the rule that turns gradients into updates (SGD, Adam)",
          "把梯度变成参数更新的规则（SGD、Adam）")),
    (Text("cross-entropy", "交叉熵"),
     Text("the loss −log p of the probability given to the right label",
          "损失 −log p，其中 p 是模型给正确标签的概率")),
    (Text("mean squared error", "均方误差"),
     Text("the loss (prediction − target)², with a bounded slope on [0, 1]",
          "损失 (预测值 − 目标值)²，在 [0, 1] 上斜率有界")),
    (Text("standardisation", "标准化"),
     Text("shifting and scaling features to mean 0 and standard deviation 1",
          "平移并缩放特征，使其均值为 0、标准差为 1")),
    (Text("telemetry", "训练监控"),
     Text("per-step records of loss and gradient norms, read to diagnose training",
          "逐步记录的损失和梯度范数，用来诊断训练")),
    (Text("finite difference", "有限差分"),
     Text("a derivative estimated from f(θ ± h); biased, and noisy for small h",
          "由 f(θ ± h) 估计的导数；有偏，且 h 小时噪声大")),
    (Text("SPSA", "同时扰动随机逼近"),
     Text("a gradient estimate from two evaluations along a random ±1 direction",
          "沿一个随机 ±1 方向做两次求值得到的梯度估计")),
    # quantum computing
    (Text("qubit", "量子比特"),
     Text("the quantum unit of information; n of them have 2ⁿ amplitudes",
          "量子信息的基本单位；n 个量子比特有 2ⁿ 个振幅")),
    (Text("quantum gate", "量子门"),
     Text("a unitary operation on one or more qubits",
          "作用在一个或多个量子比特上的酉操作")),
    (Text("quantum circuit", "量子线路"),
     Text("a sequence of gates applied to qubits, ending in measurements",
          "作用在量子比特上的一串量子门，以测量结束")),
    (Text("parameterised quantum circuit", "参数化量子线路"),
     Text("a circuit whose gate angles are parameters",
          "量子门的角度是参数的量子线路")),
    (Text("variational quantum circuit", "变分量子线路"),
     Text("a parameterised circuit trained by optimising a cost",
          "通过优化代价函数来训练的参数化量子线路")),
    (Text("state vector", "态矢量"),
     Text("the 2ⁿ complex amplitudes that describe n qubits",
          "描述 n 个量子比特的 2ⁿ 个复振幅")),
    (Text("amplitude", "振幅"),
     Text("a complex number whose squared magnitude is an outcome's probability",
          "一个复数，其模的平方是某个测量结果出现的概率")),
    (Text("superposition", "叠加"),
     Text("a state that is a weighted sum of basis states",
          "由若干基态加权求和得到的态")),
    (Text("entanglement", "纠缠"),
     Text("correlations between qubits that no product state has",
          "量子比特之间任何直积态都不具有的关联")),
    (Text("Bell state", "贝尔态"),
     Text("the two-qubit entangled state (|00⟩ + |11⟩)/√2",
          "双量子比特纠缠态 (|00⟩ + |11⟩)/√2")),
    (Text("unitary matrix", "酉矩阵"),
     Text("a matrix U with U†U = I: how a closed quantum system evolves",
          "满足 U†U = I 的矩阵 U：封闭量子系统的演化方式")),
    (Text("Pauli operator", "泡利算符"),
     Text("one of X, Y, Z (or their products): eigenvalues ±1",
          "X、Y、Z 之一（或它们的乘积）：本征值为 ±1")),
    (Text("observable", "可观测量"),
     Text("a Hermitian operator H whose value a measurement estimates",
          "一个厄米算符 H，测量所估计的就是它的值")),
    (Text("expectation value", "期望值"),
     Text("the average ⟨H⟩ of an observable over many measurements",
          "可观测量在多次测量上的平均值 ⟨H⟩")),
    (Text("measurement", "测量"),
     Text("reading qubits out: one bitstring per shot",
          "读出量子比特：每次测量得到一个比特串")),
    (Text("shot", "一次测量"),
     Text("one run of a circuit ending in one measured bitstring",
          "运行一次量子线路，得到一个测得的比特串；shots 的个数称为测量次数")),
    (Text("shot noise", "散粒噪声"),
     Text("the scatter of an estimate from N shots; for an observable with eigenvalues ±1 and "
          "mean μ, the variance is (1 − μ²)/N",
          "由 N 次测量得到的估计值的随机起伏；对本征值为 ±1、均值为 μ 的可观测量，方差为 "
          "(1 − μ²)/N")),
    (Text("parameter-shift rule", "参数平移规则"),
     Text("an exact circuit gradient from two shifted evaluations",
          "由两次平移参数后的求值得到精确的线路梯度")),
    (Text("barren plateau", "贫瘠高原"),
     Text("a landscape whose gradients vanish exponentially with qubits",
          "梯度随量子比特数指数消失的损失地形")),
    (Text("global cost", "全局代价函数"),
     Text("a cost that looks at all qubits at once, e.g. 1 − |⟨0…0|ψ⟩|²",
          "同时考察所有量子比特的代价函数，例如 1 − |⟨0…0|ψ⟩|²")),
    (Text("local cost", "局部代价函数"),
     Text("a cost built from single-qubit (or few-qubit) terms",
          "由单量子比特（或少数几个量子比特）项构成的代价函数")),
    (Text("identity-block initialisation", "恒等块初始化"),
     Text("starting from blocks that undo themselves, so the circuit is the identity",
          "从能自我抵消的块开始，使整条线路初始时就是恒等变换")),
    (Text("unitary 2-design", "酉 2-设计"),
     Text("a random circuit ensemble that matches random unitaries in second moments",
          "在二阶矩上与随机酉矩阵一致的随机线路系综")),
    (Text("depolarising noise", "去极化噪声"),
     Text("an error that, with probability p, replaces a qubit's state by the maximally mixed "
          "one",
          "以概率 p 把量子比特的态替换为最大混合态的误差")),
    (Text("density matrix", "密度矩阵"),
     Text("the 2ⁿ × 2ⁿ matrix describing a possibly noisy (mixed) state",
          "描述可能含噪声的（混合）态的 2ⁿ × 2ⁿ 矩阵")),
    (Text("quantum trajectories", "量子轨迹"),
     Text("noise simulated by sampling pure states (Monte Carlo wave functions)",
          "通过对纯态采样来模拟噪声（蒙特卡罗波函数方法）")),
    (Text("simulator", "模拟器"),
     Text("a classical program that computes what a quantum circuit does",
          "在经典计算机上算出量子线路作用结果的程序")),
    (Text("hybrid model", "混合模型"),
     Text("a model with classical and quantum layers trained together",
          "经典层和量子层一起训练的模型")),
    (Text("quantum kernel", "量子核"),
     Text("a similarity of two inputs computed from the overlap of encoded states",
          "由两个输入编码后的量子态的重叠计算出的相似度")),
))


#: Renderings a translation must not use, by English term: older or rarer forms of a glossary
#: term, and look-alikes that mean something else (单位矩阵 is the identity matrix).
AVOID: dict[str, tuple[str, ...]] = {
    "gradient clipping": ("梯度剪裁", "梯度截断", "梯度修剪"),
    "adaptive clipping": ("自适应剪裁",),
    "clipping by value": ("按值剪裁",),  # not for learners (a key)
    "clipping by norm": ("按范数剪裁",),  # not for learners (a key)
    "vanishing gradient": ("梯度弥散",),
    "learning rate": ("学习速率",),
    "mean squared error": ("均方差",),  # not for learners (a key)
    "qubit": ("量子位", "昆比特"),
    "quantum circuit": ("量子电路",),
    "parameterised quantum circuit": ("含参量子线路",),  # not for learners (a key)
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

#: Renderings the course used once and retired, anywhere in a Chinese text: the retired form,
#: the English it stood for, and what to write instead. ``单次测量`` forced "一个单次测量" and
#: turned "estimated from shots" into "from a single measurement".
RETIRED: dict[str, tuple[str, str]] = {
    "单次测量": ("shot", "一次测量（shot），之后写一次测量；shots 的个数写测量次数"),
    "特征值": ("eigenvalue", "本征值"),
    "批次": ("batch", "批量"),
    "对数刻度": ("log scale", "对数坐标"),
    "遥测": ("telemetry", "训练监控"),
    "Schmidt秩": ("Schmidt rank", "施密特秩"),
    "Schmidt系数": ("Schmidt coefficient", "施密特系数"),
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
    :data:`AVOID` or :data:`RETIRED` may appear. Spaces are ignored when comparing Chinese.

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
        out += [f"{key!r} is {term.chinese} in the glossary, not {bad}"  # not for learners
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
        out.append(f"{key!r} should be rendered {term.chinese}")  # not for learners
    out += [f"{english!r} is {better}, not {bad}"  # not for learners
             for bad, (english, better) in RETIRED.items() if bad in squeezed]
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
        rows = [tr("| English | 中文 | meaning in this course |", "| English | 中文 | 含义 |"),
                "|---|---|---|"]
        rows += [f"| {t.english} | {t.chinese} | {t.meaning_in()} |" for t in self.terms]
        return "\n".join(rows)

    def __str__(self) -> str:
        colon = tr(": ", "：")
        return "\n".join(f"{t.english} — {t.chinese}{colon}{t.meaning_in()}" for t in self.terms)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


def show() -> Glossary:
    """The whole glossary, for display in a notebook (chapter 00).

    >>> print(str(show()).splitlines()[0])
    gradient clipping — 梯度裁剪: shrinking a gradient that exceeds a bound before the update
    """
    return Glossary()
