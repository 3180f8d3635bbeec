"""The barren-plateau experiment by every tool a student could pick, on the same circuits, in one run.

Setting of TFQ's barren-plateau tutorial: n = 4..12 step 2, depth 50, 200 random McClean
circuits per n, the gradient of <Z0 Z1> with respect to the first rotation, and its variance.
The random values are generated once by clipq_edu and handed to everyone (the peers get them in
a ``.npz`` file), so all implementations differentiate exactly the same circuits and their
variances must agree to float32 rounding. Implementations:

* ``clipq_edu numpy engine``: ``gradient_samples`` (the batched complex64 kernel of
  ``clipq_edu.quantum._statevector``; what chapter 05 and the explorers use);
* ``clipq_edu tfq``: ``barren_plateau_variance`` through TensorFlow Quantum (one symbolic
  circuit with three rotations per slot, all shifted rows in one call);
* ``tfq tutorial code path``: what TFQ's tutorial does: one Cirq circuit per sample built with
  ``circuit += gate``, ``tfq.convert_to_tensor``, ``tfq.layers.Expectation`` under a
  ``GradientTape`` (the same code path as ``quantum.landscapes.barren_plateau_tutorial_style``, fed
  with the shared values instead of its own random draws);
* PennyLane ``default.qubit`` and ``lightning.qubit`` (``_pennylane_peer.py``, own venv
  ``benchmarks/.venv-pennylane``);
* tensorcircuit-ng with JAX, jit + vmap (``_tensorcircuit_peer.py``, own venv
  ``benchmarks/.venv-tensorcircuit``: the course venv pins jax 0.5 for TFQ).

Each peer venv is created on first use with pinned versions; the course's ``.venv`` is never
touched. A small gradient-throughput task (6 qubits, 2 layers, 50 parameter sets) compares
clipq_edu's parameter shift with PennyLane's differentiators.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import BENCH_DIR

#: Peer environments: venv folder, pinned requirements, import check, task script.
PEERS = {
    "pennylane": {
        "venv": BENCH_DIR / ".venv-pennylane",
        "pins": ("pennylane==0.44.1", "pennylane-lightning==0.44.0"),
        "check": "import pennylane, pennylane_lightning; print(pennylane.__version__)",
        "script": BENCH_DIR / "_pennylane_peer.py",
    },
    "tensorcircuit": {
        "venv": BENCH_DIR / ".venv-tensorcircuit",
        "pins": ("tensorcircuit-ng==1.10.0", "jax==0.10.2", "jaxlib==0.10.2"),
        "check": "import tensorcircuit, jax; print(tensorcircuit.__version__)",
        "script": BENCH_DIR / "_tensorcircuit_peer.py",
    },
}
PENNYLANE_PINS = PEERS["pennylane"]["pins"]
VENV = PEERS["pennylane"]["venv"]
BP_QUBITS = (4, 6, 8, 10, 12)
BP_DEPTH = 50
BP_CIRCUITS = 200
HEA_QUBITS, HEA_LAYERS, HEA_BATCH = 6, 2, 50
#: The implementation every ratio is taken against.
REFERENCE = "clipq_edu numpy engine"
#: PennyLane variants of the barren-plateau run. ``default.qubit/per_circuit`` (autograd
#: backprop through 200 separate circuits per n) is left out by default: it takes minutes per
#: qubit count; pass it in ``bp_styles`` to include it.
BP_STYLES = ("default.qubit/batched", "lightning.qubit/batched", "lightning.qubit/per_circuit")
#: clipq_edu-side implementations (all in this process).
OURS = (REFERENCE, "clipq_edu kernel complex64", "clipq_edu tfq", "tfq tutorial code path")


def venv_python(venv: Path = VENV) -> Path:
    """The Python of a peer's virtual environment."""
    return venv / "bin" / "python"


def ensure_venv(peer: str = "pennylane", log: Any = print) -> Path:
    """Create the peer's venv with its pinned stack unless it is already there."""
    cfg = PEERS[peer]
    py = venv_python(cfg["venv"])
    if py.exists() and subprocess.run([str(py), "-c", cfg["check"]],
                                      capture_output=True).returncode == 0:
        return py
    log(f"  creating {cfg['venv']} with {' '.join(cfg['pins'])} (once)")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(cfg["venv"])], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                    *cfg["pins"]], check=True)
    return py


def make_inputs(qubits: tuple[int, ...], depth: int, n_circuits: int,
                seed: int = 0) -> dict[str, np.ndarray]:
    """The barren-plateau values (exactly those clipq_edu uses) and the ansatz parameter sets."""
    from clipq_edu.quantum.circuits import mcclean_random_values

    arrays: dict[str, np.ndarray] = {}
    for n in qubits:
        values, first = mcclean_random_values(n, depth, n_circuits, seed=_child_seed(seed, n))
        arrays[f"values_{n}"] = values
        arrays[f"first_{n}"] = first
    rng = np.random.default_rng(seed)
    arrays["hea_params"] = rng.uniform(0, 2 * np.pi, (HEA_BATCH, 2 * HEA_LAYERS * HEA_QUBITS))
    return arrays


