"""The shipped CJK font (issue 29): Chinese figure text renders on a machine with no CJK font."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402

from clipq_edu import _fonts  # noqa: E402
from clipq_edu.i18n import language  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import font_subset  # noqa: E402


def test_the_font_holds_every_cjk_character_the_course_uses():
    lacking = font_subset.missing()
    assert not lacking, (f"{len(lacking)} characters missing from the shipped font: "
                         f"{''.join(lacking)}; run python tools/font_subset.py")


def test_the_font_is_renamed_licensed_and_small():
    names = TTFont(str(_fonts.FONT_PATH))["name"]
    assert names.getDebugName(1) == _fonts.FAMILY
    assert "Open Font License" in names.getDebugName(13)
    assert "SIL OPEN FONT LICENSE Version 1.1" in (_fonts.FONT_PATH.parent / "OFL.txt").read_text()
    assert _fonts.FONT_PATH.stat().st_size < 2_000_000


def test_chinese_figure_text_draws_with_the_shipped_font_only():
    """matplotlib finds every glyph (no 'Glyph ... missing' warning) and takes the Chinese
    characters from the shipped file, not from a system font."""
    with language("zh"):
        assert _fonts.use_cjk_font()
        fig, ax = plt.subplots()
        ax.set_title("梯度裁剪：方向转过了 26.6°")
        ax.set_xlabel("训练步数")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.canvas.draw()
        plt.close(fig)
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=_fonts.FAMILY),
                                 fallback_to_default=False)
    assert Path(path) == _fonts.FONT_PATH


def test_english_figures_keep_dejavu_sans():
    _fonts.use_cjk_font()
    from matplotlib import font_manager

    first = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert Path(first).name == "DejaVuSans.ttf"
    assert matplotlib.rcParams["font.family"][-1] == _fonts.FAMILY


def test_the_font_is_installed_with_the_package(tmp_path):
    """A wheel of the project (built offline, no build isolation, from a copy so that the
    checkout gains no build/ folder) carries the font and its licence."""
    import shutil

    src = tmp_path / "src"
    shutil.copytree(ROOT / "clipq_edu", src / "clipq_edu",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(tmp_path), str(src)], check=True,
                   capture_output=True, text=True)
    import zipfile

    (wheel,) = tmp_path.glob("clipq_edu-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "clipq_edu/fonts/ClipqCJKSans-Regular.otf" in names
    assert "clipq_edu/fonts/OFL.txt" in names
