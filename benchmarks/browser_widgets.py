"""Explorer latency as a student sees it: key press on a slider -> the new picture on screen.

``python -m benchmarks.browser_widgets [--presses N] [--only name,name]`` starts JupyterLab from
this virtual environment (the launch and wait helpers of ``tests/test_browser.py``, which
this script imports rather than copies), opens a throw-away notebook that shows every
explorer of :func:`clipq_edu.widgets.explorer_names`, runs it in Debian's Chromium driven by
Playwright, and then, for each slider of each explorer, presses the arrow keys: right until
the slider's end, then left, ``N`` presses in all (so later presses revisit settings).

Each press is timed inside the page, from the ``keydown`` event to the moment the explorer's
``<img>`` holds a new, decoded picture and a frame has been painted (``requestAnimationFrame``
after ``img.decode()``). A press whose picture does not change within the time limit is
counted as ``missed`` (for example the slider was already at its end). Then a *burst* of eight
presses without waiting (a quick drag) on the first slider counts the pictures the kernel sent
back: fewer pictures than presses shows that intermediate values were skipped. This is a benchmark,
not a test: it asserts nothing. Results go to ``benchmarks/results.json`` under the key
``browser_widgets`` (kept across ``python -m benchmarks`` runs, which load the file and write
back every key they do not measure), RESULTS.md is regenerated from it with
:func:`benchmarks.report.write`, and the figures are printed (``--no-save``: printed only).

Needs ``/usr/bin/chromium`` (or ``$CLIPQ_CHROMIUM``) and the ``playwright`` package.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import RESULTS_JSON, ROOT
from benchmarks.harness import summarize

#: Key press -> new image target of issue 15 (p95, milliseconds).
TARGET_P95_MS = 150.0

#: Installs the timer in the page: t0 at keydown, t1 when the watched <img> shows a new picture.
ARM_JS = """
(selector) => {
  const img = document.querySelector(selector);
  const s = {t0: null, t1: null, src: img.src};
  window.__clipqBench = s;
  const onKey = () => { if (s.t0 === null) s.t0 = performance.now(); };
  document.addEventListener('keydown', onKey, {capture: true, once: true});
  const obs = new MutationObserver(async () => {
    if (img.src === s.src || s.t1 !== null) return;
    obs.disconnect();
    try { await img.decode(); } catch (e) {}
    requestAnimationFrame(() => { s.t1 = performance.now(); });
  });
  obs.observe(img, {attributes: true, attributeFilter: ['src']});
  s.stop = () => obs.disconnect();
}
"""


#: Counts the pictures shown and stamps every keydown, for a burst of presses (a drag).
BURST_JS = """
(selector) => {
  const img = document.querySelector(selector);
  const s = {keys: [], images: [], src: img.src};
  window.__clipqBurst = s;
  s.onKey = () => s.keys.push(performance.now());
  document.addEventListener('keydown', s.onKey, {capture: true});
  s.obs = new MutationObserver(() => {
    if (img.src !== s.src) { s.src = img.src; s.images.push(performance.now()); }
  });
  s.obs.observe(img, {attributes: true, attributeFilter: ['src']});
}
"""


def _burst(page: Any, handle: Any, img_selector: str, presses: int = 8,
           quiet_ms: int = 1500) -> dict[str, Any]:
    """Press a key ``presses`` times without waiting, as a quick drag does; count pictures.

    Returns the number of pictures the kernel sent (fewer than ``presses`` means it skipped
    intermediate values) and the time from the last key press to the last picture.
    """
    key = "ArrowLeft" if _at_end(handle, "ArrowRight") else "ArrowRight"
    page.evaluate(BURST_JS, img_selector)
    for _ in range(presses):
        if _at_end(handle, key):
            break
        handle.press(key)
    count = -1
    while True:  # until no new picture arrives for quiet_ms
        page.wait_for_timeout(quiet_ms)
        now = page.evaluate("() => window.__clipqBurst.images.length")
        if now == count:
            break
        count = now
    keys, images = page.evaluate("() => [window.__clipqBurst.keys, window.__clipqBurst.images]")
    page.evaluate("() => { const s = window.__clipqBurst; s.obs.disconnect(); "
                  "document.removeEventListener('keydown', s.onKey, {capture: true}); }")
    return {"presses": len(keys), "pictures": len(images),
            "last_key_to_last_picture_ms": (images[-1] - keys[-1]) if images and keys else None}


def _test_browser_module() -> Any:
    """``tests/test_browser.py`` as a module: its JupyterLab launch and wait helpers."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import test_browser
    finally:
        sys.path.pop(0)
    return test_browser


