"""Benchmark of the quantum core: the McClean kernel against its floor, and gradient throughput.

Run: ``python -m benchmarks --only quantum`` (or this file directly). The barren-plateau
experiment against the tutorial's code path and the other libraries is in ``peers.py`` (all
implementations in one run, on the same circuits). Figures are ``{name: {"value", "unit"}}``;
wall times depend on the machine and on what else runs on it, so the load average is
recorded at the start and the end.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import numpy as np

#: The heaviest slice of the tutorial setting: n = 12, depth 50, 2 x 200 shifted circuits.
KERNEL_N, KERNEL_DEPTH, KERNEL_ROWS = 12, 50, 400


def _median_time(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def kernel_figures(repeat: int = 3) -> dict[str, dict[str, Any]]:
    """The kernel on n = 12, depth 50, 400 rows, both precisions, and the work it does."""
    from clipq_edu._env import cpu_quota
    from clipq_edu.quantum import _statevector as S

    n, depth, rows = KERNEL_N, KERNEL_DEPTH, KERNEL_ROWS
    slots = np.random.default_rng(0).uniform(0, 2 * np.pi, (rows, depth, n, 3))
    diag = np.ones(2**n)
    figures: dict[str, dict[str, Any]] = {}
    gates = rows * depth * n  # one-qubit slot unitaries (three rotations each) applied
    for dtype in (np.complex64, np.complex128):
        name = np.dtype(dtype).name
        S.simulate_pure(slots[:8], n, diag, dtype=dtype)  # warm-up
        t = _median_time(lambda dtype=dtype: S.simulate_pure(slots, n, diag, dtype=dtype), repeat)
        figures[f"kernel_n12_{name}_s"] = {
            "value": t, "unit": f"s (n={n}, depth {depth}, {rows} circuits, "
                               f"{cpu_quota()} thread(s))"}
        figures[f"kernel_n12_{name}_slot_gates_per_s"] = {
            "value": gates / t, "unit": "one-qubit slot unitaries applied per second"}
        # Bytes one pass over every state moves (read + write), once per fused group per layer.
        passes = (depth - 1) * len(S._group_sizes(n)) + depth  # groups + the CZ diagonal
        moved = passes * 2 * rows * 2**n * np.dtype(dtype).itemsize
        figures[f"kernel_n12_{name}_state_traffic_gb_per_s"] = {
            "value": moved / t / 1e9, "unit": "GB/s of state read + written (cache or memory)"}
    return figures


def gradient_figures(repeat: int = 1) -> dict[str, dict[str, Any]]:
    """Full-gradient throughput: 6 qubits, 2 layers (24 parameters), <Z0 Z1>, 50 rows."""
    import cirq

    import clipq_edu  # noqa: F401  (sets the TensorFlow environment first)
    from clipq_edu._tf import tf, tfq
    from clipq_edu.quantum import circuits as C
    from clipq_edu.quantum import gradients as G

    circuit, syms = C.hardware_efficient_ansatz(6, 2)
    q = cirq.LineQubit.range(6)
    obs = cirq.Z(q[0]) * cirq.Z(q[1])
    batch = 50
    vals = np.random.default_rng(0).uniform(0, 2 * np.pi, (batch, len(syms)))
    figures: dict[str, dict[str, Any]] = {}
    unit = "gradients/s (24 params)"
    G.parameter_shift_gradient(circuit, syms, vals[:2], obs)  # warm the caches
    w = _median_time(lambda: G.parameter_shift_gradient(circuit, syms, vals, obs), repeat)
    figures["grad_clipq_parameter_shift_analytic"] = {"value": batch / w, "unit": unit}
    w = _median_time(lambda: G.parameter_shift_gradient(circuit, syms, vals, obs, shots=1000,
                                                        seed=0), repeat)
    figures["grad_clipq_parameter_shift_1000_shots"] = {"value": batch / w, "unit": unit}
    names = [s.name for s in syms]

    def tape(differentiator: Any, v: np.ndarray) -> np.ndarray:
        layer = tfq.layers.Expectation(differentiator=differentiator)
        var = tf.Variable(v.astype(np.float32))
        with tf.GradientTape() as t:
            out = layer(tfq.convert_to_tensor([circuit] * len(v)), symbol_names=names,
                        symbol_values=var, operators=tfq.convert_to_tensor([[obs]] * len(v)))
        return t.gradient(out, var).numpy()

    for label, make in (("adjoint", tfq.differentiators.Adjoint),
                        ("parameter_shift", tfq.differentiators.ParameterShift)):
        tape(make(), vals[:2])
        w = _median_time(lambda make=make: tape(make(), vals), repeat)
        figures[f"grad_tfq_{label}"] = {"value": batch / w, "unit": unit}
    return figures


def run(repeat: int = 1, log: Any = print) -> dict[str, Any]:
    """All quantum-core figures (kernel, then gradients), with the load average around them."""
    figures: dict[str, Any] = {
        "load_average_1min_at_start": {"value": os.getloadavg()[0], "unit": "processes"}}
    for part in (kernel_figures, gradient_figures):
        new = part(repeat=max(repeat, 1))
        for name, fig in new.items():
            log(f"  {name:45s} {fig['value']:12.4g} {fig['unit']}")
        figures.update(new)
    figures["load_average_1min_at_end"] = {"value": os.getloadavg()[0], "unit": "processes"}
    return figures


def main() -> dict[str, Any]:
    """Run and print the figures (JSON). The figures of record are written by
    ``python -m benchmarks --only quantum`` into ``results.json`` and RESULTS.md."""
    figures = run()
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
