"""Polite HTTP for the crawler: robots.txt, one connection and a minimum delay per host, bounded retries.

The rules come from ``research/scraping.md`` §3 (Heritrix / Scrapy / RFC 9309 defaults). A fetch never
raises for an HTTP or network problem: it returns a ``FetchResult`` whose ``state`` says what happened
(``ok``, ``not_modified``, ``blocked``, ``failed``, ``robots_skipped``, ``off_allowlist``, ``not_found``,
``gone``), so the crawler can record every discovered link in the manifest.
"""

from __future__ import annotations

import codecs
import email.utils
import functools
import logging
import random
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field

from extract import media

logger = logging.getLogger(__name__)

CRAWLER_VERSION = "xxgk/0.1.0"
CONTACT_URL = "https://github.com/xxgk-open-data/xxgk"

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})
CHALLENGE_STATUSES = frozenset({202, 412, 521})  # 瑞数 412/202, 加速乐 521 (scraping.md §1.6)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FetchSettings(BaseModel):
    """Politeness and limits. Production defaults follow scraping.md §3; tests shrink the delays."""

    model_config = ConfigDict(extra="forbid")

    # ASCII only (HTTP headers); names the project and a contact URL, as Heritrix requires.
    user_agent: str = f"xxgk/0.1.0 (+{CONTACT_URL}; open-data crawler of government disclosure annual reports)"
    min_delay_s: float = 3.0  # Heritrix minDelayMs
    jitter_s: float = 1.5  # added (never subtracted) so the minimum always holds
    latency_factor: float = 2.0  # a slow host gets max(min_delay, factor x last latency)
    max_delay_s: float = 30.0
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    max_bytes: int = 100 * 1024 * 1024
    max_retries: int = 2
    max_timeout_retries: int = 1  # a host that timed out gets one more chance, not two
    # After a timeout the server may still be busy with the abandoned request (a trickling body keeps its
    # handler alive): wait this long before the host's next request so the two never overlap.
    # None = the read timeout.
    timeout_cooldown_s: float | None = None
    backoff_s: float = 2.0  # retry waits backoff x 4**attempt: 2 s, 8 s
    retry_after_cap_s: float = 60.0
    max_redirects: int = 10
    verify_tls: bool = True
    respect_crawl_delay: bool = True
    # Site-imposed delays (robots Crawl-delay, the registry's per-site min_delay_s) are multiplied by this:
    # production keeps 1.0; tests and the demo shrink them, since the mock world serves real values.
    crawl_delay_scale: float = 1.0
    max_crawl_delay_s: float = 300.0  # Heritrix respectCrawlDelayUpToSeconds; longer → skip host
    max_requests_per_host: int = 2000
    max_consecutive_failures: int = 5  # circuit breaker per host
    # A known document (report file, article page) is checked with the server again only this often,
    # staggered per URL over the second half of the period; list pages are read every night, so new
    # reports are found nightly. At ≥ 3 s per request, checking hundreds of known documents of a site
    # every night would take hours; a correction replaced in place is seen within this many days.
    revalidate_after_days: float = 7.0
    # A report document that failed (timeout, 5xx, WAF) is tried again after this many hours, doubling
    # with each further failure up to ``revalidate_after_days``: a one-off failure is retried the next
    # night, a URL broken for weeks is asked about weekly. 0 = retry on every run.
    retry_failed_after_hours: float = 20.0
    # Between those full downloads a known report file is still checked every night, so a correction
    # replaced in place at the same URL is seen the next night: a conditional GET where validators are on
    # record, else a ranged GET of its last bytes (``SiteCrawl.check_in_place``). False = not asked at all.
    check_known_nightly: bool = True
    # Only reports published within this many days (by the date their list prints) get the nightly check;
    # older ones wait for their weekly download. Corrections follow publication within weeks, and most of
    # a district's known reports are years old: this cuts most of the check's cost. None = every report.
    check_nightly_max_age_days: float | None = Field(None, gt=0)
    # A download must keep moving (issue 15): below ``min_throughput_bps`` over the last
    # ``throughput_window_s`` it is abandoned (a body trickling 1 byte / 2 s under a 10 MB Content-Length
    # would otherwise hold the host for months), and whatever its speed it ends at ``download_deadline_s``.
    # Neither is retried: a server that trickled once trickles again. ``stalled_download_bound_s`` is what
    # one such report can cost its host.
    min_throughput_bps: float = Field(1024.0, gt=0)
    throughput_window_s: float = Field(30.0, gt=0)
    download_deadline_s: float = Field(300.0, gt=0)
    # One site's share of a night: past it, the site's remaining links are recorded ``failed`` with the
    # reason (retried on a later night) and the crawl moves on. None = no cap.
    site_time_budget_s: float | None = Field(3 * 3600.0, gt=0)

    @classmethod
    def for_tests(cls, **overrides) -> FetchSettings:
        """Short delays for tests against the demo world on 127.0.0.1."""
        values = dict(min_delay_s=0.05, jitter_s=0.02, latency_factor=0.0, connect_timeout_s=2.0,
                      read_timeout_s=1.0, backoff_s=0.05, retry_after_cap_s=2.0, crawl_delay_scale=0.02,
                      timeout_cooldown_s=3.5, revalidate_after_days=0.0,
                      retry_failed_after_hours=0.0)
        values.update(overrides)
        return cls(**values)


