"""Safe YAML loading that remembers where every key and value came from.

PyYAML composes the node graph (no object construction); we then walk it ourselves so that:
- only plain YAML types are accepted (any explicit tag such as `!!python/object` is an error),
- duplicate keys are errors instead of silently keeping the last one,
- alias expansion is bounded in values and in characters, so an "alias bomb" cannot eat memory,
- lists and mappings nest at most MAX_DEPTH deep, checked while PyYAML composes (it recurses, so
  a 1 KB file of brackets would exhaust the stack) and again after aliases (`&r [*r]`),
- the file is read only if it is a regular file, and never past MAX_FILE_BYTES,
- control characters that no document format can hold are reported with the field's key path,
- every problem is collected (not just the first) with line:col of the offending key or value.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reportgen.errors import Diagnostic, InputError, UsageError
from reportgen.fsio import NotRegularFile, TooLarge, read_bounded

KeyPath = tuple[str | int, ...]

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 20_000  # after alias expansion; a real brief has a few hundred
# Characters of all keys and scalars after alias expansion: twice what the file may hold, so
# aliases can save typing but one long anchored text repeated thousands of times is refused.
MAX_EXPANDED_CHARS = 2 * MAX_FILE_BYTES
# Lists and mappings inside each other; a brief uses three levels (actors: - name: …).
MAX_DEPTH = 20
# Paragraphs and list items in all the text of a brief: the sample has about 30, a long
# report a few hundred. Markdown parsing and layout cost per block, so 100,000 one-letter list
# items (1 MB) took every writer 8-14 s; counted before any Markdown is parsed.
MAX_TEXT_BLOCKS = 5_000
# A list item, or a blank line that starts a paragraph (one that starts a list item is not
# counted twice).
_ITEM = r"[ \t]*(?:[-*+]|[0-9]{1,9}[.)])[ \t]"
_BLOCK_STARTS = re.compile(rf"^{_ITEM}|\n[ \t]*\n(?!{_ITEM})", re.MULTILINE)

# Scalars keep the meaning YAML's core schema gives them; anything else is refused.
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}

# C0 controls other than tab/newline/carriage return, DEL and the C1 controls, U+FFFE/U+FFFF
# and lone surrogates: XML (DOCX, PPTX) cannot hold them (or only as discouraged characters)
# and they have no meaning in a PDF either.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# PyYAML's reader refuses raw control characters before we could name the field, so raw
# ones are swapped for this private-use sentinel first and reported when the walk finds them.
_SENTINEL = "\U000f0000"


def format_key_path(path: KeyPath) -> str:
    out = ""
    for part in path:
        if not isinstance(part, int) and not part.isprintable():
            part = repr(part)[1:-1]  # a key with a newline must not break the message's line
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe_char(ch: str) -> str:
    name = unicodedata.name(ch, "a control character")
    return f"U+{ord(ch):04X} ({name})"


def control_message(ch: str, count: int = 1) -> str:
    """Why `ch` (the first of `count`) is refused; a C1 control usually means Windows-1252
    text pasted as UTF-8."""
    what = (f"the control character {describe_char(ch)}" if count == 1 else
            f"{count:,} control characters, the first {describe_char(ch)}")
    message = f"contains {what}, which no document format can hold; "
    if "\x80" <= ch <= "\x9f":
        try:
            meant = bytes([ord(ch)]).decode("cp1252")
        except UnicodeDecodeError:
            return message + ("the text looks like Windows-1252 pasted as UTF-8; retype the "
                              "character there")
        return message + (f"the text looks like Windows-1252 pasted as UTF-8 (U+{ord(ch):04X} "
                          f"is probably a {meant}); type {meant} instead")
    return message + ("delete it" if count == 1 else "delete them")


def _shown(text: str, raw: list[str]) -> str:
    """`text` with each control character (or sentinel standing for raw `raw[i]`) as <U+XXXX>."""
    chars = iter(raw)
    out = []
    for ch in text:
        if ch == _SENTINEL:
            ch = next(chars, ch)
        out.append(f"<U+{ord(ch):04X}>" if _FORBIDDEN.fullmatch(ch) or ch == _SENTINEL else ch)
    return "".join(out)


@dataclass
class Loaded:
    """A YAML mapping as plain Python data plus the position of every key and value."""

    source: str
    data: Any
    errors: list[Diagnostic] = field(default_factory=list)
    value_pos: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    key_pos: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    # Keys the loader already reported (a control character in the key): model validation
    # must not add "unknown key" for them.
    explained: set[KeyPath] = field(default_factory=set)

    def position(self, path: KeyPath, of_key: bool = False) -> tuple[int, int]:
        """Line/col of the value at `path` (or its key); falls back to the nearest parent."""
        table = self.key_pos if of_key else self.value_pos
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.value_pos:
                return self.value_pos[probe]
            probe = probe[:-1]
        return self.value_pos.get((), (1, 1))

    def diagnostic(self, path: KeyPath, message: str, *, of_key: bool = False,
                   level: str = "error") -> Diagnostic:
        line, col = self.position(path, of_key)
        return Diagnostic(self.source, line, col, format_key_path(path), message, level)


class _Walker:
    def __init__(self, loaded: Loaded, raw_controls: dict[int, tuple[int, int, str]],
                 what: str):
        self.loaded = loaded
        self.what = what
        self.raw_controls = raw_controls
        self.raw_index = sorted(raw_controls)
        self.errors: list[Diagnostic] = []
        self.visited = 0
        self.chars = 0
        self.blocks = 0
        self.seen: set[int] = set()
        self.aliased = False  # whether any node was reached twice, for the messages
        self.open: set[int] = set()  # lists and mappings being walked, to catch `&r [*r]`
        self.constructor = yaml.constructor.SafeConstructor()
        self.resolver = yaml.resolver.Resolver()

    def error(self, mark: yaml.Mark, path: KeyPath, message: str) -> None:
        self.errors.append(
            Diagnostic(self.loaded.source, mark.line + 1, mark.column + 1,
                       format_key_path(path), message)
        )

    def count(self, node: yaml.Node, path: KeyPath, *, is_key: bool = False) -> bool:
        """Bound alias expansion: values visited, and characters of every key and scalar.
        True if the node was met before (through an alias)."""
        again = id(node) in self.seen
        self.seen.add(id(node))
        self.aliased = self.aliased or again
        if not is_key:
            self.visited += 1
            if self.visited > MAX_NODES:
                size = (f"expands to more than {MAX_NODES:,} values (aliases * and & "
                        "repeated)" if self.aliased else f"holds more than {MAX_NODES:,} values")
                raise _Refused(node, path, again, f"the document {size}; refusing to load it")
        if isinstance(node, yaml.ScalarNode):
            self.chars += len(node.value)
            self.blocks += len(_BLOCK_STARTS.findall(node.value)) if "\n" in node.value else 0
            if self.blocks > MAX_TEXT_BLOCKS:
                raise _Refused(node, path, again,
                               f"the brief's text holds more than {MAX_TEXT_BLOCKS:,} "
                               "paragraphs and list items; a brief is read in minutes: "
                               "shorten it or split it into several briefs")
            if self.chars > MAX_EXPANDED_CHARS:
                raise _Refused(node, path, again,
                               f"the document expands to more than {MAX_EXPANDED_CHARS:,} "
                               "characters of text (aliases * and & repeated); refusing to "
                               "load it")
        return again

    def walk(self, node: yaml.Node, path: KeyPath) -> Any:
        again = self.count(node, path)
        self.loaded.value_pos.setdefault(path, (node.start_mark.line + 1,
                                                node.start_mark.column + 1))
        if node.tag not in _PLAIN_TAGS:
            self.error(node.start_mark, path,
                       f"YAML tag {_short_tag(node.tag)} is not allowed; briefs hold plain "
                       "text, numbers, lists and mappings only")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        # The composer bounded the nesting as written; an alias can still put a deep list
        # inside another, or inside itself.
        if id(node) in self.open:
            raise _Refused(node, path, True,
                           "an alias (*) here stands for a list or mapping that contains it, "
                           "so it never ends; refusing to load it")
        if len(path) >= MAX_DEPTH:
            raise _Refused(node, path, again, _too_deep(self.what))
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.walk_mapping(node, path)
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def walk_mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.error(key_node.start_mark, path,
                           "merge keys (<<) are not supported; write the keys out in full")
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                self.error(key_node.start_mark, path, "keys must be plain words")
                continue
            self.count(key_node, path, is_key=True)
            key = self.key(key_node, path)
            if key is None:
                continue
            child = (*path, key)
            if key in out:
                first = self.loaded.key_pos[child]
                self.error(key_node.start_mark, child,
                           f"duplicate key {key!r} (first given at line {first[0]})")
                continue
            self.loaded.key_pos[child] = (key_node.start_mark.line + 1,
                                          key_node.start_mark.column + 1)
            out[key] = self.walk(value_node, child)
        return out

    def key(self, node: yaml.ScalarNode, path: KeyPath) -> str | None:
        """The key as text; one with control characters is reported at the key (shown with
        <U+XXXX>) and kept without them, so validation neither repeats nor garbles it."""
        key = str(self.construct(node, path))
        raw = [ch for _line, _col, ch in self.raw_in(node)]
        if not raw and not _FORBIDDEN.search(key):
            return key
        shown = _shown(key, raw)
        bad = raw[0] if raw else _FORBIDDEN.search(key).group()
        self.error(node.start_mark, (*path, shown), "the key " + control_message(bad))
        clean = _FORBIDDEN.sub("", key.replace(_SENTINEL, ""))
        if not clean:
            return None
        self.loaded.explained.add((*path, clean))
        return clean

    def raw_in(self, node: yaml.Node) -> list[tuple[int, int, str]]:
        """Raw control characters (swapped for the sentinel) inside the node's text."""
        lo = bisect.bisect_left(self.raw_index, node.start_mark.index)
        hi = bisect.bisect_left(self.raw_index, node.end_mark.index)
        return [self.raw_controls[i] for i in self.raw_index[lo:hi]]

    def construct(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        """The scalar's value under its tag. When that fails on a tag YAML guessed (2017-13-45
        looks like a date but is not), its text, and the model says what is wrong at the
        field; on a tag the author wrote (`!!bool maybe`), an error here. PyYAML's
        constructors fail on such text with KeyError, AttributeError or IndexError as well
        as ValueError."""
        try:
            return self.constructor.construct_object(node)
        except (ValueError, KeyError, IndexError, AttributeError, TypeError, OverflowError,
                yaml.constructor.ConstructorError):
            guessed = self.resolver.resolve(yaml.ScalarNode, node.value, (True, False))
            if node.style is not None or guessed != node.tag:
                tag = _short_tag(node.tag)
                self.error(node.start_mark, path, f"{node.value!r} is not a valid {tag}; remove "
                           f"the tag {tag} or correct the value")
            return node.value

    def scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        value = self.construct(node, path)
        if isinstance(value, str):
            self.check_characters(node, path, value)
        return value

    def check_characters(self, node: yaml.ScalarNode, path: KeyPath, value: str) -> None:
        raw = self.raw_in(node)
        if raw:  # the first one at its line:col; a value full of them is one error, not many
            line, col, ch = raw[0]
            self.errors.append(Diagnostic(self.loaded.source, line, col, format_key_path(path),
                                          control_message(ch, len(raw))))
            return
        escaped = _FORBIDDEN.search(value)
        if escaped:
            self.error(node.start_mark, path, control_message(escaped.group()))


class _Refused(Exception):
    """A document that is not loaded at all (too big, too deep, endless): one error."""

    def __init__(self, node: yaml.Node, path: KeyPath, again: bool, message: str):
        self.node, self.path, self.again, self.message = node, path, again, message


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark, path: KeyPath):
        self.mark, self.path = mark, path


