"""Explorer: measurement counts from a chosen number of shots, with error bars (chapter 02)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from clipq_edu.widgets._base import Explorer

__all__ = ["CIRCUITS", "SHOT_OPTIONS", "ShotsHistogram", "shots_histogram"]

#: Circuits the explorer can measure.
CIRCUITS = ("bell", "ghz3", "plus2")
#: Shot counts on the slider (log-spaced, so each notch is about x2-x2.5).
SHOT_OPTIONS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)


def _circuit(name: str) -> Any:
    import cirq

    from clipq_edu import circuits

    if name == "bell":
        return circuits.bell_circuit()
    if name == "ghz3":
        return circuits.ghz_circuit(3)
    # two qubits in |+>|+>: every bitstring equally likely, and no entanglement
    return cirq.Circuit(cirq.H.on_each(*cirq.LineQubit.range(2)))


@functools.lru_cache(maxsize=8)
def _probabilities(name: str) -> tuple[tuple[str, ...], np.ndarray]:
    from clipq_edu import measurement

    measured, p = measurement.probabilities(_circuit(name))
    n = len(measured)
    return tuple(format(i, f"0{n}b") for i in range(2**n)), p


@functools.lru_cache(maxsize=512)
def _counts(name: str, shots: int, seed: int) -> dict[str, int]:
    from clipq_edu import measurement

    return measurement.sample_counts(_circuit(name), shots, seed=seed)


class ShotsHistogram(Explorer):
    """Circuit, shots and seed -> estimated probabilities with ±1 standard-error bars."""

    def __init__(self, circuit: str, shots: int, seed: int) -> None:
        controls = {
            "circuit": widgets.Dropdown(options=list(CIRCUITS), value=circuit,
                                        description="circuit"),
            "shots": widgets.SelectionSlider(options=list(SHOT_OPTIONS), value=shots,
                                             description="shots N"),
            "seed": widgets.IntText(value=seed, description="seed"),
        }
        super().__init__(controls, title="Counts from shots", figsize=(6.0, 3.8))

    def validate(self, **values: Any) -> str | None:
        if values["circuit"] not in CIRCUITS:
            return f"circuit must be one of {CIRCUITS}, got {values['circuit']!r}"
        if values["shots"] not in SHOT_OPTIONS:
            return f"shots must be one of {SHOT_OPTIONS}, got {values['shots']!r}"
        seed = values["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            return f"the seed must be a non-negative integer, got {seed!r}"
        return None

    def compute(self, **values: Any) -> dict[str, Any]:
        name, shots, seed = values["circuit"], int(values["shots"]), int(values["seed"])
        keys, exact = _probabilities(name)
        counts = _counts(name, shots, seed)
        k = np.array([counts.get(b, 0) for b in keys], dtype=float)
        p_hat = k / shots
        se = np.sqrt(p_hat * (1 - p_hat) / shots)
        return {
            "circuit": name, "shots": shots, "seed": seed, "bitstrings": list(keys),
            "counts": dict(counts), "exact": exact, "estimate": p_hat, "stderr": se,
            "max_abs_error": float(np.max(np.abs(p_hat - exact))),
            "typical_error": float(np.sqrt(np.max(exact * (1 - exact)) / shots)),
        }

    def draw(self, figure: Figure, data: Mapping[str, Any]) -> None:
        ax = figure.add_subplot()
        x = np.arange(len(data["bitstrings"]))
        ax.bar(x, data["estimate"], yerr=data["stderr"], capsize=4, color="tab:blue",
               label="estimate k/N ± 1 standard error")
        ax.plot(x, data["exact"], "_", markersize=28, mew=2.5, color="tab:red",
                label="exact probability")
        ax.set_xticks(x, data["bitstrings"])
        ax.set_ylim(0, 1)
        ax.set_xlabel("measured bitstring (q0 leftmost)")
        ax.set_ylabel("probability")
        ax.set_title(f"{data['circuit']}: N = {data['shots']} shots, largest error "
                     f"{data['max_abs_error']:.3f} (1/√N scale {data['typical_error']:.3f})",
                     fontsize=9)
        ax.legend(loc="upper right", fontsize=8)


def shots_histogram(circuit: str = "bell", shots: int = 100, seed: int = 0) -> ShotsHistogram:
    """Return an explorer of measurement counts: pick a circuit and a number of shots.

    Each shot returns one bitstring; the bars are the fractions k/N with standard errors
    sqrt(p(1-p)/N) and the red marks the exact probabilities. Counts come from the seeded
    sampler :func:`clipq_edu.measurement.sample_counts`, so the same seed gives the same bars.

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
