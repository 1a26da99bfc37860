"""Helpers for the hostile tests: local listeners that count connections, and PDF inspection."""

from __future__ import annotations

import http.server
import threading
from contextlib import contextmanager
from pathlib import Path

import pikepdf

HOSTNAME = Path("/etc/hostname")


class Listener(http.server.ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 that records every connection and every request path.

    `routes` maps a path to (status, headers, body); anything else is a 404.
    """

    daemon_threads = True

    def __init__(self, routes: dict[str, tuple[int, dict[str, str], bytes]] | None = None):
        self.routes = dict(routes or {})
        self.connections = 0
        self.requests: list[str] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def verify_request(self, request, client_address) -> bool:
        with self.lock:
            self.connections += 1
        return True


class _Handler(http.server.BaseHTTPRequestHandler):
    timeout = 5  # a stalled client cannot hold a handler thread past the test

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        server: Listener = self.server  # type: ignore[assignment]
        with server.lock:
            server.requests.append(self.path)
        status, headers, body = server.routes.get(self.path, (404, {}, b"not here"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def listening(routes: dict[str, tuple[int, dict[str, str], bytes]] | None = None):
    """A running `Listener`, shut down and closed when the block ends."""
    server = Listener(routes)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def embedded_files(path: Path) -> list[str]:
    """Names of every file embedded in the PDF: document attachments and file-attachment annotations."""
    names = []
    with pikepdf.open(path) as pdf:
        names += list(pdf.attachments.keys())
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                if annotation.get("/Subtype") == "/FileAttachment":
                    spec = annotation.get("/FS")
                    names.append(str(spec.get("/UF", spec.get("/F", "?"))) if spec is not None else "?")
    return names


def scripts_and_actions(path: Path) -> list[str]:
    """Every JavaScript, launch or import action and every named JavaScript in the PDF."""
    found = []
    with pikepdf.open(path) as pdf:
        names = pdf.Root.get("/Names")
        if names is not None and "/JavaScript" in names:
            found.append("/Names/JavaScript")
        if "/OpenAction" in pdf.Root:
            found.append("/OpenAction")
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary):
                kind = obj.get("/S")
                if kind in ("/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToR") or "/JS" in obj:
                    found.append(str(kind))
    return found


def png_bytes(width: int = 4, height: int = 4) -> bytes:
    """A small real PNG."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()
