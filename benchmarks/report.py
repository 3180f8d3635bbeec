"""Turn the benchmark results into ``results.json``, PNG plots and a readable ``RESULTS.md``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks import BENCH_DIR

#: The targets of issue 15 (the course, the explorers, the barren-plateau engine).
TARGETS = {
    "course_total_s": 120.0,
    "chapter_wall_s": 90.0,
    "chapter_rss_gb": 1.2,
    "bp_full_s": 6.0,
    "bp_speedup_vs_tutorial": 20.0,
    "widget_p95_ms": 50.0,
    "widget_median_ms": 25.0,
    "widget_first_visit_p95_ms": 100.0,
    "widget_first_visit_worst_ms": 200.0,
}
#: Barren-plateau implementations the engine must beat in the same run (key prefixes).
BP_MUST_BEAT = ("pennylane lightning.qubit", "tensorcircuit-ng")
BP_TUTORIAL = "tfq tutorial code path"


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def _median(x: Any) -> float | None:
    if isinstance(x, dict):
        return x.get("median")
    return x if isinstance(x, (int, float)) else None


def targets_table(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Rows (target, measured, limit, verdict) for every target that was measured."""
    rows = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    nb = _get(results, "notebooks")
    if nb and nb.get("notebooks"):
        total = nb["total_wall_s"]
        rows.append(("whole course, wall time", f"{total:.0f} s ({len(nb['notebooks'])} notebooks)",
                     f"<= {TARGETS['course_total_s']:.0f} s",
                     verdict(total <= TARGETS["course_total_s"])))
        worst = max(nb["notebooks"].items(), key=lambda kv: kv[1]["wall_s"]["median"])
        w = worst[1]["wall_s"]["median"]
        rows.append(("slowest chapter, wall time", f"{w:.1f} s ({worst[0]})", "<= 90 s",
                     verdict(w <= TARGETS["chapter_wall_s"])))
        big = max(nb["notebooks"].items(), key=lambda kv: kv[1]["peak_rss_bytes"]["median"])
        m = big[1]["peak_rss_bytes"]["median"] / 1e9
        rows.append(("largest chapter, peak kernel RSS", f"{m:.2f} GB ({big[0]})", "<= 1.2 GB",
                     verdict(m <= TARGETS["chapter_rss_gb"])))
    rows += _bp_target_rows(results, verdict)
    ex = _get(results, "widgets", "explorers") or {}
    for name, v in ex.items():
        limit = f"<= {TARGETS['widget_p95_ms']:.0f} ms"
        if "error" in v:
            rows.append((f"widget {name}, p95 latency", "error: " + v["error"][:80], limit,
                         "**missed**"))
            continue
        p95 = v["latency_s"]["p95"] * 1e3
        med = v["latency_s"]["median"] * 1e3
        rev = v.get("revisit_s")
        extra = f" (revisits p95 {rev['p95'] * 1e3:.0f} ms)" if rev else ""
        rows.append((f"widget {name}, p95 latency", f"{p95:.0f} ms{extra}", limit,
                     verdict(p95 <= TARGETS["widget_p95_ms"])))
        rows.append((f"widget {name}, median latency", f"{med:.0f} ms",
                     f"<= {TARGETS['widget_median_ms']:.0f} ms",
                     verdict(med <= TARGETS["widget_median_ms"])))
        fresh, worst = v.get("fresh_first_visit_s"), v.get("fresh_first_visit_worst")
        if fresh:
            p95 = fresh["p95"] * 1e3
            rows.append((f"widget {name}, first-visit p95 (nothing cached)", f"{p95:.0f} ms",
                         f"<= {TARGETS['widget_first_visit_p95_ms']:.0f} ms",
                         verdict(p95 <= TARGETS["widget_first_visit_p95_ms"])))
        if worst:
            ms = worst["s"] * 1e3
            rows.append((f"widget {name}, worst first visit", f"{ms:.0f} ms "
                         f"(`{worst['control']}` = {worst['value']})",
                         f"<= {TARGETS['widget_first_visit_worst_ms']:.0f} ms",
                         verdict(ms <= TARGETS["widget_first_visit_worst_ms"])))
    return rows


