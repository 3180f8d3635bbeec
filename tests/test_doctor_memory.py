"""The doctor's memory check reads the whole container (cgroup v2, v1 fallback), not itself.

Fake cgroup trees in a temporary folder stand in for ``/sys/fs/cgroup``: a Binder-like pod
with a 2 GB limit where other kernels already use most of it must fail the check even though
this process is small.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clipq_edu import doctor

GB = 10**9
HOST = 20 * GB  # the machine itself has plenty: only the cgroup can make the check fail


def _write(folder: Path, **files: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(text, encoding="ascii")


def _proc(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "proc_self_cgroup"
    path.write_text(text, encoding="ascii")
    return path


def test_cgroup_v2_counts_the_whole_container(tmp_path: Path) -> None:
    root = tmp_path / "v2"
    _write(root, memory__current=str(int(1.5 * GB)), memory__max=str(2 * GB),
           memory__stat="anon 1400000000\ninactive_file 100000000\nactive_file 0\n")
    proc = _proc(tmp_path, "0::/\n")
    group = doctor.cgroup_memory(root, proc)
    assert group is not None and group.version == 2
    assert (group.used, group.limit, group.free) == (int(1.4 * GB), 2 * GB, int(0.6 * GB))
    check = doctor.check_memory(root, proc, host_available=HOST)
    assert not check.ok, check.line()
    assert "0.6 GB available" in check.detail and "cgroup v2" in check.detail
    assert "Shut Down" in check.fix


def test_cgroup_v2_with_room_passes_and_max_means_unlimited(tmp_path: Path) -> None:
    root = tmp_path / "v2"
    _write(root, memory__current=str(int(0.5 * GB)), memory__max=str(2 * GB))
    proc = _proc(tmp_path, "0::/\n")
    assert doctor.check_memory(root, proc, host_available=HOST).ok
    (root / "memory.max").write_text("max\n", encoding="ascii")
    group = doctor.cgroup_memory(root, proc)
    assert group.limit is None and group.free is None
    assert doctor.check_memory(root, proc, host_available=HOST).ok
    # Without a cgroup limit the machine's own available memory still decides.
    assert not doctor.check_memory(root, proc, host_available=int(0.5 * GB)).ok


def test_cgroup_v2_prefers_this_process_own_group(tmp_path: Path) -> None:
    root = tmp_path / "v2"
    _write(root, memory__current=str(GB), memory__max="max")
    _write(root / "user" / "jovyan", memory__current=str(int(1.9 * GB)),
           memory__max=str(2 * GB))
    proc = _proc(tmp_path, "0::/user/jovyan\n")
    group = doctor.cgroup_memory(root, proc)
    assert group.path == root / "user" / "jovyan" and group.free == int(0.1 * GB)
    assert not doctor.check_memory(root, proc, host_available=HOST).ok


def test_cgroup_v1_fallback(tmp_path: Path) -> None:
    root = tmp_path / "v1"
    mem = root / "memory"
    _write(mem, memory__usage_in_bytes=str(int(1.2 * GB)),
           memory__limit_in_bytes=str(int(2.5 * GB)),
           memory__stat="cache 300000000\ninactive_file 5\ntotal_inactive_file 200000000\n")
    proc = _proc(tmp_path, "4:memory:/\n0::/\n")
    group = doctor.cgroup_memory(root, proc)
    assert group is not None and group.version == 1
    assert (group.used, group.limit) == (int(1.0 * GB), int(2.5 * GB))  # total_inactive_file
    assert doctor.check_memory(root, proc, host_available=HOST).ok  # 1.5 GB free
    (mem / "memory.usage_in_bytes").write_text(str(int(1.8 * GB)), encoding="ascii")
    check = doctor.check_memory(root, proc, host_available=HOST)
    assert not check.ok and "cgroup v1" in check.detail


def test_cgroup_v1_unlimited_is_a_huge_number(tmp_path: Path) -> None:
    root = tmp_path / "v1"
    _write(root / "memory", memory__usage_in_bytes=str(5 * GB),
           memory__limit_in_bytes="9223372036854771712")
    group = doctor.cgroup_memory(root, _proc(tmp_path, "4:memory:/docker/abc\n"))
    assert group.limit is None and group.version == 1
    assert doctor.check_memory(root, tmp_path / "missing", host_available=HOST).ok


def test_no_cgroup_files_falls_back_to_the_machine(tmp_path: Path) -> None:
    assert doctor.cgroup_memory(tmp_path / "nothing", tmp_path / "missing") is None
    check = doctor.check_memory(tmp_path / "nothing", tmp_path / "missing", host_available=HOST)
    assert check.ok and "on this machine" in check.detail
    assert not doctor.check_memory(tmp_path / "nothing", tmp_path / "missing",
                                   host_available=doctor.MIN_FREE_BYTES - 1).ok


@pytest.mark.parametrize("text", ["", "garbage\n", "12 13\n"])
def test_unreadable_values_are_skipped(tmp_path: Path, text: str) -> None:
    root = tmp_path / "v2"
    _write(root, memory__current=text, memory__max=str(2 * GB))
    assert doctor.cgroup_memory(root, _proc(tmp_path, "0::/\n")) is None


def test_threshold_is_the_measured_chapter_peak() -> None:
    """1.1 GB: the largest peak kernel RSS in benchmarks/RESULTS.md (03b), rounded."""
    assert doctor.MIN_FREE_BYTES == int(1.1e9)
    results = Path(__file__).resolve().parents[1] / "benchmarks" / "RESULTS.md"
    if results.is_file():
        text = results.read_text(encoding="utf-8")
        assert "peak kernel RSS" in text