def _notebook(folder: Path, names: list[str]) -> str:
    """A notebook showing each explorer in a container with the class ``clipq-bench-<name>``."""
    import nbformat

    cells = [nbformat.v4.new_code_cell("import clipq_edu as cq\ncq.setup(seed=0)")]
    for name in names:
        cells.append(nbformat.v4.new_code_cell(
            f"ex_{name} = cq.widgets.{name}()\n"
            f"ex_{name}.widget.add_class('clipq-bench-{name}')\n"
            f"ex_{name}"))
    cells.append(nbformat.v4.new_code_cell("print('CLIPQ_BENCH_READY')"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / "widget_bench.ipynb"
    nbformat.write(nb, path)
    return path.name


def _press_and_time(page: Any, handle: Any, key: str, img_selector: str,
                    timeout_ms: int) -> float | None:
    """Milliseconds from ``key`` down to the new picture on screen, or ``None`` if none came."""
    page.evaluate(ARM_JS, img_selector)
    handle.press(key)
    try:
        page.wait_for_function("() => window.__clipqBench.t1 !== null", timeout=timeout_ms)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: the picture did not change
        page.evaluate("() => window.__clipqBench.stop()")
        return None
    t0, t1 = page.evaluate("() => [window.__clipqBench.t0, window.__clipqBench.t1]")
    return None if t0 is None else float(t1 - t0)


def _at_end(handle: Any, key: str) -> bool:
    now = float(handle.get_attribute("aria-valuenow"))
    end = handle.get_attribute("aria-valuemax" if key == "ArrowRight" else "aria-valuemin")
    return abs(now - float(end)) < 1e-9


def _drive_explorer(page: Any, name: str, presses: int, settle_ms: int,
                    timeout_ms: int) -> dict[str, Any]:
    root = f".jp-NotebookPanel:not(.lm-mod-hidden) .clipq-bench-{name}"
    img = f"{root} img"
    page.locator(root).scroll_into_view_if_needed()
    sliders = page.locator(f"{root} .noUi-handle")
    per_slider: dict[str, Any] = {}
    all_ms: list[float] = []
    burst = None
    for i in range(sliders.count()):
        handle = sliders.nth(i)
        label = page.locator(f"{root} .widget-slider").nth(i).locator("label").inner_text()
        handle.focus()
        key, times, missed = "ArrowRight", [], 0
        for _ in range(presses):
            if _at_end(handle, key):
                key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
            ms = _press_and_time(page, handle, key, img, timeout_ms)
            if ms is None:
                missed += 1
            else:
                times.append(ms)
            page.wait_for_timeout(settle_ms)  # one press at a time, as a student taps a key
        all_ms.extend(times)
        per_slider[label or f"slider {i}"] = {
            "latency_ms": summarize(times) if times else None, "missed": missed}
        if burst is None:
            burst = _burst(page, handle, img)
    return {"latency_ms": summarize(all_ms) if all_ms else None, "per_slider": per_slider,
            "presses": presses * sliders.count(), "burst": burst}


def run(names: list[str] | None = None, presses: int = 12, settle_ms: int = 150,
        timeout_ms: int = 10_000, log: Any = print) -> dict[str, Any]:
    """Measure key press -> new image for every slider of every explorer; return the figures."""
    from playwright.sync_api import sync_playwright

    import clipq_edu.widgets

    tb = _test_browser_module()
    names = names or clipq_edu.widgets.explorer_names()
    with tempfile.TemporaryDirectory(prefix="clipq-browser-bench-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "nb").mkdir()
        nb_name = _notebook(tmp / "nb", names)
        port, token = tb._free_port(), secrets.token_hex(24)
        base = f"http://127.0.0.1:{port}"
        proc = tb._start_lab(tmp, port, token)
        out: dict[str, Any] = {}
        try:
            tb._wait_for_server(base, token, proc, tmp / "jupyterlab.log")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=tb.CHROMIUM, args=tb.CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": 1280, "height": 1000})
                    page.goto(f"{base}/lab/tree/{nb_name}?reset&token={token}",
                              wait_until="domcontentloaded")
                    page.wait_for_function(
                        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                        "&& window.jupyterapp.shell.currentWidget.sessionContext",
                        timeout=60_000)
                    page.evaluate(tb.RUN_ALL_JS)
                    page.get_by_text("CLIPQ_BENCH_READY").wait_for(timeout=600_000)
                    page.wait_for_timeout(2000)  # front-end nudges of float sliders settle
                    for name in names:
                        t = time.perf_counter()
                        out[name] = _drive_explorer(page, name, presses, settle_ms, timeout_ms)
                        lat = out[name]["latency_ms"]
                        text = (f"median {lat['median']:.0f} ms, p95 {lat['p95']:.0f} ms"
                                if lat else "no picture changed")
                        b = out[name]["burst"] or {}
                        log(f"  {name}: {text} over {out[name]['presses']} presses; burst of "
                            f"{b.get('presses')} presses -> {b.get('pictures')} pictures "
                            f"({time.perf_counter() - t:.0f} s)")
                    page.evaluate(tb.SHUTDOWN_JS)
                finally:
                    browser.close()
        finally:
            tb._stop_server(proc)
    return {"explorers": out, "target_p95_ms": TARGET_P95_MS, "presses_per_slider": presses,
            "method": "keydown -> img.decode() + next animation frame, timed in the page"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.browser_widgets",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=12, help="key presses per slider")
    parser.add_argument("--only", default="", help="comma-separated explorer names")
    parser.add_argument("--no-save", action="store_true", help="print only; leave results.json")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or None
    from benchmarks.harness import machine_info

    figures = run(names=names, presses=args.presses)
    figures["machine"] = machine_info()
    if not args.no_save:  # as ``python -m benchmarks`` does: results.json, then RESULTS.md
        from benchmarks import report
        from benchmarks.__main__ import _notes

        results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
        results["browser_widgets"] = figures
        report.write(results, notes=_notes())
        print(f"wrote browser_widgets to {RESULTS_JSON} and regenerated RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
