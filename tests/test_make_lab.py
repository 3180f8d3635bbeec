"""The README's main command, `make lab`, started exactly as a learner starts it.

As the current user (root in CI and in most containers), headless through the documented
``NO_BROWSER=1``, on a free port (``tools/lab_probe.py`` starts it and waits for the printed
URL). The test then checks what a learner and an instructor rely on:

* the URL (with its token) serves JupyterLab on the start notebook, and the notebook is there;
* the API refuses a request without the token (403);
* the server listens on 127.0.0.1 only;
* the environment is not reinstalled when it already exists (no ``pip install`` in the output);
* the course settings that silence JupyterLab's news prompt are in place.

The server is stopped by its own process id, read from the runtime file Jupyter writes.
As root, removing the ``--allow-root`` handling of ``tools/start_lab.sh`` makes this test fail
(Jupyter refuses to start); as another user that handling is not exercised.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tools import lab_probe

pytestmark = pytest.mark.slow


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _listening_addresses(pid: int) -> set[str]:
    import psutil

    conns = psutil.Process(pid).net_connections(kind="inet")
    return {c.laddr.ip for c in conns if c.status == psutil.CONN_LISTEN}


LAUNCHERS = {
    "make lab": None,
    # Windows has no make: the same launcher, called directly, on every platform
    "python -m clipq_edu lab": [str(lab_probe.ROOT / ".venv" / "bin" / "python"), "-m",
                                "clipq_edu", "lab"],
}


@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_make_lab_starts_the_course(tmp_path: Path, launcher: str) -> None:
    if not (lab_probe.ROOT / ".venv" / ".runtime-installed").exists():
        pytest.skip("run through `make test`, which installs .venv first")
    port = lab_probe.free_port()
    run = lab_probe.start(port, tmp_path / "runtime", LAUNCHERS[launcher])
    try:
        try:
            lab_probe.wait_for_url(run)
        except (RuntimeError, TimeoutError) as err:
            pytest.fail(str(err))
        assert run.port == port, f"asked for port {port}, the server says {run.port}"
        assert "pip install" not in run.text, "a second `make lab` must not reinstall anything"
        if os.geteuid() == 0:
            assert "--allow-root" in run.text, "as root, make lab must say why it adds --allow-root"

        status, page = _get(run.url)
        assert status == 200, f"the printed URL answered {status}"
        assert b"JupyterLab" in page
        api = f"http://127.0.0.1:{port}/api/contents/{lab_probe.START}"
        status, body = _get(api, run.token)
        assert status == 200 and json.loads(body)["type"] == "notebook"
        status, _ = _get(api)
        assert status == 403, f"the API answered {status} without the token (403 expected)"

        addresses = _listening_addresses(run.server["pid"])
        assert addresses == {"127.0.0.1"}, f"the server listens on {addresses}, not 127.0.0.1 only"

        overrides = lab_probe.ROOT / ".venv/share/jupyter/lab/settings/overrides.json"
        prefs = json.loads(overrides.read_text())
        assert prefs["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
        print(f"make lab: URL printed after {run.seconds_to_url:.1f} s (environment installed)")
    finally:
        lab_probe.stop(run)
