"""Smoke tests of the benchmark harness on tiny inputs (structure and sane values, no timings)."""

from __future__ import annotations

import subprocess
import sys

import ipywidgets as widgets
import numpy as np
import pytest

from benchmarks import harness, report
from benchmarks.widgets import _sweep, control_values, measure_explorer
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
            "compute_s": lat, "draw_s": lat, "per_control": {"a": {"latency_s": lat}}}}},
    }
    rows = {r[0]: r for r in report.targets_table(results)}
    assert rows["slowest chapter, wall time"][3] == "**missed**"  # 100 s > 90 s
    assert rows["largest chapter, peak kernel RSS"][3] == "met"  # 0.5 GB
    assert rows["widget stub, p95 latency"][3] == "**missed**"  # p95 of 10/20/200 ms > 100 ms
    report.write(results, folder=tmp_path, notes="a note")
    text = (tmp_path / "RESULTS.md").read_text()
    assert "test cpu" in text and "01_a.ipynb" in text and "a note" in text
    assert (tmp_path / "notebooks.png").stat().st_size > 1000
    assert (tmp_path / "widgets.png").stat().st_size > 1000
    assert (tmp_path / "results.json").exists()
