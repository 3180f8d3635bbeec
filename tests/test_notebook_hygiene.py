"""Clean, reviewable notebooks: nbval markers are cell tags, notebooks are ruff clean, and the
marker converter (``tools/nbval_tags.py``) changes nothing but the markers."""

from __future__ import annotations

import copy
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

_spec = importlib.util.spec_from_file_location("nbval_tags", ROOT / "tools" / "nbval_tags.py")
nbval_tags = importlib.util.module_from_spec(_spec)
sys.modules["nbval_tags"] = nbval_tags
_spec.loader.exec_module(nbval_tags)


def _cell(src: str, tags: list[str] | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(src, metadata={"tags": tags} if tags else {})
    cell.execution_count = 7
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "42"},
                                           execution_count=7)]
    return cell


def _generated() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# NBVAL_IGNORE_OUTPUT in Markdown is just text"),
        _cell("# NBVAL_IGNORE_OUTPUT\nimport clipq_edu as cq\ncq.setup(seed=0)"),
        _cell("# NBVAL_SKIP\n\n# NBVAL_IGNORE_OUTPUT\n# a real comment\nx = 1", ["keep-me"]),
        _cell("y = 2  # NBVAL_SKIP is not a leading marker"),
        _cell("#NBVAL_RAISES_EXCEPTION\n1 / 0", ["nbval-raises-exception"]),
        _cell("# NBVAL_CHECK_OUTPUT"),
        _cell("z = 3\n    # NBVAL_SKIP\nz"),  # nbval reads marker lines anywhere in a cell
    ]
    return nb


def test_markers_become_tags_and_nothing_else_changes() -> None:
    nb = _generated()
    before = copy.deepcopy(nb)
    assert nbval_tags.convert_notebook(nb) == 5
    cells = nb.cells
    assert cells[0].source == before.cells[0].source
    assert cells[1].source == "import clipq_edu as cq\ncq.setup(seed=0)"
    assert cells[1].metadata["tags"] == ["nbval-ignore-output"]
    assert cells[2].source == "# a real comment\nx = 1"
    assert cells[2].metadata["tags"] == ["keep-me", "nbval-skip", "nbval-ignore-output"]
    assert cells[3] == before.cells[3]
    assert cells[4].source == "1 / 0" and cells[4].metadata["tags"] == ["nbval-raises-exception"]
    assert cells[5].source == "" and cells[5].metadata["tags"] == ["nbval-check-output"]
    assert cells[6].source == "z = 3\nz" and cells[6].metadata["tags"] == ["nbval-skip"]
    for new, old in zip(cells[1:], before.cells[1:], strict=True):
        assert new.outputs == old.outputs and new.execution_count == old.execution_count
    assert nbval_tags.leftover_markers(nb) == []
    nbformat.validate(nb)


def test_conversion_is_idempotent_and_in_place(tmp_path: Path) -> None:
    path = tmp_path / "n.ipynb"
    nbformat.write(_generated(), path)
    assert nbval_tags.main(["--check", str(path)]) == 1
    assert nbval_tags.convert_file(path) == 5
    once = path.read_bytes()
    assert nbval_tags.convert_file(path) == 0
    assert path.read_bytes() == once, "a second run must not rewrite the file"
    assert nbval_tags.main(["--check", str(path)]) == 0
    assert nbval_tags.main([str(path)]) == 0 and path.read_bytes() == once


def test_unknown_markers_are_an_error() -> None:
    with pytest.raises(ValueError, match="NBVAL_IGNORE_OUTPUTS"):
        nbval_tags.split_markers("# NBVAL_IGNORE_OUTPUTS\nx = 1")


@pytest.mark.skipif(not NOTEBOOKS, reason="notebooks/ holds no notebooks yet")
def test_converter_on_copies_of_the_course_notebooks(tmp_path: Path) -> None:
    """Only marker lines move: outputs, counts and every other line stay as they are."""
    for path in NOTEBOOKS:
        shutil.copy2(path, tmp_path / path.name)
        nbval_tags.convert_file(tmp_path / path.name)
        old = nbformat.read(path, as_version=4)
        new = nbformat.read(tmp_path / path.name, as_version=4)
        assert len(old.cells) == len(new.cells)
        for a, b in zip(old.cells, new.cells, strict=True):
            assert a.get("outputs") == b.get("outputs"), path.name
            assert a.get("execution_count") == b.get("execution_count"), path.name
            kept = [ln for ln in a.source.split("\n") if "NBVAL_" not in ln]
            assert [ln for ln in b.source.split("\n") if ln.strip()] == \
                [ln for ln in kept if ln.strip()], path.name
        assert nbval_tags.leftover_markers(new) == []


@pytest.mark.skipif(not NOTEBOOKS, reason="notebooks/ holds no notebooks yet")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_carry_no_nbval_comments(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    left = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "NBVAL_" in c.source]
    assert not left, (f"{path.name}: cells {left} carry '# NBVAL_' comments; run "
                      f"python tools/nbval_tags.py notebooks/*.ipynb (they become cell tags)")


@pytest.mark.skipif(not NOTEBOOKS, reason="notebooks/ holds no notebooks yet")
def test_notebooks_are_ruff_clean() -> None:
    """`make lint` checks notebooks too; this keeps them clean between lint runs."""
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                           "--output-format", "concise", "notebooks"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


def test_ruff_config_includes_notebooks() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    assert "notebooks" not in config.get("extend-exclude", [])
    assert "notebooks" not in config.get("exclude", [])
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check" in lint and "notebooks" in lint, lint


def test_textconv_shows_sources_tags_and_text_outputs(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("nb_textconv", ROOT / "tools" / "nb_textconv.py")
    textconv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(textconv)
    nb = _generated()
    nb.cells[1].outputs.append(nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBORw0KGgo" * 50, "text/plain": "<Figure>"}))
    nbval_tags.convert_notebook(nb)
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    text = textconv.render(nbformat.reader.reads(path.read_text(encoding="utf-8")))
    assert "# [2] code  tags: nbval-ignore-output\nimport clipq_edu as cq" in text
    assert "#   42" in text and "#   <Figure>" in text
    assert "<image/png, 550 characters>" in text and "iVBORw0KGgo" not in text
    assert '"execution_count"' not in text
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "nb_textconv.py"), str(path)],
                          capture_output=True, text=True, check=True)
    assert proc.stdout == text


def test_gitattributes_route_notebooks_to_the_textconv_driver() -> None:
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8")
    assert "*.ipynb diff=ipynb" in attributes
    assert "diff.ipynb.textconv" in (ROOT / "docs" / "maintainers.md").read_text(encoding="utf-8")


_ALL_NOTEBOOKS = [*NOTEBOOKS, *sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))]


@pytest.mark.parametrize("path", _ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_stored_figures_are_not_blank(path: Path) -> None:
    """Every stored PNG shows something: a fully transparent or single-colour image means the
    figure was lost while it was saved (nbval does not compare images)."""
    import base64
    import io
    import json

    import numpy as np
    from PIL import Image

    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png is None:
                continue
            pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(png))).convert("RGBA"))
            visible = pixels[pixels[..., 3] > 0][:, :3]
            assert visible.size and np.ptp(visible) > 50, f"{path.name}: cell {i}'s figure is blank"
