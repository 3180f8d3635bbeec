"""Binder, proven without Docker.

Two halves:

* fast: ``repo2docker --no-build --debug`` renders the Dockerfile mybinder.org would build
  (no Docker engine needed) and we read it: Python 3.11 from ``binder/runtime.txt``, the pinned
  ``binder/requirements.txt`` installed in its own cached layer before the repository is
  copied, ``binder/postBuild`` run after, ``binder/start`` as the entrypoint. A control repo
  with other settings renders differently, so the checks can fail.
* slow (``-m binder``): replay the same steps in a fresh Python 3.11 venv under a temp dir
  (install ``binder/requirements.txt``, run ``binder/postBuild`` in a copy of the repository,
  execute a chapter notebook through ``binder/start``) and measure the peak memory of the
  whole process tree, JupyterLab server included, against mybinder.org's 2 GB.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER_MEMORY_LIMIT = 2 * 1024**3  # mybinder.org's per-user limit, bytes


def _repo2docker() -> list[str]:
    exe = Path(sys.executable).with_name("jupyter-repo2docker")
    if exe.exists():
        return [str(exe)]
    pytest.importorskip("repo2docker", reason="jupyter-repo2docker is in requirements-test.txt")
    return [sys.executable, "-m", "repo2docker"]


def render_dockerfile(repo: Path) -> tuple[str, str]:
    """Return (Dockerfile, log) that repo2docker would build for ``repo``, without Docker.

    ``--user-id 1000 --user-name jovyan`` are mybinder.org's values (the default is the
    calling user, root here, which would hide ownership problems).
    """
    cmd = [
        *_repo2docker(), "--no-build", "--debug", "--user-id", "1000", "--user-name", "jovyan",
        str(repo),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=180, cwd=repo, env=env, check=False
    )
    assert proc.returncode == 0, f"repo2docker failed ({proc.returncode}):\n{proc.stderr}"
    return proc.stdout, proc.stderr


def _copy_binder_inputs(dest: Path) -> Path:
    """A minimal copy of the files repo2docker reads, so a control can change them."""
    for name in ("binder", "requirements.txt", "pyproject.toml"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture(scope="module")
def rendered() -> tuple[str, str]:
    return render_dockerfile(ROOT)


def _unescape(text: str) -> str:
    """repo2docker escapes build-script file names with escapism ('-2e' is '.', '-2d' '-')."""
    return re.sub(r"-([0-9a-f]{2})", lambda m: chr(int(m[1], 16)), text)


def _instructions(dockerfile: str) -> list[str]:
    """Dockerfile instructions, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    return [ln.strip() for ln in joined.splitlines() if ln.strip() and not ln.startswith("#")]


def _index(lines: list[str], pattern: str) -> int:
    for i, line in enumerate(lines):
        if re.search(pattern, line):
            return i
    raise AssertionError(f"no Dockerfile instruction matches {pattern!r}")


def test_runtime_txt_selects_python_311(rendered: tuple[str, str]) -> None:
    dockerfile, log = rendered
    assert "python=3.11" in log
    assert "environment.py-3.11-linux-64.lock" in _unescape(dockerfile)
    assert "environment.py-3.10" not in _unescape(dockerfile)


def test_binder_requirements_installed_in_a_cached_layer_before_the_repo(
    rendered: tuple[str, str],
) -> None:
    lines = _instructions(rendered[0])
    copy_req = _index(lines, r"^COPY .*src/binder/requirements\.txt ")
    install = _index(lines, r"^RUN .*pip install .*-r \"?binder/requirements\.txt")
    copy_repo = _index(lines, r"^COPY .*src/ \$\{REPO_DIR\}/$")
    assert copy_req < install < copy_repo
    # With a binder/ folder the top-level requirements.txt is ignored.
    assert not any(re.search(r"-r \"?requirements\.txt", ln) for ln in lines)


def test_postbuild_runs_after_the_repo_is_copied_as_the_user(rendered: tuple[str, str]) -> None:
    lines = _instructions(rendered[0])
    copy_repo = _index(lines, r"^COPY --chown=1000:1000 src/ \$\{REPO_DIR\}/$")
    post = _index(lines, r"^RUN \./binder/postBuild$")
    assert copy_repo < post
    users = [ln for ln in lines[:post] if ln.startswith("USER ")]
    assert users[-1] == "USER ${NB_USER}", "postBuild must run as the notebook user"


