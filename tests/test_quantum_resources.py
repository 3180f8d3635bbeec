"""clipq_edu.quantum.resources (the one memory formula, qubit limits) and the package layout."""

from __future__ import annotations

import subprocess
import sys
import warnings

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


def test_validate_delegates_to_the_one_home():
    assert _validate.state_vector_bytes(12) == R.state_vector_bytes(12)
    assert _validate.format_bytes(1536) == R.format_bytes(1536) == "1.5 KiB"
    with pytest.raises(ValueError, match="needs 8.0 GiB"):
        _validate.check_qubits("n_qubits", 30)


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


def test_old_module_names_are_deprecated_aliases():
    import clipq_edu as cq
    from clipq_edu.quantum import circuits, gradients, landscapes, sampling, simulate

    cases = {
        ("circuits", "bell_circuit"): circuits.bell_circuit,
        ("measurement", "sample_expectation"): sampling.sample_expectation,
        ("measurement", "probabilities"): simulate.probabilities,
        ("measurement", "shot_noise_variance"): sampling.shot_noise_variance,
        ("gradients", "parameter_shift_gradient"): gradients.parameter_shift_gradient,
        ("noise", "gradient_samples"): landscapes.gradient_samples,
        ("noise", "shots_to_resolve"): sampling.shots_to_resolve,
        ("noise", "simulation_memory_bytes"): R.simulation_memory_bytes,
        ("noise", "MAX_DENSITY_QUBITS"): R.MAX_DENSITY_QUBITS,
        ("experiments", "barren_plateau_variance"): landscapes.barren_plateau_variance,
        ("experiments", "bce_gradient_vs_theta"): landscapes.bce_gradient_vs_theta,
    }
    for (old, name), new in cases.items():
        with pytest.warns(DeprecationWarning, match=f"clipq_edu.{old}.{name} moved"):
            assert getattr(getattr(cq, old), name) is new
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        # the old positional signature still works through the alias
        import cirq

        from clipq_edu import measurement

        q = cirq.LineQubit(0)
        value = measurement.expectation_cirq(cirq.Circuit(cirq.X(q)), cirq.Z(q))
        assert float(value) == pytest.approx(-1.0)
    with pytest.raises(AttributeError, match="reorganised"):
        cq.noise.no_such_function  # noqa: B018


def test_package_reexports_exactly_each_modules_public_names():
    import importlib

    from clipq_edu import quantum

    for sub, names in quantum._EXPORTS.items():
        module = importlib.import_module(f"clipq_edu.quantum.{sub}")
        assert set(names) == set(module.__all__), sub
        for name in names:
            assert getattr(quantum, name) is getattr(module, name)
