"""A real HTTP server on loopback serving test images: plain, slow, oversized, missing.

Also a helper for tests that need a zone with secondary storage.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import struct
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.cloud import Cloud


def qcow2_image(virtual_size: int, payload: int = 4096) -> bytes:
    """A file with a qcow2 header (magic, version 3, virtual size) and some padding."""
    header = b"QFI\xfb" + struct.pack(">I", 3) + struct.pack(">Q", 0) + struct.pack(">I", 0)
    header += struct.pack(">I", 16) + struct.pack(">Q", virtual_size)
    return header + bytes(range(256)) * (payload // 256)


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    chunk_delay: float = 0.0
    chunks: int = 1
    content_length: int | None = None  # advertise a different length (oversized bodies)


@dataclass
class ImageServer:
    server: ThreadingHTTPServer
    routes: dict[str, Route] = field(default_factory=dict)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, path: str, route: Route) -> str:
        self.routes[path] = route
        return f"{self.base}{path}"

    def serve(self, name: str, body: bytes, **kwargs: Any) -> str:
        return self.add(f"/{uuid.uuid4().hex[:8]}/{name}", Route(body=body, **kwargs))

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_image_server() -> ImageServer:
    holder: dict[str, ImageServer] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            route = holder["srv"].routes.get(self.path)
            if route is None or route.status != 200:
                self.send_error(route.status if route else 404)
                return
            self.send_response(200)
            length = route.content_length if route.content_length is not None \
                else len(route.body)
            self.send_header("Content-Length", str(length))
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            size = max(1, len(route.body) // route.chunks)
            try:
                for start in range(0, len(route.body), size):
                    self.wfile.write(route.body[start:start + size])
                    self.wfile.flush()
                    if route.chunk_delay:
                        time.sleep(route.chunk_delay)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["srv"] = ImageServer(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return holder["srv"]


def gz(data: bytes) -> bytes:
    return gzip.compress(data)


def bz(data: bytes) -> bytes:
    return bz2.compress(data)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def add_zone_with_store(cloud: Cloud, *, with_store: bool = True) -> tuple[str, str | None]:
    """A zone and, unless asked otherwise, a file:// image store in a fresh directory,
    made through createZone and addImageStore; returns (zone id, store directory)."""
    zone = cloud.admin.createZone(name=f"zone-{uuid.uuid4().hex[:8]}", networktype="Advanced",
                                  dns1="192.0.2.53", internaldns1="192.0.2.53")["zone"]
    directory = None
    if with_store:
        directory = tempfile.mkdtemp(prefix="cirrus-store-")
        cloud.admin.addImageStore(provider="NFS", url=f"file://{directory}", zoneid=zone["id"],
                                  name=f"store-{zone['name']}")
    return str(zone["id"]), directory
