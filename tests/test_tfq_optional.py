"""TensorFlow Quantum where it exists, a clear stand-in where it does not, and no native
start-up noise on the learner's screen.

TFQ is hidden the way a platform without its wheels would be: a folder whose
``tensorflow_quantum/__init__.py`` raises ImportError, first on the child process's path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from clipq_edu import _env

ROOT = Path(__file__).resolve().parents[1]


def hide_tfq(folder: Path) -> Path:
    """A folder that makes ``import tensorflow_quantum`` fail (put it first on PYTHONPATH)."""
    pkg = folder / "tensorflow_quantum"
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text(
        'raise ImportError("TensorFlow Quantum is hidden (as on a platform without its wheels)")\n',
        encoding="utf-8")
    return folder


def _python(code: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env=env)


def test_known_native_noise_is_filtered_and_everything_else_kept(capfd):
    with _env.native_stderr_filtered():
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are "
                    b"written to STDERR\n")
        os.write(2, b"E0000 00:00:1.2 1 cuda_dnn.cc:8310] Unable to register cuDNN factory: x\n")
        os.write(2, b"E0000 00:00:1.3 1 cuda_blas.cc:1418] Unable to register cuBLAS factory: y\n")
        os.write(2, b"F0000 something real went wrong\n")
    err = capfd.readouterr().err
    assert "something real went wrong" in err
    assert "cuDNN" not in err and "cuBLAS" not in err and "InitializeLog" not in err


def test_a_python_error_inside_the_filter_still_shows_the_native_lines(capfd):
    with pytest.raises(RuntimeError, match="boom"), _env.native_stderr_filtered():
        os.write(2, b"native detail of the failure\n")
        raise RuntimeError("boom")
    assert "native detail of the failure" in capfd.readouterr().err


@pytest.mark.slow
def test_loading_tensorflow_prints_no_native_noise():
    r = _python("import clipq_edu._tf as t; print('tfq', t.TFQ_ERROR is None)")
    assert r.returncode == 0, r.stderr
    assert _env.NATIVE_NOISE.search(r.stderr) is None, r.stderr
    assert "E0000" not in r.stderr, r.stderr


@pytest.mark.slow
def test_without_tfq_the_library_says_so_and_where_to_go(tmp_path):
    r = _python("""
        from clipq_edu import _backend
        assert _backend.has_tfq() is False          # found the hidden package, did not trust it
        import clipq_edu._tf as t
        assert not t.tfq and t.TFQ_ERROR is not None
        assert _backend.has_tfq() is False
        try:
            t.tfq.layers.PQC
        except t.TFQUnavailableError as exc:
            print("ERROR:", exc)
        print(t.tf.__version__)
    """, {"PYTHONPATH": str(hide_tfq(tmp_path))})
    assert r.returncode == 0, r.stderr
    assert "tfq.layers needs TensorFlow Quantum" in r.stdout
    assert "Binder" in r.stdout and "Linux x86_64" in r.stdout


@pytest.mark.slow
def test_with_tfq_installed_has_tfq_is_true():
    r = _python("from clipq_edu import _backend; print(_backend.has_tfq())")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("True")
