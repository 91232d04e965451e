"""The label files (one YAML file per language beside this module) and the rules for a label
pattern. Kept free of the rest of reportgen so the profile model can check overrides."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

LABELS_DIR = Path(__file__).resolve().parent
FALLBACK = "en"


@cache
def shipped(language: str) -> dict[str, str]:
    """The label file of `language`: ours, so read by libyaml when PyYAML has it (0.2 against
    1.5 ms a file for the pure-Python loader; the same data, which a test checks)."""
    import yaml

    path = LABELS_DIR / f"{language}.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"),
                     Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return {str(k): str(v) for k, v in data.items()}


def supported_languages() -> tuple[str, ...]:
    """The languages with a label file, English first."""
    names = sorted(p.stem for p in LABELS_DIR.glob("*.yaml"))
    return (FALLBACK, *[n for n in names if n != FALLBACK])


def label_keys() -> frozenset[str]:
    return frozenset(shipped(FALLBACK))


# A placeholder is `{name}` and nothing else: no format spec or conversion (`{x:>9999999}`
# would let a profile make a label of any size), no attribute or index look-ups.
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def pattern_problem(key: str, text: str) -> str | None:
    """Why a label text cannot be the pattern for `key`, or None."""
    want = placeholders(shipped(FALLBACK)[key])
    stray = PLACEHOLDER.sub("", text)
    if "{" in stray or "}" in stray or placeholders(text) != want:
        names = ", ".join(f"{{{p}}}" for p in sorted(want)) or "no {…} placeholder"
        return (f"{text!r} must contain exactly {names} (written just so: no spaces or "
                "formatting inside the braces, no other braces)")
    return None
