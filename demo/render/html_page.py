"""The report as a district CMS article page (TRS/Hanweb style), with real rowspan/colspan tables.

Like real pages (平潭 page.html), the article sits in site chrome: meta tags the crawlers read
(ArticleTitle, PubDate, ContentSource), an 索引号 metadata *layout* table above the article, the
article body with the statistics tables inside a ``TRS_Editor`` div, and a footer.
"""

from __future__ import annotations

import hashlib
from html import escape

from demo.render.document import Block, ReportDocument
from demo.render.tables import Grid

_CSS = (
    "body{font-family:SimSun,serif;margin:0}.article{width:1000px;margin:0 auto}"
    ".TRS_Editor p{text-indent:2em;line-height:1.8}.TRS_Editor table{border-collapse:collapse;margin:0 auto}"
    ".TRS_Editor td{border:1px solid #000;padding:2px 4px;text-align:center}"
)


def render_html(doc: ReportDocument, *, gbk: bool = False, index_code: str = "") -> bytes:
    """Return the page bytes: UTF-8, or GBK declared as ``gb2312`` like many older county sites."""
    charset = "gb2312" if gbk else "utf-8"
    pub = doc.published.isoformat()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head>',
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        f'<meta charset="{charset}">',
        f'<meta name="SiteName" content="{escape(doc.agency)}">',
        '<meta name="ColumnName" content="政府信息公开年报">',
        f'<meta name="ArticleTitle" content="{escape(doc.title)}">',
        f'<meta name="PubDate" content="{pub} 09:30">',
        f'<meta name="ContentSource" content="{escape(doc.office)}">',
        f"<title>{escape(doc.title)}_政府信息公开年报_{escape(doc.agency)}</title>",
        f"<style>{_CSS}</style></head><body>",
        '<div class="header"><a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a> &gt; '
        '<a href="./">政府信息公开年报</a></div>',
        _index_table(doc, index_code or _index_code(doc)),
        f'<div class="article"><h1 class="title">{escape(doc.title)}</h1>',
        f'<div class="info">发布日期：{pub}　来源：{escape(doc.office)}</div>',
        '<div class="TRS_Editor">',
        *(_block(b) for b in doc.blocks if not (isinstance(b, Block) and b.kind == "title")),
        "</div></div>",
        f'<div class="footer">主办单位：{escape(doc.agency)}　网站标识码：0000000000　技术支持：某某信息技术有限公司</div>',
        "</body></html>",
    ]
    text = "\n".join(parts)
    return text.encode("gbk", errors="xmlcharrefreplace") if gbk else text.encode("utf-8")


def _index_code(doc: ReportDocument) -> str:
    """A stable 索引号 in the usual shape <organisation code>/<year>-<serial>, derived from the agency."""
    digest = hashlib.sha256(doc.agency.encode("utf-8")).hexdigest().upper()
    return f"{digest[:9]}/{doc.published.year}-{int(digest[9:13], 16) % 100000:05d}"


def _index_table(doc: ReportDocument, index_code: str) -> str:
    """The 索引号 box every 政府信息公开 article page carries; a layout table, not a statistics table."""
    rows = [
        ("索引号：", index_code, "主题分类：", "政务公开"),
        ("发布机构：", doc.office, "发布日期：", doc.published.isoformat()),
    ]
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    body += f'<tr><td>名称：</td><td colspan="3">{escape(doc.title)}</td></tr>'
    return f'<div class="xxgk_meta"><table class="xxgk_table" width="100%">{body}</table></div>'


def _block(block: Block | Grid) -> str:
    if isinstance(block, Grid):
        return _table(block)
    if block.kind == "heading":
        return f"<p><strong>{escape(block.text)}</strong></p>"
    if block.kind == "signature":
        return f'<p style="text-align:right">{escape(block.text)}</p>'
    return f"<p>{escape(block.text)}</p>"


def _table(grid: Grid) -> str:
    rows = []
    for row in grid.rows:
        cells = []
        for cell in row:
            span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
            text = "<br/>".join(escape(line) for line in cell.text.split("\n")) or "&nbsp;"
            cells.append(f"<td{span}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table border="1" cellspacing="0" cellpadding="0" width="100%"><tbody>{"".join(rows)}</tbody></table>'
