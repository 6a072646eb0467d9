"""Pictures of an HTML report article are archived (kind="image", referrer = the report) for offline OCR."""

import io

from crawl_server import static
from PIL import Image

from extract.crawl.archive import Archive
from extract.crawl.crawl import crawl_site
from extract.crawl.fetch import FetchSettings, Fetcher
from extract.crawl.images import picture_urls
from extract.crawl.registry import SiteConfig

HTML = {"Content-Type": "text/html; charset=utf-8"}
PNG = {"Content-Type": "image/png"}
TITLE = "示例区人民政府2024年政府信息公开工作年度报告"


def _png(width: int = 400) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (width, 200), 255).save(buf, "PNG")
    return buf.getvalue()


ARTICLE = ("<html><body><div class='TRS_Editor'><p>一、总体情况</p>" + "<p>全年主动公开政府信息。</p>" * 40
           + '<img src="/img/photo.jpg"><p>二、主动公开政府信息情况</p><p><img src="/img/t2.png"></p>'
           + '<p>三、收到和处理政府信息公开申请情况</p><img src="t3.png" width="640"><img src="/img/icon.png" width="16">'
           + "<p>四、政府信息公开行政复议、行政诉讼情况</p><img src='//other.example/t4.png'>"
           + '<p>五、存在的主要问题及改进情况</p><img src="/img/after.png"></div></body></html>')


def test_only_pictures_under_the_statistics_headings_are_taken():
    urls = picture_urls(ARTICLE.encode(), "http://x.gov.cn/nb/a.html")
    assert urls == ["http://x.gov.cn/img/t2.png", "http://x.gov.cn/nb/t3.png", "http://other.example/t4.png"]


def test_report_article_pictures_are_archived_with_provenance(server, tmp_path):
    server.routes["/robots.txt"] = static(404, b"")
    server.routes["/nb/"] = static(200, f'<html><body><ul><li><a href="/nb/a.html">{TITLE}</a></li></ul></body></html>'
                                   .encode(), HTML)
    server.routes["/nb/a.html"] = static(200, ARTICLE.encode(), HTML)
    server.routes["/img/t2.png"] = static(200, _png(), PNG)
    server.routes["/nb/t3.png"] = static(200, _png(500), PNG)
    site = SiteConfig(id="t-site", name="示例区", admin_code="110101", hosts=[server.netloc],
                      entries=[{"url": server.base + "/nb/"}])
    archive = Archive(tmp_path)
    with Fetcher(FetchSettings.for_tests(min_delay_s=0.01, jitter_s=0.0)) as fetcher:
        crawl_site(site, archive, fetcher, run_id="r1")
    rows = [r for r in archive.manifest() if r["kind"] == "image"]
    assert sorted(r["url"].split("/", 3)[3] for r in rows) == ["img/t2.png", "nb/t3.png"]  # other host: not fetched
    assert all(r["referrer"] == server.base + "/nb/a.html" and r["state"] == "new" and r["sha256"] for r in rows)
    assert {archive.read(r["sha256"]) for r in rows} == {_png(), _png(500)}
    asked = {entry[1] for entry in server.log}
    assert "/img/photo.jpg" not in asked and "/img/after.png" not in asked and "/img/icon.png" not in asked
