"""Smoke tests of the benchmark harness on tiny inputs (structure and sane values, no timings)."""

from __future__ import annotations

import subprocess
import sys

import ipywidgets as widgets
import numpy as np
import pytest

from benchmarks import harness, report
from benchmarks.widgets import (
    _sweep,
    control_values,
    first_visit_table,
    first_visits,
    measure_explorer,
)
from clipq_edu.widgets import Explorer


def test_summarize_matches_numpy_order_statistics():
    s = harness.summarize([4.0, 1.0, 3.0, 2.0])
    assert s["median"] == 2.5
    assert s["p95"] == pytest.approx(1 + 0.95 * 3)  # linear interpolation between 1 and 4
    assert (s["min"], s["max"], s["n"]) == (1.0, 4.0, 4)


@pytest.mark.parametrize("bad", [[], [1.0, float("nan")]])
def test_summarize_rejects_empty_and_nan(bad):
    with pytest.raises(ValueError, match="samples"):
        harness.summarize(bad)


def test_rss_sampler_sees_memory_of_a_grandchild():
    size = 150_000_000
    code = f"import time; b = b'x' * {size}; time.sleep(1.0)"
    # A shell between us and the allocating Python: the sampler must sum the whole tree.
    proc = subprocess.Popen(["/bin/sh", "-c", f'"{sys.executable}" -c "{code}"; true'])
    with harness.RssSampler(proc.pid, interval_s=0.05) as sampler:
        proc.wait(timeout=30)
    assert sampler.n_samples >= 3
    assert size <= sampler.peak_bytes < size + 300_000_000


def test_rss_sampler_rejects_bad_interval_and_tolerates_gone_process():
    with pytest.raises(ValueError, match="interval_s"):
        harness.RssSampler(interval_s=0)
    assert harness.tree_rss(2**22 + 12345) == 0  # beyond pid_max on Linux: no such process


def test_run_json_returns_the_last_line_and_wall_time():
    out = harness.run_json("import json; print('noise'); print(json.dumps({'x': 6 * 7}))")
    assert out["x"] == 42 and out["wall_s"] > 0


def test_control_values_cover_each_range_end_to_end():
    assert control_values(widgets.IntSlider(value=3, min=0, max=10), k=6) == [0, 2, 4, 6, 8, 10]
    log = control_values(widgets.FloatLogSlider(value=1, base=10, min=-2, max=2), k=5)
    assert log == pytest.approx([0.01, 0.1, 1, 10, 100])
    assert control_values(widgets.Dropdown(options=[("a", 1), ("b", 2)], value=1)) == [1, 2]
    assert control_values(widgets.SelectionSlider(options=(1, 3, 10), value=3)) == [1, 3, 10]
    assert control_values(widgets.Checkbox(value=True)) == [False, True]
    assert control_values(widgets.Text(value="free text")) == []
    assert _sweep([1, 2, 3], 7) == [1, 2, 3, 2, 1, 2, 3]


class _Parabola(Explorer):
    """A stub explorer: y = a x**2 on a grid; computing is counted, drawing is a line."""

    def __init__(self) -> None:
        self.computed = 0
        super().__init__({"a": widgets.FloatSlider(value=1.0, min=-2.0, max=2.0, step=0.5),
                          "grid": widgets.IntSlider(value=5, min=3, max=9)}, title="stub")

    def compute(self, a: float, grid: int) -> dict:
        self.computed += 1
        x = np.linspace(-1, 1, grid)
        return {"x": x, "y": a * x**2}

    def draw(self, figure, data) -> None:
        figure.add_subplot().plot(data["x"], data["y"])


def test_measure_explorer_on_a_stub_counts_changes_and_revisits():
    ex = _Parabola()
    r = measure_explorer(ex, n_changes=30, k=4)
    assert r["n_changes"] >= 30 and r["latency_s"]["n"] == r["n_changes"]
    # Sweeping forth and back over 4 values revisits combinations already shown.
    assert r["revisit_s"]["n"] > 0 and r["first_visit_s"]["n"] > 0
    assert r["first_visit_s"]["n"] + r["revisit_s"]["n"] == r["n_changes"]
    assert ex.computed >= r["n_changes"]  # one refresh per change (plus the initial one)
    assert set(r["per_control"]) == {"a", "grid"}
    assert r["compute_s"]["min"] >= 0 and r["latency_s"]["min"] > 0
    assert ex.values() == {"a": 1.0, "grid": 5}  # controls restored


