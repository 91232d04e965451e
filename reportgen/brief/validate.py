"""Turn pydantic's validation errors into `file:line:col: key.path: message` diagnostics.

Used for briefs and organisation profiles alike, so both get the same quality of errors.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reportgen.brief.loader import KeyPath, Loaded, format_key_path, load_yaml_mapping
from reportgen.errors import Diagnostic, InputError
from reportgen.patterns import COLOUR, PROFILE_NAME

M = TypeVar("M", bound=BaseModel)


def load_model(path: Path, model: type[M], what: str) -> tuple[M, Loaded]:
    loaded = load_yaml_mapping(path, what)
    return validate_loaded(loaded, model), loaded


def validate_loaded(loaded: Loaded, model: type[M]) -> M:
    diagnostics = list(loaded.errors)
    already = {d.key for d in diagnostics}
    try:
        instance = model.model_validate(loaded.data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            path = _clean_loc(err["loc"], loaded.data)
            if format_key_path(path) in already or (
                    err["type"] == "extra_forbidden" and path in loaded.explained):
                continue  # the loader already explained this value (bad tag, duplicate key …)
            diagnostics.append(_diagnostic(loaded, model, path, err))
        instance = None
    if diagnostics:
        diagnostics.sort(key=lambda d: (d.line, d.col))
        raise InputError(diagnostics)
    return instance


def _clean_loc(loc: tuple, data: Any) -> KeyPath:
    """Drop pydantic's internal loc parts (function-before[...], union branches)."""
    out: list[str | int] = []
    node = data
    for part in loc:
        in_list = isinstance(part, int) and isinstance(node, list) and part < len(node)
        in_map = isinstance(part, str) and isinstance(node, dict) and part in node
        if in_list or in_map:
            out.append(part)
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict) and not _is_internal(part):
            out.append(part)  # a missing key
            node = None
    return tuple(out)


def _is_internal(part: str) -> bool:
    return "[" in part or part in ("str", "list[str]", "function-before", "function-after")


def _fields_at(model: type[BaseModel], path: KeyPath) -> list[str]:
    from typing import get_origin

    current: Any = model
    mapping_key = False  # the next part is a key of a dict field (labels.fr), not a field
    for part in path:
        if isinstance(part, int) or mapping_key:
            mapping_key = False
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            return []
        mapping_key = get_origin(field.annotation) is dict
        current = _inner_model(field.annotation)
        if current is None:
            return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found:
            return found
    return None


_PATTERN_HINTS = {
    COLOUR: "a colour written as #RRGGBB, e.g. '#12355B'",
    PROFILE_NAME: "a folder name of lowercase letters, digits, - and _",
}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    if hasattr(value, "isoformat"):
        return "a date"
    return "text"


def _diagnostic(loaded: Loaded, model: type[BaseModel], path: KeyPath,
                err: dict) -> Diagnostic:
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = _fields_at(model, path[:-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = (f"did you mean '{close[0]}'?" if close
                else f"allowed keys: {', '.join(allowed)}" if allowed else "")
        return loaded.diagnostic(path, f"unknown key {key!r}" + (f" ({hint})" if hint else ""),
                                 of_key=True)
    if kind == "missing":
        line, col = loaded.position(path[:-1])
        return Diagnostic(loaded.source, line, col, format_key_path(path),
                          "required key is missing")
    if kind in ("string_type", "dataclass_type", "tuple_type"):  # text fields hold parsed Text
        hint = " (put it in quotes)" if isinstance(value, (bool, int, float)) or \
            hasattr(value, "isoformat") else ""
        return loaded.diagnostic(path, f"expected text, got {_kind(value)}{hint}")
    if kind == "string_too_long":
        return loaded.diagnostic(
            path, f"is {len(value)} characters long; at most {ctx.get('max_length')} allowed")
    if kind in ("string_too_short", "too_short"):
        what = "at least one item" if kind == "too_short" else "must not be empty"
        return loaded.diagnostic(path, what if kind != "too_short" else f"needs {what}")
    if kind in ("list_type",):
        return loaded.diagnostic(path, f"expected a list, got {_kind(value)}")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return loaded.diagnostic(path, f"expected a mapping of keys, got {_kind(value)}")
    if kind.startswith("date"):
        return loaded.diagnostic(
            path, f"expected a date as YYYY-MM-DD, got {value!r}")
    if kind == "string_pattern_mismatch":
        expected = _PATTERN_HINTS.get(ctx.get("pattern", ""), f"text matching {ctx.get('pattern')}")
        return loaded.diagnostic(path, f"{value!r} is not allowed here: expected {expected}")
    if kind == "value_error":
        return loaded.diagnostic(path, str(ctx.get("error", err["msg"])))
    return loaded.diagnostic(path, err["msg"][0].lower() + err["msg"][1:])
