"""Every explorer's figure is readable: no two texts overlap (titles, labels, ticks, legends).

The notebooks' own figures are checked while they run (``clipq_edu._figcheck`` through
matplotlib's ``figure.hooks``); explorers draw on their own Agg canvas, so they are checked
here, at their default settings and at the slider ends the chapters use.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import clipq_edu as cq  # noqa: E402
from clipq_edu._figcheck import text_overlaps  # noqa: E402

SETTINGS = {
    "clip_geometry": [{}, {"gx": -4.0, "gy": 0.5, "bound": 3.0, "method": "norm"}],
    "shots_histogram": [{}, {"shots": 10}],
    "quartic_descent": [{}, {"learning_rate": 0.5, "clip": 0.1}],
    "gradient_estimators": [{}, {"shots": 10, "h": 0.01}],
    "training_telemetry": [{}],
    "barren_plateau": [{"qubits": 6, "depth": 40}],
}


def test_every_explorer_is_covered():
    assert set(cq.widgets.explorer_names()) == set(SETTINGS)


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_explorer_figure_has_no_overlapping_text(name):
    first, *others = SETTINGS[name]
    explorer = getattr(cq.widgets, name)(**first)
    explorer.flush() if hasattr(explorer, "flush") else None
    assert text_overlaps(explorer.figure) == [], name
    for change in others:
        explorer.set(**change)
        assert explorer.message == "", explorer.message
        assert text_overlaps(explorer.figure) == [], (name, change)