@dataclass
class FetchResult:
    """What one logical fetch (redirects and retries included) produced."""

    url: str
    state: str  # ok | not_modified | blocked | failed | robots_skipped | off_allowlist | not_found | gone
    status: int | None = None
    final_url: str | None = None
    content: bytes | None = None
    media_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 0
    filename: str | None = None  # from Content-Disposition (download servlets name their file only there)
    # Set by the crawler: these bytes are the version already archived for this URL (a 304, or the
    # same bytes again), i.e. the page did not change since the last night.
    same_as_stored: bool = False

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def text(self) -> str:
        return decode_page(self.content or b"", self.headers.get("content-type"))


# ---------------------------------------------------------------------------------------------
# Content sniffing and decoding
# ---------------------------------------------------------------------------------------------
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb_2312", "gb_2312-80", "x-gbk", "cp936", "gb18030", "euc-cn"}


def _normalise_charset(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("'\"").lower()
    if name in _GB_FAMILY:
        return "gb18030"  # pages declaring gb2312 routinely contain GBK-only characters (镕 堃 珺)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _header_charset(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*([^;\s]+)", content_type or "", re.I)
    return _normalise_charset(match.group(1)) if match else None


def decode_page(data: bytes, content_type: str | None = None) -> str:
    """Decode an HTML/JSON/XML page: BOM → header → first <meta> → utf-8 → GB18030.

    A declared utf-8 that does not decode as utf-8 is a lie seen on old GBK sites; GB18030 is tried
    next. GB2312/GBK declarations are decoded as GB18030, their superset.
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    meta = _META_CHARSET.search(data[:4096])
    candidates = [_header_charset(content_type), _normalise_charset(meta.group(1).decode()) if meta else None,
                  "utf-8", "gb18030"]
    for enc in dict.fromkeys(c for c in candidates if c):
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", errors="replace")


_SOFT_404 = re.compile(r"页面不存在|找不到(该|您)?(页面|网页)|页面已删除|404 Not Found|您访问的页面"
                       r"|(文件|附件)(不存在|已(被)?删除|未找到)", re.I)
_SCRIPT_BLOCK = re.compile(r"<script\b.*?</script\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script\s*>", re.I | re.S)
_CHALLENGE_JS = re.compile(r"document\.cookie|location\.(reload|replace|href)|window\.location|wzwschallenge|__jsl",
                           re.I)


def is_challenge(status: int, body: bytes, headers: dict[str, str]) -> bool:
    """WAF challenge (瑞数 412/202, 加速乐 521, script-only shells, JS cookie pages) → ``blocked``.

    A small 200/403 page counts only when an inline script reloads, redirects or sets a cookie and the
    page shows (almost) no text — a broken 350-byte template stub with ``<script src>`` tags is not one.
    """
    if status in CHALLENGE_STATUSES:
        return True
    if status not in (200, 403) or len(body) > 4096:
        return False
    text = decode_page(body, headers.get("content-type"))
    if not any(_CHALLENGE_JS.search(script) for script in _INLINE_SCRIPT.findall(text)):
        return False
    visible = _TAG.sub("", _SCRIPT_BLOCK.sub("", text)).strip()
    return len(visible) < 200


_CD_EXTENDED = re.compile(r"""filename\*\s*=\s*([\w\-]+)'[^']*'([^;]+)""", re.I)
_CD_PLAIN = re.compile(r"""filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))""", re.I)


