"""The SQL examples of the README's warehouse section run against the 示例区 world and answer their question."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"


def sql_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## The warehouse", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.DOTALL)


def test_four_examples_present():
    assert len(sql_blocks()) == 4


def test_ranking_example(con):
    rows = con.execute(sql_blocks()[0]).fetchall()
    # 2022 departments: 财政局 5/5 granted; 卫健委 failed (not ranked); 教育局 blocked (no report)
    assert [(r[1], r[3], r[4], r[5]) for r in rows] == [("示例区财政局", 5, 5, 1)]


def test_late_or_missing_example(con):
    rows = {r[0]: r for r in con.execute(sql_blocks()[1]).fetchall()}
    # 岔河镇's 更正版 came after the deadline, its first version before: on time, not listed
    assert set(rows) == {"示例区教育局", "示例区卫生健康委员会"}
    assert rows["示例区教育局"][2:4] == ("not_fetched", "blocked")
    assert rows["示例区卫生健康委员会"][2:5] == ("unreadable", "failed", "table_missing")


def test_year_over_year_example(con):
    rows = con.execute(sql_blocks()[2]).fetchall()
    gov = [r for r in rows if r[0] == "北京市示例区人民政府"]
    assert [(r[1], r[2], r[7], r[13]) for r in gov] == [(2020, 2021, 10, True), (2021, 2022, 10, False)]


def test_lineage_example(con):
    ((url, page, bbox, raw, value),) = con.execute(sql_blocks()[3]).fetchall()
    assert url.endswith("/A2021.pdf") and page == 4 and raw == "60" and value == 60 and len(bbox) == 4
