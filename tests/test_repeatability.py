"""Repeatability: the same seed gives the same numbers in fresh processes and fresh kernels.

1. Every shot-based or seeded public function runs in two fresh Python processes (with
   different ``PYTHONHASHSEED``, so set/dict-order dependence would show) and the results
   must agree bit for bit; a third process with other seeds must differ (the seed is used).
2. Chapter notebooks with shot-based results (02 core concepts, 04 code example) are executed
   twice in fresh kernels; every cell not marked ``NBVAL_IGNORE_OUTPUT`` must produce the same
   text outputs (images and stderr are not compared, as under nbval).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]

# Each entry: a label and an expression evaluated with ``S`` (the first seed) and ``S2``.
_SCRIPT = textwrap.dedent('''
    import json, sys
    import numpy as np
    import cirq, sympy
    import clipq_edu as cq
    from clipq_edu import data, training
    from clipq_edu.quantum import circuits, gradients, landscapes, sampling
    from clipq_edu.course import analysis, costs

    S = int(sys.argv[1])
    q = cirq.LineQubit.range(2)
    a, b = sympy.symbols("a b")
    circ = cirq.Circuit(cirq.ry(a).on(q[0]), cirq.rx(b).on(q[1]), cirq.CNOT(*q))
    obs = cirq.Z(q[0]) * cirq.Z(q[1]) + 0.5 * cirq.X(q[0])
    bell = circuits.bell_circuit(measure=True)
    vals = [0.3, 0.7]
    batch = [[0.3, 0.7], [1.1, -0.4]]

    def enc(x):
        if isinstance(x, dict):
            return {str(k): enc(v) for k, v in sorted(x.items(), key=lambda kv: str(kv[0]))}
        if isinstance(x, (list, tuple)):
            return [enc(v) for v in x]
        if hasattr(x, "x_train"):
            return enc([x.x_train, x.y_train, x.x_test, x.y_test])
        arr = np.asarray(x)
        if arr.dtype.kind in "fc":
            return [float(v).hex() for v in arr.astype(np.float64).ravel()] + [list(arr.shape)]
        return arr.ravel().tolist()

    cases = {
        "sample_expectation tfq": lambda: sampling.sample_expectation(
            circ, obs, 200, [a, b], batch, seed=S, backend="tfq"),
        "sample_expectation cirq": lambda: sampling.sample_expectation(
            circ, obs, 200, [a, b], vals, seed=S, backend="cirq"),
        "sample_counts": lambda: sampling.sample_counts(bell, 300, seed=S),
        "parameter_shift shots": lambda: gradients.parameter_shift_gradient(
            circ, [a, b], vals, obs, shots=200, seed=S),
        "finite_difference shots": lambda: gradients.finite_difference_gradient(
            circ, [a, b], vals, obs, h=0.1, shots=200, seed=S),
        "spsa shots": lambda: gradients.spsa_gradient(
            circ, [a, b], vals, obs, n_samples=3, shots=200, seed=S),
        "ShotEstimator": lambda: training.ShotEstimator(200, seed=S)(
            circ, [a, b], vals, obs, target=0.2)[0],
        "ShotBasedOptimizer gradients": lambda: training.train_circuit_from_shots(
            circ, [a, b], obs, None, vals, steps=4, shots=100, clip=("norm", 0.5),
            seed=S).params,
        "ShotBasedOptimizer target": lambda: training.train_circuit_from_shots(
            circ, [a, b], obs, 0.2, vals, steps=4, shots=100, clip=("value", 0.3),
            seed=S).params,
        "barren_plateau_variance": lambda: landscapes.barren_plateau_variance(
            [2, 3], depth=4, n_circuits=20, seed=S),
        "barren_plateau identity": lambda: landscapes.barren_plateau_variance(
            [2, 3], depth=8, n_circuits=20, seed=S, init="identity", block_layers=4),
        "barren_plateau_tutorial_style": lambda: landscapes.barren_plateau_tutorial_style(
            [2, 3], depth=3, n_circuits=8, seed=S),
        "cost_gradient_variance": lambda: landscapes.cost_gradient_variance(
            [2, 3], cost="local", n_samples=30, seed=S),
        "depth_dependence": lambda: landscapes.depth_dependence(
            2, depths=(1, 2), n_circuits=10, seed=S),
        "mcclean_random_values": lambda: circuits.mcclean_random_values(2, 3, 4, seed=S),
        "landscapes.gradient_samples noisy": lambda: landscapes.gradient_samples(
            2, 2, n_circuits=6, seed=S, p=0.05),
        "landscapes.product_cost_gradient_samples": lambda: (
            landscapes.product_cost_gradient_samples(
            3, "global", n_samples=50, seed=S)),
        "analysis.gradient_estimates": lambda: analysis.gradient_estimates(
            "parameter_shift", shots=50, n_repeats=30, seed=S),
        "analysis.gradient_estimates spsa": lambda: analysis.gradient_estimates(
            "spsa", shots=50, n_repeats=30, seed=S),
        "analysis.clipped_estimate_stats": lambda: analysis.clipped_estimate_stats(
            [10, 100], 0.5, n_repeats=30, seed=S),
        "analysis.clipping_angles": lambda: analysis.clipping_angles(n_samples=30, seed=S),
        "costs.shot_error_scaling": lambda: costs.shot_error_scaling(
            circuits.bell_circuit(), [10, 100], "00", repeats=10, seed=S),
        "data.moons": lambda: data.moons(40, seed=S),
        "data.article_task": lambda: data.article_task(40, seed=S),
    }
    out = {k: enc(f()) for k, f in cases.items()}
    print("RESULT" + json.dumps(out))
''')


def _run_all(seed: int, hashseed: str) -> dict:
    env = dict(os.environ, PYTHONHASHSEED=hashseed, TF_USE_LEGACY_KERAS="1",
               TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, "-c", _SCRIPT, str(seed)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("RESULT"))
    return json.loads(line[len("RESULT"):])


@pytest.mark.timeout(1200)
def test_seeded_functions_agree_bit_for_bit_across_fresh_processes():
    first = _run_all(11, "0")
    second = _run_all(11, "12345")
    other = _run_all(12, "0")
    assert first.keys() == second.keys() == other.keys()
    differ = [k for k in first if first[k] != second[k]]
    assert not differ, f"same seed, different numbers in a fresh process: {differ}"
    ignored = [k for k in first if first[k] == other[k]]
    assert not ignored, f"changing the seed changed nothing (seed ignored?): {ignored}"


# --------------------------------------------------------------------------------------------
# Notebooks executed twice
# --------------------------------------------------------------------------------------------
NOTEBOOKS = ["02_core_concepts.ipynb", "04_code_example.ipynb"]


def _checked_text_outputs(nb) -> list[tuple[int, str]]:
    """Text outputs of the cells nbval compares: not NBVAL_IGNORE_OUTPUT, no stderr/images."""
    import re

    sanitize = []
    cfg = ROOT / "tests" / "nbval_sanitize.cfg"
    if cfg.exists():
        lines = [ln for ln in cfg.read_text(encoding="utf-8").splitlines()
                 if ln.strip().startswith(("regex", "replace"))]
        for i in range(0, len(lines) - 1, 2):
            pat = lines[i].split(":", 1)[1].strip()
            rep = lines[i + 1].split(":", 1)[1].strip()
            sanitize.append((re.compile(pat), rep))
    result = []
    for i, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type != "code" or "nbval-ignore-output" in tags or "nbval-skip" in tags:
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                if out.name == "stderr":
                    continue
                text = out.text
            elif out.output_type in ("execute_result", "display_data"):
                text = out.get("data", {}).get("text/plain", "")
            elif out.output_type == "error":
                text = f"{out.ename}: {out.evalue}"
            else:
                continue
            for pat, rep in sanitize:
                text = pat.sub(rep, text)
            result.append((i, text))
    return result


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_gives_identical_checked_outputs_in_two_fresh_kernels(name, tmp_path,
                                                                        monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import run_notebooks
    finally:
        sys.path.remove(str(ROOT / "tools"))
    monkeypatch.setenv("JUPYTER_PATH", run_notebooks.kernel_dir())
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    src = ROOT / "notebooks" / name
    if not src.exists():
        pytest.skip(f"{name} not in this checkout")
    runs = []
    for k in range(2):
        copy = tmp_path / f"run{k}" / name
        copy.parent.mkdir()
        shutil.copy(src, copy)
        run_notebooks.execute(copy, timeout=300)
        runs.append(nbformat.read(copy, as_version=4))
    first, second = (_checked_text_outputs(nb) for nb in runs)
    assert len(first) > 3, "too few checked outputs to compare"
    assert [c for c, _ in first] == [c for c, _ in second]
    diff = [(c, a, b) for (c, a), (_, b) in zip(first, second, strict=True) if a != b]
    assert not diff, "cells whose checked output differs between two runs:\n" + "\n".join(
        f"cell {c}:\n  {a[:300]!r}\n  {b[:300]!r}" for c, a, b in diff)
    # and the fresh runs agree with the committed outputs nbval compares against
    stored = _checked_text_outputs(nbformat.read(src, as_version=4))
    assert [c for c, _ in stored] == [c for c, _ in first]
