"""Explorer: gradient variance of random circuits versus qubits, for a chosen depth and init."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from clipq_edu._validate import check_choice, check_int
from clipq_edu.i18n import tr
from clipq_edu.quantum import circuits, landscapes
from clipq_edu.widgets._base import Explorer

#: Slider ranges (small so that a new computation stays well under 2 s).
MIN_QUBITS, MAX_QUBITS = 2, 8
MAX_DEPTH = 60
N_CIRCUITS = 100
INITS = ("random", "identity")
#: The initialisations in Chinese, for the dropdown's labels.
_INITS_ZH = {"random": "随机初始化", "identity": "恒等块初始化"}
#: One simulation at a time: the background threads share the simulator.
_SIMULATOR_LOCK = threading.Lock()
#: Random init, by (n, seed): the variance per depth 1..MAX_DEPTH (read-only). The same seed
#: gives the same circuits, so every explorer of the session shares these simulations.
_RANDOM: dict[tuple[int, int], np.ndarray] = {}


def _random_variances(n: int, seed: int) -> np.ndarray:
    """Var[∂⟨Z0Z1⟩/∂θ] of ``N_CIRCUITS`` random circuits on n qubits, at every depth."""
    with _SIMULATOR_LOCK:
        if (n, seed) not in _RANDOM:
            g = landscapes.gradient_samples(n, MAX_DEPTH, N_CIRCUITS, seed=seed,
                                            every_layer=True)
            var = g.var(axis=1)
            var.setflags(write=False)
            _RANDOM[n, seed] = var
        return _RANDOM[n, seed]


def identity_gradients(n: int, depth: int, seed: int) -> np.ndarray:
    """∂⟨Z0Z1⟩/∂θ of the ``N_CIRCUITS`` identity-initialised circuits, without simulating.

    At identity-block initialisation (one block of ``depth`` layers) everything after the
    first rotation multiplies to the identity, so the gradient is that of the first rotation
    alone, about its random axis at angle 0, on ry(π/4)|0⟩: −1/2 for a y axis, 0 for x and z
    (:func:`clipq_edu.quantum.landscapes.identity_init_gradient_variance`). The axes are those
    :func:`clipq_edu.quantum.landscapes.gradient_samples` draws (same values function, same
    seed), so these are the gradients its simulation returns, to float32 rounding (a test
    compares them), at no simulation cost.

    >>> sorted(set(identity_gradients(4, 10, seed=0).tolist()))
    [-0.5, 0.0]
    """
    _, first = circuits.mcclean_random_values(n, depth, N_CIRCUITS, seed=seed, init="identity")
    return np.where(first == circuits.MCCLEAN_AXES.index("y"), -0.5, 0.0)


class BarrenPlateauExplorer(Explorer):
    """Variance of ∂⟨Z0Z1⟩/∂θ versus n for 2..``qubits`` qubits at one depth and init.

    Random init: every qubit count is simulated once for all depths up to ``MAX_DEPTH``
    (a shallower circuit is a prefix of a deeper one), so moving the depth slider only redraws.
    A background thread simulates the qubit counts in order, 2 to ``MAX_QUBITS``, from the
    start: the first picture waits for those it shows, and the larger counts are usually
    ready before the slider reaches them. The simulations are kept for the session (by qubit
    count and seed), so a second explorer starts with them. Identity init: the exact
    gradients of :func:`identity_gradients` (the block after θ is the identity), no
    simulation.
    """

    def __init__(self, qubits: int, depth: int, init: str, seed: int) -> None:
        self.seed = seed
        self._random: dict[int, np.ndarray] = {}  # n -> variance per depth (1..MAX_DEPTH)
        self._identity: dict[tuple[int, int], float] = {}
        self._pending_random = self._prefetch_random()
        controls = {
            "qubits": widgets.IntSlider(value=qubits, min=MIN_QUBITS, max=MAX_QUBITS,
                                        description=tr("qubits n", "量子比特数 n")),
            "depth": widgets.IntSlider(value=depth, min=2, max=MAX_DEPTH, step=2,
                                       description=tr("depth", "深度")),
            "init": widgets.Dropdown(
                options=[(tr(i, f"{i}（{_INITS_ZH[i]}）"), i) for i in INITS], value=init,
                description=tr("init", "初始化")),
        }
        super().__init__(controls, title=tr("Barren plateau: gradient variance vs qubits",
                                            "贫瘠高原：梯度方差随量子比特数的变化"),
                         figsize=(6.4, 4.0))

    def validate(self, qubits: int, depth: int, init: str) -> str | None:
        if not isinstance(qubits, int) or not MIN_QUBITS <= qubits <= MAX_QUBITS:
            return tr(f"qubits must be an integer in {MIN_QUBITS}..{MAX_QUBITS}, got {qubits!r}",
                      f"量子比特数必须是 {MIN_QUBITS} 到 {MAX_QUBITS} 之间的整数，而不是 {qubits!r}")
        if not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
            return tr(f"depth must be an integer in 1..{MAX_DEPTH}, got {depth!r}",
                      f"深度必须是 1 到 {MAX_DEPTH} 之间的整数，而不是 {depth!r}")
        if init not in INITS:
            return tr(f"init must be one of {INITS}, got {init!r}",
                      f"初始化必须是 {INITS} 之一，而不是 {init!r}")
        if init == "identity" and (depth % 2 or depth < 4):
            return tr(f"identity init needs an even depth of at least 4 (one identity block of "
                      f"random layers and their inverses), got {depth}",
                      f"恒等块初始化需要至少为 4 的偶数深度（一个恒等块由若干随机层及其逆组成），"
                      f"而不是 {depth}")
        return None

    def _prefetch_random(self) -> dict[int, Future]:
        """Start simulating every qubit count (random init) in a background thread."""
        futures = {n: Future() for n in range(MIN_QUBITS, MAX_QUBITS + 1)}
        for n, future in futures.items():  # simulated earlier in this session
            if (n, self.seed) in _RANDOM and future.set_running_or_notify_cancel():
                future.set_result(_RANDOM[n, self.seed])
        if all(f.done() for f in futures.values()):
            return futures

        def work() -> None:
            for n, future in futures.items():
                if not future.done() and future.set_running_or_notify_cancel():
                    try:
                        future.set_result(_random_variances(n, self.seed))
                    except BaseException as exc:  # noqa: BLE001 - handed to the waiting compute
                        future.set_exception(exc)

        threading.Thread(target=work, name="clipq-barren-plateau", daemon=True).start()
        return futures

    def _variance(self, n: int, depth: int, init: str) -> float:
        if init == "random":
            if n not in self._random:
                self._random[n] = self._pending_random[n].result()
            return float(self._random[n][depth - 1])
        key = (n, depth)
        if key not in self._identity:
            self._identity[key] = float(identity_gradients(n, depth, self.seed).var())
        return self._identity[key]

    def is_cached(self, qubits: int, depth: int, init: str) -> bool:
        if init == "identity":
            return True  # a closed form: no simulation to wait for
        ns = range(MIN_QUBITS, qubits + 1)
        return all(n in self._random or self._pending_random[n].done() for n in ns)

    def compute(self, qubits: int, depth: int, init: str) -> dict[str, Any]:
        ns = list(range(MIN_QUBITS, qubits + 1))
        var = [self._variance(n, depth, init) for n in ns]
        slope = landscapes.fit_log2_slope(ns, var)[0] if len(ns) >= 2 else float("nan")
        return {
            "n": ns, "variance": var, "depth": depth, "init": init,
            "haar": [landscapes.haar_gradient_variance(n) for n in ns],
            "identity": landscapes.identity_init_gradient_variance(), "log2_slope": slope,
        }

    def build(self, figure: Figure) -> None:
        """Fixed semilog axes over every qubit count; lines updated as the settings change."""
        ax = figure.add_subplot()
        self._measured = ax.semilogy([], [], "o-")[0]
        self._haar = ax.semilogy([], [], "k--")[0]
        identity = ax.axhline(landscapes.identity_init_gradient_variance(), color="tab:green",
                              ls=":")
        ax.set_xlim(MIN_QUBITS - 0.5, MAX_QUBITS + 0.5)
        ax.set_xticks(range(MIN_QUBITS, MAX_QUBITS + 1))
        ax.set_ylim(1e-4, 1.0)
        ax.set_xlabel(tr("qubits n", "量子比特数 n"))
        ax.set_ylabel("Var[∂⟨Z0Z1⟩/∂θ]")
        self._legend = ax.legend(
            [self._measured, self._haar, identity],
            ["", tr("2-design limit d/(3(d²-1))", "2-设计极限 d/(3(d²-1))"),
             tr("identity init: 1/18", "恒等块初始化：1/18")], loc="lower left",
            fontsize=8, framealpha=1)
        # The legend sits where no point falls (variances there are < 1e-3 only for n > 5).
        # Its first label changes with the init: it is drawn on each render (opaque, so its
        # pixels are remembered per init) and the background never has to be redrawn.
        for artist in (self._measured, self._haar, self._legend, ax.title):
            artist.set_animated(True)
        self._ax = ax

    def draw(self, figure: Figure, data: Mapping[str, Any]) -> None:
        """Put the measured and 2-design variances on their lines; rewrite legend and title."""
        self._measured.set_data(data["n"], data["variance"])
        self._haar.set_data(data["n"], data["haar"])
        self._legend.get_texts()[0].set_text(
            tr(f"measured, random init ({N_CIRCUITS} circuits)",
               f"实测，随机初始化（{N_CIRCUITS} 个线路）") if data["init"] == "random" else
            tr(f"identity init ({N_CIRCUITS} circuits, exact: block after θ = I)",
               f"恒等块初始化（{N_CIRCUITS} 个线路，精确值：θ 之后的块为 I）"))
        slope = data["log2_slope"]
        text = (tr(f"log2 slope {slope:.2f}", f"log2 斜率 {slope:.2f}") if np.isfinite(slope)
                else tr("one point: no slope", "只有一个点：没有斜率"))
        self._ax.set_title(tr(f"depth {data['depth']}: {text}", f"深度 {data['depth']}：{text}"))


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
