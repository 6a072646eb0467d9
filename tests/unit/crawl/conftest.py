"""Fixtures of the crawler unit tests."""

import pytest
from crawl_server import ScriptedServer


@pytest.fixture
def server():
    srv = ScriptedServer()
    srv.thread.start()
    yield srv
    srv.stopping.set()
    srv.httpd.shutdown()
    srv.httpd.server_close()
