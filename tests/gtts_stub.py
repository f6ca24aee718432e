"""A loopback stand-in for Google Translate's TTS endpoint, reached the way a user's proxy is.

The real gTTS library builds the requests, which go through ``HTTPS_PROXY``. This server is that
proxy: it answers ``CONNECT``, terminates TLS with a throwaway certificate (trustme) whose CA the
tests trust through ``REQUESTS_CA_BUNDLE`` (the engine verifies certificates), and speaks gTTS's ``batchexecute`` protocol, answering real
MP3 audio encoded by ffmpeg. gTTS's own code runs unchanged. Faults are scripted per request.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import socketserver
import ssl
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from audio_edition import ffmpeg

#: What the stub does with one request: "ok", "429", "500", "hang" (longer than any test timeout),
#: "empty" (a 200 answer with no audio in it), "garbage" (audio that does not decode) or
#: "truncated" (the first few hundred bytes of real audio).
Plan = Callable[[int, str], str]


def tone_mp3(text: str) -> bytes:
    """Real MP3 audio, 24 kHz mono as Google sends, ~60 ms per character."""
    rate = 24000
    n = int(rate * 0.06 * max(4, len(text)))
    t = np.arange(n) / rate
    envelope = 0.5 + 0.5 * np.abs(np.sin(2 * np.pi * 2.5 * t))
    pcm = (0.3 * 32767 * envelope * np.sin(2 * np.pi * (180 + len(text) % 50) * t)).astype("<i2").tobytes()
    args = ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", "32k"]
    return ffmpeg.run([*args, "-f", "mp3", "pipe:1"], input=pcm).stdout


@dataclass
class Request:
    at: float
    text: str
    lang: str
    outcome: str


@dataclass
class GttsStub:
    plan: Plan = lambda n, text: "ok"  # noqa: E731
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def texts(self, outcome: str = "ok") -> list[str]:
        return [r.text for r in self.requests if r.outcome == outcome]

    def max_per_second(self) -> int:
        """The most requests that arrived within any one-second window."""
        times = sorted(r.at for r in self.requests)
        return max((sum(1 for u in times if t <= u < t + 1.0) for t in times), default=0)

    def respond(self, body: bytes) -> tuple[int, bytes]:
        form = urllib.parse.parse_qs(body.decode())
        rpc = json.loads(form["f.req"][0])
        text, lang, *_ = json.loads(rpc[0][0][1])
        with self.lock:
            outcome = self.plan(len(self.requests), text)
            self.requests.append(Request(time.monotonic(), text, lang, outcome))
        if outcome == "429":
            return 429, b"Too Many Requests"
        if outcome == "500":
            return 500, b"Internal Server Error"
        if outcome == "hang":
            time.sleep(30)
            return 504, b""
        if outcome in ("garbage", "truncated"):  # a 200 answer whose audio is unusable
            mp3 = b"\x00\x17not audio at all" * 50 if outcome == "garbage" else tone_mp3(text)[:300]
            audio = base64.b64encode(mp3).decode()
            payload = json.dumps([["wrb.fr", "jQ1olc", json.dumps([audio]), None, None, None, "generic"]])
            return 200, (")]}'\n\n" + str(len(payload)) + "\n" + payload + "\n").encode()
        if outcome == "empty":
            return 200, b')]}\'\n\n[["wrb.fr","jQ1olc",null,null,null,[3],"generic"]]\n'
        audio = base64.b64encode(tone_mp3(text)).decode()
        payload = json.dumps(
            [["wrb.fr", "jQ1olc", json.dumps([audio]), None, None, None, "generic"]], separators=(",", ":")
        )
        return 200, (")]}'\n\n" + str(len(payload)) + "\n" + payload + "\n").encode()


def _read_head(stream) -> tuple[str, dict[str, str]]:
    line = stream.readline().decode("latin-1").strip()
    headers = {}
    while True:
        h = stream.readline().decode("latin-1")
        if h in ("\r\n", "\n", ""):
            break
        k, _, v = h.partition(":")
        headers[k.strip().lower()] = v.strip()
    return line, headers


def serve(stub: GttsStub):
    """Start the proxy on 127.0.0.1; returns (server, "http://127.0.0.1:PORT")."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("translate.google.com", "translate.google.co.uk", "translate.google.com.au")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            line, _ = _read_head(self.rfile)
            if not line.startswith("CONNECT "):
                self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            try:
                tls = context.wrap_socket(self.connection, server_side=True)
            except (ssl.SSLError, OSError):
                return
            stream = tls.makefile("rwb")
            try:
                request_line, headers = _read_head(stream)
                if not re.match(r"POST /_/TranslateWebserverUi/data/batchexecute", request_line):
                    status, body = 404, b"not found"
                else:
                    status, body = stub.respond(stream.read(int(headers.get("content-length", 0))))
                head = f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                stream.write(head.encode() + b"Connection: close\r\n\r\n" + body)
                stream.flush()
            except (OSError, ssl.SSLError):
                pass
            finally:
                stream.close()
                tls.close()

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    # gTTS's requests are verified: the client trusts this throwaway CA through REQUESTS_CA_BUNDLE.
    fd, bundle = tempfile.mkstemp(prefix="gtts-stub-ca-", suffix=".pem")
    os.close(fd)
    ca.cert_pem.write_to_path(bundle)
    server.ca_bundle = bundle
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
