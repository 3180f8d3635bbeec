"""The CJK font for Chinese figure text, shipped with the package.

Matplotlib's own font (DejaVu Sans) has no Chinese glyphs, and most machines the course runs on
(Binder, CI, a fresh laptop) have no system font that does. ``clipq_edu/fonts/`` therefore holds
a subset of Noto Sans CJK SC (SIL Open Font License 1.1; built by ``tools/font_subset.py``),
registered here as a *fallback* family (the last entry of ``font.family``): DejaVu Sans still draws Latin letters, digits and
mathematical symbols, and matplotlib takes each Chinese character from the fallback. English
figures are unchanged.

:func:`use_cjk_font` is idempotent and cheap after the first call; the library calls it when it
draws a figure, and ``clipq_edu.set_language("zh")`` calls it so that a learner's own plots can
use Chinese labels too.
"""

from __future__ import annotations

from pathlib import Path

#: The family name of the shipped subset (renamed from Noto Sans CJK SC, as the licence asks).
FAMILY = "Clipq CJK Sans"
#: The font file inside the package.
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "ClipqCJKSans-Regular.otf"
_registered = False


def use_cjk_font() -> bool:
    """Register the shipped CJK font with matplotlib as the fallback behind DejaVu Sans.

    Returns True when the font is in place (False when the file is missing, e.g. in a stripped
    install; figures then still draw, with boxes instead of Chinese characters).

    >>> use_cjk_font()
    True
    >>> import matplotlib
    >>> matplotlib.rcParams["font.family"][-1]
    'Clipq CJK Sans'
    """
    global _registered
    if _registered:
        return True
    if not FONT_PATH.exists():
        return False
    import matplotlib
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(FONT_PATH))
    # A generic family ("sans-serif") resolves to one font, so the fallback must be a family
    # of its own in font.family: matplotlib then takes each glyph from the first font that has it.
    families = [f for f in matplotlib.rcParams["font.family"] if f != FAMILY]
    matplotlib.rcParams["font.family"] = [*families, FAMILY]
    _registered = True
    return True
