"""Callback latency of every explorer in ``clipq_edu.widgets``, measured in a real kernel.

An explorer is a function ``clipq_edu.widgets.<name>()`` (listed by
:func:`clipq_edu.widgets.explorer_names`) returning an :class:`clipq_edu.widgets.Explorer`. For each
control we sweep a few values from one end of its range to the other and back, setting
``control.value`` the way a slider drag does, and time the whole callback from outside
(validate + compute + draw + the PNG the kernel sends to the browser).

Changes are split into *first visits* (a combination of control values never shown before:
the explorer may have to compute) and *revisits* (shown before: a caching explorer only
redraws). The compute and draw parts are timed separately by wrapping the instance's
``compute`` and ``draw``. The benchmark runs inside an IPython kernel (started with nbclient)
so that ``display()`` renders the figure exactly as in JupyterLab.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks import ROOT
from benchmarks.harness import summarize

MARKER = "CLIPQ_WIDGET_BENCH_JSON="


def discover_explorers() -> list[str]:
    """Names of the explorer functions of ``clipq_edu.widgets`` (``explorer_names()``)."""
    import clipq_edu.widgets as pkg

    return sorted(pkg.explorer_names())


def build_explorer(name: str) -> Any:
    """``clipq_edu.widgets.<name>()`` with its default settings."""
    import clipq_edu.widgets as pkg

    return getattr(pkg, name)()


def control_values(control: Any, k: int = 6) -> list[Any]:
    """Up to ``k`` valid values of an ipywidgets control, from one end of its range to the other.

    Sliders and bounded boxes: evenly spaced from ``min`` to ``max`` on the step grid (log
    sliders on the exponent); selections: their options; check boxes: both states. Returns
    ``[]`` for a control we cannot sweep (free text).
    """
    cls = type(control).__name__
    if hasattr(control, "options"):
        opts = list(getattr(control, "options", ()))
        vals = [o[1] if isinstance(o, tuple) and len(o) == 2 else o for o in opts]
        if len(vals) > k:
            idx = sorted({round(i * (len(vals) - 1) / (k - 1)) for i in range(k)})
            vals = [vals[i] for i in idx]
        return vals
    if isinstance(getattr(control, "value", None), bool):
        return [not control.value, control.value]
    if hasattr(control, "min") and hasattr(control, "max") and not isinstance(control.value, tuple):
        lo, hi = control.min, control.max
        if cls == "FloatLogSlider":
            base = control.base
            return [float(base ** (lo + (hi - lo) * i / (k - 1))) for i in range(k)]
        if isinstance(control.value, int):
            pts = sorted({round(lo + (hi - lo) * i / (k - 1)) for i in range(k)})
            step = int(getattr(control, "step", 1) or 1)
            return sorted({min(hi, lo + step * round((p - lo) / step)) for p in pts})
        step = getattr(control, "step", None)
        pts = [lo + (hi - lo) * i / (k - 1) for i in range(k)]
        if step:
            pts = [min(hi, lo + step * round((p - lo) / step)) for p in pts]
        return sorted(set(pts))
    return []


def _sweep(values: Sequence[Any], n: int) -> list[Any]:
    """``n`` values going forth and back over ``values`` (so later ones are revisits)."""
    if len(values) < 2:
        return list(values)
    cycle = list(values) + list(values[-2:0:-1])
    return [cycle[i % len(cycle)] for i in range(n)]


def _freeze(values: dict[str, Any]) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in values.items()))


def measure_explorer(explorer: Any, n_changes: int = 30, k: int = 6,
                     clock: Callable[[], float] = time.perf_counter) -> dict[str, Any]:
    """Time ``n_changes`` or more control changes of one explorer.

    Args:
      explorer: an object with ``.controls`` (name -> ipywidgets control), ``.values()``,
        ``.message`` and optionally ``compute``/``draw`` methods (wrapped to time them).
      n_changes: minimum total number of changes (spread over the controls).
      k: distinct values per control.
      clock: the timer.

    Returns:
      ``{"latency_s": summary of all changes, "first_visit_s", "revisit_s",
      "compute_s", "draw_s", "per_control": {...}, "messages": [...], "n_changes"}``.
    """
    parts: dict[str, float] = {}

    def wrap(name: str) -> None:
        inner = getattr(explorer, name, None)
        if inner is None:
            return

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = clock()
            try:
                return inner(*args, **kwargs)
            finally:
                parts[name] = parts.get(name, 0.0) + clock() - t

        setattr(explorer, name, timed)

    wrap("compute")
    wrap("draw")
    sweepable = {name: control_values(c, k) for name, c in explorer.controls.items()}
    sweepable = {name: vals for name, vals in sweepable.items() if len(vals) >= 2}
    if not sweepable:
        raise ValueError(f"explorer {explorer!r} has no control with at least two values to sweep")
    per_control_n = max(2 * k, math.ceil(n_changes / len(sweepable)))
    seen = {_freeze(explorer.values())}
    all_lat, first, again, comp, draw = [], [], [], [], []
    per_control: dict[str, Any] = {}
    messages = []
    for name, vals in sweepable.items():
        control = explorer.controls[name]
        original = control.value
        lat = []
        for value in _sweep(vals, per_control_n):
            parts.clear()
            t = clock()
            control.value = value
            dt = clock() - t
            key = _freeze(explorer.values())
            (again if key in seen else first).append(dt)
            seen.add(key)
            lat.append(dt)
            all_lat.append(dt)
            comp.append(parts.get("compute", 0.0))
            draw.append(parts.get("draw", 0.0))
            if explorer.message:
                messages.append(f"{name}={value!r}: {explorer.message}")
        control.value = original
        per_control[name] = {"values": [repr(v) for v in vals], "latency_s": summarize(lat)}
    return {
        "n_changes": len(all_lat),
        "latency_s": summarize(all_lat),
        "first_visit_s": summarize(first) if first else None,
        "revisit_s": summarize(again) if again else None,
        "compute_s": summarize(comp),
        "draw_s": summarize(draw),
        "per_control": per_control,
        "messages": messages[:10],
    }


def bench_in_process(n_changes: int = 30, names: Sequence[str] | None = None) -> dict[str, Any]:
    """Build every explorer in this process and measure it (call it inside a kernel)."""
    results: dict[str, Any] = {}
    for name in names or discover_explorers():
        try:
            t = time.perf_counter()
            explorer = build_explorer(name)
            build = time.perf_counter() - t
            from IPython.display import display

            display(explorer)  # as a notebook cell showing it would
            r = measure_explorer(explorer, n_changes=n_changes)
            r["build_s"] = build
            results[name] = r
        except Exception as exc:
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


def run(repeat: int = 1, n_changes: int = 30, log: Any = print,
        timeout_s: int = 900) -> dict[str, Any]:
    """Measure every explorer in a fresh IPython kernel (``repeat`` kernels; samples pooled)."""
    import os
    import shutil

    import nbformat
    from nbclient import NotebookClient

    from benchmarks.notebooks import kernel_dir

    names = discover_explorers()
    if not names:
        log("  no explorers found in clipq_edu/widgets")
        return {"explorers": {}, "discovered": []}
    code = (
        "import matplotlib.pyplot as plt, json\n"
        "from benchmarks.widgets import bench_in_process, MARKER\n"
        f"print(MARKER + json.dumps(bench_in_process({n_changes})))\n"
    )
    runs = []
    data_dir = kernel_dir()
    old_path = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(data_dir)
    backend = os.environ.pop("MPLBACKEND", None)
    try:
        for _ in range(repeat):
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
            NotebookClient(nb, timeout=timeout_s, kernel_name="python3",
                           resources={"metadata": {"path": str(ROOT)}}).execute()
            text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("name") == "stdout")
            line = [ln for ln in text.splitlines() if ln.startswith(MARKER)][-1]
            runs.append(json.loads(line[len(MARKER):]))
    finally:
        if old_path is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = old_path
        if backend is not None:
            os.environ["MPLBACKEND"] = backend
        shutil.rmtree(data_dir, ignore_errors=True)
    merged: dict[str, Any] = {}
    for name in names:
        rs = [r[name] for r in runs if name in r]
        errors = [r["error"] for r in rs if "error" in r]
        good = [r for r in rs if "error" not in r]
        if not good:
            merged[name] = {"error": errors[0] if errors else "not measured"}
            log(f"  {name}: ERROR {merged[name]['error'][:200]}")
            continue

        def pool(key: str, good: list = good) -> dict[str, Any] | None:
            samples = [s for r in good if r.get(key) for s in r[key]["samples"]]
            return summarize(samples) if samples else None

        merged[name] = {
            "n_changes": sum(r["n_changes"] for r in good),
            "latency_s": pool("latency_s"),
            "first_visit_s": pool("first_visit_s"),
            "revisit_s": pool("revisit_s"),
            "compute_s": pool("compute_s"),
            "draw_s": pool("draw_s"),
            "build_s": summarize([r["build_s"] for r in good]),
            "per_control": good[-1]["per_control"],
            "messages": good[-1]["messages"],
        }
        lat = merged[name]["latency_s"]
        log(f"  {name}: median {lat['median'] * 1e3:.0f} ms, p95 {lat['p95'] * 1e3:.0f} ms "
            f"over {merged[name]['n_changes']} changes")
    return {"explorers": merged, "discovered": names}
