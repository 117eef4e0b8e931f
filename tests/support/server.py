"""A real `cirrus serve` on loopback, on a fresh database, stopped by pid."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """One serving process group (gunicorn API workers + job worker processes)."""

    database_url: str
    home: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: str
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"{self.base}/client/api"

    def log(self) -> str:
        with open(self.log_path, errors="replace") as handle:
            return handle.read()

    def signal_group(self, sig: int) -> None:
        """Send `sig` to the whole process group (the server and all its children)."""
        os.killpg(self.process.pid, sig)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """End the whole process group with `sig` and wait for the server to exit."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


def cirrus(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "appliance.cli", *args], check=True,
                          capture_output=True, text=True, env=env)


def init(database_url: str, home: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """What `cirrus init` does to the database; returns the admin credentials. Done in this
    process (a new interpreter importing the appliance costs seconds per test module);
    with `env`, which only a new process can take, by running `cirrus init` itself."""
    if env:
        full_env = dict(os.environ, CIRRUS_HOME=home, **env)
        out = cirrus("init", "--database-url", database_url, "--json", env=full_env)
        result: dict[str, str] = json.loads(out.stdout.strip().splitlines()[-1])
        return result
    from appliance.cli import initialize
    from appliance.db import Database

    db = Database(database_url)
    try:
        info, _ = initialize(db)
    finally:
        db.dispose()
    return info


def start(database_url: str, *, home: str | None = None, env: dict[str, str] | None = None,
          job_workers: int = 1, workers: int = 1, job_threads: int = 4) -> Server:
    """Start `cirrus serve` and wait until it answers /health."""
    home = home or tempfile.mkdtemp(prefix="cirrus-home-")
    port = free_port()
    log_path = os.path.join(home, f"serve-{port}.log")
    full_env = dict(os.environ, CIRRUS_HOME=home, **(env or {}))
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "appliance.cli", "serve", "--database-url", database_url,
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "8",
             "--job-workers", str(job_workers), "--job-threads", str(job_threads),
             "--poll-interval", "0.1"],
            stdout=log, stderr=subprocess.STDOUT, env=full_env, start_new_session=True,
        )
    server = Server(database_url, home, port, process, log_path, env or {})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cirrus serve exited:\n{server.log()[-3000:]}")
        try:
            if requests.get(f"{server.base}/health", timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"cirrus serve did not answer within 60 s:\n{server.log()[-3000:]}")
