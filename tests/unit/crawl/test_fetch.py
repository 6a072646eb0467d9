import io
import threading
import time
import zipfile

import pytest

from extract import media
from extract.crawl.fetch import FetchSettings, Fetcher, decode_page, host_allowed, is_challenge

from crawl_server import static

ROBOTS_OK = static(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})


def fetcher_for(server, **overrides) -> Fetcher:
    return Fetcher(FetchSettings.for_tests(**overrides), {server.netloc})


def test_production_defaults_follow_the_research():
    s = FetchSettings()
    assert s.min_delay_s >= 3.0 and s.max_retries == 2 and s.max_redirects == 10 and s.verify_tls
    assert "xxgk/0.1.0" in s.user_agent and "http" in s.user_agent  # honest UA with a contact URL


def test_min_delay_and_one_connection_per_host(server):
    server.routes["/robots.txt"] = ROBOTS_OK
    for i in range(4):
        server.routes[f"/p{i}.html"] = static(body=b"<html><body>" + b"x" * 200 + b"</body></html>")
    with Fetcher(FetchSettings.for_tests(min_delay_s=0.15, jitter_s=0.0), {server.netloc}) as fetcher:
        threads = [threading.Thread(target=fetcher.get, args=(f"{server.base}/p{i}.html",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert server.max_active == 1
    spans = sorted((start, end) for _m, _p, _h, start, end in server.entries())
    gaps = [nxt[0] - prev[1] for prev, nxt in zip(spans, spans[1:])]
    assert len(spans) == 5 and min(gaps) >= 0.14


def test_robots_disallow_is_obeyed_and_never_requested(server):
    server.routes["/robots.txt"] = ROBOTS_OK
    server.routes["/private/a.pdf"] = static(body=b"%PDF-1.4")
    with fetcher_for(server) as fetcher:
        result = fetcher.get(f"{server.base}/private/a.pdf")
    assert result.state == "robots_skipped" and "robots" in result.error
    assert "/private/a.pdf" not in server.paths()


def test_robots_5xx_skips_the_host_and_4xx_allows_all(server):
    server.routes["/robots.txt"] = static(500, b"oops")
    server.routes["/a.html"] = static(body=b"<html>hello world page</html>")
    with fetcher_for(server, max_retries=0) as fetcher:
        assert fetcher.get(f"{server.base}/a.html").state == "robots_skipped"
        assert fetcher.get(f"{server.base}/a.html").state == "robots_skipped"
    assert server.paths() == ["/robots.txt"]  # robots fetched once, the host left alone


def test_robots_404_allows_everything(server):
    server.routes["/a.html"] = static(body=b"<html><body>hello world page</body></html>")
    with fetcher_for(server) as fetcher:
        assert fetcher.get(f"{server.base}/a.html").state == "ok"


def test_crawl_delay_is_honoured_after_scaling(server):
    server.routes["/robots.txt"] = static(200, b"User-agent: *\nCrawl-delay: 5\n", {"Content-Type": "text/plain"})
    server.routes["/a.html"] = static(body=b"<html><body>page one text</body></html>")
    server.routes["/b.html"] = static(body=b"<html><body>page two text</body></html>")
    with fetcher_for(server, crawl_delay_scale=0.05, min_delay_s=0.01, jitter_s=0.0) as fetcher:
        fetcher.get(f"{server.base}/a.html")
        fetcher.get(f"{server.base}/b.html")
    (_, _, _, _, end_a), (_, _, _, start_b, _) = server.entries()[1], server.entries()[2]
    assert start_b - end_a >= 0.24  # 5 s x 0.05


def test_503_retry_after_is_honoured_then_succeeds(server):
    def flaky(handler, n):
        if n == 0:
            return 503, {"Retry-After": "1", "Content-Type": "text/html"}, b"busy"
        return 200, {"Content-Type": "text/html"}, b"<html><body>finally the page</body></html>"

    server.routes["/a.html"] = flaky
    with fetcher_for(server, retry_after_cap_s=0.3) as fetcher:
        result = fetcher.get(f"{server.base}/a.html")
    assert result.state == "ok" and result.attempts == 2
    first, second = [e for e in server.entries() if e[1] == "/a.html"]
    assert second[3] - first[4] >= 0.29  # Retry-After capped at 0.3 s in tests, but waited for


def test_500_is_retried_at_most_twice(server):
    server.routes["/a.html"] = static(500, b"err")
    with fetcher_for(server) as fetcher:
        result = fetcher.get(f"{server.base}/a.html")
    assert result.state == "failed" and result.status == 500 and result.attempts == 3
    assert server.paths().count("/a.html") == 3


@pytest.mark.parametrize("status,state", [(404, "not_found"), (410, "gone"), (403, "failed")])
def test_permanent_errors_are_not_retried(server, status, state):
    server.routes["/a.pdf"] = static(status, b"no")
    with fetcher_for(server) as fetcher:
        result = fetcher.get(f"{server.base}/a.pdf")
    assert result.state == state and server.paths().count("/a.pdf") == 1


@pytest.mark.parametrize("status,body", [
    (412, b"<html><script>var _0x=1;document.cookie='80T=abc';location.reload()</script></html>"),
    (521, b"<script>document.cookie='__jsl_clearance=1';</script>"),
    (202, b"<html><head><script src='/wzws.js'></script></head><body></body></html>"),
    (200, b"<html><script>window.location.href='/?wzwschallenge=1';</script></html>"),
])
def test_waf_challenges_become_blocked_without_a_second_try(server, status, body):
    server.routes["/col/"] = static(status, body, {"Content-Type": "text/html", "Set-Cookie": "80S=x"})
    with fetcher_for(server) as fetcher:
        result = fetcher.get(f"{server.base}/col/")
    assert result.state == "blocked" and server.paths().count("/col/") == 1


def test_redirects_are_followed_bounded_and_checked_against_the_allowlist(server):
    server.routes["/old/"] = static(302, b"", {"Location": "/new/"})
    server.routes["/new/"] = static(body=b"<html><body>moved column content</body></html>")
    server.routes["/loop"] = static(302, b"", {"Location": "/loop2"})
    server.routes["/loop2"] = static(302, b"", {"Location": "/loop"})
    server.routes["/spam"] = static(301, b"", {"Location": "http://bet365asia.example/xxgk/"})
    with fetcher_for(server) as fetcher:
        moved = fetcher.get(f"{server.base}/old/")
        loop = fetcher.get(f"{server.base}/loop")
        spam = fetcher.get(f"{server.base}/spam")
    assert moved.state == "ok" and moved.final_url == f"{server.base}/new/"
    assert loop.state == "failed" and "loop" in loop.error
    assert server.paths().count("/loop") <= 3
    assert spam.state == "off_allowlist" and spam.final_url == "http://bet365asia.example/xxgk/"


def test_off_allowlist_url_is_never_requested(server):
    with Fetcher(FetchSettings.for_tests(), {"127.0.0.1:1"}) as fetcher:
        assert fetcher.get(f"{server.base}/a.html").state == "off_allowlist"
    assert server.entries() == []


def test_conditional_get_sends_validators_and_maps_304(server):
    def conditional(handler, n):
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"ETag": '"v1"', "Content-Type": "text/html"}, b"<html><body>list page body</body></html>"

    server.routes["/list.html"] = conditional
    with fetcher_for(server) as fetcher:
        first = fetcher.get(f"{server.base}/list.html")
        second = fetcher.get(f"{server.base}/list.html", etag=first.etag)
    assert first.state == "ok" and first.etag == '"v1"'
    assert second.state == "not_modified" and second.status == 304


def test_size_cap_and_truncated_bodies_fail(server):
    server.routes["/big.pdf"] = static(200, b"%PDF-" + b"0" * 5000, {"Content-Type": "application/pdf"})
    server.routes["/cut.pdf"] = static(200, b"%PDF-1.7 only part", {"Content-Type": "application/pdf"}, declared=5000)
    with fetcher_for(server, max_bytes=1000) as fetcher:
        big = fetcher.get(f"{server.base}/big.pdf")
    with fetcher_for(server) as fetcher:
        cut = fetcher.get(f"{server.base}/cut.pdf")
    assert big.state == "failed" and "too large" in big.error
    assert cut.state == "failed" and "truncated" in cut.error


def test_slow_response_past_read_timeout_is_retried_then_failed(server):
    def slow(handler, n):
        time.sleep(0.5)
        return 200, {"Content-Type": "text/html"}, b"<html>late</html>"

    server.routes["/slow.html"] = slow
    with fetcher_for(server, read_timeout_s=0.2, timeout_cooldown_s=0.6) as fetcher:
        result = fetcher.get(f"{server.base}/slow.html")
    assert result.state == "failed" and result.error.startswith("transient")
    assert result.attempts == 2  # one retry after a timeout (max_timeout_retries), not two
    # the abandoned request kept the server busy for 0.5 s: the cooldown keeps the retry from overlapping it
    deadline = time.monotonic() + 2
    while len([e for e in server.log if e[1] == "/slow.html"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the server is still sleeping in the abandoned retry
    assert server.max_active == 1
    first, second = [entry for entry in server.log if entry[1] == "/slow.html"]
    assert second[3] >= first[4]


def test_html_error_page_at_pdf_url_is_a_soft_404(server):
    page = "<html><head><title>错误</title></head><body>对不起，您访问的页面不存在！</body></html>".encode()
    server.routes["/P020250101.pdf"] = static(200, page, {"Content-Type": "text/html; charset=utf-8"})
    with fetcher_for(server) as fetcher:
        result = fetcher.get(f"{server.base}/P020250101.pdf")
    assert result.state == "not_found" and result.media_type == "text/html"


def _zip(names):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(name, "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize("data,expected", [
    (b"%PDF-1.7\n...", "application/pdf"),
    (_zip(["[Content_Types].xml", "word/document.xml"]),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (_zip(["OFD.xml", "Doc_0/Document.xml"]), "application/ofd"),
    (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 20, "application/msword"),
    (b"\x89PNG\r\n\x1a\n....", "image/png"),
    (b"\xff\xd8\xff\xe0....", "image/jpeg"),
    (b"\r\n<!DOCTYPE html><html>", "text/html"),
    (b"", "application/x-empty"),
    (b'{"status":0}', "application/json"),
])
def test_media_type_by_magic_bytes(data, expected):
    assert media.sniff(data) == expected


def test_gb2312_declared_page_with_gbk_only_characters_decodes_as_gb18030():
    html = '<html><head><meta charset="gb2312"></head><body>镕溪镇 堃山 珺湖</body></html>'.encode("gb18030")
    assert "镕溪镇 堃山 珺湖" in decode_page(html, "text/html")


def test_page_declaring_utf8_but_sending_gbk_is_decoded_as_gb18030():
    html = "<html><body>晋溪县人民政府2023年政府信息公开工作年度报告</body></html>".encode("gbk")
    assert "年度报告" in decode_page(html, "text/html; charset=utf-8")


def test_allowlist_matching():
    assert host_allowed("http://127.0.0.1:18001/a", {"127.0.0.1:18001"})
    assert not host_allowed("http://127.0.0.1:18006/a", {"127.0.0.1:18001"})
    assert host_allowed("https://www.huadu.gov.cn/x", {"www.huadu.gov.cn"})
    assert host_allowed("https://zwgk.huadu.gov.cn/x", {"*.huadu.gov.cn"})
    assert not host_allowed("https://bet365asia.net/xxgk/", {"*.gov.cn"})
    assert not host_allowed("ftp://www.huadu.gov.cn/x", {"www.huadu.gov.cn"})


def test_a_real_small_list_page_is_not_mistaken_for_a_challenge():
    stub = "<html><body><ul><li><a href='t1.html'>区教育局2023年政府信息公开工作年度报告</a></li></ul></body></html>"
    assert not is_challenge(200, stub.encode(), {})


def test_a_broken_template_stub_with_script_src_is_not_a_challenge():
    stub = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
            '<div class="main"><div class="list"></div></div><script src="/js/jquery.min.js"></script></body></html>')
    assert not is_challenge(200, stub.encode(), {})
    shell = b'<html><head><script src="/_waf/c.js"></script></head><body><script>location.reload();</script></body></html>'
    assert is_challenge(200, shell, {})


def test_cookie_setting_redirect_to_self_is_followed_once(server):
    def ct6t(handler, n):  # openresty CT6T-style: 302 to itself setting a cookie, then the page
        if "CT6T=ok" in (handler.headers.get("Cookie") or ""):
            return 200, {"Content-Type": "text/html"}, b"<html><body>the real column page</body></html>"
        return 302, {"Location": "/col/", "Set-Cookie": "CT6T=ok; Path=/"}, b""

    server.routes["/col/"] = ct6t
    with fetcher_for(server) as fetcher:
        result = fetcher.get(f"{server.base}/col/")
    assert result.state == "ok" and b"real column" in result.content
    assert server.paths().count("/col/") == 2


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    import subprocess

    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture
def tls_server(server, self_signed):
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed)
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    server.routes["/a.html"] = static(body=b"<html><body>page behind a self-signed certificate</body></html>")
    return server


def test_certificates_are_checked_and_a_bad_chain_is_not_retried(tls_server, caplog):
    url = f"https://{tls_server.netloc}/a.html"
    with fetcher_for(tls_server) as fetcher:
        result = fetcher.get(url)
        robots_error = fetcher.host(tls_server.netloc).skip_reason
    # robots.txt is the first request to the host: unreachable (bad chain) → the host is skipped this run
    assert result.state == "robots_skipped" and "TLS certificate verification failed" in result.error
    assert "insecure_tls" in robots_error
    assert "transient" not in robots_error  # a bad chain is not retried with backoff


def test_insecure_tls_escape_hatch_is_logged(tls_server, caplog):
    url = f"https://{tls_server.netloc}/a.html"
    with caplog.at_level("WARNING", logger="extract.crawl.fetch"):
        fetcher = Fetcher(FetchSettings.for_tests(), {tls_server.netloc}, insecure_tls=True)
    with fetcher:
        result = fetcher.get(url)
    assert result.state == "ok" and b"self-signed" in result.content
    assert any("TLS certificate checks OFF" in r.message for r in caplog.records)
