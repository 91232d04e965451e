"""The brief format, version 1.1, as pydantic models: the user-facing contract.

Every field carries a description; `reportgen schema` turns these classes into the JSON Schema
and the README's table is written from the same descriptions. Nothing here knows about output
formats: writers read a `Brief`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    WithJsonSchema,
    field_validator,
)

from reportgen.brief.markup import (
    LINK_SCHEMES,
    MAX_URL_CHARS,
    WEB_SCHEMES,
    Inline,
    ListBlock,
    Paragraph,
    Text,
    check_url,
    parse_inline,
    parse_text,
    plain,
)
from reportgen.patterns import LANGUAGE_TAG, PROFILE_NAME, matches

_TEXT_HELP = ("Markdown-lite: paragraphs separated by blank lines, '- ' bullet lists, **bold**, "
              "*italic*, [label](https://…) links.")


def _to_text(value: Any) -> Any:
    if isinstance(value, dict):  # else pydantic would build a Text from its fields' names
        raise ValueError("expected text, got a mapping")
    return parse_text(value) if isinstance(value, str) else value


def _to_inline(value: Any) -> Any:
    return parse_inline(value) if isinstance(value, str) else value


def _nonblank(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("must not be empty")
    return value


# A text field: YAML gives a string, the model holds the parsed `Text`.
RichText = Annotated[
    Text,
    BeforeValidator(_to_text),
    BeforeValidator(_nonblank),
    WithJsonSchema({"type": "string", "minLength": 1, "pattern": r"\S",
                    "description": _TEXT_HELP}),
]
InlineText = Annotated[
    Inline,
    BeforeValidator(_to_inline),
    BeforeValidator(_nonblank),
    WithJsonSchema({"type": "string", "minLength": 1, "pattern": r"\S"}),
]


def _one_paragraph(what: str, advice: str):
    """An item each writer sets as ONE bullet: a second paragraph or a list inside it would be
    split into several bullets or flattened, so it is refused where the analyst wrote it."""

    def check(text: Text) -> Text:
        if len(text.blocks) == 1 and isinstance(text.blocks[0], Paragraph):
            return text
        hint = ("" if all(isinstance(b, Paragraph) for b in text.blocks) else
                " (a line that starts with '- ', '* ', '+ ' or a number and '. ' is a list item)")
        raise ValueError(f"{what} is one paragraph: no blank lines or lists inside; "
                         f"{advice}{hint}")

    return AfterValidator(check)


_ITEM_HELP = ("One paragraph of Markdown-lite: **bold**, *italic*, [label](https://…) links; "
              "no blank lines or '- ' lists inside (each item is set as one bullet).")
_ITEM_SCHEMA = {"type": "string", "minLength": 1, "pattern": r"\S", "description": _ITEM_HELP}


def _item(what: str, advice: str) -> Any:
    return Annotated[RichText, _one_paragraph(what, advice), WithJsonSchema(_ITEM_SCHEMA)]


LeverPoint = _item("a leverage point", "make it two points")
OutlookItem = _item("an outlook item", "make it two items")

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1),
                 WithJsonSchema({"type": "string", "minLength": 1, "pattern": r"\S"})]


def _url_json_schema(schemes: tuple[str, ...]) -> dict[str, Any]:
    """The JSON Schema of a URL field, as close to `check_url` as a pattern gets: the scheme,
    no user name before the host, none of the characters check_url refuses, the length cap.
    Valid in Python's `re` (jsonschema) and in ECMA-262 (editors) alike."""
    bad = r"\s\x00-\x1f\x7f-\x9f" + "\"'`<>" + r"\\"
    web = f"https?://[^/?#@{bad}]+([/?#][^{bad}]*)?"
    either = f"({web}|mailto:[^{bad}]+@[^{bad}]+)" if "mailto" in schemes else web
    # (?![\s\S]) and not $: Python's $ also matches before a final newline.
    return {"type": "string", "format": "uri", "maxLength": MAX_URL_CHARS,
            "pattern": f"^{either}(?![\\s\\S])"}


def _url(schemes: tuple[str, ...]) -> Any:
    return Annotated[str, BeforeValidator(lambda v: check_url(v, schemes) if isinstance(v, str)
                                          else v),
                     WithJsonSchema(_url_json_schema(schemes))]


