"""clipq_edu.quantum.resources (the one memory formula, qubit limits) and the package layout."""

from __future__ import annotations

import subprocess
import sys

import pytest

from clipq_edu import _validate
from clipq_edu.quantum import resources as R


def test_one_memory_formula():
    assert R.simulation_memory_bytes(20) == 8 * 2**20
    assert R.simulation_memory_bytes(10, "density", 16) == 16 * 4**10
    assert R.simulation_memory_bytes(50) == 8 * 2**50  # only computes: no simulation limit
    assert R.state_vector_bytes(30) == 2**30 * 8
    assert R.state_vector_bytes(5, 16) == R.simulation_memory_bytes(5, "state", 16)
    with pytest.raises(ValueError, match="n_qubits must be <= 1000"):
        R.simulation_memory_bytes(10**6)
    with pytest.raises(ValueError, match="kind"):
        R.simulation_memory_bytes(3, "sparse")


def test_format_bytes():
    assert R.format_bytes(1023) == "1023 B"
    assert R.format_bytes(1024) == "1.0 KiB"
    assert R.format_bytes(8 * 2**20) == "8.0 MiB"
    assert R.format_bytes(2**70).endswith("PiB")
    with pytest.raises(TypeError, match="n_bytes"):
        R.format_bytes("1 KiB")
    with pytest.raises(ValueError, match="n_bytes"):
        R.format_bytes(float("inf"))


def test_qubit_limit_says_how_much_memory():
    assert R.check_qubits("n_qubits", 20) == 20
    with pytest.raises(ValueError, match=r"n_qubits=30 .*8\.0 GiB"):
        R.check_qubits("n_qubits", 30)
    with pytest.raises(ValueError, match=r"10\*\*"):
        R.check_qubits("n_qubits", 10**6)  # no 2**(10**6) computed for the message
    with pytest.raises(ValueError, match="n=8"):
        R.check_qubits("n", 8, max_qubits=R.MAX_DENSITY_QUBITS)


def test_resources_is_the_one_home_of_the_memory_formula():
    assert not hasattr(_validate, "state_vector_bytes")  # no forwarder, no second home
    assert R.format_bytes is _validate.format_bytes  # defined in the bottom layer, public here
    assert R.format_bytes(1536) == "1.5 KiB"
    with pytest.raises(ValueError, match="needs 8.0 GiB"):
        R.check_qubits("n_qubits", 30)


def test_quantum_package_imports_light_and_reexports():
    code = (
        "import sys; from clipq_edu import quantum; "
        "print(quantum.format_bytes(quantum.state_vector_bytes(3))); "
        "print('cirq' in sys.modules, 'tensorflow' in sys.modules); "
        "from clipq_edu.quantum import landscapes, sampling, gradients, simulate; "
        "print('tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=300).stdout.split()
    assert out == ["64", "B", "False", "False", "False"]
    from clipq_edu import quantum

    for name in quantum.__all__:
        assert getattr(quantum, name) is not None
    with pytest.raises(AttributeError):
        quantum.no_such_name  # noqa: B018


def test_old_flat_module_names_are_gone():
    """0.1.0 had no outside users: the reorganisation left no aliases (see CHANGELOG.md)."""
    import importlib

    import clipq_edu as cq

    for old in ("circuits", "measurement", "gradients", "noise", "experiments"):
        with pytest.raises(AttributeError):
            getattr(cq, old)
        with pytest.raises(ImportError):
            importlib.import_module(f"clipq_edu.{old}")


def test_package_reexports_exactly_each_modules_public_names():
    import importlib

    from clipq_edu import quantum

    for sub, names in quantum._EXPORTS.items():
        module = importlib.import_module(f"clipq_edu.quantum.{sub}")
        assert set(names) == set(module.__all__), sub
        for name in names:
            assert getattr(quantum, name) is getattr(module, name)
