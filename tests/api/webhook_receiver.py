"""A real HTTP server on 127.0.0.1 that records what it receives and answers as told."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    # Header names in lower case: HTTP does not distinguish case.
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    received: list = field(default_factory=list)
    # Status codes to answer with, in order; 200 once they run out.
    answers: list = field(default_factory=list)


def start_receiver():
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            receiver.received.append(Received(headers, self.rfile.read(length)))
            code = receiver.answers.pop(0) if receiver.answers else 200
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return receiver, server