def content_disposition_filename(value: str | None) -> str | None:
    """The file name a download servlet gives in ``Content-Disposition`` (RFC 6266).

    ``filename*=UTF-8''%E5%B9%B4…`` wins over ``filename="…"``; a plain name sent as raw UTF-8 or GBK
    bytes (common, and illegal) arrives as Latin-1 text and is decoded back.
    """
    if not value:
        return None
    from urllib.parse import unquote

    extended = _CD_EXTENDED.search(value)
    if extended:
        try:
            return unquote(extended.group(2).strip().strip('"'), encoding=extended.group(1), errors="strict")
        except (LookupError, UnicodeDecodeError):
            pass
    plain = _CD_PLAIN.search(value)
    if not plain:
        return None
    name = (plain.group(1) if plain.group(1) is not None else plain.group(2)).strip()
    name = unquote(name) if "%" in name else name
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        return name or None
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding) or None
        except UnicodeDecodeError:
            continue
    return name or None


def is_soft_404(status: int, body: bytes, media_type: str, headers: dict[str, str]) -> bool:
    """A 200 HTML error page ("页面不存在") — common where a PDF was linked."""
    if status != 200 or media_type != "text/html" or len(body) > 4096:
        return False
    return bool(_SOFT_404.search(decode_page(body, headers.get("content-type"))))


# ---------------------------------------------------------------------------------------------
# Per-host politeness state
# ---------------------------------------------------------------------------------------------
class _RobotsAllowAll:
    def can_fetch(self, url: str, user_agent: str) -> bool:  # noqa: ARG002 - protego's signature
        return True

    def crawl_delay(self, user_agent: str) -> None:  # noqa: ARG002
        return None


@dataclass
class HostState:
    """Everything the fetcher knows about one netloc during a run."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    next_allowed: float = 0.0  # time.monotonic() before which no request may start
    robots: object | None = None  # Protego | _RobotsAllowAll; None = not fetched yet
    skip_reason: str | None = None  # robots 5xx, Crawl-delay too long, circuit open
    crawl_delay: float = 0.0
    site_min_delay: float = 0.0  # registry floor for this host (already scaled)
    requests: int = 0
    consecutive_failures: int = 0
    ignores_range: bool = False  # answered a ranged GET with the whole file: check known files by HEAD


class _TransientError(Exception):
    pass


class _Truncated(Exception):
    pass


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    """A download abandoned by the throughput floor or a deadline; ``gap``: the longest wait between chunks."""

    def __init__(self, message: str, gap: float):
        super().__init__(message)
        self.gap = gap


def stalled_download_bound_s(settings: FetchSettings) -> float:
    """The most one stalled download (headers then a trickle) can cost its host with ``settings``.

    Connect, wait for the headers (one read timeout), the throughput floor's window (or the total
    deadline if shorter), then the cool-down before the host's next request. Slow downloads are never
    retried, so this is the whole cost.
    """
    cooldown = settings.read_timeout_s if settings.timeout_cooldown_s is None else settings.timeout_cooldown_s
    body = min(settings.throughput_window_s + settings.read_timeout_s, settings.download_deadline_s)
    return settings.connect_timeout_s + settings.read_timeout_s + body + max(cooldown, settings.max_delay_s)


class _Throughput:
    """Watches one body as it arrives: too slow over the window, or past the deadline, raises ``_TooSlow``."""

    def __init__(self, settings: FetchSettings, deadline: float | None):
        self.floor, self.window = settings.min_throughput_bps, settings.throughput_window_s
        self.started = self.last = time.monotonic()
        limit = self.started + settings.download_deadline_s
        self.deadline = min(limit, deadline) if deadline is not None else limit
        self.site_deadline = deadline is not None and deadline < limit
        self.recent: list[tuple[float, int]] = []  # (time, bytes) of chunks inside the window
        self.gap = 0.0

    def add(self, n: int) -> None:
        now = time.monotonic()
        self.gap, self.last = max(self.gap, now - self.last), now
        self.recent.append((now, n))
        while self.recent and self.recent[0][0] < now - self.window:
            self.recent.pop(0)
        got = sum(b for _, b in self.recent)
        if now - self.started >= self.window and got < self.floor * self.window:
            raise _TooSlow(f"too slow: {got} bytes in the last {self.window:g} s, below the throughput floor of "
                           f"{self.floor:g} B/s; abandoned (not retried)", self.gap)
        if now >= self.deadline:
            what = ("the site's time budget for tonight" if self.site_deadline
                    else f"the download deadline of {self.deadline - self.started:g} s")
            raise _TooSlow(f"download passed {what}; abandoned (not retried)", self.gap)


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def host_allowed(url: str, allowed_hosts: set[str] | frozenset[str]) -> bool:
    """Allowlist match on netloc (``host:port``), bare hostname, or a ``*.suffix`` wildcard."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    netloc, hostname = parts.netloc.lower(), (parts.hostname or "").lower()
    for entry in allowed_hosts:
        entry = entry.lower()
        if entry == netloc or (":" not in entry and entry == hostname):
            return True
        if entry.startswith("*.") and (hostname.endswith(entry[1:]) or hostname == entry[2:]):
            return True
    return False


