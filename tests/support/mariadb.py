"""A private MariaDB server for the test suite: own datadir, loopback only, stopped by pid."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

import pymysql


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def available() -> str | None:
    """Why MariaDB cannot run here, or None when it can."""
    if shutil.which("mariadbd") is None and not os.path.exists("/usr/sbin/mariadbd"):
        return "mariadbd is not installed (apt-get install mariadb-server; .ci/run does)"
    return None


@dataclass
class MariaDB:
    root: str
    port: int
    socket: str
    process: subprocess.Popen[bytes]

    def url(self, database: str) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{database}?charset=utf8mb4"

    def create_database(self, name: str) -> str:
        conn = pymysql.connect(unix_socket=self.socket, user="root")
        try:
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
                cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        finally:
            conn.close()
        return self.url(name)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def start() -> MariaDB:
    """Initialize a datadir and start mariadbd on a free loopback port (no systemd)."""
    root = tempfile.mkdtemp(prefix="cirrus-mariadb-")
    datadir, sock = os.path.join(root, "data"), os.path.join(root, "mysqld.sock")
    subprocess.run(
        ["mariadb-install-db", f"--datadir={datadir}", "--user=root",
         "--auth-root-authentication-method=normal", "--skip-test-db"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    port = _free_port()
    with open(os.path.join(root, "error.log"), "wb") as log:
        process = subprocess.Popen(
            ["mariadbd", "--no-defaults", f"--datadir={datadir}", f"--socket={sock}",
             f"--port={port}", "--bind-address=127.0.0.1", "--user=root",
             f"--pid-file={os.path.join(root, 'mysqld.pid')}", "--skip-log-bin",
             "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=2",
             "--max-connections=500"],
            stdout=log, stderr=log,
        )
    server = MariaDB(root, port, sock, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            with open(os.path.join(root, "error.log")) as handle:
                raise RuntimeError(f"mariadbd exited: {handle.read()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
        except OSError:
            time.sleep(0.2)
            continue
        pymysql.connect(unix_socket=sock, user="root").close()
        return server
    server.stop()
    raise RuntimeError("mariadbd did not accept connections within 60 s")
