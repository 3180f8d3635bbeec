"""The package itself: light import, environment variables, setup(), the Keras guard, doctor."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap

import pytest

import clipq_edu
from clipq_edu import doctor

PY = sys.executable


def run_py(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    full_env.update(env or {})
    return subprocess.run([PY, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=full_env, timeout=300)


def test_import_does_not_load_tensorflow():
    r = run_py("""
        import sys, clipq_edu
        assert 'tensorflow' not in sys.modules, 'tensorflow imported'
        import clipq_edu.clipping, clipq_edu.exercises, clipq_edu.widgets
        assert 'tensorflow' not in sys.modules, 'tensorflow imported by a classical module'
        print('ok')
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_import_sets_tf_environment():
    r = run_py("""
        import os, clipq_edu
        print(os.environ['TF_USE_LEGACY_KERAS'], os.environ['TF_CPP_MIN_LOG_LEVEL'],
              int(os.environ['TF_NUM_INTRAOP_THREADS']) >= 1)
    """)
    assert r.stdout.split() == ["1", "3", "True"], r.stderr


def test_keras3_already_loaded_raises_clear_import_error():
    r = run_py("""
        import tensorflow as tf
        tf.keras.layers  # resolves tf.keras to Keras 3
        import clipq_edu
    """)
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "restart the kernel" in r.stderr


@pytest.mark.slow
def test_tensorflow_imported_first_but_keras_untouched_is_fine():
    r = run_py("""
        import tensorflow as tf
        import clipq_edu
        from clipq_edu._tf import tfq
        print(type(tf.keras.layers.Dense(1)).__module__.split('.')[0])
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "tf_keras"


def test_forced_keras3_warns_on_import_and_doctor_explains():
    r = run_py("import clipq_edu, sys; sys.exit(clipq_edu.doctor.run())",
               env={"TF_USE_LEGACY_KERAS": "0"})
    assert r.returncode == 1
    assert "[FAIL] keras: tf.keras is Keras 3" in r.stdout
    assert "fix:" in r.stdout and "troubleshooting" in r.stdout


def _locked(name: str) -> str:
    """The version requirements.txt pins for ``name`` (read from the lock, not restated)."""
    from pathlib import Path

    lock = Path(__file__).resolve().parents[1] / "requirements.txt"
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{name}=="):
            return line.split("==", 1)[1].strip()
    raise AssertionError(f"{name} is not pinned in requirements.txt")


def test_setup_report_and_seed_validation():
    report = clipq_edu.setup(seed=3)
    assert report.seed == 3 and report.cpus >= 1
    assert report.versions["tensorflow-quantum"] == _locked("tensorflow-quantum")
    assert "clipq_edu ready: seed=3" in str(report)
    assert "<ul>" in report._repr_html_()
    for bad in (-1, 1.5, "0", True):
        with pytest.raises(ValueError, match="seed must be a non-negative integer"):
            clipq_edu.setup(seed=bad)


def test_setup_seeds_numpy_global_state():
    import numpy as np

    clipq_edu.setup(seed=7)
    a = np.random.rand(3)  # noqa: NPY002 - the legacy state is what setup seeds
    clipq_edu.setup(seed=7)
    b = np.random.rand(3)  # noqa: NPY002
    assert (a == b).all()


def test_cpu_quota_and_memory_limit_are_sane():
    report = clipq_edu.setup(seed=0)  # what setup() found: the CPUs and memory this process may use
    assert 1 <= report.cpus <= (os.cpu_count() or 1)
    assert report.memory_limit_gb is None or report.memory_limit_gb > 0


def test_unknown_attribute_is_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        clipq_edu.nope  # noqa: B018


def test_show_source_displays_code():
    listing = clipq_edu.show_source(clipq_edu.clipping.clip_by_norm)
    assert "def clip_by_norm" in repr(listing)
    assert listing._repr_markdown_().startswith("```python")
    with pytest.raises(TypeError, match="must be a Python function"):
        clipq_edu.show_source(3)


def test_doctor_report_format_and_exit_codes():
    ok = doctor.Check("a", True, "fine")
    bad = doctor.Check("b", False, "broken", "do this")
    buf = io.StringIO()
    assert doctor.run((lambda: ok,), out=buf) == 0
    lines = buf.getvalue().splitlines()
    assert [ln.split(":")[0] for ln in lines[:5]] == ["platform", "python", "route", "disk",
                                                     "memory"], lines  # the stdlib preflight
    assert lines[5] == "[ OK ] a: fine" and lines[-1].startswith("all checks passed")
    buf = io.StringIO()
    assert doctor.run((lambda: ok, lambda: bad), out=buf) == 1
    assert "[FAIL] b: broken\n       fix: do this" in buf.getvalue()


def test_doctor_package_check_sees_every_pin():
    result = doctor.check_packages()
    assert result.ok, result.detail


@pytest.mark.slow
def test_doctor_cli_passes_here():
    r = subprocess.run([PY, "-m", "clipq_edu", "doctor"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("[ OK ]") == len(doctor.CHECKS)


@pytest.mark.slow
def test_load_tensorflow_announces_itself_in_a_kernel_and_seeds():
    """In a Jupyter kernel the first load prints a start line and one with its duration;
    TensorFlow then carries setup()'s seed, and a second call returns the same modules."""
    r = run_py("""
        import sys, types
        sys.modules["ipykernel"] = types.ModuleType("ipykernel")  # as inside a notebook kernel
        import clipq_edu as cq
        cq.setup(seed=3)
        tf, tfq = cq.load_tensorflow()
        a = float(tf.random.uniform(()))
        cq.setup(seed=3)
        b = float(tf.random.uniform(()))
        assert cq.load_tensorflow() == (tf, tfq)
        assert tf.keras.Sequential.__module__.startswith("tf_keras"), tf.keras.Sequential.__module__
        assert a == b, (a, b)
        print("ok", cq.keras_flavour())
    """)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Loading TensorFlow and TensorFlow Quantum")
    assert lines[1].startswith("TensorFlow 2.") and lines[1].endswith(" s).")
    assert lines[-1] == "ok tf-keras 2.x"


def test_load_tensorflow_is_quiet_outside_a_kernel():
    r = run_py("""
        import clipq_edu as cq
        cq.load_tensorflow()
    """)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout == ""