def test_start_is_the_entrypoint(rendered: tuple[str, str]) -> None:
    lines = _instructions(rendered[0])
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in lines


def test_render_reacts_to_the_binder_folder(tmp_path: Path) -> None:
    """Control: other inputs give another Dockerfile, so the checks above can fail."""
    repo = _copy_binder_inputs(tmp_path / "repo")
    (repo / "binder" / "runtime.txt").write_text("python-3.12\n", encoding="ascii")
    (repo / "binder" / "start").unlink()
    (repo / "binder" / "postBuild").unlink()
    dockerfile, log = render_dockerfile(repo)
    assert "python=3.12" in log
    assert "environment.py-3.12-linux-64.lock" in _unescape(dockerfile)
    assert "binder/postBuild" not in dockerfile
    assert "R2D_ENTRYPOINT" not in dockerfile

    shutil.rmtree(repo / "binder")  # without binder/, the top-level files are used
    dockerfile, log = render_dockerfile(repo)
    assert re.search(r'pip install .*-r "?requirements\.txt', dockerfile)
    # repo2docker's own choice without runtime.txt (3.10 or 3.12, by its version), not ours
    assert re.search(r"python=3\.\d+", log) and "python=3.11" not in log


# ---------------------------------------------------------------------------------------------
# The slow replay in a fresh venv.
# ---------------------------------------------------------------------------------------------


def _find_python311() -> str | None:
    for name in ("python3.11",):
        path = shutil.which(name)
        if path:
            out = subprocess.run([path, "-c", "import sys; print(sys.version_info[:2])"],
                                 capture_output=True, text=True, check=False)
            if out.stdout.strip() == "(3, 11)":
                return path
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    return None


class PeakRSS:
    """Sample the summed RSS of a process and all its descendants until stopped.

    Sampling every 0.2 s may miss a short spike; the notebooks' memory is dominated by
    TensorFlow's long-lived allocations, so the sampled peak is within a few percent.
    """

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        import psutil

        self._root = psutil.Process(pid)
        self._interval = interval
        self.peak = 0
        self.peak_by_name: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        import psutil

        try:
            procs = [self._root, *self._root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        names: dict[str, int] = {}
        for proc in procs:
            try:
                rss = proc.memory_info().rss
                label = " ".join(proc.cmdline()[1:4])[:80] or proc.name()
            except psutil.Error:
                continue
            total += rss
            names[label] = names.get(label, 0) + rss
        if total > self.peak:
            self.peak = total
            self.peak_by_name = names

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _repo_files(root: Path) -> list[Path]:
    """The files a fresh clone would have (plus work in progress not yet committed)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=True, timeout=60,
        ).stdout.decode()
        files = [root / p for p in out.split("\0") if p]
    except (OSError, subprocess.SubprocessError):
        skip = {".venv", "_build", ".git", "test-artifacts", "__pycache__", ".ruff_cache"}
        files = [p for p in root.rglob("*") if p.is_file() and not skip & set(p.parts)]
    return [f for f in files if f.is_file()]


def _copy_repo(dest: Path) -> Path:
    for src in _repo_files(ROOT):
        target = dest / src.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    return dest


def binder_base_env_pins(python: str = "3.11") -> list[str]:
    """repo2docker's base Jupyter packages as pip pins (tools/test_wheels.py, which also
    fetches their wheels for the replay)."""
    return _test_wheels().binder_base_env_pins(python)


def _test_wheels():
    import importlib

    return importlib.import_module("tools.test_wheels")


def wheels_folder() -> Path:
    """The folder of wheels the replay installs from with no package index: $CLIPQ_TEST_WHEELS
    (make test sets it after fetching them in its install step), else wheelhouse/."""
    return Path(os.environ.get("CLIPQ_TEST_WHEELS") or ROOT / "wheelhouse")


def test_binder_base_env_pins_are_read_from_repo2docker() -> None:
    pins = binder_base_env_pins()
    if not pins:
        pytest.skip("repo2docker is not installed")
    names = {p.split("==")[0] for p in pins}
    assert {"notebook", "jupyterhub"} <= names, pins
    assert all(re.fullmatch(r"[a-z-]+==[0-9][0-9.]*", p) for p in pins), pins


def _binder_env(venv: Path, home: Path, wheels: Path) -> dict[str, str]:
    """A Binder-like environment: the venv first on PATH, a fresh HOME, no TF variables
    (binder/start must set them), no inherited Python or Jupyter paths; pip reads no
    configuration and no index, only the folder of wheels (the suite never asks the index)."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("TF_", "JUPYTER", "PYTHON", "MPL", "VIRTUAL_ENV", "PYTEST", "OMP_",
                             "OPENBLAS", "MKL_", "CLIPQ", "PIP_"))
    }
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
               VIRTUAL_ENV=str(venv), HOME=str(home), PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheels))
    return env


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> tuple[str, float]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    )
    return proc.stdout, elapsed