class _BoundedComposer(yaml.SafeLoader):
    """SafeLoader whose composer stops at the list or mapping that would be nested deeper
    than MAX_DEPTH, before recursing into it, and knows the key path it is at."""

    def __init__(self, text: str):
        super().__init__(text)
        self.depth = 0
        self.path: list[str | int] = []

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if parent is None:
            return super().compose_node(parent, index)
        # index: the position in a list, the key node of a mapping value, None for a key.
        self.path.append(index if isinstance(index, int) else
                         str(index.value) if isinstance(index, yaml.ScalarNode) else "?")
        try:
            return super().compose_node(parent, index)
        finally:
            self.path.pop()

    def compose_sequence_node(self, anchor: str | None) -> yaml.Node:
        self.enter()
        try:
            return super().compose_sequence_node(anchor)
        finally:
            self.depth -= 1

    def compose_mapping_node(self, anchor: str | None) -> yaml.Node:
        self.enter()
        try:
            return super().compose_mapping_node(anchor)
        finally:
            self.depth -= 1

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep(self.peek_event().start_mark, tuple(self.path))


def _too_deep(what: str) -> str:
    return (f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; a {what} "
            "needs only a few levels: check the indentation and the brackets")


def _compose(source: str, text: str, what: str) -> yaml.Node | None:
    """PyYAML's node graph, or InputError with one positioned line."""
    try:
        loader = _BoundedComposer(text)  # inside the try: its reader may refuse a character
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except _TooDeep as deep:
        raise InputError([Diagnostic(source, deep.mark.line + 1, deep.mark.column + 1,
                                     format_key_path(deep.path), _too_deep(what))]) from None
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark
        if exc.context == "expected a single document in the stream" and mark is not None:
            raise InputError([Diagnostic(
                source, mark.line + 1, mark.column + 1, "",
                f"the file holds more than one YAML document (the '---' at line "
                f"{mark.line + 1} starts another); a {what} is one document")]) from None
        raise _syntax_error(source, exc) from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(source, exc) from None
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        ch = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        raise InputError([Diagnostic(
            source, line, col, "",
            f"YAML error: the character {describe_char(ch)} is not allowed in a YAML file; "
            "delete it")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Diagnostic(source, 1, 1, "",
                                     f"YAML error: {' '.join(str(exc).split())}")]) from None


