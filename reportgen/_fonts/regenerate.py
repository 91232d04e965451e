"""Make the shipped static cuts again: `python -m reportgen._fonts.regenerate [--check]`.

Cuts every style of the default families with the code a user's machine runs
(`reportgen.fonts._family` into an empty cache, nothing shipped used), copies the cuts and the
families' OFL licences here and writes `cuts.json`. With `--check` nothing is written: exit 1
and name each file that differs from what the cutter makes now. Run it after upgrading
fontTools or a fontpkg-* family, or after changing how cuts are made (CUT_REVISION); the cuts
are then used only where the installed sources hash to the ones recorded here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

# The built-in profiles' families whose static cuts are shipped. Source Sans 3's are not: its
# OFL reserves the name "Source", and an instance we cut is a Modified Version (OFL 3), which
# could not be distributed under that name; Adobe's own static files ship instead, unmodified
# (source-sans-3/, see its origin.json), and this script leaves them alone.
FAMILIES = ("Noto Sans Arabic",)
HERE = Path(__file__).parent


def cut_all() -> dict[str, tuple[bytes, str]]:
    """{cut file name: (bytes, sha256 of its variable source)} as the cutter makes them now."""
    from reportgen import fonts

    made: dict[str, tuple[bytes, str]] = {}
    with tempfile.TemporaryDirectory() as cache:
        previous = os.environ.get("REPORTGEN_CACHE")
        os.environ["REPORTGEN_CACHE"] = cache
        try:
            for name in FAMILIES:
                fam = fonts._family(name, use_shipped=False)
                for style in fonts.STYLES:
                    src = fonts.source_file(name, style)
                    cut = fam.files[style]
                    made[cut.name] = (cut.read_bytes(),
                                      hashlib.sha256(src.read_bytes()).hexdigest())
        finally:
            if previous is None:
                del os.environ["REPORTGEN_CACHE"]
            else:
                os.environ["REPORTGEN_CACHE"] = previous
    return made


def licences() -> dict[str, bytes]:
    import fontpkg

    from reportgen.fonts import source_file

    out = {}
    for name in FAMILIES:
        fam = fontpkg.family(name)
        # fontpkg-<slug> keeps the font in files/ and the OFL text beside that folder
        out[f"OFL-{fam.slug}.txt"] = (source_file(name, "regular").parent.parent
                                      / "LICENSE").read_bytes()
    return out


def manifest(made: dict[str, tuple[bytes, str]]) -> bytes:
    import fontTools

    from reportgen.fonts import CUT_REVISION

    cuts = {name: {"source_sha256": src, "sha256": hashlib.sha256(data).hexdigest()}
            for name, (data, src) in sorted(made.items())}
    doc = {"made_by": "python -m reportgen._fonts.regenerate", "fonttools": fontTools.version,
           "cut_revision": CUT_REVISION, "cuts": cuts}
    return (json.dumps(doc, indent=2) + "\n").encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the shipped files instead of writing them")
    args = parser.parse_args(argv)
    made = cut_all()
    wanted = {name: data for name, (data, _src) in made.items()}
    wanted.update(licences())
    wanted["cuts.json"] = manifest(made)
    if args.check:
        stale = [name for name, data in sorted(wanted.items())
                 if not (HERE / name).is_file() or (HERE / name).read_bytes() != data]
        for name in stale:
            print(f"differs from a fresh cut: {name}")
        print("shipped fonts match the cutter" if not stale else
              "run `python -m reportgen._fonts.regenerate` to make them again")
        return 1 if stale else 0
    for old in HERE.glob("*.ttf"):
        if old.name not in wanted:
            old.unlink()
    for name, data in wanted.items():
        tmp = HERE / f".{name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, HERE / name)
        print(f"wrote {HERE / name} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
