"""Every character of a document must be in the font that draws it: a missing glyph is an
error at the field that holds it, never an empty box in the output.

Shared by all writers so a brief that one format refuses is refused by all of them.
"""

from __future__ import annotations

from reportgen.brief import LoadedBrief
from reportgen.errors import Diagnostic, InputError, RenderError
from reportgen.fonts import FontFamily, family, missing_glyph
from reportgen.profile import LoadedProfile


def profile_families(lp: LoadedProfile) -> tuple[FontFamily, FontFamily]:
    """(body, arabic) families of the profile; an unknown family points at its profile key."""
    fams = []
    for key in ("body", "arabic"):
        try:
            fams.append(family(getattr(lp.profile.fonts, key)))
        except RenderError as exc:
            raise InputError([lp.diagnostic(("fonts", key), str(exc))]) from None
    return fams[0], fams[1]


def check_glyphs(doc: LoadedBrief, lp: LoadedProfile) -> None:
    body, arabic = profile_families(lp)
    found: list[Diagnostic] = []
    for path, text in doc.brief.text_fields():
        if message := missing_glyph(body, arabic, text):
            found.append(doc.where.diagnostic(path, message))
    for path, text in profile_texts(lp.profile):
        if message := missing_glyph(body, arabic, text):
            found.append(lp.diagnostic(path, message))
    if found:
        raise InputError(found)


def profile_texts(profile) -> list[tuple[tuple[str, ...], str]]:
    """(key path, text) of everything a profile prints: name, disclaimer and donor note (one
    string or one per language) and its label overrides."""
    out: list[tuple[tuple[str, ...], str]] = [(("name",), profile.name)]
    for path, value in ((("disclaimer",), profile.disclaimer),
                        (("donor_note", "text"), profile.donor_note.text)):
        if isinstance(value, str):
            out.append((path, value))
        else:
            out += [((*path, lang), text) for lang, text in value.items()]
    out += [(("labels", lang, key), text) for lang, words in profile.label_overrides.items()
            for key, text in words.items()]
    return out
