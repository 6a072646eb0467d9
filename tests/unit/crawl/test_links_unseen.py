"""Links real portals hide outside ``<a href>``, servlet names, and pagers with a 首页 link (no network)."""

from __future__ import annotations

import pytest

from extract.crawl.fetch import content_disposition_filename, is_soft_404
from extract.crawl.families.generic import next_page_url
from extract.crawl.links import harvest_links, is_attachment_url

PAGE = "http://portal.example.gov.cn/zwgk/xxgknb/bjnb/"
T = "示例区人民政府{}年政府信息公开工作年度报告"


def _links(html: str):
    return [(lk.url.removeprefix("http://portal.example.gov.cn"), lk.title, lk.date, lk.via)
            for lk in harvest_links(html, PAGE)]


def test_clickable_list_items_give_their_target_title_and_date():
    html = (f'<ul><li class="item" data-url="/d.jsp?infoid=1"><span>{T.format(2023)}</span><span>2024-01-22</span></li>'
            f'<li onclick="location.href=\'/d.jsp?infoid=2\'"><span>{T.format(2022)}</span>'
            f'<span>[2023-02-01]</span></li>'
            f'<tr onclick="window.open(\'/d.jsp?infoid=3\',\'_blank\')"><td>{T.format(2021)}</td><td>2022-03-03</td></tr>'
            f'<li><a href="javascript:void(0)" onclick="window.open(\'/d.jsp?infoid=4\')" title="{T.format(2020)}">…'
            f'</a><span>2021-01-05</span></li></ul>')
    assert _links(html) == [
        ("/d.jsp?infoid=1", T.format(2023), "2024-01-22", "data"),
        ("/d.jsp?infoid=2", T.format(2022), "2023-02-01", "onclick"),
        ("/d.jsp?infoid=3", T.format(2021), "2022-03-03", "onclick"),
        ("/d.jsp?infoid=4", T.format(2020), "2021-01-05", "onclick"),
    ]


def test_viewers_iframes_and_servlets_give_the_file():
    html = ('<a href="/pdfjs/web/viewer.html?file=%2Fattach%2Fdownfile.jsp%3FAttachGuid%3Dab%26filename%3Dnb.pdf">预览</a>'
            '<iframe src="/pdfjs/web/viewer.html?file=/files/2024/nb2.pdf"></iframe>'
            '<embed src="/files/nb3.pdf"><a href="/servlet/DownloadServlet?fileId=12">下载附件</a>')
    links = _links(html)
    assert [(u, via) for u, _, _, via in links] == [
        ("/attach/downfile.jsp?AttachGuid=ab&filename=nb.pdf", "viewer"), ("/files/2024/nb2.pdf", "viewer"),
        ("/files/nb3.pdf", "embed"), ("/servlet/DownloadServlet?fileId=12", "href")]


@pytest.mark.parametrize("url, expected", [
    ("http://h/servlet/DownloadServlet?fileId=12", True),
    ("http://h/EpointWebBuilder/pages/webbuildermis/attach/downfile.jsp?AttachGuid=x&filename=a.pdf", True),
    ("http://h/attachment/download.do?id=3", True),
    ("http://h/module/download/downfile.jsp?classid=0&filename=2409.pdf", True),
    ("http://h/files/report.pdf", True),
    ("http://h/zwgk/xxgknb/detail.jsp?infoid=a", False),
    ("http://h/api/list?page=1", False),
    ("http://h/servlet/DownloadServlet", False),  # no query: the servlet's own page, not a file
])
def test_download_servlets_count_as_attachments(url, expected):
    assert is_attachment_url(url) is expected


@pytest.mark.parametrize("header, name", [
    ("attachment; filename=\"download.pdf\"; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf", "年报.pdf"),
    ('attachment; filename="' + "年报.pdf".encode("gbk").decode("latin-1") + '"', "年报.pdf"),
    ('attachment; filename="' + "年报.pdf".encode("utf-8").decode("latin-1") + '"', "年报.pdf"),
    ("attachment;filename=%E5%B9%B4%E6%8A%A5.docx", "年报.docx"),
    ("inline", None),
    (None, None),
])
def test_content_disposition_names(header, name):
    assert content_disposition_filename(header) == name


def test_a_servlet_saying_the_file_does_not_exist_is_a_soft_404():
    body = '<html><body><div>文件不存在或已被删除！</div></body></html>'.encode()
    assert is_soft_404(200, body, "text/html", {"content-type": "text/html;charset=UTF-8"})
    assert is_soft_404(200, "<html><body>附件已删除</body></html>".encode(), "text/html", {})
    assert not is_soft_404(200, "<html><body>年度报告全文……</body></html>".encode(), "text/html", {})


def test_pager_next_shares_its_url_with_the_page_number_and_first_is_never_next():
    page1 = ('<div class="pager"><a href="?pageIndex=1">首页</a><span>上一页</span><span>1</span>'
             '<a href="?pageIndex=2">2</a><a href="?pageIndex=2">下一页</a><a href="?pageIndex=3">尾页</a>'
             '<span>共3页</span></div>')
    assert next_page_url(page1, PAGE, {PAGE}) == PAGE + "?pageIndex=2"
    last = ('<div class="pager"><a href="?pageIndex=1">首页</a><a href="?pageIndex=2">上一页</a>'
            '<a href="?pageIndex=1">1</a><a href="?pageIndex=2">2</a><span>3</span><span>下一页</span>'
            '<a href="?pageIndex=3">尾页</a></div>')
    assert next_page_url(last, PAGE + "?pageIndex=3", {PAGE, PAGE + "?pageIndex=2", PAGE + "?pageIndex=3"}) is None
    # no 下一页 at all: the lowest page after the current one; TRS counts from 0 (index_1 is page 2)
    bare = '<a href="?pageIndex=1">首页</a><a href="?pageIndex=2">2</a><a href="?pageIndex=3">3</a>'
    assert next_page_url(bare, PAGE, {PAGE}) == PAGE + "?pageIndex=2"
    trs = '<a href="index_1.html">2</a><a href="index_2.html">3</a>'
    assert next_page_url(trs, PAGE + "index.html", {PAGE + "index.html"}) == PAGE + "index_1.html"