def _bp_ratio(v: dict[str, Any]) -> float | None:
    """Time of an implementation / time of the reference, from either results layout."""
    return _median(v.get("time_ratio_vs_reference") or v.get("time_ratio_vs_clipq_edu"))


def _bp_reference(bp: dict[str, Any], peers: dict[str, Any]) -> str | None:
    ref = peers.get("reference")
    if ref in bp:
        return ref
    return next((k for k in bp if k.startswith("clipq_edu")), None)


def _bp_target_rows(results: dict[str, Any], verdict: Any) -> list[tuple[str, str, str, str]]:
    """Barren-plateau rows: the engine's wall time, and every must-beat ratio, from one run."""
    peers = results.get("peers") or {}
    bp = peers.get("barren_plateau") or {}
    ref = _bp_reference(bp, peers)
    if ref is None:
        return []
    rows = []
    full = _median(bp[ref]["total_s"])
    rows.append((f"barren plateau, full setting, {ref}, wall", f"{full:.2f} s",
                 f"<= {TARGETS['bp_full_s']:.0f} s", verdict(full <= TARGETS["bp_full_s"])))
    for key, v in bp.items():
        ratio = _bp_ratio(v)
        if key == ref or ratio is None:
            continue
        if key == BP_TUTORIAL:
            rows.append((f"barren plateau, speed-up over the {key} (same run)", f"{ratio:.1f}x",
                         f">= {TARGETS['bp_speedup_vs_tutorial']:.0f}x",
                         verdict(ratio >= TARGETS["bp_speedup_vs_tutorial"])))
        elif key.startswith(BP_MUST_BEAT):
            rows.append((f"barren plateau, {key} time / {ref} time (same run)", f"{ratio:.2f}",
                         "> 1", verdict(ratio > 1.0)))
            warm = _median(v.get("warm_time_ratio_vs_reference"))
            if warm is not None:
                rows.append((f"barren plateau, {key} warm (compile excluded) / {ref}",
                             f"{warm:.2f}", "> 1", verdict(warm > 1.0)))
    return rows


