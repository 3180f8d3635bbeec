"""The pinned stack and the Binder files agree with each other and with the package.

Fast checks on files only (no install): every pin in ``binder/requirements.txt`` matches
``requirements.txt``, every line is an exact ``==`` pin, Binder's file has no local references
that would break repo2docker's layer cache, the Binder scripts are executable and shaped the
way repo2docker needs, and the package version is stated once.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest

import clipq_edu

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"

# A PEP 508 name followed by an exact pin; environment markers are not used in this project.
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.+!_-]+)$")


def _canonical(name: str) -> str:
    """PEP 503 normalised project name: tf_keras, tf-keras and TF.Keras are one project."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def _pins(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in _requirement_lines(path):
        if line.startswith("-"):
            continue  # options such as -r are checked separately
        match = PIN.match(line)
        assert match, f"{path.name}: {line!r} is not an exact 'name==version' pin"
        name = _canonical(match["name"])
        assert name not in pins, f"{path.name}: {match['name']} is pinned twice"
        pins[name] = match["version"]
    return pins


def test_pin_parser_normalises_names() -> None:
    assert _canonical("tf_keras") == _canonical("TF-Keras") == "tf-keras"
    assert PIN.match("numpy==2.0.2")["version"] == "2.0.2"
    assert PIN.match("numpy>=2") is None
    assert PIN.match("-e .") is None


@pytest.mark.parametrize("name", ["requirements.txt", "binder/requirements.txt"])
def test_every_line_is_an_exact_pin(name: str) -> None:
    path = ROOT / name
    pins = _pins(path)
    assert len(pins) > 20, f"{name} looks truncated: {len(pins)} pins"


def test_binder_requirements_have_no_local_references() -> None:
    for line in _requirement_lines(BINDER / "requirements.txt"):
        assert not line.startswith(("-e", "-r", "-c", "--editable", "--requirement")), (
            f"binder/requirements.txt: {line!r}; keep local references out of this file "
            "(postBuild installs the package) so repo2docker can cache the heavy layer"
        )
        assert not line.startswith((".", "/", "file:", "git+")), line


def test_binder_and_local_pins_agree() -> None:
    local = _pins(ROOT / "requirements.txt")
    binder = _pins(BINDER / "requirements.txt")
    shared = sorted(set(local) & set(binder))
    mismatched = {n: (local[n], binder[n]) for n in shared if local[n] != binder[n]}
    assert not mismatched, f"requirements.txt vs binder/requirements.txt differ: {mismatched}"


def test_the_stack_the_course_needs_is_pinned_in_both() -> None:
    """The course's engine is held exactly where requirements.in says (read from it, not
    repeated here: a test that restates versions breaks on every `make lock`)."""
    top = {_canonical(r.name): r for r in _top_level()}
    for name in ("tensorflow", "tensorflow-quantum", "tf-keras", "cirq-core", "cirq-google"):
        assert name in top and str(top[name].specifier).startswith("=="), (
            f"requirements.in must hold {name} at an exact version, has {top.get(name)}")
    for path in (ROOT / "requirements.txt", BINDER / "requirements.txt"):
        pins = _pins(path)
        for name in ("ipywidgets", "jupyterlab", "matplotlib", "scikit-learn", "tqdm",
                     "nbconvert", "numpy"):
            assert name in pins, f"{path.name}: {name} is not pinned"
        assert pins["tf-keras"].split(".")[:2] == pins["tensorflow"].split(".")[:2], (
            "tf-keras must match tensorflow's minor version", pins["tf-keras"],
            pins["tensorflow"])


def test_binder_runtime_is_python_311() -> None:
    assert (BINDER / "runtime.txt").read_text(encoding="ascii").strip() == "python-3.11"


@pytest.mark.parametrize("script", ["postBuild", "start"])
def test_binder_scripts_are_executable_bash_with_strict_mode(script: str) -> None:
    path = BINDER / script
    assert path.is_file(), f"binder/{script} is missing"
    assert os.access(path, os.X_OK), f"binder/{script} is not executable (chmod +x)"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n") or text.startswith("#!/bin/bash\n")
    assert "\r" not in text, f"binder/{script} has CRLF line endings"


def test_postbuild_installs_the_package_and_stops_on_error() -> None:
    text = (BINDER / "postBuild").read_text(encoding="utf-8")
    code = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    assert code[0].startswith("set -e"), "postBuild must start with set -e (or set -euo pipefail)"
    assert any(re.search(r"pip install .*--no-deps.*(\s\.|-e \.)\s*$", ln) for ln in code), (
        "postBuild must pip install the package (--no-deps: the pins are already installed)"
    )