# An actor's url may be a press office's mailto: (validate warns that it needs a mail
# program); a source is something to read, so it is a web page.
ContactUrl = _url(LINK_SCHEMES)
WebUrl = _url(WEB_SCHEMES)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Memo(_Strict):
    """Header of the DOCX memo. Every line is optional."""

    to: Line | None = Field(None, description="Recipients (TO line).")
    from_: Line | None = Field(None, alias="from",
                               description="Sender (FROM line); defaults to the authors.")
    cc: Line | None = Field(None, description="Copies (CC line).")
    subject: Line | None = Field(None, description="SUBJECT line; defaults to the title.")


class Actor(_Strict):
    """Someone who matters to the situation."""

    name: Line = Field(description="Person or organisation, as it should be printed.")
    role: Line | None = Field(None, description="Their position, e.g. 'Prime Minister'.")
    affiliation: Line | None = Field(None, description="Organisation or country they speak for.")
    stance: RichText | None = Field(None, description="Where they stand, in a sentence or two.")
    quote: InlineText | None = Field(None, description="Their own words, without quotation marks.")
    quote_source: Line | None = Field(None, description="Where and when they said it.")
    url: ContactUrl | None = Field(
        None, description="A page about them or the quote (http/https), or a press contact "
        "(mailto:).")
    featured: bool = Field(False, description="Give this actor's quote a slide of its own in "
                           "the deck (by default the first actor with a quote has it).")

    @property
    def role_line(self) -> str:
        return ", ".join(p for p in (self.role, self.affiliation) if p)


class Leverage(_Strict):
    """What one party can use to shape events; the heading reads "<holder>'s leverage"."""

    holder: Line = Field(description="Who holds the leverage, e.g. 'Iran'.")
    points: list[LeverPoint] = Field(
        min_length=1, description="One item per lever, each one paragraph (no lists inside).")


class Source(_Strict):
    """A document the brief draws on."""

    title: Line = Field(description="Title of the source.")
    url: WebUrl | None = Field(None, description="Where to read it (http/https).")
    publisher: Line | None = Field(None, description="Who published it.")
    date: dt.date | None = Field(None, description="Publication date, YYYY-MM-DD.")


def _one_line(value: Any) -> Any:
    if isinstance(value, str) and ("\n" in value.strip() or "\r" in value.strip()):
        raise ValueError("must be one line: no line breaks")
    return value


def _short_line(limit: int, what: str) -> Any:
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=limit),
                     BeforeValidator(_one_line),
                     WithJsonSchema({"type": "string", "minLength": 1, "maxLength": limit,
                                     "pattern": r"^[^\r\n]*\S[^\r\n]*$",
                                     "description": what})]


def _bounded(limit: int, what: str) -> Any:
    """Printed text of at most `limit` characters: the deck and the one-pager set it in small
    type beside or under a picture, where longer text would crowd out the picture itself."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=limit),
                     WithJsonSchema({"type": "string", "minLength": 1, "maxLength": limit,
                                     "pattern": r"\S", "description": what})]


MAX_CAPTION_CHARS = 200
MAX_SOURCE_CHARS = 120
MAX_CREDIT_CHARS = 120


class KeyFigure(_Strict):
    """A number a reader should take away, printed big, with what it counts."""

    value: _short_line(12, "The number as printed, e.g. '97%', '$1.2bn', '3 of 5'.") = Field(
        description="The number as printed, at most 12 characters: '97%', '$1.2bn'.")
    label: _short_line(90, "What the number counts, one line.") = Field(
        description="What the number counts, one line of at most 90 characters.")
    source: _bounded(MAX_SOURCE_CHARS, "Where the number comes from.") | None = Field(
        None, description="Where the number comes from, e.g. 'WFP, 2023'; printed in small "
        f"type, at most {MAX_SOURCE_CHARS} characters.")


def _country_code(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    from reportgen.figures.countries import lookup, suggest

    code = value.strip()
    country = lookup(code) if 2 <= len(code) <= 3 and code.isalpha() else None
    if country is None:
        guess = suggest(code)
        hint = (f"; use {guess}" if guess else
                "; look it up in ISO 3166-1 (e.g. IQ for Iraq, YE for Yemen)")
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 or alpha-3 country code"
                         + hint)
    return country.alpha2


CountryCode = Annotated[str, BeforeValidator(_country_code), WithJsonSchema(
    {"type": "string", "pattern": "^[A-Za-z]{2,3}$",
     "description": "ISO 3166-1 alpha-2 or alpha-3 code, e.g. IQ or IRQ."})]


def _degrees(value: Any) -> Any:
    """A latitude or longitude is a YAML number: `true` is not 1 and "33.3" is not a number
    (a quoted value is usually a pasted one, worth a second look)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number of degrees such as 33.31, got {str(value).lower()}")
    if isinstance(value, str):
        raise ValueError(f"expected a number of degrees such as 33.31, got the text {value!r}; "
                         "write the number without quotes")
    if not isinstance(value, (int, float)):
        got = ("nothing" if value is None else "a list" if isinstance(value, list) else
               "a mapping" if isinstance(value, dict) else "a date" if isinstance(value, dt.date)
               else "something else")
        raise ValueError(f"expected a number of degrees such as 33.31, got {got}")
    return value


