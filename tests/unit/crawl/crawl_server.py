"""A tiny scripted HTTP server on 127.0.0.1 for fetcher tests (routes are plain functions)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedServer:
    """Routes: path -> callable(handler, n_th_request) -> (status, headers dict, body bytes), or None when
    the route wrote its own answer (a trickle); such a route should stop when ``stopping`` is set."""

    def __init__(self):
        self.routes = {}
        self.log = []  # (method, path, headers, t_start, t_end)
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        self.counts = {}
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                t_start = time.monotonic()
                with server._lock:
                    server.active += 1
                    server.max_active = max(server.max_active, server.active)
                    n = server.counts.get(self.path, 0)
                    server.counts[self.path] = n + 1
                length = int(self.headers.get("content-length") or 0)
                self.body = self.rfile.read(length) if length else b""  # routes may read it
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                status, headers, body, declared = 404, {}, b"not here", None
                try:
                    out = route(self, n) if route else (status, headers, body)
                    if out is None:  # the route answered by itself
                        return
                    status, headers, body = out[:3]
                    declared = out[3] if len(out) > 3 else None
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(declared if declared is not None else len(body)))
                    if declared is not None:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(body)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (read timeout): still logged below
                finally:
                    with server._lock:
                        server.active -= 1
                        server.log.append((self.command, self.path, dict(self.headers), t_start, time.monotonic()))

            do_GET = do_POST = do_HEAD = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def base(self) -> str:
        return f"http://{self.netloc}"

    def entries(self, timeout: float = 3.0) -> list[tuple]:
        """The log once no handler is running (a handler logs after its response reached the client)."""
        deadline = time.monotonic() + timeout
        while self.active and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.02)
        with self._lock:
            return list(self.log)

    def paths(self) -> list[str]:
        return [entry[1] for entry in self.entries()]


def static(status=200, body=b"", headers=None, declared=None):
    headers = headers or {"Content-Type": "text/html; charset=utf-8"}
    return lambda handler, n: (status, headers, body, declared)
