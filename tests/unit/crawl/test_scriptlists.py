"""Reading list endpoints out of page scripts, and reading their answers (no network)."""

from __future__ import annotations

import pytest

from extract.crawl.scriptlists import decode_answer, last_page, page_scripts, read_answer, read_scripts

PAGE = "http://portal.example.gov.cn/zwgk/xxgknb/bmnb/"


def _requests(script: str, page: int = 2):
    reading = read_scripts([script], PAGE)
    return [e.request(page) for e in reading.endpoints], reading.not_understood


@pytest.mark.parametrize("script, expected", [
    # $.ajax with a concatenated URL, variables assigned literals elsewhere in the script
    ("var channel = 'bmnb'; var pageSize = 10;\nfunction load(pageIndex){ $.ajax({url: '/api/list?channel=' + "
     "channel + '&page=' + pageIndex + '&size=' + pageSize, type: 'GET', dataType: 'json'}); }",
     ("http://portal.example.gov.cn/api/list?channel=bmnb&page=2&size=10", "GET", None)),
    # $.ajax with a data object read from a config object, JSONP
    ('var cfg = { channel: "zjnb", size: 10 }; function load(page){ $.ajax({ url: "/api/list", '
     'data: { channel: cfg.channel, page: page, size: cfg.size }, dataType: "jsonp", jsonp: "cb" }); }',
     ("http://portal.example.gov.cn/api/list?channel=zjnb&page=2&size=10&cb=jsonpCallback", "GET", None)),
    # fetch with a template literal
    ("const cat = '12'; fetch(`/api/news?cat=${cat}&pageNo=${n}&pageSize=15`).then(r => r.json());",
     ("http://portal.example.gov.cn/api/news?cat=12&pageNo=2&pageSize=15", "GET", None)),
    # $.get with a data object; relative URL
    ("$.get('list.do', {columnId: 33, pageNum: p, rows: 20}, function(d){ render(d); });",
     ("http://portal.example.gov.cn/zwgk/xxgknb/bmnb/list.do?columnId=33&pageNum=2&rows=20", "GET", None)),
    # $.post: a form
    ("var sid = '7'; $.post('/info/search', {siteId: sid, curPage: i}, cb);",
     ("http://portal.example.gov.cn/info/search", "POST", {"siteId": "7", "curPage": "2"})),
    # a bare URL template continued on the next line
    ("var url = '/cms/list?chan=5&page=' + page\n + '&size=10';\nload(url);",
     ("http://portal.example.gov.cn/cms/list?chan=5&page=2&size=10", "GET", None)),
    # $.getJSON with jQuery's callback=?
    ("$.getJSON('/api/l?c=3&page=1&callback=?', function(d){});",
     ("http://portal.example.gov.cn/api/l?c=3&page=2&callback=jsonpCallback", "GET", None)),
])
def test_list_endpoints_are_read_from_script_text(script, expected):
    requests, problems = _requests(script)
    assert requests == [expected] and problems == []


@pytest.mark.parametrize("script", [
    "$.ajax({url: '/api/q', type: 'POST', contentType: 'application/json;charset=utf-8', "
    "data: JSON.stringify({channelId: '5', pageNo: p, pageSize: 10}), success: render});",
    "fetch('/api/q', {method: 'POST', headers: {'Content-Type': 'application/json'}, "
    "body: JSON.stringify({channelId: '5', pageNo: n, pageSize: 10})});",
    "axios.post('/api/q', {channelId: '5', pageNo: current, pageSize: 10}).then(show);",
])
def test_json_bodies_are_sent_as_json(script):
    requests, problems = _requests(script)
    assert requests == [("http://portal.example.gov.cn/api/q", "POST", '{"channelId":5,"pageNo":2,"pageSize":10}')]
    assert problems == []


def test_calls_without_a_page_parameter_are_left_alone():
    """A visit counter or a search box is not a list: never called, and not reported as a problem."""
    requests, problems = _requests("$(function(){ $.post('/rest/visit/add', {siteguid: 'abc'}); });"
                                   "$.ajax({url: '/api/weather', dataType: 'json'});")
    assert requests == [] and problems == []


def test_an_endpoint_with_an_unknown_parameter_is_not_called_and_says_why():
    requests, problems = _requests("axios.get('/api/x', {params: {page: p, size: 10, type: t}})")
    assert requests == []
    assert problems == ["parameter type comes from t (/api/x)"]
    requests, problems = _requests("$.ajax({url: base + '/list', data: {page: p}})")
    assert requests == [] and problems and "built at run time" in problems[0]


def test_a_page_parameter_starting_at_zero_is_kept():
    reading = read_scripts(["$.get('/api/list', {pageNo: 0, size: 20})"], PAGE)
    (endpoint,) = reading.endpoints
    assert endpoint.first_page == 0 and endpoint.request(0)[0].endswith("pageNo=0&size=20")


def test_page_scripts_split_inline_and_external():
    html = ('<script src="/js/jquery.min.js"></script><script>var a = 1;</script>'
            '<script type="text/javascript" src="/js/list.js"></script><script> </script>')
    assert page_scripts(html) == (["var a = 1;"], ["/js/jquery.min.js", "/js/list.js"])


@pytest.mark.parametrize("text", [
    '{"total": 23, "list": [{"title": "A年报", "url": "/a", "pubDate": "2024-01-02"}]}',
    'jsonpCallback({"total": 23, "list": [{"title": "A年报", "url": "/a", "pubDate": "2024-01-02"}]});',
    '<html><body><pre>{"total": 23, "list": [{"title": "A年报", "url": "/a", "pubDate": "2024-01-02"}]}</pre>'
    '</body></html>',
    '\ufeff {"code": 0, "data": {"total": 23, "records": [{"infoTitle": "<b>A年报</b>", "linkUrl": "/a", '
    '"publishTime": 1704153600000}]}}',
])
def test_answers_in_json_jsonp_or_html_give_items_and_counts(text):
    items, total, pages = read_answer(text, "http://h/api/list")
    assert [(i.url, i.title, i.date) for i in items] == [("http://h/a", "A年报", "2024-01-02")]
    assert total == 23 and pages is None


def test_the_item_list_is_the_array_with_titles_and_urls_not_a_menu():
    text = ('{"menu": [{"name": "首页"}, {"name": "政务"}], "pageCount": 4, '
            '"data": [{"title": "x年报", "url": "/x"}, {"title": "y年报", "url": "/y"}]}')
    items, total, pages = read_answer(text, "http://h/")
    assert [i.url for i in items] == ["http://h/x", "http://h/y"] and pages == 4


def test_not_json_is_none():
    assert read_answer("<html><body>系统繁忙</body></html>", "http://h/") is None
    assert decode_answer("") is None


def test_last_page_from_total_or_page_count():
    (endpoint,) = read_scripts(["$.get('/l', {page: p, size: 10})"], PAGE).endpoints
    assert last_page(endpoint, 23, None, 10) == 3
    assert last_page(endpoint, None, 5, 10) == 5
    assert last_page(endpoint, None, None, 10) is None
