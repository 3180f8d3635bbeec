"""benchmarks/hub.py without a hub: sizing arithmetic, the guide block, the hub configuration.

Fast and hermetic: nothing here starts JupyterHub, a proxy or a kernel, or uses the network.
The measurement itself is ``python -m benchmarks.hub`` (see its docstring).
"""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path

import pytest

from benchmarks import hub


def _run(students: int, kernel_gb: float, server_gb: float, hub_gb: float, cpu_s: float,
         ok: bool = True) -> dict:
    chapter = {"ok": ok, "cell_errors": 0 if ok else 2, "wall_slowest_s": 20.0,
               "wall_median_s": 18.0, "cpu_s_median": cpu_s, "cpu_s_max": cpu_s + 1,
               "kernel_peak_rss_gb_max": kernel_gb, "kernel_peak_rss_gb_median": kernel_gb,
               "students_completed": students, "per_student": []}
    light = dict(chapter, cpu_s_median=cpu_s / 2, kernel_peak_rss_gb_max=kernel_gb / 2)
    return {"students": students, "ok": ok, "failures": {},
            "chapters": {"02_core_concepts": light, "07_lab_capstone": chapter},
            "server_rss_gb_max": server_gb, "hub_proxy_rss_gb_peak": hub_gb,
            "total_rss_gb_peak": 1.0, "load1_peak": 1.5}


@pytest.fixture
def results() -> dict:
    return {
        "machine": {"cpu_model": "Test CPU 9000", "cpus_host": 4, "memory_total_gb": 16.0,
                    "python": "3.11.7", "date_utc": "2031-02-03 04:05 UTC"},
        "setup": {"jupyterhub": "5.4.0", "configurable-http-proxy": "5.3.0"},
        "chapters": ["02_core_concepts", "07_lab_capstone"],
        "runs": [_run(1, 0.8, 0.1, 0.2, 10.0), _run(2, 0.9, 0.12, 0.25, 12.0),
                 _run(4, 5.0, 5.0, 5.0, 99.0, ok=False)],
    }


def test_sizing_uses_the_largest_error_free_run_and_shows_its_arithmetic(results):
    s = hub.sizing(results, class_sizes=(30,), chapter_budget_s=120.0, headroom=1.25)
    assert s["from_students"] == 2  # the 4-student run had errors: not used
    (row,) = s["rows"]
    expected_mem = hub.SYSTEM_RESERVE_GB + 0.25 + 30 * (0.9 + 0.12) * 1.25  # 39.5
    assert row["memory_gb"] == 40 and row["memory_gb"] >= expected_mem
    assert row["cores"] == 3 + hub.SYSTEM_CORES  # 30 × 12 / 120 = 3.0
    assert "30 × (0.90 kernel + 0.12 server) × 1.25" in row["memory_arithmetic"]
    assert "39.5 → 40 GB" in row["memory_arithmetic"]
    assert "30 × 12.0 CPU-s ÷ 120 s = 3.0 → 3" in row["cores_arithmetic"]
    assert s["heaviest_chapter"] == "07_lab_capstone"
    assert s["limit_gb"] == 2.0 and s["guarantee_gb"] == 1.5  # 1.92 → 2, 1.02 → 1.5


def test_sizing_is_monotone_in_students(results):
    rows = hub.sizing(results, class_sizes=(1, 10, 30, 60, 100, 300))["rows"]
    mems = [r["memory_gb"] for r in rows]
    cores = [r["cores"] for r in rows]
    assert mems == sorted(mems) and mems[0] < mems[-1]
    assert cores == sorted(cores) and cores[0] < cores[-1]


def test_sizing_refuses_results_without_an_error_free_run(results):
    results["runs"] = [r for r in results["runs"] if not r["ok"]]
    with pytest.raises(ValueError, match="error-free"):
        hub.sizing(results)


def test_guide_block_names_machine_and_results_date_not_today(results):
    block = hub.render_guide_block(results)
    assert block.startswith(hub.GUIDE_BEGIN) and block.endswith(hub.GUIDE_END)
    assert "2031-02-03" in block and "Test CPU 9000" in block
    for n in hub.CLASS_SIZES:
        assert re.search(rf"^\| {n} \| \*\*\d+ GB\*\* = .* × .* \| \*\*\d+\*\* = .*÷", block, re.M)
    assert "shared" not in block
    shared = copy.deepcopy(results)
    shared["machine"]["shared_machine"] = True
    assert "shared with other jobs" in hub.render_guide_block(shared)
    # the settings that make the sizing hold
    for needle in ("tljh-config set limits.memory 2G", "services.cull.timeout",
                   "cull_idle_timeout", "jupyterhub_idle_culler", "guarantee: 1.5G", "limit: 2G"):
        assert needle in block


