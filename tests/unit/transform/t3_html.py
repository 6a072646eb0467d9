"""表三 as a small HTML page, read by the real HTML reader: the input ``read_t3`` sees in production."""

from __future__ import annotations

from extract.documents.webpage import read_html
from transform.result import Issue, Table
from transform.t3 import read_t3
from transform.tables import split_rows

HEADER = (
    '<tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
    '<td colspan="{span}">申请人情况</td></tr>'
    '<tr><td rowspan="2"{natural}>自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>'
    "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>"
)


def header(natural_colspan: int = 1) -> str:
    natural = f' colspan="{natural_colspan}"' if natural_colspan > 1 else ""
    return HEADER.format(span=6 + natural_colspan, natural=natural)


def row(label: str, *cells: str | tuple[str, int]) -> str:
    """A row with its label over the three label columns; a cell is text or (text, colspan)."""
    tds = []
    for cell in cells:
        text, span = cell if isinstance(cell, tuple) else (cell, 1)
        tds.append(f'<td colspan="{span}">{text}</td>' if span > 1 else f"<td>{text}</td>")
    return f'<tr><td colspan="3">{label}</td>{"".join(tds)}</tr>'


def read(rows: list[str], natural_colspan: int = 1) -> tuple[Table | None, list[Issue]]:
    page = ("<html><body><p>三、收到和处理政府信息公开申请情况</p><table border=\"1\"><tbody>"
            + header(natural_colspan) + "".join(rows) + "</tbody></table></body></html>")
    doc = read_html(page.encode("utf-8"))
    issues: list[Issue] = []
    return read_t3(split_rows(doc)["t3"], issues, "gov2021", 2023), issues


def codes(issues: list[Issue]) -> list[str]:
    return [i.code for i in issues]
