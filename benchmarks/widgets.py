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


def first_visits(names: Sequence[str] | None = None, k: int = 6,
                 clock: Callable[[], float] = time.perf_counter,
                 build: Callable[[str], Any] = build_explorer) -> dict[str, Any]:
    """Time every control change that shows a setting never shown before in this process.

    The way a slider drag arrives, with nothing waiting in a cache: for each explorer and each
    control, a fresh explorer (default settings, prefetching off, its first picture already
    rendered, so the one-off layout is not counted) is moved to each of ``k`` values across
    the control's range in turn; each change is timed from ``explorer.set(...)`` to the PNG
    (``explorer.png()``; in a kernel the PNG is made by ``set`` itself). A setting shown
    before in this process (say, the default of the next fresh explorer) is skipped, so every
    sample is a true first visit. Run it before anything else in a process: an earlier sweep
    fills the caches shared by instances.

    Args:
      names: explorers to measure (default: all of them).
      k: values per control (as :func:`control_values`).
      clock: the timer.
      build: name -> a fresh explorer (default :func:`build_explorer`).

    Returns:
      ``{name: {"first_visit_s": summary, "worst": {"control", "value", "s"},
      "changes": [[control, repr(value), seconds], ...]}}`` (``{"error": ...}`` on failure).
    """
    seen: set[tuple] = set()
    results: dict[str, Any] = {}
    for name in names or discover_explorers():
        try:
            probe = build(name)
            seen.add((name, _freeze(probe.values())))
            changes = []
            for control_name, control in probe.controls.items():
                explorer = None
                for value in control_values(control, k):
                    if explorer is None:
                        explorer = build(name)
                        explorer.prefetch_neighbours = False
                        seen.add((name, _freeze(explorer.values())))
                        explorer.png()  # the first picture: layout and background
                    key = (name, _freeze({**explorer.values(), control_name: value}))
                    if key in seen:
                        continue
                    t = clock()
                    explorer.set(**{control_name: value})
                    if not explorer.send_images:
                        explorer.png()
                    dt = clock() - t
                    seen.add((name, _freeze(explorer.values())))
                    seen.add(key)
                    changes.append([control_name, repr(value), dt])
            worst = max(changes, key=lambda c: c[2])
            results[name] = {
                "first_visit_s": summarize([c[2] for c in changes]),
                "worst": {"control": worst[0], "value": worst[1], "s": worst[2]},
                "changes": changes,
            }
        except Exception as exc:
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


def first_visit_table(results: dict[str, Any]) -> str:
    """The first-visit figures as a Markdown table (median, p95, worst change), in ms."""
    lines = ["| explorer | first visits | median | p95 | worst single change |",
             "|---|---|---|---|---|"]
    for name, r in results.items():
        if "error" in r:
            lines.append(f"| {name} | error: {r['error'][:80]} | | | |")
            continue
        s, w = r["first_visit_s"], r["worst"]
        lines.append(f"| {name} | {s['n']} | {s['median'] * 1e3:.0f} ms | "
                     f"{s['p95'] * 1e3:.0f} ms | {w['s'] * 1e3:.0f} ms "
                     f"(`{w['control']}` = {w['value']}) |")
    return "\n".join(lines)


