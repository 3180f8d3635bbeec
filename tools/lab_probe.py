"""Start `make lab` headless and wait for the URL it prints: used by the test of the README's
main command (tests/test_make_lab.py) and by the start-up benchmark (benchmarks/startup.py).
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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = "notebooks/00_start_here.ipynb"
URL_RE = re.compile(
    r"(http://127\.0\.0\.1:(\d+)/lab/tree/" + re.escape(START) + r"\?token=([0-9a-f]+))"
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabRun:
    """A running `make lab`: its process, output and, once printed, URL and server info."""

    proc: subprocess.Popen
    runtime: Path
    started: float
    lines: list[str] = field(default_factory=list)
    url: str = ""
    port: int = 0
    token: str = ""
    seconds_to_url: float = float("nan")
    server: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "".join(self.lines)


def start(port: int, runtime: Path, command: list[str] | None = None) -> LabRun:
    """Run `make lab` as the README says (or ``command``, e.g. ``python -m clipq_edu lab``),
    with NO_BROWSER=1 and PORT=port."""
    env = {**os.environ, "NO_BROWSER": "1", "PORT": str(port), "JUPYTER_RUNTIME_DIR": str(runtime)}
    for name in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS"):
        env.pop(name, None)
    proc = subprocess.Popen(command or ["make", "lab"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    run = LabRun(proc=proc, runtime=runtime, started=time.monotonic())

    def read() -> None:
        for raw in proc.stdout:
            run.lines.append(raw.decode(errors="replace"))

    threading.Thread(target=read, daemon=True).start()
    return run


def wait_for_url(run: LabRun, timeout: float = 120.0) -> LabRun:
    """Wait until the URL is printed and the server's runtime file exists; raise otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = URL_RE.search(run.text)
        if match:
            run.seconds_to_url = time.monotonic() - run.started
            run.url, run.port, run.token = match.group(1), int(match.group(2)), match.group(3)
            run.server = _server_info(run.runtime, run.port, deadline)
            _wait_listening(run, deadline)
            return run
        if run.proc.poll() is not None:
            time.sleep(0.5)  # let the reader drain the last lines
            raise RuntimeError(f"`make lab` exited with {run.proc.returncode} before printing "
                               f"a URL:\n{run.text[-3000:]}")
        time.sleep(0.1)
    raise TimeoutError(f"`make lab` printed no URL within {timeout:.0f} s:\n{run.text[-3000:]}")


def _wait_listening(run: LabRun, deadline: float) -> None:
    """Wait until the server accepts connections on its port (it prints its URL and writes its
    runtime file a moment before, on a busy machine); raise with its output if it died."""
    while time.monotonic() < deadline:
        if run.proc.poll() is not None:
            time.sleep(0.5)
            raise RuntimeError(f"the server exited with {run.proc.returncode} after printing "
                               f"its URL:\n{run.text[-3000:]}")
        with socket.socket() as s:
            s.settimeout(1.0)
            if s.connect_ex(("127.0.0.1", run.port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing accepts connections on port {run.port}:\n{run.text[-3000:]}")


def _server_info(runtime: Path, port: int, deadline: float) -> dict:
    while time.monotonic() < deadline:
        for path in runtime.glob("jpserver-*.json"):
            try:
                info = json.loads(path.read_text())
            except ValueError:  # being written
                continue
            if info.get("port") == port:
                return info
        time.sleep(0.1)
    raise TimeoutError(f"no Jupyter runtime file for port {port} in {runtime}")


def stop(run: LabRun) -> None:
    """Stop the server by its own process id (SIGTERM), then make; kill only as a last resort."""
    pid = run.server.get("pid")
    if pid is not None:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        run.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(run.proc.pid, signal.SIGKILL)
        run.proc.wait(timeout=10)