def test_first_visits_time_each_new_setting_once_on_fresh_explorers():
    built = []

    def build(name):
        built.append(_Parabola())
        return built[-1]

    r = first_visits(["stub"], k=4, build=build)["stub"]
    # Every value of each control that makes a setting not shown before is timed once.
    changes = r["changes"]
    assert len({(c, v) for c, v, _ in changes}) == len(changes) == r["first_visit_s"]["n"]
    assert {c for c, _, _ in changes} == {"a", "grid"}
    assert all(e.prefetch_neighbours is False for e in built[1:])
    assert len(built) == 3  # the probe, then one fresh explorer per control
    assert r["worst"]["s"] == max(s for _, _, s in changes)
    assert "| stub | " in first_visit_table({"stub": r})


def test_report_writes_json_markdown_and_plots(tmp_path):
    lat = harness.summarize([0.01, 0.02, 0.2])
    results = {
        "machine": {"cpu_model": "test cpu", "cpus_usable": 2, "cpus_host": 2,
                    "memory_total_gb": 1.0, "memory_limit_gb": None, "os": "Linux",
                    "machine": "x86_64", "python": "3.11", "versions": {"numpy": "2"},
                    "load_average_at_start": [0.0], "date_utc": "today"},
        "repeat": 1, "sections": ["notebooks", "widgets"],
        "notebooks": {"notebooks": {"01_a.ipynb": {
            "wall_s": harness.summarize([100.0]), "peak_rss_bytes": harness.summarize([5e8]),
            "slowest_cells": [], "errors": []}}, "total_wall_s": 100.0},
        "widgets": {"explorers": {"stub": {
            "n_changes": 3, "latency_s": lat, "first_visit_s": lat, "revisit_s": None,
            "compute_s": lat, "draw_s": lat, "per_control": {"a": {"latency_s": lat}},
            "fresh_first_visit_s": lat,
            "fresh_first_visit_worst": {"control": "a", "value": "2.0", "s": 0.25}}}},
    }
    rows = {r[0]: r for r in report.targets_table(results)}
    assert rows["slowest chapter, wall time"][3] == "**missed**"  # 100 s > 90 s
    assert rows["largest chapter, peak kernel RSS"][3] == "met"  # 0.5 GB
    assert rows["widget stub, p95 latency"][3] == "**missed**"  # p95 of 10/20/200 ms > 100 ms
    assert rows["widget stub, first-visit p95 (nothing cached)"][3] == "**missed**"
    assert rows["widget stub, worst first visit"][1].startswith("250 ms")
    report.write(results, folder=tmp_path, notes="a note")
    text = (tmp_path / "RESULTS.md").read_text()
    assert "test cpu" in text and "01_a.ipynb" in text and "a note" in text
    assert (tmp_path / "notebooks.png").stat().st_size > 1000
    assert (tmp_path / "widgets.png").stat().st_size > 1000
    assert (tmp_path / "results.json").exists()


# --------------------------------------------------------------------------------------------
# Barren-plateau peers: summary arithmetic and RESULTS.md generated from results.json alone
# --------------------------------------------------------------------------------------------
def _fake_bp_run(scale: float) -> dict:
    """One run of peers.run_once's shape: per implementation, per n, seconds and variance."""
    def per_n(seconds, var, warm=None):
        out = {}
        for n, s in zip(("4", "12"), seconds, strict=True):
            out[n] = {"seconds": s * scale, "variance": var[n], "grads_head": None}
            if warm is not None:
                out[n]["warm_s"] = warm * scale
        return out

    var = {"4": 0.02, "12": 0.002}
    return {
        "bp": {
            "clipq_edu numpy engine": per_n((0.5, 1.5), var),
            "tfq tutorial code path": per_n((20.0, 60.0), {"4": 0.0201, "12": 0.002}),
            "pennylane lightning.qubit/batched": per_n((0.4, 1.2), var),  # faster than ours
            "tensorcircuit-ng jit+vmap+scan": per_n((5.0, 5.0), var, warm=0.5),
        },
        "gradients": {
            "clipq_edu parameter shift/analytic": {"gradients_per_s": 10.0, "first": [0.1, 0.2]},
            "clipq_edu parameter shift/shots=1000": {"gradients_per_s": 20.0, "first": [0.1, 0.3]},
            "pennylane lightning.qubit/adjoint/analytic": {"gradients_per_s": 50.0,
                                                           "first": [0.1, 0.25]},
        },
        "versions": {"pennylane": "0.44.1", "tensorcircuit-ng": "1.10.0"},
        "load_average_1min": [3.0, 5.0],
    }


