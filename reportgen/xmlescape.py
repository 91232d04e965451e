"""`escape` and `quoteattr` exactly as xml.sax.saxutils writes them, without its import:
xml.sax.saxutils imports urllib.request, and with it http.client and ssl (~5.5 ms of a single
`reportgen pdf` or `pptx`, and of a build's parent before it forks). The tests compare both
with xml.sax.saxutils on every awkward character."""

from __future__ import annotations

from collections.abc import Mapping

_ATTRIBUTE = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def escape(data: str, entities: Mapping[str, str] | None = None) -> str:
    """`data` with &, < and > escaped (& first), then each key of `entities` replaced."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for key, value in (entities or {}).items():
        data = data.replace(key, value)
    return data


def quoteattr(data: str) -> str:
    """`data` escaped and quoted as an XML attribute value, newlines and tabs as character
    references; in single quotes when it holds a double quote but no single one."""
    data = escape(data, _ATTRIBUTE)
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"{}"'.format(data.replace('"', "&quot;"))