# --------------------------------------------------------------------------------------------
# clipq_edu's side (this process)
# --------------------------------------------------------------------------------------------
def _child_seed(seed: int, n: int) -> int | None:
    """The per-n seed ``barren_plateau_variance`` uses (so every path sees the same circuits)."""
    from clipq_edu.quantum.landscapes import _child_seed as child

    return child(seed, n)


def kernel_complex64(n: int, depth: int, values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The same gradients straight from the kernel in complex64 (the library path uses
    complex128 so that its numbers stay exact to ~1e-15; the variances agree to ~1e-6)."""
    from clipq_edu.quantum._statevector import simulate_pure, z_diagonal
    from clipq_edu.quantum.gradients import combine_shifted, shifted_parameters

    b = len(values)
    rows = shifted_parameters(values, columns=np.asarray(first)[:, None])  # (b, 2, 1, P)
    f = simulate_pure(rows.reshape(2 * b, depth, n, 3), n, z_diagonal(n, (0, 1)))
    return combine_shifted(f.reshape(b, 2, 1))[:, 0]


def _numpy_engine() -> Callable[[int, int, int, int | None], np.ndarray]:
    """clipq_edu's public NumPy gradient sampler."""
    from clipq_edu.quantum.landscapes import gradient_samples

    return gradient_samples


def _tfq_variance(n: int, depth: int, n_circuits: int, seed: int) -> float:
    """clipq_edu's TFQ path (``barren_plateau_variance`` with the TFQ backend)."""
    from clipq_edu.quantum.landscapes import barren_plateau_variance

    return barren_plateau_variance(n, depth=depth, n_circuits=n_circuits, seed=seed,
                                   backend="tfq")[n]


def tutorial_code_path(n: int, depth: int, values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """TFQ's tutorial, step for step, on the shared circuits: one Cirq circuit per sample."""
    import cirq
    import sympy

    from clipq_edu._tf import tf, tfq

    qs = cirq.LineQubit.range(n)
    symbol = sympy.Symbol("theta")
    v = values.reshape(len(values), depth, n, 3)
    axes = np.argmax(np.abs(v) > 0, axis=-1)  # the random axis of each slot
    axes[:, 0, 0] = first
    gates = (cirq.rx, cirq.ry, cirq.rz)
    circuits = []
    for b in range(len(v)):
        circuit = cirq.Circuit()
        for q in qs:
            circuit += cirq.ry(np.pi / 4).on(q)
        for d in range(depth):
            for i, q in enumerate(qs):
                angle = symbol if (i == 0 and d == 0) else float(v[b, d, i, axes[b, d, i]])
                circuit += gates[axes[b, d, i]](angle)(q)
            for src, dest in zip(qs, qs[1:], strict=False):
                circuit += cirq.CZ(src, dest)
        circuits.append(circuit)
    theta = tf.convert_to_tensor(v[np.arange(len(v)), 0, 0, first][:, None], tf.float32)
    layer = tfq.layers.Expectation()
    with tf.GradientTape() as tape:
        tape.watch(theta)
        out = layer(tfq.convert_to_tensor(circuits), operators=cirq.Z(qs[0]) * cirq.Z(qs[1]),
                    symbol_names=[symbol], symbol_values=theta)
    return tape.gradient(out, theta).numpy().ravel().astype(np.float64)


def clipq_bp(qubits: tuple[int, ...], depth: int, n_circuits: int, arrays: dict[str, np.ndarray],
             seed: int = 0, implementations: tuple[str, ...] = OURS,
             log: Any = print) -> dict[str, dict[str, Any]]:
    """Time clipq_edu's implementations per n (TensorFlow warmed up first when needed)."""
    engine = _numpy_engine()
    out: dict[str, dict[str, Any]] = {k: {} for k in implementations}
    if {"clipq_edu tfq", "tfq tutorial code path"} & set(implementations):
        _tfq_variance(4, 2, 4, seed)  # import and warm TensorFlow + TFQ outside the timings
    for n in qubits:
        child = _child_seed(seed, n)
        for key in implementations:
            t = time.perf_counter()
            if key == REFERENCE:
                g = engine(n, depth, n_circuits, child)
                var, head = float(np.var(g, ddof=1)), np.asarray(g)[:5].tolist()
            elif key == "clipq_edu tfq":
                var, head = _tfq_variance(n, depth, n_circuits, seed), None
            elif key == "clipq_edu kernel complex64":
                g = kernel_complex64(n, depth, arrays[f"values_{n}"], arrays[f"first_{n}"])
                var, head = float(np.var(g, ddof=1)), g[:5].tolist()
            else:
                g = tutorial_code_path(n, depth, arrays[f"values_{n}"], arrays[f"first_{n}"])
                var, head = float(np.var(g, ddof=1)), g[:5].tolist()
            seconds = time.perf_counter() - t
            out[key][str(n)] = {"seconds": seconds, "variance": var, "grads_head": head}
            log(f"    {key} n={n}: {seconds:.2f} s")
    return out


def clipq_gradients(params: np.ndarray) -> dict[str, Any]:
    """clipq_edu's parameter-shift gradient throughput on the small ansatz task."""
    import cirq

    from clipq_edu.quantum import circuits, gradients

    circuit, symbols = circuits.hardware_efficient_ansatz(HEA_QUBITS, HEA_LAYERS)
    qs = sorted(circuit.all_qubits())
    zz = cirq.Z(qs[0]) * cirq.Z(qs[1])
    grads: dict[str, Any] = {}
    for key, shots in (("analytic", None), ("shots=1000", 1000)):
        gradients.parameter_shift_gradient(circuit, symbols, params[:2], zz, shots=shots, seed=1)
        t = time.perf_counter()
        g = gradients.parameter_shift_gradient(circuit, symbols, params, zz, shots=shots, seed=1)
        seconds = time.perf_counter() - t
        grads[f"clipq_edu parameter shift/{key}"] = {
            "seconds": seconds, "n_gradients": len(params),
            "gradients_per_s": len(params) / seconds, "first": np.asarray(g)[0].tolist()}
    return grads


# --------------------------------------------------------------------------------------------
# One run of everything, and the summary
# --------------------------------------------------------------------------------------------
def _run_peer(peer: str, spec: dict, arrays: dict[str, np.ndarray], timeout_s: float,
              log: Any) -> dict[str, Any]:
    py = ensure_venv(peer, log=log)
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "in.npz", Path(tmp) / "out.json"
        np.savez(inp, spec=json.dumps(spec), **arrays)
        subprocess.run([str(py), str(PEERS[peer]["script"]), str(inp), str(out)], check=True,
                       timeout=timeout_s)
        return json.loads(out.read_text())


def _time_reference(qubits: tuple[int, ...], depth: int, n_circuits: int,
                    arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    return clipq_bp(qubits, depth, n_circuits, arrays, implementations=(REFERENCE,),
                    log=lambda *a: None)[REFERENCE]


def run_once(qubits: tuple[int, ...], depth: int, n_circuits: int, arrays: dict[str, np.ndarray],
             bp_styles: tuple[str, ...], peers: tuple[str, ...], ours: tuple[str, ...],
             gradients: bool, timeout_s: float, log: Any) -> dict[str, Any]:
    """One run: ``{"bp": {implementation: {n: figures}}, "gradients": {...}, "versions": {...},
    "adjacent_reference": {implementation: {n: figures}}}``.

    The load of a shared machine drifts over the minutes a run takes, so the reference (the
    engine, a few seconds) is timed again right before and right after each peer job, and each
    peer's ratio is taken against the mean of those two timings (clipq_edu's own paths
    alternate with it per n).
    """
    load = os.getloadavg()[0]
    bp = clipq_bp(qubits, depth, n_circuits, arrays, implementations=ours, log=log)
    grads = clipq_gradients(arrays["hea_params"]) if gradients else {}
    versions: dict[str, str] = {}
    adjacent: dict[str, Any] = {}
    jobs = [("pennylane", (style,)) for style in bp_styles if "pennylane" in peers]
    jobs += [(peer, ()) for peer in peers if peer != "pennylane"]
    for i, (peer, styles) in enumerate(jobs):
        last_pl = peer == "pennylane" and all(p != "pennylane" for p, _ in jobs[i + 1:])
        spec = {"qubits": list(qubits), "depth": depth, "bp_styles": list(styles),
                "gradients": gradients and last_pl}
        ref = _time_reference(qubits, depth, n_circuits, arrays) if REFERENCE in ours else None
        theirs = _run_peer(peer, spec, arrays, timeout_s, log)
        if ref is not None:
            after = _time_reference(qubits, depth, n_circuits, arrays)
            ref = {n: {"seconds": 0.5 * (v["seconds"] + after[n]["seconds"]),
                       "before_s": v["seconds"], "after_s": after[n]["seconds"]}
                   for n, v in ref.items()}
        label = "pennylane" if peer == "pennylane" else "tensorcircuit-ng"
        versions[label] = theirs[peer]
        if "jax" in theirs:
            versions["jax (tensorcircuit venv)"] = theirs["jax"]
        for key, per_n in theirs["bp"].items():
            bp[f"{label} {key}"] = per_n
            if ref is not None:
                adjacent[f"{label} {key}"] = ref
        for key, g in theirs.get("gradients", {}).items():
            grads[f"{label} {key}"] = g
    return {"bp": bp, "gradients": grads, "versions": versions, "adjacent_reference": adjacent,
            "load_average_1min": [load, os.getloadavg()[0]]}


def summarise_bp(runs: list[dict[str, Any]], reference: str = REFERENCE) -> dict[str, Any]:
    """Per implementation: total and per-n times (medians over runs), variances, ratios."""
    from benchmarks.harness import summarize

    def total(run: dict, key: str, field: str = "seconds") -> float:
        return sum(v[field] for v in run["bp"][key].values())

    def ref_total(run: dict, key: str) -> float:
        """The reference's time measured next to ``key`` (else its main timing)."""
        adjacent = run.get("adjacent_reference", {}).get(key)
        return sum(v["seconds"] for v in adjacent.values()) if adjacent else total(run, reference)

    first = runs[0]["bp"]
    out: dict[str, Any] = {}
    for key, per_n in first.items():
        entry: dict[str, Any] = {
            "total_s": summarize([total(r, key) for r in runs]),
            "per_n_s": {n: summarize([r["bp"][key][n]["seconds"] for r in runs]) for n in per_n},
            "variance": {n: v["variance"] for n, v in per_n.items()},
        }
        if all("warm_s" in v for v in per_n.values()):
            entry["warm_total_s"] = summarize([total(r, key, "warm_s") for r in runs])
        if reference in first and key != reference:
            entry["time_ratio_vs_reference"] = summarize(
                [total(r, key) / ref_total(r, key) for r in runs])
            if "warm_total_s" in entry:
                entry["warm_time_ratio_vs_reference"] = summarize(
                    [total(r, key, "warm_s") / ref_total(r, key) for r in runs])
            if any(key in r.get("adjacent_reference", {}) for r in runs):
                entry["adjacent_reference_total_s"] = summarize([ref_total(r, key) for r in runs])
            ref_var = first[reference]
            entry["max_rel_variance_diff_vs_reference"] = max(
                abs(per_n[n]["variance"] - ref_var[n]["variance"]) / ref_var[n]["variance"]
                for n in per_n if n in ref_var)
        out[key] = entry
    return out


def summarise_gradients(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Gradient throughput per implementation, ratios to clipq_edu's analytic/shot rate."""
    from benchmarks.harness import summarize

    grads0 = runs[0]["gradients"]
    out: dict[str, Any] = {}
    ref_key = "clipq_edu parameter shift/analytic"
    for key in grads0:
        entry = {"gradients_per_s": summarize([r["gradients"][key]["gradients_per_s"]
                                               for r in runs])}
        if ref_key in grads0 and not key.startswith("clipq_edu"):
            ours = "clipq_edu parameter shift/" + ("shots=1000" if "shots" in key else "analytic")
            entry["speed_ratio_vs_clipq_edu"] = summarize(
                [r["gradients"][key]["gradients_per_s"] / r["gradients"][ours]["gradients_per_s"]
                 for r in runs])
            entry["max_abs_diff_first_gradient_vs_clipq_edu"] = float(np.max(np.abs(
                np.array(grads0[key]["first"]) - np.array(grads0[ref_key]["first"]))))
        out[key] = entry
    return out


def run(repeat: int = 1, qubits: tuple[int, ...] = BP_QUBITS, depth: int = BP_DEPTH,
        n_circuits: int = BP_CIRCUITS, bp_styles: tuple[str, ...] = BP_STYLES,
        peers: tuple[str, ...] = tuple(PEERS), ours: tuple[str, ...] = OURS,
        gradients: bool = True, log: Any = print, timeout_s: float = 3600) -> dict[str, Any]:
    """Run every implementation on the same circuits ``repeat`` times; medians and ratios."""
    arrays = make_inputs(qubits, depth, n_circuits)
    runs = []
    for i in range(repeat):
        runs.append(run_once(qubits, depth, n_circuits, arrays, bp_styles, peers, ours,
                             gradients, timeout_s, log))
        log(f"  run {i + 1}/{repeat}: " + ", ".join(
            f"{k} {sum(v['seconds'] for v in d.values()):.1f} s" for k, d in runs[-1]["bp"].items()))
    return {
        "versions": runs[0]["versions"],
        "reference": REFERENCE,
        "load_average_1min": [r["load_average_1min"] for r in runs],
        "setting": {"qubits": list(qubits), "depth": depth, "n_circuits": n_circuits,
                    "gradient_task": f"{HEA_QUBITS} qubits, {HEA_LAYERS} layers ry-rz + CZ ladder, "
                                     f"<Z0 Z1>, {HEA_BATCH} parameter sets"},
        "barren_plateau": summarise_bp(runs),
        "gradients": summarise_gradients(runs) if gradients else {},
    }