def plots(results: dict[str, Any], folder: Path = BENCH_DIR) -> list[str]:
    """Write the PNG plots; return their file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    nb = _get(results, "notebooks", "notebooks")
    if nb:
        labels = list(nb)
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 0.5 * len(labels) + 2), layout="constrained")
        a1.barh(labels, [nb[k]["wall_s"]["median"] for k in labels], color="#4477aa")
        a1.axvline(TARGETS["chapter_wall_s"], color="#cc3311", ls="--", label="target 90 s")
        a1.set(xlabel="wall time top to bottom (s, median)", title="Chapter notebooks: time")
        a1.invert_yaxis()
        a1.legend()
        a2.barh(labels, [nb[k]["peak_rss_bytes"]["median"] / 1e9 for k in labels], color="#228833")
        a2.axvline(TARGETS["chapter_rss_gb"], color="#cc3311", ls="--", label="target 1.2 GB")
        a2.set(xlabel="peak RSS of the kernel process tree (GB, median)", title="Chapter notebooks: memory")
        a2.set_yticklabels([])
        a2.invert_yaxis()
        a2.legend()
        fig.savefig(folder / "notebooks.png", dpi=90)
        plt.close(fig)
        names.append("notebooks.png")
    ex = {k: v for k, v in (_get(results, "widgets", "explorers") or {}).items() if "error" not in v}
    if ex:
        labels = list(ex)
        fig, ax = plt.subplots(figsize=(8, 0.6 * len(labels) + 2), layout="constrained")
        y = range(len(labels))
        fresh = [(ex[k].get("fresh_first_visit_s") or {}).get("p95", 0.0) * 1e3 for k in labels]
        ax.barh([i - 0.27 for i in y], [ex[k]["latency_s"]["median"] * 1e3 for k in labels],
                0.27, label="median (sweep)", color="#4477aa")
        ax.barh(list(y), [ex[k]["latency_s"]["p95"] * 1e3 for k in labels], 0.27,
                label="p95 (sweep)", color="#ee6677")
        ax.barh([i + 0.27 for i in y], fresh, 0.27, label="p95, first visits (nothing cached)",
                color="#228833")
        ax.axvline(TARGETS["widget_p95_ms"], color="#cc3311", ls="--",
                   label=f"target p95 {TARGETS['widget_p95_ms']:.0f} ms")
        ax.axvline(TARGETS["widget_first_visit_p95_ms"], color="#228833", ls=":",
                   label=f"target first-visit p95 {TARGETS['widget_first_visit_p95_ms']:.0f} ms")
        ax.set_yticks(list(y), labels)
        ax.invert_yaxis()
        ax.set(xlabel="callback latency (ms), in a kernel, PNG rendering included",
               title="Explorer widgets: latency per control change")
        ax.legend()
        fig.savefig(folder / "widgets.png", dpi=90)
        plt.close(fig)
        names.append("widgets.png")
    bp = _get(results, "peers", "barren_plateau")
    if bp:
        fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
        for key, v in bp.items():
            ns = sorted(v["per_n_s"], key=int)
            ax.plot([int(n) for n in ns], [v["per_n_s"][n]["median"] for n in ns], "o-", label=key)
        ax.set_yscale("log")
        setting = _get(results, "peers", "setting") or {}
        ax.set(xlabel="qubits n",
               ylabel=f"time for {setting.get('n_circuits', '?')} circuits, depth "
                      f"{setting.get('depth', '?')} (s, log)",
               title="Barren-plateau experiment, same circuits, one run")
        ax.legend(fontsize=8)
        fig.savefig(folder / "barren_plateau_peers.png", dpi=90)
        plt.close(fig)
        names.append("barren_plateau_peers.png")
    gr = _get(results, "peers", "gradients")
    if gr:
        labels = list(gr)
        fig, ax = plt.subplots(figsize=(8, 0.5 * len(labels) + 2), layout="constrained")
        ax.barh(labels, [gr[k]["gradients_per_s"]["median"] for k in labels], color="#aa3377")
        ax.set_xscale("log")
        ax.invert_yaxis()
        ax.set(xlabel="full gradients per second (log)",
               title="Gradient throughput: 6 qubits, 2 layers, <Z0 Z1>")
        fig.savefig(folder / "gradients_peers.png", dpi=90)
        plt.close(fig)
        names.append("gradients_peers.png")
    return names


def _fmt_s(x: Any) -> str:
    m = _median(x)
    return "n/a" if m is None else (f"{m * 1e3:.0f} ms" if m < 1 else f"{m:.2f} s")


def _load_remark(load: Any, cpus: Any) -> str:
    """Say when other work shared the cores (load average above half the usable CPUs)."""
    loads = load if isinstance(load, (list, tuple)) else [load]
    try:
        high = max(float(x) for x in loads) > 0.5 * float(cpus)
    except (TypeError, ValueError):
        return ""
    return (" (**measured under load**: other work shared the cores, absolute times are "
            "pessimistic; ratios measured in one run hold)") if high else " (low load)"


def _bp_table(p: dict[str, Any], ref: str | None) -> list[str]:
    bp = p["barren_plateau"]
    lines = [f"| implementation | total time | warm (compile excluded) | {ref} timed next to it | "
             f"time / {ref} | variance at largest n | max relative variance difference |",
             "|---|---|---|---|---|---|---|"]
    for key, v in bp.items():
        ratio = _bp_ratio(v)
        nmax = max(v["variance"], key=int)
        warm = _median(v.get("warm_total_s"))
        diff = v.get("max_rel_variance_diff_vs_reference")
        adj = _median(v.get("adjacent_reference_total_s"))
        lines.append(f"| {key} | {_median(v['total_s']):.2f} s | "
                     f"{'' if warm is None else format(warm, '.2f') + ' s'} | "
                     f"{'' if adj is None else format(adj, '.2f') + ' s'} | "
                     f"{'1' if key == ref else ('' if ratio is None else format(ratio, '.2f'))} | "
                     f"{v['variance'][nmax]:.4e} (n={nmax}) | "
                     f"{'' if diff is None else format(diff, '.1e')} |")
    ns = sorted({n for v in bp.values() for n in v["per_n_s"]}, key=int)
    lines += ["", "Time per qubit count (s, median):", "",
              "| implementation | " + " | ".join(f"n={n}" for n in ns) + " |",
              "|---|" + "---|" * len(ns)]
    for key, v in bp.items():
        cells = [format(_median(v["per_n_s"][n]), ".3g") if n in v["per_n_s"] else ""
                 for n in ns]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return lines


def _bp_findings(p: dict[str, Any], ref: str | None) -> list[str]:
    """Sentences computed from the figures: who won, and where the engine was beaten."""
    bp = p["barren_plateau"]
    out = []
    for key, v in bp.items():
        ratio = _bp_ratio(v)
        if key == ref or ratio is None:
            continue
        word = "slower" if ratio > 1 else "**faster**"
        out.append(f"- {key}: {word} than {ref} ({ratio:.2f}x its time).")
        warm = _median(v.get("warm_time_ratio_vs_reference"))
        if warm is not None and (warm > 1) != (ratio > 1):
            out.append(f"  Without its compile (a second, warm call) it is "
                       f"{'slower' if warm > 1 else '**faster**'}: {warm:.2f}x.")
    return out


def peers_markdown(results: dict[str, Any]) -> list[str]:
    """The barren-plateau comparison and the gradient-throughput table, from ``peers``."""
    p = results.get("peers")
    if not p:
        return []
    st = p["setting"]
    versions = p.get("versions") or {"pennylane": p.get("pennylane_version")}
    bp = p.get("barren_plateau") or {}
    ref = _bp_reference(bp, p)
    loads = [x for pair in p.get("load_average_1min", []) for x in pair]
    cpus = _get(results, "machine", "cpus_usable")
    lines = ["", "## Barren plateau: every implementation, same circuits, one run", "",
             f"n = {st['qubits']}, depth {st['depth']}, {st['n_circuits']} random McClean "
             "circuits per n, gradient of <Z0 Z1> by the first rotation; the circuits' values "
             "come from clipq_edu and are handed to every implementation, so the variances must "
             "agree to float32 rounding. Versions: "
             + ", ".join(f"{k} {v}" for k, v in versions.items() if v) + "."]
    if loads:
        lines += ["", f"Load average (1 min) at the start and end of each run: "
                  f"{', '.join(format(x, '.1f') for x in loads)} on {cpus} usable cores"
                  + _load_remark(loads, cpus) + ". Each peer's ratio is taken against the "
                  f"{ref} timed right before and right after that peer (their mean: the load "
                  "drifts during a run)."]
    if bp:
        lines += [""] + _bp_table(p, ref) + [""] + _bp_findings(p, ref)
    grads = p.get("gradients") or {}
    if grads:
        lines += ["", f"Gradient task: {st['gradient_task']}.", "",
                  "| implementation | gradients/s | speed / clipq_edu | max diff of first gradient |",
                  "|---|---|---|---|"]
        for key, v in grads.items():
            ratio = v.get("speed_ratio_vs_clipq_edu")
            diff = v.get("max_abs_diff_first_gradient_vs_clipq_edu")
            lines.append(f"| {key} | {v['gradients_per_s']['median']:.1f} | "
                         f"{'1' if ratio is None else format(ratio['median'], '.2f')} | "
                         f"{'' if diff is None else format(diff, '.1e')} |")
    return lines


def markdown(results: dict[str, Any], pngs: list[str], notes: str = "") -> str:
    """The text of RESULTS.md."""
    m = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m benchmarks` (`make bench`); raw samples in `results.json`.",
        f"Figures are medians over {results['repeat']} repeat(s) unless stated; all measured in "
        "one session so ratios hold.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu_model']}; usable cores {m['cpus_usable']} (host {m['cpus_host']})",
        f"- memory: {m['memory_total_gb']} GB total, limit {m['memory_limit_gb'] or 'none'}",
        f"- {m['os']} {m['machine']}, Python {m['python']}",
        "- " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        f"- load average at start: {m['load_average_at_start']}" + _load_remark(
            m["load_average_at_start"], m["cpus_usable"]),
        f"- date: {m['date_utc']}; sections run: {', '.join(results['sections'])}",
        "",
        "## Targets",
        "",
        "| target | measured | limit | verdict |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in targets_table(results)]
    st = results.get("startup")
    if st:
        lines += [
            "", "## Start-up (fresh processes)", "",
            "| figure | median |", "|---|---|",
            f"| `import clipq_edu` (TensorFlow loaded: {st['import_loaded_tensorflow']}) | {_fmt_s(st['import_clipq_edu_s'])} |",
            f"| `import tensorflow` + `tensorflow_quantum` | {_fmt_s(st['import_tf_tfq_s'])} |",
            f"| `clipq_edu.setup()` with TF loaded | {_fmt_s(st['setup_with_tf_s'])} |",
            f"| first quantum result (Bell <Z0Z1>, via {st['first_quantum_result_via']}), from script start | {_fmt_s(st['first_quantum_result_s'])} |",
            f"| same, whole process incl. interpreter start | {_fmt_s(st['first_quantum_result_process_wall_s'])} |",
        ]
        if "make_lab_second_start_to_url_s" in st:
            lines.append(f"| `make lab` to its printed URL, environment already installed "
                         f"(reinstalled: {st['make_lab_second_start_reinstalled']}) | "
                         f"{_fmt_s(st['make_lab_second_start_to_url_s'])} |")
    nb = results.get("notebooks")
    if nb and nb.get("notebooks"):
        lines += ["", "## Chapter notebooks (headless, fresh kernel each)", "",
                  "| notebook | wall time | fresh kernel to first quantum result | peak kernel RSS | slowest cells | errors |",
                  "|---|---|---|---|---|---|"]
        for name, v in nb["notebooks"].items():
            slow = "; ".join(f"#{c['index']} {c['seconds']} s `{c['first_line']}`" for c in v["slowest_cells"])
            fq = v.get("first_quantum_s")
            first = "–" if not fq else f"{fq['median']:.1f} s"
            lines.append(f"| {name} | {v['wall_s']['median']:.1f} s | {first} | "
                         f"{v['peak_rss_bytes']['median'] / 1e9:.2f} GB | {slow} | "
                         f"{len(v['errors'])} |")
        lines.append(f"| **total** | **{nb['total_wall_s']:.0f} s** | | | | |")
    ex = _get(results, "widgets", "explorers")
    if ex:
        lines += ["", "## Explorer widgets (callback latency inside an IPython kernel)", "",
                  "Each change sets one control as a slider drag does; the time covers validate, "
                  "compute, draw and the PNG the kernel sends. *First visit*: a combination of "
                  "values never shown before; *revisit*: shown before (a cached explorer only "
                  "redraws). *Fresh first visits*: measured before the sweep on fresh explorers "
                  "(prefetch off, nothing cached; `benchmarks.widgets.first_visits`), each change "
                  "to a setting never shown in the kernel: what a learner's first drag costs.", "",
                  "| explorer | changes | median | p95 | first visit p95 | revisit p95 | "
                  "fresh first visit median | fresh first visit p95 | worst fresh first visit | "
                  "compute median | draw median |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, v in ex.items():
            if "error" in v:
                lines.append(f"| {name} | error: {v['error'][:100]} | | | | | | | | | |")
                continue

            def stat(key: str, which: str = "p95", v: dict = v) -> str:
                return "n/a" if not v.get(key) else f"{v[key][which] * 1e3:.0f} ms"

            worst = v.get("fresh_first_visit_worst")
            worst_text = ("n/a" if not worst else
                          f"{worst['s'] * 1e3:.0f} ms (`{worst['control']}` = {worst['value']})")
            lines.append(
                f"| {name} | {v['n_changes']} | {v['latency_s']['median'] * 1e3:.0f} ms | "
                f"{v['latency_s']['p95'] * 1e3:.0f} ms | {stat('first_visit_s')} | "
                f"{stat('revisit_s')} | {stat('fresh_first_visit_s', 'median')} | "
                f"{stat('fresh_first_visit_s')} | {worst_text} | "
                f"{v['compute_s']['median'] * 1e3:.0f} ms | {v['draw_s']['median'] * 1e3:.0f} ms |")
        lines += ["", "Per control (median / p95):", ""]
        for name, v in ex.items():
            if "error" in v:
                continue
            per = ", ".join(f"`{c}` {d['latency_s']['median'] * 1e3:.0f}/{d['latency_s']['p95'] * 1e3:.0f} ms"
                            for c, d in v["per_control"].items())
            lines.append(f"- {name}: {per}")
    q = results.get("quantum")
    if q:
        lines += ["", "## Quantum core", "", f"Source: {q.get('source')}.", ""]
        flat = {k: v for k, v in q.items() if isinstance(v, dict) and "value" in v}
        if flat:
            lines += ["| figure | value | unit |", "|---|---|---|"]
            lines += [f"| {k} | {v['value']:.4g} | {v.get('unit', '')} |" for k, v in flat.items()]
        else:
            lines += ["```json", json.dumps({k: v for k, v in q.items() if k != "source"},
                                            indent=1, default=str)[:4000], "```"]
    lines += peers_markdown(results)
    lines += lite_markdown(results.get("lite"))
    if pngs:
        lines += ["", "## Plots", ""] + [f"![{n}]({n})" for n in pngs]
    if notes:
        lines += ["", "## Findings and explanations", "", notes.strip()]
    return "\n".join(lines) + "\n"


def lite_markdown(lite: dict[str, Any] | None) -> list[str]:
    """The TFQ-free route's figures (``make test-lite`` writes benchmarks/results_lite.json)."""
    if not lite:
        return []
    lines = ["", "## The TFQ-free route (`make test-lite`)", "",
             f"Every chapter of both editions in a real {lite['platform']} environment with "
             f"CPython {lite['python']} from `requirements-lite.txt` (no TensorFlow Quantum: the "
             f"library's simulator), {lite['mode']}; written by `make test-lite` into "
             "`results_lite.json`.", "",
             "| chapter | wall time | peak kernel memory | result |", "|---|---|---|---|"]
    for row in lite["chapters"]:
        status = "error: " + row["error"] if row["error"] else "ran to the end"
        if row.get("skipped_tfq_cells"):
            status += f" ({row['skipped_tfq_cells']} TFQ cells skipped, each saying why)"
        lines.append(f"| `{row['notebook']}` | {row['seconds']:.1f} s | "
                     f"{row['peak_bytes'] / 1e9:.2f} GB | {status} |")
    lines += ["", f"All chapters: {lite['total_seconds']:.0f} s; largest peak "
              f"{lite['peak_bytes'] / 1e9:.2f} GB."]
    return lines


def write(results: dict[str, Any], folder: Path = BENCH_DIR, notes: str = "") -> None:
    """Write results.json, the PNGs and RESULTS.md into ``folder``."""
    (folder / "results.json").write_text(json.dumps(results, indent=1, default=str) + "\n",
                                         encoding="utf-8")
    pngs = plots(results, folder)
    (folder / "RESULTS.md").write_text(markdown(results, pngs, notes), encoding="utf-8")
