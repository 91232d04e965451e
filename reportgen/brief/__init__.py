"""Briefs: loading with positions (loader), the model (model), inline markup (markup)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportgen.brief.loader import Loaded
from reportgen.brief.model import Brief
from reportgen.brief.validate import load_model


@dataclass(frozen=True)
class LoadedBrief:
    brief: Brief
    path: Path
    where: Loaded  # positions of every key, for warnings that point into the file


def load_brief(path: Path) -> LoadedBrief:
    """Load and validate a brief, or raise InputError listing every problem in it."""
    brief, where = load_model(Path(path), Brief, "brief")
    return LoadedBrief(brief, Path(path), where)


__all__ = ["Brief", "LoadedBrief", "load_brief"]