def test_guide_block_matches_committed_results():
    """Staleness: rendering benchmarks/results_hub.json gives the block in docs/instructors.md."""
    results = json.loads(hub.RESULTS_HUB_JSON.read_text(encoding="utf-8"))
    committed = hub.guide_block(hub.GUIDE.read_text(encoding="utf-8"))
    assert committed == hub.render_guide_block(results), (
        "docs/instructors.md's hub-sizing block is stale: run `python -m benchmarks.hub --write-guide`")


def test_replace_block_touches_only_the_block():
    text = f"intro\n{hub.GUIDE_BEGIN}\nold\n{hub.GUIDE_END}\noutro\n"
    new = hub.replace_block(text, f"{hub.GUIDE_BEGIN}\nnew\n{hub.GUIDE_END}")
    assert new == f"intro\n{hub.GUIDE_BEGIN}\nnew\n{hub.GUIDE_END}\noutro\n"
    with pytest.raises(ValueError, match="markers"):
        hub.replace_block("no markers here", "x")


def _config_values(text: str) -> dict:
    values = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute):
            target = node.targets[0]
            key = f"{target.value.attr}.{target.attr}"  # c.Class.trait
            values[key] = ast.literal_eval(node.value)
    return values


def test_hub_config_is_loopback_only_with_a_service_token(tmp_path: Path):
    text = hub.hub_config(
        tmp_path, port=18000, hub_port=18001, proxy_api_port=18002, token="t0ken" * 8,
        singleuser_cmd=["/x/jupyterhub-singleuser"], chp_cmd=["/x/configurable-http-proxy"],
        environment={"TF_USE_LEGACY_KERAS": "1"}, allow_root=True,
    )
    cfg = _config_values(text)
    assert cfg["JupyterHub.ip"] == cfg["JupyterHub.hub_ip"] == cfg["Spawner.ip"] == "127.0.0.1"
    assert cfg["JupyterHub.hub_connect_ip"] == "127.0.0.1"
    assert cfg["ConfigurableHTTPProxy.api_url"] == "http://127.0.0.1:18002"
    assert "0.0.0.0" not in text and "localhost" not in text
    (service,) = cfg["JupyterHub.services"]
    assert service["api_token"] == "t0ken" * 8
    (role,) = cfg["JupyterHub.load_roles"]
    assert role["services"] == [service["name"]]
    assert {"admin:users", "admin:servers", "access:servers"} <= set(role["scopes"])
    assert cfg["JupyterHub.authenticator_class"] == "dummy" and cfg["Authenticator.allow_all"]
    assert cfg["JupyterHub.spawner_class"] == "simple"
    assert cfg["SimpleLocalProcessSpawner.home_dir_template"].startswith(str(tmp_path))
    assert cfg["Spawner.args"] == ["--ServerApp.allow_root=True"]
    assert cfg["Spawner.environment"] == {"TF_USE_LEGACY_KERAS": "1"}
    no_root = _config_values(hub.hub_config(
        tmp_path, port=1, hub_port=2, proxy_api_port=3, token="x", singleuser_cmd=["s"],
        chp_cmd=["p"], environment={}, allow_root=False))
    assert no_root["Spawner.args"] == []


def test_single_user_environment_follows_binder_start(tmp_path: Path):
    env = hub.binder_start_env()
    assert env["TF_USE_LEGACY_KERAS"] == "1"
    assert env["TF_CPP_MIN_LOG_LEVEL"] == "3"
    for name in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS",
                 "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        assert env[name] == "1", name
    full = hub.singleuser_environment(tmp_path)
    assert full["JUPYTER_PATH"].split(":")[0] == str(tmp_path)
    assert full["TF_USE_LEGACY_KERAS"] == "1"


def test_chapters_are_english_and_picked_by_prefix():
    names = [p.name for p in hub.pick_chapters(["02", "07"])]
    assert names == ["02_core_concepts.ipynb", "07_lab_capstone.ipynb"]
    assert all("/zh/" not in str(p) for p in hub.english_chapters())
    with pytest.raises(ValueError, match="matches 0"):
        hub.pick_chapters(["99"])
    assert hub.code_cells(hub.NOTEBOOKS / "02_core_concepts.ipynb")
