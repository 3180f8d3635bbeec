"""``python -m benchmarks.hub``: a class on one JupyterHub, measured.

Starts a real JupyterHub (the version repo2docker's Binder base image runs) on 127.0.0.1 in a
temporary directory, creates N simulated students, starts their single-user servers through
the hub's REST API and lets every student run chapters (by default ``02_core_concepts`` then
``07_lab_capstone``) at the same time, through the hub's proxy: one kernel per chapter opened
with ``/user/NAME/api/kernels``, one ``execute_request`` per code cell over the kernel's
websocket, each reply awaited and its errors counted. A sampler thread records the resident
memory of every process the hub started (hub, proxy, single-user servers, kernels) and the
machine's 1-minute load average.

Figures go to ``benchmarks/results_hub.json`` and a table is printed;
``python -m benchmarks.hub --write-guide`` regenerates the sizing block of
``docs/instructors.md`` (between ``<!-- hub-sizing:begin -->`` and ``<!-- hub-sizing:end -->``)
from that file only.

Set-up, once (the only step that uses the network: PyPI and npm): a virtual environment
``benchmarks/.venv-hub`` with ``jupyterhub`` (:data:`JUPYTERHUB_VERSION`) that sees the course
environment's packages through a ``.pth`` file appended *after* its own site-packages, and
``configurable-http-proxy`` (:data:`CHP_VERSION`) from npm in ``benchmarks/.hub-node``. Kernels
run the course environment's Python (a ``python3`` kernelspec, as the TLJH steps of the
instructor guide register it). Everything the measurement starts listens on 127.0.0.1 and is
stopped at the end, on errors and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import BENCH_DIR, ROOT

#: JupyterHub version: the one repo2docker's Binder base image installs.
JUPYTERHUB_VERSION = "5.4.0"
#: configurable-http-proxy version from npm (the proxy JupyterHub starts).
CHP_VERSION = "5.3.0"

HUB_VENV = BENCH_DIR / ".venv-hub"
HUB_NODE = BENCH_DIR / ".hub-node"
COURSE_VENV = ROOT / ".venv"
RESULTS_HUB_JSON = BENCH_DIR / "results_hub.json"
GUIDE = ROOT / "docs" / "instructors.md"
NOTEBOOKS = ROOT / "notebooks"
BINDER_START = ROOT / "binder" / "start"
SETUP_MARKER = HUB_VENV / "clipq-hub-setup.json"

GUIDE_BEGIN = "<!-- hub-sizing:begin -->"
GUIDE_END = "<!-- hub-sizing:end -->"

DEFAULT_STUDENTS = (1, 2, 4, 8)
DEFAULT_CHAPTERS = ("02", "07")
#: Class sizes of the guide's sizing table.
CLASS_SIZES = (30, 60, 100)
#: Wall time one chapter may take when the whole class runs it at once (seconds).
CHAPTER_BUDGET_S = 120.0
#: Multiplier on per-student memory (allocator slack, a bigger experiment than the chapter's).
MEMORY_HEADROOM = 1.25
#: Memory kept for the operating system and page cache (GB).
SYSTEM_RESERVE_GB = 1.0
#: Cores kept for the hub, the proxy, the single-user servers and the system.
SYSTEM_CORES = 1
#: Idle culling recommended with the sizing: kernels (no browser tab open) and whole servers.
KERNEL_CULL_IDLE_S = 1200
SERVER_CULL_IDLE_S = 3600
CULL_EVERY_S = 300

#: Scopes of the benchmark's service token: create users, start/stop and reach their servers.
SERVICE_SCOPES = (
    "admin:users",
    "admin:servers",
    "access:servers",
    "list:users",
    "read:users",
    "read:servers",
)

GB = 1e9


# --------------------------------------------------------------------------------------------
# environment and configuration
# --------------------------------------------------------------------------------------------


def binder_start_env(path: Path = BINDER_START) -> dict[str, str]:
    """The variables ``binder/start`` exports, defaults of ``${NAME:-default}`` resolved.

    Args:
      path: the start script (default ``binder/start``).

    Returns:
      ``{name: value}`` for every ``export NAME=VALUE`` line, in order.
    """
    env: dict[str, str] = {}
    pattern = re.compile(r"^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
    for line in path.read_text(encoding="utf-8").splitlines():
        match = pattern.match(line)
        if not match:
            continue
        name, value = match.group(1), match.group(2).strip().strip('"').strip("'")
        default = re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}", value)
        env[name] = default.group(1) if default else value
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hub_paths() -> dict[str, Path]:
    """Executables of the hub environment: ``python``, ``jupyterhub``, ``singleuser``, ``chp``."""
    return {
        "python": HUB_VENV / "bin" / "python",
        "jupyterhub": HUB_VENV / "bin" / "jupyterhub",
        "singleuser": HUB_VENV / "bin" / "jupyterhub-singleuser",
        "chp": HUB_NODE / "node_modules" / ".bin" / "configurable-http-proxy",
    }


def course_site_packages(venv: Path = COURSE_VENV) -> Path:
    """The ``site-packages`` directory of the course environment."""
    found = sorted(venv.glob("lib/python3.*/site-packages"))
    if not found:
        raise RuntimeError(f"no site-packages under {venv}: create the course environment first")
    return found[-1]


def hub_config(
    workdir: Path,
    *,
    port: int,
    hub_port: int,
    proxy_api_port: int,
    token: str,
    singleuser_cmd: Sequence[str],
    chp_cmd: Sequence[str],
    environment: dict[str, str],
    allow_root: bool,
) -> str:
    """The text of a ``jupyterhub_config.py`` for the benchmark: loopback only, one service token.

    Args:
      workdir: the temporary directory (database, cookie secret, homes under ``home/``).
      port: the proxy's public port (students' URL).
      hub_port: the hub's own port (behind the proxy).
      proxy_api_port: the proxy's REST API port.
      token: API token of the ``clipq-bench`` service.
      singleuser_cmd: the command that starts a single-user server.
      chp_cmd: the command that starts configurable-http-proxy.
      environment: variables set for every single-user server (and its kernels).
      allow_root: add ``--ServerApp.allow_root=True`` (needed when the hub runs as root).
    """
    args = ["--ServerApp.allow_root=True"] if allow_root else []
    settings = [
        ("JupyterHub.ip", "127.0.0.1"),
        ("JupyterHub.port", port),
        ("JupyterHub.hub_ip", "127.0.0.1"),
        ("JupyterHub.hub_port", hub_port),
        ("JupyterHub.hub_connect_ip", "127.0.0.1"),
        ("ConfigurableHTTPProxy.api_url", f"http://127.0.0.1:{proxy_api_port}"),
        ("ConfigurableHTTPProxy.command", list(chp_cmd)),
        ("ConfigurableHTTPProxy.should_start", True),
        ("ConfigurableHTTPProxy.pid_file", str(workdir / "proxy.pid")),
        ("JupyterHub.db_url", f"sqlite:///{workdir / 'jupyterhub.sqlite'}"),
        ("JupyterHub.cookie_secret_file", str(workdir / "cookie_secret")),
        ("JupyterHub.cleanup_servers", True),
        ("JupyterHub.cleanup_proxy", True),
        ("JupyterHub.authenticator_class", "dummy"),
        ("Authenticator.allow_all", True),
        ("JupyterHub.spawner_class", "simple"),
        ("SimpleLocalProcessSpawner.home_dir_template", str(workdir / "home" / "{username}")),
        ("Spawner.ip", "127.0.0.1"),
        ("Spawner.cmd", list(singleuser_cmd)),
        ("Spawner.args", args),
        ("Spawner.default_url", "/lab"),
        ("Spawner.environment", dict(environment)),
        ("Spawner.start_timeout", 300),
        ("Spawner.http_timeout", 300),
        ("JupyterHub.services", [{"name": "clipq-bench", "api_token": token}]),
        ("JupyterHub.load_roles", [
            {"name": "clipq-bench", "scopes": list(SERVICE_SCOPES), "services": ["clipq-bench"]},
        ]),
    ]
    lines = ["# Generated by benchmarks/hub.py for one measurement; loopback only.",
             "c = get_config()  # noqa: F821"]
    lines += [f"c.{key} = {value!r}" for key, value in settings]
    return "\n".join(lines) + "\n"


def write_kernelspec(data_dir: Path, python: Path) -> Path:
    """A ``python3`` kernelspec under ``data_dir/kernels`` that runs ``python`` (the course env)."""
    spec_dir = data_dir / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (clipq_edu)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return spec_dir


def english_chapters(folder: Path = NOTEBOOKS) -> list[Path]:
    """The English chapter notebooks (``notebooks/NN*_*.ipynb``, not ``notebooks/zh``)."""
    return sorted(folder.glob("[0-9][0-9]*_*.ipynb"))


def pick_chapters(prefixes: Iterable[str], folder: Path = NOTEBOOKS) -> list[Path]:
    """The chapters whose file names start with one of ``prefixes`` (``"02"``, ``"07_lab"``)."""
    chosen = []
    available = english_chapters(folder)
    for prefix in prefixes:
        hits = [p for p in available if p.name.startswith(prefix)]
        if len(hits) != 1:
            names = [p.stem for p in available]
            raise ValueError(f"chapter {prefix!r} matches {len(hits)} notebooks; choose one of {names}")
        chosen.append(hits[0])
    return chosen


def code_cells(path: Path) -> list[str]:
    """The source of every non-empty code cell of notebook ``path``, in order."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code":
            continue
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if src.strip():
            cells.append(src)
    return cells


