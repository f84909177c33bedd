#!/usr/bin/python3
"""Cuts the fallback CJK font into pieces the browser fetches one at a time.

The portal draws text with the fonts of the device. A device without a CJK font
(rare: a stripped-down Linux, an old embedded browser) gets its ideographs from
these pieces instead, and only the pieces holding characters it has to draw:
web/portal-glyphs.js loads them with the FontFace API when its tofu check finds a
character the device cannot draw.

Pieces (WOFF2, named by the first code point of their block):
  cjk-3400.woff2 ... cjk-9c00.woff2  CJK Unified Ideographs Extension A and the basic
                                     block, 1,024 code points each (GB 18030-2022
                                     implementation level 1)
  cjk-sym.woff2                      CJK symbols and punctuation, fullwidth forms,
                                     general punctuation

Run it with Debian's python (python3-fonttools, python3-brotli), e.g.
  /usr/bin/python3 scripts/font_pieces.py --font /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
      --name "Noto Sans CJK SC" --out build/debug/www/fonts
"""

import argparse
import multiprocessing
import pathlib
import sys
import time

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

BLOCK = 0x400
IDEOGRAPHS = (0x3400, 0xA000)  # Extension A (U+3400..U+4DBF) through the basic block
SYMBOLS = [
    (0x2000, 0x206F),  # general punctuation
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # halfwidth and fullwidth forms
]

_font_path = None


def open_font(path, name):
    """The font of the collection (or the file) whose family name is `name`."""
    if path.suffix.lower() in (".ttc", ".otc"):
        coll = TTCollection(str(path), lazy=True)
        for i, f in enumerate(coll.fonts):
            if f["name"].getDebugName(1) == name:
                return i
        sys.exit(f"font_pieces: no font named {name!r} in {path}")
    return -1


def cut(job):
    """Writes one piece; returns (file name, glyph count, bytes)."""
    path, index, codepoints, out = job
    font = TTFont(path, fontNumber=index, lazy=False) if index >= 0 else TTFont(path)
    have = font.getBestCmap()
    keep = sorted(cp for cp in codepoints if cp in have)
    if not keep:
        return (out.name, 0, 0)
    opts = subset.Options()
    opts.flavor = "woff2"
    opts.hinting = False
    opts.layout_features = []  # no shaping: the browser draws one character at a time
    opts.name_IDs = [1, 2]
    opts.notdef_outline = False
    opts.glyph_names = False
    opts.drop_tables += ["vhea", "vmtx", "VORG", "DSIG", "GSUB", "GPOS", "GDEF", "BASE"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=keep)
    sub.subset(font)
    tmp = out.with_suffix(".tmp")
    font.flavor = "woff2"
    font.save(str(tmp))
    tmp.replace(out)
    return (out.name, len(keep), out.stat().st_size)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--font", required=True, type=pathlib.Path, help="OpenType font or collection")
    ap.add_argument("--name", default="Noto Sans CJK SC", help="family name inside a collection")
    ap.add_argument("--out", required=True, type=pathlib.Path, help="directory for the pieces")
    ap.add_argument("--jobs", type=int, default=2, help="pieces cut at once (default 2)")
    args = ap.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    index = open_font(args.font, args.name)
    jobs = []
    for start in range(IDEOGRAPHS[0], IDEOGRAPHS[1], BLOCK):
        cps = range(start, min(start + BLOCK, IDEOGRAPHS[1]))
        jobs.append((str(args.font), index, list(cps), args.out / f"cjk-{start:04x}.woff2"))
    sym = [cp for lo, hi in SYMBOLS for cp in range(lo, hi + 1)]
    jobs.append((str(args.font), index, sym, args.out / "cjk-sym.woff2"))

    started = time.monotonic()
    total = 0
    with multiprocessing.Pool(max(1, args.jobs)) as pool:
        for n, (name, glyphs, size) in enumerate(pool.imap(cut, jobs), 1):
            total += size
            print(f"[font] {n}/{len(jobs)} {name}: {glyphs} glyphs, {size // 1024} KiB", flush=True)
    print(f"[font] {len(jobs)} pieces, {total // 1024} KiB in {time.monotonic() - started:.1f} s",
          flush=True)


if __name__ == "__main__":
    main()
