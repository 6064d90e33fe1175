"""The bench's own pieces: the hello baseline lives only in the bench's URLconf, and the load
client counts answers and errors correctly (against a throw-away server on 127.0.0.1)."""

import http.server
import threading

import pytest
from django.urls import Resolver404, resolve

from bench import loadclient


@pytest.mark.urls("bench.urls")
def test_hello_baseline_is_served_by_the_bench_urlconf(client, db):
    response = client.get("/bench-hello/")
    assert response.status_code == 200
    assert response.content == b"hello"


def test_hello_is_not_in_the_site_urls():
    try:
        match = resolve("/bench-hello/", urlconf="config.urls")
    except Resolver404:
        return
    # Wagtail's catch-all page route may match the path; it must not be the hello view.
    assert match.func.__name__ != "hello"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status = 200 if self.path.startswith("/ok") else 500
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_load_client_counts_requests_and_errors(local_server):
    good = loadclient.run(local_server, ["/ok/1", "/ok/2"], concurrency=2, duration=0.5, processes=1)
    assert good["requests"] > 0 and good["errors"] == 0 and good["rps"] > 0
    assert good["p95_ms"] >= good["p50_ms"] > 0
    bad = loadclient.run(local_server, ["/fail"], concurrency=2, duration=0.3, processes=1)
    assert bad["requests"] == 0 and bad["errors"] > 0
