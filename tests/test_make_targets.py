"""Make targets for classes and labs: instructor targets need only the runtime environment,
``make wheelhouse`` + ``make lab``'s install step work with no network, ``make collect`` and
``make lock`` exist."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def _rule(target: str) -> str:
    """The rule of ``target`` (its prerequisite line and recipe) as written in the Makefile."""
    match = re.search(rf"^{re.escape(target)}:.*?(?=\n\S|\n\n|\Z)", MAKEFILE, re.M | re.S)
    assert match, f"the Makefile has no {target!r} target"
    return match.group(0)


@pytest.mark.parametrize("target", ["book", "student", "notebooks", "collect"])
def test_instructor_targets_need_only_the_runtime(target: str) -> None:
    prerequisites = _rule(target).split("\n", 1)[0]
    assert "$(VENV)/.runtime-installed" in prerequisites, prerequisites
    assert ".test-installed" not in prerequisites, (
        f"make {target} must not install the test tools (playwright, repo2docker, docker)")


def test_runtime_install_uses_the_wheelhouse_when_present() -> None:
    rule = _rule("$(VENV)/.runtime-installed")
    assert "--no-index" in rule and "--find-links $(WHEELHOUSE)" in rule, rule
    assert re.search(r"^WHEELHOUSE \?=", MAKEFILE, re.M)
    wheelhouse = _rule("wheelhouse")
    assert "pip download" in wheelhouse and "--only-binary=:all:" in wheelhouse
    assert "-d $(WHEELHOUSE)" in wheelhouse
    assert "tools/collect.py" in _rule("collect") and "tools/lock.py" in _rule("lock")
    assert "wheelhouse" in (ROOT / ".gitignore").read_text(encoding="utf-8")


def _unshare_works() -> bool:
    if not shutil.which("unshare") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True,
                          check=False).returncode == 0


def _pins(names: tuple[str, ...]) -> list[str]:
    wanted = {n: None for n in names}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        name = line.split("==")[0].strip().lower()
        if name in wanted and "==" in line:
            wanted[name] = line.strip()
    assert all(wanted.values()), wanted
    return list(wanted.values())


@pytest.mark.slow
@pytest.mark.skipif(not _unshare_works(), reason="needs root and unshare -n (a network namespace)")
def test_fresh_clone_installs_from_the_wheelhouse_with_networking_disabled(tmp_path: Path) -> None:
    """make lab's install step, in a network namespace with no interfaces but loopback, on a
    clone whose wheelhouse/ holds the wheels: it must install from the folder alone.

    Kept cheap: a three-package subset of the pins (REQUIREMENTS=...) instead of the 1 GB
    stack; the package itself is installed editable from the wheelhouse's build tools. The
    wheels are copied from the folder `make test` fetched in its install step
    (tools/test_wheels.py, the same `pip download` as `make wheelhouse`), so no test reads
    the package index.
    """
    source = Path(os.environ.get("CLIPQ_TEST_WHEELS") or ROOT / "wheelhouse")
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in ("Makefile", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, clone / name)
    shutil.copytree(ROOT / "clipq_edu", clone / "clipq_edu",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    pins = _pins(("numpy", "tqdm", "psutil"))
    (clone / "requirements-small.txt").write_text("\n".join(pins) + "\n", encoding="utf-8")
    # the build tools `pip install -e .` needs, with wheel's own dependency (packaging)
    wanted = [p.replace("==", "-") + "-" for p in pins] + ["setuptools-", "wheel-", "packaging-"]
    (clone / "wheelhouse").mkdir()
    for prefix in wanted:
        found = [w for w in source.glob("*.whl") if w.name.lower().startswith(prefix.lower())]
        assert found, (f"no {prefix}*.whl in {source}: `make test` fetches the install tests' "
                       "wheels in its install step (python tools/test_wheels.py)")
        for wheel in found:
            shutil.copy2(wheel, clone / "wheelhouse" / wheel.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(str(ROOT / ".venv")))
    make = ["make", "--no-print-directory", "REQUIREMENTS=requirements-small.txt",
            f"PYTHON={_base_python()}"]
    # From here on: no network and no pip configuration that could point at another source.
    offline_env = dict(env, PIP_CONFIG_FILE=os.devnull)
    install = subprocess.run(["unshare", "-n", *make, ".venv/.runtime-installed"], cwd=clone,
                             env=offline_env, capture_output=True, text=True, check=False,
                             timeout=900)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    assert "no network" in install.stdout
    # The package itself needs the whole stack to import; find it without importing it.
    probe = subprocess.run(
        [str(clone / ".venv" / "bin" / "python"), "-c",
         "import importlib.util, numpy, tqdm, psutil; "
         "print(numpy.__version__, tqdm.__version__, psutil.__version__, "
         "importlib.util.find_spec('clipq_edu').origin)"],
        cwd=tmp_path, capture_output=True, text=True, check=False, env=offline_env)
    assert probe.returncode == 0, probe.stderr
    versions = [p.split("==")[1] for p in pins]
    assert probe.stdout.split()[:3] == versions
    assert probe.stdout.split()[3].startswith(str(clone)), "the clone's package, editable"


def _base_python() -> str:
    """The interpreter the course venv was made from (make's PYTHON)."""
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    return str(base if base.exists() else Path(sys.base_prefix) / "bin" / "python3")
