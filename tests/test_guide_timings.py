"""The instructor guide's run-time table is generated from benchmarks/results.json (issue 28)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("guide_timings",
                                               ROOT / "tools" / "guide_timings.py")
guide_timings = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(guide_timings)


def test_the_guides_timing_block_is_current() -> None:
    results = json.loads(guide_timings.RESULTS.read_text(encoding="utf-8"))
    block = guide_timings.render(results)
    assert block in guide_timings.GUIDE.read_text(encoding="utf-8"), (
        "docs/instructors.md's timings block is stale: run `python tools/guide_timings.py "
        "--write`")


def test_every_benchmarked_notebook_has_a_row_with_its_median() -> None:
    results = {"repeat": 3, "machine": {"cpus_usable": 2, "date_utc": "2026-12-06"},
               "notebooks": {"total_wall_s": 12.0, "notebooks": {
                   "02_core_concepts.ipynb": {"wall_s": {"median": 9.4},
                                              "peak_rss_bytes": {"median": 7.8e8}},
                   "09_new.ipynb": {"wall_s": 3.0, "peak_rss_bytes": 1e8}}}}
    block = guide_timings.render(results)
    assert "| `02_core_concepts` | 9 s, 0.78 GB | 40 min | yes (the core) |" in block
    assert "| `09_new` | 3 s, 0.10 GB | – | – |" in block
    assert "median of 3 runs" in block and "whole course 12 s" in block
    with pytest.raises(ValueError, match="no <!-- timings:begin -->"):
        guide_timings.replace_block("no block here", block)