SMOKE_NOTEBOOK_CELLS = [
    "# NBVAL_IGNORE_OUTPUT\nimport clipq_edu as cq\ncq.setup(seed=0)",
    "import os\nassert os.environ['TF_USE_LEGACY_KERAS'] == '1'\n"
    "assert os.environ['TF_NUM_INTRAOP_THREADS'] == '1'",
    "import cirq, sympy\nimport tensorflow as tf\nimport tensorflow_quantum as tfq\n"
    "q = cirq.GridQubit(0, 0)\nt = sympy.Symbol('t')\n"
    "layer = tfq.layers.PQC(cirq.Circuit(cirq.rx(t)(q)), cirq.Z(q),\n"
    "                       initializer=tf.keras.initializers.Constant(0.5))",
    "x = tfq.convert_to_tensor([cirq.Circuit()])\nwith tf.GradientTape() as tape:\n"
    "    y = layer(x)\ng = tape.gradient(y, layer.trainable_variables)[0]\n"
    "assert abs(float(y[0, 0]) - __import__('math').cos(0.5)) < 1e-5\n"
    "assert abs(float(g[0]) + __import__('math').sin(0.5)) < 1e-3",
]


def _notebooks_to_run(repo: Path) -> list[str]:
    """Which notebooks the replay executes: $CLIPQ_BINDER_NOTEBOOKS (comma-separated stems),
    else 00_start_here and the capstone (the heaviest chapter) when they exist, else a
    generated TFQ smoke notebook."""
    wanted = os.environ.get("CLIPQ_BINDER_NOTEBOOKS")
    names = [n.strip() for n in wanted.split(",")] if wanted else ["00_start_here",
                                                                   "07_lab_capstone"]
    found = [f"notebooks/{n}.ipynb" for n in names if (repo / "notebooks" / f"{n}.ipynb").exists()]
    if wanted and len(found) != len(names):
        raise AssertionError(f"CLIPQ_BINDER_NOTEBOOKS={wanted!r}: not all exist in notebooks/")
    if found:
        return found
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in SMOKE_NOTEBOOK_CELLS]
    (repo / "notebooks").mkdir(exist_ok=True)
    nbformat.write(nb, repo / "notebooks" / "_binder_smoke.ipynb")
    return ["notebooks/_binder_smoke.ipynb"]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MultiPeakRSS(PeakRSS):
    """PeakRSS over several process trees at once (a Jupyter server and a test runner)."""

    def __init__(self, pids: list[int], interval: float = 0.2) -> None:
        import psutil

        super().__init__(pids[0], interval)
        self._roots = [psutil.Process(p) for p in pids]

    def _sample(self) -> None:
        import psutil

        procs = {}
        for root in self._roots:
            try:
                for proc in [root, *root.children(recursive=True)]:
                    procs[proc.pid] = proc
            except psutil.Error:
                continue
        total, names = 0, {}
        for proc in procs.values():
            try:
                rss = proc.memory_info().rss
                label = " ".join(Path(a).name for a in proc.cmdline()[1:4])[:60] or proc.name()
            except psutil.Error:
                continue
            total += rss
            names[label] = names.get(label, 0) + rss
        if total > self.peak:
            self.peak, self.peak_by_name = total, names


