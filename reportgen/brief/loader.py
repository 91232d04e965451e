"""Safe YAML loading that remembers where every key and value came from.

PyYAML composes the node graph (no object construction); we then walk it ourselves so that:
- only plain YAML types are accepted (any explicit tag such as `!!python/object` is an error),
- duplicate keys are errors instead of silently keeping the last one,
- alias expansion is bounded, so an "alias bomb" cannot eat memory,
- control characters that no document format can hold are reported with the field's key path,
- every problem is collected (not just the first) with line:col of the offending key or value.
"""

from __future__ import annotations

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

# C0 controls other than tab/newline/carriage return, U+FFFE/U+FFFF and lone surrogates:
# XML (DOCX, PPTX) cannot hold them and they have no meaning in a PDF either.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
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


@dataclass
class Loaded:
    """A YAML mapping as plain Python data plus the position of every key and value."""

    source: str
    data: Any
    errors: list[Diagnostic] = field(default_factory=list)
    value_pos: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    key_pos: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

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
        self.errors: list[Diagnostic] = []
        self.visited = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def error(self, mark: yaml.Mark, path: KeyPath, message: str) -> None:
        self.errors.append(
            Diagnostic(self.loaded.source, mark.line + 1, mark.column + 1,
                       format_key_path(path), message)
        )

    def walk(self, node: yaml.Node, path: KeyPath) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise _TooBig(node, path)
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
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                self.error(key_node.start_mark, path, "keys must be plain words")
                continue
            key = str(self.constructor.construct_object(key_node))
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

    def scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        try:
            value = self.constructor.construct_object(node)
        except (ValueError, yaml.constructor.ConstructorError):
            value = node.value  # e.g. 2017-13-45 looks like a date but is not; let the model say so
        if isinstance(value, str):
            self.check_characters(node, path, value)
        return value

    def check_characters(self, node: yaml.ScalarNode, path: KeyPath, value: str) -> None:
        raw = [pos for idx, pos in self.raw_controls.items()
               if node.start_mark.index <= idx < node.end_mark.index]
        for line, col, ch in raw:
            self.errors.append(Diagnostic(
                self.loaded.source, line, col, format_key_path(path),
                f"contains the control character {describe_char(ch)}, which no document "
                "format can hold; delete it"))
        escaped = _FORBIDDEN.search(value)
        if escaped and not raw:
            self.error(node.start_mark, path,
                       f"contains the control character {describe_char(escaped.group())}, "
                       "which no document format can hold; delete it")


class _TooBig(Exception):
    def __init__(self, node: yaml.Node, path: KeyPath):
        self.node, self.path = node, path


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


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


def parse_yaml_mapping(source: str, text: str, what: str = "brief") -> Loaded:
    raw_controls = {}
    for m in _FORBIDDEN.finditer(text):
        raw_controls[m.start()] = (*_line_col(text, m.start()), m.group())
    if raw_controls:
        text = _FORBIDDEN.sub(_SENTINEL, text)
    loaded = Loaded(source, None)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "YAML syntax error"
        context = f" {exc.context}" if exc.context else ""
        raise InputError([Diagnostic(source, line, col, "",
                                     f"YAML syntax error: {problem}{context}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Diagnostic(source, 1, 1, "", f"YAML error: {exc}")]) from None
    if node is None:
        raise InputError([Diagnostic(source, 1, 1, "",
                                     f"the file is empty; a {what} is a YAML mapping of keys "
                                     "such as title, date and summary")])
    if not isinstance(node, yaml.MappingNode):
        kind = "list" if isinstance(node, yaml.SequenceNode) else "single value"
        raise InputError([Diagnostic(source, node.start_mark.line + 1,
                                     node.start_mark.column + 1, "",
                                     f"a {what} must be a mapping of keys (title: …), "
                                     f"but the file holds a {kind}")])
    walker = _Walker(loaded, raw_controls)
    try:
        loaded.data = walker.walk(node, ())
    except _TooBig as big:
        mark = big.node.start_mark
        raise InputError([Diagnostic(
            source, mark.line + 1, mark.column + 1, format_key_path(big.path),
            f"the document expands to more than {MAX_NODES:,} values (aliases * and & "
            "repeated); refusing to load it")]) from None
    # Problems found while walking are kept, not raised, so that model validation can add its
    # own and the user sees every error in one pass.
    loaded.errors = walker.errors
    return loaded
