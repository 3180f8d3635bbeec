"""Write the small Chinese font the course site ships (``static/fonts/clipq-cjk-sc.woff``).

A reader whose computer has no CJK font would see the chapters' Chinese titles as empty
boxes. The site therefore carries a subset of Noto Sans CJK SC (SIL Open Font License 1.1,
see ``static/fonts/OFL.txt``): the 3,755 common characters of GB 2312 level 1 (nearly all of
everyday written Chinese), every other character the course uses, CJK punctuation and
full-width forms; about 1.2 MB instead of 16 MB, and a browser loads it only when no system
CJK font comes first in the stylesheet's list.

Run this when ``make book`` warns that the course uses characters the font lacks (they still
show wherever the reader has a CJK font)::

    apt-get install fonts-noto-cjk      # or any copy of NotoSansCJK-Regular.ttc / ...SC-Regular.otf
    .venv/bin/python tools/site/subset_cjk_font.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = HERE / "static" / "fonts" / "clipq-cjk-sc.woff"
FAMILY = "clipq CJK SC"


def _gb2312_level1() -> list[int]:
    """The 3,755 most common Chinese characters (GB 2312 level 1, rows 16-55)."""
    chars = []
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(ord(bytes([row, cell]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


#: CJK symbols and punctuation, full-width forms and the common characters: always included.
ALWAYS = [*range(0x3000, 0x3040), *range(0xFF01, 0xFF5F), *_gb2312_level1()]


def course_characters(root: Path = ROOT) -> set[str]:
    """Every Han character in the notebooks (both editions), docs and READMEs."""
    sys.path.insert(0, str(root / "tools"))
    try:
        import build_site
    finally:
        sys.path.pop(0)
    text = "".join(p.read_text(encoding="utf-8") for p in [
        *sorted((root / "notebooks").glob("*.ipynb")), *sorted((root / "notebooks/zh").glob("*.ipynb")),
        *sorted((root / "docs").glob("*.md")), root / "README.md", root / "README.zh.md"]
        if p.is_file())
    return {ch for run in build_site._CJK.findall(text) for ch in run if ord(ch) >= 0x3400}


def _open_sc(path: Path) -> TTFont:
    if path.suffix.lower() == ".ttc":
        for font in TTCollection(str(path)).fonts:
            if font["name"].getDebugName(1) == "Noto Sans CJK SC":
                return font
        raise SystemExit(f"{path} holds no 'Noto Sans CJK SC' face")
    return TTFont(str(path))


def write_subset(source: Path, out: Path = OUT) -> int:
    """Subset ``source`` to the course's and the common characters; returns the course's count."""
    font = _open_sc(source)
    chars = sorted(course_characters())
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = [0, 13, 14]  # copyright and licence; the names are set below
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[*ALWAYS, *map(ord, chars)])
    subsetter.subset(font)
    names = font["name"]
    for name_id, value in ((1, FAMILY), (2, "Regular"), (4, FAMILY),
                           (6, FAMILY.replace(" ", "") + "-Regular")):
        names.setName(value, name_id, 3, 1, 0x409)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff"
    font.save(str(out))
    return len(chars)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="NotoSansCJK-Regular.ttc or NotoSansCJKsc-Regular.otf")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    n = write_subset(args.source, args.out)
    print(f"{args.out}: {n} characters, {args.out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
