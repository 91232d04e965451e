"""Core properties (docProps/core.xml) shared by the DOCX and PPTX writers.

python-docx and python-pptx expose the same CoreProperties API; what they write must follow
the same rules: at most 255 characters a property (as Office keeps them), and no property the
document cannot truthfully claim.
"""

from __future__ import annotations

_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
_DC = "{http://purl.org/dc/elements/1.1/}"

# It was never printed, and a reference document's status, identifier or version describe the
# template, not this document.
UNOWNED = (f"{_CP}lastPrinted", f"{_CP}contentStatus", f"{_DC}identifier", f"{_CP}version")


def clip(text: str, limit: int = 255) -> str:
    """Fit `text` in a property: whitespace folded, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def drop_unowned(core) -> None:
    """Remove the properties above from the core-properties element, and any left empty: an
    empty element is a claim too."""
    for tag in UNOWNED:
        for el in core.findall(tag):
            core.remove(el)
    for el in list(core):
        if len(el) == 0 and not (el.text or "").strip():
            core.remove(el)
