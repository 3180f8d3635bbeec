"""Benchmark of the quantum core: barren-plateau experiment and gradient throughput.

Run: ``.venv/bin/python benchmarks/bench_quantum.py`` (takes a few minutes). Prints the
figures and writes them to ``benchmarks/results_quantum.json`` as
``{name: {"value": ..., "unit": ...}}``. Wall times depend on the machine and on what else runs
on it; CPU seconds (all threads of this process) are printed beside them.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cirq
import numpy as np

import clipq_edu  # noqa: F401  (sets the TensorFlow environment first)
from clipq_edu import circuits as C
from clipq_edu import experiments as E
from clipq_edu import gradients as G
from clipq_edu._tf import tf, tfq

OUT = Path(__file__).with_name("results_quantum.json")


def timed(fn, *args, **kwargs):
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - w0, time.process_time() - c0


def tape_gradients(differentiator, circuit, syms, vals, obs):
    layer = tfq.layers.Expectation(differentiator=differentiator)
    programs = tfq.convert_to_tensor([circuit] * len(vals))
    var = tf.Variable(vals.astype(np.float32))
    with tf.GradientTape() as tape:
        out = layer(programs, symbol_names=syms, symbol_values=var,
                    operators=tfq.convert_to_tensor([[obs]] * len(vals)))
    return tape.gradient(out, var).numpy()


def main() -> dict:
    figures: dict[str, dict] = {}

    def put(name, value, unit):
        figures[name] = {"value": float(value), "unit": unit}
        print(f"{name:45s} {value:12.4g} {unit}")

    figures["load_average_1min_at_start"] = {"value": os.getloadavg()[0], "unit": "processes"}
    E.barren_plateau_variance([4], depth=5, n_circuits=10)  # warm up TF and TFQ

    # 1. the tutorial's full setting, our way
    full, wall, cpu = timed(E.barren_plateau_variance, [4, 6, 8, 10, 12], depth=50,
                            n_circuits=200, seed=0)
    put("bp_full_wall", wall, "s (n=4..12 step 2, depth 50, 200 circuits)")
    put("bp_full_cpu", cpu, "CPU s")
    for n, v in full.items():
        put(f"bp_full_variance_n{n}", v, "(d<Z0Z1>/dtheta)^2")
    put("bp_full_log2_slope", E.fit_decay_rate(full)[0], "log2 variance per qubit")

    # 2. both approaches at a reduced size, in one run
    small = dict(n_qubits=[4, 6, 8], depth=20, n_circuits=40, seed=0)
    _, w_ours, c_ours = timed(E.barren_plateau_variance, **small)
    _, w_tut, c_tut = timed(E.barren_plateau_tutorial_style, **small)
    put("bp_reduced_ours_wall", w_ours, "s (n=4,6,8, depth 20, 40 circuits)")
    put("bp_reduced_tutorial_style_wall", w_tut, "s (same setting)")
    put("bp_reduced_speedup", w_tut / w_ours, "x (wall, tutorial style / ours)")
    put("bp_reduced_speedup_cpu", c_tut / c_ours, "x (CPU, tutorial style / ours)")

    # 2b. both approaches on the costliest slice of the full setting: n=12, depth 50, 200
    big = dict(n_qubits=[12], depth=50, n_circuits=200, seed=0)
    E._mcclean.cache_clear()  # ours pays its one conversion too
    _, w_ours, c_ours = timed(E.barren_plateau_variance, **big)
    _, w_tut, c_tut = timed(E.barren_plateau_tutorial_style, **big)
    put("bp_n12_ours_wall", w_ours, "s (n=12, depth 50, 200 circuits)")
    put("bp_n12_tutorial_style_wall", w_tut, "s (same setting)")
    put("bp_n12_speedup", w_tut / w_ours, "x (wall, tutorial style / ours)")
    put("bp_n12_speedup_cpu", c_tut / c_ours, "x (CPU, tutorial style / ours)")

    # 3. gradient throughput: 6 qubits, 2 layers (24 parameters), Z0 Z1
    circuit, syms = C.hardware_efficient_ansatz(6, 2)
    q = cirq.LineQubit.range(6)
    obs = cirq.Z(q[0]) * cirq.Z(q[1])
    batch = 50
    vals = np.random.default_rng(0).uniform(0, 2 * np.pi, (batch, len(syms)))
    G.parameter_shift_gradient(circuit, syms, vals[:2], obs)  # warm the caches
    _, w, _ = timed(G.parameter_shift_gradient, circuit, syms, vals, obs)
    put("grad_clipq_parameter_shift_analytic", batch / w, "gradients/s (24 params)")
    _, w, _ = timed(G.parameter_shift_gradient, circuit, syms, vals, obs, shots=1000, seed=0)
    put("grad_clipq_parameter_shift_1000_shots", batch / w, "gradients/s (24 params)")
    names = [s.name for s in syms]
    for label, make in (("adjoint", tfq.differentiators.Adjoint),
                        ("parameter_shift", tfq.differentiators.ParameterShift)):
        tape_gradients(make(), circuit, names, vals[:2], obs)
        _, w, _ = timed(tape_gradients, make(), circuit, names, vals, obs)
        put(f"grad_tfq_{label}", batch / w, "gradients/s (24 params)")

    figures["load_average_1min_at_end"] = {"value": os.getloadavg()[0], "unit": "processes"}
    OUT.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return figures


if __name__ == "__main__":
    main()