def bench_in_process(n_changes: int = 30, names: Sequence[str] | None = None) -> dict[str, Any]:
    """Build every explorer in this process and measure it (call it inside a kernel).

    First visits (:func:`first_visits`) are measured first, while every cache is empty; then
    the forth-and-back sweep of :func:`measure_explorer`, whose figures mix first visits and
    revisits.
    """
    results: dict[str, Any] = {}
    fresh = first_visits(names)
    for name in names or discover_explorers():
        try:
            t = time.perf_counter()
            explorer = build_explorer(name)
            build = time.perf_counter() - t
            from IPython.display import display

            display(explorer)  # as a notebook cell showing it would
            r = measure_explorer(explorer, n_changes=n_changes)
            r["build_s"] = build
            r["fresh_first_visit"] = fresh.get(name)
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

        fresh = [r["fresh_first_visit"] for r in good
                 if r.get("fresh_first_visit") and "error" not in r["fresh_first_visit"]]
        merged[name] = {
            "n_changes": sum(r["n_changes"] for r in good),
            "latency_s": pool("latency_s"),
            "first_visit_s": pool("first_visit_s"),
            "revisit_s": pool("revisit_s"),
            "compute_s": pool("compute_s"),
            "draw_s": pool("draw_s"),
            "build_s": summarize([r["build_s"] for r in good]),
            "fresh_first_visit_s": summarize(
                [s for f in fresh for s in f["first_visit_s"]["samples"]]) if fresh else None,
            "fresh_first_visit_worst": (sorted((f["worst"] for f in fresh),
                                               key=lambda w: w["s"])[len(fresh) // 2]
                                        if fresh else None),
            "per_control": good[-1]["per_control"],
            "messages": good[-1]["messages"],
        }
        lat = merged[name]["latency_s"]
        log(f"  {name}: median {lat['median'] * 1e3:.0f} ms, p95 {lat['p95'] * 1e3:.0f} ms "
            f"over {merged[name]['n_changes']} changes")
        fv = merged[name]["fresh_first_visit_s"]
        if fv:
            log(f"  {name}, first visits (nothing cached): median {fv['median'] * 1e3:.0f} ms, "
                f"p95 {fv['p95'] * 1e3:.0f} ms, worst "
                f"{merged[name]['fresh_first_visit_worst']['s'] * 1e3:.0f} ms")
    return {"explorers": merged, "discovered": names}


def first_visits_fresh(repeat: int = 1, names: Sequence[str] | None = None,
                       log: Any = print, clock: str = "wall") -> dict[str, Any]:
    """:func:`first_visits` in ``repeat`` fresh Python processes (empty caches); samples pooled.

    ``worst`` is the median over the repeats of each run's slowest change (one run's worst
    on a shared machine says as much about the machine as about the explorer). ``clock`` is
    ``"wall"`` (``time.perf_counter``: what the learner waits) or ``"thread"``
    (``time.thread_time``: CPU time of the calling thread, less sensitive to other work on
    the machine; it leaves out time spent waiting for a background thread).
    """
    from benchmarks.harness import run_json

    timer = {"wall": "time.perf_counter", "thread": "time.thread_time"}[clock]
    code = ("import json, time, matplotlib; matplotlib.use('Agg')\n"
            "from benchmarks.widgets import first_visits\n"
            f"print(json.dumps(first_visits({list(names) if names else None!r}, "
            f"clock={timer})))\n")
    runs = []
    for i in range(repeat):
        runs.append(run_json(code, timeout_s=900))
        log(f"  first visits, run {i + 1}/{repeat} done")
    merged: dict[str, Any] = {}
    for name in names or discover_explorers():
        good = [r[name] for r in runs if name in r and "error" not in r[name]]
        if not good:
            merged[name] = {"error": next((r[name]["error"] for r in runs if name in r),
                                          "not measured")}
            continue
        worsts = sorted((r["worst"] for r in good), key=lambda w: w["s"])
        merged[name] = {
            "first_visit_s": summarize([c[2] for r in good for c in r["changes"]]),
            "worst": worsts[len(worsts) // 2],
            "changes": [c for r in good for c in r["changes"]],
        }
    return merged


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.widgets [--repeat N] [--names a,b]``: print the first-visit table."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.widgets",
                                     description=first_visits.__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes (default 3)")
    parser.add_argument("--names", default="", help="explorers, comma-separated (default all)")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    parser.add_argument("--clock", choices=("wall", "thread"), default="wall",
                        help="wall time (default) or the main thread's CPU time")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.names.split(",") if n.strip()] or None
    results = first_visits_fresh(args.repeat, names, clock=args.clock)
    print(first_visit_table(results))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