Degrees = Annotated[float, BeforeValidator(_degrees)]


class MapPlace(_Strict):
    """A point marked and labelled on the locator map."""

    name: _short_line(40, "The place's name as printed on the map.") = Field(
        description="The place's name as printed on the map, at most 40 characters.")
    lat: Degrees = Field(ge=-90, le=90, allow_inf_nan=False,
                         description="Latitude in decimal degrees, a number (not quoted), north "
                         "positive (-90 to 90); the place must lie inside the map's frame.")
    lon: Degrees = Field(ge=-180, le=180, allow_inf_nan=False,
                         description="Longitude in decimal degrees, a number (not quoted), east "
                         "positive (-180 to 180).")


class LocatorMap(_Strict):
    """A small map that shows where the brief happens: the country shaded among its
    neighbours, with up to eight places marked."""

    country: CountryCode = Field(description="The country to shade: ISO 3166-1 alpha-2 or "
                                 "alpha-3 code (YE or YEM).")
    region: list[CountryCode] | None = Field(
        None, max_length=30, description="Countries drawn in a tint as context (codes); by "
        "default the country's land neighbours. Other land in the frame is drawn plain.")
    places: list[MapPlace] = Field(default_factory=list, max_length=8,
                                   description="At most 8 labelled points.")
    caption: _bounded(MAX_CAPTION_CHARS, "Caption under the map.") | None = Field(
        None, description=f"Caption under the map, at most {MAX_CAPTION_CHARS} characters.")

    @field_validator("country")
    @classmethod
    def _can_be_mapped(cls, value: str) -> str:
        from reportgen.figures.countries import lookup
        from reportgen.figures.geo import map_problem

        country = lookup(value)
        problem = map_problem(country) if country is not None else None
        if problem:
            raise ValueError(problem)
        return value


class Picture(_Strict):
    """A photograph or chart, embedded as it is."""

    path: Annotated[str, StringConstraints(min_length=1, max_length=1000)] = Field(
        description="PNG or JPEG file, relative to the brief's folder and inside it "
        "(at most 10 MB and 25 megapixels).")
    alt: _short_line(250, "What the picture shows, for readers who cannot see it.") = Field(
        description="Alt text: what the picture shows, for readers who cannot see it "
        "(at most 250 characters).")
    caption: _bounded(MAX_CAPTION_CHARS, "Caption printed with the picture.") | None = Field(
        None, description="Caption printed with the picture, at most "
        f"{MAX_CAPTION_CHARS} characters.")
    credit: _bounded(MAX_CREDIT_CHARS, "Credit line, e.g. 'Photo: UKMTO'.") | None = Field(
        None, description=f"Credit line, e.g. 'Photo: UKMTO', at most {MAX_CREDIT_CHARS} "
        "characters.")


