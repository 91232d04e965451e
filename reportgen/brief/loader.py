"""Safe YAML loading that remembers where every key and value came from.

PyYAML composes the node graph (no object construction); we then walk it ourselves so that:
- only plain YAML types are accepted (any explicit tag such as `!!python/object` is an error),
- duplicate keys are errors instead of silently keeping the last one,
- alias expansion is bounded in values and in characters, so an "alias bomb" cannot eat memory,
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

from reportgen.errors import Diagnostic, InputError

KeyPath = tuple[str | int, ...]

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 20_000  # after alias expansion; a real brief has a few hundred
# Characters of all keys and scalars after alias expansion: twice what the file may hold, so
# aliases can save typing but one long anchored text repeated thousands of times is refused.
MAX_EXPANDED_CHARS = 2 * MAX_FILE_BYTES

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
    def __init__(self, loaded: Loaded, raw_controls: dict[int, tuple[int, int, str]]):
        self.loaded = loaded
        self.raw_controls = raw_controls
        self.raw_index = sorted(raw_controls)
        self.errors: list[Diagnostic] = []
        self.visited = 0
        self.chars = 0
        self.seen: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def error(self, mark: yaml.Mark, path: KeyPath, message: str) -> None:
        self.errors.append(
            Diagnostic(self.loaded.source, mark.line + 1, mark.column + 1,
                       format_key_path(path), message)
        )

    def count(self, node: yaml.Node, path: KeyPath, *, is_key: bool = False) -> None:
        """Bound alias expansion: values visited, and characters of every key and scalar."""
        again = id(node) in self.seen
        self.seen.add(id(node))
        if not is_key:
            self.visited += 1
            if self.visited > MAX_NODES:
                raise _TooBig(node, path, again,
                              f"the document expands to more than {MAX_NODES:,} values "
                              "(aliases * and & repeated); refusing to load it")
        if isinstance(node, yaml.ScalarNode):
            self.chars += len(node.value)
            if self.chars > MAX_EXPANDED_CHARS:
                raise _TooBig(node, path, again,
                              f"the document expands to more than {MAX_EXPANDED_CHARS:,} "
                              "characters of text (aliases * and & repeated); refusing to load "
                              "it")

    def walk(self, node: yaml.Node, path: KeyPath) -> Any:
        self.count(node, path)
        self.loaded.value_pos.setdefault(path, (node.start_mark.line + 1,
                                                node.start_mark.column + 1))
        if node.tag not in _PLAIN_TAGS:
            self.error(node.start_mark, path,
                       f"YAML tag {_short_tag(node.tag)} is not allowed; briefs hold plain "
                       "text, numbers, lists and mappings only")
            return None
        if isinstance(node, yaml.MappingNode):
            return self.walk_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

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
                           f"duplicate key '{key}' (first given at line {first[0]})")
                continue
            self.loaded.key_pos[child] = (key_node.start_mark.line + 1,
                                          key_node.start_mark.column + 1)
            out[key] = self.walk(value_node, child)
        return out

    def key(self, node: yaml.ScalarNode, path: KeyPath) -> str | None:
        """The key as text; one with control characters is reported at the key (shown with
        <U+XXXX>) and kept without them, so validation neither repeats nor garbles it."""
        key = str(self.constructor.construct_object(node))
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

    def scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        try:
            value = self.constructor.construct_object(node)
        except (ValueError, yaml.constructor.ConstructorError):
            value = node.value  # e.g. 2017-13-45 looks like a date but is not; let the model say so
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


class _TooBig(Exception):
    def __init__(self, node: yaml.Node, path: KeyPath, again: bool, message: str):
        self.node, self.path, self.again, self.message = node, path, again, message


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _compose(source: str, text: str, what: str) -> yaml.Node | None:
    """PyYAML's node graph, or InputError with one positioned line."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
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


def decode(source: str, raw: bytes) -> str:
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


def load_yaml_mapping(path: Path, what: str = "brief") -> Loaded:
    """Load `path` as a YAML mapping; fatal problems raise InputError, others are in .errors."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Diagnostic(source, 1, 1, "", f"cannot read file: {exc.strerror}")]) \
            from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError([Diagnostic(source, 1, 1, "",
                                     f"file is {len(raw):,} bytes; a {what} may be at most "
                                     f"{MAX_FILE_BYTES:,}")])
    return parse_yaml_mapping(source, decode(source, raw), what)


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
    node = _compose(source, text, what)
    first, second, third = _EXAMPLE_KEYS.get(what, _EXAMPLE_KEYS["brief"])
    if node is None:
        raise InputError([Diagnostic(source, 1, 1, "",
                                     f"the file is empty; a {what} is a YAML mapping of keys "
                                     f"such as {first}, {second} and {third}")])
    if not isinstance(node, yaml.MappingNode):
        kind = "list" if isinstance(node, yaml.SequenceNode) else "single value"
        raise InputError([Diagnostic(source, node.start_mark.line + 1,
                                     node.start_mark.column + 1, "",
                                     f"a {what} must be a mapping of keys ({first}: …), "
                                     f"but the file holds a {kind}")])
    walker = _Walker(loaded, raw_controls)
    try:
        loaded.data = walker.walk(node, ())
    except _TooBig as big:
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
