"""The bidi algorithm per line and shaped widths: the pieces the PDF writer draws, in order."""

from __future__ import annotations

import pytest
from bidi import get_display

from reportgen import shaping
from reportgen.bidi_lines import levels, mainly_rtl, visual_pieces
from reportgen.fonts import family


def display(text: str, rtl: bool, cuts=()) -> str:
    """The line as it reads on the page, left to right (brackets not mirrored)."""
    return "".join(text[p.start:p.end][::-1] if p.rtl else text[p.start:p.end]
                   for p in visual_pieces(text, rtl, cuts))


LINES = [
    ("قال وزير الخارجية الأمريكي ريكس تيلرسون في 22 أكتوبر 2017 إن", True),
    ("قال Rex Tillerson إن على الميليشيات العودة إلى ديارها", True),
    ("The PMF, or الحشد الشعبي, answered on 23 October", False),
    ("نشر موقع https://www.mei.edu التحليل", True),
    ("على U.S. أن تنسحب", True),
]


@pytest.mark.parametrize(("text", "rtl"), LINES)
def test_pieces_give_the_reference_display_order(text, rtl):
    assert display(text, rtl) == get_display(text, base_dir="R" if rtl else "L")


def test_a_style_cut_never_changes_the_order_only_splits_a_piece():
    text, rtl = LINES[1]
    cut = text.index("Tillerson")
    pieces = visual_pieces(text, rtl, [cut, cut + 4])
    assert display(text, rtl, [cut, cut + 4]) == get_display(text, base_dir="R")
    assert any(p.start == cut for p in pieces) and any(p.end == cut for p in pieces)


def test_latin_name_in_arabic_line_stays_left_to_right_in_the_middle():
    text = "قال Rex Tillerson إن"
    pieces = visual_pieces(text, True)
    # left to right on the page: إن, then the English name, then قال
    assert [text[p.start:p.end].strip() for p in pieces] == ["إن", "Rex Tillerson", "قال"]
    assert [p.rtl for p in pieces] == [True, False, True]


def test_brackets_around_arabic_stay_with_it():
    text = "الأطراف الفاعلة (تابع)"
    assert set(levels(text, True)) == {1}
    mixed = "قال (Rex Tillerson) إن"
    lv = levels(mixed, True)
    assert lv[mixed.index("(")] == lv[mixed.index(")")] == 1  # the pair mirrors together


def test_trailing_space_takes_the_paragraph_level():
    assert levels("Hello ", True)[-1] == 1
    assert levels("مرحبا ", False)[-1] == 0


def test_mainly_rtl():
    assert mainly_rtl("قال الأمين العام إن Tillerson أخطأ")
    assert not mainly_rtl("Tillerson said الحشد")
    assert not mainly_rtl("2017 — 22")


ARABIC = str(family("Noto Sans Arabic").files["regular"])


def test_shaped_width_differs_from_the_sum_of_isolated_letters():
    from fontTools.ttLib import TTFont

    text = "الحشد الشعبي"
    with TTFont(ARABIC, lazy=True) as font:
        cmap, hmtx = font.getBestCmap(), font["hmtx"]
        isolated = sum(hmtx[cmap[ord(ch)]][0] for ch in text)
    shaped = shaping.units(text, ARABIC)
    assert shaped != isolated
    assert abs(shaped - isolated) / isolated > 0.05  # joined forms are narrower


def test_harakat_take_no_advance_and_sit_on_their_letter():
    bare, marked = shaping.units("كتب", ARABIC), shaping.units("كَتَبَ", ARABIC)
    assert bare == marked
    marks = [g for g in shaping.glyphs("كَتَبَ", ARABIC) if g[2] == 0]
    assert marks and all(g[3] or g[4] for g in marks)  # positioned by GPOS, not at the origin


def test_lam_alef_is_not_two_isolated_letters():
    gids = [g[0] for g in shaping.glyphs("لا", ARABIC)]
    isolated = [g[0] for g in shaping.glyphs("ل", ARABIC)] + \
        [g[0] for g in shaping.glyphs("ا", ARABIC)]
    assert sorted(gids) != sorted(isolated)