def test_summarise_bp_takes_ratios_within_each_run():
    from benchmarks import peers

    runs = [_fake_bp_run(1.0), _fake_bp_run(3.0)]  # a loaded second run: ratios unchanged
    bp = peers.summarise_bp(runs)
    ours = bp["clipq_edu numpy engine"]
    assert ours["total_s"]["median"] == pytest.approx((2.0 + 6.0) / 2)
    assert "time_ratio_vs_reference" not in ours
    tut = bp["tfq tutorial code path"]
    assert tut["time_ratio_vs_reference"]["median"] == pytest.approx(40.0)
    assert tut["max_rel_variance_diff_vs_reference"] == pytest.approx(0.005)
    tc = bp["tensorcircuit-ng jit+vmap+scan"]
    assert tc["time_ratio_vs_reference"]["median"] == pytest.approx(5.0)
    assert tc["warm_time_ratio_vs_reference"]["median"] == pytest.approx(0.5)
    assert bp["pennylane lightning.qubit/batched"]["per_n_s"]["12"]["median"] == pytest.approx(2.4)
    # A peer's ratio uses the reference timed right before it when the run recorded one.
    slow = _fake_bp_run(1.0)
    slow["adjacent_reference"] = {"tensorcircuit-ng jit+vmap+scan": {
        "4": {"seconds": 2.0}, "12": {"seconds": 3.0}}}
    adj = peers.summarise_bp([slow])["tensorcircuit-ng jit+vmap+scan"]
    assert adj["time_ratio_vs_reference"]["median"] == pytest.approx(10.0 / 5.0)
    assert adj["adjacent_reference_total_s"]["median"] == pytest.approx(5.0)
    assert peers.summarise_bp([slow])["tfq tutorial code path"]["time_ratio_vs_reference"][
        "median"] == pytest.approx(40.0)  # no adjacent timing: the main one
    grads = peers.summarise_gradients(runs)
    lightning = grads["pennylane lightning.qubit/adjoint/analytic"]
    assert lightning["speed_ratio_vs_clipq_edu"]["median"] == pytest.approx(5.0)
    assert lightning["max_abs_diff_first_gradient_vs_clipq_edu"] == pytest.approx(0.05)


def _fake_results() -> dict:
    from benchmarks import peers

    runs = [_fake_bp_run(1.0)]
    return {
        "machine": {"cpu_model": "test cpu", "cpus_usable": 2, "cpus_host": 2,
                    "memory_total_gb": 1.0, "memory_limit_gb": None, "os": "Linux",
                    "machine": "x86_64", "python": "3.11", "versions": {"numpy": "2"},
                    "load_average_at_start": [4.5, 3.0, 2.0], "date_utc": "today"},
        "repeat": 1, "sections": ["quantum", "peers"],
        "quantum": {"source": "fake", "kernel_n12_complex64_s": {"value": 0.25, "unit": "s"}},
        "peers": {
            "versions": runs[0]["versions"], "reference": peers.REFERENCE,
            "load_average_1min": [r["load_average_1min"] for r in runs],
            "setting": {"qubits": [4, 12], "depth": 50, "n_circuits": 200,
                        "gradient_task": "fake task"},
            "barren_plateau": peers.summarise_bp(runs),
            "gradients": peers.summarise_gradients(runs),
        },
    }


