"""pytest hooks shared by the unit tests and the notebook (nbval) tests."""

from __future__ import annotations

import os

# Before anything imports TensorFlow (see clipq_edu/_env.py).
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The test process draws off-screen; notebook kernels started by nbval inherit this
# environment and must keep IPython's inline backend, so MPLBACKEND is removed, not set.
os.environ.pop("MPLBACKEND", None)

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import clipq_edu  # noqa: E402,F401  (imported before the next line: the test process itself is not watched)

# Notebook kernels started by nbval report overlapping text in every figure they draw
# (clipq_edu/_figcheck.py); the report lands in the cell output and fails the comparison.
os.environ["CLIPQ_EDU_CHECK_FIGURES"] = "1"


#: The Chinese chapters nbval runs: one that loads TensorFlow (02: Keras' clipping options) and
#: one that does not (01). The others are proven identical in code by tests/test_zh_edition.py
#: (their outputs come from the same executed code, in Chinese).
ZH_NBVAL = ("01_background.ipynb", "02_core_concepts.ipynb")


def pytest_ignore_collect(collection_path, config):
    """Skip the Chinese notebooks that nbval does not run (see ZH_NBVAL)."""
    path = collection_path
    if path.suffix == ".ipynb" and path.parent.name == "zh" and path.parent.parent.name == "notebooks":
        return path.name not in ZH_NBVAL or None
    return None


def pytest_collectstart(collector):
    """Do not compare stderr in notebooks: TensorFlow's C++ log lines vary by CPU and by
    whether ipykernel captures file-descriptor output (it does not under pytest)."""
    if hasattr(collector, "skip_compare"):
        collector.skip_compare = (*collector.skip_compare, "stderr")


# ---------------------------------------------------------------------------------------------
# Offline guard: the course must never reach the network at run time. Any connection from the
# test process to an address outside the loopback range fails the test that made it.
# (Kernels and subprocesses are separate processes; tests/test_reliability.py runs a notebook
# kernel path under the same guard through sitecustomize.)
# ---------------------------------------------------------------------------------------------
import ipaddress  # noqa: E402
import socket  # noqa: E402

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkAccessError(RuntimeError):
    """Raised when code under test tries to open a non-loopback network connection."""


def _is_local(address) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost", "", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: would need DNS, i.e. the network


def _guarded_connect(self, address):
    if not _is_local(address):
        raise NetworkAccessError(f"network access attempted during tests: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_local(address):
        raise NetworkAccessError(f"network access attempted during tests: {address!r}")
    return _real_connect_ex(self, address)


_real_getaddrinfo = socket.getaddrinfo


def _guarded_getaddrinfo(host, *args, **kwargs):
    """A name lookup is the first step of a network call: refuse any name but loopback's."""
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and not _is_local((name,)) and name != socket.gethostname():
        raise NetworkAccessError(f"network access attempted during tests: lookup of {name!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex
socket.getaddrinfo = _guarded_getaddrinfo

# Subprocesses (pip, uv, make, kernels) cannot be patched: keep the package tools off the index
# instead, so a test that would install from it fails loudly rather than passing on a good day.
# The tests that install packages use the folder of wheels `make test` fetched (--find-links).
os.environ["PIP_NO_INDEX"] = "1"
os.environ["UV_OFFLINE"] = "1"
