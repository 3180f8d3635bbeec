"""The Explorer base class: validation messages instead of tracebacks, redraw from data."""

from __future__ import annotations

import base64

import ipywidgets as w
import numpy as np
import pytest

from clipq_edu._lru import LRU
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


class Bars(Explorer):
    """An explorer drawn in place: bars and a title made once, updated by ``draw``."""

    def __init__(self, slow=False):
        self.computed = 0
        self.slow = slow
        self.messages_seen = []
        super().__init__({"c": w.FloatSlider(value=1.0, min=0.0, max=3.0, step=0.5),
                          "label": w.Dropdown(options=["a", "b"], value="a")}, title="bars")

    def is_cached(self, c, label):
        return not self.slow

    def compute(self, c, label):
        self.computed += 1
        self.messages_seen.append(self._message.value)
        return {"heights": np.array([c, 2 * c]), "label": label}

    def build(self, figure):
        ax = figure.add_subplot()
        self.bars = ax.bar([0, 1], [0, 0])
        ax.set_ylim(0, 7)
        self.legend = ax.legend([self.bars], [""], loc="upper left", framealpha=1)
        for artist in (*self.bars, self.legend, ax.title):
            artist.set_animated(True)
        self.ax = ax

    def draw(self, figure, data):
        for bar, h in zip(self.bars, data["heights"], strict=True):
            bar.set_height(h)
        self.ax.set_title(f"{data['label']}: c = {data['heights'][0]}")
        self.legend.get_texts()[0].set_text(f"bars for c = {data['heights'][0]}")


def test_in_place_explorer_keeps_its_artists_across_changes():
    e = Bars()
    axes, bars = list(e.figure.axes), list(e.bars)
    e.set(c=2.5, label="b")
    assert e.figure.axes == axes and len(e.figure.axes) == 1
    assert all(a is b for a, b in zip(e.bars, bars, strict=True))
    assert [b.get_height() for b in e.bars] == [2.5, 5.0]
    assert e.ax.get_title() == "b: c = 2.5"


def test_layout_is_computed_once_then_fixed():
    e = Bars()
    e.png()
    position = e.ax.get_position().bounds
    assert e.figure.get_layout_engine().__class__.__name__ == "PlaceHolderLayoutEngine"
    e.set(c=3.0)
    e.png()
    assert e.ax.get_position().bounds == position


def test_blitted_picture_equals_a_full_redraw():
    e = Bars()
    e.png()  # renders the background once
    pictures = {}
    for c in (2.0, 3.0, 2.0):  # the second 2.0 pastes the legend's remembered pixels
        e.set(c=c, label="b")
        e.png()
        pictures.setdefault(c, []).append(np.asarray(e.renderer.canvas.buffer_rgba()).copy())
    assert len(e.renderer.legend_pixels) == 3  # legends for c = 1, 2, 3
    for artist in e.renderer.animated:
        artist.set_animated(False)
    e.renderer.canvas.draw()
    full = np.asarray(e.renderer.canvas.buffer_rgba())
    assert np.array_equal(pictures[2.0][0], full)
    assert np.array_equal(pictures[2.0][1], full)
    assert not np.array_equal(pictures[3.0][0], full)


def test_front_end_bursts_render_once_with_the_latest_value():
    e = Bars()
    pending = []
    e.scheduler = pending.append  # stands in for the kernel's event loop
    e.prefetch_neighbours = False  # tested below
    before = e.computed
    for v in (1.5, 2.0, 2.5):  # what a slider drag delivers, one message per value
        e.controls["c"].set_state({"value": v})
    assert e.computed == before and len(pending) == 1  # nothing rendered yet, one render queued
    pending.pop()()
    assert e.computed == before + 1 and list(e.state["heights"]) == [2.5, 5.0]
    e.controls["c"].set_state({"value": 0.5})
    e.flush()  # a cell (or a test) can ask for the pending render now
    assert e.computed == before + 2 and e.state["heights"][0] == 0.5
    pending.pop()()  # the scheduled call finds nothing left to do
    assert e.computed == before + 2
    e.controls["c"].value = 3.0  # changes made from Python render at once
    assert e.computed == before + 3 and e.state["heights"][0] == 3.0 and not pending
    e.controls["label"].set_state({"index": 1})  # selections sync their index, not the value
    assert e.computed == before + 3 and len(pending) == 1
    pending.pop()()
    assert e.computed == before + 4 and e.state["label"] == "b"


def test_rendered_pictures_are_cached_in_a_bounded_lru():
    e = Bars()
    e.send_images = True  # as in a kernel: every change sends a PNG
    e.png_cache_size = 3
    for c in (0.5, 1.0, 1.5, 2.0, 2.5):
        e.set(c=c)
    assert len(e.renderer.pngs) == 3
    renders = e.renders
    e.set(c=2.0)  # shown two changes ago: from the cache, no render
    assert e.renders == renders
    assert e._image.value == e.renderer.pngs.get(e.setting_key)
    e.set(c=0.5)  # evicted: rendered again
    assert e.renders == renders + 1 and len(e.renderer.pngs) == 3


