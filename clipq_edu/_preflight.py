"""Which way this machine can run the course, told before anything is downloaded.

Standard library only, and runnable as a plain script by any Python 3 (``make lab`` runs
``python clipq_edu/_preflight.py`` before it creates the virtual environment; the doctor
runs it first, so it works even when the install did not)::

    python clipq_edu/_preflight.py                  # the report; exit 1 when no route fits
    python clipq_edu/_preflight.py --requirements   # only the lock file to install

Two routes install locally (docs/troubleshooting.md, README "Which way should I run this?"):

* ``full``: TensorFlow Quantum, the course's main engine: ``requirements.txt``. TensorFlow
  Quantum 0.7.6 publishes wheels for Linux x86_64 and CPython 3.10-3.12 only.
* ``lite``: no TensorFlow Quantum, the library's own simulator: ``requirements-lite.txt``
  (TensorFlow 2.21: macOS arm64, Windows x86_64, Linux x86_64 and aarch64, CPython 3.10-3.13).

The pinned stacks need CPython 3.11.5 or newer. Anything else: Binder, a JupyterHub, or the
Binder image in a container.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from typing import NamedTuple

#: Lowest Python the pinned stacks install on (soupsieve 4.1.2 and IPython 9 need 3.11.5).
MIN_PYTHON = (3, 11, 5)
#: Newest minor version TensorFlow 2.21 (the lite stack) has wheels for.
MAX_LITE = (3, 13)
#: Newest minor version TensorFlow Quantum 0.7.6 has wheels for.
MAX_FULL = (3, 12)
#: What a fresh environment takes on disk (measured: about 3.2 GB with TFQ and JupyterLab).
ENV_BYTES = int(3.5e9)
#: What one chapter's kernel needs at its peak (benchmarks/RESULTS.md: 1.10 GB).
KERNEL_BYTES = int(1.1e9)
ELSEWHERE = ("open the course on Binder or a JupyterHub, or run the Binder image in a "
             "container (docs/troubleshooting.md#containers)")


class Route(NamedTuple):
    """How this machine runs the course: ``full``, ``lite`` or ``none``."""

    name: str
    requirements: str
    why: str


def _arch(machine: str) -> str:
    m = machine.lower()
    return {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}.get(m, m)


def route(system: str, machine: str, version: tuple[int, ...]) -> Route:
    """The route for an OS (``platform.system()``), CPU (``platform.machine()``) and Python.

    >>> route("Linux", "x86_64", (3, 11, 7)).name
    'full'
    >>> route("Darwin", "arm64", (3, 12, 4)).requirements
    'requirements-lite.txt'
    >>> route("Darwin", "x86_64", (3, 12, 4)).name
    'none'
    """
    arch, v = _arch(machine), tuple(version[:3])
    py = ".".join(map(str, v))
    if v < MIN_PYTHON:
        return Route("none", "", f"Python {py} is older than the pinned stack allows (3.11.5 or "
                     "newer; 3.12 is a good choice): install it (python.org, pyenv or "
                     "`uv python install 3.12`) and run again with it")
    if v[:2] > MAX_LITE:
        return Route("none", "", f"TensorFlow has no wheels for Python {py} yet: use 3.12 "
                     "(or 3.11.5+, 3.13)")
    if system == "Linux" and arch == "x86_64" and v[:2] <= MAX_FULL:
        return Route("full", "requirements.txt", "TensorFlow Quantum has wheels here "
                     "(Linux x86_64, Python 3.10-3.12): the whole course, TFQ included")
    lite_ok = ((system == "Linux" and arch in ("x86_64", "aarch64"))
               or (system == "Darwin" and arch == "aarch64")
               or (system == "Windows" and arch == "x86_64"))
    if lite_ok:
        return Route("lite", "requirements-lite.txt", "TensorFlow Quantum has no wheels for "
                     f"{system} {arch} with Python {py}: the course runs on the library's own "
                     "simulator; the few cells that teach the TFQ API itself say so and are "
                     "skipped (for those: Linux x86_64 with Python 3.11/3.12, WSL, Binder or a "
                     "JupyterHub)")
    if system == "Darwin":
        return Route("none", "", "TensorFlow publishes no wheels for Intel Macs any more: "
                     + ELSEWHERE)
    return Route("none", "", f"TensorFlow has no wheels for {system} {arch}: " + ELSEWHERE)


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB"


def memory_bytes() -> int | None:
    """Physical memory in bytes, or None where the standard library cannot tell."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def here() -> tuple[str, str, tuple[int, ...]]:
    """This machine's (OS, CPU, Python version), as :func:`route` takes them."""
    return platform.system(), platform.machine(), tuple(sys.version_info[:3])


def report(folder: str = ".") -> tuple[Route, list[str]]:
    """The route for this machine and the report's lines (platform, Python, disk, memory)."""
    system, machine = platform.system(), platform.machine()
    r = route(*here())
    lines = [
        f"platform: {system} {_arch(machine)} ({platform.platform(terse=True)})",
        f"python:   {platform.python_implementation()} {platform.python_version()} "
        f"({sys.executable})",
    ]
    if r.name == "none":
        lines.append(f"route:    none here. {r.why}")
    else:
        lines.append(f"route:    {r.name}: install {r.requirements}. {r.why}")
    free = shutil.disk_usage(folder).free
    disk = f"disk:     {_gb(free)} free here; the environment needs about {_gb(ENV_BYTES)}"
    lines.append(disk + ("" if free >= ENV_BYTES else ": free some space first"))
    mem = memory_bytes()
    if mem is None:
        lines.append(f"memory:   unknown; one chapter's kernel needs about {_gb(KERNEL_BYTES)}")
    else:
        lines.append(f"memory:   {_gb(mem)}; one chapter's kernel needs about {_gb(KERNEL_BYTES)}"
                     + ("" if mem >= 2 * KERNEL_BYTES else ": close other programs"))
    return r, lines


def main(argv: list[str] | None = None) -> int:
    """Print the report (or, with ``--requirements``, only the lock file); exit 1 without a route."""
    args = sys.argv[1:] if argv is None else argv
    r, lines = report()
    if "--requirements" in args:
        if r.name == "none":
            print(f"error: {r.why}", file=sys.stderr)
            return 1
        print(r.requirements)
        return 0
    print("\n".join(lines))
    return 0 if r.name != "none" else 1


if __name__ == "__main__":
    sys.exit(main())
