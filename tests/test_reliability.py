"""Reliability: offline operation, safe defaults, no eval, repeatable shot-based numbers."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


# ------------------------------------------------------------------ offline
def test_socket_guard_blocks_non_loopback(monkeypatch):
    import conftest

    calls = []
    monkeypatch.setattr(conftest, "_real_connect", lambda self, addr: calls.append(addr))
    s = socket.socket()
    try:
        with pytest.raises(conftest.NetworkAccessError, match="192.0.2.1"):
            s.connect(("192.0.2.1", 80))  # TEST-NET-1: intercepted before any packet
        with pytest.raises(conftest.NetworkAccessError):
            s.connect(("pypi.org", 443))  # a host name would need DNS
        s.connect(("127.0.0.1", 9))
    finally:
        s.close()
    assert calls == [("127.0.0.1", 9)]


def test_name_lookups_and_package_indexes_are_refused_loudly():
    """A lookup of a public name raises (it would be the first packet of a download), and
    pip/uv started by a test see no index: an accidental network use fails, never skips."""
    import conftest

    with pytest.raises(conftest.NetworkAccessError, match="pypi.org"):
        socket.getaddrinfo("pypi.org", 443)
    assert socket.getaddrinfo("localhost", 80) and socket.getaddrinfo("127.0.0.1", 80)
    assert os.environ["PIP_NO_INDEX"] == "1" and os.environ["UV_OFFLINE"] == "1"
    r = subprocess.run([PY, "-m", "pip", "download", "--no-deps", "-d", os.devnull,
                        "six==1.16.0"], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PIP_CONFIG_FILE": os.devnull,
                            "PIP_FIND_LINKS": ""})
    assert r.returncode != 0, "pip reached a package index from inside the test suite"


def _unshare_available() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _unshare_available(), reason="needs root and `unshare -n`")
def test_library_and_a_notebook_work_with_networking_disabled():
    """Inside a network namespace with only loopback up: the fast unit tests and chapter 00."""
    cmd = (
        "ip link set lo up && "
        f"{PY} -m pytest -p no:cacheprovider -q -x -m 'not slow' "
        "tests/test_clipping.py tests/test_exercises_core.py notebooks/00_start_here.ipynb"
    )
    r = subprocess.run(["unshare", "-n", "sh", "-c", cmd], cwd=ROOT, capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert re.search(r"\d+ passed", r.stdout)


def test_no_code_downloads_at_run_time():
    pattern = re.compile(
        r"urllib\.request|requests\.get|urlopen|http://|https://|load_data\(|"
        r"fetch_openml|keras\.utils\.get_file|datasets\.mnist"
    )
    offenders = []
    for path in (ROOT / "clipq_edu").rglob("*.py"):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if pattern.search(code) and not re.search(r'^\s*(\"|\'|[A-Za-z_]+\s*=\s*\"|\w+:)', line):
                offenders.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    # URLs inside docstrings/strings are references; executable downloads are not allowed.
    assert not [o for o in offenders if "http" not in o], offenders


# ------------------------------------------------------------------ safe defaults
def test_lab_launcher_binds_loopback_and_keeps_token():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile[makefile.index("\nlab:"):].split("\n\n", 1)[0]
    assert "tools/start_lab.sh" in recipe and "python -m clipq_edu lab" not in recipe
    assert "-m clipq_edu lab" in (ROOT / "tools" / "start_lab.sh").read_text(encoding="utf-8")
    assert re.search(r"^IP \?= 127\.0\.0\.1$", makefile, re.M), "make lab listens on loopback"
    # the one launcher (python -m clipq_edu lab) holds the server's options
    lab = (ROOT / "clipq_edu" / "_launch.py").read_text(encoding="utf-8")
    assert 'default="127.0.0.1"' in lab and "--ServerApp.ip=" in lab
    for unsafe in ("token=''", 'token=""', "token= ", "disable_check_xsrf", "allow_origin",
                   "password=", "IdentityProvider.token"):
        assert unsafe not in lab, unsafe


def test_exercise_checks_never_eval_student_input():
    for path in (ROOT / "clipq_edu").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w.])(eval|exec)\(", text), path


def test_notebooks_do_not_run_shell_commands():
    import json

    for path in (ROOT / "notebooks").glob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"])
            assert not re.search(r"^\s*!|%%(bash|sh|script)|subprocess|os\.system", src, re.M), (
                f"{path.name}: {src[:80]}"
            )


def test_memory_guard_says_what_it_would_need():
    from clipq_edu.quantum.resources import check_qubits

    with pytest.raises(ValueError, match=r"n_qubits=30 .* needs 8\.0 GiB"):
        check_qubits("n_qubits", 30)
    assert check_qubits("n_qubits", 20) == 20


# ------------------------------------------------------------------ environment of subprocesses
def test_kernel_environment_is_offline_friendly():
    """Nothing in the package reads a network proxy or token: a kernel only needs loopback."""
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    r = subprocess.run([PY, "-c", "import clipq_edu; print(clipq_edu.setup(seed=1).seed)"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and r.stdout.strip().endswith("1"), r.stderr
