"""The HTTP server under the test fakes (forges, Wikidata, Software Heritage): threaded, on
127.0.0.1, able to close its keep-alive connections and join their threads when stopped;
and the request handler the Wikidata and Software Heritage fakes share."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class TrackingHTTPServer(ThreadingHTTPServer):
    """Tracks connections so that ``stop()`` can close them and join their threads."""

    daemon_threads = True
    block_on_close = False
    thread_name = "fake-connection"

    def __init__(self, address: tuple[str, int], handler):
        self._conns: dict[Any, threading.Thread] = {}
        self._conns_lock = threading.Lock()
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind() would do a reverse DNS lookup (socket.getfqdn).
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=self.thread_name,
            daemon=True,
        )
        with self._conns_lock:
            self._conns[request] = thread
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.pop(request, None)
        super().shutdown_request(request)

    def close_connections(self) -> list[threading.Thread]:
        """Shut down open (keep-alive) connections; returns their handler threads."""
        with self._conns_lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            return list(self._conns.values())

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away (timeout, closed connection)
        super().handle_error(request, client_address)


class ServedFake:
    """Start/stop and context-manager lifecycle of a fake served by a TrackingHTTPServer.

    Subclasses set `host` and `_port` and define `_make_server()` and `_thread_name`.
    `_stopping` wakes handlers that sleep to simulate latency or delays.
    """

    _thread_name = "fake"

    def _init_lifecycle(self, host: str, port: int) -> None:
        self.host = host
        self._port = port
        self._httpd: TrackingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def _make_server(self) -> TrackingHTTPServer:
        raise NotImplementedError

    def start(self):
        if self._httpd is None:
            self._stopping.clear()
            self._httpd = self._make_server()
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=self._thread_name,
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._stopping.set()
        httpd.shutdown()
        thread.join()
        workers = httpd.close_connections()
        httpd.server_close()
        for worker in workers:
            worker.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError(f"the {type(self).__name__} is not started")
        return self._httpd.server_address[1]


class FakeRequestHandler(BaseHTTPRequestHandler):
    """Hands each request to its fake (``server.fake._serve(method, path, headers, body)``,
    which returns an object with ``status``, ``headers`` and ``body``) and writes the
    answer; keep-alive like the real APIs, and silent (each fake logs its own requests)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    sys_version = ""
    server: FakeServer

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        response = self.server.fake._serve(self.command, self.path, self.headers, body)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeServer(TrackingHTTPServer):
    """The TrackingHTTPServer of a fake whose handler is `handler` (a FakeRequestHandler)."""

    def __init__(self, address: tuple[str, int], fake: Any, handler=FakeRequestHandler):
        self.fake = fake
        super().__init__(address, handler)
