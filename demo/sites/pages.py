"""HTML chrome shared by the family templates: list items, article shells with the 政府网站 meta set."""

from __future__ import annotations

import html
from datetime import date

from demo.sites.catalogue import District


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def meta_block(district: District, column: str, title: str, published: date, charset: str = "utf-8") -> str:
    """The <head> metadata 《政府网站发展指引》 mandates (SiteIDCode = admin code + serial)."""
    return (
        f'<meta charset="{charset}">'
        f'<meta name="SiteName" content="{esc(district.prefix)}人民政府">'
        f'<meta name="SiteIDCode" content="{district.admin_code}0001">'
        f'<meta name="ColumnName" content="{esc(column)}">'
        f'<meta name="ArticleTitle" content="{esc(title)}">'
        f'<meta name="PubDate" content="{published.isoformat()} 09:30">'
        f'<meta name="ContentSource" content="{esc(district.prefix)}人民政府办公室">'
        f"<title>{esc(title)}</title>"
    )


def xxgk_table(district: District, year_seq: str, publisher: str, published: date, title: str) -> str:
    """The 信息公开 metadata table (索引号 = organ credit code / year-seq)."""
    return (
        '<table class="xxgk_table"><tr><td>索引号：</td><td>'
        f"11{district.admin_code}MB0{len(publisher) % 10}1234X/{year_seq}</td><td>分类：</td><td>政府信息公开年报</td></tr>"
        f"<tr><td>发布机构：</td><td>{esc(publisher)}</td><td>发布日期：</td><td>{published.isoformat()}</td></tr>"
        f"<tr><td>名称：</td><td colspan=\"3\">{esc(title)}</td></tr></table>"
    )


def page(head: str, body: str) -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def attachment_article(district: District, column: str, title: str, published: date, publisher: str,
                       links_html: str, intro: str | None = None, extra: str = "") -> str:
    """An article that only carries the report as an attachment (how many 部门 publish)."""
    intro = intro or f"现将《{esc(title)}》予以公布，详见附件。"
    body = (
        f'<div class="bread">当前位置：首页 &gt; 政务公开 &gt; {esc(column)}</div>'
        + xxgk_table(district, f"{published.year}-00{published.month:02d}{published.day:02d}", publisher,
                     published, title)
        + f'<div class="article"><h1>{esc(title)}</h1><div class="TRS_Editor"><p>{intro}</p>'
        + f'<p class="fj">附件：{links_html}</p></div>{extra}</div>'
    )
    return page(meta_block(district, column, title, published), body)


def ul(items: list[tuple[str, str, date]]) -> str:
    """A CMS news list: <li><a href title>标题</a><span>日期</span></li>."""
    rows = "".join(
        f'<li><a href="{esc(href)}" target="_blank" title="{esc(title)}">{esc(title)}</a>'
        f"<span>{d.isoformat()}</span></li>"
        for href, title, d in items
    )
    return f'<ul class="list">{rows}</ul>'


def stub_page() -> bytes:
    """A broken deep page: a ~350-byte template shell without a list (hulelan govcms notes)."""
    text = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
            '<div class="main"><div class="list"></div><!-- 发布内容为空 --></div>'
            '<script src="/js/jquery.min.js"></script><script src="/js/common.js"></script></body></html>')
    return text.ljust(350).encode("utf-8")


SCRIPT_SHELL = (b'<html><head><script src="/_waf/c.js"></script></head>'
                b"<body><script>location.reload();</script></body></html>")[:109].ljust(109)

CHALLENGE_PAGE = ('<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Pragma" content="no-cache">'
                  '<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/d.js"></script>'
                  "<script>var _$ab=\"0x3f\";(function(){document.cookie=\"FSSBBIl1UgzbN7N80T=\"+_$ab;"
                  "location.reload();})();</script></head><body></body></html>").encode("utf-8")

ERROR_PAGE_200 = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>提示信息</title></head><body>'
                  '<div class="error"><h2>页面不存在</h2><p>您访问的文件已删除或不存在，'
                  '<a href="/">返回首页</a></p></div></body></html>').encode("utf-8")
