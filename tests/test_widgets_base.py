"""The Explorer base class: validation messages instead of tracebacks, redraw from data."""

from __future__ import annotations

import ipywidgets as w
import numpy as np
import pytest

from clipq_edu.widgets import Explorer


class Line(Explorer):
    def __init__(self):
        self.computed = 0
        super().__init__({"c": w.FloatSlider(value=1.0, min=0.0, max=3.0),
                          "n": w.IntText(value=5)}, title="line")

    def validate(self, c, n):
        if c <= 0:
            return "c must be > 0"
        if n < 2:
            return f"n must be at least 2, got {n}"
        return None

    def compute(self, c, n):
        self.computed += 1
        return {"x": np.linspace(0, c, n)}

    def draw(self, figure, data):
        figure.add_subplot().plot(data["x"])


def test_set_redraws_once_and_exposes_state():
    e = Line()
    assert e.computed == 1 and e.state["x"][-1] == 1.0 and e.message == ""
    e.set(c=2.0, n=3)
    assert e.computed == 2 and list(e.state["x"]) == [0.0, 1.0, 2.0]


def test_invalid_values_show_message_and_keep_last_picture():
    e = Line().set(c=2.0)
    e.set(n=1)
    assert "at least 2" in e.message and e.state["x"][-1] == 2.0
    e.set(n=4)
    assert e.message == "" and len(e.state["x"]) == 4


def test_wrong_type_is_a_message_not_a_traceback():
    e = Line()
    e.set(n="many")
    assert "not accepted" in e.message


def test_unknown_control_is_an_error_for_programmers():
    with pytest.raises(ValueError, match="unknown control"):
        Line().set(zzz=1)


def test_mime_bundle_has_static_png_fallback():
    bundle = Line()._repr_mimebundle_()
    assert "image/png" in bundle and "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("line (c=1.0")


def test_explorer_names_stay_functions_after_their_module_is_imported():
    import importlib
    import types

    import clipq_edu as cq

    assert type(cq.widgets) is types.ModuleType  # a plain package: no __class__ swap
    names = cq.widgets.explorer_names()
    assert names == sorted(names) and len(names) == 6
    for name in names:
        importlib.import_module(f"clipq_edu.widgets._{name}")
        assert callable(getattr(cq.widgets, name)), name
        assert callable(getattr(cq.widgets, name)), f"{name} turned into a module"
        assert name in dir(cq.widgets)
    with pytest.raises(AttributeError, match="no attribute"):
        cq.widgets.no_such_explorer  # noqa: B018
