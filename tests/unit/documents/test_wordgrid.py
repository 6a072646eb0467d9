"""wordgrid: tables read from word positions (tables printed without inner rules, OCR without rulings)."""

from __future__ import annotations

from extract.documents.wordgrid import Word, block_table, group_lines, tables_from_lines, words_from_chars


def _line(y: float, *items: tuple[float, str]) -> list[Word]:
    """Words at height ``y`` (12 units tall), each (x0, text) with a width of 12 per character."""
    return [Word(text, x, y, x + 12 * len(text), y + 12) for x, text in items]


def _t2_words() -> list[Word]:
    return [
        *_line(0, (10, "信息内容"), (200, "本年制发件数"), (320, "本年废止件数"), (440, "现行有效件数")),
        *_line(30, (10, "规章"), (230, "1"), (350, "0"), (466, "11")),
        *_line(60, (10, "行政规范性文件"), (224, "8"), (344, "26"), (466, "66")),
    ]


def test_columns_come_from_numbers_and_headers_fall_into_them():
    (table, used), = tables_from_lines(group_lines(_t2_words()))
    assert len(used) == 3
    assert [table.row_texts(r) for r in range(table.n_rows)] == [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", "11"],
        ["行政规范性文件", "8", "26", "66"],
    ]


def test_a_printed_blank_is_an_empty_cell_of_its_column():
    words = [w for w in _t2_words() if not (w.text == "0" and w.y0 == 30)]
    table = block_table(group_lines(words))
    assert table.row_texts(1) == ["规章", "1", "", "11"]


def test_a_header_centred_over_several_columns_spans_them():
    words = [
        *_line(0, (150, "申请人情况" * 4 + "申请人")),  # printed across the three value columns
        *_line(30, (10, "项目"), (200, "自然人"), (300, "法人"), (400, "总计")),
        *_line(60, (10, "一、本年新收"), (210, "5"), (310, "2"), (410, "7")),
        *_line(90, (10, "二、上年结转"), (210, "1"), (310, "0"), (410, "1")),
    ]
    table = block_table(group_lines(words))
    head = table.grid[0]
    assert head[0].text == "项目" and head[0].rowspan == 2  # the label header reaches up beside the span
    assert head[1] is head[2] is head[3] and head[1].colspan == 3
    assert table.row_texts(2) == ["一、本年新收", "5", "2", "7"]


def test_two_numbers_in_one_column_stay_two_numbers():
    words = [
        *_line(0, (10, "规章"), (200, "660 663"), (400, "1")),  # one cell printing two numbers
        *_line(30, (10, "规范性文件"), (210, "5"), (400, "2")),
    ]
    table = block_table(group_lines(words))
    assert table.row_texts(0)[1] == "660 663"


def test_running_text_is_not_a_table():
    words = [*_line(0, (10, "全市在运维政务新媒体共计95个，合格率均为100%。")),
             *_line(30, (10, "全年组织4次政府信息公开栏目全覆盖检查。"))]
    assert tables_from_lines(group_lines(words)) == []


def test_characters_become_words_at_column_gaps():
    chars = [{"text": t, "x0": x, "x1": x + 10, "top": 0, "bottom": 10, "size": 10}
             for x, t in [(0, "规"), (10, "章"), (100, "1"), (200, "1"), (210, "2")]]
    assert [w.text for w in words_from_chars(chars)] == ["规章", "1", "12"]
