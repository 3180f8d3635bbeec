"""Interrupting a long cell leaves the model, the caches and the widgets usable.

A real Jupyter kernel (this Python, through jupyter_client) runs the cells a student would
run: build a model and an explorer, start a long training (``training.train``) or a long
experiment (``experiments.barren_plateau_variance``), press "interrupt" (SIGINT, as the
Jupyter front end does), then run the next cell with the same objects.
"""

from __future__ import annotations

import json
import queue
import sys
import textwrap
import time

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

jupyter_client = pytest.importorskip("jupyter_client")


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec_dir = tmp_path_factory.mktemp("kernels") / "clipq-interrupt"
    spec_dir.mkdir()
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "clipq test", "language": "python", "interrupt_mode": "signal",
        "env": {"TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
                "MPLBACKEND": "Agg"},
    }))
    ksm = KernelSpecManager(kernel_dirs=[str(spec_dir.parent)])
    km = KernelManager(kernel_name="clipq-interrupt", kernel_spec_manager=ksm)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _run(kc, code, *, timeout=300, interrupt_on=None, km=None):
    """Execute ``code``; return (reply content, stdout text).

    With ``interrupt_on``, send an interrupt as soon as that text appears on stdout.
    """
    msg_id = kc.execute(textwrap.dedent(code))
    out = []
    interrupted = False
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"cell did not finish in {timeout} s; stdout: {''.join(out)[-500:]}"
        try:
            msg = kc.get_iopub_msg(timeout=min(left, 5))
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            out.append(msg["content"]["text"])
            if interrupt_on and not interrupted and interrupt_on in "".join(out):
                km.interrupt_kernel()
                interrupted = True
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=60)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=60)
    if interrupt_on:
        assert interrupted, f"never saw {interrupt_on!r}; stdout: {''.join(out)[-500:]}"
    return reply["content"], "".join(out)


def _ok(reply, out):
    assert reply["status"] == "ok", (
        f"{reply.get('ename')}: {reply.get('evalue')}\n" + "\n".join(reply.get("traceback", []))
        + out)


def test_interrupted_training_leaves_model_and_widgets_usable(kernel):
    km, kc = kernel
    _ok(*_run(kc, """
        import numpy as np
        import clipq_edu as cq
        from clipq_edu import training, widgets
        from clipq_edu._tf import tf
        cq.setup(seed=0)
        rng = np.random.default_rng(0)
        x = rng.standard_normal((64, 3)).astype(np.float32)
        y = (x[:, 0] > 0).astype(np.float32)
        init = tf.keras.initializers.RandomNormal(stddev=1.0, seed=0)
        model = tf.keras.Sequential([tf.keras.Input(shape=(3,)),
            tf.keras.layers.Dense(4, activation="tanh", kernel_initializer=init),
            tf.keras.layers.Dense(1, activation="sigmoid", kernel_initializer=init)])
        geometry = widgets.clip_geometry()
        telemetry = widgets.training_telemetry()
        seen = []
        def hook(step, grads):
            seen.append(step)
            if step == 20:
                print("TRAINING STARTED", flush=True)
            return grads
        print("ready")
    """))
    reply, out = _run(kc, """
        tel = training.train(model, x, y, epochs=50_000, batch_size=8, clip=("global_norm", 1.0),
                             grad_hook=hook, progress=True)
        print("FINISHED")
    """, interrupt_on="TRAINING STARTED", km=km, timeout=600)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt", reply
    assert "FINISHED" not in out

    reply, out = _run(kc, """
        steps_done = len(seen)
        assert 20 < steps_done < 50_000 * 8, steps_done
        w = model.get_weights()
        assert all(np.isfinite(a).all() for a in w)
        p = model.predict(x, verbose=0)
        assert p.shape == (64, 1) and np.isfinite(p).all()
        tel = training.train(model, x, y, epochs=2, batch_size=16, clip=("norm", 0.5),
                             progress=False)
        assert tel.steps == 8 and not tel.skipped.any(), tel.summary()
        assert np.isfinite(tel.loss).all()
        assert not all(np.array_equal(a, b) for a, b in zip(w, model.get_weights()))
        geometry.set(bound=2.0, gx=4.0, gy=-1.0)
        assert geometry.message == "", geometry.message
        assert geometry.values()["bound"] == 2.0
        telemetry.set(bound=0.5)
        assert telemetry.message == "", telemetry.message
        assert np.isfinite(np.asarray(telemetry.state["loss"], dtype=float)).all()
        print("NEXT CELL OK", steps_done)
    """)
    _ok(reply, out)
    assert "NEXT CELL OK" in out


def test_interrupted_experiment_leaves_caches_usable(kernel):
    km, kc = kernel
    _ok(*_run(kc, """
        import numpy as np
        from clipq_edu import widgets
        from clipq_edu.quantum import landscapes as experiments
        small = experiments.barren_plateau_variance([2, 3], depth=4, n_circuits=20, seed=1,
                                                 backend="tfq")
        quartic = widgets.quartic_descent()
        print("ready", small)
    """))
    reply, out = _run(kc, """
        print("EXPERIMENT STARTED", flush=True)
        for i in range(1000):  # long, in many short calls like a depth scan in a chapter
            experiments.barren_plateau_variance([2, 4, 6, 8], depth=20, n_circuits=50,
                                                seed=100 + i, backend="tfq")
        print("FINISHED")
    """, interrupt_on="EXPERIMENT STARTED", km=km, timeout=600)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt", reply
    reply, out = _run(kc, """
        again = experiments.barren_plateau_variance([2, 3], depth=4, n_circuits=20, seed=1,
                                                 backend="tfq")
        assert again == small, (again, small)
        quartic.set(learning_rate=0.02, clip=0.5)
        assert quartic.message == "", quartic.message
        print("NEXT CELL OK")
    """)
    _ok(reply, out)
    assert "NEXT CELL OK" in out
