"""Start-up costs measured in fresh Python processes: import, setup() with TF, first result.

* ``import clipq_edu`` without TensorFlow (the classical chapters' start-up);
* ``clipq_edu.setup()`` after TensorFlow + TFQ have been imported, and that import itself;
* time to the first quantum result: a fresh process imports clipq_edu, calls ``setup()`` and
  computes the analytic expectation <Z0 Z1> of the Bell circuit (which must be 1). Reported
  both from inside (first line of the script to the result) and from outside (process start,
  interpreter start-up included).
"""

from __future__ import annotations

from typing import Any

from benchmarks.harness import run_json, summarize

IMPORT_CODE = """
import json, sys, time
t = time.perf_counter()
import clipq_edu
dt = time.perf_counter() - t
print(json.dumps({"import_s": dt, "tf_loaded": "tensorflow" in sys.modules}))
"""

SETUP_TF_CODE = """
import json, time
t0 = time.perf_counter()
import clipq_edu as cq
t1 = time.perf_counter()
from clipq_edu._tf import tf, tfq
t2 = time.perf_counter()
report = cq.setup(seed=0)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "import_tf_tfq_s": t2 - t1, "setup_s": t3 - t2,
                  "tf_loaded": report.tensorflow_loaded}))
"""

FIRST_RESULT_CODE = """
import json, time
t0 = time.perf_counter()
import clipq_edu as cq
cq.setup(seed=0)
import cirq
bell = cq.quantum.circuits.bell_circuit()
q0, q1 = sorted(bell.all_qubits())
op = cirq.Z(q0) * cirq.Z(q1)
value = float(cq.quantum.simulate.expectation(bell, op, backend="tfq").ravel()[0])
how = "clipq_edu.quantum.simulate.expectation (TFQ)"
t1 = time.perf_counter()
print(json.dumps({"first_result_s": t1 - t0, "value": value, "via": how}))
"""


def measure_import() -> dict[str, Any]:
    """One fresh-process measurement of ``import clipq_edu`` (must not load TensorFlow)."""
    return run_json(IMPORT_CODE)


def measure_setup_with_tf() -> dict[str, Any]:
    """One fresh-process measurement of the TF + TFQ import and ``setup()`` after it."""
    return run_json(SETUP_TF_CODE)


def measure_first_result() -> dict[str, Any]:
    """One fresh-process measurement of the time to the Bell circuit's analytic <Z0 Z1>."""
    result = run_json(FIRST_RESULT_CODE)
    if abs(result["value"] - 1.0) > 1e-5:
        raise RuntimeError(f"Bell <Z0 Z1> should be 1, got {result['value']}")
    return result


def measure_lab_second_start() -> dict[str, Any]:
    """Seconds from ``make lab`` to its printed URL when ``.venv`` is already installed."""
    import tempfile
    from pathlib import Path

    from tools import lab_probe

    with tempfile.TemporaryDirectory() as tmp:
        run = lab_probe.start(lab_probe.free_port(), Path(tmp))
        try:
            lab_probe.wait_for_url(run)
        finally:
            lab_probe.stop(run)
    return {"seconds_to_url": run.seconds_to_url, "reinstalled": "pip install" in run.text}


def run(repeat: int = 3, log: Any = print) -> dict[str, Any]:
    """All start-up figures, ``repeat`` fresh processes each; medians and raw samples."""
    imports = [measure_import() for _ in range(repeat)]
    log(f"  import clipq_edu: median {summarize([r['import_s'] for r in imports])['median']:.3f} s")
    setups = [measure_setup_with_tf() for _ in range(repeat)]
    log(f"  TF+TFQ import: median {summarize([r['import_tf_tfq_s'] for r in setups])['median']:.2f} s")
    firsts = [measure_first_result() for _ in range(repeat)]
    log(f"  first quantum result: median {summarize([r['first_result_s'] for r in firsts])['median']:.2f} s")
    labs = [measure_lab_second_start() for _ in range(repeat)]
    log(f"  make lab (installed) to URL: median {summarize([r['seconds_to_url'] for r in labs])['median']:.2f} s")
    return {
        "import_clipq_edu_s": summarize([r["import_s"] for r in imports]),
        "import_loaded_tensorflow": any(r["tf_loaded"] for r in imports),
        "import_tf_tfq_s": summarize([r["import_tf_tfq_s"] for r in setups]),
        "setup_with_tf_s": summarize([r["setup_s"] for r in setups]),
        "first_quantum_result_s": summarize([r["first_result_s"] for r in firsts]),
        "first_quantum_result_process_wall_s": summarize([r["wall_s"] for r in firsts]),
        "first_quantum_result_via": firsts[0]["via"],
        "make_lab_second_start_to_url_s": summarize([r["seconds_to_url"] for r in labs]),
        "make_lab_second_start_reinstalled": any(r["reinstalled"] for r in labs),
    }
