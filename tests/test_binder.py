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
    assert "python=3.10" in log  # repo2docker's default without runtime.txt


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
