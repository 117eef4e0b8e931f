#!/usr/bin/env python3
# Copyright: Cirrus contributors
# Apache License 2.0
"""The virtual router's metadata (port 80) and password (port 8080) server.

Guests are told apart by their source address only, as CloudStack's router does: a guest
can read its own user data, meta-data and password and nobody else's. Data files are read
on every request so the role applies new data without restarting this daemon.

  metadata.json   {"<ip>": {"user-data": "...", "<key>": "<value>", ...}}
  passwords.json  {"<ip>": "<password>"}                (mode 0600)
  password_acks.json  ["<ip> <sha256 of password>", ...] (written here)

Standard library only: the router has Python 3 but nothing else may be installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACK_LOCK = threading.Lock()


def load_json(path: str, default: Any) -> Any:
    try:
        with open(path) as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return default


def password_key(ip: str, password: str) -> str:
    return f"{ip} {hashlib.sha256(password.encode()).hexdigest()}"


class Handler(BaseHTTPRequestHandler):
    server_version = "cirrus-vr"
    data_dir = "."

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def reply(self, status: int, body: str) -> None:
        payload = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:  # noqa: N802
        if getattr(self.server, "serves_passwords", False):
            self.password()
        else:
            self.metadata()

    def metadata(self) -> None:
        data = load_json(os.path.join(self.data_dir, "metadata.json"), {})
        mine = data.get(self.client_address[0])
        path = self.path.split("?", 1)[0].rstrip("/")
        if mine is None:
            return self.reply(404, "not found\n")
        if path in ("/latest/meta-data", "/latest"):
            keys = sorted(k for k in mine if k != "user-data")
            return self.reply(200, "".join(f"{k}\n" for k in keys))
        for prefix in ("/latest/meta-data/", "/latest/"):
            if path.startswith(prefix):
                key = path[len(prefix):]
                if key in mine and mine[key] is not None:
                    return self.reply(200, str(mine[key]))
                break
        return self.reply(404, "not found\n")

    def password(self) -> None:
        ip = self.client_address[0]
        request = self.headers.get("DomU_Request", "")
        password = load_json(os.path.join(self.data_dir, "passwords.json"), {}).get(ip)
        acks_path = os.path.join(self.data_dir, "password_acks.json")
        with ACK_LOCK:
            acks = set(load_json(acks_path, []))
            if request == "send_my_password":
                if password and password_key(ip, password) not in acks:
                    return self.reply(200, password)
                return self.reply(200, "saved_password")
            if request == "saved_password":
                if password:
                    acks.add(password_key(ip, password))
                    # Only acks of current passwords matter; forget the rest.
                    current = load_json(os.path.join(self.data_dir, "passwords.json"), {})
                    keep = {password_key(i, p) for i, p in current.items() if p}
                    write_json(acks_path, sorted(acks & keep))
                return self.reply(200, "saved_password")
        return self.reply(400, "bad_request")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    serves_passwords = False

    def server_bind(self) -> None:
        # HTTPServer resolves its own name here; the router's resolver may be the dnsmasq
        # that is not up yet, or nothing at all, and the lookup would stall startup.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]


def write_json(path: str, value: Any) -> None:
    tmp = f"{path}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(value, f)
    os.replace(tmp, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", required=True, help="the guest gateway address")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--metadata-port", type=int, default=80)
    parser.add_argument("--password-port", type=int, default=8080)
    args = parser.parse_args()
    Handler.data_dir = args.data_dir

    servers = [Server((args.address, port), Handler)
               for port in (args.metadata_port, args.password_port)]
    servers[1].serves_passwords = True
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
