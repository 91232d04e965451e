"""DOCX memo (python-docx): a real Word document an analyst sends and editors keep working on.

`check(document)` is the plan alone (`plan`: styles, sizes, the text width, the reference memo
checked with lxml), cheap enough for `validate`. `render(document)` makes the same plan, opens
the base (the profile's reference `memo.docx`, emptied, or python-docx's default), completes its
style sheet from the profile (`look`), writes the memo from the document (`memo`), then sets
properties, embeds the fonts and rewrites the zip so the bytes depend only on the input
(`package`). Every word the memo prints that the author did not write comes from the
document's labels.
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from reportgen.errors import RenderError
from reportgen.fonts import has_arabic
from reportgen.kept import Kept
from reportgen.writers.docx.plan import plan_memo

if TYPE_CHECKING:
    from reportgen.document import Document
    from reportgen.document.findings import Findings, Rendered


def check(document: Document) -> Findings:
    """The memo's findings (body size, each section's type size) without python-docx; a
    RenderError where the reference memo cannot take it (page too narrow, a style of the
    wrong kind)."""
    return plan_memo(document).findings


def render(document: Document) -> Rendered:
    from docx.oxml.ns import qn

    from reportgen.document.findings import Rendered
    from reportgen.writers.docx.look import Look
    from reportgen.writers.docx.memo import (
        MemoWriter,
        Pictures,
        StyleVals,
        add_logo_to_reference_header,
        write_footer,
        write_header,
    )
    from reportgen.writers.docx.ooxml import mirror_section
    from reportgen.writers.docx.package import (
        Properties,
        embed_fonts,
        open_base,
        prune_body_rels,
        set_properties,
    )
    from reportgen.writers.docx.pictures import Media
    from reportgen.writers.zipstable import docx_members, stable_zip_members

    plan = plan_memo(document)
    profile, meta = document.look, document.meta
    builtin = plan.reference is None
    rtl = meta.direction == "rtl"
    if builtin:
        base, ids, numbering, rtl_styles = STYLED.open(plan, profile, meta.language, rtl)
    else:
        base = open_base(plan.reference)
        look = Look(base, profile, builtin, meta.language, plan.label_column_pt, rtl=rtl)
        ids, numbering, rtl_styles = look.apply(plan.text_width_pt), look.numbering, \
            look.rtl_styles
    section = base.sections[0]
    media = Media(base)
    pictures = Pictures(media, plan.map, _map_png(document, plan), plan.images,
                        plan.value_column_pt)
    style_vals = StyleVals(base.styles)
    MemoWriter(base, document, ids, numbering, plan.text_width_pt, pictures,
               rtl_styles=rtl_styles, style_vals=style_vals).write()
    if builtin:
        write_header(section, base, document, ids, media, plan.text_width_pt, style_vals)
    else:
        add_logo_to_reference_header(section, document, media, plan.text_width_pt)
    if rtl:
        mirror_section(section._sectPr)
    write_footer(section, base, document, ids, plan.text_width_pt, builtin, style_vals)
    prune_body_rels(base)

    set_properties(base, Properties(
        title=meta.title,
        author=meta.author,
        subject=meta.subject,
        keywords="; ".join(meta.keywords),
        language=meta.language,
        description=meta.subject,
        category=document.labels["memorandum"].capitalize(),
        organisation=meta.organisation,
        when=meta.created,
    ))

    text = "".join(t.text or "" for part in _story_parts(base, section)
                   for t in part.iter(qn("w:t")))
    embed_fonts(base, _families(base, profile, builtin, has_arabic(text)), text)

    return Rendered(stable_zip_members(docx_members(base), meta.created), plan.findings)


class StyledBases(Kept[tuple]):
    """The built-in memo's base with its look applied (python-docx's default document, its
    page set up, the profile's styles, numbering and theme), kept as package bytes per (profile,
    language, label column, direction, text width) and opened again for each memo of that look:
    applying the look was a quarter of a memo's time (~11 ms), and opening the kept package
    costs what opening python-docx's default did. Every memo, the first included, is written
    into a package opened from the kept bytes, so all come out alike. Bounded: `size` looks."""

    def __init__(self, size: int = 8) -> None:
        super().__init__(size)

    def open(self, plan, profile, language: str, rtl: bool):
        """(document, style ids, numbering, right-to-left styles) to write a memo into."""
        import docx

        from reportgen.writers.docx.look import Numbering

        key = (profile.model_dump_json(), language, plan.label_column_pt, rtl,
               plan.text_width_pt)
        data, ids, numbering, rtl_styles = self.get_or_make(
            key, lambda: _styled_base(plan, profile, language, rtl))
        doc = docx.Document(io.BytesIO(data))
        return doc, ids, Numbering.restored(doc, numbering), rtl_styles


def _styled_base(plan, profile, language: str, rtl: bool) -> tuple:
    from reportgen.writers.docx.look import Look, drop_unused_table_styles
    from reportgen.writers.docx.memo import set_compat_mode, set_page
    from reportgen.writers.docx.package import open_base
    from reportgen.writers.zipstable import docx_members

    base = open_base(None)
    set_page(base.sections[0], profile)
    set_compat_mode(base, 15)
    look = Look(base, profile, True, language, plan.label_column_pt, rtl=rtl)
    ids = look.apply(plan.text_width_pt)
    drop_unused_table_styles(base.styles.element, {ids.table})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:
        for name, data in docx_members(base):
            package.writestr(name, data)
    return out.getvalue(), ids, look.numbering.state(), look.rtl_styles


STYLED = StyledBases()


def _map_png(document: Document, plan) -> bytes | None:
    """The locator map as a PNG of the plan's size and dpi (300 on any usual page), names in
    the memo's body font (bold; Pillow's own font if the family is not installed)."""
    if document.map is None or plan.map is None:
        return None
    from reportgen.figures.raster import MapStyle, render_map_png
    from reportgen.fonts import family
    from reportgen.writers.colour import map_palette
    from reportgen.writers.docx.plan import memo_body_pt

    def bold_face(name: str):
        try:
            return family(name).files["bold"]
        except RenderError:
            return None

    fonts = document.look.fonts
    style = MapStyle(label_pt=round(memo_body_pt(document.look) * 0.74, 2))
    return render_map_png(document.map, map_palette(document.look.colors), plan.map_px,
                          bold_face(fonts.body), arabic_font_path=bold_face(fonts.arabic),
                          dpi=plan.map_dpi, style=style)


def _story_parts(base, section):
    yield base.element
    for hf in (section.header, section.footer, section.first_page_footer,
               section.even_page_footer):
        if not hf.is_linked_to_previous:
            yield hf._element


def _families(base, profile, builtin: bool, arabic: bool):
    """The fonts to embed: the body family in the built-in look (a reference brings its own
    fonts, but one that embeds the body family, e.g. a saved reportgen memo, gets it afresh
    for this memo's characters), and the Arabic family when there is Arabic text. A family
    that is not installed is not embedded: Word then uses a font of the reader's machine."""
    from reportgen.fonts import family
    from reportgen.writers.docx.package import (
        ARABIC_REPERTOIRE,
        LATIN_REPERTOIRE,
        EmbeddedFamily,
        embeds_font,
    )

    wanted = []
    if builtin or embeds_font(base, profile.fonts.body):
        wanted.append((profile.fonts.body, LATIN_REPERTOIRE))
    if arabic:
        wanted.append((profile.fonts.arabic, ARABIC_REPERTOIRE))
    out = []
    for name, repertoire in wanted:
        try:
            fam = family(name)
        except RenderError:
            continue
        out.append(EmbeddedFamily(name, dict(fam.files), tuple(repertoire)))
    return out


__all__ = ["check", "render"]
