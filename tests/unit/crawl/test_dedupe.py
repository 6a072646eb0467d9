from extract.crawl.archive import Archive
from extract.crawl.dedupe import RepostIndex, html_fingerprint

BODY = "".join(f"<tr><td>行{i}</td><td>{i * 7}</td></tr>" for i in range(60))


def page(date: str, index_no: str, body: str = BODY) -> bytes:
    return (f'<html><head><meta name="PubDate" content="{date} 09:30"><title>年报</title></head><body>'
            f"<table><tr><td>索引号</td><td>{index_no}</td></tr><tr><td>发布日期</td><td>{date}</td></tr></table>"
            f"<div class='TRS_Editor'><table>{body}</table><p>{date[:4]}年{int(date[5:7])}月{int(date[8:])}日</p>"
            f"</div></body></html>").encode()


def test_a_reposted_page_has_the_same_fingerprint_despite_new_dates():
    original = page("2020-02-03", "11420190F2E33D7FE/2020-09443")
    repost = page("2025-03-07", "11420190F2E33D7FE/2025-09443")
    assert original != repost and html_fingerprint(original) == html_fingerprint(repost)


def test_one_changed_number_changes_the_fingerprint():
    corrected = BODY.replace("<td>70</td>", "<td>71</td>")
    assert html_fingerprint(page("2020-02-03", "114201900000A/2020-00001")) != html_fingerprint(page("2020-02-03", "x/2020-1", corrected))


def test_short_pages_are_never_fingerprinted():
    assert html_fingerprint(b"<html><body>page not found</body></html>") is None


def test_index_finds_the_original_url_from_the_archive(tmp_path):
    archive = Archive(tmp_path)
    sha = archive.store(page("2020-02-03", "114201900000A/2020-00001"))
    archive.append_manifest({"url": "http://h/a.html", "kind": "report", "state": "new", "sha256": sha,
                             "media_type": "text/html"})
    index = RepostIndex(archive)
    assert index.original_of("http://h/b.html", page("2025-03-07", "114201900000A/2025-00001")) == "http://h/a.html"
    assert index.original_of("http://h/a.html", page("2020-02-03", "114201900000A/2020-00001")) is None  # itself


def test_a_traditional_copy_of_a_report_page_is_a_repost_not_a_new_version(tmp_path):
    # Sites that offer a 繁體 version of every page (converted with OpenCC's s2t) publish the same report twice:
    # the copy must not become a second document of that agency and year (a false "correction").
    import opencc

    body = "".join(f"<tr><td>{label}</td><td>{i * 7}</td></tr>" for i, label in enumerate(
        ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "1.属于国家秘密", "4.无正当理由大量反复申请",
         "（三）不予公开", "行政复议", "结果维持", "江苏省无锡市梁溪区人民政府"] * 4))
    simplified = page("2024-01-20", "114201900000A/2024-00001", body)
    mirror = opencc.OpenCC("s2t").convert(simplified.decode()).encode()
    assert mirror != simplified and "屬於國家" in mirror.decode() and "無正當理由" in mirror.decode()
    assert html_fingerprint(mirror) == html_fingerprint(simplified)
    archive = Archive(tmp_path)
    sha = archive.store(simplified)
    archive.append_manifest({"url": "http://h/a.html", "kind": "report", "state": "new", "sha256": sha,
                             "media_type": "text/html"})
    assert RepostIndex(archive).original_of("http://h/big5/a.html", mirror) == "http://h/a.html"
    # a corrected number in the copy is still a new version
    assert html_fingerprint(mirror.replace("<td>14</td>".encode(), "<td>15</td>".encode())) != html_fingerprint(simplified)