def _connect_error_text(exc: Exception) -> str:
    """A certificate problem is permanent for this run (never retried); other connect errors are transient."""
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text.lower():
        return f"TLS certificate verification failed ({text}); see crawl.insecure_tls in the registry"
    return f"transient: ConnectError: {text}"


@functools.lru_cache(maxsize=1)
def _verifying_ssl_context():
    """One certificate-checking context for all clients (building one per host costs ~0.1 s each)."""
    import ssl

    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class Fetcher:
    """One polite HTTP client for a crawl run.

    ``allowed_hosts`` is the site's allowlist; ``for_site`` derives a fetcher for another site that
    shares the per-host state (delays, robots, connections), so two sites on one host stay polite.
    """

    def __init__(self, settings: FetchSettings | None = None, allowed_hosts=(), *, insecure_tls: bool = False,
                 _shared: dict | None = None):
        import httpx  # noqa: F401 - fail early if missing; clients are created lazily per host

        self.settings = settings or FetchSettings()
        self.allowed_hosts = frozenset(allowed_hosts)
        self.insecure_tls = insecure_tls
        self._shared = _shared if _shared is not None else {"hosts": {}, "clients": {}, "lock": threading.Lock()}
        # time.monotonic() past which this (per-site) fetcher asks nothing more: the site's night is over
        self.deadline: float | None = None
        if insecure_tls:
            logger.warning("TLS certificate checks OFF for %s (per-site escape hatch)", sorted(self.allowed_hosts))

    def for_site(self, allowed_hosts, *, insecure_tls: bool = False, min_delay_s: float | None = None) -> Fetcher:
        """A fetcher for another site's allowlist sharing this run's per-host state."""
        if min_delay_s:
            for netloc in allowed_hosts:
                if not netloc.startswith("*."):
                    host = self.host(netloc.lower())
                    host.site_min_delay = max(host.site_min_delay, min_delay_s * self.settings.crawl_delay_scale)
        return Fetcher(self.settings, allowed_hosts, insecure_tls=insecure_tls, _shared=self._shared)

    def close(self) -> None:
        with self._shared["lock"]:
            for client in self._shared["clients"].values():
                client.close()
            self._shared["clients"].clear()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- host bookkeeping --------------------------------------------------------------------------
    def host(self, netloc: str) -> HostState:
        with self._shared["lock"]:
            return self._shared["hosts"].setdefault(netloc, HostState())

    def _client(self, scheme: str, netloc: str):
        import httpx

        verify = self.settings.verify_tls and not self.insecure_tls
        key = (scheme, netloc, verify)
        with self._shared["lock"]:
            client = self._shared["clients"].get(key)
            if client is None:
                s = self.settings
                client = httpx.Client(
                    verify=_verifying_ssl_context() if verify else False,
                    follow_redirects=False,
                    timeout=httpx.Timeout(s.read_timeout_s, connect=s.connect_timeout_s),
                    limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                    headers={"User-Agent": s.user_agent, "Accept-Language": "zh-CN,zh;q=0.9"},
                )
                self._shared["clients"][key] = client
            return client

    def _delay_after(self, host: HostState, latency: float) -> float:
        s = self.settings
        base = max(s.min_delay_s, host.crawl_delay, host.site_min_delay, s.latency_factor * latency)
        return min(base, max(s.max_delay_s, s.min_delay_s)) + random.uniform(0.0, s.jitter_s)

    # -- robots.txt ----------------------------------------------------------------------------------
    def _ensure_robots(self, url: str) -> HostState:
        parts = urlsplit(url)
        host = self.host(parts.netloc)
        if host.robots is not None or host.skip_reason:
            return host
        with self._shared["lock"]:
            robots_lock = self._shared.setdefault(("robots", parts.netloc), threading.Lock())
        with robots_lock:
            if host.robots is None and not host.skip_reason:
                self._load_robots(parts.scheme, parts.netloc, host)
        return host

    def _load_robots(self, scheme: str, netloc: str, host: HostState) -> None:
        from protego import Protego

        robots_url = f"{scheme}://{netloc}/robots.txt"
        result = self._fetch_with_retries("GET", robots_url, host, {}, None, max_redirects=5, robots=True)
        if result.status is not None and 200 <= result.status < 300 and result.content is not None:
            host.robots = Protego.parse(decode_page(result.content, result.headers.get("content-type")))
        elif result.status is not None and 400 <= result.status < 500:
            host.robots = _RobotsAllowAll()  # RFC 9309 §2.3.1.3: unavailable → allow all
        else:
            # RFC 9309 §2.3.1.4: unreachable (5xx / network) → assume complete disallow, this run only.
            host.skip_reason = f"robots.txt unreachable ({result.status or result.error})"
            logger.warning("%s: skipping host this run: %s", netloc, host.skip_reason)
            return
        delay = host.robots.crawl_delay(self._robots_agent()) if self.settings.respect_crawl_delay else None
        if delay:
            if delay > self.settings.max_crawl_delay_s:
                host.skip_reason = f"Crawl-delay {delay}s exceeds {self.settings.max_crawl_delay_s}s"
            host.crawl_delay = float(delay) * self.settings.crawl_delay_scale
            with host.lock:  # the robots.txt request itself already counts: the next one waits the full delay
                host.next_allowed = max(host.next_allowed, time.monotonic() + host.crawl_delay)

    def _robots_agent(self) -> str:
        return self.settings.user_agent.split("/")[0]

    # -- the public call -------------------------------------------------------------------------------
    def get(self, url: str, *, referrer: str | None = None, etag: str | None = None,
            last_modified: str | None = None, method: str = "GET", data: dict | None = None,
            headers: dict[str, str] | None = None) -> FetchResult:
        """Fetch ``url`` politely; never raises for HTTP/network trouble (see ``FetchResult.state``)."""
        if self.out_of_time():
            return FetchResult(url, "failed", error=self.out_of_time_error())
        extra = dict(headers or {})
        if referrer:
            extra.setdefault("Referer", referrer)
        if etag:
            extra["If-None-Match"] = etag
        if last_modified:
            extra["If-Modified-Since"] = last_modified
        current, seen = url, {}
        for _hop in range(self.settings.max_redirects + 1):
            refusal = self._refusal(url, current)
            if refusal:
                return refusal
            host = self.host(urlsplit(current).netloc)
            result = self._fetch_with_retries(method, current, host, extra, data)
            result.url = url
            if result.state != "redirect":
                return self._finish(result, current)
            target = urljoin(current, result.headers.get("location", ""))
            seen[current] = seen.get(current, 0) + 1
            if seen.get(target, 0) >= 2:  # one redirect-to-self is allowed (cookie-setting WAFs)
                return FetchResult(url, "failed", result.status, target, error="redirect loop")
            if result.status == 303 or (result.status in (301, 302) and method == "POST"):
                method, data = "GET", None
            current = target
        return FetchResult(url, "failed", None, current, error=f"more than {self.settings.max_redirects} redirects")

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def out_of_time_error(self) -> str:
        budget = self.settings.site_time_budget_s
        return (f"not fetched: the site's time budget for tonight ({budget:g} s) is used up; "
                "tried again on a later night")

    def _refusal(self, url: str, current: str) -> FetchResult | None:
        if not host_allowed(current, self.allowed_hosts):
            logger.info("refusing off-allowlist URL %s", current)
            return FetchResult(url, "off_allowlist", final_url=current, error=f"host not on allowlist: {current}")
        host = self._ensure_robots(current)
        if host.skip_reason:
            return FetchResult(url, "robots_skipped", final_url=current, error=host.skip_reason)
        if not host.robots.can_fetch(current, self._robots_agent()):
            return FetchResult(url, "robots_skipped", final_url=current, error="disallowed by robots.txt")
        if host.requests >= self.settings.max_requests_per_host:
            return FetchResult(url, "failed", final_url=current, error="per-host request budget exhausted")
        if host.consecutive_failures >= self.settings.max_consecutive_failures:
            return FetchResult(url, "failed", final_url=current, error="host circuit open after repeated failures")
        return None

    def _finish(self, result: FetchResult, final: str) -> FetchResult:
        result.final_url = final if final != result.url else None
        if result.state != "ok":
            return result
        body, status = result.content or b"", result.status or 0
        result.media_type = media.sniff(body)
        result.etag = result.headers.get("etag")
        result.last_modified = result.headers.get("last-modified")
        result.filename = content_disposition_filename(result.headers.get("content-disposition"))
        if is_challenge(status, body, result.headers):
            result.state, result.error = "blocked", f"WAF challenge (HTTP {status}); not bypassed"
        elif status == 200 and not body:
            result.state, result.error = "failed", "empty body (0 bytes)"
        elif status == 403:
            result.state, result.error = "failed", "HTTP 403"
        elif is_soft_404(status, body, result.media_type, result.headers):
            result.state, result.error = "not_found", "soft 404: HTML error page with status 200"
        return result

    # -- one URL, with retries -------------------------------------------------------------------------
    def _fetch_with_retries(self, method, url, host, headers, data, *, max_redirects=None, robots=False):
        s = self.settings
        result = FetchResult(url, "failed")
        for attempt in range(s.max_retries + 1):
            result = self._attempt(method, url, host, headers, data)
            result.attempts = attempt + 1
            retry_wait = self._retry_wait(result, attempt)
            if retry_wait is None or attempt == s.max_retries or self.out_of_time():
                break
            logger.info("%s: retry %d in %.2fs (%s)", url, attempt + 1, retry_wait, result.error or result.status)
            with host.lock:  # backoff pushes the host's clock: other hosts keep going meanwhile
                host.next_allowed = max(host.next_allowed, time.monotonic() + retry_wait)
        if robots and result.state == "redirect":
            # RFC 9309: follow up to five redirects for robots.txt, same allowlist rules.
            target = urljoin(url, result.headers.get("location", ""))
            if (max_redirects or 0) > 0 and host_allowed(target, self.allowed_hosts):
                return self._fetch_with_retries(method, target, self.host(urlsplit(target).netloc), headers, data,
                                                max_redirects=max_redirects - 1, robots=True)
            return FetchResult(url, "failed", error="robots.txt redirect not followed")
        return result

    def _retry_wait(self, result: FetchResult, attempt: int) -> float | None:
        s = self.settings
        backoff = s.backoff_s * (4 ** attempt) + random.uniform(0.0, s.backoff_s / 2)
        if result.error and result.error.startswith("transient"):
            if "Timeout" in result.error and attempt >= s.max_timeout_retries:
                return None
            return backoff
        if result.status in RETRY_STATUSES:
            after = _retry_after_seconds(result.headers.get("retry-after"))
            return max(backoff, min(after, s.retry_after_cap_s)) if after is not None else backoff
        return None

    def _attempt(self, method, url, host: HostState, headers, data) -> FetchResult:
        import httpx

        parts = urlsplit(url)
        slow_cooldown = 0.0
        with host.lock:  # held for the whole request: never two concurrent requests to one host
            wait = host.next_allowed - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            started = time.monotonic()
            host.requests += 1
            try:
                status, resp_headers, body = self._send(self._client(parts.scheme, parts.netloc), method, url,
                                                        headers, data)
                state, error = self._classify(status)
                host.consecutive_failures = 0 if status < 500 else host.consecutive_failures + 1
            except (_Truncated, _TooLarge) as exc:
                status, resp_headers, body, state, error = None, {}, None, "failed", str(exc)
            except _TooSlow as exc:
                # the server may still be writing into the closed connection: let it notice before the
                # host's next request, so the two never overlap (twice its longest pause, at most a read timeout)
                slow_cooldown = min(self.settings.read_timeout_s, 2 * exc.gap + 0.5)
                host.consecutive_failures += 1  # a host that only trickles opens its circuit
                status, resp_headers, body, state, error = None, {}, None, "failed", str(exc)
            except httpx.ConnectError as exc:
                host.consecutive_failures += 1
                status, resp_headers, body = None, {}, None
                state, error = "failed", _connect_error_text(exc)
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                host.consecutive_failures += 1
                status, resp_headers, body = None, {}, None
                state, error = "failed", f"transient: {type(exc).__name__}: {exc}"
            except httpx.HTTPError as exc:
                status, resp_headers, body, state, error = None, {}, None, "failed", f"{type(exc).__name__}: {exc}"
            latency = time.monotonic() - started
            delay = max(self._delay_after(host, latency), slow_cooldown)
            if error and "Timeout" in error:
                cooldown = self.settings.timeout_cooldown_s
                delay = max(delay, self.settings.read_timeout_s if cooldown is None else cooldown)
            host.next_allowed = time.monotonic() + delay
        return FetchResult(url, state, status, content=body, headers=resp_headers, error=error)

    @staticmethod
    def _classify(status: int) -> tuple[str, str | None]:
        if status in REDIRECT_STATUSES:
            return "redirect", None
        if status == 304:
            return "not_modified", None
        if status in CHALLENGE_STATUSES:
            return "ok", None  # classified as blocked in _finish (body may matter later)
        if 200 <= status < 300:
            return "ok", None
        if status == 404:
            return "not_found", "HTTP 404"
        if status == 410:
            return "gone", "HTTP 410"
        if status == 403:
            return "ok", None  # a 403 script shell is a WAF block; a plain 403 becomes failed in _finish
        return "failed", f"HTTP {status}"

    def _send(self, client, method, url, headers, data) -> tuple[int, dict[str, str], bytes]:
        s = self.settings
        body_arg = {"content": data.encode("utf-8")} if isinstance(data, str) else {"data": data}  # JSON text or a form
        with client.stream(method, url, headers=headers, **body_arg) as resp:
            resp_headers = {k.lower(): v for k, v in resp.headers.items()}
            declared = int(resp_headers.get("content-length", "0") or 0)
            if declared > s.max_bytes:
                raise _TooLarge(f"too large: Content-Length {declared} > cap {s.max_bytes}")
            chunks, total = [], 0
            pace = _Throughput(s, self.deadline)
            try:
                for chunk in resp.iter_bytes():
                    pace.add(len(chunk))
                    total += len(chunk)
                    if total > s.max_bytes:
                        raise _TooLarge(f"too large: more than {s.max_bytes} bytes")
                    chunks.append(chunk)
            except Exception as exc:
                import httpx

                if isinstance(exc, httpx.RemoteProtocolError):
                    raise _Truncated(f"truncated body: {exc}") from exc
                raise
            body = b"".join(chunks)
            status = resp.status_code
        return status, resp_headers, body