class Brief(_Strict):
    """A structured brief (format version 1.1: version 1 with key figures, a map and
    images; every version 1 brief is a valid 1.1 brief)."""

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=150)] = Field(
        description="Headline, at most 150 characters.")
    subtitle: Line | None = Field(None, description="Deck or standfirst under the headline.")
    date: dt.date = Field(description="Date of the brief, YYYY-MM-DD.")
    profile: Annotated[str, StringConstraints(pattern=PROFILE_NAME)] = Field(
        "mei", description="Organisation profile in templates/ (folder name).")
    authors: list[Line] = Field(default_factory=list, description="Authors, as printed.")
    memo: Memo = Field(default_factory=Memo, description="DOCX memo header lines.")
    summary: RichText = Field(description="The bottom line, one to three sentences.")
    situation: RichText = Field(description="What happened.")
    actors: list[Actor] = Field(min_length=1, description="Who matters (at least one).")
    leverage: Leverage = Field(description="Who holds leverage and what it is.")
    outlook: Annotated[
        # Tag names hold "[" so that error locations drop them like pydantic's own parts.
        Annotated[RichText, Tag("[text]")] | Annotated[
            list[OutlookItem], Tag("[list]"), Field(min_length=1)],
        Discriminator(lambda v: "[list]" if isinstance(v, list) else "[text]"),
        AfterValidator(lambda v: _outlook(v)),
        WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1, "pattern": r"\S"},
                                  {"type": "array", "minItems": 1, "items": _ITEM_SCHEMA}],
                        "description": _TEXT_HELP}),
    ] = Field(description="What comes next: text, or a list of items (each one paragraph).")
    sources: list[Source] = Field(default_factory=list, description="Sources drawn on.")
    key_figures: list[KeyFigure] | None = Field(
        None, min_length=1, max_length=4,
        description="1 to 4 numbers printed big under the bottom line (format 1.1).")
    map: LocatorMap | None = Field(None, description="A locator map (format 1.1).")
    images: list[Picture] = Field(default_factory=list, max_length=3,
                                  description="At most 3 pictures (format 1.1).")
    language: str = Field(
        "en", description="Document language as a BCP 47 tag, e.g. en, en-GB, fr-CA. The "
        "documents' labels and dates are in English, French or Arabic (en, fr, ar); another "
        "language gets English labels and dates in its own locale.",
        json_schema_extra={"pattern": LANGUAGE_TAG})

    @field_validator("language")
    @classmethod
    def _bcp47(cls, value: str) -> str:
        if not matches(LANGUAGE_TAG, value):
            raise ValueError(f"{value!r} is not a BCP 47 language tag such as 'en' or 'en-GB'")
        return value

    def text_fields(self) -> list[tuple[tuple[str | int, ...], str]]:
        """(key path, printed text) of every field that ends up in a document."""
        out: list[tuple[tuple[str | int, ...], str]] = [
            (("title",), self.title), (("subtitle",), self.subtitle or ""),
            (("summary",), self.summary.plain), (("situation",), self.situation.plain),
            (("outlook",), self.outlook.plain), (("leverage", "holder"), self.leverage.holder)]
        out += [(("authors", i), a) for i, a in enumerate(self.authors)]
        out += [(("memo", k), v or "") for k, v in self.memo.model_dump(by_alias=True).items()]
        out += [(("leverage", "points", i), p.plain) for i, p in enumerate(self.leverage.points)]
        for i, a in enumerate(self.actors):
            out += [(("actors", i, "name"), a.name), (("actors", i, "role"), a.role or ""),
                    (("actors", i, "affiliation"), a.affiliation or ""),
                    (("actors", i, "stance"), a.stance.plain if a.stance else ""),
                    (("actors", i, "quote"), plain(a.quote) if a.quote else ""),
                    (("actors", i, "quote_source"), a.quote_source or "")]
        for i, s in enumerate(self.sources):
            out += [(("sources", i, "title"), s.title),
                    (("sources", i, "publisher"), s.publisher or "")]
        for i, k in enumerate(self.key_figures or ()):
            out += [(("key_figures", i, "value"), k.value), (("key_figures", i, "label"), k.label),
                    (("key_figures", i, "source"), k.source or "")]
        if self.map is not None:
            out += [(("map", "caption"), self.map.caption or "")]
            out += [(("map", "places", i, "name"), p.name) for i, p in enumerate(self.map.places)]
        for i, p in enumerate(self.images):
            out += [(("images", i, "alt"), p.alt), (("images", i, "caption"), p.caption or ""),
                    (("images", i, "credit"), p.credit or "")]
        return [(k, v) for k, v in out if v]


def _outlook(value: Text | list[Text]) -> Text:
    """Outlook as a list: each item (one paragraph, checked) becomes one bullet."""
    if isinstance(value, Text):
        return value
    items = tuple(item.blocks[0].spans for item in value)
    return Text((ListBlock(items),), "\n".join(f"- {item.source}" for item in value))


__all__ = ["Actor", "Brief", "KeyFigure", "Leverage", "LocatorMap", "MapPlace", "Memo",
           "Paragraph", "Picture", "Source", "Text"]
