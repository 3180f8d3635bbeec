"""``python -m benchmarks [--only a,b] [--repeat N]``: run the benchmark sections and report.

Sections: startup, notebooks, widgets, quantum, peers (all by default). Results of sections
not run this time are kept from the previous ``results.json``, so a partial run refreshes
only what it measured. ``benchmarks/NOTES.md``, when present, is appended to RESULTS.md as
the findings section (explanations written by hand; every figure in RESULTS.md comes from
results.json). ``python -m benchmarks --report`` only regenerates RESULTS.md and the plots
from results.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from benchmarks import BENCH_DIR, RESULTS_JSON

SECTIONS = ("startup", "notebooks", "widgets", "quantum", "peers")


def _notes() -> str:
    notes_path = BENCH_DIR / "NOTES.md"
    return notes_path.read_text(encoding="utf-8") if notes_path.exists() else ""


def _with_lite(results: dict) -> dict:
    """The results plus the TFQ-free route's figures, when `make test-lite` has written them."""
    lite = BENCH_DIR / "results_lite.json"
    if lite.exists():
        results["lite"] = json.loads(lite.read_text())
    return results


def _report_only() -> int:
    from benchmarks import report

    if not RESULTS_JSON.exists():
        print(f"{RESULTS_JSON} does not exist: run the benchmark first", file=sys.stderr)
        return 1
    report.write(_with_lite(json.loads(RESULTS_JSON.read_text())), notes=_notes())
    print(f"wrote {BENCH_DIR / 'RESULTS.md'} from {RESULTS_JSON}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections out of {', '.join(SECTIONS)}")
    parser.add_argument("--repeat", type=int, default=3, help="repeats per figure (default 3)")
    parser.add_argument("--notebooks", default=None,
                        help="only notebooks whose name contains one of these (comma-separated)")
    parser.add_argument("--report", action="store_true",
                        help="only regenerate RESULTS.md and the plots from results.json")
    args = parser.parse_args(argv)
    if args.report:
        return _report_only()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
    if args.repeat < 1:
        parser.error(f"--repeat must be >= 1, got {args.repeat}")

    from benchmarks import report
    from benchmarks.harness import machine_info

    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    results["machine"] = machine_info()
    results["repeat"] = args.repeat
    for section in SECTIONS:
        if section not in chosen:
            continue
        print(f"[{section}]", flush=True)
        t = time.perf_counter()
        if section == "startup":
            from benchmarks import startup
            results["startup"] = startup.run(repeat=args.repeat)
        elif section == "notebooks":
            from benchmarks import notebooks
            results["notebooks"] = notebooks.run(repeat=args.repeat, pattern=args.notebooks)
        elif section == "widgets":
            from benchmarks import widgets
            results["widgets"] = widgets.run(repeat=args.repeat)
        elif section == "quantum":
            from benchmarks import quantum
            results["quantum"] = quantum.run(repeat=args.repeat)
        elif section == "peers":
            from benchmarks import peers
            results["peers"] = peers.run(repeat=args.repeat)
        print(f"[{section}] done in {time.perf_counter() - t:.0f} s", flush=True)
    results["sections"] = [s for s in SECTIONS if s in results]
    report.write(_with_lite(results), notes=_notes())
    print(f"wrote {RESULTS_JSON} and {BENCH_DIR / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
