"""Every word the documents print that neither the brief nor the profile wrote: the labels.

One YAML file per language in `reportgen/labels/` (English, French, Arabic), chosen by the
brief's `language` (`fr-CA` uses `fr`; a language without a file uses English and `validate`
warns). A profile may override any label per language (`labels: {fr: {summary: En bref}}`).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportgen.document.typography import base_language

LABELS_DIR = Path(__file__).resolve().parent.parent / "labels"
FALLBACK = "en"


@cache
def _shipped(language: str) -> dict[str, str]:
    import yaml

    path = LABELS_DIR / f"{language}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def supported_languages() -> tuple[str, ...]:
    """The languages with a label file, English first."""
    names = sorted(p.stem for p in LABELS_DIR.glob("*.yaml"))
    return (FALLBACK, *[n for n in names if n != FALLBACK])


def label_keys() -> frozenset[str]:
    return frozenset(_shipped(FALLBACK))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def label_language(tag: str) -> str | None:
    """The label file for a BCP 47 tag, or None when there is none (English is used)."""
    base = base_language(tag)
    return base if base in supported_languages() else None


@dataclass(frozen=True)
class Labels:
    """The labels of one language, with a profile's overrides applied."""

    language: str  # the label file's language: en, fr or ar
    words: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.words[key]

    def fill(self, key: str, **values: object) -> str:
        return self.words[key].format(**values)

    def leverage(self, holder: str) -> str:
        """"Iran’s leverage"; English names ending in s take a bare apostrophe."""
        key = "leverage_after_s" if holder.endswith("s") else "leverage"
        return self.fill(key, holder=holder)

    def join(self, names: list[str] | tuple[str, ...]) -> str:
        """'A', 'A and B', 'A, B and C' in the labels' language."""
        names = list(names)
        if len(names) == 1:
            return names[0]
        return self["list_separator"].join(names[:-1]) + self["and"] + names[-1]

    def split_pattern(self, key: str, field: str) -> tuple[str, str]:
        """(before, after) a placeholder, for writers that put a field (a Word PAGE field,
        say) where the placeholder stands."""
        before, _, after = self.words[key].partition("{" + field + "}")
        return before, after


def check_overrides(overrides: dict[str, dict[str, str]]) -> None:
    """A profile's `labels:`: known languages and keys, the same {placeholders} as shipped."""
    for language, words in overrides.items():
        if language not in supported_languages():
            raise ValueError(f"labels: no label file for {language!r}; the languages are "
                             f"{', '.join(supported_languages())}")
        shipped = _shipped(language)
        for key, text in words.items():
            if key not in shipped:
                from difflib import get_close_matches

                near = get_close_matches(key, shipped, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                raise ValueError(f"labels.{language}: unknown label {key!r}{hint}")
            if placeholders(text) != placeholders(shipped[key]):
                want = ", ".join(f"{{{p}}}" for p in sorted(placeholders(shipped[key])))
                raise ValueError(f"labels.{language}.{key}: {text!r} must contain exactly "
                                 f"{want or 'no {placeholders}'}")


def labels_for(tag: str, overrides: dict[str, dict[str, str]] | None = None) -> Labels:
    language = label_language(tag) or FALLBACK
    words = dict(_shipped(language))
    words.update((overrides or {}).get(language, {}))
    return Labels(language, words)
