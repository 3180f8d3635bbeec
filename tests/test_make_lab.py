"""The README's main command, `make lab`, started exactly as a learner starts it.

As the current user (root in CI and in most containers), headless through the documented
``NO_BROWSER=1``, on a free port. The test waits for the URL the command prints, then checks
what a learner and an instructor rely on:

* the URL (with its token) serves JupyterLab on the start notebook, and the notebook is there;
* the API refuses a request without the token (403);
* the server listens on 127.0.0.1 only;
* the environment is not reinstalled when it already exists (no ``pip install`` in the output);
* the course settings that silence JupyterLab's news prompt are in place.

The server is stopped by its own process id, read from the runtime file Jupyter writes.
As root, removing the ``--allow-root`` handling of ``tools/start_lab.sh`` makes this test fail
(Jupyter refuses to start); as another user that handling is not exercised.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
START = "notebooks/00_start_here.ipynb"
URL_RE = re.compile(
    r"(http://127\.0\.0\.1:(\d+)/lab/tree/" + re.escape(START) + r"\?token=([0-9a-f]+))"
)
STARTUP_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


class _Output:
    """Collects a process's output in a thread, so reading never blocks the test."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        for raw in proc.stdout:
            self.lines.append(raw.decode(errors="replace"))

    @property
    def text(self) -> str:
        return "".join(self.lines)


def _wait_for_url(proc: subprocess.Popen, out: _Output) -> re.Match:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        match = URL_RE.search(out.text)
        if match:
            return match
        if proc.poll() is not None:
            time.sleep(0.5)  # let the reader thread drain the last lines
            pytest.fail(f"`make lab` exited with {proc.returncode} before printing a URL:\n"
                        f"{out.text[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"`make lab` printed no URL within {STARTUP_SECONDS} s:\n{out.text[-3000:]}")


def _server_info(runtime: Path, port: int) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for path in runtime.glob("jpserver-*.json"):
            info = json.loads(path.read_text())
            if info.get("port") == port:
                return info
        time.sleep(0.2)
    pytest.fail(f"no Jupyter runtime file for port {port} in {runtime}")


def _listening_addresses(pid: int) -> set[str]:
    import psutil

    conns = psutil.Process(pid).net_connections(kind="inet")
    return {c.laddr.ip for c in conns if c.status == psutil.CONN_LISTEN}


def _stop(pid: int | None, proc: subprocess.Popen) -> None:
    if pid is not None:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def test_make_lab_starts_the_course(tmp_path: Path) -> None:
    if not (ROOT / ".venv" / ".runtime-installed").exists():
        pytest.skip("run through `make test`, which installs .venv first")
    port = _free_port()
    runtime = tmp_path / "runtime"
    env = {**os.environ, "NO_BROWSER": "1", "PORT": str(port), "JUPYTER_RUNTIME_DIR": str(runtime)}
    env.pop("MAKEFLAGS", None)
    env.pop("MAKELEVEL", None)
    started = time.monotonic()
    proc = subprocess.Popen(["make", "lab"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    out = _Output(proc)
    server_pid = None
    try:
        match = _wait_for_url(proc, out)
        seconds_to_url = time.monotonic() - started
        url, printed_port, token = match.group(1), int(match.group(2)), match.group(3)
        info = _server_info(runtime, printed_port)
        server_pid = info["pid"]

        assert printed_port == port, f"asked for port {port}, server says {printed_port}"
        assert "pip install" not in out.text, "a second `make lab` must not reinstall anything"
        if os.geteuid() == 0:
            assert "--allow-root" in out.text, "as root, make lab must say why it adds --allow-root"

        status, page = _get(url)
        assert status == 200, f"the printed URL answered {status}"
        assert b"JupyterLab" in page
        base = f"http://127.0.0.1:{port}"
        status, body = _get(f"{base}/api/contents/{START}", token)
        assert status == 200 and json.loads(body)["type"] == "notebook"
        status, _ = _get(f"{base}/api/contents/{START}")
        assert status == 403, f"the API answered {status} without the token (403 expected)"

        addresses = _listening_addresses(server_pid)
        assert addresses == {"127.0.0.1"}, f"the server listens on {addresses}, not 127.0.0.1 only"

        overrides = ROOT / ".venv/share/jupyter/lab/settings/overrides.json"
        prefs = json.loads(overrides.read_text())
        assert prefs["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
        print(f"make lab: URL printed after {seconds_to_url:.1f} s (environment already installed)")
    finally:
        _stop(server_pid, proc)
    assert proc.returncode is not None
