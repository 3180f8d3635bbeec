"""The platform check that runs before any download, and `python -m clipq_edu lab`'s command.

The launcher itself is started for real by tests/test_make_lab.py (both `make lab` and
`python -m clipq_edu lab`); here: which route each platform gets, that the check needs only
the standard library, and what the launcher asks JupyterLab for.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from clipq_edu import _launch, _preflight

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("system", "machine", "version", "expected"), [
    ("Linux", "x86_64", (3, 11, 7), "full"),
    ("Linux", "x86_64", (3, 12, 1), "full"),
    ("Linux", "x86_64", (3, 13, 0), "lite"),   # TFQ has no 3.13 wheels
    ("Linux", "aarch64", (3, 12, 1), "lite"),  # nor ARM ones
    ("Darwin", "arm64", (3, 12, 4), "lite"),
    ("Darwin", "arm64", (3, 13, 1), "lite"),
    ("Windows", "AMD64", (3, 11, 9), "lite"),
    ("Darwin", "x86_64", (3, 12, 4), "none"),  # no TensorFlow wheels for Intel Macs
    ("Windows", "ARM64", (3, 12, 4), "none"),
    ("Linux", "x86_64", (3, 11, 4), "none"),   # the pins need 3.11.5
    ("Linux", "x86_64", (3, 10, 13), "none"),
    ("Darwin", "arm64", (3, 14, 0), "none"),
])
def test_each_platform_gets_the_route_its_wheels_allow(system, machine, version, expected):
    r = _preflight.route(system, machine, version)
    assert r.name == expected, r
    assert r.requirements == {"full": "requirements.txt", "lite": "requirements-lite.txt",
                              "none": ""}[expected]
    assert r.why, "every route says why"
    if expected == "none":
        assert re.search(r"3\.1[123]|Binder", r.why), r.why  # names what to do instead


def test_every_lock_a_route_names_exists():
    for name in ("requirements.txt", "requirements-lite.txt"):
        assert (ROOT / name).is_file(), name


def test_preflight_runs_on_the_standard_library_alone():
    """`make lab` runs it with the system Python before the environment exists: -I -S keeps
    site-packages (numpy & co.) out of reach, so an import beyond the standard library fails."""
    script = ROOT / "clipq_edu" / "_preflight.py"
    r = subprocess.run([sys.executable, "-I", "-S", str(script)], capture_output=True,
                       text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    for word in ("platform:", "python:", "route:", "disk:", "memory:"):
        assert word in r.stdout, r.stdout
    r = subprocess.run([sys.executable, "-I", "-S", str(script), "--requirements"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert r.stdout.strip() == _preflight.route(*_here()).requirements


def _here():
    import platform

    return platform.system(), platform.machine(), sys.version_info[:3]


def test_make_lab_checks_the_platform_before_creating_the_environment():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    rule = re.search(r"^\$\(VENV\)/\.runtime-installed:.*?(?=\n\S|\n\n)", makefile, re.M | re.S)[0]
    assert rule.index("_preflight.py") < rule.index("-m venv"), rule
    assert "_preflight.py --requirements" in makefile


def _args(**kw) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    _launch.add_arguments(parser)
    ns = parser.parse_args([])
    for key, value in kw.items():
        setattr(ns, key, value)
    return ns


def test_launcher_listens_on_loopback_with_a_token_by_default(monkeypatch):
    monkeypatch.delenv("EDITION", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    cmd, notes = _launch.command(_args(), ROOT)
    assert "--ServerApp.ip=127.0.0.1" in cmd
    assert not any("token=" in c.lower() and c.endswith("=") for c in cmd)  # never disables it
    assert any(c.endswith("/lab/tree/notebooks/00_start_here.ipynb") for c in cmd)
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    assert ("--allow-root" in cmd) == root
    assert any("root" in n for n in notes) == root


def test_launcher_for_a_container_and_for_the_chinese_edition():
    cmd, notes = _launch.command(_args(ip="0.0.0.0", edition="zh", no_browser=True), ROOT)
    assert "--ServerApp.ip=0.0.0.0" in cmd and "--no-browser" in cmd
    assert any("token is still required" in n for n in notes)
    assert any(c.endswith("/lab/tree/notebooks/zh/00_start_here.ipynb") for c in cmd)


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--ip", "example.org", "--ip must be an IP address"),
    ("--port", "0", "--port must be an integer in 1..65535"),
    ("--port", "http", "--port must be an integer in 1..65535"),
])
def test_launcher_rejects_bad_options_naming_them(capsys, option, value, message):
    parser = argparse.ArgumentParser()
    _launch.add_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args([option, value])
    err = capsys.readouterr().err
    assert message in err and repr(value) in err, err


def test_launcher_says_where_the_notebooks_are_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(_launch, "ROOT", tmp_path)
    with pytest.raises(FileNotFoundError, match="notebooks/ folder"):
        _launch.course_root(tmp_path)
    assert _launch.course_root(ROOT) == ROOT
