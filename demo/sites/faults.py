"""The injected fault cases (scraping.md §4.1), declared once: what a correct crawler ends with.

``state`` is the manifest state of the affected report link; ``transient`` faults only delay a fetch,
so the link ends like any healthy one. Server-side mechanics live in ``server.py`` (slow, trickle,
first-request failures, truncation) or in the family route builders (status codes, redirects).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    name: str
    case: int                 # number in scraping.md §4.1
    state: str
    accepted: tuple[str, ...]
    transient: bool
    what: str


_F = [
    Fault("slow_first_byte", 1, "new", ("new",), True, "first byte after Delays.slow_first_byte; must pass"),
    Fault("trickle", 1, "failed", ("failed",), False,
          "attachment sends half its body, stalls longer than the read timeout, then drops: retry, then fail;"
          " host not stalled"),
    Fault("fail_first", 2, "new", ("new",), True, "500 on the first request of the day to that URL; a retry passes"),
    Fault("unavailable_once", 2, "new", ("new",), True, "503 + Retry-After once; honour it, then it passes"),
    Fault("rate_limited_once", 2, "new", ("new",), True, "429 + Retry-After once"),
    Fault("not_found", 3, "not_found", ("not_found",), False, "404 article link in a list (no retry)"),
    Fault("gone", 3, "gone", ("gone",), False, "410 withdrawn report (no retry)"),
    Fault("html_error_as_pdf", 4, "failed", ("failed", "not_found"), False,
          "200 text/html 页面不存在 page at a .pdf URL: sniff, do not archive it as a PDF report"),
    Fault("missing_file_200", 4, "not_found", ("not_found", "failed"), False,
          "download servlet answers 200 text/html 文件不存在: no report there, nothing archived as one"),
    Fault("html_as_octet", 4, "new", ("new",), False,
          "a real HTML report served as application/octet-stream: sniff magic bytes, it is HTML"),
    Fault("truncate", 5, "failed", ("failed",), False, "Content-Length larger than the body; connection dropped"),
    Fault("empty_file", 5, "failed", ("failed",), False, "0-byte .docx"),
    Fault("moved_permanently", 6, "new", ("new",), False, "301 from the listed URL to the article's new path"),
    Fault("redirect_loop", 6, "failed", ("failed",), False, "302 A -> B -> A; stop after <= 10 hops"),
    Fault("redirect_off_site", 6, "off_allowlist", ("off_allowlist",), False,
          "302 to the spam mirror host; never requested"),
    Fault("script_shell", 10, "blocked", ("blocked",), False, "200 with a 109-byte <script>-only body"),
    Fault("challenge_202", 10, "blocked", ("blocked",), False, "202 with a 瑞数-style challenge body"),
    Fault("challenge_521", 10, "blocked", ("blocked",), False, "521 加速乐-style challenge"),
    Fault("challenge_412", 10, "blocked", ("blocked",), False, "412 + Set-Cookie + <script>; never loops"),
    Fault("robots_disallow", 11, "robots_skipped", ("robots_skipped",), False, "path disallowed by robots.txt"),
    Fault("referer_required", 0, "new", ("new",), False, "Hanweb article: 404 unless Referer is a same-site page"),
]
FAULTS: dict[str, Fault] = {f.name: f for f in _F}
