"""The document plan: one format-free Document per brief, read by every writer."""

from reportgen.document.build import build_document, format_date
from reportgen.document.labels import Labels, labels_for, supported_languages
from reportgen.document.model import (
    ActorEntry,
    Closing,
    Document,
    MemoLine,
    Meta,
    Section,
    SourceEntry,
)

__all__ = ["ActorEntry", "Closing", "Document", "Labels", "MemoLine", "Meta", "Section",
           "SourceEntry", "build_document", "format_date", "labels_for", "supported_languages"]
