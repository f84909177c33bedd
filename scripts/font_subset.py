#!/usr/bin/python3
"""Cuts the CJK font the portal ships out of a TrueType collection.

Keeps GB2312 (every 2-byte code 0xA1A1..0xF7FE that the gb2312 codec decodes),
ASCII, Latin-1, general punctuation, CJK symbols and punctuation, fullwidth forms
and every non-ASCII character of the client's UI catalogue. Drops hinting and the
layout tables stb_truetype does not read, and writes a plain glyf TrueType font.

Run it with Debian's python (it has python3-fonttools):
  /usr/bin/python3 scripts/font_subset.py --font /usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
      --out build/debug/www/fonts/portal-cjk.ttf
"""

import argparse
import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The UI catalogue: every string the client shows by itself lives here.
CATALOGUE_SOURCES = [ROOT / "client" / "app"]

# Ranges kept whole besides GB2312 (inclusive).
EXTRA_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (·, ×, °, accented names)
    (0x2000, 0x206F),  # general punctuation (— … “ ” ‘ ’)
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # enclosed alphanumerics (①)
    (0x25A0, 0x25FF),  # geometric shapes (○ ● △ ▲)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # halfwidth and fullwidth forms
    (0xFFFD, 0xFFFD),  # replacement character
]

# Tables stb_truetype and Dear ImGui do not read, plus hinting programs.
DROP_TABLES = ["GSUB", "GPOS", "GDEF", "vhea", "vmtx", "FFTM", "gasp", "cvt ", "fpgm", "prep",
               "hdmx", "LTSH", "VDMX", "kern", "DSIG"]


def gb2312_codepoints():
    """Every character the GB2312 code table defines."""
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes((hi, lo)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            out.add(ord(ch))
    return out


def catalogue_codepoints(paths):
    """Non-ASCII characters used in the client's catalogue sources."""
    out = set()
    for base in paths:
        if not base.exists():
            continue
        files = [base] if base.is_file() else sorted(base.rglob("*"))
        for f in files:
            if f.suffix not in (".cpp", ".hpp", ".h", ".inc"):
                continue
            for ch in f.read_text(encoding="utf-8", errors="ignore"):
                if ord(ch) > 0x7F:
                    out.add(ord(ch))
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--font", required=True, help="source .ttc or .ttf")
    ap.add_argument("--index", type=int, default=0, help="font number inside a collection")
    ap.add_argument("--out", required=True, help="output .ttf")
    ap.add_argument("--catalogue", action="append", type=pathlib.Path,
                    help="extra file or folder whose characters are kept (repeatable)")
    args = ap.parse_args(argv)

    src = pathlib.Path(args.font)
    if src.suffix.lower() in (".ttc", ".otc"):
        font = TTCollection(str(src), lazy=False).fonts[args.index]
    else:
        font = TTFont(str(src), lazy=False)
    if "glyf" not in font:
        print(f"font_subset: {src} has no glyf table (CFF is not supported)", file=sys.stderr)
        return 1

    wanted = gb2312_codepoints()
    for lo, hi in EXTRA_RANGES:
        wanted.update(range(lo, hi + 1))
    wanted |= catalogue_codepoints(CATALOGUE_SOURCES + (args.catalogue or []))
    cmap = font.getBestCmap()
    present = sorted(cp for cp in wanted if cp in cmap)
    missing_hanzi = [cp for cp in wanted if cp not in cmap and 0x4E00 <= cp <= 0x9FFF]

    opts = subset.Options()
    opts.hinting = False
    opts.drop_tables += DROP_TABLES
    opts.layout_features = []
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep copyright and licence records
    opts.name_languages = ["*"]
    opts.glyph_names = False
    opts.notdef_outline = True
    opts.recalc_bounds = True
    opts.prune_unicode_ranges = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=present)
    sub.subset(font)
    for tag in DROP_TABLES:
        if tag in font:
            del font[tag]
    font["post"].formatType = 3.0  # no glyph names

    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    size = out.stat().st_size
    print(f"font_subset: {out} {len(present)} characters, {font['maxp'].numGlyphs} glyphs, "
          f"{size} bytes ({size / 1024 / 1024:.2f} MB)"
          + (f"; {len(missing_hanzi)} wanted hanzi not in the source" if missing_hanzi else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