def test_start_sets_the_tf_environment_and_execs_the_command() -> None:
    text = (BINDER / "start").read_text(encoding="utf-8")
    code = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    assert code[-1] == 'exec "$@"', f'binder/start must end with exec "$@", ends with {code[-1]!r}'
    assert "export TF_USE_LEGACY_KERAS=1" in code
    assert "export TF_CPP_MIN_LOG_LEVEL=3" in code
    assert any(ln.startswith("export TF_NUM_INTRAOP_THREADS=") for ln in code)


def test_package_version_is_stated_once() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["version"] == clipq_edu.__version__
    # 3.11.5: the pinned stacks' floor; up to 3.13: the TFQ-free stack (TensorFlow 2.21)
    assert meta["project"]["requires-python"] == ">=3.11.5,<3.14"
    from clipq_edu import _preflight

    assert _preflight.MIN_PYTHON == (3, 11, 5) and _preflight.MAX_LITE == (3, 13)
    classifiers = meta["project"]["classifiers"]
    for minor in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {minor}" in classifiers


def _anchors(markdown: str) -> set[str]:
    """Explicit ``<a id="...">`` anchors plus GitHub's slugs of the headings."""
    ids = set(re.findall(r'<a id="([^"]+)"', markdown))
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*$", markdown, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).strip().replace(" ", "-")
        ids.add(slug)
    return ids


def test_troubleshooting_links_resolve() -> None:
    """Every 'troubleshooting.md#anchor' in the package, README and docs exists, and the page
    covers the errors a learner meets."""
    page = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    anchors = _anchors(page)
    required = {"keras-3", "from-versions-none", "kernel-killed", "nbval-unrun-reference-cell",
                "tf-log-noise", "shots-vary", "no-network"}
    assert required <= anchors, f"missing sections: {sorted(required - anchors)}"
    sources = [*(ROOT / "clipq_edu").rglob("*.py"), *(ROOT / "docs").glob("*.md")]
    sources += [p for p in (ROOT / "README.md",) if p.exists()]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for anchor in re.findall(r"troubleshooting\.md#([\w-]+)", text):
            assert anchor in anchors, f"{path.relative_to(ROOT)} links to #{anchor}"
    for anchor in re.findall(r"\]\(#([\w-]+)\)", page):  # the page's own table of contents
        assert anchor in anchors, f"troubleshooting.md links to missing #{anchor}"
    assert "Only input tensors may be passed as positional arguments" in page
    assert "from versions: none" in page and "Unrun reference cell has outputs" in page


# ---------------------------------------------------------------- make lock
def _load_tool(name: str):
    import importlib

    return importlib.import_module(f"tools.{name}")


def _top_level() -> list:
    from packaging.requirements import Requirement

    return [Requirement(line) for line in _requirement_lines(ROOT / "requirements.in")]


def test_lock_pins_every_top_level_requirement() -> None:
    """Every direct dependency in requirements.in is pinned, at a version it allows."""
    top = _top_level()
    assert len(top) >= 15, f"requirements.in looks truncated: {len(top)} lines"
    for path in (ROOT / "requirements.txt", BINDER / "requirements.txt"):
        pins = _pins(path)
        for req in top:
            name = _canonical(req.name)
            assert name in pins, f"{path.name}: {req.name} from requirements.in is not pinned"
            assert req.specifier.contains(pins[name], prereleases=True), (
                f"{path.name}: {req.name}=={pins[name]} violates requirements.in's '{req}'"
            )


def test_package_dependencies_are_in_the_top_level_list() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    from packaging.requirements import Requirement

    top = {_canonical(r.name) for r in _top_level()}
    for dep in meta["project"]["dependencies"]:
        assert _canonical(Requirement(dep).name) in top, f"{dep} missing from requirements.in"


def test_lock_files_are_make_lock_output() -> None:
    """Same pins in the same (sorted, normalised) order under the generated headers, so a
    `make lock` on an unchanged requirements.in rewrites nothing."""
    lock = _load_tool("lock")
    bodies = []
    for path in lock.LOCKS:
        text = path.read_text(encoding="utf-8")
        header = lock.HEADERS[path.relative_to(ROOT).as_posix()]
        assert text.startswith(header), f"{path.name}: header not written by make lock"
        bodies.append(text[len(header):])
    assert bodies[0] == bodies[1], "requirements.txt and binder/requirements.txt differ"
    names = [line.split("==")[0] for line in bodies[0].splitlines()]
    assert names == sorted(names) and all(n == _canonical(n) for n in names)
    assert not {"pip", "setuptools", "wheel"} & set(names)
    assert "--exclude-newer" in lock.uv_command() and lock.LOCK_DATE in lock.uv_command()