def test_report_of_the_bp_peers_targets_and_findings(tmp_path):
    results = _fake_results()
    rows = {r[0]: r for r in report.targets_table(results)}
    ref = "clipq_edu numpy engine"
    assert rows[f"barren plateau, full setting, {ref}, wall"][1:] == ("2.00 s", "<= 6 s", "met")
    tut = rows["barren plateau, speed-up over the tfq tutorial code path (same run)"]
    assert tut[1:] == ("40.0x", ">= 20x", "met")
    pl = rows[f"barren plateau, pennylane lightning.qubit/batched time / {ref} time (same run)"]
    assert pl[1:] == ("0.80", "> 1", "**missed**")
    tc = f"barren plateau, tensorcircuit-ng jit+vmap+scan time / {ref} time (same run)"
    assert rows[tc][1:] == ("5.00", "> 1", "met")
    warm = f"barren plateau, tensorcircuit-ng jit+vmap+scan warm (compile excluded) / {ref}"
    assert rows[warm][1:] == ("0.50", "> 1", "**missed**")

    report.write(results, folder=tmp_path, notes="Explained by hand.")
    text = (tmp_path / "RESULTS.md").read_text()
    assert "measured under load" in text  # 4.5 > half of 2 cores, from the recorded figure
    assert "| tfq tutorial code path | 80.00 s |  |  | 40.00 | 2.0000e-03 (n=12) | 5.0e-03 |" in text
    assert "| tensorcircuit-ng jit+vmap+scan | 10.00 s | 1.00 s |  | 5.00 |" in text
    assert "- pennylane lightning.qubit/batched: **faster** than" in text
    assert "Without its compile (a second, warm call) it is **faster**: 0.50x." in text
    assert "tensorcircuit-ng 1.10.0" in text and "Explained by hand." in text
    assert (tmp_path / "barren_plateau_peers.png").stat().st_size > 1000


def test_results_md_is_a_function_of_results_json_alone(tmp_path):
    import json

    report.write(_fake_results(), folder=tmp_path, notes="notes")
    stored = json.loads((tmp_path / "results.json").read_text())
    again = report.markdown(stored, report.plots(stored, tmp_path), "notes")
    assert (tmp_path / "RESULTS.md").read_text() == again


def test_report_still_reads_the_previous_peers_layout():
    results = _fake_results()
    bp = results["peers"]["barren_plateau"]
    old = {"clipq_edu": bp["clipq_edu numpy engine"],
           "pennylane lightning.qubit/batched": dict(bp["pennylane lightning.qubit/batched"])}
    old["pennylane lightning.qubit/batched"]["time_ratio_vs_clipq_edu"] = old[
        "pennylane lightning.qubit/batched"].pop("time_ratio_vs_reference")
    results["peers"] = {"pennylane_version": "0.44.1", "barren_plateau": old, "gradients": {},
                        "setting": results["peers"]["setting"]}
    rows = {r[0]: r for r in report.targets_table(results)}
    assert rows["barren plateau, full setting, clipq_edu, wall"][3] == "met"
    assert any("pennylane 0.44.1" in line for line in report.peers_markdown(results))


def test_hand_written_notes_state_no_figures():
    """NOTES.md explains; every figure comes from results.json (issue 15, deliverable 5)."""
    import re

    from benchmarks import BENCH_DIR

    text = (BENCH_DIR / "NOTES.md").read_text(encoding="utf-8")
    text = re.sub(r"`[^`]*`", "", text)  # code spans name things (complex64, n_circuits=200)
    figure = re.compile(r"\d[\d.,]*\s*(?:s|ms|µs|GB|MB|GiB|MiB|%|x|times)\b|load average \S*\d")
    assert figure.findall(text) == []


def test_first_quantum_cell_is_recognised():
    from benchmarks.notebooks import QUANTUM_CELL

    for source in ("print(circuits.circuit_diagram(bell))", "tf, tfq = cq.load_tensorflow()\nx = tfq.layers.PQC(c, o)",
                   "ours = simulate.mcclean_expectation(v, n_qubits=4, depth=5)",
                   "cq.quantum.circuits.qubits(30)"):
        assert QUANTUM_CELL.search(source), source
    for source in ("plain = toys.gradient_descent(toys.quartic_grad, 10.0)", "import cirq",
                   "r = analysis.clipped_norms(norms, bound=1.0)"):
        assert not QUANTUM_CELL.search(source), source