def _syntax_error(source: str, exc: yaml.MarkedYAMLError) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "YAML syntax error"
    context = f" {exc.context}" if exc.context else ""
    return InputError([Diagnostic(source, line, col, "", f"YAML syntax error: {problem}{context}")])


def _nearest_key(loaded: Loaded, path: KeyPath) -> tuple[int, int]:
    """Position of the innermost mapping key on `path` (an alias has no position of its own)."""
    probe = tuple(path)
    while probe:
        if probe in loaded.key_pos:
            return loaded.key_pos[probe]
        probe = probe[:-1]
    return 1, 1


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# UTF-32 first: its little-endian byte order mark starts like UTF-16's.
_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
         (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def _wide_encoding(raw: bytes) -> str | None:
    """"UTF-16" or "UTF-32" if the bytes look like it: a byte order mark, or (without one)
    NUL bytes that fall on the same places of every 2 or 4 bytes, as the high bytes of ASCII
    keys and spaces do. Such a file decodes as UTF-8 full of NULs and would get messages
    about control characters or a mapping that is not there."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    head = raw[:4096]
    nuls = [i % 4 for i, byte in enumerate(head) if byte == 0]
    # UTF-8 text holds a NUL only by mistake; UTF-16 of Arabic prose has one per space.
    if len(nuls) < 8 or len(nuls) * 50 < len(head):
        return None

    def share(*residues: int) -> float:
        return sum(1 for r in nuls if r in residues) / len(nuls)

    if share(0, 2) >= 0.9 or share(1, 3) >= 0.9:
        return "UTF-16"
    if share(3) <= 0.1 or share(0) <= 0.1:  # the low byte of a UTF-32 character is rarely 0
        return "UTF-32"
    return None


def decode(source: str, raw: bytes) -> str:
    wide = _wide_encoding(raw)
    if wide:
        raise InputError([Diagnostic(
            source, 1, 1, "", f"the file is not UTF-8; it looks like {wide}. Save it as UTF-8 "
            "(in most editors: Save As or Save with Encoding, then UTF-8)")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8")
        line, col = _line_col(good, len(good))
        raise InputError([Diagnostic(
            source, line, col, "",
            f"byte 0x{raw[exc.start]:02X} is not valid UTF-8; save the file as UTF-8")]) from None


class NotAFileError(UsageError):
    """The path names a FIFO, a device, a socket or a folder, not a file to load: a usage error
    (exit 2) for a brief named on the command line; `reason` is the message without the path,
    for callers that report it elsewhere (a profile)."""

    def __init__(self, path: Path, kind: str, what: str):
        self.path = path
        self.reason = f"is {kind}, not a regular file; a {what} is a YAML file"
        super().__init__(f"{path}: {self.reason}")


def load_yaml_mapping(path: Path, what: str = "brief") -> Loaded:
    """Load `path` as a YAML mapping; fatal problems raise InputError (or NotAFileError),
    others are in .errors."""
    source = str(path)
    try:
        raw = read_bounded(path, MAX_FILE_BYTES)
    except NotRegularFile as exc:
        raise NotAFileError(path, exc.kind, what) from None
    except TooLarge as exc:
        raise InputError([Diagnostic(source, 1, 1, "",
                                     f"file is {exc.size:,} bytes; a {what} may be at most "
                                     f"{MAX_FILE_BYTES:,}")]) from None
    except OSError as exc:
        raise InputError([Diagnostic(source, 1, 1, "",
                                     f"cannot read file: {exc.strerror or exc}")]) from None
    return parse_yaml_mapping(source, decode(source, raw), what)


def _with_stray_controls(exc: InputError, source: str,
                         raw_controls: dict[int, tuple[int, int, str]]) -> InputError:
    """A control character before a structural error (a NUL at the very start, say) is its
    likely cause: name it first, at its own position, rather than only the confusing error."""
    if not raw_controls:
        return exc
    line, col, ch = raw_controls[min(raw_controls)]
    if (line, col) > (exc.diagnostics[0].line, exc.diagnostics[0].col):
        return exc
    stray = Diagnostic(source, line, col, "", "the file " + control_message(ch, len(raw_controls)))
    return InputError([stray, *exc.diagnostics])


# Example keys for messages about a file that is not a mapping at all.
_EXAMPLE_KEYS = {"brief": ("title", "date", "summary"),
                 "profile": ("name", "short_name", "disclaimer")}


def parse_yaml_mapping(source: str, text: str, what: str = "brief") -> Loaded:
    raw_controls = {}
    for m in _FORBIDDEN.finditer(text):
        raw_controls[m.start()] = (*_line_col(text, m.start()), m.group())
    if raw_controls:
        text = _FORBIDDEN.sub(_SENTINEL, text)
    loaded = Loaded(source, None)
    try:
        node = _compose(source, text, what)
        first, second, third = _EXAMPLE_KEYS.get(what, _EXAMPLE_KEYS["brief"])
        if node is None:
            raise InputError([Diagnostic(source, 1, 1, "",
                                         f"the file is empty; a {what} is a YAML mapping of "
                                         f"keys such as {first}, {second} and {third}")])
        if not isinstance(node, yaml.MappingNode):
            kind = "list" if isinstance(node, yaml.SequenceNode) else "single value"
            raise InputError([Diagnostic(source, node.start_mark.line + 1,
                                         node.start_mark.column + 1, "",
                                         f"a {what} must be a mapping of keys ({first}: …), "
                                         f"but the file holds a {kind}")])
    except InputError as exc:
        raise _with_stray_controls(exc, source, raw_controls) from None
    walker = _Walker(loaded, raw_controls, what)
    try:
        loaded.data = walker.walk(node, ())
    except _Refused as big:
        if big.again:  # an alias: its node sits at the anchor, so point at the enclosing key
            line, col = _nearest_key(loaded, big.path)
        else:
            line, col = big.node.start_mark.line + 1, big.node.start_mark.column + 1
        raise InputError([Diagnostic(source, line, col, format_key_path(big.path),
                                     big.message)]) from None
    # Problems found while walking are kept, not raised, so that model validation can add its
    # own and the user sees every error in one pass.
    loaded.errors = walker.errors
    return loaded
