"""Explorer: measurement counts from a chosen number of shots, with error bars (chapter 02)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from clipq_edu._lru import LRU
from clipq_edu.i18n import tr
from clipq_edu.widgets._base import Explorer

__all__ = ["CIRCUITS", "SHOT_OPTIONS", "ShotsHistogram", "shots_histogram"]

#: Circuits the explorer can measure.
CIRCUITS = ("bell", "ghz3", "plus2")
#: Most outcomes of any circuit above (ghz3: 2**3 bitstrings).
MAX_OUTCOMES = 8
#: Shot counts on the slider (log-spaced, so each notch is about x2-x2.5).
SHOT_OPTIONS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)
#: Seeded repetitions behind the RMS error in the title (one draw's error is itself noisy).
DRAWS = 200
#: What each circuit prepares, for the dropdown's Chinese labels.
_CIRCUITS_ZH = {"bell": "贝尔态", "ghz3": "3 量子比特 GHZ 态", "plus2": "|+⟩|+⟩，无纠缠"}


def _circuit(name: str) -> Any:
    import cirq

    from clipq_edu.quantum import circuits

    if name == "bell":
        return circuits.bell_circuit()
    if name == "ghz3":
        return circuits.ghz_circuit(3)
    # two qubits in |+>|+>: every bitstring equally likely, and no entanglement
    return cirq.Circuit(cirq.H.on_each(*cirq.LineQubit.range(2)))


@functools.lru_cache(maxsize=8)
def _probabilities(name: str) -> tuple[tuple[str, ...], np.ndarray]:
    from clipq_edu.quantum.simulate import probabilities

    measured, p = probabilities(_circuit(name))
    n = len(measured)
    return tuple(format(i, f"0{n}b") for i in range(2**n)), p


#: Sampled counts by (circuit, shots, seed), bounded.
_COUNTS = LRU(512)


def _counts(name: str, shots: int, seed: int) -> dict[str, int]:
    from clipq_edu.quantum.sampling import sample_counts

    counts = _COUNTS.get_or_compute(
        (name, shots, seed), lambda: sample_counts(_circuit(name), shots, seed=seed))
    return dict(counts)  # a copy: callers never change the cached counts


#: RMS errors by (circuit, shots, seed, outcome), bounded.
_RMS = LRU(512)


def _rms_error(name: str, shots: int, seed: int, outcome: int) -> float:
    """RMS error of the estimate k/N of ``outcome`` over ``DRAWS`` seeded draws of N shots."""
    from clipq_edu.quantum.sampling import sample_outcome_counts

    def compute() -> float:
        exact = _probabilities(name)[1]
        counts = sample_outcome_counts(exact, shots, repeats=DRAWS, seed=seed)
        return float(np.sqrt(np.mean((counts[:, outcome] / shots - exact[outcome]) ** 2)))

    return _RMS.get_or_compute((name, shots, seed, outcome), compute)


def _wilson_interval(k: np.ndarray, shots: int, z: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Return the Wilson score interval (low, high) for k successes in ``shots`` trials.

    Unlike p̂ ± z sqrt(p̂(1-p̂)/N), it never has zero length at k = 0 or k = N (an outcome not
    yet seen is not known to be impossible). z = 1 gives about 68 % coverage. Reference: E. B.
    Wilson, "Probable inference, the law of succession, and statistical inference", JASA 22
    (1927) 209-212. Taught in chapter 02.

    >>> low, high = _wilson_interval(np.array([0.0]), 10)
    >>> float(low[0]), round(float(high[0]), 4)
    (0.0, 0.0909)
    """
    p_hat = np.asarray(k, dtype=float) / shots
    z2n = z * z / shots
    centre = (p_hat + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * np.sqrt(p_hat * (1 - p_hat) / shots + z2n / (4 * shots))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


class ShotsHistogram(Explorer):
    """Circuit, shots and seed -> estimated probabilities with 68 % Wilson-interval bars.

    The error bars are Wilson score intervals (z = 1), which stay open for an outcome seen 0 or
    N times, where p̂ ± sqrt(p̂(1-p̂)/N) would collapse to a zero-length bar.

    Behind every bar the expected error band is shaded: ±1 and ±2 standard errors
    sqrt(p(1-p)/N) of the exact p, so the band narrows like 1/√N whatever one draw does. The
    title gives, for the outcome with the largest variance, the RMS error over ``DRAWS`` seeded
    draws of N shots beside the predicted sqrt(p(1-p)/N): both fall like 1/√N for every setting
    (one draw's largest error does not: it is itself a noisy number).
    """

    def __init__(self, circuit: str, shots: int, seed: int) -> None:
        controls = {
            "circuit": widgets.Dropdown(
                options=[(tr(c, f"{c}（{_CIRCUITS_ZH[c]}）"), c) for c in CIRCUITS],
                value=circuit, description=tr("circuit", "量子线路")),
            "shots": widgets.SelectionSlider(options=list(SHOT_OPTIONS), value=shots,
                                             description=tr("shots N", "测量次数 N")),
            "seed": widgets.IntText(value=seed, description=tr("seed", "随机种子")),
        }
        super().__init__(controls, title=tr("Counts from shots", "多次测量得到的计数"),
                         figsize=(6.0, 3.8))

    def validate(self, **values: Any) -> str | None:
        if values["circuit"] not in CIRCUITS:
            return tr(f"circuit must be one of {CIRCUITS}, got {values['circuit']!r}",
                      f"量子线路必须是 {CIRCUITS} 之一，而不是 {values['circuit']!r}")
        if values["shots"] not in SHOT_OPTIONS:
            return tr(f"shots must be one of {SHOT_OPTIONS}, got {values['shots']!r}",
                      f"测量次数必须是 {SHOT_OPTIONS} 之一，而不是 {values['shots']!r}")
        seed = values["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            return tr(f"the seed must be a non-negative integer, got {seed!r}",
                      f"随机种子必须是非负整数，而不是 {seed!r}")
        return None

    def is_cached(self, **values: Any) -> bool:
        return (values["circuit"], int(values["shots"]), int(values["seed"])) in _COUNTS

    def compute(self, **values: Any) -> dict[str, Any]:
        name, shots, seed = values["circuit"], int(values["shots"]), int(values["seed"])
        keys, exact = _probabilities(name)
        counts = _counts(name, shots, seed)
        k = np.array([counts.get(b, 0) for b in keys], dtype=float)
        p_hat = k / shots
        low, high = _wilson_interval(k, shots)
        worst = int(np.argmax(exact * (1 - exact)))
        return {
            "circuit": name, "shots": shots, "seed": seed, "bitstrings": list(keys),
            "counts": dict(counts), "exact": exact, "estimate": p_hat, "interval": (low, high),
            "max_abs_error": float(np.max(np.abs(p_hat - exact))),
            "typical_error": float(np.sqrt(np.max(exact * (1 - exact)) / shots)),
            "band": np.sqrt(exact * (1 - exact) / shots),
            "tracked": keys[worst],
            "rms_error": _rms_error(name, shots, seed, worst),
        }

    def build(self, figure: Figure) -> None:
        """Bars, error bars, exact marks and the legend for up to ``MAX_OUTCOMES`` outcomes."""
        ax = figure.add_subplot()
        x = np.arange(MAX_OUTCOMES)
        self._band2 = ax.vlines(x, 0, 0, color="tab:red", lw=24, alpha=0.15, zorder=3)
        self._band1 = ax.vlines(x, 0, 0, color="tab:red", lw=24, alpha=0.25, zorder=3)
        self._bars = ax.bar(x, np.zeros(MAX_OUTCOMES), color="tab:blue")
        self._errors = ax.vlines(x, 0, 0, color="black", lw=1.2)
        self._caps = ax.plot(np.r_[x, x], np.zeros(2 * MAX_OUTCOMES), "_", color="black",
                             markersize=8)[0]
        self._exact = ax.plot(x, np.zeros(MAX_OUTCOMES), "_", markersize=28, mew=2.5,
                              color="tab:red")[0]
        ax.set_ylim(0, 1)
        ax.set_xlabel(tr("measured bitstring (q0 leftmost)", "测得的比特串（q0 在最左）"))
        ax.set_ylabel(tr("probability", "概率"))
        band = Patch(color="tab:red", alpha=0.3)
        legend = ax.legend([self._bars, self._exact, band],
                           [tr("estimate k/N, 68 % Wilson interval", "估计值 k/N，68% Wilson 区间"),
                            tr("exact probability", "精确概率"),
                            tr("expected band: exact ± 1 and ± 2 std. errors",
                               "预期范围：精确值 ± 1 和 ± 2 个标准误差")],
                           loc="upper center", fontsize=8, framealpha=1)
        for artist in (*self._bars, self._errors, self._caps, self._exact, self._band1,
                       self._band2, legend, ax.title):
            artist.set_animated(True)
        self._ax = ax

    def draw(self, figure: Figure, data: Mapping[str, Any]) -> None:
        """Set the bar heights, error bars and marks; the ticks change only with the circuit."""
        p_hat, m = data["estimate"], len(data["bitstrings"])
        low, high = data["interval"]
        x = np.arange(m)
        for i, bar in enumerate(self._bars):
            bar.set_visible(i < m)
            bar.set_height(p_hat[i] if i < m else 0.0)
        self._errors.set_segments([[(i, low[i]), (i, high[i])] for i in x])
        self._caps.set_data(np.r_[x, x], np.r_[low[:m], high[:m]])
        self._exact.set_data(x, data["exact"])
        exact, band = data["exact"], data["band"]
        self._band1.set_segments([[(i, exact[i] - band[i]), (i, exact[i] + band[i])] for i in x])
        self._band2.set_segments([[(i, exact[i] - 2 * band[i]), (i, exact[i] + 2 * band[i])]
                                  for i in x])
        if self.background_key != data["circuit"]:
            self._ax.set_xticks(x, data["bitstrings"])
            self._ax.set_xlim(-0.6, m - 0.4)
            self.background_key = data["circuit"]
        self._ax.set_title(tr(
            f"{data['circuit']}, N = {data['shots']} shots\n"
            f"error of P({data['tracked']}): RMS over {DRAWS} draws {data['rms_error']:.3g}, "
            f"predicted √(p(1−p)/N) {data['typical_error']:.3g}",
            f"{data['circuit']}，N = {data['shots']} 次测量\n"
            f"P({data['tracked']}) 的误差：{DRAWS} 次抽样的均方根 {data['rms_error']:.3g}，"
            f"预测值 √(p(1−p)/N) {data['typical_error']:.3g}"), fontsize=9)


def shots_histogram(circuit: str = "bell", shots: int = 100, seed: int = 0) -> ShotsHistogram:
    """Return an explorer of measurement counts: pick a circuit and a number of shots.

    Each shot returns one bitstring; the bars are the fractions k/N with 68 % Wilson score
    intervals (open even for an outcome seen 0 or N times) and the red marks the exact probabilities, shaded with the expected error
    band (±1 and ±2 standard errors of the exact p). The title compares the RMS error of the
    most uncertain outcome over ``DRAWS`` seeded draws with sqrt(p(1-p)/N): both fall as 1/√N. Counts come from the seeded
    sampler :func:`clipq_edu.quantum.sampling.sample_counts`, so the same seed gives the same bars.

    Args:
      circuit: ``"bell"`` ((|00>+|11>)/√2), ``"ghz3"`` (3-qubit GHZ) or ``"plus2"`` (|+>|+>).
      shots: one of ``SHOT_OPTIONS`` (10 ... 100 000).
      seed: a non-negative integer.

    Returns:
      The explorer; ``.state`` holds counts, estimates, errors and the exact probabilities.

    Taught in chapter 02.
    """
    from clipq_edu._validate import check_choice, check_seed, check_shots

    check_choice("circuit", circuit, CIRCUITS)
    shots = check_shots("shots", shots)
    if shots not in SHOT_OPTIONS:
        raise ValueError(f"shots must be one of {SHOT_OPTIONS}, got {shots!r}")
    seed = check_seed("seed", seed)
    return ShotsHistogram(circuit, shots, 0 if seed is None else seed)
