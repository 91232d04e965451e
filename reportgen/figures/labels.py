"""Place the names of marked places beside their dots so that no two labels collide.

Eight positions are tried for each place in turn (right, left, above, below, then the
diagonals; Imhof's order for point labels), keeping the first that stays inside the frame and
clear of every dot and every label placed before it. When none is clear, the one that overlaps
least is kept and reported, so a test (and `validate`) can say which names crowd each other.
Units are the caller's (points in the PDF and the deck, pixels in the memo's picture); y grows
downwards. Pure and deterministic: the same places and widths give the same boxes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class PlacedLabel:
    name: str
    x: float  # left edge of the text
    baseline: float
    box: Box  # the text's box, for collision tests
    dot: tuple[float, float]
    clear: bool  # False: no position was free of other labels and dots


# (dx, dy) of the label box's anchor, as multiples of (gap + width) and (gap + height).
_POSITIONS = ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1))


def place_labels(places: Sequence[tuple[str, float, float]], width: float, height: float,
                 size: float, measure: Callable[[str, float], float], *,
                 dot_radius: float, inset: float = 1.0) -> list[PlacedLabel]:
    """`places` are (name, x, y) in the frame's units; `measure(text, size)` is a text width.
    Returns one label a place, in the same order."""
    ascent, descent = 0.72 * size, 0.22 * size
    text_h = ascent + descent
    gap = dot_radius + 0.25 * size
    dots = [(x - dot_radius, y - dot_radius, x + dot_radius, y + dot_radius)
            for _, x, y in places]
    placed: list[PlacedLabel] = []
    for index, (name, x, y) in enumerate(places):
        w = measure(name, size)
        best: tuple[float, Box] | None = None
        for dx, dy in _POSITIONS:
            left = x + gap if dx > 0 else x - gap - w if dx < 0 else x - w / 2
            top = y + gap if dy > 0 else y - gap - text_h if dy < 0 else y - text_h / 2
            box = (left, top, left + w, top + text_h)
            cost = _outside(box, width, height, inset) * 4 + sum(
                _overlap(box, other) for i, other in enumerate(dots) if i != index
            ) + sum(_overlap(box, lab.box) for lab in placed)
            if best is None or cost < best[0] - 1e-9:
                best = (cost, box)
            if cost == 0:
                break
        assert best is not None
        cost, box = best
        placed.append(PlacedLabel(name, box[0], box[1] + ascent, box, (x, y), cost == 0))
    return placed


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _outside(box: Box, width: float, height: float, inset: float) -> float:
    inner = (inset, inset, width - inset, height - inset)
    area = (box[2] - box[0]) * (box[3] - box[1])
    return area - _overlap(box, inner)


def overlaps(a: Box, b: Box) -> bool:
    return _overlap(a, b) > 0