def test_mime_bundle_png_shows_the_current_setting_after_a_cache_hit():
    e = Bars()
    e.send_images = True
    e.set(c=1.0)
    first = e._image.value
    e.set(c=2.0)
    e.set(c=1.0)  # cache hit: the figure's artists still show c = 2
    png = base64.b64decode(e._repr_mimebundle_()["image/png"])
    assert png == first and png.startswith(b"\x89PNG")
    e.png_cache_size = 0
    e.renderer.pngs.clear()
    assert e.png() == first  # the figure is brought up to date before rendering
    assert [b.get_height() for b in e.bars] == [1.0, 2.0]


def test_a_slow_first_visit_says_computing_and_keeps_the_picture():
    e = Bars(slow=True)
    e.send_images = True
    picture = e._image.value
    e.messages_seen.clear()
    e.set(c=2.0)
    assert "computing" in e.messages_seen[0]
    assert e._image.value != picture and e.message == "" and e._message.value == ""
    e.controls["c"].set_state({"value": -1.0})  # clamped to 0.0: still valid
    assert e.message == ""


def test_lru_cache_evicts_the_least_recently_used():
    cache = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert "b" not in cache and cache.keys() == ["a", "c"] and len(cache) == 2
    calls = []
    assert cache.get_or_compute("d", lambda: calls.append(1) or 4) == 4
    assert cache.get_or_compute("d", lambda: calls.append(1) or 5) == 4 and calls == [1]
    assert LRU(0).get_or_compute("x", lambda: 7) == 7
    with pytest.raises(ValueError, match="maxsize"):
        LRU(-1)


def test_an_error_in_a_deferred_render_becomes_a_message():
    e = Bars()
    pending = []
    e.scheduler = pending.append

    def broken(**values):
        raise RuntimeError("no memory left")

    e.compute = broken
    e.controls["c"].set_state({"value": 2.0})
    pending.pop()()  # runs on the event loop in a kernel: must not raise there
    assert "RuntimeError: no memory left" in e.message
    assert not e._pending


def test_a_float_nudged_by_the_browser_finds_the_cached_picture():
    e = Bars()
    e.send_images = True
    e.set(c=1.5)
    e.set(c=2.0)
    renders = e.renders
    e.set(c=1.5000000000000002)  # what JavaScript's arithmetic may send for 1.5
    assert e.renders == renders and e.state["heights"][0] == 1.5000000000000002


def test_idle_kernel_prefetches_the_next_slider_notch():
    e = Bars()
    e.send_images = True
    pending = []
    e.scheduler = pending.append
    e.controls["c"].set_state({"value": 2.0})
    pending.pop()()  # the coalesced render, which queues the prefetch
    shown, renders = e._image.value, e.renders
    while pending:  # the idle event loop runs the prefetch steps, one picture each
        pending.pop()()
    assert e.renders == renders + 2  # c = 1.5 and c = 2.5 (label is not a slider)
    assert e.state["heights"][0] == 2.0 and e._image.value == shown  # nothing shown changed
    e.controls["c"].set_state({"value": 2.5})  # the next key press
    pending.pop()()
    assert e.renders == renders + 2 and e.state["heights"][0] == 2.5  # its picture was ready
    png = base64.b64decode(e._repr_mimebundle_()["image/png"])
    e.renderer.pngs.clear()
    assert e.png() == png  # the cached picture is the one a fresh render gives


def test_a_new_change_cancels_prefetching():
    e = Bars()
    e.send_images = True
    pending = []
    e.scheduler = pending.append
    e.controls["c"].set_state({"value": 2.0})
    pending.pop()()
    renders = e.renders
    e.controls["c"].set_state({"value": 0.5})  # arrives before the prefetch step runs
    for callback in list(pending):
        pending.remove(callback)
        callback()
    assert e.state["heights"][0] == 0.5
    assert e.renders == renders + 1  # only the real change was rendered, no prefetch


def test_slider_neighbours_stay_on_the_slider():
    from clipq_edu.widgets._base import _slider_neighbours

    assert _slider_neighbours(w.IntSlider(value=0, min=0, max=8, step=2)) == [2]
    assert _slider_neighbours(w.FloatSlider(value=1.0, min=0.0, max=3.0, step=0.5)) == [0.5, 1.5]
    sel = w.SelectionSlider(options=[("ten", 10), ("twenty", 20), ("fifty", 50)], value=50)
    assert _slider_neighbours(sel) == [20]
    log = _slider_neighbours(w.FloatLogSlider(value=0.01, base=10, min=-4, max=0, step=0.5))
    assert log == pytest.approx([10**-2.5, 10**-1.5])
    assert _slider_neighbours(w.FloatLogSlider(value=1.0, base=10, min=-4, max=0)) == \
        pytest.approx([10**-0.1])
    assert _slider_neighbours(w.Dropdown(options=["a", "b"])) == []