def test_test_tools_carry_uv_and_no_unused_authoring_tools() -> None:
    pins = _pins(ROOT / "requirements-test.txt")
    assert "uv" in pins, "make lock needs uv"
    assert "jupytext" not in pins, "jupytext is unused: keep it out of the pins"
    runtime = _pins(ROOT / "requirements.txt")
    doubled = {n for n in pins if n in runtime}
    assert not doubled, f"pinned in both requirements.txt and requirements-test.txt: {doubled}"


def test_lock_check_names_every_pin_that_would_move(monkeypatch, capsys) -> None:
    """`make lock-check` (maintainers; reads the live index, so never run by the suite): with
    the resolver replaced by a stand-in, it reports each moved, new and dropped pin and exits
    1, and exits 0 when nothing moved."""
    lock = _load_tool("lock")
    committed = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    bodies = {stack: stack.outputs[0].read_text(encoding="utf-8")[
        len(lock.HEADERS[stack.outputs[0].relative_to(ROOT).as_posix()]):]
        for stack in lock.STACKS}
    monkeypatch.setattr(lock, "resolve", lambda stack=lock.MAIN: bodies[stack])
    assert lock.main(["--check"]) == 0
    assert "unchanged" in capsys.readouterr().out
    moved = dict(bodies)
    moved[lock.MAIN] = bodies[lock.MAIN].replace("ml-dtypes==0.6.0", "ml-dtypes==0.7.0").replace(
        "\nsix==", "\nzzz==1\nsix==")
    monkeypatch.setattr(lock, "resolve", lambda stack=lock.MAIN: moved[stack])
    assert lock.main(["--check"]) == 1
    out = capsys.readouterr().out
    assert "ml-dtypes: 0.6.0 -> 0.7.0" in out and "zzz: (new) -> 1" in out, out
    assert "requirements.txt differs" in out and "binder/requirements.txt differs" in out
    assert "hold the old version in requirements.in" in out
    assert (ROOT / "requirements.txt").read_text(encoding="utf-8") == committed, "--check wrote"


def _marker_pins(path: Path) -> list[tuple[str, str, str]]:
    """(name, version, marker) of each line of a universal lock (marker '' when none)."""
    rows = []
    for line in _requirement_lines(path):
        req, _, marker = line.partition(";")
        name, _, version = req.strip().partition("==")
        assert version, f"{path.name}: {line!r} is not an exact pin"
        rows.append((_canonical(name), version.strip(), marker.strip()))
    return rows


def test_lite_lock_covers_every_platform_without_tfq() -> None:
    """The TFQ-free lock (make lock, uv's universal mode): generated header, markers for
    macOS and Windows, no TensorFlow Quantum, every name of requirements-lite.in pinned at a
    version its constraint allows (under every marker), the same Cirq as the main stack."""
    from packaging.requirements import Requirement

    lock = _load_tool("lock")
    path = ROOT / "requirements-lite.txt"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(lock.HEADERS["requirements-lite.txt"]), "header not written by make lock"
    rows = _marker_pins(path)
    markers = " ".join(m for _, _, m in rows)
    assert "sys_platform == 'darwin'" in markers and "sys_platform == 'win32'" in markers
    names = {n for n, _, _ in rows}
    assert "tensorflow-quantum" not in names and "cirq-google" not in names
    for line in _requirement_lines(ROOT / "requirements-lite.in"):
        req = Requirement(line)
        versions = [v for n, v, _ in rows if n == _canonical(req.name)]
        assert versions, f"requirements-lite.txt: {req.name} is not pinned"
        for version in versions:
            assert req.specifier.contains(version, prereleases=True), (req, version)
    main = _pins(ROOT / "requirements.txt")
    lite = {n: v for n, v, m in rows if not m}
    assert lite["cirq-core"] == main["cirq-core"] and lite["sympy"] == main["sympy"]
    assert lite["tf-keras"].split(".")[:2] == lite["tensorflow"].split(".")[:2]
    targets = {platform for _, platform, _ in lock.LITE_TARGETS}
    assert {"aarch64-apple-darwin", "x86_64-pc-windows-msvc"} <= targets
    assert {py for _, _, py in lock.LITE_TARGETS} >= {"3.12", "3.13"}


def test_lock_check_is_a_maintainer_target_outside_make_test() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    rule = re.search(r"^lock-check:.*\n\t(.*)", makefile, re.M)
    assert rule and "tools/lock.py --check" in rule[1], "make lock-check must run lock.py --check"
    test_rule = re.search(r"^test:.*?(?=\n\S|\n\n)", makefile, re.M | re.S)[0]
    assert "lock" not in test_rule, test_rule
    assert "make lock-check" in (ROOT / "docs" / "maintainers.md").read_text(encoding="utf-8")