# --------------------------------------------------------------------------------------------
# one-time set-up
# --------------------------------------------------------------------------------------------


def _run(cmd: Sequence[str], *, timeout_s: float, log: Callable[[str], None]) -> str:
    log("  $ " + " ".join(str(c) for c in cmd))
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                          timeout=timeout_s, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed (exit {proc.returncode}):\n"
                           f"{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


def setup_hub_env(*, force: bool = False, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Create (once) the hub environment and the proxy; verify them; return their versions.

    The only step that talks to package registries (PyPI through pip, npm). Skipped when
    ``benchmarks/.venv-hub/clipq-hub-setup.json`` records the pinned versions, unless ``force``.
    """
    paths = hub_paths()
    wanted = {"jupyterhub": JUPYTERHUB_VERSION, "configurable-http-proxy": CHP_VERSION}
    if not force and SETUP_MARKER.exists() and all(p.exists() for p in paths.values()):
        recorded = json.loads(SETUP_MARKER.read_text(encoding="utf-8"))
        if {k: recorded.get(k) for k in wanted} == wanted:
            return recorded
    site = course_site_packages()
    log(f"setting up the hub environment in {HUB_VENV} (once)")
    if force and HUB_VENV.exists():
        shutil.rmtree(HUB_VENV)
    if not paths["python"].exists():
        _run([sys.executable, "-m", "venv", HUB_VENV], timeout_s=300, log=log)
    hub_site = Path(_run([paths["python"], "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         timeout_s=60, log=log).strip())
    # Appended after the hub's own site-packages (addsitedir also runs the course's .pth files,
    # so the editable clipq_edu is found); pip then installs only what the course lacks.
    (hub_site / "zz_clipq_course_env.pth").write_text(
        f"import site; site.addsitedir({str(site)!r})\n", encoding="utf-8")
    _run([paths["python"], "-m", "pip", "install", "--disable-pip-version-check", "-q",
          f"jupyterhub=={JUPYTERHUB_VERSION}"], timeout_s=900, log=log)
    HUB_NODE.mkdir(parents=True, exist_ok=True)
    _run(["npm", "install", "--prefix", HUB_NODE, "--no-audit", "--no-fund",
          f"configurable-http-proxy@{CHP_VERSION}"], timeout_s=600, log=log)
    recorded = verify_hub_env()
    SETUP_MARKER.write_text(json.dumps(recorded, indent=1) + "\n", encoding="utf-8")
    return recorded


def verify_hub_env() -> dict[str, Any]:
    """Check the hub environment's versions and that it sees JupyterLab and clipq_edu."""
    paths = hub_paths()
    code = ("import json, jupyterhub, jupyterlab, jupyter_server, clipq_edu, sys; "
            "print(json.dumps({'jupyterhub': jupyterhub.__version__, "
            "'jupyterlab': jupyterlab.__version__, 'jupyter_server': jupyter_server.__version__, "
            "'clipq_edu_path': clipq_edu.__file__, 'hub_python': sys.version.split()[0]}))")
    out = subprocess.run([str(paths["python"]), "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=tempfile.gettempdir())
    if out.returncode != 0:
        raise RuntimeError(f"the hub environment cannot import its packages:\n{out.stderr[-3000:]}")
    info = json.loads(out.stdout.strip().splitlines()[-1])
    chp = subprocess.run([str(paths["chp"]), "--version"], capture_output=True, text=True, timeout=60)
    info["configurable-http-proxy"] = chp.stdout.strip()
    if info["jupyterhub"] != JUPYTERHUB_VERSION or info["configurable-http-proxy"] != CHP_VERSION:
        raise RuntimeError(f"hub environment has {info}, expected jupyterhub {JUPYTERHUB_VERSION} "
                           f"and configurable-http-proxy {CHP_VERSION}: rerun with --setup")
    return info


# --------------------------------------------------------------------------------------------
# a running hub
# --------------------------------------------------------------------------------------------


class HubApi:
    """Minimal REST client for the hub and the single-user servers behind its proxy (loopback)."""

    def __init__(self, port: int, token: str) -> None:
        import requests

        self.base = f"http://127.0.0.1:{port}"
        self.token = token
        self.session = requests.Session()
        self.session.trust_env = False  # never a proxy from the environment: loopback only
        self.session.headers["Authorization"] = f"token {token}"

    def request(self, method: str, path: str, *, timeout_s: float = 30.0, **kwargs: Any) -> Any:
        """One request to ``self.base + path``; returns the ``requests`` response."""
        return self.session.request(method, self.base + path, timeout=timeout_s, **kwargs)

    def json(self, method: str, path: str, *, ok: Sequence[int] = (200, 201, 202, 204),
             **kwargs: Any) -> Any:
        """A request whose status must be in ``ok``; its decoded JSON body (or ``None``)."""
        resp = self.request(method, path, **kwargs)
        if resp.status_code not in ok:
            raise RuntimeError(f"{method} {path} -> {resp.status_code}: {resp.text[:500]}")
        return resp.json() if resp.content else None


@dataclass
class Hub:
    """A JupyterHub started by :func:`start_hub`, its ports, token and every process seen."""

    workdir: Path
    port: int
    token: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    api: HubApi
    seen: dict[int, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def remember(self, procs: Iterable[Any]) -> None:
        """Record psutil processes so that :func:`stop_hub` can stop them even once orphaned."""
        with self.lock:
            for p in procs:
                self.seen.setdefault(p.pid, p)


def singleuser_environment(data_dir: Path) -> dict[str, str]:
    """Variables for every single-user server: ``binder/start``'s, plus where Jupyter looks.

    ``JUPYTER_PATH`` puts the benchmark's ``python3`` kernelspec (course Python) first and the
    course environment's data (JupyterLab's extensions) after it; ``JUPYTER_CONFIG_PATH`` adds
    the course environment's server configuration (which enables JupyterLab).
    """
    env = binder_start_env()
    env["JUPYTER_PATH"] = os.pathsep.join([str(data_dir), str(COURSE_VENV / "share" / "jupyter")])
    env["JUPYTER_CONFIG_PATH"] = str(COURSE_VENV / "etc" / "jupyter")
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def prepare_workdir(workdir: Path, users: Sequence[str], chapters: Sequence[Path]) -> None:
    """Homes ``workdir/home/USER`` holding a copy of the English chapter notebooks."""
    for user in users:
        nb_dir = workdir / "home" / user / "notebooks"
        nb_dir.mkdir(parents=True, exist_ok=True)
        for path in english_chapters():
            shutil.copy2(path, nb_dir / path.name)
        for path in chapters:
            if not (nb_dir / path.name).exists():
                shutil.copy2(path, nb_dir / path.name)


def start_hub(workdir: Path, *, timeout_s: float = 120.0) -> Hub:
    """Start JupyterHub (and through it the proxy) in ``workdir``; wait until its API answers."""
    paths = hub_paths()
    data_dir = workdir / "jupyter-data"
    write_kernelspec(data_dir, COURSE_VENV / "bin" / "python")
    port, hub_port, api_port = free_port(), free_port(), free_port()
    while len({port, hub_port, api_port}) < 3:
        hub_port, api_port = free_port(), free_port()
    token = secrets.token_hex(32)
    config = hub_config(
        workdir, port=port, hub_port=hub_port, proxy_api_port=api_port, token=token,
        singleuser_cmd=[str(paths["singleuser"])], chp_cmd=[str(paths["chp"])],
        environment=singleuser_environment(data_dir), allow_root=os.geteuid() == 0,
    )
    config_path = workdir / "jupyterhub_config.py"
    config_path.write_text(config, encoding="utf-8")
    env = {
        "PATH": os.pathsep.join([str(HUB_VENV / "bin"), str(Path(shutil.which("node") or "/usr/bin/node").parent),
                                 "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(workdir),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(32),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    log_path = workdir / "jupyterhub.log"
    log_fh = open(log_path, "wb")  # noqa: SIM115 - closed with the process by stop_hub
    proc = subprocess.Popen([str(paths["jupyterhub"]), "-f", str(config_path)], cwd=workdir,
                            env=env, stdout=log_fh, stderr=subprocess.STDOUT,
                            start_new_session=True)
    log_fh.close()
    hub = Hub(workdir=workdir, port=port, token=token, proc=proc, log_path=log_path,
              api=HubApi(port, token))
    try:
        _wait_for_api(hub, timeout_s)
    except BaseException:  # Ctrl-C included: nothing may outlive a failed start
        stop_hub(hub)
        raise
    return hub


def _wait_for_api(hub: Hub, timeout_s: float) -> None:
    import requests

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if hub.proc.poll() is not None:
            raise RuntimeError(f"jupyterhub exited ({hub.proc.returncode}):\n{hub_log_tail(hub)}")
        try:
            if hub.api.request("GET", "/hub/api/", timeout_s=5).status_code == 200:
                _snapshot(hub)
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"jupyterhub did not answer within {timeout_s:.0f} s:\n{hub_log_tail(hub)}")


def hub_log_tail(hub: Hub, n_chars: int = 4000) -> str:
    """The last ``n_chars`` of the hub's log (proxy and single-user servers included)."""
    try:
        return hub.log_path.read_text(encoding="utf-8", errors="replace")[-n_chars:]
    except OSError:
        return ""


def _snapshot(hub: Hub) -> list[Any]:
    import psutil

    try:
        root = psutil.Process(hub.proc.pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return []
    hub.remember(procs)
    return procs


def stop_hub(hub: Hub, users: Sequence[str] = (), *, timeout_s: float = 30.0) -> list[int]:
    """Stop the servers, the hub, the proxy and anything else they started; return leftovers killed.

    Bounded: servers are asked to stop through the API (a few seconds each at most), the hub
    gets SIGTERM (it stops the proxy and the servers it still knows), then every process ever
    seen in the hub's tree that is still alive is terminated and, after ``timeout_s``, killed.
    """
    import psutil

    _snapshot(hub)
    for user in users:
        try:
            hub.api.request("DELETE", f"/hub/api/users/{user}/server", timeout_s=5)
        except Exception:  # noqa: BLE001 - best effort: the kill below is the guarantee
            pass
    _snapshot(hub)
    if hub.proc.poll() is None:
        hub.proc.send_signal(signal.SIGTERM)
        try:
            hub.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            hub.proc.kill()
            hub.proc.wait(timeout=10)
    with hub.lock:
        candidates = [p for p in hub.seen.values() if p.pid != hub.proc.pid]
    alive = []
    for p in candidates:
        try:
            if p.is_running():  # also compares the creation time: never a recycled PID
                alive.append(p)
                alive += [c for c in p.children(recursive=True) if c not in alive]
        except psutil.Error:
            continue
    for p in alive:
        try:
            p.terminate()
        except psutil.Error:
            pass
    _, still = psutil.wait_procs(alive, timeout=min(timeout_s, 10.0))
    for p in still:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(still, timeout=5)
    return [p.pid for p in alive]


# --------------------------------------------------------------------------------------------
# sampling
# --------------------------------------------------------------------------------------------


class Monitor:
    """Samples, every ``interval_s``, the RSS of the hub's process tree and the load average.

    Peaks kept: hub, proxy, whole tree (``total``), each user's single-user server (the server
    process alone) and each registered kernel's tree (kernel and its children), and the
    1-minute load average.
    """

    def __init__(self, hub: Hub, interval_s: float = 0.25) -> None:
        self.hub = hub
        self.interval_s = interval_s
        self.peaks: dict[str, int] = {"hub": 0, "proxy": 0, "hub_proxy": 0, "total": 0}
        self.server_peak: dict[str, int] = {}
        self.server_pid: dict[str, int] = {}
        self.kernel_peak: dict[int, int] = {}
        self.load1_peak = 0.0
        self.n_samples = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="hub-monitor", daemon=True)

    def watch_kernel(self, pid: int) -> None:
        """Track the peak RSS of the tree rooted at kernel ``pid`` from now on."""
        with self._lock:
            self.kernel_peak.setdefault(pid, 0)

    def kernel_peak_bytes(self, pid: int) -> int:
        """Peak RSS seen so far of kernel ``pid``'s tree (bytes)."""
        with self._lock:
            return self.kernel_peak.get(pid, 0)

    def sample(self) -> None:
        """Take one sample now."""
        import psutil

        procs = _snapshot(self.hub)
        rss: dict[int, int] = {}
        for p in procs:
            try:
                rss[p.pid] = p.memory_info().rss
            except psutil.Error:
                continue
        hub_pid = self.hub.proc.pid
        proxy = 0
        for p in procs:
            if p.pid == hub_pid or p.pid not in rss:
                continue
            try:
                if p.ppid() != hub_pid:
                    continue
                cmd = " ".join(p.cmdline())
                if "configurable-http-proxy" in cmd:
                    proxy += rss[p.pid] + sum(rss.get(c.pid, 0) for c in p.children(recursive=True))
                elif "jupyterhub-singleuser" in cmd:
                    user = p.environ().get("JUPYTERHUB_USER", f"pid{p.pid}")
                    with self._lock:
                        self.server_pid[user] = p.pid
                        self.server_peak[user] = max(self.server_peak.get(user, 0), rss[p.pid])
            except psutil.Error:
                continue
        with self._lock:
            for kpid in list(self.kernel_peak):
                try:
                    k = psutil.Process(kpid)
                    tree = k.memory_info().rss + sum(c.memory_info().rss
                                                     for c in k.children(recursive=True))
                except psutil.Error:
                    continue
                self.kernel_peak[kpid] = max(self.kernel_peak[kpid], tree)
            hub_rss = rss.get(hub_pid, 0)
            self.peaks["hub"] = max(self.peaks["hub"], hub_rss)
            self.peaks["proxy"] = max(self.peaks["proxy"], proxy)
            self.peaks["hub_proxy"] = max(self.peaks["hub_proxy"], hub_rss + proxy)
            self.peaks["total"] = max(self.peaks["total"], sum(rss.values()))
            self.load1_peak = max(self.load1_peak, os.getloadavg()[0])
            self.n_samples += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.sample()
            except Exception:  # noqa: BLE001 - a vanished process mid-sample; next tick
                pass
            self._stop.wait(self.interval_s)

    def __enter__(self) -> Monitor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


# --------------------------------------------------------------------------------------------
# students
# --------------------------------------------------------------------------------------------


def start_servers(hub: Hub, users: Sequence[str], *, timeout_s: float = 300.0) -> dict[str, float]:
    """Create ``users`` and start their servers through the hub API; seconds to ready, each."""
    hub.api.json("POST", "/hub/api/users", json={"usernames": list(users)}, ok=(201, 409))
    started = {user: time.monotonic() for user in users}
    errors: list[BaseException] = []

    def post(user: str) -> None:
        # The hub answers 201 once the server is up, or 202 after its slow_spawn_timeout (10 s).
        try:
            hub.api.json("POST", f"/hub/api/users/{user}/server", ok=(201, 202), timeout_s=timeout_s)
        except Exception as exc:  # noqa: BLE001 - re-raised below in the main thread
            errors.append(exc)

    posters = [threading.Thread(target=post, args=(u,), daemon=True) for u in users]
    for t in posters:
        t.start()
    for t in posters:
        t.join(timeout=timeout_s)
    if errors:
        raise errors[0]
    ready: dict[str, float] = {}
    deadline = time.monotonic() + timeout_s
    while len(ready) < len(users) and time.monotonic() < deadline:
        for user in users:
            if user in ready:
                continue
            model = hub.api.json("GET", f"/hub/api/users/{user}")
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                ready[user] = time.monotonic() - started[user]
        if hub.proc.poll() is not None:
            raise RuntimeError(f"jupyterhub exited while spawning:\n{hub_log_tail(hub)}")
        time.sleep(0.5)
    missing = [u for u in users if u not in ready]
    if missing:
        raise TimeoutError(f"servers of {missing} not ready after {timeout_s:.0f} s:\n{hub_log_tail(hub)}")
    return ready


class KernelClient:
    """A kernel started through ``/user/NAME/api/kernels``, driven over its websocket channels."""

    def __init__(self, hub: Hub, user: str, notebook_path: str, *, timeout_s: float = 120.0) -> None:
        import websocket

        self.hub, self.user = hub, user
        self.prefix = f"/user/{user}/api/kernels"
        model = hub.api.json("POST", self.prefix, json={"name": "python3", "path": notebook_path},
                             timeout_s=timeout_s)
        self.kernel_id = model["id"]
        self.session = uuid.uuid4().hex
        url = (f"ws://127.0.0.1:{hub.port}{self.prefix}/{self.kernel_id}/channels"
               f"?session_id={self.session}")
        self.ws = websocket.create_connection(
            url, header=[f"Authorization: token {hub.token}"], timeout=timeout_s,
            http_no_proxy=["127.0.0.1", "localhost"])

    def _send(self, msg_type: str, content: dict[str, Any], channel: str = "shell") -> str:
        msg_id = uuid.uuid4().hex
        msg = {
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": self.user,
                       "session": self.session, "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel,
            "buffers": [],
        }
        self.ws.send(json.dumps(msg))
        return msg_id

    def _wait_reply(self, msg_id: str, reply_type: str, timeout_s: float,
                    stream: list[str] | None = None) -> dict[str, Any]:
        import websocket

        deadline = time.monotonic() + timeout_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {reply_type} within {timeout_s:.0f} s")
            self.ws.settimeout(left)
            try:
                frame = self.ws.recv()
            except websocket.WebSocketTimeoutException as exc:
                raise TimeoutError(f"no {reply_type} within {timeout_s:.0f} s") from exc
            if not isinstance(frame, str):
                continue  # binary frames carry widget buffers: not ours
            msg = json.loads(frame)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            mtype = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
            if stream is not None and mtype == "stream":
                stream.append(msg["content"].get("text", ""))
            if mtype == reply_type:
                return msg["content"]

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        """Wait until the kernel answers a ``kernel_info_request``."""
        deadline = time.monotonic() + timeout_s
        while True:
            msg_id = self._send("kernel_info_request", {})
            try:
                self._wait_reply(msg_id, "kernel_info_reply", min(10.0, max(0.1, deadline - time.monotonic())))
                return
            except TimeoutError:
                if time.monotonic() >= deadline:
                    raise

    def execute(self, code: str, timeout_s: float = 600.0,
                stream: list[str] | None = None) -> dict[str, Any]:
        """Run ``code``; the ``execute_reply`` content (``status``, ``ename``, ``evalue``...)."""
        msg_id = self._send("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": False,
        })
        return self._wait_reply(msg_id, "execute_reply", timeout_s, stream)

    def pid(self, timeout_s: float = 30.0) -> int | None:
        """The kernel's process id (found by its connection file in the user's server tree)."""
        import psutil

        needle = f"kernel-{self.kernel_id}"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for p in _snapshot(self.hub):
                try:
                    if any(needle in arg for arg in p.cmdline()):
                        return p.pid
                except psutil.Error:
                    continue
            time.sleep(0.2)
        return None

    def close(self) -> None:
        """Close the websocket and shut the kernel down (DELETE)."""
        try:
            self.ws.close()
        finally:
            try:
                self.hub.api.request("DELETE", f"{self.prefix}/{self.kernel_id}", timeout_s=30)
            except Exception:  # noqa: BLE001 - stop_hub kills it anyway
                pass


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its children (live and reaped)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        t = proc.cpu_times()
        total = t.user + t.system + t.children_user + t.children_system
        for child in proc.children(recursive=True):
            ct = child.cpu_times()
            total += ct.user + ct.system
        return float(total)
    except psutil.Error:
        return float("nan")


def run_chapter(hub: Hub, monitor: Monitor, user: str, chapter: Path, *,
                cell_timeout_s: float, chapter_timeout_s: float,
                stop: threading.Event) -> dict[str, Any]:
    """One student runs one chapter through the hub: a fresh kernel, every code cell in order.

    Each cell may take ``cell_timeout_s``, the whole chapter ``chapter_timeout_s`` (kernel
    start-up included); a timeout raises :class:`TimeoutError` (a failed measurement).
    """
    cells = code_cells(chapter)
    errors: list[dict[str, Any]] = []
    start = time.perf_counter()
    deadline = time.monotonic() + chapter_timeout_s
    kernel = KernelClient(hub, user, f"notebooks/{chapter.name}")
    try:
        pid = kernel.pid()
        if pid is not None:
            monitor.watch_kernel(pid)
        kernel.wait_ready()
        ready_s = time.perf_counter() - start
        n_run = 0
        for index, source in enumerate(cells):
            if stop.is_set():
                errors.append({"cell": index, "ename": "Interrupted", "evalue": "benchmark stopped"})
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{chapter.stem} took longer than {chapter_timeout_s:.0f} s")
            reply = kernel.execute(source, timeout_s=min(cell_timeout_s, left))
            n_run += 1
            if reply.get("status") != "ok":
                errors.append({"cell": index, "ename": reply.get("ename", reply.get("status")),
                               "evalue": str(reply.get("evalue", ""))[:300]})
        wall = time.perf_counter() - start
        cpu = cpu_seconds(pid) if pid is not None else float("nan")
        if pid is not None:
            monitor.sample()
        peak = monitor.kernel_peak_bytes(pid) if pid is not None else 0
    finally:
        kernel.close()
    return {"user": user, "chapter": chapter.stem, "wall_s": round(wall, 3),
            "kernel_ready_s": round(ready_s, 3), "cpu_s": round(cpu, 3),
            "kernel_peak_rss_bytes": int(peak), "cells": len(cells), "cells_run": n_run,
            "errors": errors}


def probe(hub: Hub, user: str) -> dict[str, Any]:
    """Verify the stack through the hub: JupyterLab answers, a kernel imports clipq_edu and TF."""
    lab = hub.api.request("GET", f"/user/{user}/lab", timeout_s=60)
    out: list[str] = []
    kernel = KernelClient(hub, user, "notebooks")
    try:
        kernel.wait_ready()
        reply = kernel.execute(
            "import json, os, sys, clipq_edu, tensorflow as tf\n"
            "print(json.dumps({'python': sys.executable, 'tensorflow': tf.__version__, "
            "'clipq_edu': clipq_edu.__file__, 'cwd': os.getcwd(), "
            "'TF_USE_LEGACY_KERAS': os.environ.get('TF_USE_LEGACY_KERAS'), "
            "'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS')}))\n",
            timeout_s=300, stream=out)
    finally:
        kernel.close()
    if reply.get("status") != "ok":
        raise RuntimeError(f"a kernel behind the hub cannot import clipq_edu and tensorflow: {reply}")
    lines = [ln for ln in "".join(out).splitlines() if ln.startswith("{")]
    result = json.loads(lines[-1]) if lines else {}
    result["lab_status"] = lab.status_code
    result["lab_is_jupyterlab"] = lab.status_code == 200 and "jupyterlab" in lab.text.lower()
    if not result["lab_is_jupyterlab"]:
        raise RuntimeError(f"/user/{user}/lab did not serve JupyterLab (HTTP {lab.status_code})")
    return result


def measure(n_students: int, chapters: Sequence[Path], *, cell_timeout_s: float = 600.0,
            chapter_timeout_s: float = 1800.0, verify: bool = False,
            log: Callable[[str], None] = print) -> dict[str, Any]:
    """One hub, ``n_students`` students running ``chapters`` in order, all at once; the figures.

    Bounded: every chapter at most ``chapter_timeout_s``, every cell ``cell_timeout_s``; the
    hub and everything it started are stopped before returning, also on errors and Ctrl-C.
    """
    users = [f"student{i + 1:02d}" for i in range(n_students)]
    workdir = Path(tempfile.mkdtemp(prefix="clipq-hub-"))
    hub: Hub | None = None
    stop = threading.Event()
    try:
        prepare_workdir(workdir, users, chapters)
        t0 = time.perf_counter()
        hub = start_hub(workdir)
        log(f"  hub up on 127.0.0.1:{hub.port} in {time.perf_counter() - t0:.1f} s")
        with Monitor(hub) as monitor:
            ready = start_servers(hub, users)
            log(f"  {n_students} server(s) ready, slowest {max(ready.values()):.1f} s")
            verified = probe(hub, users[0]) if verify else None
            if verified:
                log(f"  verified: kernel {verified.get('python')} imports clipq_edu + TF "
                    f"{verified.get('tensorflow')}; /lab serves JupyterLab")
            results: dict[str, list[dict[str, Any]]] = {u: [] for u in users}
            failures: dict[str, str] = {}

            def student(user: str) -> None:
                for chapter in chapters:
                    if stop.is_set():
                        return
                    try:
                        results[user].append(run_chapter(
                            hub, monitor, user, chapter, cell_timeout_s=cell_timeout_s,
                            chapter_timeout_s=chapter_timeout_s, stop=stop))
                    except Exception as exc:  # noqa: BLE001 - reported as a failed chapter
                        failures[f"{user}/{chapter.stem}"] = f"{type(exc).__name__}: {exc}"[:500]
                        return

            t_start = time.perf_counter()
            threads = [threading.Thread(target=student, args=(u,), daemon=True, name=u) for u in users]
            for t in threads:
                t.start()
            budget = time.monotonic() + chapter_timeout_s * len(chapters) + 120
            for t in threads:
                while t.is_alive() and time.monotonic() < budget:
                    t.join(timeout=1.0)
            if any(t.is_alive() for t in threads):
                stop.set()
                raise TimeoutError("students still running after the overall time budget")
            wall_all = time.perf_counter() - t_start
            monitor.sample()
        return summarize_run(n_students, chapters, results, failures, monitor, ready,
                             wall_all, verified)
    finally:
        stop.set()
        if hub is not None:
            killed = stop_hub(hub, users)
            if killed:
                log(f"  stopped {len(killed)} leftover process(es)")
        shutil.rmtree(workdir, ignore_errors=True)


def _gb(x: float) -> float:
    return round(x / GB, 3)


def summarize_run(n_students: int, chapters: Sequence[Path], results: dict[str, list[dict[str, Any]]],
                  failures: dict[str, str], monitor: Monitor, ready: dict[str, float],
                  wall_all: float, verified: dict[str, Any] | None) -> dict[str, Any]:
    """The figures of one :func:`measure` run (raw per-student records and summaries)."""
    per_chapter = {}
    ok = not failures
    for chapter in chapters:
        rows = [r for user_rows in results.values() for r in user_rows if r["chapter"] == chapter.stem]
        walls = [r["wall_s"] for r in rows]
        cpus = [r["cpu_s"] for r in rows if not math.isnan(r["cpu_s"])]
        peaks = [r["kernel_peak_rss_bytes"] for r in rows]
        n_errors = sum(len(r["errors"]) for r in rows)
        complete = len(rows) == n_students and n_errors == 0
        ok = ok and complete
        per_chapter[chapter.stem] = {
            "students_completed": len(rows),
            "cell_errors": n_errors,
            "ok": complete,
            "wall_slowest_s": max(walls) if walls else None,
            "wall_median_s": statistics.median(walls) if walls else None,
            "cpu_s_median": statistics.median(cpus) if cpus else None,
            "cpu_s_max": max(cpus) if cpus else None,
            "kernel_peak_rss_gb_max": _gb(max(peaks)) if peaks else None,
            "kernel_peak_rss_gb_median": _gb(statistics.median(peaks)) if peaks else None,
            "per_student": rows,
        }
    servers = monitor.server_peak
    return {
        "students": n_students,
        "ok": ok,
        "failures": failures,
        "server_ready_s_max": round(max(ready.values()), 2),
        "wall_all_chapters_s": round(wall_all, 2),
        "chapters": per_chapter,
        "server_rss_gb_max": _gb(max(servers.values())) if servers else None,
        "server_rss_gb_per_student": {u: _gb(v) for u, v in sorted(servers.items())},
        "hub_rss_gb_peak": _gb(monitor.peaks["hub"]),
        "proxy_rss_gb_peak": _gb(monitor.peaks["proxy"]),
        "hub_proxy_rss_gb_peak": _gb(monitor.peaks["hub_proxy"]),
        "total_rss_gb_peak": _gb(monitor.peaks["total"]),
        "load1_peak": round(monitor.load1_peak, 2),
        "rss_samples": monitor.n_samples,
        "verified": verified,
    }


# --------------------------------------------------------------------------------------------
# whole measurement, table
# --------------------------------------------------------------------------------------------


def run(students: Sequence[int] = DEFAULT_STUDENTS, chapters: Sequence[str] = DEFAULT_CHAPTERS, *,
        cell_timeout_s: float = 600.0, chapter_timeout_s: float = 1800.0,
        shared_machine: bool = False,
        log: Callable[[str], None] = print) -> dict[str, Any]:
    """Set up (once), then one fresh hub per entry of ``students``; the results dict."""
    from benchmarks.harness import machine_info

    setup = setup_hub_env(log=log)
    paths = pick_chapters(chapters)
    machine = machine_info()
    machine["shared_machine"] = shared_machine
    results: dict[str, Any] = {
        "what": "python -m benchmarks.hub: simulated students on one JupyterHub (127.0.0.1)",
        "machine": machine,
        "setup": {**setup, "jupyterhub_pinned": JUPYTERHUB_VERSION, "chp_pinned": CHP_VERSION,
                  "spawner": "SimpleLocalProcessSpawner", "authenticator": "DummyAuthenticator",
                  "singleuser_env": binder_start_env()},
        "chapters": [p.stem for p in paths],
        "cell_timeout_s": cell_timeout_s,
        "chapter_timeout_s": chapter_timeout_s,
        "runs": [],
    }
    if shared_machine:
        results["note"] = ("taken on a shared machine (other jobs running): provisional figures, "
                           "rerun on a quiet machine")
    for i, n in enumerate(students):
        log(f"[{n} student(s)] chapters {', '.join(p.stem for p in paths)}")
        t = time.perf_counter()
        results["runs"].append(measure(n, paths, cell_timeout_s=cell_timeout_s,
                                       chapter_timeout_s=chapter_timeout_s, verify=i == 0, log=log))
        log(f"[{n} student(s)] done in {time.perf_counter() - t:.0f} s")
    return results


def format_table(results: dict[str, Any]) -> str:
    """A plain-text table of the figures (one row per number of students and chapter)."""
    head = (f"{'N':>3} {'chapter':<18} {'slowest s':>9} {'median s':>8} {'CPU s':>6} "
            f"{'kernel GB':>9} {'server GB':>9} {'hub+proxy GB':>12} {'total GB':>8} "
            f"{'load1':>5} {'errors':>6}")
    lines = [head, "-" * len(head)]
    for r in results["runs"]:
        for name, c in r["chapters"].items():
            lines.append(
                f"{r['students']:>3} {name[:18]:<18} {_fmt(c['wall_slowest_s'], 1):>9} "
                f"{_fmt(c['wall_median_s'], 1):>8} {_fmt(c['cpu_s_median'], 1):>6} "
                f"{_fmt(c['kernel_peak_rss_gb_max'], 2):>9} {_fmt(r['server_rss_gb_max'], 2):>9} "
                f"{_fmt(r['hub_proxy_rss_gb_peak'], 2):>12} {_fmt(r['total_rss_gb_peak'], 2):>8} "
                f"{_fmt(r['load1_peak'], 1):>5} {c['cell_errors']:>6}")
            for row in c["per_student"]:
                for e in row["errors"]:
                    lines.append(f"    error {row['user']}/{name} code cell {e['cell']}: "
                                 f"{e['ename']}: {e['evalue'][:120]}")
        for key, why in r.get("failures", {}).items():
            lines.append(f"    FAILED {key}: {why}")
    m = results["machine"]
    lines.append(f"machine: {m['cpu_model']}, {m['cpus_host']} cores, {m['memory_total_gb']} GB, "
                 f"Python {m['python']}, {m['date_utc']}"
                 + (" (shared machine)" if m.get("shared_machine") else ""))
    return "\n".join(lines)


def _fmt(x: float | None, digits: int) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


# --------------------------------------------------------------------------------------------
# sizing and the guide block
# --------------------------------------------------------------------------------------------


def _ceil_to(x: float, step: float) -> float:
    return math.ceil(round(x / step, 9)) * step


def sizing(results: dict[str, Any], class_sizes: Sequence[int] = CLASS_SIZES, *,
           chapter_budget_s: float = CHAPTER_BUDGET_S, headroom: float = MEMORY_HEADROOM) -> dict[str, Any]:
    """Memory and cores for each class size, from the largest error-free run in ``results``.

    memory = system reserve + hub and proxy + students × (peak kernel + single-user server) ×
    headroom, rounded up to a whole GB; cores = students × CPU seconds of the heaviest chapter
    ÷ ``chapter_budget_s``, rounded up, + :data:`SYSTEM_CORES`. Every row carries its
    arithmetic as text.
    """
    good = [r for r in results["runs"] if r["ok"]]
    if not good:
        raise ValueError("no error-free run in the results: nothing to size from")
    base = max(good, key=lambda r: r["students"])
    kernel = max(c["kernel_peak_rss_gb_max"] for c in base["chapters"].values())
    heaviest = max(base["chapters"], key=lambda k: base["chapters"][k]["cpu_s_median"])
    cpu = base["chapters"][heaviest]["cpu_s_median"]
    server = base["server_rss_gb_max"]
    hub = base["hub_proxy_rss_gb_peak"]
    per_student = kernel + server
    rows = []
    for n in class_sizes:
        mem = SYSTEM_RESERVE_GB + hub + n * per_student * headroom
        mem_gb = int(_ceil_to(mem, 1.0))
        busy = n * cpu / chapter_budget_s
        cores = math.ceil(round(busy, 9)) + SYSTEM_CORES
        rows.append({
            "students": n, "memory_gb": mem_gb, "cores": cores,
            "memory_arithmetic": (f"{SYSTEM_RESERVE_GB:g} system + {hub:.2f} hub and proxy + "
                                  f"{n} × ({kernel:.2f} kernel + {server:.2f} server) × {headroom:g} "
                                  f"= {mem:.1f} → {mem_gb} GB"),
            "cores_arithmetic": (f"{n} × {cpu:.1f} CPU-s ÷ {chapter_budget_s:g} s = {busy:.1f} → "
                                 f"{math.ceil(round(busy, 9))}, + {SYSTEM_CORES} for hub, proxy and "
                                 f"servers = {cores}"),
        })
    limit = _ceil_to(2 * kernel + server, 0.5)
    guarantee = _ceil_to(kernel + server, 0.5)
    return {
        "from_students": base["students"], "kernel_gb": kernel, "server_gb": server,
        "hub_proxy_gb": hub, "cpu_s": cpu, "heaviest_chapter": heaviest,
        "chapter_budget_s": chapter_budget_s, "headroom": headroom, "rows": rows,
        "limit_gb": limit, "guarantee_gb": guarantee,
        "limit_arithmetic": f"2 × {kernel:.2f} kernel + {server:.2f} server = {2 * kernel + server:.2f} → {limit:g} GB",
        "guarantee_arithmetic": f"{kernel:.2f} kernel + {server:.2f} server = {kernel + server:.2f} → {guarantee:g} GB",
    }


def _mem_str(gb: float) -> str:
    """``2G`` / ``1.5G`` style (as tljh-config and Kubernetes read it)."""
    return f"{gb:g}G"


def render_guide_block(results: dict[str, Any]) -> str:
    """The Markdown between the hub-sizing markers (markers included), from ``results`` only."""
    s = sizing(results)
    m = results["machine"]
    date = m["date_utc"].split()[0]
    runs = results["runs"]
    chapters = ", ".join(f"`{c}`" for c in results["chapters"])
    ns = ", ".join(str(r["students"]) for r in runs)
    setup = results.get("setup", {})
    lines = [
        GUIDE_BEGIN,
        "<!-- generated by `python -m benchmarks.hub --write-guide` from "
        "benchmarks/results_hub.json; edit that script, not this block -->",
        "### Sizing from a measured hub",
        "",
        f"`python -m benchmarks.hub` started a real JupyterHub {setup.get('jupyterhub', JUPYTERHUB_VERSION)} "
        f"(configurable-http-proxy {setup.get('configurable-http-proxy', CHP_VERSION)}, one local process "
        f"per student) and let {ns} simulated students run {chapters} at the same time, each cell "
        f"through the hub's proxy, on {date}: {m['cpu_model']}, {m['cpus_host']} cores, "
        f"{m['memory_total_gb']} GB, Python {m['python']}.",
    ]
    if m.get("shared_machine"):
        lines += ["", "**These figures were taken on a machine shared with other jobs: provisional, "
                  "rerun `python -m benchmarks.hub` on a quiet machine before buying hardware.**"]
    lines += [
        "",
        "| students | slowest / median run of a chapter | kernel peak | single-user server | "
        "hub + proxy | all processes | load (1 min) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        walls = "; ".join(f"{k[:2]}: {_fmt(c['wall_slowest_s'], 0)} / {_fmt(c['wall_median_s'], 0)} s"
                          + ("" if c["ok"] else f" ({c['cell_errors']} errors)")
                          for k, c in r["chapters"].items())
        kernel = max((c["kernel_peak_rss_gb_max"] or 0) for c in r["chapters"].values())
        lines.append(f"| {r['students']} | {walls} | {kernel:.2f} GB | {_fmt(r['server_rss_gb_max'], 2)} GB "
                     f"| {r['hub_proxy_rss_gb_peak']:.2f} GB | {r['total_rss_gb_peak']:.2f} GB "
                     f"| {r['load1_peak']:.1f} |")
    lines += [
        "",
        f"Scaled to a class (per-student figures from the {s['from_students']}-student run; "
        f"CPU: the heaviest chapter, `{s['heaviest_chapter']}`, {s['cpu_s']:.1f} CPU-seconds per kernel):",
        "",
        "| students at once | memory | cores |",
        "|---|---|---|",
    ]
    for row in s["rows"]:
        lines.append(f"| {row['students']} | **{row['memory_gb']} GB** = {row['memory_arithmetic']} "
                     f"| **{row['cores']}** = {row['cores_arithmetic']} |")
    lines += [
        "",
        "Assumptions: every student runs a chapter at the same time (a lab session); a chapter "
        f"may take {s['chapter_budget_s']:g} s when everyone presses *Run All*; one open kernel per "
        f"student, with ×{s['headroom']:g} headroom for bigger experiments than the chapter's "
        f"and {SYSTEM_RESERVE_GB:g} GB for the system. Outside a lab session fewer students run at "
        "once and the same machine serves more; a student with two notebooks open needs one "
        "more kernel, which the per-user limit below allows and idle culling takes back.",
        "",
        f"Per-user memory: limit {_mem_str(s['limit_gb'])} ({s['limit_arithmetic']}: two notebooks "
        f"open), guarantee {_mem_str(s['guarantee_gb'])} ({s['guarantee_arithmetic']}). Culling: "
        f"kernels without an open browser tab after {KERNEL_CULL_IDLE_S // 60} min idle, servers "
        f"after {SERVER_CULL_IDLE_S // 60} min without activity.",
        "",
        "TLJH:",
        "",
        "```bash",
        f"sudo tljh-config set limits.memory {_mem_str(s['limit_gb'])}",
        "sudo tljh-config set limits.cpu 1",
        "sudo tljh-config set services.cull.enabled true",
        f"sudo tljh-config set services.cull.timeout {SERVER_CULL_IDLE_S}",
        f"sudo tljh-config set services.cull.every {CULL_EVERY_S}",
        "sudo tljh-config reload",
        "sudo mkdir -p /opt/tljh/user/etc/jupyter/jupyter_server_config.d",
        "sudo tee /opt/tljh/user/etc/jupyter/jupyter_server_config.d/clipq-cull.json <<'EOF'",
        json.dumps(_kernel_cull_settings()),
        "EOF",
        "```",
        "",
        "Zero to JupyterHub (`config.yaml`):",
        "",
        "```yaml",
        "singleuser:",
        "  memory:",
        f"    limit: {_mem_str(s['limit_gb'])}",
        f"    guarantee: {_mem_str(s['guarantee_gb'])}",
        "  extraFiles:",
        "    clipq-cull:",
        "      mountPath: /etc/jupyter/jupyter_server_config.d/clipq-cull.json",
        "      stringData: |",
        f"        {json.dumps(_kernel_cull_settings())}",
        "cull:",
        "  enabled: true",
        f"  timeout: {SERVER_CULL_IDLE_S}",
        f"  every: {CULL_EVERY_S}",
        "```",
        "",
        "Any other JupyterHub (`jupyterhub_config.py`, with `pip install jupyterhub-idle-culler`):",
        "",
        "```python",
        "import sys",
        "c.JupyterHub.services = [{\"name\": \"idle-culler\", \"command\": [",
        f"    sys.executable, \"-m\", \"jupyterhub_idle_culler\", \"--timeout={SERVER_CULL_IDLE_S}\", "
        f"\"--cull-every={CULL_EVERY_S}\"]}}]",
        "c.JupyterHub.load_roles = [{\"name\": \"idle-culler\", \"services\": [\"idle-culler\"],",
        "    \"scopes\": [\"list:users\", \"read:users:activity\", \"read:servers\", \"delete:servers\"]}]",
        "c.Spawner.args = [",
        f"    \"--MappingKernelManager.cull_idle_timeout={KERNEL_CULL_IDLE_S}\",",
        f"    \"--MappingKernelManager.cull_interval={CULL_EVERY_S}\",",
        "    \"--MappingKernelManager.cull_connected=False\",",
        "]",
        f"c.Spawner.mem_limit = \"{_mem_str(s['limit_gb'])}\"  # enforced by container spawners, "
        "not by LocalProcessSpawner",
        "```",
        GUIDE_END,
    ]
    return "\n".join(lines)


def _kernel_cull_settings() -> dict[str, Any]:
    return {"MappingKernelManager": {"cull_idle_timeout": KERNEL_CULL_IDLE_S,
                                     "cull_interval": CULL_EVERY_S, "cull_connected": False,
                                     "cull_busy": False}}


def replace_block(text: str, block: str) -> str:
    """``text`` with the part from :data:`GUIDE_BEGIN` to :data:`GUIDE_END` replaced by ``block``."""
    start = text.find(GUIDE_BEGIN)
    end = text.find(GUIDE_END)
    if start < 0 or end < start:
        raise ValueError(f"markers {GUIDE_BEGIN} ... {GUIDE_END} not found (in order) in the guide")
    return text[:start] + block + text[end + len(GUIDE_END):]


def guide_block(text: str) -> str:
    """The current block between the markers (markers included) in ``text``."""
    start = text.find(GUIDE_BEGIN)
    end = text.find(GUIDE_END)
    if start < 0 or end < start:
        raise ValueError(f"markers {GUIDE_BEGIN} ... {GUIDE_END} not found (in order)")
    return text[start:end + len(GUIDE_END)]


def write_guide(results_path: Path = RESULTS_HUB_JSON, guide_path: Path = GUIDE) -> bool:
    """Rewrite only the sizing block of ``guide_path`` from ``results_path``; True if it changed."""
    results = json.loads(results_path.read_text(encoding="utf-8"))
    text = guide_path.read_text(encoding="utf-8")
    new = replace_block(text, render_guide_block(results))
    if new != text:
        guide_path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    """Command line: measure (default), ``--setup`` only, ``--write-guide``, ``--table``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hub", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, nargs="+", default=list(DEFAULT_STUDENTS),
                        help="numbers of simulated students, one fresh hub each (default 1 2 4 8)")
    parser.add_argument("--chapters", nargs="+", default=list(DEFAULT_CHAPTERS),
                        help="chapter prefixes run in this order by every student (default 02 07)")
    parser.add_argument("--cell-timeout", type=float, default=600.0, help="seconds per cell (600)")
    parser.add_argument("--chapter-timeout", type=float, default=1800.0,
                        help="seconds per chapter and student, kernel start included (1800)")
    parser.add_argument("--shared-machine", action="store_true",
                        help="mark the results as taken on a machine shared with other jobs")
    parser.add_argument("--out", type=Path, default=RESULTS_HUB_JSON, help="results file")
    parser.add_argument("--setup", action="store_true",
                        help="only (re)create the hub environment and the proxy, then verify them")
    parser.add_argument("--write-guide", action="store_true",
                        help="only regenerate the sizing block of docs/instructors.md from the results file")
    parser.add_argument("--table", action="store_true", help="only print the table of the results file")
    args = parser.parse_args(argv)
    if args.write_guide:
        changed = write_guide(args.out)
        print(f"{GUIDE}: sizing block {'rewritten' if changed else 'already up to date'} from {args.out}")
        # the Chinese guide carries a byte-identical copy of the block (tools/zh_docs.py)
        subprocess.run([sys.executable, str(GUIDE.parents[1] / "tools" / "zh_docs.py"), "sync"],
                       check=True)
        return 0
    if args.table:
        print(format_table(json.loads(args.out.read_text(encoding="utf-8"))))
        return 0
    if args.setup:
        print(json.dumps(setup_hub_env(force=True), indent=1))
        return 0
    if any(n < 1 for n in args.students):
        parser.error(f"--students must be >= 1, got {args.students}")

    def _sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _sigterm)
    t = time.perf_counter()
    try:
        results = run(args.students, args.chapters, cell_timeout_s=args.cell_timeout,
                      chapter_timeout_s=args.chapter_timeout, shared_machine=args.shared_machine)
    except KeyboardInterrupt as exc:
        print(f"interrupted ({exc or 'Ctrl-C'}): hub, proxy, servers and kernels stopped; "
              f"{args.out} not written", file=sys.stderr)
        return 130
    results["total_wall_s"] = round(time.perf_counter() - t, 1)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(format_table(results))
    print(f"wrote {args.out} in {results['total_wall_s']:.0f} s; "
          "`python -m benchmarks.hub --write-guide` updates docs/instructors.md from it")
    failed = [r["students"] for r in results["runs"] if not r["ok"]]
    if failed:
        print(f"FAILED measurement(s) for {failed} student(s): see the errors above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
