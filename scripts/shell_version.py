#!/usr/bin/python3
"""Versions the app shell of an assembled document root by content.

The service worker (web/sw.js) keeps the files a page needs to start (the app shell)
in a cache named after their content, and the pages ask for them by versioned
addresses, so that a page only ever runs the files of one release:

  - index.html and embed.html: every reference to a file of the root, "/NAME", becomes
    "/NAME?v=HASH", HASH being the first 16 hex digits of the file's BLAKE2b-128 digest;
    the server answers such an address only with exactly that file (else 404), and lets
    browsers keep it for a year (server/http/server.cpp);
  - sw.js: its `const RELEASE = ...;` line is rewritten with the shell's version (a digest
    over the shell's addresses), the shell's addresses (index.html itself and every file
    it references), and the version of the fallback font pieces (fonts/*.woff2), whose
    cache is kept apart: a release that leaves the font as it was keeps its pieces.

A byte of any shell file changed gives a new sw.js, which the browser installs as the
new release. Run on the document root after its files are in place and before their
compressed copies are written (cmake/DocumentRoot.cmake); running it again is harmless:
  scripts/shell_version.py build/debug/www
"""

import hashlib
import json
import pathlib
import re
import sys

PAGES = ("index.html", "embed.html")
# A reference to a file of the root in an attribute, with or without a version already.
REFERENCE = re.compile(r'(\b(?:src|href)=")/([A-Za-z0-9][A-Za-z0-9._/-]*)(?:\?v=[0-9a-f]*)?(")')
RELEASE_LINE = re.compile(r"^const RELEASE = .*;$", re.M)


def digest(data: bytes) -> str:
    # The server's ETag is this digest in full (libsodium crypto_generichash, 16 bytes).
    return hashlib.blake2b(data, digest_size=16).hexdigest()[:16]


def version_page(root: pathlib.Path, name: str) -> list:
    """Rewrites a page's references to versioned addresses; returns them in order."""
    page = root / name
    text = page.read_text(encoding="utf-8")
    found = []

    def versioned(m):
        target = root / m.group(2)
        if not target.is_file():
            return m.group(0)
        url = "/" + m.group(2) + "?v=" + digest(target.read_bytes())
        if url not in found:
            found.append(url)
        return m.group(1) + url + m.group(3)

    out = REFERENCE.sub(versioned, text)
    if out != text:
        page.write_text(out, encoding="utf-8")
    return found


def main(argv):
    if len(argv) != 2:
        print("usage: shell_version.py <document root>", file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1])
    if not (root / "index.html").is_file() or not (root / "sw.js").is_file():
        print(f"{root} lacks index.html or sw.js", file=sys.stderr)
        return 1
    shell = []
    for name in PAGES:
        if (root / name).is_file():
            refs = version_page(root, name)
            if name == "index.html":
                shell = refs
    index = "/index.html?v=" + digest((root / "index.html").read_bytes())
    shell.insert(0, index)
    fonts = hashlib.blake2b(digest_size=16)
    for piece in sorted((root / "fonts").glob("*.woff2")):
        fonts.update(piece.name.encode() + b"\0" + piece.read_bytes())
    release = {
        "version": digest("\n".join(shell).encode()),
        "shell": shell,
        "fonts": fonts.hexdigest()[:16],
    }
    sw = root / "sw.js"
    text = sw.read_text(encoding="utf-8")
    line = "const RELEASE = " + json.dumps(release, separators=(", ", ": ")) + ";"
    out, n = RELEASE_LINE.subn(lambda _: line, text, count=1)
    if n != 1:
        print(f"{sw} has no `const RELEASE = ...;` line", file=sys.stderr)
        return 1
    if out != text:
        sw.write_text(out, encoding="utf-8")
    print(f"app shell {release['version']}: {len(shell)} files, fonts {release['fonts']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
