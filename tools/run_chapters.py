"""Run course chapters top to bottom in a kernel of THIS Python, without storing anything, and
report each chapter's wall time and peak memory: the check behind ``make test-lite`` (a real
TFQ-free environment) and the TFQ-hidden run of ``make test``.

Usage (from the repository root)::

    python tools/run_chapters.py                     # every chapter, both editions
    python tools/run_chapters.py --hide-tfq 02 07    # chapters matching 02 or 07, TFQ hidden
    python tools/run_chapters.py --json out.json     # also write the figures as JSON
    python tools/run_chapters.py --jobs 2            # two chapters at a time (own kernels)

``--hide-tfq`` puts a folder first on the kernel's PYTHONPATH whose ``tensorflow_quantum``
raises ImportError, as on a platform without TFQ's wheels. Exit code 1 when any cell raises
(the error, its chapter and cell are printed); the stored notebooks are never written.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import platform
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from run_notebooks import kernel_dir  # noqa: E402

HIDE_TFQ_MESSAGE = "TensorFlow Quantum is hidden (as on a platform without its wheels)"
#: How a cell guarded by ``cq.tfq_available_for`` starts its one line when it skips.
SKIP_MARK, SKIP_MARK_ZH = "Skipped here:", "此处跳过："


def hide_tfq_folder() -> Path:
    """A folder whose ``tensorflow_quantum`` package raises ImportError on import."""
    folder = Path(tempfile.mkdtemp(prefix="clipq-hide-tfq-"))
    (folder / "tensorflow_quantum").mkdir()
    (folder / "tensorflow_quantum" / "__init__.py").write_text(
        f"raise ImportError({HIDE_TFQ_MESSAGE!r})\n", encoding="utf-8")
    return folder


class PeakRSS:
    """Largest resident memory of a process and its children (``doctor.process_tree_rss``),
    sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from clipq_edu.doctor import process_tree_rss

        while not self._stop.wait(0.2):
            self.peak = max(self.peak, process_tree_rss(self.pid))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run(path: Path, timeout: int = 600) -> dict:
    """Execute one notebook in memory; return its figures (seconds, peak bytes, error)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    error = ""
    with client.setup_kernel():
        monitor = PeakRSS(client.km.provisioner.pid)
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        except CellExecutionError as exc:
            last = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()[-1]
            error = f"cell {index}: {last[:300]}"
        finally:
            peak = monitor.stop()
    skipped = sum(1 for cell in nb.cells if cell.cell_type == "code" and any(
        SKIP_MARK in out.get("text", "") or SKIP_MARK_ZH in out.get("text", "")
        for out in cell.get("outputs", [])))
    return {"notebook": str(path.relative_to(ROOT)), "seconds": round(time.perf_counter() - start, 1),
            "peak_bytes": peak, "error": error, "skipped_tfq_cells": skipped}


def _print_row(row: dict) -> None:
    status = f"ERROR {row['error']}" if row["error"] else "ok"
    if row["skipped_tfq_cells"]:
        status += f" ({row['skipped_tfq_cells']} TFQ cells skipped, each saying why)"
    print(f"  {row['notebook']:<46} {row['seconds']:6.1f} s  "
          f"{row['peak_bytes'] / 1e9:5.2f} GB  {status}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("match", nargs="*", help="run only chapters whose name contains one")
    parser.add_argument("--hide-tfq", action="store_true", help="hide TensorFlow Quantum")
    parser.add_argument("--edition", choices=("en", "zh", "both"), default="both")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--jobs", type=int, default=1,
                        help="chapters run at once, each in its own process and kernel (the "
                             "seconds and peaks of parallel runs include each other's load)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be a positive integer, got {args.jobs}")
    os.environ["JUPYTER_PATH"] = kernel_dir() + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    os.environ.pop("MPLBACKEND", None)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if args.hide_tfq:
        os.environ["PYTHONPATH"] = os.pathsep.join(
            [str(hide_tfq_folder()), *filter(None, [os.environ.get("PYTHONPATH")])])
    folders = {"en": [ROOT / "notebooks"], "zh": [ROOT / "notebooks" / "zh"],
               "both": [ROOT / "notebooks", ROOT / "notebooks" / "zh"]}[args.edition]
    paths = [p for folder in folders for p in sorted(folder.glob("*.ipynb"))
             if not args.match or any(m in p.name for m in args.match)]
    if not paths:
        print(f"no chapter matches {args.match}", file=sys.stderr)
        return 2
    mode = "TFQ hidden" if args.hide_tfq else "as installed"
    print(f"{len(paths)} chapter(s), Python {platform.python_version()} on {platform.system()} "
          f"{platform.machine()}, {mode}", flush=True)
    rows, wall = [], time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for row in pool.map(run, paths):  # in course order, whatever finishes first
            rows.append(row)
            _print_row(row)
    failed = [r for r in rows if r["error"]]
    total = sum(r["seconds"] for r in rows)
    peak = max(r["peak_bytes"] for r in rows)
    wall = time.perf_counter() - wall
    print(f"{len(rows) - len(failed)} passed, {len(failed)} failed: {total:.0f} s of chapter "
          f"time, {wall:.0f} s wall clock with {args.jobs} job(s), largest peak {peak / 1e9:.2f} GB")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "python": platform.python_version(), "platform": f"{platform.system()} "
            f"{platform.machine()}", "mode": mode, "total_seconds": round(total, 1),
            "wall_seconds": round(wall, 1), "jobs": args.jobs,
            "peak_bytes": peak, "chapters": rows}, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
