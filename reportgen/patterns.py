"""One regular expression per concept that the brief, the profile and their messages share.

Written for both Python's `re` and pydantic's Rust engine (JSON Schema `pattern`), so `\\Z`-style
anchors are avoided: `$` there matches only at the very end.
"""

from __future__ import annotations

import re

PROFILE_NAME = r"^[a-z0-9][a-z0-9_-]*$"
COLOUR = r"^#[0-9A-Fa-f]{6}$"
# RFC 5646 langtag: language[-extlang][-script][-region]*(-variant)*(-extension)[-privateuse].
LANGUAGE_TAG = (
    r"^[A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}"  # language, extended language subtags (zh-yue)
    r"(-[A-Za-z]{4})?"  # script (sr-Latn)
    r"(-([A-Za-z]{2}|[0-9]{3}))?"  # region (en-GB, es-419)
    r"(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"  # variants (de-CH-1996, sl-rozaj)
    r"(-[0-9A-WYZa-wyz](-[A-Za-z0-9]{2,8})+)*"  # extensions (en-US-u-ca-gregory)
    r"(-[Xx](-[A-Za-z0-9]{1,8})+)?$"  # private use (en-x-mei)
)


def matches(pattern: str, value: str) -> bool:
    """The whole of `value` matches (Python's `$` would also accept a trailing newline)."""
    return re.fullmatch(pattern.removeprefix("^").removesuffix("$"), value) is not None
