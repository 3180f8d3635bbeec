"""Fetch, once, every wheel the install tests need, so that no test reads the package index.

``make test`` runs this in its install step (like ``pip install``, it may use the network);
the tests that install packages (the Binder replay, the offline wheelhouse install) then
install with ``pip --no-index --find-links`` from the folder alone, so the suite gives the same
verdict online and offline, today and on any later day.

Usage (from the repository root, inside the project's virtual environment)::

    python tools/test_wheels.py [FOLDER]      # default: wheelhouse/ (make wheelhouse's folder)

What it fetches (``pip download --only-binary=:all:``, pip skips files already there):

* the pinned runtime stack, ``requirements.txt``, and the build tools ``pip install .`` needs
  (what ``make wheelhouse`` fetches: ``make lab`` can then install from the folder too);
* the Jupyter packages of repo2docker's base image (:func:`binder_base_env_pins`), which the
  Binder replay installs before ``binder/requirements.txt``, as repo2docker does;
* the test tools the Binder replay runs its notebooks with (:data:`REPLAY_TOOLS`).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = ROOT / "wheelhouse"
#: What ``pip install .`` needs to build the package (pyproject.toml's build-system).
BUILD_TOOLS = ("setuptools>=68", "wheel")
#: Test tools the Binder replay installs on top of the Binder image, at requirements-test.txt's pins.
REPLAY_TOOLS = ("pytest", "nbval", "pytest-timeout", "pluggy", "iniconfig", "coverage")

# Conda packages of repo2docker's base Jupyter environment and their PyPI names (the
# metapackage jupyterhub-singleuser only pulls jupyterhub-base and jupyterlab in).
_BASE_ENV_PYPI = {
    "notebook": "notebook",
    "jupyterhub-base": "jupyterhub",
    "jupyter-resource-usage": "jupyter-resource-usage",
    "jupyter-offlinenotebook": "jupyter-offlinenotebook",
}


def pins(path: Path) -> dict[str, str]:
    """``{normalised name: version}`` of the exact ``name==version`` lines of a requirements file."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line and not line.startswith("-"):
            name, version = line.split("==", 1)
            found[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return found


def binder_base_env_pins(python: str = "3.11") -> list[str]:
    """The Jupyter packages repo2docker installs *before* binder/requirements.txt, pinned to
    the versions in its conda lock file, as pip requirements (empty if repo2docker is absent).

    Our pins are installed on top of these; a Jupyter package of the base image that does not
    accept our jupyterlab (e.g. notebook 7.4 wants jupyterlab<4.5) breaks the classic UI.
    """
    try:
        import repo2docker
    except ImportError:
        return []
    lock = (Path(repo2docker.__file__).parent / "buildpacks" / "conda"
            / f"environment.py-{python}-linux-64.lock")
    found = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = re.search(r"/([a-z0-9_-]+)-([0-9][^-]*)-[^-/]+\.conda", line)
        if m and m[1] in _BASE_ENV_PYPI:
            found.append(f"{_BASE_ENV_PYPI[m[1]]}=={m[2]}")
    return sorted(found)


def replay_tool_pins() -> list[str]:
    """:data:`REPLAY_TOOLS` at the versions requirements-test.txt pins."""
    test_pins = pins(ROOT / "requirements-test.txt")
    return [f"{n}=={test_pins[n]}" for n in REPLAY_TOOLS if n in test_pins]


def download_commands(folder: Path) -> list[list[str]]:
    """The ``pip download`` command lines, one per group (they need not resolve together:
    the base image's notebook is replaced by our pin, as in a real Binder build)."""
    base = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check",
            "--no-input", "--only-binary=:all:", "-d", str(folder)]
    groups = [["-r", str(ROOT / "requirements.txt"), *BUILD_TOOLS], replay_tool_pins()]
    base_env = binder_base_env_pins()
    if base_env:
        groups.append(base_env)
    return [[*base, *group] for group in groups if group]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``make test``'s install step)."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]).resolve() if args else DEFAULT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for cmd in download_commands(folder):
        proc = subprocess.run([*cmd, "-q"], check=False)
        if proc.returncode != 0:
            print(f"error: {' '.join(cmd)} failed (exit {proc.returncode})", file=sys.stderr)
            return proc.returncode
    print(f"{len(list(folder.glob('*.whl')))} wheels in {folder}: the install tests need no "
          "package index")
    return 0


if __name__ == "__main__":
    sys.exit(main())
