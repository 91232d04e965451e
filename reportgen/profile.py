"""Organisation profiles: who publishes the brief, their disclaimer, donor note, colours, fonts.

A profile is `templates/<name>/profile.yaml`, optionally with reference files beside it
(`memo.docx`, `deck.pptx`). Profiles are looked up in `--templates DIR`, then `./templates`,
then the copy shipped inside the installed package, so a wheel works outside the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from reportgen.brief.loader import KeyPath, Loaded, NotAFileError, format_key_path
from reportgen.brief.markup import WEB_SCHEMES, check_url
from reportgen.brief.validate import load_model
from reportgen.errors import Diagnostic, InputError
from reportgen.kept import Kept
from reportgen.labels import FALLBACK, label_keys, pattern_problem, shipped, supported_languages
from reportgen.patterns import COLOUR, LANGUAGE_TAG, PROFILE_NAME, matches

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Colour = Annotated[str, StringConstraints(pattern=COLOUR)]

PAGE_SIZES_PT = {"letter": (612.0, 792.0), "a4": (595.2756, 841.8898)}
FLOOR_PT = 8.0  # the smallest body text any profile may shrink to (issue 2: "a floor of 8 pt")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Printed verbatim: one string whatever the brief's language, or one per language
# (`{en: …, fr: …}`, keys are language tags). reportgen never translates it.
Verbatim = Line | dict[Annotated[str, StringConstraints(pattern=LANGUAGE_TAG)], Line]


def _languages(value: Verbatim) -> set[str] | None:
    return set(value) if isinstance(value, dict) else None


def _in(value: Verbatim, language: str | None) -> str:
    return value if isinstance(value, str) else value[language]


class DonorNote(_Strict):
    text: Verbatim = Field(description="The donor note, verbatim: one string, or one per "
                           "language tag.")
    link_text: Verbatim = Field("click here", description="The words in `text` that are the "
                                "link (per language when `text` is).")
    url: str = Field(description="Where the link goes (http/https).")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value, WEB_SCHEMES)

    @model_validator(mode="after")
    def _link_in_text(self) -> DonorNote:
        texts, links = _languages(self.text), _languages(self.link_text)
        if links is not None and texts is not None and links != texts:
            raise ValueError("link_text is given for the languages "
                             f"{sorted(links)} but text for {sorted(texts)}; give both for "
                             "the same languages")
        for language in sorted(texts or links or {None}, key=str):
            text, link = _in(self.text, language), _in(self.link_text, language)
            if link not in text:
                where = f" ({language})" if language else ""
                raise ValueError(f"link_text {link!r} does not occur in text{where}")
        return self

    def split(self) -> tuple[str, str, str]:
        """(before, link words, after) of a one-string note."""
        before, _, after = str(self.text).partition(str(self.link_text))
        return before, str(self.link_text), after


class Colours(_Strict):
    primary: Colour = Field("#12355B", description="Masthead, headings.")
    accent: Colour = Field("#B07D2B", description="Rules and highlights.")
    text: Colour = Field("#1E2329", description="Body text.")
    muted: Colour = Field("#5C6670", description="Secondary text: dates, captions, footers.")
    tint: Colour = Field("#EDF2F7", description="Background of the bottom-line box.")


class Fonts(_Strict):
    body: Line = Field("Source Sans 3", description="Latin text family (a fontpkg family).")
    arabic: Line = Field("Noto Sans Arabic", description="Family for Arabic-script runs.")


class Page(_Strict):
    size: Literal["letter", "a4"] = Field("letter", description="Paper size of PDF and DOCX.")
    margin_pt: float = Field(40.0, ge=18, le=108, description="Page margin in points.")


class TypeScale(_Strict):
    body_pt: float = Field(10.0, ge=FLOOR_PT, le=14, description="Body text size to start from.")
    min_body_pt: float = Field(
        FLOOR_PT, le=14, json_schema_extra={"minimum": FLOOR_PT},
        description="Floor when shrinking to fit: at least 8, at most body_pt.")
    max_body_pt: float = Field(
        11.5, le=16, description="Ceiling when a short brief grows to fill the one-pager: at "
        "least body_pt.")

    @field_validator("min_body_pt")
    @classmethod
    def _floor(cls, value: float, info: ValidationInfo) -> float:
        if value < FLOOR_PT:
            raise ValueError(f"{value:g} pt is below the {FLOOR_PT:g} pt floor; a profile may "
                             "raise the floor, never lower it")
        body = info.data.get("body_pt")  # absent when body_pt itself was invalid
        if body is not None and value > body:
            raise ValueError(f"{value:g} pt is above body_pt ({body:g} pt): text starts at "
                             "body_pt and shrinks down to this floor, so it can be at most "
                             "body_pt")
        return value

    @field_validator("max_body_pt")
    @classmethod
    def _ceiling(cls, value: float, info: ValidationInfo) -> float:
        body = info.data.get("body_pt")
        if body is not None and value < body:
            raise ValueError(f"{value:g} pt is below body_pt ({body:g} pt): a short brief grows "
                             "from body_pt up to this ceiling, so it is at least body_pt")
        return value


def _check_pattern(value: str | None, info: ValidationInfo) -> str | None:
    if value is not None and (problem := pattern_problem(info.field_name, value)):
        raise ValueError(problem)
    return value


# One optional field per label (so an unknown key gets "did you mean" at its own line) and
# the languages that have label files.
LabelOverrides = create_model(
    "LabelOverrides", __config__=ConfigDict(extra="forbid", frozen=True),
    __validators__={"pattern": field_validator("*")(_check_pattern)},
    **{key: (Line | None, Field(None, description=f"Replaces the label {key!r}: "
                                f"{shipped(FALLBACK)[key]!r} in English."))
       for key in sorted(label_keys())})
LabelLanguage = Literal[supported_languages()]  # type: ignore[valid-type]


class Profile(_Strict):
    """An organisation profile (templates/<name>/profile.yaml)."""

    name: Line = Field(description="Full name of the organisation.")
    short_name: Line = Field(description="Short name for footers, e.g. 'MEI'.")
    document_label: Line = Field("Policy brief", description="What the one-pager calls itself "
                                 "in its masthead, before the date.")
    url: str | None = Field(None, description="Organisation website (http/https).")
    disclaimer: Verbatim = Field(description="Independence disclaimer, verbatim: one string, "
                                 "or one per language tag ({en: …, fr: …}).")
    donor_note: DonorNote
    colors: Colours = Field(default_factory=Colours)
    fonts: Fonts = Field(default_factory=Fonts)
    page: Page = Field(default_factory=Page)
    type: TypeScale = Field(default_factory=TypeScale)
    logo: str | None = Field(None, min_length=1, max_length=255,
                             description="A PNG beside profile.yaml (e.g. logo.png), printed in "
                             "the one-pager's masthead, the memo's header and the deck's title "
                             "and closing slides.")
    logo_alt: Line | None = Field(None, description="The logo's alt text; by default "
                                  "\"<name> logo\" in the brief's language.")
    labels: dict[LabelLanguage, LabelOverrides] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="Overrides of the printed labels, per language: "
        "{fr: {summary: En bref}}. Languages and keys are those of reportgen/labels/*.yaml.")

    @property
    def label_overrides(self) -> dict[str, dict[str, str]]:
        """{language: {key: text}} of the labels this profile sets."""
        return {lang: {k: v for k, v in words.model_dump().items() if v is not None}
                for lang, words in self.labels.items()}

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return check_url(value, WEB_SCHEMES) if value is not None else value

    @property
    def page_size_pt(self) -> tuple[float, float]:
        return PAGE_SIZES_PT[self.page.size]




@dataclass(frozen=True)
class LoadedProfile:
    name: str
    folder: Path
    profile: Profile
    where: Loaded | None = None  # positions in profile.yaml, for errors that point into it

    def diagnostic(self, path: KeyPath, message: str) -> Diagnostic:
        if self.where is not None:
            return self.where.diagnostic(path, message)
        return Diagnostic(str(self.folder / "profile.yaml"), 1, 1, format_key_path(path),
                          message)

    def reference(self, filename: str) -> Path | None:
        """An optional reference document beside profile.yaml (memo.docx, deck.pptx); None
        when there is none. One that is there but is no regular file (a FIFO, a device, a
        folder, a link to nothing) is an error, not silently the built-in look."""
        import os
        import stat

        from reportgen.errors import RenderError
        from reportgen.fsio import describe_kind

        candidate = self.folder / filename
        if not os.path.lexists(candidate):
            return None
        try:
            mode = candidate.stat().st_mode
        except OSError as exc:
            raise RenderError(f"{candidate}: the reference {filename} cannot be read "
                              f"({exc.strerror}); fix or remove it") from None
        if not stat.S_ISREG(mode):
            raise RenderError(f"{candidate}: is {describe_kind(mode)}, not a regular file; a "
                              f"reference {filename} must be a file, or absent for the built-in "
                              "look")
        return candidate

    def files(self) -> list[Path]:
        """The files that shape the output (profile.yaml and the reference documents), for
        incremental builds to fingerprint; editor swap files and the like do not count."""
        import os

        from reportgen.writers import REFERENCE_FILES

        names = ("profile.yaml", *REFERENCE_FILES)
        return [self.folder / n for n in names if os.path.lexists(self.folder / n)]


def builtin_templates() -> Path:
    shipped = Path(__file__).parent / "_templates"
    return shipped if shipped.is_dir() else Path(__file__).parent.parent / "templates"


def search_path(templates: Path | None) -> list[Path]:
    dirs = [templates] if templates else []
    dirs += [Path.cwd() / "templates", builtin_templates()]
    unique: list[Path] = []
    for d in dirs:
        if d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def find_profile(name: str, templates: Path | None = None,
                 referenced_from: Diagnostic | None = None) -> LoadedProfile:
    # Names are shown with repr: a newline in one must not break the message's line.
    if not matches(PROFILE_NAME, name):
        raise InputError([_where(referenced_from, f"profile name {name!r} is not valid: expected "
                                 "a folder name of lowercase letters, digits, - and _")])
    searched = search_path(templates)
    for folder in searched:
        candidate = folder / name / "profile.yaml"
        if candidate.exists():  # a FIFO or folder in the way is an error, not "no profile"
            try:
                profile, where = PROFILES.load(candidate)
            except NotAFileError as exc:  # the profile is content, not usage: exit 1
                raise InputError([Diagnostic(str(candidate), 1, 1, "", exc.reason)]) from None
            return LoadedProfile(name, candidate.parent, profile, where)
    available = sorted({p.parent.name for d in searched if d.is_dir()
                        for p in d.glob("*/profile.yaml")})
    raise InputError([_where(
        referenced_from,
        f"no profile {name!r} in {', '.join(str(d) for d in searched)}"
        + (f" (available: {', '.join(available)})" if available else ""))])


class LoadedProfiles(Kept[tuple["Profile", Loaded]]):
    """profile.yaml files loaded and validated, by path and bytes: a night's briefs share a
    profile or two, and loading one again for every brief was ~2.5 ms of it. The file is read
    every time (a profile edited while `watch` runs is loaded again); what it names (the logo,
    the reference documents) is looked at where it is used, not here. Nothing changes a loaded
    profile; a refused one is not kept. Bounded: `size` files."""

    def __init__(self, size: int = 16) -> None:
        super().__init__(size)

    def load(self, path: Path) -> tuple[Profile, Loaded]:
        from reportgen.brief.loader import MAX_FILE_BYTES
        from reportgen.fsio import read_bounded

        try:
            raw = read_bounded(path, MAX_FILE_BYTES)
        except Exception:  # noqa: BLE001 - not a file, too big, unreadable: load_model says why
            return load_model(path, Profile, "profile")
        return self.get_or_make((str(path), raw), lambda: load_model(path, Profile, "profile"))


PROFILES = LoadedProfiles()


def _where(diag: Diagnostic | None, message: str) -> Diagnostic:
    if diag is None:
        return Diagnostic("<profile>", 1, 1, "profile", message)
    return Diagnostic(diag.path, diag.line, diag.col, diag.key, message)
