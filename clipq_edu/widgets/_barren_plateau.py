"""Explorer: gradient variance of random circuits versus qubits, for a chosen depth and init."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from clipq_edu import noise
from clipq_edu._validate import check_choice, check_int
from clipq_edu.widgets._base import Explorer

#: Slider ranges (small so that a new computation stays well under 2 s).
MIN_QUBITS, MAX_QUBITS = 2, 8
MAX_DEPTH = 60
N_CIRCUITS = 100
INITS = ("random", "identity")


class BarrenPlateauExplorer(Explorer):
    """Variance of ∂⟨Z0Z1⟩/∂θ versus n for 2..``qubits`` qubits at one depth and init.

    Random init: every qubit count is simulated once for all depths up to ``MAX_DEPTH``
    (a shallower circuit is a prefix of a deeper one), so moving the depth slider only redraws.
    Identity init: one computation per (n, depth), cached.
    """

    def __init__(self, qubits: int, depth: int, init: str, seed: int) -> None:
        self.seed = seed
        self._random: dict[int, np.ndarray] = {}  # n -> variance per depth (1..MAX_DEPTH)
        self._identity: dict[tuple[int, int], float] = {}
        controls = {
            "qubits": widgets.IntSlider(value=qubits, min=MIN_QUBITS, max=MAX_QUBITS,
                                        description="qubits n"),
            "depth": widgets.IntSlider(value=depth, min=2, max=MAX_DEPTH, step=2,
                                       description="depth"),
            "init": widgets.Dropdown(options=INITS, value=init, description="init"),
        }
        super().__init__(controls, title="Barren plateau: gradient variance vs qubits",
                         figsize=(6.4, 4.0))

    def validate(self, qubits: int, depth: int, init: str) -> str | None:
        if not isinstance(qubits, int) or not MIN_QUBITS <= qubits <= MAX_QUBITS:
            return f"qubits must be an integer in {MIN_QUBITS}..{MAX_QUBITS}, got {qubits!r}"
        if not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
            return f"depth must be an integer in 1..{MAX_DEPTH}, got {depth!r}"
        if init not in INITS:
            return f"init must be one of {INITS}, got {init!r}"
        if init == "identity" and depth % 2:
            return f"identity init needs an even depth (one identity block), got {depth}"
        return None

    def _variance(self, n: int, depth: int, init: str) -> float:
        if init == "random":
            if n not in self._random:
                g = noise.gradient_samples(n, MAX_DEPTH, N_CIRCUITS, seed=self.seed,
                                           every_layer=True)
                self._random[n] = g.var(axis=1)
            return float(self._random[n][depth - 1])
        key = (n, depth)
        if key not in self._identity:
            g = noise.gradient_samples(n, depth, N_CIRCUITS, seed=self.seed, init="identity")
            self._identity[key] = float(g.var())
        return self._identity[key]

    def compute(self, qubits: int, depth: int, init: str) -> dict[str, Any]:
        ns = list(range(MIN_QUBITS, qubits + 1))
        var = [self._variance(n, depth, init) for n in ns]
        slope = noise.fit_log2_slope(ns, var)[0] if len(ns) >= 2 else float("nan")
        return {
            "n": ns, "variance": var, "depth": depth, "init": init,
            "haar": [noise.haar_gradient_variance(n) for n in ns],
            "identity": noise.identity_init_gradient_variance(), "log2_slope": slope,
        }

    def draw(self, figure: Figure, data: Mapping[str, Any]) -> None:
        ax = figure.add_subplot()
        ax.semilogy(data["n"], data["variance"], "o-",
                    label=f"measured, {data['init']} init ({N_CIRCUITS} circuits)")
        ax.semilogy(data["n"], data["haar"], "k--", label="2-design limit d/(3(d²-1))")
        ax.axhline(data["identity"], color="tab:green", ls=":", label="identity init: 1/18")
        slope = data["log2_slope"]
        text = f"log2 slope {slope:.2f}" if np.isfinite(slope) else "one point: no slope"
        ax.set_title(f"depth {data['depth']}: {text}")
        ax.set_xlabel("qubits n")
        ax.set_ylabel("Var[∂⟨Z0Z1⟩/∂θ]")
        ax.set_ylim(1e-4, 1.0)
        ax.legend(loc="lower left", fontsize=8)


def barren_plateau(
    qubits: int = 6, depth: int = 40, init: str = "random", seed: int = 0
) -> BarrenPlateauExplorer:
    """Explore how the gradient variance of random circuits falls with qubits and depth.

    Args:
      qubits: largest qubit count shown, 2..8.
      depth: circuit depth, 2..60 (even, so that identity init is defined).
      init: ``"random"`` (McClean et al. 2018) or ``"identity"`` (Grant et al. 2019).
      seed: seed of the random circuits.

    Returns:
      The explorer; put it last in a cell to show it.

    References:
      McClean et al. (2018), https://arxiv.org/abs/1803.11173; Grant et al. (2019),
      https://arxiv.org/abs/1903.05076.

    Taught in chapter 05.
    """
    qubits = check_int("qubits", qubits, minimum=MIN_QUBITS, maximum=MAX_QUBITS)
    depth = check_int("depth", depth, minimum=2, maximum=MAX_DEPTH)
    check_choice("init", init, INITS)
    seed = check_int("seed", seed, minimum=0)
    return BarrenPlateauExplorer(qubits, depth, init, seed)
