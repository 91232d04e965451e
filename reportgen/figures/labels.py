"""Place the names of marked places beside their dots so that no two labels collide.

Eight positions are tried for each place (right, left, above, below, then the diagonals;
Imhof's order of preference for point labels). A depth-first search over places, most crowded
first, looks for positions that keep every label inside the frame and clear of every dot and
every other label; it is bounded (a map has at most 8 places, and the search at most
`SEARCH_BUDGET` steps), and when no clear layout is found in that budget the greedy layout
that overlaps least is kept and its crowded labels reported (`clear=False`), so a test (and
`validate`) can say which names crowd each other. Units are the caller's (points in the PDF and
the deck, pixels in the memo's picture); y grows downwards. Pure and deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
SEARCH_BUDGET = 20_000


@dataclass(frozen=True)
class PlacedLabel:
    name: str
    x: float  # left edge of the text
    baseline: float
    box: Box  # the text's box, for collision tests
    dot: tuple[float, float]
    clear: bool  # False: no position was free of other labels and dots


# (dx, dy): which side of the dot the label's box sits on, in order of preference.
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
    # Every place's candidate boxes with what they cost on their own (frame, dots).
    candidates: list[list[tuple[float, Box]]] = []
    for index, (name, x, y) in enumerate(places):
        w = measure(name, size)
        options = []
        for dx, dy in _POSITIONS:
            left = x + gap if dx > 0 else x - gap - w if dx < 0 else x - w / 2
            top = y + gap if dy > 0 else y - gap - text_h if dy < 0 else y - text_h / 2
            box = (left, top, left + w, top + text_h)
            cost = _outside(box, width, height, inset) * 4 + sum(
                _overlap(box, dot) for i, dot in enumerate(dots) if i != index)
            options.append((cost, box))
        candidates.append(options)

    order = sorted(range(len(places)), key=lambda i: (_crowding(places, i), i))
    chosen = _search(order, candidates) or _greedy(order, candidates)
    out = []
    for index, (name, x, y) in enumerate(places):
        box = chosen[index]
        own = next(c for c, b in candidates[index] if b == box)
        others = sum(_overlap(box, chosen[j]) for j in chosen if j != index)
        out.append(PlacedLabel(name, box[0], box[1] + ascent, box, (x, y),
                               own == 0 and others == 0))
    return out


def _crowding(places: Sequence[tuple[str, float, float]], i: int) -> float:
    _, x, y = places[i]
    return -sum(1.0 / (1.0 + math.hypot(x - ox, y - oy))
                for j, (_, ox, oy) in enumerate(places) if j != i)


def _search(order: list[int], candidates: list[list[tuple[float, Box]]]) -> dict[int, Box] | None:
    """A clear position for every label, depth first in `order`; None if the budget runs out
    or there is none."""
    chosen: dict[int, Box] = {}
    steps = 0

    def visit(depth: int) -> bool:
        nonlocal steps
        if depth == len(order):
            return True
        index = order[depth]
        for cost, box in candidates[index]:
            steps += 1
            if steps > SEARCH_BUDGET:
                return False
            if cost == 0 and not any(_overlap(box, other) for other in chosen.values()):
                chosen[index] = box
                if visit(depth + 1):
                    return True
                del chosen[index]
        return False

    return dict(chosen) if visit(0) else None


def _greedy(order: list[int], candidates: list[list[tuple[float, Box]]]) -> dict[int, Box]:
    chosen: dict[int, Box] = {}
    for index in order:
        best = min(candidates[index], key=lambda cb: cb[0] + sum(
            _overlap(cb[1], other) for other in chosen.values()))
        chosen[index] = best[1]
    return chosen


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