@pytest.mark.slow
@pytest.mark.binder
def test_binder_replay_in_a_fresh_venv(tmp_path: Path) -> None:
    """Install repo2docker's base Jupyter packages, then binder/requirements.txt, in a fresh
    Python 3.11 venv; run postBuild; pip check; start
    JupyterLab and run chapter notebooks under nbval through binder/start; peak memory of
    everything together stays under mybinder.org's 2 GB.

    Set CLIPQ_BINDER_VENV to an existing replay venv to skip the (minutes-long) install while
    iterating; CI leaves it unset so the install itself is tested.
    """
    import urllib.request

    python = _find_python311()
    if python is None:
        pytest.skip("python3.11 (Binder's runtime.txt) is not on PATH")
    timings: dict[str, float] = {}
    repo = _copy_repo(tmp_path / "repo")
    home = tmp_path / "home"
    home.mkdir()
    reuse = os.environ.get("CLIPQ_BINDER_VENV")
    venv = Path(reuse) if reuse else tmp_path / "venv"
    wheels = wheels_folder()
    if not reuse and not any(wheels.glob("tensorflow_quantum-*.whl")):
        pytest.fail(f"no wheels in {wheels}: the replay installs from a folder, never from the "
                    "package index; `make test` fetches them in its install step "
                    "(python tools/test_wheels.py)")
    env = _binder_env(venv, home, wheels)
    vpy = str(venv / "bin" / "python")

    if not reuse:
        _, timings["venv_s"] = _run([python, "-m", "venv", str(venv)], cwd=tmp_path, env=env,
                                    timeout=300)
        # repo2docker's base image: its own Jupyter packages first (from its conda lock).
        base = binder_base_env_pins()
        if base:
            _, timings["install_base_env_s"] = _run(
                [vpy, "-m", "pip", "install", "-q", *base], cwd=repo, env=env, timeout=1800)
        # repo2docker: pip install --no-cache-dir -r binder/requirements.txt (cache kept here:
        # it only changes the download time).
        _, timings["install_requirements_s"] = _run(
            [vpy, "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"],
            cwd=repo, env=env, timeout=3600,
        )
    out, timings["postBuild_s"] = _run(["./binder/postBuild"], cwd=repo, env=env, timeout=900)
    assert "clipq_edu" in out and "installed" in out
    check = subprocess.run([vpy, "-m", "pip", "check"], cwd=repo, env=env, capture_output=True,
                           text=True, timeout=300, check=False)

    # Test tools on top (not part of the Binder image), at the versions `make test` uses.
    tools = _test_wheels().replay_tool_pins()
    _run([vpy, "-m", "pip", "install", "-q", *tools], cwd=repo, env=env, timeout=900)

    notebooks = _notebooks_to_run(repo)
    port, token = _free_port(), os.urandom(16).hex()
    lab_log = tmp_path / "jupyterlab.log"
    root_flag = ["--allow-root"] if os.geteuid() == 0 else []  # CI containers run as root
    with open(lab_log, "wb") as log:
        lab = subprocess.Popen(
            ["./binder/start", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={repo}", *root_flag],
            cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert lab.poll() is None, f"JupyterLab exited: {lab_log.read_text()[-3000:]}"
            try:
                url = f"http://127.0.0.1:{port}/lab?token={token}"
                with urllib.request.urlopen(url, timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "JupyterLab did not answer within 180 s"
            time.sleep(1)

        start = time.perf_counter()
        runner = subprocess.Popen(
            ["./binder/start", vpy, "-m", "pytest", "-p", "no:cacheprovider", "-q",
             "--nbval", "--nbval-current-env", *notebooks],
            cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        with MultiPeakRSS([lab.pid, runner.pid]) as mem:
            output, _ = runner.communicate(timeout=1800)
        timings["notebooks_s"] = time.perf_counter() - start
        assert runner.returncode == 0, f"nbval failed under binder/start:\n{output[-6000:]}"
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            lab.kill()

    record = {
        "notebooks": notebooks,
        "pip_check": check.stdout.strip().splitlines(),
        "timings_s": {k: round(v, 1) for k, v in timings.items()},
        "peak_rss_bytes": mem.peak,
        "peak_rss_gib": round(mem.peak / 1024**3, 3),
        "peak_by_process_mib": {k: round(v / 1024**2) for k, v in mem.peak_by_name.items()},
        "limit_bytes": BINDER_MEMORY_LIMIT,
    }
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "binder_replay.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(json.dumps(record, indent=2))
    assert mem.peak < BINDER_MEMORY_LIMIT, record
    # Checked last so the timings and memory are recorded either way.
    assert check.returncode == 0, (
        "the Binder image would have conflicting packages (our pins on top of repo2docker's "
        f"base Jupyter environment):\n{check.stdout}"
    )
