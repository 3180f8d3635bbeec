"""Re-execute course notebooks in place so their stored outputs match what nbval will see.

Usage (from the repository root, inside the project's virtual environment)::

    python tools/run_notebooks.py                 # every notebooks/*.ipynb
    python tools/run_notebooks.py 02_core_concepts # only the notebooks whose name contains this
    python tools/run_notebooks.py --dir notebooks/zh 02   # the Chinese edition (tools/zh.py)

Each notebook runs in a fresh kernel of *this* Python with the working directory set to
``notebooks/``, the way nbval runs it: file-descriptor output is not captured (so TensorFlow's
C++ log lines never land in the stored outputs) and ``MPLBACKEND`` is the inline backend. The
script prints the wall time of each notebook and fails if any cell raises.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def kernel_dir() -> str:
    """A temporary kernelspec named python3 that runs this interpreter like nbval does."""
    tmp = Path(tempfile.mkdtemp(prefix="clipq-kernel-"))
    spec_dir = tmp / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [
            sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
            "--IPKernelApp.capture_fd_output=False",
        ],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return str(tmp)


def execute(path: Path, timeout: int = 600) -> float:
    """Execute one notebook in place; return its wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3",
    }
    nb.metadata.get("language_info", {}).pop("version", None)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    os.environ["JUPYTER_PATH"] = kernel_dir() + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    os.environ.pop("MPLBACKEND", None)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    os.environ["CLIPQ_EDU_CHECK_FIGURES"] = "1"  # as under nbval: overlapping text is reported
    folder = NOTEBOOKS
    if argv[:1] == ["--dir"] and len(argv) >= 2:
        folder, argv = Path(argv[1]).resolve(), argv[2:]
    paths = sorted(folder.glob("*.ipynb"))
    if argv:
        paths = [p for p in paths if any(a in p.name for a in argv)]
        if not paths:
            print(f"no notebook in {folder} matches {argv}", file=sys.stderr)
            return 2
    total = 0.0
    for path in paths:
        print(f"running {path.name} ...", flush=True)
        seconds = execute(path)
        total += seconds
        print(f"  {path.name}: {seconds:.1f} s", flush=True)
    print(f"{len(paths)} notebook(s) in {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
