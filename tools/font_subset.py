"""Build the CJK font the course ships for Chinese figure text (maintainers; run once).

Matplotlib draws text with its own fonts, and most machines (Binder, a fresh laptop, CI) have no
font with Chinese glyphs, so Chinese titles and labels would come out as empty boxes. The course
therefore ships a small subset of Noto Sans CJK SC (SIL Open Font License 1.1) inside the
package, ``clipq_edu/fonts/``, which :mod:`clipq_edu._fonts` registers with matplotlib as a
fallback behind DejaVu Sans (Latin text keeps its look).

The subset holds the 3,755 level-1 characters of GB 2312 (the common characters of modern
Chinese), every other CJK character that appears anywhere in the library's texts or the
translation catalog, and CJK punctuation and full-width forms. Latin, Greek and mathematical
symbols stay with DejaVu Sans, which matplotlib ships.

Usage (needs the Debian package ``fonts-noto-cjk``, which ``make test`` installs)::

    python tools/font_subset.py            # write clipq_edu/fonts/ClipqCJKSans-Regular.otf
    python tools/font_subset.py --check    # exit 1 if a character the course uses is missing

The subset is renamed ("Clipq CJK Sans"), as the licence asks of a modified font.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
#: Index of "Noto Sans CJK SC" in the Debian collection.
SOURCE_INDEX = 2
sys.path.insert(0, str(ROOT))
from clipq_edu._fonts import FAMILY, FONT_PATH  # noqa: E402

_CJK_TEXT = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def gb2312_level1() -> set[str]:
    """The 3,755 level-1 hanzi of GB 2312 (rows 16-55), decoded from their byte codes."""
    chars = set()
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                pass  # row 55 ends early
    return chars


def course_characters() -> set[str]:
    """Every CJK character in the library, the translation catalog and the zh notebooks."""
    found: set[str] = set()
    sources = [*(ROOT / "clipq_edu").rglob("*.py"), *(ROOT / "translations").rglob("*.md")]
    for path in sources:
        found.update(_CJK_TEXT.findall(path.read_text(encoding="utf-8")))
    return found


def wanted() -> set[str]:
    """The characters the subset must hold."""
    punctuation = {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF01, 0xFF5F)}
    return gb2312_level1() | course_characters() | punctuation


def build(out: Path) -> None:
    """Write the renamed subset of Noto Sans CJK SC to ``out``."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    font = TTCollection(str(SOURCE)).fonts[SOURCE_INDEX]
    cmap = font.getBestCmap()
    chars = sorted(c for c in wanted() if ord(c) in cmap)
    options = subset.Options()
    options.layout_features = []  # matplotlib uses none; vertical forms etc. are not needed
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    names = font["name"]
    postscript = FAMILY.replace(" ", "") + "-Regular"
    for record in list(names.names):
        if record.nameID in (1, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (3, 4):
            names.setName(f"{FAMILY} Regular" if record.nameID == 4 else postscript,
                          record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName(postscript, 6, record.platformID, record.platEncID, record.langID)
    names.names = [r for r in names.names if r.nameID not in (16, 17)]
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        for key in ("FullName", "FamilyName"):
            if hasattr(top, key):
                setattr(top, key, FAMILY)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    print(f"{out.relative_to(ROOT)}: {len(chars)} characters, {out.stat().st_size / 1e6:.2f} MB")


def missing(path: Path = FONT_PATH) -> list[str]:
    """Course characters the shipped subset lacks (empty when the font is complete)."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(path)).getBestCmap()
    return sorted(c for c in course_characters() if ord(c) not in cmap)


def main(argv: list[str] | None = None) -> int:
    """Build the subset, or with ``--check`` list the course characters it lacks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report missing characters")
    args = parser.parse_args(argv)
    if args.check:
        lacking = missing()
        if lacking:
            print(f"{len(lacking)} characters missing from {FONT_PATH.name}: {''.join(lacking)}\n"
                  "run python tools/font_subset.py (needs fonts-noto-cjk)")
            return 1
        print(f"{FONT_PATH.name} holds every CJK character the course uses")
        return 0
    if not SOURCE.exists():
        print(f"error: {SOURCE} not found: apt-get install fonts-noto-cjk", file=sys.stderr)
        return 1
    build(FONT_PATH)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
