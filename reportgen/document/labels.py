"""Every word the documents print that neither the brief nor the profile wrote: the labels.

One YAML file per language in `reportgen/labels/` (English, French, Arabic), chosen by the
brief's `language` (`fr-CA` uses `fr`; a language without a file uses English and `validate`
warns). A profile may override any label per language (`labels: {fr: {summary: En bref}}`).
"""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.document.typography import base_language
from reportgen.labels import (
    FALLBACK,
    PLACEHOLDER,
    label_keys,
    pattern_problem,
    placeholders,
    shipped,
    supported_languages,
)


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
        """The label with each `{name}` replaced by str(values[name]); nothing else in it is
        interpreted (a profile wrote it)."""
        return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), self.words[key])

    def leverage(self, holder: str) -> str:
        """"Iran’s leverage"; English names ending in s take a bare apostrophe; French elides
        "de" before a vowel ("Les leviers d’Iran")."""
        key = "leverage_after_s" if holder.endswith("s") else "leverage"
        text = self.fill(key, holder=holder)
        if self.language == "fr" and holder[:1].lower() in "aeiouyéèêàâîïôûh":
            text = text.replace(f"de {holder}", f"d’{holder}")
        return text

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


def labels_for(tag: str, overrides: dict[str, dict[str, str]] | None = None) -> Labels:
    language = label_language(tag) or FALLBACK
    words = dict(shipped(language))
    words.update((overrides or {}).get(language, {}))
    return Labels(language, words)


__all__ = ["FALLBACK", "Labels", "label_keys", "label_language", "labels_for", "pattern_problem",
           "placeholders", "supported_languages"]
