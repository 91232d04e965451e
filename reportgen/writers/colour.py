"""Colours every writer shares: one blend, one rule grey, one theme for DOCX and PPTX.

Colours are "#RRGGBB" strings as the profile gives them; `bare` drops the "#" for DrawingML.
"""

from __future__ import annotations

from reportgen.profile import Colours

RULE_GREY = "#D5DBE1"  # hairlines between rows, above footers
STRIPE = "#F6F8FA"  # the fill of every other row of a table


def mix(colour: str, towards: str, amount: float) -> str:
    """`colour` moved `amount` (0 to 1) of the way towards `towards`: mix(c, "#FFFFFF", 0.55)
    is c, paler."""
    a = [int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
    b = [int(towards.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(x + (y - x) * amount):02X}" for x, y in zip(a, b, strict=True))


def bare(colour: str) -> str:
    """"#12355b" -> "12355B", as DrawingML and WordprocessingML write colours."""
    return colour.lstrip("#").upper()


def theme_colours(c: Colours) -> dict[str, str]:
    """The theme's colour slots (`a:clrScheme`), the same in the memo and the deck, so a table
    or shape an editor adds in Word or PowerPoint picks up the profile the same way."""
    return {"dk1": c.text, "lt1": "#FFFFFF", "dk2": c.primary, "lt2": c.tint,
            "accent1": c.primary, "accent2": c.accent, "accent3": c.muted,
            "accent4": mix(c.primary, "#FFFFFF", 0.35), "accent5": mix(c.accent, "#FFFFFF", 0.35),
            "accent6": mix(c.muted, "#FFFFFF", 0.45), "hlink": c.primary, "folHlink": c.muted}


def brand_colour_scheme(scheme, c: Colours) -> None:
    """Set every slot of an `a:clrScheme` element (lxml) to the profile's theme colours."""
    from lxml import etree

    ns = scheme.tag.split("}")[0][1:]
    for slot, colour in theme_colours(c).items():
        el = scheme.find(f"{{{ns}}}{slot}")
        if el is None:  # every theme has all twelve; adding one out of order breaks the schema
            continue
        for child in list(el):
            el.remove(child)
        etree.SubElement(el, f"{{{ns}}}srgbClr", val=bare(colour))


def map_palette(c: Colours) -> dict[str, str]:
    """The locator map's colours, the same in every format: the country in the profile's
    primary colour, its region in a tint of it, other land grey, the sea the palest tint; place
    dots in the accent colour with a white ring; names in the text colour."""
    return {"country": c.primary, "region": mix(c.primary, "#FFFFFF", 0.72),
            "land": "#E3E6EA", "sea": mix(c.tint, "#FFFFFF", 0.45), "border": "#FFFFFF",
            "frame": RULE_GREY, "dot": c.accent, "halo": "#FFFFFF", "label": c.text}
