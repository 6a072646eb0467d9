"""The HTTP side of the demo world: one stdlib ThreadingHTTPServer per site, faults, request log.

Every site gets its own port, so its own netloc: a polite crawler treats them as separate hosts, and
the request log can prove it (start and end of every request, so overlapping requests on one host are
visible). Sleeps wait on a stop event, so stopping never hangs behind a slow or trickling response.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from datetime import datetime, timezone, date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from demo.sites.model import RequestRecord, Resource

logger = logging.getLogger(__name__)

NOT_FOUND_PAGE = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404 页面不存在</title></head>"
                  "<body><h1>对不起，您访问的页面不存在！</h1></body></html>").encode("utf-8")
SERVER_ERROR_PAGE = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>500</title></head>"
                     "<body><h1>服务器繁忙，请稍后再试。</h1></body></html>").encode("utf-8")


@dataclass(frozen=True)
class Delays:
    """Injected stalls. Fast mode is for tests; the demo keeps every stall under ~10 s.

    A crawler meets these with its read timeout T: the slow page must pass (slow_first_byte < T) and the
    trickling attachment must fail (trickle_gap > T). Fast: T = 1 s works; demo: T = 8 s works.
    """

    slow_first_byte: float
    trickle_gap: float
    retry_after_503: int
    retry_after_429: int

    @classmethod
    def for_mode(cls, fast: bool) -> "Delays":
        return cls(0.4, 2.0, 1, 1) if fast else cls(6.0, 10.0, 7, 3)


@dataclass
class Request:
    """What a route handler sees of a request."""

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]

    def arg(self, name: str, default: str | None = None) -> str | None:
        for source in (self.query, self.form):
            if name in source:
                return source[name][0]
        return default


class SiteRoutes:
    """What one site serves on one day: static paths plus an optional handler for APIs with parameters."""

    def __init__(self, site: str):
        self.site = site
        self.static: dict[str, Resource] = {}
        self.dynamic = None  # callable(Request) -> Resource | None

    def add(self, path: str, resource: Resource) -> None:
        self.static[path] = resource

    def resolve(self, request: Request) -> Resource | None:
        if self.dynamic is not None:
            answer = self.dynamic(request)
            if answer is not None:
                return answer
        return self.static.get(request.path)


def _byte_range(value: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single ``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` range, or None (whole file)."""
    import re

    match = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", value or "")
    if not match or size == 0 or not (match.group(1) or match.group(2)):
        return None
    if not match.group(1):
        return max(0, size - int(match.group(2))), size - 1
    first = int(match.group(1))
    last = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
    return (first, last) if first <= last else None


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def http_date(d: date) -> str:
    return format_datetime(datetime(d.year, d.month, d.day, 8, 0, tzinfo=timezone.utc), usegmt=True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


class LiveWorld:
    """A running world (what ``DemoWorld.serve`` yields)."""

    SITE_ORDER = ("trs", "gd", "hanweb", "doc", "legacy", "spam", "down", "epoint")

    def __init__(self, world, day: int, fast: bool, port_base: int | None = None):
        self.world = world
        self.fast = fast
        self.delays = Delays.for_mode(fast)
        self._day = day
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._seen: dict[tuple[str, str], int] = {}
        self._stop = threading.Event()
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self._conns: set[socket.socket] = set()
        self._port_base = port_base
        self.bases: dict[str, str] = {}

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self) -> "LiveWorld":
        try:
            for i, site in enumerate(self.SITE_ORDER):
                port = 0 if self._port_base is None else self._port_base + i
                server = _Server(("127.0.0.1", port), _make_handler(self, site))
                self._servers[site] = server
                t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                     name=f"demo-{site}", daemon=True)
                t.start()
                self._threads.append(t)
        except BaseException:
            self.stop()
            raise
        self.bases = self.base_urls()
        return self

    def stop(self) -> None:
        self._stop.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:  # wake handler threads parked on keep-alive reads
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in self._threads:
            t.join(timeout=2)
        self._servers.clear()

    def __enter__(self) -> "LiveWorld":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- public API ----------------------------------------------------------------------------
    @property
    def day(self) -> int:
        return self._day

    def set_day(self, day: int) -> None:
        self.world.routes(day, self.bases)  # build before switching, so no request sees a half-built day
        with self._lock:
            self._day = day
            self._seen.clear()  # the nightly faults (first request fails) recur on the new day

    def port(self, site: str) -> int:
        return self._servers[site].server_address[1]

    def netloc(self, site: str) -> str:
        return f"127.0.0.1:{self.port(site)}"

    def base_url(self, site: str) -> str:
        return f"http://{self.netloc(site)}"

    def base_urls(self) -> dict[str, str]:
        return {s: self.base_url(s) for s in self._servers}

    def requests(self, settle: float = 0.5) -> list[RequestRecord]:
        """Every logged request so far (admin calls excluded).

        The client can see a response a moment before the server thread stamps ``t_end``; waiting up to
        ``settle`` seconds for in-flight requests keeps the log complete for assertions made right
        after a crawl. A request that is still really running (a trickle) keeps ``t_end=None``.
        """
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            with self._lock:
                if all(r.t_end is not None for r in self._records):
                    break
            time.sleep(0.01)
        with self._lock:
            return list(self._records)

    def clear_requests(self) -> None:
        with self._lock:
            self._records.clear()

    def sites_yaml(self) -> str:
        from demo.sites.registry import sites_yaml
        return sites_yaml(self.world, self.base_urls())

    # --- used by the handler -------------------------------------------------------------------
    def first_time(self, site: str, key: str) -> bool:
        with self._lock:
            n = self._seen.get((site, key), 0)
            self._seen[(site, key)] = n + 1
            return n == 0

    def log(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the world is stopping; False means stop now."""
        return not self._stop.wait(seconds)


def _make_handler(live: LiveWorld, site: str):
    class Handler(_SiteHandler):
        pass

    Handler.live = live
    Handler.site = site
    return Handler


class _SiteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 10  # idle keep-alive connections give their thread back
    live: LiveWorld
    site: str

    def setup(self):
        super().setup()
        self.live.track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.live.track(self.connection, False)

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        logger.debug("%s %s", self.site, format % args)

    def do_GET(self):
        self._handle()

    def do_HEAD(self):
        self._handle()

    def do_POST(self):
        self._handle()

    # --- one request -------------------------------------------------------------------------
    def _handle(self):
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        record = RequestRecord(site=self.site, netloc=self.headers.get("Host", ""), method=self.command,
                               path=split.path, query=split.query, headers=dict(self.headers.items()),
                               t_start=time.monotonic(), body=raw_body)
        if split.path.startswith("/_admin/"):
            self._admin(split.path)
            return
        self.live.log(record)
        try:
            form = parse_qs(raw_body.decode("utf-8", "replace")) if self.command == "POST" else {}
            request = Request(self.command, split.path, parse_qs(split.query), form, dict(self.headers.items()))
            routes = self.live.world.routes(self.live.day, self.live.bases)
            resource = routes[self.site].resolve(request)
            self._answer(request, resource, record)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            record.t_end = time.monotonic()

    def _admin(self, path: str) -> None:
        parts = path.strip("/").split("/")
        if self.command == "POST" and len(parts) == 3 and parts[1] == "day" and parts[2].isdigit():
            self.live.set_day(int(parts[2]))
            self._send(200, {"Content-Type": "text/plain"}, f"day {parts[2]}\n".encode())
        else:
            self._send(404, {"Content-Type": "text/plain"}, b"unknown admin command\n")

    def _answer(self, request: Request, resource: Resource | None, record: RequestRecord) -> None:
        if resource is None or (resource.require_referer and not self._has_site_referer()):
            self._finish(record, 404, {"Content-Type": "text/html; charset=utf-8"}, NOT_FOUND_PAGE)
            return
        key = request.path + "?" + record.query
        fault = resource.fault
        if fault == "slow_first_byte":
            if not self.live.sleep(self.live.delays.slow_first_byte):
                return
        elif fault == "fail_first" and self.live.first_time(self.site, key):
            self._finish(record, 500, {"Content-Type": "text/html; charset=utf-8"}, SERVER_ERROR_PAGE)
            return
        elif fault == "unavailable_once" and self.live.first_time(self.site, key):
            self._finish(record, 503, {"Content-Type": "text/html; charset=utf-8",
                                       "Retry-After": str(self.live.delays.retry_after_503)}, SERVER_ERROR_PAGE)
            return
        elif fault == "rate_limited_once" and self.live.first_time(self.site, key):
            self._finish(record, 429, {"Content-Type": "text/html; charset=utf-8",
                                       "Retry-After": str(self.live.delays.retry_after_429)},
                         b"<html><body>Too Many Requests</body></html>")
            return
        body = resource.payload()
        headers = {"Content-Type": resource.content_type}
        headers.update(dict(resource.headers))
        if resource.conditional and resource.status == 200:
            etag = etag_of(body)
            headers["ETag"] = etag
            if resource.last_modified:
                headers["Last-Modified"] = http_date(resource.last_modified)
            if self._not_modified(etag, resource.last_modified):
                self._finish(record, 304, {k: v for k, v in headers.items() if k != "Content-Type"}, b"")
                return
        if resource.ranges and resource.status == 200 and fault is None:
            headers["Accept-Ranges"] = "bytes"
            span = _byte_range(self.headers.get("Range"), len(body))
            if span is not None:
                start, end = span
                headers["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
                self._finish(record, 206, headers, body[start:end + 1])
                return
        if fault == "trickle" and self.command != "HEAD":
            self._trickle(record, headers, body)
        elif fault == "truncate" and self.command != "HEAD":
            self._truncated(record, headers, body)
        else:
            self._finish(record, resource.status, headers, body)

    def _has_site_referer(self) -> bool:
        referer = self.headers.get("Referer", "")
        return urlsplit(referer).netloc == self.headers.get("Host", "")

    def _not_modified(self, etag: str, last_modified: date | None) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims and last_modified:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            return since >= datetime(last_modified.year, last_modified.month, last_modified.day, 8, 0,
                                     tzinfo=timezone.utc)
        return False

    def _finish(self, record: RequestRecord, status: int, headers: dict, body: bytes) -> None:
        record.status = status
        record.bytes_sent = self._send(status, headers, body)

    def _send(self, status: int, headers: dict, body: bytes) -> int:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD" or status == 304:
            return 0
        self.wfile.write(body)
        return len(body)

    def _trickle(self, record: RequestRecord, headers: dict, body: bytes) -> None:
        """Headers and half the body at once, one long stall, then the connection drops.

        A crawler with a read timeout below ``trickle_gap`` gives up during the stall; a patient one gets
        an incomplete body. Either way the attachment ends ``failed``, and nobody waits more than one gap.
        """
        self._send_part_then_drop(record, headers, body, len(body) // 2, stall=self.live.delays.trickle_gap)

    def _truncated(self, record: RequestRecord, headers: dict, body: bytes) -> None:
        """Announce the full length, send about 60 %, then drop the connection."""
        self._send_part_then_drop(record, headers, body, len(body) * 3 // 5)

    def _send_part_then_drop(self, record: RequestRecord, headers: dict, body: bytes, n: int,
                             stall: float = 0.0) -> None:
        """Announce the whole ``body`` in Content-Length, send its first ``n`` bytes, then hang up."""
        record.status = 200
        self.send_response(200)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:n])
        self.wfile.flush()
        record.bytes_sent = n
        if stall:
            self.live.sleep(stall)
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
